"""Bulk import of responses from CSV and XLSX files (e.g. Healthwatch spreadsheets): read, check every row,
keep exact duplicates out, quarantine rejected rows with their reasons, and store the rest in one transaction.

Checks run a column at a time on the distinct values of the column, never row by row, so 100,000 rows stay
quick; the per-value rules are intake's own (`engagement.intake.check_value`)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select, update
from sqlmodel import Session

from engagement import audit
from engagement.intake import CheckedResponse, Provenance, check_value, store_checked
from engagement.models import CHANNELS, ImportBatch, RejectedRow, Response
from engagement.places import place_by_code
from survey_forms import AnswerSpec, Form

PAPER_REF = "paper_ref"
SUBMITTED_ON = "submitted_on"
# Columns a downloaded quarantine file carries, so a corrected copy can be imported as it is.
SOURCE_BATCH, SOURCE_ROW, PROBLEMS = "source_batch", "source_row", "problems"
BOOKKEEPING = (SOURCE_BATCH, SOURCE_ROW, PROBLEMS)
LIST_SEPARATOR = re.compile(r"\s*[;|]\s*")  # several values in one cell (multi-choice, three words)
CHUNK_ROWS = 2_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = r"^'(?=[=+\-@\t\r])"  # the leading apostrophe `safe_cells` adds


class ImportFileError(ValueError):
    """A file that cannot be read at all; the message says why and what is expected."""


@dataclass
class ImportTable:
    """A file read into text cells (nothing converted, nothing evaluated), with its fingerprint."""

    frame: pd.DataFrame
    name: str
    sha256: str
    sheet: str | None = None


@dataclass
class ImportPreview:
    """What importing the table would do, row by row, before anything is saved."""

    table: ImportTable
    form: Form
    channel: str
    codes: dict[str, pd.Series]  # question id -> list of codes per row (empty list when blank)
    problems: pd.Series  # list of plain sentences per row
    duplicate_of: pd.Series  # a sentence naming what the row duplicates, or None
    tolerated: list[str] = field(default_factory=list)  # "'v important' read as 'Very important' (3 rows)"
    same_file_batch: str | None = None

    @property
    def rows(self) -> int:
        return len(self.table.frame)

    @property
    def is_duplicate(self) -> pd.Series:
        return self.duplicate_of.notna()

    @property
    def is_rejected(self) -> pd.Series:
        return ~self.is_duplicate & self.problems.map(bool)

    @property
    def is_valid(self) -> pd.Series:
        return ~self.is_duplicate & ~self.is_rejected

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "imported": int(self.is_valid.sum()), "rejected": int(self.is_rejected.sum()),
                "duplicates": int(self.is_duplicate.sum())}

    def row_report(self) -> pd.DataFrame:
        """One line per row for people: its number in the file, what will happen, and why."""
        status = pd.Series("import", index=self.table.frame.index)
        status[self.is_rejected] = "reject"
        status[self.is_duplicate] = "duplicate"
        why = self.problems.map("; ".join).where(~self.is_duplicate, self.duplicate_of)
        return pd.DataFrame({"row": row_numbers(self.table.frame), "status": status, "problems": why})


@dataclass(frozen=True)
class ImportResult:
    rows: int
    imported: int
    rejected: int
    duplicates: int
    batch_id: str
    tolerated: tuple[str, ...] = ()
    same_file_batch: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "imported": self.imported, "rejected": self.rejected,
                "duplicates": self.duplicates, "batch_id": self.batch_id}


def row_numbers(frame: pd.DataFrame) -> pd.Series:
    """The row as a spreadsheet shows it: the header is row 1, so the first answer row is row 2."""
    return pd.Series(range(2, len(frame) + 2), index=frame.index)


# Reading ---------------------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name}: the text is neither UTF-8 nor Windows-1252; save it as 'CSV UTF-8' and retry")


def sheet_names(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(data: bytes, name: str, sheet: str | None = None) -> ImportTable:
    """Read a CSV or XLSX file into text cells. Anything that stops the file being read is an ImportFileError."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ImportFileError(f"{name}: the file is empty; it needs a header row and at least one row of answers")
    is_xlsx = data[:2] == b"PK"
    if not is_xlsx and name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError(f"{name}: is not an Excel workbook .xlsx (it may be an older .xls file, or damaged); "
                              "open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'")
    try:
        if is_xlsx:
            names = sheet_names(data)
            if sheet is not None and sheet not in names:
                raise ImportFileError(f"{name}: there is no sheet '{sheet}'; the sheets are: {', '.join(names)}")
            sheet = sheet or names[0]
            frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet, dtype=str, keep_default_na=False,
                                  engine="openpyxl")
        else:
            text = _decode(data, name)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True,
                                sep="\t" if "\t" in text.partition("\n")[0] else ",")
    except ImportFileError:
        raise
    except (ValueError, csv.Error, pd.errors.ParserError, OSError, KeyError) as exc:
        kind = "an Excel (.xlsx)" if is_xlsx else "a CSV"
        raise ImportFileError(f"{name}: could not be read as {kind} file ({exc})") from None
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    frame = frame.loc[:, [not column.startswith("unnamed:") for column in frame.columns]]
    frame = frame.fillna("").astype(str)
    # The apostrophe a download puts before formula-like text (`safe_cells`) is not the respondent's: a
    # corrected quarantine file imported again stores the answer as it was given.
    for column in frame.columns:
        marked = frame[column].str.startswith("'")
        if marked.any():  # rare: only then the (slower) pattern runs, and only on those cells
            frame.loc[marked, column] = frame.loc[marked, column].str.replace(_NEUTRALISED, "", n=1, regex=True)
    if frame.empty:
        raise ImportFileError(f"{name}: the file has a header row but no rows of answers")
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise ImportFileError(f"{name}: the column(s) {', '.join(duplicated)} appear more than once")
    return ImportTable(frame=frame.reset_index(drop=True), name=name, sha256=sha256, sheet=sheet)


