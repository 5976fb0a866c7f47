"""Bulk import: every row counted once (rows = imported + rejected + duplicates), rejected rows quarantined with
their reasons and importable again once corrected, exact duplicates kept out, and nothing half-saved."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engagement import importer
from engagement.audit import audit_events
from engagement.cli import main
from engagement.db import get_engine
from engagement.importer import (
    ImportFileError,
    csv_bytes,
    import_file,
    preview_import,
    read_table,
    rejected_rows,
    template_columns,
    write_template,
)
from engagement.models import Answer, ImportBatch, RejectedRow, Response
from tests.conftest import valid_answers

ACTOR = dict(actor="tester (command line)", via="test")


def sheet_row(**overrides) -> dict[str, str]:
    answers = {key: "yes" if value is True else str(value) for key, value in valid_answers().items()}
    answers.update(overrides)
    return answers


def csv_of(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode(encoding)


def stored(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def answers_of(session, paper_ref: str) -> dict[str, list[str]]:
    response = session.scalars(select(Response).where(Response.paper_reference == paper_ref)).one()
    values: dict[str, list[str]] = {}
    for answer in session.scalars(select(Answer).where(Answer.response_id == response.id).order_by(Answer.position)):
        values.setdefault(answer.question_id, []).append(answer.value)
    return values


def test_the_csv_template_has_paper_ref_submitted_on_then_every_question_id(form, tmp_path):
    path = tmp_path / "template.csv"
    write_template(form, path)
    header = path.read_text(encoding="utf-8-sig").strip().split(",")
    assert header[:2] == ["paper_ref", "submitted_on"]
    assert header[2:] == [spec.id for spec in form.questions]


def test_the_xlsx_template_offers_a_drop_down_list_of_labels_for_choice_questions(form, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(form, path)
    workbook = load_workbook(path)
    sheet = workbook["Responses"]
    assert [cell.value for cell in sheet[1]] == template_columns(form)
    column = template_columns(form).index("sex") + 1
    letter = sheet.cell(row=1, column=column).column_letter
    validation = next(v for v in sheet.data_validations.dataValidation if f"{letter}2" in str(v.sqref).split(":")[0])
    assert validation.type == "list"
    lists = workbook["Allowed answers"]
    labels = [lists.cell(row=r, column=column).value for r in range(2, 5)]
    assert labels == ["Female", "Male", "Prefer not to say"]


def test_codes_labels_and_common_variants_are_read_and_the_variants_reported(session, form):
    rows = [
        sheet_row(paper_ref="HW-1", top_urgent_care="v important", district="nottingham", sex="FEMALE"),
        sheet_row(paper_ref="HW-2", top_urgent_care="Very  Important", top_mental_health="5.0",
                  tradeoff_prevention_treatment="Both equally", three_words="kind; busy | caring"),
    ]
    result = import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    assert (result.rows, result.imported, result.rejected, result.duplicates) == (2, 2, 0, 0)
    assert answers_of(session, "HW-1")["top_urgent_care"] == ["5"]
    assert answers_of(session, "HW-1")["sex"] == ["female"]
    assert answers_of(session, "HW-2")["top_mental_health"] == ["5"]
    assert answers_of(session, "HW-2")["three_words"] == ["kind", "busy", "caring"]
    assert any("'v important' read as 'Very important'" in note for note in result.tolerated)
    assert session.scalars(select(Response.place_code).where(Response.paper_reference == "HW-1")).one() == "E06000018"


def test_a_plus_e_and_a_and_e_meet_the_same_option():
    assert importer.plain("A+E") == importer.plain("A&E") == importer.plain("a and e")
    assert importer.plain("v. important") == importer.plain("Very important")


def test_rejected_rows_are_quarantined_with_row_number_raw_cells_and_every_reason(session, form):
    rows = [
        sheet_row(paper_ref="HW-1"),
        sheet_row(paper_ref="HW-2", age="1e2", district="Narnia"),
        sheet_row(paper_ref="HW-3", consent="no"),
    ]
    result = import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    assert (result.rows, result.imported, result.rejected, result.duplicates) == (3, 1, 2, 0)
    assert stored(session, Response) == 1
    quarantine = rejected_rows(session, result.batch_id)
    assert quarantine["source_row"].tolist() == [3, 4]
    first = quarantine.iloc[0]
    assert first["paper_ref"] == "HW-2" and first["age"] == "1e2" and first["district"] == "Narnia"
    assert "age: '1e2' is not a whole number" in first["problems"]
    assert "district: 'Narnia' is not one of the allowed answers" in first["problems"]
    assert "consent: must be 'yes'" in quarantine.iloc[1]["problems"]


def test_corrected_rejected_rows_import_again_and_leave_the_quarantine(session, form):
    rows = [sheet_row(paper_ref="HW-1"), sheet_row(paper_ref="HW-2", age="1e2")]
    first = import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    download = rejected_rows(session, first.batch_id)
    download.loc[0, "age"] = "100"
    again = import_file(session, form, csv_bytes(download), "hw-corrected.csv", **ACTOR)
    assert (again.imported, again.rejected, again.duplicates) == (1, 0, 0)
    assert answers_of(session, "HW-2")["age"] == ["100"]
    assert rejected_rows(session, first.batch_id).empty
    assert len(rejected_rows(session, first.batch_id, include_resolved=True)) == 1


def test_the_same_file_uploaded_again_is_recognised_and_nothing_is_stored_twice(session, form):
    data = csv_of([sheet_row(paper_ref="HW-1"), sheet_row(paper_ref="HW-2", age="old")])
    first = import_file(session, form, data, "hw.csv", **ACTOR)
    again = import_file(session, form, data, "hw (1).csv", **ACTOR)
    assert again.same_file_batch == first.batch_id
    assert (again.rows, again.imported, again.rejected, again.duplicates) == (2, 0, 0, 2)
    assert stored(session, Response) == 1


def test_a_paper_reference_already_stored_or_repeated_in_the_file_is_a_duplicate(session, form):
    import_file(session, form, csv_of([sheet_row(paper_ref="HW-1")]), "one.csv", **ACTOR)
    rows = [sheet_row(paper_ref="HW-1", age="30"), sheet_row(paper_ref="HW-2"), sheet_row(paper_ref="HW-2", age="31")]
    table = read_table(csv_of(rows), "two.csv")
    report = preview_import(session, form, table).row_report()
    assert report["status"].tolist() == ["duplicate", "import", "duplicate"]
    assert "'HW-1' is already stored as response R-" in report["problems"][0]
    assert report["problems"][2] == "paper_ref already used in row 3 of this file"
    result = import_file(session, form, csv_of(rows), "two.csv", **ACTOR)
    assert (result.imported, result.duplicates) == (1, 2)


def test_the_same_row_in_an_edited_file_is_a_duplicate_even_without_a_paper_reference(session, form):
    row = sheet_row(best_thing="The staff")
    import_file(session, form, csv_of([row]), "a.csv", **ACTOR)
    result = import_file(session, form, csv_of([row, sheet_row(best_thing="Free care")]), "b.csv", **ACTOR)
    assert (result.imported, result.duplicates) == (1, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_utf8_with_or_without_bom_and_windows_1252_are_read(session, form, encoding):
    result = import_file(session, form, csv_of([sheet_row(paper_ref="HW-é", best_thing="Café £5 — ok")], encoding),
                         "hw.csv", **ACTOR)
    assert result.imported == 1
    assert answers_of(session, "HW-é")["best_thing"] == ["Café £5 — ok"]


def test_an_xlsx_sheet_can_be_chosen(session, form):
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["not", "answers"])
    data_sheet = workbook.create_sheet("Responses")
    row = sheet_row(paper_ref="HW-9")
    data_sheet.append(list(row))
    data_sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_file(session, form, buffer.getvalue(), "hw.xlsx", sheet="Responses", **ACTOR)
    assert result.imported == 1
    with pytest.raises(ImportFileError, match="there is no sheet 'Sheet9'; the sheets are: Notes, Responses"):
        import_file(session, form, buffer.getvalue(), "hw.xlsx", sheet="Sheet9", **ACTOR)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"paper_ref,age\r\n", "has a header row but no rows of answers"),
        (b"paper_ref,favourite_colour\r\nX,blue\r\n", "favourite_colour are not questions of"),
        (b"\x00\xff\xfe\x81\x8d\x8f", "could not be read|neither UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_plain_message_and_saves_nothing(session, form, data, message):
    with pytest.raises(ImportFileError, match=message):
        import_file(session, form, data, "bad.csv", **ACTOR)
    assert stored(session, ImportBatch) == 0 and stored(session, Response) == 0


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"hello world\x00\x01\x02", "hw.xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "hw.xls")],
)
def test_a_file_named_as_excel_that_is_not_an_xlsx_workbook_is_called_that(session, form, data, name):
    """Found when this was tried: a damaged .xlsx (or an old .xls) was read as CSV and reported as 'has a header
    row but no rows of answers'."""
    with pytest.raises(ImportFileError, match=f"{name}: is not an Excel workbook .xlsx.*save it as"):
        import_file(session, form, data, name, **ACTOR)
    assert stored(session, ImportBatch) == 0


