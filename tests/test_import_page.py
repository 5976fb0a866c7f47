"""The import page: upload, a preview with each row's problems, import with progress, the same file recognised
when uploaded again, and the quarantine listed and downloadable."""

from __future__ import annotations

from sqlalchemy import func, select

from engagement.models import Response
from tests.pages import open_page
from tests.test_importer import csv_of, sheet_row


def test_upload_preview_import_and_the_same_file_recognised(session, db_url):
    data = csv_of([sheet_row(paper_ref="HW-1", top_urgent_care="v important"), sheet_row(paper_ref="HW-2", age="1e2")])
    app = open_page("imports", roles=("analyst",))
    assert [b.label for b in app.get("download_button")][:2] == [
        "Download the CSV template", "Download the Excel template (with drop-down lists)"]
    app.file_uploader[0].upload("healthwatch.csv", data, "text/csv").run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"Rows": "2", "Will be imported": "1", "Rejected": "1", "Duplicates": "0"}
    report = app.dataframe[1].value
    assert report["status"].tolist() == ["import", "reject"]
    assert "age: '1e2' is not a whole number" in report["problems"][1]
    assert "'v important' read as 'Very important'" in app.dataframe[0].value.iloc[0, 0]
    assert session.scalar(select(func.count()).select_from(Response)) == 0  # a preview saves nothing

    assert app.button[0].label == "Import 1 row"
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert "1 imported, 1 rejected" in app.success[0].value
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert "This file was already imported as batch IMP-" in app.warning[0].value
    assert {m.label: m.value for m in app.metric}["Duplicates"] == "2"
    assert app.button[0].disabled  # nothing new to import
    waiting = app.dataframe[-1].value
    assert waiting["source_row"].tolist() == [3] and waiting["age"].tolist() == ["1e2"]


def test_a_file_that_cannot_be_read_gets_a_plain_message(db_url):
    app = open_page("imports", roles=("admin",))
    app.file_uploader[0].upload("empty.csv", b"", "text/csv").run()
    assert not app.exception
    assert [e.value for e in app.error] == ["empty.csv: the file is empty; it needs a header row and at least one "
                                            "row of answers"]