# Matching cells to options ---------------------------------------------------------------------------------


def plain(text: str) -> str:
    """A cell as people write it, reduced so variants meet: case, spacing, '&'/'+' for 'and', 'v' for 'very'."""
    value = text.casefold().strip()
    if re.fullmatch(r"\d+\.0+", value):  # a spreadsheet's 5.0 for the code 5
        value = value.split(".")[0]
    value = re.sub(r"[&+]", " and ", value)
    value = re.sub(r"\bv\b\.?", "very", value)
    value = re.sub(r"\bnor\b", "or", value)
    return re.sub(r"[^\w]+", " ", value).strip()


def _option_lookup(spec: AnswerSpec) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for option in spec.options:
        lookup.setdefault(plain(option.label), option.code)
        lookup.setdefault(plain(option.code), option.code)
    return lookup


def _match_option(spec: AnswerSpec, lookup: dict[str, str], text: str) -> tuple[str, bool]:
    """The option code for a cell and whether it was read leniently (not exactly a code or label)."""
    for option in spec.options:
        if text in (option.code, option.label):
            return option.code, False
    code = lookup.get(plain(text))
    if code is None:
        check_value(spec, text)  # raises the intake message listing what is allowed
        raise ValueError(f"'{text}' is not one of the allowed answers")
    return code, True


def _cell_values(spec: AnswerSpec, text: str) -> list[str]:
    if spec.type in ("multi_choice", "text_list"):
        return [part for part in LIST_SEPARATOR.split(text) if part]
    return [text]


def _check_column(spec: AnswerSpec, column: pd.Series, tolerated: list[str]) -> tuple[pd.Series, pd.Series]:
    """Codes and problem per row for one question, worked out once per distinct value in the column."""
    cells = column.str.strip()
    lookup = _option_lookup(spec) if spec.options else {}
    codes: dict[str, list[str]] = {"": []}
    problems: dict[str, str | None] = {"": None}
    lenient: dict[str, str] = {}
    for text in cells.unique():
        if text in codes:
            continue
        try:
            if spec.options:
                matched = [_match_option(spec, lookup, part) for part in _cell_values(spec, text)]
                codes[text] = [code for code, _ in matched]
                if any(was_lenient for _, was_lenient in matched):
                    lenient[text] = "; ".join(spec.label_for(code) for code in codes[text])
            else:
                codes[text] = check_value(spec, _cell_values(spec, text) if spec.type == "text_list" else text)
            problems[text] = None
        except ValueError as exc:
            codes[text], problems[text] = [], f"{spec.id}: {exc}"
    for text, label in lenient.items():
        tolerated.append(f"{spec.id}: '{text}' read as '{label}' ({int((cells == text).sum())} rows)")
    blank = cells == ""
    problem = cells.map(problems)
    if spec.required:
        need = "must be 'yes'" if spec.type == "consent" else "an answer is required"
        problem = problem.where(~blank, f"{spec.id}: {need}")
    row_codes = cells.map(codes)
    if spec.type == "consent":  # a 'no' is stored as no answer, and is a problem only where consent is required
        refused = row_codes.map(len).eq(0) & ~blank & problem.isna()
        if spec.required:
            problem = problem.where(~refused, f"{spec.id}: must be 'yes'")
    return row_codes, problem


