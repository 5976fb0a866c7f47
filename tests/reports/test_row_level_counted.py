"""Row-level files keep every stored response, nothing silently dropped: each row says whether its response
counts in the figures (and if not, why) and which version of the survey it came through."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from engagement.cli import main
from engagement.db import get_engine
from engagement.duplicates import decide
from engagement.forms import easy_read_version
from engagement.intake import Provenance, submit_response
from engagement.reports.files import build_files
from engagement.reports.summary import Selection
from engagement.verification import require_verification
from tests.conftest import valid_answers
from tests.test_counted_responses import easy_read_answers

BATCH = "2019-03-14 Bulwell library drop-in"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _stored(session, form):
    require_verification(session, form.slug, BATCH, actor="lead")
    return {
        "online": submit_response(session, form, valid_answers()),
        "waiting": submit_response(session, form, valid_answers(), Provenance(
            channel="paper", entered_by="vol-a", paper_reference="HW-1", import_batch=BATCH)),
        "kept": submit_response(session, form, valid_answers(age="67")),
        "twice": submit_response(session, form, valid_answers(age="67"), Provenance(channel="event")),
        "easy": submit_response(session, easy_read_version(form.slug), easy_read_answers()),
    }


def test_the_row_level_file_keeps_every_response_and_says_which_count(session, form, db_url, tmp_path):
    stored = _stored(session, form)
    decide(session, form.slug, stored["kept"].id, stored["twice"].id, "same_person", kept_id=stored["kept"].id,
           similarity=97, actor="analyst-1", via="test")
    out = tmp_path / "answers.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _rows(out.read_bytes())
    counted = {r["response_reference"]: r["counted"] for r in rows}
    version = {r["response_reference"]: r["survey_version"] for r in rows}
    assert counted == {
        stored["online"].reference: "yes",
        stored["waiting"].reference: "waiting for a second keying",
        stored["kept"].reference: "yes",
        stored["twice"].reference: f"set aside: same person as {stored['kept'].reference}",
        stored["easy"].reference: "yes",
    }
    assert version[stored["easy"].reference] == "Easy Read"
    assert {version[r.reference] for k, r in stored.items() if k != "easy"} == {"Standard"}
    # An Easy Read answer is as it was given, with the Easy Read form's words.
    easy_rows = [r for r in rows if r["response_reference"] == stored["easy"].reference]
    assert {r["survey"] for r in easy_rows} == {easy_read_version(form.slug).slug}
    assert {r["answer_label"] for r in easy_rows if r["question_id"] == "top_urgent_care"} == {"Important"}


def test_a_comms_users_row_level_file_says_set_aside_without_naming_the_other_response(session, form, db_url):
    stored = _stored(session, form)
    decide(session, form.slug, stored["kept"].id, stored["twice"].id, "same_person", kept_id=stored["kept"].id,
           similarity=97, actor="analyst-1", via="test")
    [file] = build_files(get_engine(db_url), form, "csv", Selection(), roles={"comms"})
    rows = _rows(file.data)
    assert "response_reference" not in rows[0]
    per_respondent = {r["respondent"]: (r["counted"], r["survey_version"]) for r in rows}
    assert sorted(per_respondent.values()) == sorted([
        ("yes", "Standard"), ("waiting for a second keying", "Standard"), ("yes", "Standard"),
        ("set aside: same person as another response", "Standard"), ("yes", "Easy Read")])
    assert not any(r.reference in file.data.decode("utf-8-sig") for r in stored.values())
