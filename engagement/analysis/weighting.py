"""Weights that make respondents look like the people who live here: raking to Census 2021 margins.

Raking itself is done by the `ipfn` package (iterative proportional fitting on the table of respondent
counts by every weighting variable); a respondent's weight is their cell's fitted count over its sample count.

Who is weighted: respondents who gave a place in the area, an age of 16 or over, their sex and (when ethnic group
is a margin) their ethnic group. Everyone else keeps weight 1, so they still count in weighted figures exactly as
in unweighted ones, and is counted in `WeightingResult.excluded` by the first variable they did not give.
Weights of the weighted respondents average 1, so weighted totals stay on the scale of respondents.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ipfn import ipfn

from engagement.analysis.population import (
    NOT_COMPARED,
    VARIABLE_LABELS,
    census_categories,
    ordered_population_shares,
    population_shares,
    population_shares_by_place,
)
from engagement.analysis.suppression import SuppressionRule, current_rule, suppress
from engagement.places import all_places

Margin = tuple[str, ...]

# place × age band and place × sex, because ONS sex-by-age counts could not be read (see data/census/README.md);
# ethnic group across the whole area when every group has enough respondents.
DEFAULT_MARGINS: tuple[Margin, ...] = (("place", "age_band"), ("place", "sex"), ("ethnic_group",))
ETHNIC_MARGIN: Margin = ("ethnic_group",)

# Raked margins must meet their targets to far better than any figure is shown (the tests ask for 1e-6).
_CONVERGENCE = 1e-10
_MAX_ITERATIONS = 5000

_NOT_GIVEN_REASON: dict[str, str] = {
    "place": "place not in the area or not given",
    "age_band": "age not given or under 16",
    "sex": "sex not given",
    "ethnic_group": "ethnic group not given",
    "ethnic_group_detailed": "ethnic group not given",
    "disability": "disability not given",
}


class WeightingError(ValueError):
    """Weights cannot be made from these responses; the message says why in plain words."""


class _MarginsConflict(WeightingError):
    """The margins cannot all be met with the combinations that have respondents."""


@dataclass
class WeightingResult:
    weights: pd.Series
    effective_n: float
    design_effect: float
    margins: pd.DataFrame
    excluded: dict[str, int]
    weighted_n: int
    margins_used: tuple[Margin, ...]
    notes: list[str] = field(default_factory=list)


def kish_effective_n(weights: pd.Series) -> float:
    """Kish's effective sample size, (sum of weights)^2 / sum of squared weights."""
    w = weights.to_numpy(dtype=float)
    return float(w.sum() ** 2 / np.square(w).sum())


def rake_weights(
    frame: pd.DataFrame, margins: tuple[Margin, ...] | None = None, min_group: int = 10
) -> WeightingResult:
    """Rake respondents to Census 2021 margins. With `margins=None` the default margins are used, leaving out
    ethnic group (with a note saying why) when any ethnic group has fewer than `min_group` respondents or when
    the ethnic group figures cannot be met together with the others."""
    if frame.empty:
        raise WeightingError("There are no responses to weight.")
    categories = census_categories(frame)
    if margins is not None:
        return _rake(frame, categories, tuple(margins), notes=[])
    margins, note = _ethnic_margin_if_base_allows(categories, DEFAULT_MARGINS, min_group)
    notes = [note] if note else []
    try:
        return _rake(frame, categories, margins, notes)
    except _MarginsConflict:
        if ETHNIC_MARGIN not in margins:
            raise
    notes.append(
        "Ethnic group is not used in the weighting: with these responses no weights can match the Census figures "
        "for ethnic group and for place, age band and sex at the same time."
    )
    return _rake(frame, categories, tuple(m for m in margins if m != ETHNIC_MARGIN), notes)