def _submitted_on(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    cells = column.str.strip()
    today = datetime.now(ZoneInfo("Europe/London")).date()  # the day it is where the forms are filled in
    parsed: dict[str, datetime | None] = {"": None}
    problems: dict[str, str | None] = {"": None}
    for text in cells.unique():
        if text in parsed:
            continue
        stamp = pd.to_datetime(text, errors="coerce", dayfirst=not re.match(r"\d{4}-", text))
        if pd.isna(stamp):
            parsed[text], problems[text] = None, f"{SUBMITTED_ON}: '{text}' is not a date (for example 2019-03-14)"
            continue
        stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
        if stamp.date() > today:  # a slip of the pen (2092 for 2019) would stretch every date shown
            parsed[text] = None
            problems[text] = f"{SUBMITTED_ON}: '{text}' is after today; give the date the form was filled in"
        else:
            parsed[text], problems[text] = stamp.to_pydatetime(), None
    return cells.map(parsed), cells.map(problems)


# Previewing ------------------------------------------------------------------------------------------------


def _row_key(form: Form, table: ImportTable, question_ids: list[str]) -> pd.Series:
    """A fingerprint of each row's survey, paper reference and cells, so a row imported before (from this or
    an edited file) is recognised. Stored as the response's submission key."""
    columns = [PAPER_REF, *question_ids] if PAPER_REF in table.frame else question_ids
    joined = pd.Series(form.slug, index=table.frame.index)
    for column in columns:  # column by column, vectorised: a row-wise join is 100 times slower
        joined = joined + "\x1f" + table.frame[column].str.strip()
    return joined.map(lambda text: "import:" + hashlib.sha256(text.encode()).hexdigest()[:57])


def preview_import(session: Session, form: Form, table: ImportTable, channel: str = "import") -> ImportPreview:
    """Check every row of `table` against `form` and the database; nothing is written."""
    if channel not in CHANNELS:
        raise ImportFileError(f"channel '{channel}' is not one of: {', '.join(CHANNELS)}")
    frame = table.frame
    question_ids = [spec.id for spec in form.questions]
    allowed = {PAPER_REF, SUBMITTED_ON, *BOOKKEEPING, *question_ids}
    unknown = [column for column in frame.columns if column not in allowed]
    if unknown:
        raise ImportFileError(
            f"{table.name}: the column(s) {', '.join(unknown)} are not questions of '{form.slug}'. Allowed columns: "
            f"{PAPER_REF}, {SUBMITTED_ON}, then question ids ({', '.join(question_ids)}); "
            f"`engagement import --template {form.slug} --out FILE.csv` writes a template"
        )
    for column in template_columns(form):
        if column not in frame:
            frame[column] = ""
    tolerated: list[str] = []
    codes: dict[str, pd.Series] = {}
    problem_columns: list[pd.Series] = []
    for spec in form.questions:
        codes[spec.id], problem = _check_column(spec, frame[spec.id], tolerated)
        problem_columns.append(problem)
    codes[SUBMITTED_ON], date_problem = _submitted_on(frame[SUBMITTED_ON])
    problem_columns.append(date_problem)
    listed = pd.concat(problem_columns, axis=1, ignore_index=True).stack().dropna().groupby(level=0).agg(list)
    problems = listed.reindex(frame.index).map(lambda found: found if isinstance(found, list) else [])
    if channel == "paper":
        no_ref = frame[PAPER_REF].str.strip() == ""
        need_ref = f"{PAPER_REF}: a paper form needs its reference"
        problems = problems.where(~no_ref, problems.map(lambda found: [*found, need_ref]))

    keys = _row_key(form, table, question_ids)
    codes["_key"] = keys
    duplicate_of = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    same_file = session.scalars(
        select(ImportBatch).where(ImportBatch.survey_slug == form.slug, ImportBatch.file_sha256 == table.sha256)
        .order_by(ImportBatch.imported_at)
    ).first()
    if same_file is not None:
        duplicate_of[:] = (f"this file was already imported on {same_file.imported_at:%d %b %Y} "
                           f"as batch {same_file.id}")
    else:
        refs = frame[PAPER_REF].str.strip()
        stored_refs = dict(session.execute(
            select(Response.paper_reference, Response.reference)
            .where(Response.survey_slug == form.slug, Response.paper_reference.in_(list(set(refs) - {""})))
        ).all()) if (refs != "").any() else {}
        stored_keys = dict(session.execute(
            select(Response.submission_key, Response.reference).where(Response.submission_key.in_(list(set(keys))))
        ).all())
        numbers = row_numbers(frame)
        first_row_of_ref = numbers.groupby(refs).transform("min")
        first_row_of_key = numbers.groupby(keys).transform("min")
        duplicate_of = duplicate_of.where(~keys.isin(stored_keys), keys.map(
            lambda key: f"the same row was imported before (response {stored_keys.get(key)})"))
        duplicate_of = duplicate_of.where(~refs.isin(stored_refs) | (refs == ""), refs.map(
            lambda ref: f"{PAPER_REF} '{ref}' is already stored as response {stored_refs.get(ref)}"))
        repeated_row = duplicate_of.isna() & (first_row_of_key != numbers)
        duplicate_of = duplicate_of.where(~repeated_row, first_row_of_key.map(
            lambda row: f"the same row as row {row} of this file"))
        repeated_ref = duplicate_of.isna() & (refs != "") & (first_row_of_ref != numbers)
        duplicate_of = duplicate_of.where(~repeated_ref, first_row_of_ref.map(
            lambda row: f"{PAPER_REF} already used in row {row} of this file"))
    return ImportPreview(table=table, form=form, channel=channel, codes=codes, problems=problems,
                         duplicate_of=duplicate_of, tolerated=tolerated,
                         same_file_batch=same_file.id if same_file else None)


# Importing -------------------------------------------------------------------------------------------------


def new_batch_id() -> str:
    return f"IMP-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3).upper()}"


def _checked_rows(
    preview: ImportPreview, batch_id: str, actor: str, via: str
) -> Iterator[tuple[CheckedResponse, Provenance]]:
    question_ids = [spec.id for spec in preview.form.questions]
    place_ids = [spec.id for spec in preview.form.questions if spec.type == "place"]
    valid = preview.is_valid
    columns = {qid: preview.codes[qid][valid].tolist() for qid in question_ids}
    refs = preview.table.frame[PAPER_REF][valid].str.strip().tolist()
    dates = [None if pd.isna(stamp) else pd.Timestamp(stamp).to_pydatetime()
             for stamp in preview.codes[SUBMITTED_ON][valid]]
    keys = preview.codes["_key"][valid].tolist()
    for index in range(int(valid.sum())):
        values = {qid: columns[qid][index] for qid in question_ids if columns[qid][index]}
        place = next((values[qid][0] for qid in place_ids if qid in values), None)
        checked = CheckedResponse(values=values, place_code=place if place and place_by_code(place) else None)
        yield checked, Provenance(channel=preview.channel, entered_by=actor, paper_reference=refs[index] or None,
                                  import_batch=batch_id, created_at=dates[index], via=via,
                                  submission_key=keys[index])


def import_preview(
    session: Session, preview: ImportPreview, *, actor: str, via: str,
    progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Store the valid rows, the quarantined ones and the batch in ONE transaction: an interruption at any point
    leaves nothing of the batch behind."""
    batch_id = new_batch_id()
    counts = preview.counts()
    frame = preview.table.frame
    try:
        session.add(ImportBatch(
            id=batch_id, survey_slug=preview.form.slug, channel=preview.channel, file_name=preview.table.name[:255],
            sheet=preview.table.sheet, file_sha256=preview.table.sha256, imported_by=actor, **{
                key: counts[key] for key in ("rows", "imported", "rejected", "duplicates")},
        ))
        session.flush()
        rows = _checked_rows(preview, batch_id, actor, via)
        done = 0
        while chunk := [row for _, row in zip(range(CHUNK_ROWS), rows, strict=False)]:
            store_checked(session, preview.form, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done / max(counts["imported"], 1))
        rejected = preview.is_rejected
        raw_columns = [c for c in frame.columns if c not in BOOKKEEPING]
        if rejected.any():
            raws = frame.loc[rejected, raw_columns].to_dict("records")
            session.add_all([
                RejectedRow(batch_id=batch_id, row_number=number, raw=json.dumps(raw, ensure_ascii=False),
                            reasons=json.dumps(reasons, ensure_ascii=False))
                for number, raw, reasons in zip(row_numbers(frame)[rejected], raws, preview.problems[rejected],
                                                strict=True)
            ])
        _resolve_corrected(session, preview, batch_id)
        audit.record(session, "responses_imported", actor=actor, via=via, target_kind="import_batch",
                     target_id=batch_id, survey=preview.form.slug, channel=preview.channel, **counts)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if progress is not None:
        progress(1.0)
    return ImportResult(batch_id=batch_id, tolerated=tuple(preview.tolerated),
                        same_file_batch=preview.same_file_batch, **counts)


def _resolve_corrected(session: Session, preview: ImportPreview, batch_id: str) -> None:
    """A corrected quarantine file names where each row came from; rows that now import close their case."""
    frame = preview.table.frame
    if SOURCE_BATCH not in frame or SOURCE_ROW not in frame:
        return
    settled = frame[preview.is_valid | preview.is_duplicate]
    for source_batch, group in settled.groupby(SOURCE_BATCH):
        numbers = [int(n) for n in group[SOURCE_ROW] if str(n).strip().isdigit()]
        if numbers:
            session.execute(update(RejectedRow).where(
                RejectedRow.batch_id == source_batch, RejectedRow.row_number.in_(numbers),
                RejectedRow.resolved_by_batch.is_(None)).values(resolved_by_batch=batch_id))


def import_file(
    session: Session, form: Form, data: bytes, name: str, *, channel: str = "import", actor: str, via: str,
    sheet: str | None = None, progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Read, check and import one file. Raises ImportFileError only when the file cannot be read at all."""
    preview = preview_import(session, form, read_table(data, name, sheet), channel)
    return import_preview(session, preview, actor=actor, via=via, progress=progress)


# Quarantine and templates ----------------------------------------------------------------------------------


def batches(session: Session, survey_slug: str | None = None) -> pd.DataFrame:
    query = select(ImportBatch).order_by(ImportBatch.imported_at.desc())
    if survey_slug:
        query = query.where(ImportBatch.survey_slug == survey_slug)
    rows = [batch.model_dump() for batch in session.scalars(query)]
    return pd.DataFrame(rows, columns=list(ImportBatch.model_fields))


def rejected_rows(session: Session, batch_id: str, *, include_resolved: bool = False) -> pd.DataFrame:
    """The quarantined rows of a batch as a table that can be corrected and imported again as it is."""
    if session.get(ImportBatch, batch_id) is None:
        raise ImportFileError(f"there is no import batch '{batch_id}'")
    query = select(RejectedRow).where(RejectedRow.batch_id == batch_id).order_by(RejectedRow.row_number)
    if not include_resolved:
        query = query.where(RejectedRow.resolved_by_batch.is_(None))
    records = [
        {SOURCE_BATCH: row.batch_id, SOURCE_ROW: row.row_number, **json.loads(row.raw),
         PROBLEMS: "; ".join(json.loads(row.reasons))}
        for row in session.scalars(query)
    ]
    return pd.DataFrame(records, columns=None if records else [SOURCE_BATCH, SOURCE_ROW, PROBLEMS])


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe, so they open as text."""
    return frame.map(lambda cell: f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe_cells(frame).to_csv(index=False).encode("utf-8-sig")


def template_columns(form: Form) -> list[str]:
    return [PAPER_REF, SUBMITTED_ON, *(spec.id for spec in form.questions)]


def write_template(form: Form, path: Path) -> None:
    path.write_bytes(template_bytes(form, xlsx=path.suffix.lower() == ".xlsx"))


def template_bytes(form: Form, *, xlsx: bool) -> bytes:
    """An empty template: CSV with the columns, or XLSX with the columns, the question wording as a comment and
    a drop-down list of the allowed answers for each choice question."""
    if not xlsx:
        return ",".join(template_columns(form)).encode("utf-8-sig") + b"\r\n"
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    lists = workbook.create_sheet("Allowed answers")
    sheet.append(template_columns(form))
    for index, spec in enumerate(form.questions, start=3):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].comment = Comment(spec.text[:500], "engagement")
        if not spec.options or spec.type in ("multi_choice", "text_list"):
            continue
        labels = [option.label for option in spec.options]
        lists.cell(row=1, column=index, value=spec.id)
        for row, label in enumerate(labels, start=2):
            lists.cell(row=row, column=index, value=label)
        source = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(labels) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                                    error=f"Choose one of the allowed answers for {spec.id}")
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}5000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
