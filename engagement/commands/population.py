"""`engagement weights` and `engagement coverage`: weighting to Census 2021, and coverage against targets."""

from __future__ import annotations

import json
from typing import Any

import click
import pandas as pd

from engagement.config import DEFAULT_FORM_SLUG
from engagement.db import get_engine
from engagement.forms import reported_form
from survey_forms import Form, FormFileError

SURVEY_OPTION = click.option(
    "--survey", "survey_slug", default=DEFAULT_FORM_SLUG, show_default=True, help="Survey (form) slug."
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
SYNTHETIC_OPTION = click.option("--exclude-synthetic", is_flag=True, help="Leave out synthetic demo responses.")


def _responses(survey_slug: str, exclude_synthetic: bool) -> tuple[Form, pd.DataFrame]:
    """The survey's form and the responses the dashboard counts (both versions), or a plain-sentence error."""
    from engagement.analysis.insight import load_respondents

    try:
        form = reported_form(survey_slug)
    except FormFileError as exc:
        raise click.ClickException(f"There is no survey '{survey_slug}': {exc.problems[0]}.") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    frame = load_respondents(get_engine(), form)
    if exclude_synthetic:
        frame = frame[~frame["is_synthetic"].astype(bool)].reset_index(drop=True)
    if frame.empty:
        raise click.ClickException(f"Survey '{survey_slug}' has no responses yet, so there is nothing to show.")
    return form, frame


@click.command("weights")
@SURVEY_OPTION
@JSON_OPTION
@SYNTHETIC_OPTION
def weights(survey_slug: str, as_json: bool, exclude_synthetic: bool) -> None:
    """Rake responses to Census 2021 (place × age band, place × sex, and ethnic group where the base allows):
    target, weighted and unweighted share of each margin, Kish effective sample size and design effect."""
    from engagement.analysis.coverage import json_records
    from engagement.analysis.weighting import WeightingError, rake_weights, shown_margins

    form, frame = _responses(survey_slug, exclude_synthetic)
    try:
        result = rake_weights(frame)
    except WeightingError as exc:
        raise click.ClickException(str(exc)) from None
    margins = shown_margins(result)
    if as_json:
        columns = ["variable", "category", "target_share", "weighted_share", "sample_share", "sample_n",
                   "suppressed"]
        payload: dict[str, Any] = {
            "survey": form.slug,
            "responses": len(frame),
            "weighted_n": result.weighted_n,
            "not_weighted": result.excluded,
            "notes": result.notes,
            "effective_n": round(result.effective_n, 3),
            "design_effect": round(result.design_effect, 4),
            "margins": json_records(margins[columns]),
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    easy = _easy_read(frame)
    click.echo(f"{form.title}: {len(frame):,} responses{f' ({easy:,} through the Easy Read version)' if easy else ''}"
               f", {result.weighted_n:,} weighted to Census 2021.")
    for reason, count in result.excluded.items():
        click.echo(f"  Not weighted (weight 1): {count:,} ({reason})")
    for note in result.notes:
        click.echo(f"  {note}")
    click.echo(f"Effective sample size (Kish) of all {len(frame):,} responses: {result.effective_n:,.1f}; "
               f"design effect {result.design_effect:.2f}")
    for row in margins.itertuples():
        shares = [_percent(row.target_share), _percent(row.weighted_share), _percent(row.sample_share)]
        click.echo(f"  {row.variable:<18} {row.category:<34} target {shares[0]:>6}  weighted {shares[1]:>6}  "
                   f"unweighted {shares[2]:>6}")


@click.command("coverage")
@SURVEY_OPTION
@JSON_OPTION
@SYNTHETIC_OPTION
def coverage_command(survey_slug: str, as_json: bool, exclude_synthetic: bool) -> None:
    """Responses against each campaign target, weekly responses by channel and place, and seldom-heard groups
    by place (small numbers hidden)."""
    from engagement.analysis.coverage import ALL_AREAS, coverage
    from engagement.analysis.population import caveat_sentence, representativeness
    from engagement.analysis.suppression import footnote

    form, frame = _responses(survey_slug, exclude_synthetic)
    result = coverage(frame, form)
    caveat = caveat_sentence(representativeness(frame), len(frame), frame["created_at"].max())
    if as_json:
        payload = {"survey": form.slug, **result.as_json(), "caveat": caveat}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    easy = _easy_read(frame)
    click.echo(f"{form.title}: {result.responses:,} responses ("
               f"{f'{easy:,} through the Easy Read version, ' if easy else ''}"
               f"{result.synthetic:,} synthetic demo responses).")
    click.echo(caveat)
    for target in result.targets.itertuples():
        click.echo(f"  {target.label}: {target.responses:,} of {target.target:,} ({target.percent_of_target}%), "
                   f"{target.still_needed:,} still needed. Counts: {target.channels}.")
    click.echo("Seldom-heard groups (respondents in the group, % of the place's respondents):")
    for row in result.seldom_heard[result.seldom_heard["place"].eq(ALL_AREAS)].itertuples():
        click.echo(f"  {row.group}: {_count(row.responses)} in all areas")
    for place, rows in result.seldom_heard[result.seldom_heard["place"].ne(ALL_AREAS)].groupby("place", sort=False):
        cells = ", ".join(f"{r.group} {_count(r.responses)}" for r in rows.itertuples())
        click.echo(f"  {place}: {cells}")
    click.echo(footnote())


def _easy_read(frame: pd.DataFrame) -> int:
    """How many responses came through the Easy Read version (a count of the whole survey, shown as it is)."""
    from engagement.analysis.easy_read import EASY_READ, VERSION_COLUMN

    return int(frame[VERSION_COLUMN].eq(EASY_READ).sum()) if VERSION_COLUMN in frame else 0


def _percent(share: float) -> str:
    return "*" if pd.isna(share) else f"{100 * share:.1f}%"


def _count(value: float) -> str:
    return "*" if pd.isna(value) else f"{int(value):,}"
