"""`engagement duplicates`: list likely duplicates across channels and record a person's decision on a pair.

  engagement duplicates find [--survey SLUG] [--json]
  engagement duplicates decide REFERENCE OTHER_REFERENCE (--keep-both | --same-person --keep REFERENCE)
"""

from __future__ import annotations

import json
import time

import click

from engagement.audit import command_line_actor
from engagement.config import DEFAULT_FORM_SLUG
from engagement.db import get_engine, session_scope
from engagement.duplicates import DuplicateError, decide_by_references, find_likely_duplicates
from engagement.forms import get_form
from survey_forms import FormFileError

VIA = "command: engagement duplicates"
# The written answers stay out of the terminal (and its scrollback): they are read on the review page.
SHOWN = ["first_reference", "second_reference", "first_channel", "second_channel", "first_version",
         "second_version", "place", "age", "sex", "similarity", "decision", "kept_reference", "decided_by"]
SURVEY = click.option("--survey", "survey", default=DEFAULT_FORM_SLUG, show_default=True,
                      help="Survey form slug (its Easy Read version is searched with it).")


def _form(slug: str):
    try:
        return get_form(slug)
    except FormFileError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("duplicates")
def duplicates() -> None:
    """Likely duplicates across channels: same place, age and sex, and near-identical written answers."""


@duplicates.command("find")
@SURVEY
@click.option("--json", "as_json", is_flag=True, help="Print the pairs as JSON.")
def duplicates_find(survey: str, as_json: bool) -> None:
    """List every pair of likely duplicates and any decision on it. Nothing is removed: a person decides."""
    started = time.perf_counter()
    pairs = find_likely_duplicates(get_engine(), _form(survey))
    seconds = round(time.perf_counter() - started, 2)
    undecided = int(pairs["decision"].isna().sum())
    if as_json:
        rows = json.loads(pairs[SHOWN].to_json(orient="records", date_format="iso"))
        click.echo(json.dumps({"pairs": rows, "flagged": len(pairs), "undecided": undecided, "seconds": seconds}))
        return
    click.echo(f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'} of likely duplicates, {undecided} waiting for a "
               f"decision ({seconds} s).")
    if len(pairs):
        click.echo(pairs[SHOWN].fillna("").to_string(index=False))
        click.echo("Decide on the 'Likely duplicates' page, or: engagement duplicates decide REF OTHER_REF "
                   "--keep-both | --same-person --keep REF")


@duplicates.command("decide")
@click.argument("reference")
@click.argument("other_reference")
@click.option("--keep-both", is_flag=True, help="They are different people: both count.")
@click.option("--same-person", is_flag=True, help="The same person: count once (say which with --keep).")
@click.option("--keep", default=None, metavar="REFERENCE", help="With --same-person: the response that counts.")
@SURVEY
def duplicates_decide(reference: str, other_reference: str, keep_both: bool, same_person: bool, keep: str | None,
                      survey: str) -> None:
    """Record a decision on a pair. Earlier decisions stay on record; the newest applies."""
    if keep_both == same_person:
        raise click.UsageError("Give either --keep-both or --same-person --keep REFERENCE.")
    try:
        with session_scope() as session:
            decide_by_references(session, _form(survey), reference, other_reference,
                                 "keep_both" if keep_both else "same_person", kept=keep,
                                 actor=command_line_actor(), via=VIA)
    except DuplicateError as exc:
        raise click.ClickException(str(exc)) from None
    if keep_both:
        click.echo(f"Kept both: {reference} and {other_reference} are different people and both count.")
    else:
        click.echo(f"The same person, counted once: {keep} counts; the other is kept but not counted.")
