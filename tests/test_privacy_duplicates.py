"""Erasure always succeeds, also for a response in a "same person" decision. Erasing the response that counted
for a person makes the response set aside for it count again (the person is then counted once, by it); the
erasure says so, and the audit log records it."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select

from engagement.analysis.respondents import respondent_frame
from engagement.audit import audit_events
from engagement.cli import main
from engagement.db import get_engine
from engagement.duplicates import decide
from engagement.intake import Provenance, submit_response
from engagement.models import DuplicateDecision
from engagement.privacy import erase_response
from tests.conftest import valid_answers


def _one_person_twice(session, form):
    kept = submit_response(session, form, valid_answers(age="67"))
    twice = submit_response(session, form, valid_answers(age="67"), Provenance(channel="event"))
    decide(session, form.slug, kept.id, twice.id, "same_person", kept_id=kept.id, similarity=97,
           actor="analyst-1", via="test")
    return kept.reference, twice.reference


def test_erasing_the_response_that_counts_makes_the_one_set_aside_count_again_and_says_so(session, form, db_url):
    kept, twice = _one_person_twice(session, form)
    engine = get_engine(db_url)
    assert set(respondent_frame(engine, form)["reference"]) == {kept}
    result = CliRunner().invoke(main, ["privacy", "erase", kept])
    assert result.exit_code == 0, result.output
    assert f"Erased {kept}" in result.output
    assert (f"{twice} had been set aside as the same person as {kept}; it now counts in its place. If the person "
            f"wants all their answers erased, erase {twice} too.") in result.output
    assert set(respondent_frame(engine, form)["reference"]) == {twice}
    assert session.scalar(select(func.count()).select_from(DuplicateDecision)) == 0
    event = audit_events(engine, actions=["erasure"]).iloc[0]
    assert event["target_id"] == kept and json.loads(event["details"])["counts_again"] == [twice]


def test_erasing_the_response_set_aside_leaves_the_one_that_counts(session, form, db_url):
    kept, twice = _one_person_twice(session, form)
    erased = erase_response(session, twice, actor="ig lead", via="test")
    assert erased.counts_again == ()
    assert set(respondent_frame(get_engine(db_url), form)["reference"]) == {kept}
    assert json.loads(audit_events(get_engine(db_url), actions=["erasure"]).iloc[0]["details"])[
        "counts_again"] == []
