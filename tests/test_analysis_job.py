"""The analysis job: one analyser per survey across processes and instances, its lease and stored progress."""

from __future__ import annotations

import json
import os
import time

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlmodel import Session

from engagement.cli import main
from engagement.db import get_engine
from engagement.free_text import job
from engagement.free_text.job import analyse_pending, job_progress
from engagement.intake import Provenance, submit_many
from engagement.models import AppSetting, ModelThemeTag, RedactionLog, TextAnalysis
from tests.concurrent_workers import ROOT, run_together
from tests.conftest import valid_answers

TEXTS = [
    "Not enough nurses", "Waiting lists are too long", "Call Dr Jones on 07700 900123", "GP appointments",
    "Mental health support for young people", "Buses to the hospital", "Kind staff", "A&E waits",
    "Parking at the hospital", "Dentists", "Care homes", "Social care for my mum",
]


def test_two_concurrent_analysers_produce_each_analysis_once(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in TEXTS])
    counts = run_together([["analyse", db_url], ["analyse", db_url]], dict(os.environ, PYTHONPATH=str(ROOT)))
    assert sum(counts) == len(TEXTS), counts  # every answer analysed exactly once between them
    assert session.scalar(select(func.count()).select_from(TextAnalysis)) == len(TEXTS)
    tags = session.execute(select(ModelThemeTag.answer_id, ModelThemeTag.theme_code)).all()
    assert len(tags) == len(set(tags))
    redactions = session.execute(select(RedactionLog.answer_id, RedactionLog.kind, RedactionLog.start)).all()
    assert redactions and len(redactions) == len(set(redactions))
    assert job_progress(get_engine(db_url), form).state == "finished"


def _lease_held_elsewhere(session, form, expires_in: float) -> None:
    session.merge(AppSetting(key=f"free_text_job:{form.slug}", value=json.dumps(
        {"holder": "other-host:1:abc", "state": "running", "done": 3, "total": 10, "updated_at": time.time(),
         "expires_at": time.time() + expires_in})))
    session.commit()


def test_a_running_job_elsewhere_is_left_alone_and_its_progress_shown(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters="Not enough nurses"), Provenance())])
    _lease_held_elsewhere(session, form, expires_in=60)
    progress = job_progress(get_engine(db_url), form)
    assert (progress.state, progress.done, progress.total) == ("running", 3, 10)
    result = CliRunner().invoke(main, ["analyse"])
    assert result.exit_code != 0 and "already analysing" in result.output and "3 of 10" in result.output
    assert "Traceback" not in result.output
    with Session(get_engine(db_url)) as fresh:
        assert fresh.scalar(select(func.count()).select_from(TextAnalysis)) == 0


def test_a_job_whose_instance_died_is_taken_over_once_its_lease_expires(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters="Not enough nurses"), Provenance())])
    _lease_held_elsewhere(session, form, expires_in=-1)
    assert job_progress(get_engine(db_url), form).state == "stalled"
    assert analyse_pending(get_engine(db_url), form) == 1
    assert job_progress(get_engine(db_url), form).state == "finished"


def test_a_job_that_lost_its_lease_stores_nothing_more(session, form, db_url, monkeypatch):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in TEXTS[:4]])
    real = job.analyse_batch
    calls = []

    def then_taken_over(db_session, *args):
        calls.append(1)
        if len(calls) == 2:  # another instance takes the lease (this one looked dead) before the second batch
            with Session(get_engine(db_url)) as other:
                _lease_held_elsewhere(other, form, expires_in=60)
        real(db_session, *args)

    monkeypatch.setattr(job, "analyse_batch", then_taken_over)
    try:
        analyse_pending(get_engine(db_url), form, batch_size=2)
    except job.LeaseLost:
        pass
    else:
        raise AssertionError("the job carried on without its lease")
    with Session(get_engine(db_url)) as fresh:
        assert fresh.scalar(select(func.count()).select_from(TextAnalysis)) == 2  # the first batch only
