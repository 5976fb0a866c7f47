"""Export files, the same from the command line and the Exports page: choose a format and a selection, get
the bytes (or a file written whole: a file that cannot be finished is not left behind half-written)."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from engagement.analysis.counted import counted_status
from engagement.analysis.easy_read import EASY_READ, STANDARD
from engagement.analysis.tidy import tidy_answers
from engagement.forms import easy_read_version
from engagement.places import all_places
from engagement.reports.export import tidy_csv_bytes
from engagement.reports.report import CoverSheet
from engagement.reports.row_level import row_level_for
from engagement.reports.summary import (
    Progress,
    Selection,
    SelectionError,
    build_summary,
    coded_answers,
    resolve_place,
)
from survey_forms import Form

FORMATS = ("csv", "xlsx", "png", "svg", "html", "pdf")
ROW_LEVEL_FORMATS = ("csv",)


class ExportError(ValueError):
    """A plain sentence for the person exporting: what is wrong and what is allowed."""


@dataclass
class ExportFile:
    """`part` names a file that goes with the main one (saved beside it as <out>-<part>.<ext>)."""

    name: str
    data: bytes
    mime: str
    part: str = ""


MIME = {
    "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png", "svg": "image/svg+xml", "html": "text/html", "pdf": "application/pdf",
    "zip": "application/zip", "txt": "text/plain",
}


def answers_with_themes(engine: Engine, form: Form, selection: Selection) -> pd.DataFrame:
    """Every stored answer to the survey and to its Easy Read version (as given, in that form's words): the tidy
    answers (redacted written answers) with, on each coded written answer, its themes and sentiment
    (`theme_tags`: theme labels joined with " | "; `sentiment`), and on every row whether its response counts in
    the figures (`counted`), which version it came through (`survey_version`: Standard or Easy Read) and the
    version number of that form file (`form_file_version`). Nothing stored is left out."""
    forms = [form, *([easy] if (easy := easy_read_version(form.slug)) else [])]
    parts = [_answers_of(engine, f, selection) for f in forms]
    # An empty part (a version nobody used) would turn the other's columns into objects.
    tidy = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    status = counted_status(engine, tuple(f.slug for f in forms))
    versions = {f.slug: EASY_READ if f.definition.easy_read_of else STANDARD for f in forms}
    return tidy.assign(form_file_version=tidy["survey_version"], survey_version=tidy["survey"].map(versions),
                       counted=tidy["response_reference"].map(status))


def _answers_of(engine: Engine, form: Form, selection: Selection) -> pd.DataFrame:
    import nlp

    tidy = tidy_answers(engine, form, include_synthetic=selection.include_synthetic, redact_free_text=True)
    if selection.place:
        code, _ = resolve_place(selection.place)
        tidy = tidy[tidy["place_code"].astype(object).eq(code)]
    answers, tags = coded_answers(engine, form, selection.include_synthetic)
    labels = {t.code: t.label for q in form.free_text_questions() if q.codebook
              for t in nlp.load_codebook(q.codebook).themes}
    named = tags.assign(label=tags["theme_code"].map(labels).fillna(tags["theme_code"]))
    themes = named.sort_values(["answer_id", "label"]).groupby("answer_id")["label"].agg(" | ".join)
    coded = answers.assign(theme_tags=answers["answer_id"].map(themes).fillna(""))
    coded = coded.drop_duplicates(["response_reference", "question_id"])[
        ["response_reference", "question_id", "theme_tags", "sentiment"]]
    tidy = tidy.merge(coded, on=["response_reference", "question_id"], how="left")
    return tidy.fillna({"theme_tags": "", "sentiment": ""}).reset_index(drop=True)


def build_files(
    engine: Engine,
    form: Form,
    fmt: str,
    selection: Selection,
    *,
    roles: frozenset[str] | set[str] = frozenset({"admin"}),
    summary_only: bool = False,
    each_place: bool = False,
    cover: CoverSheet | None = None,
    progress: Progress | None = None,
) -> list[ExportFile]:
    """The files of one export. `roles` decides which row-level CSV (see row_level); `summary_only` makes the
    CSV the summary table instead of row-level answers; `each_place` gives one report per place."""
    if fmt not in FORMATS:
        raise ExportError(f"Format: '{fmt}' is not offered; use one of: {', '.join(FORMATS)}")
    try:
        stem = form.slug + (f"-{resolve_place(selection.place)[1].lower().replace(' ', '-')}" if selection.place
                            else "")
        if fmt == "csv" and not summary_only:
            frame = row_level_for(answers_with_themes(engine, form, selection), form, roles)
            if frame.empty:
                raise SelectionError("There are no answers to export for this selection.")
            return [ExportFile(f"{stem}-answers.csv", tidy_csv_bytes(frame), MIME["csv"])]
        if each_place:
            return [_per_place_zip(engine, form, fmt, selection, stem, cover, progress)]
        return _summary_files(engine, form, fmt, selection, stem, cover, progress)
    except SelectionError as exc:
        raise ExportError(str(exc)) from None


def _summary_files(engine: Engine, form: Form, fmt: str, selection: Selection, stem: str,
                   cover: CoverSheet | None, progress: Progress | None) -> list[ExportFile]:
    summary = build_summary(engine, form, selection, progress)
    if fmt == "csv":
        from engagement.reports.tables import summary_csv_table

        table = summary_csv_table(summary)
        return [ExportFile(f"{stem}-summary.csv", tidy_csv_bytes(table.shown()), MIME["csv"])]
    if fmt == "xlsx":
        from engagement.reports.xlsx import summary_workbook

        return [ExportFile(f"{stem}-summary.xlsx", summary_workbook(summary), MIME["xlsx"])]
    if fmt in ("png", "svg"):
        from engagement.reports.chart_files import chart_files

        return [ExportFile(f"{stem}-{part}.{ext}", data, MIME[ext], part)
                for part, ext, data in chart_files(summary, fmt)]
    from engagement.reports.report import easy_read_html, report_html, to_pdf

    html, easy = report_html(summary, cover), easy_read_html(summary)
    if fmt == "html":
        return [ExportFile(f"{stem}-report.html", html.encode(), MIME["html"]),
                ExportFile(f"{stem}-easy-read.html", easy.encode(), MIME["html"], "easy-read")]
    return [ExportFile(f"{stem}-report.pdf", to_pdf(html), MIME["pdf"]),
            ExportFile(f"{stem}-easy-read.pdf", to_pdf(easy), MIME["pdf"], "easy-read")]


def _per_place_zip(engine: Engine, form: Form, fmt: str, selection: Selection, stem: str,
                   cover: CoverSheet | None, progress: Progress | None) -> ExportFile:
    """One report per place with responses, in one zip (a place with none is listed in a note instead)."""
    buffer = io.BytesIO()
    places = all_places()
    skipped = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, place in enumerate(places):
            if progress:
                progress(number / len(places), f"Report for {place.name}")
            try:
                files = _summary_files(engine, form, fmt, Selection(place.code, selection.by, selection.weighted,
                                                                   selection.include_synthetic), stem, cover, None)
            except SelectionError:
                skipped.append(place.name)
                continue
            for file in files:
                archive.writestr(file.name.replace(stem, f"{stem}-{place.name.lower().replace(' ', '-')}"), file.data)
        if len(skipped) == len(places):  # a zip of one note is no export: say so as for one report
            raise SelectionError(f"There are no responses to '{form.slug}' from any place for this selection, "
                                 "so there is nothing to export.")
        if skipped:
            archive.writestr("places-with-no-responses.txt", "No responses yet from: " + ", ".join(skipped) + "\n")
    return ExportFile(f"{stem}-by-place-{fmt}.zip", buffer.getvalue(), MIME["zip"])


def check_writable(out: Path) -> None:
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise ExportError(f"Out: '{out}' is a folder; give a file name, for example {out / 'summary.xlsx'}")
    if not folder.is_dir():
        raise ExportError(f"Out: the folder '{folder}' does not exist; create it or choose another place to save.")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"Out: cannot write in '{folder}' (no permission); choose another place to save.")


def write_files(files: list[ExportFile], out: Path) -> list[Path]:
    """Write the first file at `out` and any others beside it (same folder, their own names), each written
    whole through a temporary file, so an error never leaves a half-written file."""
    check_writable(out)
    targets = [out] + [out.with_name(f"{out.stem}-{file.part or file.name}{Path(file.name).suffix}")
                       for file in files[1:]]
    written: list[Path] = []
    try:
        for file, target in zip(files, targets, strict=True):
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(file.data)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            written.append(target)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise ExportError(f"Out: could not write '{out}' ({exc.strerror or exc}).") from None
    return written