def test_a_date_in_the_future_is_rejected_with_the_row_kept(session, form):
    """Found when this was tried: a sheet dated 2092 (a slip for 2019) was stored as received in 2092, which
    then stretched every date on the dashboard and in the board report."""
    rows = [sheet_row(paper_ref="HW-1", submitted_on="2092-04-20"),
            sheet_row(paper_ref="HW-2", submitted_on="2019-04-20")]
    result = import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    assert (result.imported, result.rejected) == (1, 1)
    problems = rejected_rows(session, result.batch_id).iloc[0]["problems"]
    assert "submitted_on: '2092-04-20' is after today" in problems


def test_text_that_looks_like_a_formula_is_stored_as_text_and_downloaded_harmless(session, form):
    rows = [sheet_row(paper_ref="HW-1", best_thing="=HYPERLINK(\"http://x\")"),
            sheet_row(paper_ref="HW-2", best_thing="=1+1", age="x")]
    result = import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    assert answers_of(session, "HW-1")["best_thing"] == ['=HYPERLINK("http://x")']
    download = csv_bytes(rejected_rows(session, result.batch_id)).decode("utf-8-sig")
    assert "'=1+1" in download


def test_a_corrected_download_imports_the_written_answer_as_the_respondent_gave_it(session, form):
    """Found when this was tried: the apostrophe the quarantine download puts before formula-like text was
    stored as part of the answer when the corrected file was imported again, as the page tells people to."""
    rows = [sheet_row(paper_ref="HW-2", best_thing="=1+1 and -the nurses", what_matters="@GP access", age="x")]
    first = import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    download = rejected_rows(session, first.batch_id)
    download.loc[0, "age"] = "40"
    import_file(session, form, csv_bytes(download), "hw-corrected.csv", **ACTOR)
    stored_answers = answers_of(session, "HW-2")
    assert stored_answers["best_thing"] == ["=1+1 and -the nurses"]
    assert stored_answers["what_matters"] == ["@GP access"]


