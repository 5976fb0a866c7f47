"""Exports and commands count like the dashboard: the Easy Read responses join the standard survey's figures
(mapped), and paper sheets waiting for a second keying and responses set aside as duplicates are left out; the
report and the spreadsheet's method say how many of each there are."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from engagement.analysis.dashboard_view import DashboardView
from engagement.analysis.insight import coverage_now, load_respondents, priorities
from engagement.cli import main
from engagement.db import get_engine
from engagement.duplicates import decide
from engagement.forms import easy_read_version
from engagement.intake import Provenance, submit_many, submit_response
from engagement.reports.files import build_files
from engagement.reports.report import easy_read_html, report_html
from engagement.reports.summary import Selection, build_summary
from engagement.verification import require_verification
from tests.conftest import valid_answers
from tests.test_counted_responses import easy_read_answers

BATCH = "2019-03-14 Bulwell library drop-in"
NOTTINGHAM, MANSFIELD = "E06000018", "E07000174"


@pytest.fixture
def both_versions_and_not_counted(session, form):
    """12 standard responses (2 through Healthwatch on paper, verified batch not required), 3 Easy Read, and
    3 not counted: 2 paper sheets waiting for a second keying and 1 set aside as the same person."""
    easy = easy_read_version(form.slug)
    submit_many(session, form, [(valid_answers(digital_innovation="5", age="40", sex="female"), Provenance())
                                for _ in range(10)])
    for ref in ("HW-10", "HW-11"):
        submit_response(session, form, valid_answers(digital_innovation="5", age="40", sex="male"),
                        Provenance(channel="paper", entered_by="vol-a", paper_reference=ref))
    submit_many(session, easy, [(easy_read_answers(digital_innovation="5"), Provenance()) for _ in range(3)])
    require_verification(session, form.slug, BATCH, actor="lead")
    for ref in ("HW-1", "HW-2"):
        submit_response(session, form, valid_answers(), Provenance(
            channel="paper", entered_by="vol-a", paper_reference=ref, import_batch=BATCH))
    kept = submit_response(session, form, valid_answers(digital_innovation="5"))
    twice = submit_response(session, form, valid_answers(digital_innovation="5"), Provenance(channel="event"))
    decide(session, form.slug, kept.id, twice.id, "same_person", kept_id=kept.id, similarity=97,
           actor="analyst-1", via="test")
    return easy


def test_the_summary_counts_what_the_dashboard_counts(session, form, db_url, both_versions_and_not_counted):
    engine = get_engine(db_url)
    dashboard = load_respondents(engine, form)
    summary = build_summary(engine, form, Selection())
    assert summary.responses == len(dashboard) == 16  # 10 + 2 paper + 3 Easy Read + the one kept
    shown = priorities(dashboard, form, DashboardView(survey=form.slug)).whole.set_index("item_id")
    exported = summary.priorities.set_index("item_id")
    assert exported.loc["digital_innovation", "n"] == shown.loc["digital_innovation", "n"] == 16
    assert exported.loc["digital_innovation", "top_box_n"] == shown.loc["digital_innovation", "top_box_n"] == 16
    # Coverage against the Healthwatch target (paper and import) counts the two verified paper forms, as the
    # dashboard does: 2, which both hide, as a count of 1 to 4.
    on_dashboard = coverage_now(dashboard, form, DashboardView(survey=form.slug)).targets.set_index("target_id")
    in_export = summary.coverage.targets.set_index("target_id")
    assert in_export.loc["healthwatch", "still_needed"] != in_export.loc["healthwatch", "still_needed"]  # hidden
    assert on_dashboard.loc["healthwatch", "still_needed"] != on_dashboard.loc["healthwatch", "still_needed"]
    assert in_export.loc["all", "responses"] == on_dashboard.loc["all", "responses"] == 16


def test_the_report_and_the_spreadsheet_say_how_many_easy_read_and_not_counted_responses_there_are(
        session, form, db_url, both_versions_and_not_counted):
    engine = get_engine(db_url)
    summary = build_summary(engine, form, Selection())
    easy_line = ("3 of these 16 responses came through the Easy Read version; their answers are counted as this "
                 "survey's, as the Easy Read form's stated mapping says.")
    waiting_line = ("Not counted here but kept on record (whole survey): 2 paper forms waiting for a second "
                    "keying, and 1 response set aside because a person decided it is the same person as another "
                    "response, which counts instead.")
    assert easy_line in summary.method and waiting_line in summary.method
    html = report_html(summary)
    assert "3 of these 16 responses came through the Easy Read version" in html
    assert "2 paper forms waiting for a second keying" in html
    assert "3 people answered the Easy Read survey." in easy_read_html(summary)
    [workbook] = build_files(engine, form, "xlsx", Selection())
    sheet = load_workbook(io.BytesIO(workbook.data))["Method and caveats"]
    lines = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert easy_line in lines and waiting_line in lines


def test_a_small_number_of_easy_read_responses_in_one_place_is_not_shown(session, form, db_url):
    easy = easy_read_version(form.slug)
    submit_many(session, form, [(valid_answers(), Provenance()) for _ in range(12)])
    submit_many(session, easy, [(easy_read_answers(), Provenance()) for _ in range(3)])
    summary = build_summary(get_engine(db_url), form, Selection(place=NOTTINGHAM))
    assert summary.responses == 15
    said = [line for line in summary.method if "Easy Read" in line]
    assert said == ["Some of these 15 responses came through the Easy Read version (how many is not shown, to "
                    "protect the people who answered); their answers are counted as this survey's, as the Easy "
                    "Read form's stated mapping says."]
    assert "3 people" not in easy_read_html(summary)


def test_the_summary_says_when_every_stored_response_counts(session, form, db_url):
    submit_many(session, form, [(valid_answers(), Provenance()) for _ in range(12)])
    summary = build_summary(get_engine(db_url), form, Selection())
    assert ("Every stored response is counted: no paper form waits for a second keying and none was set aside "
            "as a duplicate.") in summary.method
    assert "None of these responses came through the Easy Read version." in summary.method


def test_the_commands_count_like_the_dashboard(session, form, db_url, both_versions_and_not_counted):
    runner = CliRunner()
    result = runner.invoke(main, ["priorities", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["item_id"]: row for row in json.loads(result.output)}
    assert rows["digital_innovation"]["n"] == 16 and rows["digital_innovation"]["top_box_n"] == 16
    result = runner.invoke(main, ["coverage", "--json"])
    assert result.exit_code == 0, result.output
    coverage = json.loads(result.output)
    targets = {t["target_id"]: t["responses"] for t in coverage["targets"]}
    assert targets == {"all": 16, "healthwatch": None}  # 2: a count of 1 to 4, hidden
    result = runner.invoke(main, ["coverage"])
    assert "16 responses (3 through the Easy Read version" in result.output
