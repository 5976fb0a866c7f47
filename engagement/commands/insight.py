"""`engagement priorities`: priority ratings for the whole area or broken down by place or group, as JSON for
other tools or as plain sentences, always through the suppression rule."""

from __future__ import annotations

import json
import math
from typing import Any

import click
import pandas as pd

from engagement.config import DEFAULT_FORM_SLUG
from survey_forms import FormFileError

JSON_FIGURES = ("n", "top_box_n", "pct", "ci_low", "ci_high", "rest_n", "rest_pct", "p_value", "p_adjusted")


def parse_age_bands(text: str) -> tuple[tuple[int, int | None], ...]:
    """'16-24,25-44,45-64,65+' -> ((16, 24), (25, 44), (45, 64), (65, None)); a plain error otherwise."""
    bands: list[tuple[int, int | None]] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if part.endswith("+"):
                bands.append((int(part[:-1]), None))
            else:
                low, high = part.split("-")
                bands.append((int(low), int(high)))
        except ValueError:
            raise click.BadParameter(
                f"'{part}' is not an age band; write bands like 16-24,25-44,45-64,65+", param_hint="--age-bands"
            ) from None
    for (_, high), (next_low, _) in zip(bands, bands[1:], strict=False):
        if high is None or next_low != high + 1:
            raise click.BadParameter(
                "bands must follow on from each other (16-24,25-34,...) with only the last open-ended (75+)",
                param_hint="--age-bands",
            )
    return tuple(bands)


def _plain(value: Any) -> Any:
    """JSON-ready: numpy numbers as Python numbers, hidden or missing figures as null."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def breakdown_records(table: pd.DataFrame, weighted: bool) -> list[dict[str, Any]]:
    """One JSON object per group and item; counts as integers, every hidden figure null."""
    counts = [c for c in table.columns if c.startswith("count_")]
    records = []
    for row in table.to_dict("records"):
        record: dict[str, Any] = {key: row[key] for key in ("dimension", "group", "item_id", "item")}
        for key in JSON_FIGURES:
            record[key] = _plain(row[key])
        for key in ("n", "top_box_n", "rest_n"):
            record[key] = None if record[key] is None else int(record[key])
        record["counts"] = {c.removeprefix("count_"): None if _plain(row[c]) is None else int(row[c]) for c in counts}
        record["significant"] = bool(row["significant"])
        record["suppressed"] = bool(row["suppressed"])
        record["suppression_note"] = row["suppression_note"]
        if weighted:
            record["weighted_pct"] = _plain(row["weighted_pct"])
            record["effective_n"] = _plain(row["effective_n"])
        records.append(record)
    return records


@click.command("priorities")
@click.option("--survey", "survey_slug", default=DEFAULT_FORM_SLUG, show_default=True, help="Survey slug.")
@click.option("--by", "dimension", default=None, help="Break down by this dimension (see --list-dimensions).")
@click.option("--weighted", is_flag=True, help="Add figures weighted to Census 2021 and the effective sample size.")
@click.option("--age-bands", default=None, help="Reporting age bands, e.g. 16-24,25-44,45-64,65+.")
@click.option("--exclude-synthetic", is_flag=True, help="Leave out synthetic demo responses.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per group and item.")
@click.option("--list-dimensions", is_flag=True, help="List every dimension --by accepts, and stop.")
def priorities(
    survey_slug: str,
    dimension: str | None,
    weighted: bool,
    age_bands: str | None,
    exclude_synthetic: bool,
    as_json: bool,
    list_dimensions: bool,
) -> None:
    """'% Important or Very important' for each rated item, for the whole area or by place or group, each
    group compared with the rest (Holm-adjusted), small groups suppressed."""
    from engagement.analysis.demographics import DEFAULT_AGE_BANDS, DIMENSIONS, add_dimensions

    if list_dimensions:
        for name, spec in DIMENSIONS.items():
            click.echo(f"{name}\t{spec.label}")
        return
    if dimension is not None and dimension not in DIMENSIONS:
        raise click.ClickException(f"'{dimension}' is not a dimension; use one of: {', '.join(DIMENSIONS)}")
    bands = parse_age_bands(age_bands) if age_bands else DEFAULT_AGE_BANDS
    from engagement.analysis.breakdowns import describe_difference, priority_breakdown
    from engagement.analysis.insight import load_respondents
    from engagement.analysis.suppression import footnote
    from engagement.db import get_engine
    from engagement.forms import reported_form

    try:
        form = reported_form(survey_slug)
    except (FormFileError, FileNotFoundError, KeyError):
        raise click.ClickException(f"There is no survey '{survey_slug}'. See: engagement forms list") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        # What the dashboard counts: both versions' counted responses.
        frame = load_respondents(get_engine(), form)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if exclude_synthetic:
        frame = frame[~frame["is_synthetic"].astype(bool)].reset_index(drop=True)
    if frame.empty:
        message = f"There are no responses to '{survey_slug}' yet, so there is nothing to break down."
        if as_json:
            click.echo(message, err=True)
            click.echo("[]")
        else:
            click.echo(message)
        return
    frame = add_dimensions(frame, form, age_bands=bands)
    weights = _weights(frame) if weighted else None
    table = priority_breakdown(frame, form, dimension, weights=weights)
    if table.empty:
        message = f"Nobody is in any '{dimension}' group yet, so there is nothing to break down."
        click.echo(message, err=as_json)
        if as_json:
            click.echo("[]")
        return
    if as_json:
        click.echo(json.dumps(breakdown_records(table, weighted), indent=2, ensure_ascii=False))
        return
    if table["suppressed"].all():
        click.echo(f"Every '{dimension}' group is too small to show (fewer than 10 people each), so nothing is shown.")
        return
    for _, row in table.iterrows():
        click.echo(describe_difference(row))
    if table["suppressed"].any() or table["pct"].isna().any():
        click.echo(footnote())


def _weights(frame: pd.DataFrame) -> pd.Series:
    try:
        from engagement.analysis.weighting import WeightingError, rake_weights
    except ImportError:
        raise click.ClickException("Weighting is not installed in this version yet.") from None
    try:
        return rake_weights(frame).weights
    except WeightingError as exc:
        raise click.ClickException(f"Could not weight these responses: {exc}") from None
