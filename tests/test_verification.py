"""Double-entry verification: a second volunteer keys the same sheet, disagreements are listed side by side for a
third person, and sheets of a batch that requires it count only once verified."""

from __future__ import annotations

import pytest

from engagement.db import get_engine
from engagement.entries import entry_history, stored_values
from engagement.intake import Provenance, submit_response
from engagement.verification import (
    VerificationError,
    disagreements,
    key_second_entry,
    require_verification,
    resolve,
    unverified_responses,
)
from tests.conftest import valid_answers

BATCH = "2019-03-14 Bulwell library drop-in"


def first_keying(session, form, ref: str, **answers):
    return submit_response(session, form, valid_answers(**answers),
                           Provenance(channel="paper", entered_by="vol-a", paper_reference=ref, import_batch=BATCH))


def test_agreeing_keyings_verify_the_sheet_and_disagreements_wait_for_a_third_person(session, form, db_url):
    require_verification(session, form.slug, BATCH, actor="lead")
    first_keying(session, form, "HW-1", sex="female")
    second = first_keying(session, form, "HW-2", sex="female", age="40")
    engine = get_engine(db_url)
    assert sorted(unverified_responses(engine, form.slug)["paper_reference"]) == ["HW-1", "HW-2"]

    assert key_second_entry(session, form, "HW-1", "vol-b", valid_answers(sex="female"), via="test").empty
    table = key_second_entry(session, form, "HW-2", "vol-b", valid_answers(sex="male", age="40"), via="test")
    assert table[["question", "first keying", "second keying"]].values.tolist() == [["Sex", "Female", "Male"]]
    assert unverified_responses(engine, form.slug)["paper_reference"].tolist() == ["HW-2"]
    assert disagreements(session, form, "HW-2").equals(table)

    with pytest.raises(VerificationError, match="third person"):
        resolve(session, form, "HW-2", "vol-b", valid_answers(sex="male", age="40"), via="test")
    assert resolve(session, form, "HW-2", "lead", valid_answers(sex="male", age="40"), via="test") == 2
    assert stored_values(session, second.id)["sex"] == ["male"]
    assert entry_history(session, form, second.id)["by"].tolist() == ["lead", "vol-a"]
    assert unverified_responses(engine, form.slug).empty


def test_the_same_volunteer_cannot_key_a_sheet_twice(session, form):
    first_keying(session, form, "HW-1")
    with pytest.raises(VerificationError, match="different volunteer"):
        key_second_entry(session, form, "HW-1", "vol-a", valid_answers(), via="test")
    with pytest.raises(VerificationError, match="No paper form 'HW-9'"):
        key_second_entry(session, form, "HW-9", "vol-b", valid_answers(), via="test")


def test_batches_that_do_not_require_double_entry_count_straight_away(session, form, db_url):
    first_keying(session, form, "HW-1")
    assert unverified_responses(get_engine(db_url), form.slug).empty
