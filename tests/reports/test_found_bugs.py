"""Found when this was tried as a new user would: formulas typed by respondents, and a row-level file that
joins enough quasi-identifiers to pick people out in a small place."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from engagement.analysis.tidy import tidy_answers
from engagement.cli import main
from engagement.db import get_engine
from engagement.intake import submit_response
from engagement.reports.export import tidy_csv_bytes
from engagement.reports.row_level import row_level_for
from tests.conftest import valid_answers
from tests.pages import open_page

FORMULAS = ['=HYPERLINK("http://x.co","ok")', "=1+2", "@SUM(1+1)"]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_formulas_typed_by_a_respondent_are_neutralised_in_the_csv_and_numbers_stay_numbers(
    session, form, db_url, tmp_path
):
    submit_response(session, form, valid_answers(best_thing=FORMULAS[0], three_words=FORMULAS[1:] + ["-5 stars"],
                                                 age="34"))
    out = tmp_path / "answers.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _rows(out.read_text(encoding="utf-8-sig"))
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c.startswith(DANGEROUS_START)]
    words = [r["answer_label"] for r in rows if r["question_id"] == "three_words"]
    assert "'=1+2" in words and "'@SUM(1+1)" in words
    assert {r["answer_code"] for r in rows if r["question_id"] == "age"} == {"34"}
    assert {r["answer_code"] for r in rows if r["question_id"] == "top_urgent_care"} == {"5"}


def test_cli_csv_keeps_todays_columns_and_every_answer(session, form, db_url, tmp_path):
    submit_response(session, form, valid_answers(age="34", postcode_district="NG5", sex="female"))
    out = tmp_path / "answers.csv"
    assert CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)]).exit_code == 0
    rows = _rows(out.read_text(encoding="utf-8-sig"))
    assert list(rows[0])[:13] == [
        "response_reference", "survey", "survey_version", "channel", "place_code", "place", "is_synthetic",
        "created_at", "question_id", "question_text", "position", "answer_code", "answer_label",
    ]
    answered = {r["question_id"]: r["answer_code"] for r in rows}
    assert answered["age"] == "34" and answered["postcode_district"] == "NG5" and answered["sex"] == "female"


QUASI_IDENTIFIERS = {"postcode_district", "sexual_orientation", "religion", "ethnic_group", "long_term_condition",
                     "gender_same_as_sex_at_birth"}


def test_a_comms_users_row_level_file_bands_age_and_leaves_out_quasi_identifiers(session, form, db_url):
    submit_response(session, form, valid_answers(
        age="34", postcode_district="NG5", sex="female", sexual_orientation="bisexual", religion="sikh",
        ethnic_group="white_roma", long_term_condition="yes", gender_same_as_sex_at_birth="no"))
    tidy = tidy_answers(get_engine(db_url), form)
    rows = _rows(tidy_csv_bytes(row_level_for(tidy, form, {"comms"})).decode("utf-8-sig"))
    questions = {r["question_id"] for r in rows}
    assert QUASI_IDENTIFIERS.isdisjoint(questions)
    assert "response_reference" not in rows[0] and "created_at" not in rows[0]
    assert {r["answer_label"] for r in rows if r["question_id"] == "age"} == {"25-34"}
    assert {"top_urgent_care", "sex", "district"} <= questions
    full = row_level_for(tidy, form, {"admin"})
    assert set(full["question_id"]) >= QUASI_IDENTIFIERS and "response_reference" in full

    preview = open_page("export", roles=("comms",)).dataframe[0].value
    assert "response_reference" not in preview and "created_at" not in preview
    assert QUASI_IDENTIFIERS.isdisjoint(set(preview["question_id"]))
    assert open_page("export", roles=("admin",)).dataframe[0].value["response_reference"].notna().all()
