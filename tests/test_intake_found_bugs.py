"""Bugs found when intake was tried as a new user would: each has its test here."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from engagement.forms import check_form_file, get_form
from engagement.intake import IntakeError, Provenance, submit_many, submit_response
from engagement.models import Answer, Response
from survey_forms import form_path
from tests.conftest import valid_answers


def _peak_bytes(session, form, rows: int) -> int:
    batch = ((valid_answers(), Provenance(channel="import", import_batch="B")) for _ in range(rows))
    tracemalloc.start()
    try:
        submit_many(session, form, batch)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_batch_is_stored_in_chunks_with_memory_that_does_not_grow_with_it(session, form):
    _peak_bytes(session, form, 200)  # warm caches (compiled statements) so both runs compare like with like
    small = _peak_bytes(session, form, 2_000)
    large = _peak_bytes(session, form, 10_000)
    assert session.scalar(select(func.count()).select_from(Response)) == 12_200
    assert large < small * 1.5, f"peak {large:,} bytes for 10,000 rows against {small:,} for 2,000"


def test_a_batch_stored_in_chunks_is_still_all_or_nothing(session, form):
    rows = [(valid_answers(), Provenance()) for _ in range(5_000)] + [(valid_answers(age="old"), Provenance())]
    with pytest.raises(IntakeError, match=r"^Row 5001: .*'old' is not a number"):
        submit_many(session, form, rows)
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert session.scalar(select(func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize("age", ["1e2", "4e1", "1_00", "0x40", " 40.5", "nan", "inf"])
def test_an_age_must_be_written_as_a_whole_number(session, form, age):
    with pytest.raises(IntakeError, match=r"is not a (whole )?number"):
        submit_response(session, form, valid_answers(age=age))
    assert session.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.parametrize(("age", "stored"), [("40", "40"), (" 41 ", "41"), ("42.0", "42"), (43, "43"), (44.0, "44")])
def test_whole_numbers_as_spreadsheets_write_them_are_accepted(session, form, age, stored):
    response = submit_response(session, form, valid_answers(age=age))
    values = session.scalars(select(Answer.value).where(Answer.response_id == response.id,
                                                        Answer.question_id == "age")).all()
    assert values == [stored]


def test_the_place_comes_from_the_place_question_whatever_its_id(session, tmp_path: Path):
    raw = yaml.safe_load(form_path(get_form("what-matters-to-you-2019").slug).read_text(encoding="utf-8"))
    for section in raw["sections"]:
        for question in section["questions"]:
            if question["type"] == "place":
                question["id"] = "home_area"
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    form = check_form_file(path)
    answers = valid_answers(home_area="Rushcliffe")
    del answers["district"]
    response = submit_response(session, form, answers)
    assert response.place_code == "E07000176"
    submit_many(session, form, [(answers, Provenance(channel="import"))])
    assert session.scalars(select(Response.place_code)).all() == ["E07000176", "E07000176"]
