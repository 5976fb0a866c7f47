"""The Exports page and `engagement export` as their users meet them: choices, progress, files, and plain
sentences (with no file left behind) for bad input."""

from __future__ import annotations

import io
import zipfile

from click.testing import CliRunner
from openpyxl import load_workbook

from engagement.cli import main
from engagement.demo import add_demo_responses
from tests.pages import open_page


def run(*args: str):
    return CliRunner().invoke(main, ["export", *args])


def test_bad_choices_get_a_plain_sentence_and_leave_no_file(session, form, db_url, tmp_path):
    out = tmp_path / "report.pdf"
    empty = run("--format", "pdf", "--out", str(out))
    assert empty.exit_code == 1 and "no responses" in empty.output and "Traceback" not in empty.output
    # Found when this was tried: one report per place, with no responses anywhere, wrote a zip holding only
    # a note, and said it had written it.
    per_place = run("--format", "html", "--each-place", "--out", str(tmp_path / "places.zip"))
    assert per_place.exit_code == 1 and "no responses" in per_place.output
    assert not (tmp_path / "places.zip").exists()
    add_demo_responses(session, form, 30, seed=3)
    place = run("--format", "xlsx", "--place", "Atlantis", "--out", str(out))
    assert place.exit_code == 1 and "Place: 'Atlantis' is not a place" in place.output and "Mansfield" in place.output
    by = run("--format", "xlsx", "--by", "shoe_size", "--out", str(out))
    assert by.exit_code == 1 and "'shoe_size' is not a dimension" in by.output and "age_band" in by.output
    folder = run("--format", "xlsx", "--out", str(tmp_path / "missing" / "summary.xlsx"))
    assert folder.exit_code == 1 and "does not exist" in folder.output
    fmt = run("--format", "docx", "--out", str(out))
    assert fmt.exit_code == 2 and "docx" in fmt.output
    # Only the test's own database is there (SQLite keeps its write-ahead log beside it), no partial export.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        name for name in ("test.db", "test.db-shm", "test.db-wal") if (tmp_path / name).exists())


def test_command_writes_each_format_beside_the_out_path(session, form, db_url, tmp_path):
    add_demo_responses(session, form, 60, seed=2)
    weighted = run("--format", "xlsx", "--weighted", "--out", str(tmp_path / "s.xlsx"))
    assert weighted.exit_code == 1 and "cannot be weighted to Census 2021" in weighted.output
    assert not (tmp_path / "s.xlsx").exists()
    result = run("--format", "xlsx", "--by", "sex", "--out", str(tmp_path / "s.xlsx"))
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "s.xlsx")
    assert "By sex" in book.sheetnames and "By age band" not in book.sheetnames
    charts = run("--format", "png", "--place", "E06000018", "--out", str(tmp_path / "c.png"))
    assert charts.exit_code == 0, charts.output
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    alt = (tmp_path / "c-priorities-alt-text.txt").read_text()
    assert alt.startswith("Bar chart. Priorities") and "(Nottingham)" in alt and "Based on" in alt


def test_page_builds_a_workbook_with_a_progress_bar_and_offers_it(session, form, db_url):
    add_demo_responses(session, form, 40, seed=1)
    app = open_page("export", roles=("comms",))
    assert app.radio(key="export:format").value == "xlsx"
    app.button(key="export:build").click().run()
    assert not app.exception and not app.error
    buttons = [b.proto.label for b in app.get("download_button")]
    assert any(label.startswith("Download CSV of answers") for label in buttons)
    assert any(label.endswith("-summary.xlsx") for label in buttons)
    assert app.get("progress")


def test_page_one_report_per_place_in_a_zip(session, form, db_url):
    from engagement.db import get_engine
    from engagement.reports.files import build_files
    from engagement.reports.summary import Selection

    add_demo_responses(session, form, 40, seed=1)
    [zipped] = build_files(get_engine(db_url), form, "html", Selection(), roles={"comms"}, summary_only=True,
                           each_place=True)
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        names = archive.namelist()
    assert zipped.name.endswith(".zip") and sum(n.endswith("-report.html") for n in names) >= 2
    app = open_page("export", roles=("comms",))
    app.selectbox(key="export:place").set_value("Mansfield").run()
    assert app.checkbox(key="export:each_place").disabled
