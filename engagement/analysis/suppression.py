"""What may be shown: the ONE place that hides figures too small to publish without identifying someone.

Every output of the analysis layer (dashboard, command line, exports) passes its table through `suppress`.
Rules follow ../shared/docs/uk-conventions.md §9: no percentage, interval, bar, mean or quote for a base under
10 unweighted respondents; within a shown base, counts 1-4 are hidden, and so is a share whose complement is 1-4
("18 of 19 rated it important" tells that one did not); one more cell is hidden wherever a hidden count could
otherwise be worked out by subtraction (secondary suppression). Hidden figures are missing
(NaN/None) in the returned frame; people see them as "*" with `FOOTNOTE`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

RULE_SETTING = "ENGAGEMENT_SUPPRESSION_RULE"
MARK = "*"


@dataclass(frozen=True)
class SuppressionRule:
    """`min_base`: smallest unweighted base for which percentages, intervals, bars, means and quotes are shown.
    `min_cell`: counts from 1 to min_cell - 1 are hidden (0 is shown: it identifies nobody).
    `secondary`: hide one more cell wherever a hidden count could be worked out by subtraction.
    `round_to`: round every shown count (bases included) to the nearest multiple of this."""

    name: str
    min_base: int = 10
    min_cell: int = 5
    secondary: bool = True
    round_to: int | None = None
    label: str = ""


RULES: dict[str, SuppressionRule] = {
    "default": SuppressionRule(
        "default", label="Fewer than 10 people: no figures; counts of 1 to 4 hidden, with one more cell hidden"
    ),
    # ONS Census 2021 "10-5": counts under 10 hidden, the rest rounded to 5. Rounding, not secondary cells, is
    # what stops subtraction (the totals are rounded too), as in the ONS method.
    "ons_10_5": SuppressionRule(
        "ons_10_5", min_cell=10, secondary=False, round_to=5,
        label="ONS 10-5 rule: counts under 10 hidden, other counts rounded to the nearest 5",
    ),
    # NHS Digital (HES/ECDS since 2018): 1-7 shown as *, other counts rounded to 5, no secondary suppression.
    "nhs_digital": SuppressionRule(
        "nhs_digital", min_cell=8, secondary=False, round_to=5,
        label="NHS Digital rule: counts of 1 to 7 hidden, other counts rounded to the nearest 5",
    ),
    # GP Patient Survey: results on fewer than 10 unweighted respondents suppressed; option counts under 5
    # (not 0) hidden plus the next-lowest option.
    "gpps": SuppressionRule(
        "gpps", label="GP Patient Survey rule: fewer than 10 people: no figures; counts under 5 hidden, "
        "with the next lowest",
    ),
}

FOOTNOTE = (
    "* Not shown, to protect the people who answered: fewer than 10 people answered, or the number is 1 to 4 "
    "(or is hidden so that such a number cannot be worked out from the others)."
)


def current_rule() -> SuppressionRule:
    """The rule set for this installation (ENGAGEMENT_SUPPRESSION_RULE, default "default")."""
    name = os.environ.get(RULE_SETTING, "default").strip() or "default"
    if name not in RULES:
        raise ValueError(
            f"{RULE_SETTING} is '{name}', which is not a suppression rule; use one of: {', '.join(RULES)}"
        )
    return RULES[name]


def footnote(rule: SuppressionRule | None = None) -> str:
    """What "*" means under this rule, for the foot of a table or chart."""
    rule = rule or current_rule()
    if rule.name == "default":
        return FOOTNOTE
    text = f"* Not shown, to protect the people who answered ({rule.label})."
    if rule.round_to:
        text += " Percentages are worked out from the unrounded counts."
    return text


def shown_count(count: int, rule: SuppressionRule | None = None) -> float | None:
    """A count of people shown on its own (a headline "Responses" figure, "Based on … responses"): passed through
    `suppress` like any table; None when the rule hides it."""
    value = suppress(pd.DataFrame({"n": [count]}), base="n", rule=rule)["n"].iloc[0]
    return None if pd.isna(value) else value


def suppress(
    table: pd.DataFrame,
    *,
    base: str,
    counts: Sequence[str] = (),
    derived: Sequence[str] = (),
    rule: SuppressionRule | None = None,
    group_keys: Sequence[str] = (),
    linked: Mapping[str, Sequence[str]] | None = None,
    subtotals: Mapping[str, Sequence[str]] | None = None,
    complements: Sequence[str] = (),
) -> pd.DataFrame:
    """A copy of `table` with what may not be shown set to missing, plus `suppressed` and `suppression_note`.

    - `base`: the unweighted number of respondents each row is about. A row whose base is under
      `rule.min_base` is `suppressed`: every count and derived figure in it is hidden (the base itself is shown
      unless it is a small count too).
    - `counts`: counts of people in the row. Where they add up to the base they are treated as its categories:
      hiding one of them hides another so it cannot be worked out as base minus the rest.
    - `derived`: figures worked out from the row (percentages, intervals, means, weighted figures): hidden
      whenever the row is suppressed.
    - `linked`: count column -> derived columns that reveal it (e.g. top_box_n -> pct, ci_low, ci_high), hidden
      with it.
    - `subtotals`: count column -> the count columns it adds up (e.g. top_box_n -> count_4, count_5).
    - `group_keys`: rows sharing these keys are the groups of one breakdown whose totals are shown elsewhere
      (e.g. item_id for a breakdown by place): a count hidden alone in its column within such rows gets the
      next smallest hidden too.
    - `complements`: counts whose complement in the base is a number of people too (those who did not rate the
      item important, did not mention the theme): a complement of 1 to min_cell - 1 hides the count (and its
      linked figures) as a small count would be hidden, since base minus count would tell it.
    """
    rule = rule or current_rule()
    linked = dict(linked or {})
    subtotals = {total: list(members) for total, members in (subtotals or {}).items()}
    out = table.copy()
    cells = [base, *[c for c in counts if c != base]]
    # Each complement is a cell of its own (not returned): base = count + complement, and where the count's
    # members are known, the complement adds up the base's other parts.
    others = {f"__not_{c}": c for c in complements}
    for complement, count in others.items():
        out[complement] = pd.to_numeric(out[base], errors="coerce") - pd.to_numeric(out[count], errors="coerce")
        cells.append(complement)
        if count in subtotals:
            parts = [c for c in counts if c not in subtotals and c != base]
            subtotals[complement] = [c for c in parts if c not in subtotals[count]]
    column_of = {name: position for position, name in enumerate(cells)}
    # Plain arrays, rows × cells: the tables are small and pandas' per-column overhead was most of the cost.
    values = np.column_stack([pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float) for c in cells]) \
        if len(out) else np.zeros((0, len(cells)))
    hidden = (values > 0) & (values < rule.min_cell)
    base_values = values[:, 0]
    small_base = np.isnan(base_values) | (base_values < rule.min_base)
    # A small base hides every count in its row, except in rows nobody is in: their zeros are known anyway.
    hidden[small_base & (base_values > 0), 1:] = True
    if rule.secondary and len(out):
        splits = [(column_of[count], column_of[complement]) for complement, count in others.items()]
        _secondary(values, hidden, column_of, cells[1:], subtotals, _group_ids(out, group_keys), splits)

    suppressed = small_base | hidden[:, 0]
    for column in derived:
        if out[column].dtype == bool:  # so it can hold missing
            out[column] = out[column].astype(object)
        _hide(out, column, suppressed)
    for count, columns in linked.items():
        for column in columns:
            _hide(out, column, hidden[:, column_of[count]])
    in_row_hidden = suppressed & (base_values > 0)
    for position, column in enumerate(cells):
        shown = values[:, position]
        if rule.round_to:
            shown = np.floor(shown / rule.round_to + 0.5) * rule.round_to
        conceal = hidden[:, position] | (in_row_hidden if position else False)
        out[column] = np.where(conceal, np.nan, shown)
    out = out.drop(columns=list(others))
    out["suppressed"] = suppressed.astype(bool)
    cell_hidden = hidden[:, 1:].any(axis=1) if len(cells) > 1 else np.zeros(len(out), dtype=bool)
    out["suppression_note"] = np.select(
        [hidden[:, 0], small_base, cell_hidden],
        [
            f"Fewer than {rule.min_cell} people: not shown",
            f"Fewer than {rule.min_base} people: figures not shown",
            "Some small counts hidden (*)",
        ],
        default="",
    )
    return out


def _hide(table: pd.DataFrame, column: str, rows: np.ndarray) -> None:
    """Set `column` to missing in `rows` (in place)."""
    if not rows.any():
        return
    if table[column].dtype.kind == "f":
        values = table[column].to_numpy(dtype=float, copy=True)
        values[rows] = np.nan
        table[column] = values
    else:
        table.loc[rows, column] = np.nan


def _group_ids(table: pd.DataFrame, group_keys: Sequence[str]) -> np.ndarray | None:
    """Which breakdown each row belongs to (rows sharing the `group_keys` values), or None without keys."""
    if not group_keys:
        return None
    return table.groupby(list(group_keys), sort=False, dropna=False).ngroup().to_numpy()


def _secondary(
    values: np.ndarray,
    hidden: np.ndarray,
    column_of: dict[str, int],
    counts: list[str],
    subtotals: dict[str, list[str]],
    group_ids: np.ndarray | None,
    splits: Sequence[tuple[int, int]] = (),
) -> None:
    """Hide one more cell wherever exactly one cell of a known sum is hidden; repeat until nothing changes
    (`hidden` is changed in place; column 0 is the base).

    The sums people could use: base = the counts that add up to it (checked per row), each subtotal = its
    members, base - subtotal = the other members, base = a count + its complement (`splits`), and, within a
    breakdown (`group_ids`), each column's total
    over groups."""
    def at(names: list[str]) -> list[int]:
        return [column_of[name] for name in names]

    complements = {complement for _, complement in splits}
    parts = [c for c in counts if c not in subtotals and column_of[c] not in complements]
    rows = values.shape[0]
    adds_up = values[:, at(parts)].sum(axis=1) == values[:, 0] if parts else np.zeros(rows, dtype=bool)
    equations: list[tuple[list[int], list[int], np.ndarray]] = []
    if parts:
        equations.append(([0], at(parts), adds_up))
    everywhere = np.ones(rows, dtype=bool)
    for total, members in subtotals.items():
        equations.append((at([total]), at(members), everywhere))
        if set(members) <= set(parts):
            others = [c for c in parts if c not in members]
            if others:
                equations.append(([0, column_of[total]], at(others), adds_up))
    known_zero_row = values[:, 0] == 0
    primary = hidden.copy()  # hidden by the rule itself; what follows protects these
    for _ in range(50):
        before = int(hidden.sum())
        _pair(hidden, splits)
        for totals, members, applies in equations:
            unknown = hidden[:, totals].any(axis=1).astype(int) + hidden[:, members].sum(axis=1)
            chosen = applies & (unknown == 1) & ~known_zero_row
            if chosen.any():
                _hide_smallest_shown(values, hidden, np.flatnonzero(chosen), members)
        if group_ids is not None:
            # Bases too: with the whole area's number known, a lone hidden base is the total less the others
            # (and, under a filter, tells that person's filtered answers). Hiding a second base hides that group.
            for column in [0, *at(counts)]:
                _pair(hidden, splits)
                hidden_in_group = np.bincount(group_ids, weights=hidden[:, column], minlength=group_ids.max() + 1)
                eligible = (hidden_in_group[group_ids] == 1) & ~hidden[:, column] & (values[:, column] > 0)
                if eligible.any():
                    candidates = np.flatnonzero(eligible)
                    # The smallest in each breakdown, the first row on ties.
                    order = np.lexsort((candidates, values[candidates, column], group_ids[candidates]))
                    ranked = candidates[order]
                    first = np.r_[True, group_ids[ranked][1:] != group_ids[ranked][:-1]]
                    hidden[ranked[first], column] = True
                if column:
                    _widen_until_unknown(values, hidden, primary, group_ids, column)
        if int(hidden.sum()) == before:
            return


def _pair(hidden: np.ndarray, splits: Sequence[tuple[int, int]]) -> None:
    """base = count + complement: either one hidden leaves both unknown (`hidden` is changed in place)."""
    for count, complement in splits:
        hidden[:, [count, complement]] = hidden[:, [count, complement]].any(axis=1, keepdims=True)


def _widen_until_unknown(values: np.ndarray, hidden: np.ndarray, primary: np.ndarray, group_ids: np.ndarray,
                         column: int) -> None:
    """Within each breakdown, the hidden cells of `column` add up to the total less the shown cells, and no
    cell can exceed its row's base. When that pins a cell hidden by the rule to one value (two groups hidden
    together who all answered alike, say), hide one more cell of the breakdown, the smallest that is neither 0
    nor its whole base, until every such cell could take more than one value."""
    base = values[:, 0]
    for group in np.unique(group_ids[primary[:, column] & (base > 0)]):
        rows = np.flatnonzero(group_ids == group)
        while True:
            shut = rows[hidden[rows, column] & (base[rows] > 0)]
            total, caps = values[shut, column].sum(), base[shut]
            lowest = np.maximum(0, total - (caps.sum() - caps))
            highest = np.minimum(caps, total)
            if not (primary[shut, column] & (lowest >= highest)).any():
                break
            open_rows = rows[~hidden[rows, column] & (base[rows] > 0)]
            if not len(open_rows):
                break
            shown = values[open_rows, column]
            doubtful = open_rows[(shown > 0) & (shown < base[open_rows])]
            if not len(doubtful):  # everyone shown answered alike: the whole area's figure tells it anyway
                break
            hidden[doubtful[np.argmin(values[doubtful, column])], column] = True


def _hide_smallest_shown(values: np.ndarray, hidden: np.ndarray, rows: np.ndarray, members: list[int]) -> None:
    """In each of `rows`, hide the smallest member still shown, preferring a non-zero one (the first on ties)."""
    block = values[np.ix_(rows, members)]
    shown = np.where(hidden[np.ix_(rows, members)], np.nan, block)
    # Zeros only if nothing else is left: a hidden zero still leaves the sum split two ways.
    ranked = np.where(shown > 0, shown, shown + 1e12)
    some = ~np.isnan(ranked).all(axis=1)
    if not some.any():
        return
    picks = np.nanargmin(ranked[some], axis=1)
    hidden[rows[some], np.asarray(members)[picks]] = True