def _rake(frame: pd.DataFrame, categories: pd.DataFrame, margins: tuple[Margin, ...], notes: list[str]):
    variables = _variables(margins)
    given = pd.Series(True, index=frame.index)
    excluded: dict[str, int] = {}
    for variable in variables:
        missing = given & categories[variable].isin(NOT_COMPARED)
        if missing.any():
            excluded[_NOT_GIVEN_REASON[variable]] = int(missing.sum())
        given &= ~missing
    usable = categories.loc[given, list(variables)]
    if usable.empty:
        raise WeightingError(
            "No respondent gave all of " + ", ".join(VARIABLE_LABELS[v].lower() for v in variables)
            + " (with a place in the area and an age of 16 or over), so no one can be weighted."
        )

    levels = {v: list(ordered_population_shares(v).index) for v in variables}
    codes = np.column_stack([pd.Categorical(usable[v], categories=levels[v]).codes for v in variables])
    shape = tuple(len(levels[v]) for v in variables)
    sample = np.zeros(shape)
    np.add.at(sample, tuple(codes.T), 1.0)

    n = float(len(usable))
    axes = {v: i for i, v in enumerate(variables)}
    aggregates = [n * _joint_shares(margin, levels) for margin in margins]
    dimensions = [[axes[v] for v in margin] for margin in margins]
    _check_every_target_has_respondents(sample, margins, aggregates, dimensions, levels)

    # ipfn prints its stopping reason; that must not end up in the command line's JSON output.
    with contextlib.redirect_stdout(io.StringIO()):
        fitted, _ = ipfn.ipfn(
            sample.copy(), aggregates, dimensions, convergence_rate=_CONVERGENCE, max_iteration=_MAX_ITERATIONS,
            verbose=1, rate_tolerance=0.0,
        ).iteration()
    # ipfn also reports success when it stops at a fixed point that misses the targets (margins that
    # conflict given which combinations have respondents), so check the fitted margins ourselves.
    if _largest_miss(fitted, aggregates, dimensions) > _CONVERGENCE:
        raise _MarginsConflict(
            "Cannot weight: with these responses no weights can match every Census figure at once (too few "
            "respondents in some combinations). Weight by fewer variables or wait for more responses."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        cell_weight = np.where(sample > 0, fitted / sample, 0.0)
    weights = pd.Series(1.0, index=frame.index, name="weight")
    weights.loc[given] = cell_weight[tuple(codes.T)]

    effective_n = kish_effective_n(weights)
    return WeightingResult(
        weights=weights,
        effective_n=effective_n,
        design_effect=len(weights) / effective_n,
        margins=_margins_table(usable, weights.loc[given], margins, levels, n),
        excluded=excluded,
        weighted_n=int(given.sum()),
        margins_used=tuple(margins),
        notes=notes,
    )


def _largest_miss(fitted: np.ndarray, aggregates: list[np.ndarray], dimensions: list[list[int]]) -> float:
    """The largest relative gap between a fitted margin and its target."""
    misses = []
    for target, dims in zip(aggregates, dimensions, strict=True):
        observed = fitted.sum(axis=tuple(i for i in range(fitted.ndim) if i not in dims))
        if dims != sorted(dims):
            observed = observed.T
        misses.append(np.max(np.abs(observed - target) / target))
    return float(max(misses))


def _variables(margins: tuple[Margin, ...]) -> tuple[str, ...]:
    variables: list[str] = []
    for margin in margins:
        if len(margin) > 2 or (len(margin) == 2 and "place" not in margin):
            raise WeightingError(
                f"Cannot weight by {' × '.join(margin)}: Census counts are available by place × one variable only."
            )
        for variable in margin:
            if variable not in VARIABLE_LABELS:
                raise WeightingError(f"'{variable}' cannot be weighted to; known: {', '.join(VARIABLE_LABELS)}.")
            if variable not in variables:
                variables.append(variable)
    return tuple(variables)


def _ethnic_margin_if_base_allows(
    categories: pd.DataFrame, margins: tuple[Margin, ...], min_group: int
) -> tuple[tuple[Margin, ...], str | None]:
    counts = categories["ethnic_group"].value_counts()
    groups = ordered_population_shares("ethnic_group").index
    small = [g for g in groups if counts.get(g, 0) < min_group]
    if not small:
        return margins, None
    note = (
        f"Ethnic group is not used in the weighting: fewer than {min_group} respondents in "
        + "; ".join(small) + "."
    )
    return tuple(m for m in margins if m != ETHNIC_MARGIN), note


def _joint_shares(margin: Margin, levels: dict[str, list[str]]) -> np.ndarray:
    """Census shares of the margin's cells among residents aged 16+ of the eight areas. Place shares come from
    TS007 (16+); another variable's shares within a place come from its own table, so the place totals implied
    by every margin agree and raking can meet all of them."""
    place_share = population_shares("place")
    place_share = place_share.reindex(levels.get("place", list(place_share.index)))
    if margin == ("place",):
        return place_share.to_numpy()
    other = next(v for v in margin if v != "place")
    within = population_shares_by_place(other).rename(index=_place_names())[levels[other]]
    within = within.reindex(place_share.index)
    joint = within.mul(place_share, axis=0)
    if "place" in margin:
        return joint.to_numpy() if margin.index("place") == 0 else joint.to_numpy().T
    return joint.sum(axis=0).to_numpy()


def _place_names() -> dict[str, str]:
    return {p.code: p.name for p in all_places()}


def _check_every_target_has_respondents(
    sample: np.ndarray,
    margins: tuple[Margin, ...],
    aggregates: list[np.ndarray],
    dimensions: list[list[int]],
    levels: dict[str, list[str]],
) -> None:
    empty: list[str] = []
    for margin, target, dims in zip(margins, aggregates, dimensions, strict=True):
        other_axes = tuple(i for i in range(sample.ndim) if i not in dims)
        observed = sample.sum(axis=other_axes)
        if dims != sorted(dims):
            observed = observed.T
        for index in zip(*np.nonzero((observed == 0) & (target > 0)), strict=True):
            empty.append(", ".join(levels[v][i] for v, i in zip(margin, index, strict=True)))
    if empty:
        shown = "; ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
        raise WeightingError(
            f"Cannot weight yet: no respondents in {len(empty)} group{'s' if len(empty) > 1 else ''} that the "
            f"Census says live here ({shown}). Weight by fewer variables or wait for more responses."
        )


def _margins_table(
    usable: pd.DataFrame, weights: pd.Series, margins: tuple[Margin, ...], levels: dict[str, list[str]], n: float
) -> pd.DataFrame:
    """Target, weighted and unweighted shares of every raked cell, and of each variable on its own."""
    rows = []
    single = [(v,) for v in _variables(margins)]
    for margin in list(margins) + [m for m in single if m not in margins]:
        target = pd.Series(_joint_shares(margin, levels).ravel(), index=_cell_index(margin, levels))
        grouped = usable.assign(weight=weights).groupby(list(margin) if len(margin) > 1 else margin[0])
        weighted = grouped["weight"].sum() / weights.sum()
        sampled = grouped.size() / n
        table = pd.DataFrame(
            {
                "variable": " × ".join(margin),
                "category": [", ".join(c) if isinstance(c, tuple) else c for c in target.index],
                "target_share": target.to_numpy(),
                "weighted_share": weighted.reindex(target.index, fill_value=0.0).to_numpy(),
                "sample_share": sampled.reindex(target.index, fill_value=0.0).to_numpy(),
                "sample_n": (sampled.reindex(target.index, fill_value=0.0) * n).round().astype(int).to_numpy(),
            }
        )
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


def _cell_index(margin: Margin, levels: dict[str, list[str]]) -> pd.Index:
    if len(margin) == 1:
        return pd.Index(levels[margin[0]])
    return pd.MultiIndex.from_product([levels[v] for v in margin])


def shown_margins(result: WeightingResult, rule: SuppressionRule | None = None) -> pd.DataFrame:
    """The margins table as it may be shown: a cell with few respondents hides its count and the shares that
    would give the count away (the Census target share is published, so always shown). Each variable's cells add
    up to the weighted respondents, so a hidden one gets a second one hidden in the same variable."""
    rule = rule or current_rule()
    table = result.margins.assign(weighted_respondents=result.weighted_n)
    return suppress(
        table, base="weighted_respondents", counts=["sample_n"], rule=rule, group_keys=["variable"],
        linked={"sample_n": ["sample_share", "weighted_share"]},
    )