def test_an_interrupted_import_leaves_no_partial_batch(session, form, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    calls = []
    real_store = importer.store_checked

    def store_then_stop(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_store(*args)

    monkeypatch.setattr(importer, "store_checked", store_then_stop)
    rows = [sheet_row(paper_ref=f"HW-{n}") for n in range(5)] + [sheet_row(paper_ref="HW-x", age="x")]
    with pytest.raises(KeyboardInterrupt):
        import_file(session, form, csv_of(rows), "hw.csv", **ACTOR)
    assert stored(session, ImportBatch) == 0 and stored(session, Response) == 0
    assert stored(session, RejectedRow) == 0 and stored(session, Answer) == 0


def test_the_command_prints_the_counts_and_exits_0_with_rejected_rows(session, form, db_url, tmp_path):
    path = tmp_path / "hw.csv"
    path.write_bytes(csv_of([sheet_row(paper_ref="HW-1"), sheet_row(paper_ref="HW-2", age="1e2")]))
    result = CliRunner().invoke(main, ["import", str(path), "--survey", form.slug, "--channel", "import", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert {k: counts[k] for k in ("rows", "imported", "rejected", "duplicates")} == {
        "rows": 2, "imported": 1, "rejected": 1, "duplicates": 0}
    out = tmp_path / "rejected.csv"
    listed = CliRunner().invoke(main, ["import", "rejected", counts["batch_id"], "--out", str(out)])
    assert listed.exit_code == 0, listed.output
    assert pd.read_csv(out, dtype=str)["age"].tolist() == ["1e2"]
    events = audit_events(get_engine(db_url), actions=["responses_imported"])
    assert events["target_id"].tolist() == [counts["batch_id"]]


def test_the_command_exits_non_zero_with_a_clear_message_when_the_file_cannot_be_read(db_url, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code != 0
    assert "empty.csv: the file is empty" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["import", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "no such file" in missing.output


def test_the_template_command_writes_csv_and_xlsx(db_url, tmp_path, form):
    for name in ("t.csv", "t.xlsx"):
        result = CliRunner().invoke(main, ["import", "--template", form.slug, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
