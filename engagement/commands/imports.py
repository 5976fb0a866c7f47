"""`engagement import`: bulk import of CSV/XLSX files, templates, and the quarantine of rejected rows.

  engagement import --template SLUG --out FILE.csv|FILE.xlsx
  engagement import FILE --survey SLUG --channel CHANNEL [--sheet NAME] [--json]
  engagement import rejected BATCH [--out FILE.csv]
  engagement import batches
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from engagement.audit import command_line_actor
from engagement.commands.paths import file_to_write
from engagement.config import DEFAULT_FORM_SLUG
from engagement.db import session_scope
from engagement.forms import get_form
from engagement.importer import (
    ImportFileError,
    batches,
    csv_bytes,
    import_file,
    rejected_rows,
    write_template,
)
from engagement.models import CHANNELS
from survey_forms import FormFileError

VIA = "command: engagement import"


def _form(slug: str):
    try:
        return get_form(slug)
    except FormFileError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("import", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("args", nargs=-1)
@click.option("--survey", "survey", default=DEFAULT_FORM_SLUG, show_default=True, help="Survey form slug.")
@click.option("--channel", type=click.Choice(list(CHANNELS)), default="import", show_default=True,
              help="How these responses were collected.")
@click.option("--sheet", default=None, help="XLSX only: the sheet to read (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--template", "template", default=None, metavar="SLUG", help="Write an empty template for SLUG.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write.",
              callback=file_to_write)
def import_command(args: tuple[str, ...], survey: str, channel: str, sheet: str | None, as_json: bool,
                   template: str | None, out: Path | None) -> None:
    """Import responses from a CSV or XLSX file; write a template; list or download rejected rows.

    Every row is counted once: rows = imported + rejected + duplicates. Rejected rows are kept with their
    reasons (`engagement import rejected BATCH --out FILE.csv`); correct that file and import it again."""
    if template:
        if out is None:
            raise click.UsageError("Give --out FILE.csv or --out FILE.xlsx for the template.")
        write_template(_form(template), out)
        click.echo(f"Wrote a template for {template} to {out}")
        return
    if args[:1] == ("rejected",):
        _rejected(args[1:], out)
        return
    if args[:1] == ("batches",):
        with session_scope() as session:
            click.echo(batches(session).to_string(index=False))
        return
    if len(args) != 1:
        raise click.UsageError("Give one FILE to import, or --template SLUG --out FILE, or rejected BATCH.")
    path = Path(args[0])
    if not path.is_file():
        raise click.ClickException(f"{path}: no such file")
    try:
        with session_scope() as session:
            result = import_file(session, _form(survey), path.read_bytes(), path.name, channel=channel,
                                 actor=command_line_actor(), via=VIA, sheet=sheet)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.as_json()))
        return
    click.echo(f"{result.rows} rows: {result.imported} imported, {result.rejected} rejected, "
               f"{result.duplicates} duplicates (batch {result.batch_id})")
    if result.same_file_batch:
        click.echo(f"This file was imported before as batch {result.same_file_batch}; nothing was stored twice.")
    for note in result.tolerated:
        click.echo(f"  read leniently: {note}")
    if result.rejected:
        click.echo(f"Rejected rows are kept: engagement import rejected {result.batch_id} --out rejected.csv")


def _rejected(args: tuple[str, ...], out: Path | None) -> None:
    if len(args) != 1:
        raise click.UsageError("Give the batch id: engagement import rejected BATCH [--out FILE.csv]")
    try:
        with session_scope() as session:
            rows = rejected_rows(session, args[0])
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    if out is None:
        click.echo(rows.to_string(index=False) if len(rows) else f"No rejected rows waiting in {args[0]}.")
        return
    out.write_bytes(csv_bytes(rows))
    click.echo(f"Wrote {len(rows)} rejected rows to {out}; correct them and import that file again.")
