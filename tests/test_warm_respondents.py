"""The respondent frames are loaded ahead of the first dashboard visit, and a failed warm-up is harmless."""

from __future__ import annotations

import logging
import threading

from sqlmodel import Session

from engagement.analysis import insight
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
    frame = insight.cached_respondents(engine, form, insight.respondents_version(engine, form))
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


def test_a_second_caller_waits_for_the_load_in_progress_instead_of_loading_again(db_url, monkeypatch):
    engine, form = get_engine(db_url), get_form(DEFAULT_FORM_SLUG)
    with Session(engine) as session:
        add_demo_responses(session, form, 10, seed=3)
    started, release, loads = threading.Event(), threading.Event(), []
    real = insight.load_respondents

    def slow_load(*args):
        loads.append(1)
        started.set()
        release.wait(10)
        return real(*args)

    monkeypatch.setattr(insight, "load_respondents", slow_load)
    version = insight.respondents_version(engine, form) + "-waits"
    warm = threading.Thread(target=insight.cached_respondents, args=(engine, form, version))
    warm.start()
    started.wait(10)
    frames = []
    second = threading.Thread(target=lambda: frames.append(insight.cached_respondents(engine, form, version)))
    second.start()
    release.set()
    warm.join(10)
    second.join(10)
    assert loads == [1] and len(frames[0]) == 10
