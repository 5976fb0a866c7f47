"""Paper entry: a paper reference is entered once per survey, and a volunteer's corrections are kept as versions
(who, when, what changed), never silently overwritten."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engagement.audit import audit_events
from engagement.db import get_engine
from engagement.entries import batch_label, batch_tally, correct_entry, entry_history, stored_values
from engagement.intake import IntakeError, Provenance, submit_response
from engagement.models import ResponseCorrection
from tests.conftest import valid_answers


def paper(ref: str, by: str = "vol1", batch: str | None = None) -> Provenance:
    return Provenance(channel="paper", entered_by=by, paper_reference=ref, import_batch=batch)


def test_a_second_entry_of_the_same_paper_reference_is_refused_naming_the_first(session, form):
    first = submit_response(session, form, valid_answers(), paper("HW-7"))
    with pytest.raises(IntakeError) as caught:
        submit_response(session, form, valid_answers(age="50"), paper(" HW-7 ", by="vol2"))
    [problem] = caught.value.problems
    assert problem.question_id == "paper_reference"
    assert f"'HW-7' was already entered as {first.reference}" in problem.message


def test_a_correction_keeps_the_earlier_version_with_who_when_and_what_changed(session, form, db_url):
    response = submit_response(session, form, valid_answers(age="40", sex="female"), paper("HW-1"))
    version = correct_entry(session, form, response.reference, "vol1", valid_answers(age="41", sex="female"),
                            via="test")
    assert version == 2
    assert stored_values(session, response.id)["age"] == ["41"]
    [correction] = session.scalars(select(ResponseCorrection)).all()
    assert correction.corrected_by == "vol1" and correction.version == 2
    assert json.loads(correction.changes) == {"age": [["40"], ["41"]]}
    history = entry_history(session, form, response.id)
    assert history["version"].tolist() == [2, 1]
    assert history["what changed"][0] == "Age: 40 → 41"
    assert history["what changed"][1] == "First entered"
    assert audit_events(get_engine(db_url), actions=["response_edited"])["target_id"].tolist() == [response.reference]


def test_a_correction_with_no_change_saves_no_version_and_bad_answers_save_nothing(session, form):
    response = submit_response(session, form, valid_answers(), paper("HW-1"))
    assert correct_entry(session, form, response.reference, "vol1", valid_answers(), via="test") is None
    with pytest.raises(IntakeError):
        correct_entry(session, form, response.reference, "vol1", valid_answers(age="1e2"), via="test")
    assert session.scalars(select(ResponseCorrection)).all() == []
    assert "age" not in stored_values(session, response.id)


def test_only_the_volunteer_who_entered_a_form_can_correct_it(session, form):
    response = submit_response(session, form, valid_answers(), paper("HW-1", by="vol1"))
    with pytest.raises(LookupError, match="You have not entered a paper form with that reference"):
        correct_entry(session, form, response.reference, "vol2", valid_answers(age="30"), via="test")


def test_the_batch_is_kept_on_each_entry_and_tallied(session, form, db_url):
    batch = batch_label("Bulwell library drop-in", "2019-03-14")
    for ref in ("HW-1", "HW-2"):
        submit_response(session, form, valid_answers(), paper(ref, batch=batch))
    submit_response(session, form, valid_answers(), paper("HW-3", batch=batch_label("Other", "2019-03-15")))
    assert batch_tally(get_engine(db_url), batch) == 2
