"""The respondent frames are loaded ahead of the first dashboard visit, and a failed warm-up is harmless."""

from __future__ import annotations

import logging

from sqlmodel import Session

from engagement.analysis import insight
from engagement.analysis.respondents import data_version
from engagement.config import DEFAULT_FORM_SLUG
from engagement.db import get_engine
from engagement.demo import add_demo_responses
from engagement.forms import get_form


def test_the_warm_up_loads_the_frame_the_dashboard_then_reuses(db_url, monkeypatch):
    engine, form = get_engine(db_url), get_form(DEFAULT_FORM_SLUG)
    with Session(engine) as session:
        add_demo_responses(session, form, 30, seed=1)
    insight.warm_respondents(engine, [form])
    monkeypatch.setattr(insight, "load_respondents", lambda *_: (_ for _ in ()).throw(AssertionError("reloaded")))
    frame = insight.cached_respondents(engine, form, data_version(engine, form.slug))
    assert len(frame) == 30


def test_a_failed_warm_up_is_logged_not_raised(db_url, monkeypatch, caplog):
    engine, form = get_engine(db_url), get_form(DEFAULT_FORM_SLUG)
    with Session(engine) as session:
        add_demo_responses(session, form, 5, seed=2)

    def broken(*_):
        raise RuntimeError("database went away")

    monkeypatch.setattr(insight, "load_respondents", broken)
    with caplog.at_level(logging.ERROR):
        insight.warm_respondents(engine, [form])
    assert "Could not load" in caplog.text
