"""The Comments page: respondent text shown as text, never markup; analysis runs in a background job, not in
the page request, and the page shows the job's progress."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engagement.db import get_engine
from engagement.free_text import job
from engagement.free_text.job import analyse_pending, wait_for_background_analysis
from engagement.intake import Provenance, submit_many
from engagement.models import TextAnalysis
from tests.conftest import valid_answers
from tests.pages import open_page

MARKUP = [
    "Click [here](http://tracker.example/x) please",
    "![pixel](http://tracker.example/pixel.png) staff were kind",
    "**shouting** about $$\\int x$$ and :red[waiting times]",
]


def shown_markup(app) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption") for e in app.get(kind))


def test_comments_are_shown_as_text_not_markdown(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in MARKUP])
    analyse_pending(get_engine(db_url), form)
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    texts = " ".join(str(e.value) for e in app.text)
    for payload in ("[here](http://tracker.example/x)", "![pixel](http://tracker.example/pixel.png)",
                    "**shouting**", "$$\\int x$$", ":red[waiting times]"):
        assert payload in texts
    assert "tracker.example" not in shown_markup(app)
    assert "shouting" not in shown_markup(app)


@pytest.fixture
def held_analysis(monkeypatch):
    """Hold the background job at its first batch until the test releases it."""
    release = threading.Event()
    real = job.analyse_batch

    def held(*args, **kwargs):
        release.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(job, "analyse_batch", held)
    yield release
    release.set()
    wait_for_background_analysis(timeout=120)


def test_comments_page_analyses_in_the_background_and_shows_progress(session, form, db_url, held_analysis):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance())
                                for text in ("Not enough nurses", "Waiting lists are too long")])
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    bars = [bar.proto.text for bar in app.get("progress")]
    assert any("Analysing new answers in the background" in text and "of 2" in text for text in bars), bars
    assert session.scalar(select(func.count()).select_from(TextAnalysis)) == 0  # nothing analysed in the request
    held_analysis.set()
    wait_for_background_analysis(timeout=120)
    assert session.scalar(select(func.count()).select_from(TextAnalysis)) == 2
    app.run()
    assert not app.exception
    assert any("Not enough nurses" in str(e.value) for e in app.text)
    assert not app.get("progress")
