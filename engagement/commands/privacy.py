"""`engagement privacy`: retention purge, erasure and subject access, worked from a response's reference."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engagement.audit import command_line_actor
from engagement.commands.paths import file_to_write
from engagement.db import session_scope
from engagement.privacy import UnknownReference, erase_response, purge_expired, subject_access


@click.group("privacy")
def privacy() -> None:
    """UK GDPR duties: retention purge, erasure and subject access."""


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Report what would be removed, and remove nothing.")
def privacy_purge(dry_run: bool) -> None:
    """Remove respondent-written text and contact details older than each survey's retention period."""
    with session_scope() as session:
        reports = purge_expired(session, actor=command_line_actor(), via="command: engagement privacy purge",
                                dry_run=dry_run)
    if not reports:
        click.echo("No survey has a retention period set; nothing to do. Administrators set it in the app.")
    for report in reports:
        click.echo(report.sentence(dry_run))
    if dry_run and reports:
        click.echo("Dry run: nothing was changed.")


@privacy.command("erase")
@click.argument("reference")
def privacy_erase(reference: str) -> None:
    """Erase one response and everything derived from it (answers, analyses, theme tags)."""
    try:
        with session_scope() as session:
            erased = erase_response(session, reference, actor=command_line_actor(),
                                    via="command: engagement privacy erase")
    except UnknownReference as exc:
        raise click.ClickException(str(exc)) from None
    for sentence in erased.sentences():
        click.echo(sentence)


@privacy.command("export")
@click.argument("reference")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              callback=file_to_write)
def privacy_export(reference: str, out: Path) -> None:
    """Subject access: write one respondent's answers and consent to a JSON file."""
    try:
        with session_scope() as session:
            record = subject_access(session, reference, actor=command_line_actor(),
                                    via="command: engagement privacy export")
    except UnknownReference as exc:
        raise click.ClickException(str(exc)) from None
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    click.echo(f"Wrote {len(record['answers'])} answers for {record['reference']} to {out}")
