"""`engagement export`: the row-level answers as CSV, or the summary as a spreadsheet, charts or a report."""

from __future__ import annotations

from pathlib import Path

import click

from engagement.config import DEFAULT_FORM_SLUG
from engagement.reports.files import FORMATS


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv: every answer, one row per response and question (or --summary); xlsx: the summary "
                   "workbook; png/svg: charts with alt text beside them; html/pdf: the summary report and an Easy "
                   "Read version.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="File to write; other files of the same export (charts, Easy Read) are written beside it.")
@click.option("--survey", "--form", "survey_slug", default=DEFAULT_FORM_SLUG, show_default=True,
              help="Survey (form) slug.")
@click.option("--place", default=None, help="Only responses from this place (name or local authority code).")
@click.option("--by", "dimension", default=None, help="Break priorities down by this dimension "
              "(see engagement priorities --list-dimensions); default: place and the main groups.")
@click.option("--weighted", is_flag=True, help="Add figures weighted to Census 2021.")
@click.option("--summary", "summary_only", is_flag=True, help="With --format csv: the summary table, not answers.")
@click.option("--each-place", is_flag=True, help="One report per place, in a zip at --out.")
@click.option("--exclude-synthetic", is_flag=True, help="Leave out synthetic demo responses.")
def export(fmt: str, out: Path, survey_slug: str, place: str | None, dimension: str | None, weighted: bool,
           summary_only: bool, each_place: bool, exclude_synthetic: bool) -> None:
    """Export answers or the summary. Every figure passes the suppression rule; written answers are redacted."""
    from engagement.audit import command_line_actor, record
    from engagement.db import get_engine, session_scope
    from engagement.forms import reported_form
    from engagement.reports.files import ExportError, build_files, check_writable, write_files
    from engagement.reports.summary import Selection
    from survey_forms import FormFileError

    try:
        form = reported_form(survey_slug)
    except (FormFileError, FileNotFoundError, KeyError):
        raise click.ClickException(f"There is no survey '{survey_slug}'. See: engagement forms list") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if place and each_place:
        raise click.UsageError("Give --place or --each-place, not both.")
    selection = Selection(place=place, by=dimension, weighted=weighted, include_synthetic=not exclude_synthetic)
    with click.progressbar(length=100, label=f"Building {fmt}", file=click.get_text_stream("stderr")) as bar:

        def progress(fraction: float, step: str) -> None:
            bar.label = step
            bar.update(int(fraction * 100) - bar.pos)

        try:
            check_writable(out)
            files = build_files(get_engine(), form, fmt, selection, summary_only=summary_only, each_place=each_place,
                                progress=progress)
            written = write_files(files, out)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        bar.update(100 - bar.pos)
    with session_scope() as session:
        record(session, "export", actor=command_line_actor(), via="command: engagement export", target_kind="survey",
               target_id=form.slug, format=fmt, place=place, by=dimension, weighted=weighted,
               row_level=fmt == "csv" and not summary_only, synthetic_included=not exclude_synthetic)
    for path in written:
        click.echo(f"Wrote {path}")
