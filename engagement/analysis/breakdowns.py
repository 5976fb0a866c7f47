"""Breakdowns by place or group: priority ratings and free-text themes for each group, each group compared with
the rest, and everything passed through the one suppression rule before anyone sees it.

Statistics come from statsmodels: Wilson 95% intervals (`proportion_confint`), a two-sided two-proportion z-test
of each group against everyone else who answered (`proportions_ztest`), and Holm's adjustment across every group
and item shown for one dimension (`multipletests`). "Prefer not to say" and "Not answered" groups are shown with
their counts but are not compared: they are not a group of people with something in common.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from engagement.analysis.demographics import (
    DIMENSIONS,
    NOT_STATED,
    SELDOM_HEARD_PREFIX,
    group_members,
    groups_present,
)
from engagement.analysis.suppression import MARK, SuppressionRule, current_rule, suppress
from survey_forms import Form

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05
WHOLE_AREA = "all"
EVERYONE = "All respondents"
PLACE_DIMENSIONS = ("place", "icp_2019", "pbp_2023")
SENTIMENTS = ("negative", "neutral", "positive")


def _membership(frame: pd.DataFrame, dimension: str | None) -> tuple[list[str], np.ndarray]:
    """The groups of a dimension and a respondents × groups matrix of who is in each (several for
    multi-membership dimensions)."""
    if dimension is None:
        return [EVERYONE], np.ones((len(frame), 1), dtype=bool)
    groups = groups_present(frame, dimension)
    if not groups:
        return [], np.zeros((len(frame), 0), dtype=bool)
    return groups, np.column_stack([group_members(frame, dimension, g).to_numpy(bool) for g in groups])


def check_dimension(frame: pd.DataFrame, dimension: str | None) -> None:
    """A plain error for a dimension that is not offered, naming the ones that are."""
    if dimension is None:
        return
    if dimension not in DIMENSIONS:
        raise ValueError(f"'{dimension}' is not a dimension; use one of: {', '.join(DIMENSIONS)}")
    has_columns = (
        any(c.startswith(SELDOM_HEARD_PREFIX) for c in frame.columns)
        if dimension == "seldom_heard" else dimension in frame.columns
    )
    if not has_columns:
        raise ValueError(f"the respondents have no '{dimension}' column yet: pass them through add_dimensions first")


def _wilson(successes: np.ndarray, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low = np.full(successes.shape, np.nan)
    high = np.full(successes.shape, np.nan)
    rated = totals > 0
    if rated.any():
        low[rated], high[rated] = proportion_confint(
            successes[rated], totals[rated], alpha=1 - CONFIDENCE, method="wilson"
        )
    return 100 * low, 100 * high


def _compare_with_rest(
    table: pd.DataFrame, raw: pd.DataFrame, testable: pd.Series, success: str, base: str
) -> pd.DataFrame:
    """Two-sided two-proportion z-test of each testable group against the rest, Holm-adjusted across all of
    them. `raw` holds the unsuppressed counts aligned with `table`."""
    successes = raw[[success, f"rest_{success}"]].to_numpy(float)
    totals = raw[[base, f"rest_{base}"]].to_numpy(float)
    p_values = np.full(len(table), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for row in np.flatnonzero(testable.to_numpy(bool)):
            if successes[row].sum() in (0, totals[row].sum()):
                p_values[row] = 1.0  # everyone (or no one) in both: no difference to find, and no z to compute
            else:
                p_values[row] = proportions_ztest(successes[row], totals[row], alternative="two-sided")[1]
    tested = ~np.isnan(p_values)
    adjusted = np.full(len(table), np.nan)
    if tested.any():
        adjusted[tested] = multipletests(p_values[tested], alpha=SIGNIFICANCE, method="holm")[1]
    return table.assign(p_value=p_values, p_adjusted=adjusted, significant=tested & (adjusted < SIGNIFICANCE),
                        tested=tested)


def _testable(table: pd.DataFrame, dimension: str | None, shown: list[str]) -> pd.Series:
    """Compared with the rest only when it is a real group and every figure of the comparison is shown."""
    if dimension is None:
        return pd.Series(False, index=table.index)
    figures_shown = table[shown].notna().all(axis=1)
    return ~table["group"].isin(NOT_STATED) & ~table["suppressed"] & figures_shown


def _rest_suppressed(table: pd.DataFrame, rule: SuppressionRule, figures: list[str]) -> pd.DataFrame:
    """The rest is a base of its own: under the rule's minimum, its figures are hidden too."""
    rest = suppress(table[["rest_n", *figures]], base="rest_n", derived=figures, rule=rule)
    table = table.copy()
    table[figures] = rest[figures]
    return table


def _positions(answers: pd.Series | None, codes: list[str], rows: int) -> np.ndarray:
    """Each respondent's answer as its position in `codes`, -1 when unanswered. Read through the categories (a
    handful of values) rather than comparing 100,000 strings once per option."""
    if answers is None:
        return np.full(rows, -1)
    if isinstance(answers.dtype, pd.CategoricalDtype):
        by_category = pd.Index(codes).get_indexer(answers.cat.categories.astype(str))
        codes_of_rows = answers.cat.codes.to_numpy()
        return np.where(codes_of_rows >= 0, by_category[codes_of_rows], -1)
    return pd.Index(codes).get_indexer(answers.astype(object).where(answers.notna(), None).astype(str))


def _only_group(members: np.ndarray) -> np.ndarray | None:
    """Each respondent's one group (-1: in none), or None when someone is in several (seldom-heard groups)."""
    in_how_many = np.count_nonzero(members, axis=1)
    if (in_how_many > 1).any():
        return None
    return np.where(in_how_many > 0, members.argmax(axis=1), -1)


def _tally(position: np.ndarray, size: int, members: np.ndarray, only_group: np.ndarray | None,
           values: np.ndarray | None = None) -> np.ndarray:
    """groups × answer positions: how many in each group gave each answer (or the sum of `values` over them).
    One counting pass over the respondents when each is in one group at most."""
    answered = position >= 0
    groups = members.shape[1]
    if only_group is not None:
        keep = answered & (only_group >= 0)
        flat = only_group[keep] * size + position[keep]
        weights = None if values is None else values[keep]
        return np.bincount(flat, weights=weights, minlength=groups * size).reshape(groups, size).astype(float)
    return np.array([
        np.bincount(position[answered & members[:, g]], minlength=size,
                    weights=None if values is None else values[answered & members[:, g]])
        for g in range(groups)
    ], dtype=float).reshape(groups, size)


def priority_breakdown(
    frame_with_dimensions: pd.DataFrame,
    form: Form,
    dimension: str | None,
    weights: pd.Series | None = None,
    rule: SuppressionRule | None = None,
) -> pd.DataFrame:
    """One row per group and rated item: n, counts and % per scale point, "% Important or Very important"
    (top box) with a 95% Wilson interval, the rest's base and top-box %, the z-test against the rest with its
    Holm-adjusted p, and `significant`. Without a dimension: one row per item for all respondents. With
    `weights` (aligned with the frame): the weighted top-box % and Kish effective sample size per group.
    Passed through `suppress`."""
    rule = rule or current_rule()
    frame = frame_with_dimensions
    check_dimension(frame, dimension)
    groups, members = _membership(frame, dimension)
    specs = form.likert_questions()
    if not specs or not groups:
        return pd.DataFrame()
    w = None if weights is None else weights.reindex(frame.index).fillna(0).to_numpy(float)
    only_group = _only_group(members)
    every_code = list(dict.fromkeys(o.code for spec in specs for o in spec.options))
    # Built as whole columns of numbers and one frame at the end: a frame per item, filled column by column,
    # cost more than the arithmetic (100 ms of a by-place click at 100,000 responses).
    parts: dict[str, list[np.ndarray]] = {}
    for spec in specs:
        codes = [o.code for o in spec.options]
        position = _positions(frame[spec.id] if spec.id in frame.columns else None, codes, len(frame))
        counts = _tally(position, len(codes), members, only_group)
        everyone = np.bincount(position[position >= 0], minlength=len(codes)).astype(float)
        top = np.isin(codes, spec.top_box)
        n, top_n = counts.sum(axis=1), counts[:, top].sum(axis=1)
        item = {"n": n, "top_box_n": top_n, "rest_n": everyone.sum() - n, "rest_top_box_n": everyone[top].sum() - top_n}
        for code in every_code:
            item[f"count_{code}"] = counts[:, codes.index(code)] if code in codes else np.full(len(groups), np.nan)
        if w is not None:
            weighted = _tally(position, len(codes), members, only_group, w)
            item["weighted_rated"] = weighted.sum(axis=1)
            item["weighted_top"] = weighted[:, top].sum(axis=1)
            item["squares"] = _tally(position, len(codes), members, only_group, w**2).sum(axis=1)
        for name, values in item.items():
            parts.setdefault(name, []).append(values)
    column = {name: np.concatenate(values) for name, values in parts.items()}
    n = column["n"]
    shown_base = np.where(n > 0, n, np.nan)
    rest_base = np.where(column["rest_n"] > 0, column["rest_n"], np.nan)
    table = pd.DataFrame({
        "dimension": dimension or WHOLE_AREA,
        "group": np.tile(np.asarray(groups, dtype=object), len(specs)),
        "item_id": np.repeat([spec.id for spec in specs], len(groups)),
        "item": np.repeat([spec.label for spec in specs], len(groups)),
        "n": n,
        "top_box_n": column["top_box_n"],
        "pct": 100 * column["top_box_n"] / shown_base,
        **{f"count_{code}": column[f"count_{code}"] for code in every_code},
        **{f"pct_{code}": 100 * column[f"count_{code}"] / shown_base for code in every_code},
    })
    table["ci_low"], table["ci_high"] = _wilson(column["top_box_n"], n)
    table["rest_n"] = column["rest_n"]
    table["rest_top_box_n"] = column["rest_top_box_n"]
    table["rest_pct"] = 100 * column["rest_top_box_n"] / rest_base
    if w is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            rated_w, squares = column["weighted_rated"], column["squares"]
            table["weighted_pct"] = np.where(rated_w > 0, 100 * column["weighted_top"] / rated_w, np.nan)
            table["effective_n"] = np.where(squares > 0, rated_w**2 / squares, np.nan)
    scale = [c for c in table.columns if c.startswith("count_")]
    weighted = ["weighted_pct", "effective_n"] if w is not None else []
    raw = table.copy()
    shown = suppress(
        table,
        base="n",
        counts=["top_box_n", *scale],
        derived=["pct", "ci_low", "ci_high", *[c.replace("count_", "pct_") for c in scale], "rest_n", "rest_pct",
                 *weighted],
        linked={
            "n": ["rest_n"],
            "top_box_n": ["pct", "ci_low", "ci_high", "rest_pct", *weighted[:1]],
            **{c: [c.replace("count_", "pct_")] for c in scale},
        },
        subtotals=_top_box_parts(form, scale),
        complements=["top_box_n"],
        rule=rule,
        group_keys=["item_id"] if dimension else [],
    )
    shown = _rest_suppressed(shown, rule, ["rest_pct"]).drop(columns=["rest_top_box_n"])
    testable = _testable(shown, dimension, ["pct", "rest_pct"])
    return _compare_with_rest(shown, raw, testable, success="top_box_n", base="n")


def _top_box_parts(form: Form, scale: list[str]) -> dict[str, list[str]]:
    """top_box_n adds up these scale-point counts (when every item shares one top box)."""
    top_boxes = {spec.top_box for spec in form.likert_questions()}
    if len(top_boxes) != 1:
        return {}
    return {"top_box_n": [c for c in scale if c.removeprefix("count_") in next(iter(top_boxes))]}


def _subject(row: pd.Series) -> tuple[str, str]:
    """How a sentence names the group, and what it is compared with."""
    group, dimension = row["group"], row["dimension"]
    if dimension in PLACE_DIMENSIONS:
        return f"{group} rates", "the rest of the area"
    if dimension == "seldom_heard":
        return f"{group} rate", "everyone else"
    return f"The group '{group}' rates", "everyone else"


def describe_difference(row: pd.Series | dict) -> str:
    """One plain sentence about a row of `priority_breakdown`, e.g. "Mansfield rates Digital innovation in
    healthcare lower than the rest of the area: 41% vs 58%"."""
    row = pd.Series(row)
    subject, rest = _subject(row)
    item, group = row["item"], row["group"]
    if row["dimension"] == WHOLE_AREA:
        if row.get("suppressed", False) or pd.isna(row.get("n")):
            return f"Too few people have rated {item} to show a figure."
        if pd.isna(row.get("pct")):
            return f"{item}: not shown (n = {int(row['n']):,}), so that a small number of people cannot be worked out."
        return f"{row['pct']:.0f}% rate {item} Important or Very important (n = {int(row['n']):,})."
    if row.get("suppressed", False):
        return f"{group}: too few people to show how they rate {item}."
    if pd.isna(row.get("pct")):
        return f"{group}: not shown, so that a small number of people, here or in another group, cannot be worked out."
    if group in NOT_STATED:
        return f"{group}: {row['pct']:.0f}% rate {item} Important or Very important; not compared with the rest."
    if pd.isna(row.get("rest_pct")):
        return f"{group}: {row['pct']:.0f}% rate {item} Important or Very important; too few others to compare."
    figures = f"{row['pct']:.0f}% vs {row['rest_pct']:.0f}%"
    if row.get("significant", False):
        direction = "higher" if row["pct"] > row["rest_pct"] else "lower"
        return f"{subject} {item} {direction} than {rest}: {figures}"
    return (f"{subject.removesuffix(' rates').removesuffix(' rate')}: no clear difference from {rest} on {item}: "
            f"{figures} (with these numbers the difference could be chance)")


def theme_breakdown(
    frame_with_dimensions: pd.DataFrame,
    tags: pd.DataFrame,
    answered: pd.DataFrame,
    dimension: str | None,
    rule: SuppressionRule | None = None,
    question_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Free-text themes by group, as "% of respondents mentioning": per group and theme, how many respondents
    mention it, out of the respondents in that group who gave a non-empty answer (to `question_ids`, default
    all in `answered`), and how many mention it negatively, neutrally or positively (a respondent can do
    several); each group compared with the rest as for priorities. Tags of answers that were empty do not
    count: numerator and denominator come from the same answers.

    `frame_with_dimensions` has `response_id`; `tags`: response_id, question_id, theme_code, theme_sentiment;
    `answered`: response_id, question_id for every non-empty answer."""
    rule = rule or current_rule()
    frame = frame_with_dimensions.reset_index(drop=True)
    check_dimension(frame, dimension)
    if question_ids is not None:
        answered = answered[answered["question_id"].isin(question_ids)]
        tags = tags[tags["question_id"].isin(question_ids)]
    tags = tags.merge(answered[["response_id", "question_id"]].drop_duplicates(), on=["response_id", "question_id"])
    groups, members = _membership(frame, dimension)
    position = pd.Series(np.arange(len(frame)), index=frame["response_id"].to_numpy())
    gave_answer = np.zeros(len(frame))
    gave_answer[position.reindex(answered["response_id"].unique()).dropna().astype(int).to_numpy()] = 1
    base = members.T.astype(float) @ gave_answer
    themes = sorted(tags["theme_code"].dropna().unique())
    columns = {"mentioning_n": tags}
    for sentiment in SENTIMENTS:
        columns[f"{sentiment}_n"] = tags[tags["theme_sentiment"] == sentiment]
    counts: dict[str, np.ndarray] = {}
    for name, subset in columns.items():
        pairs = subset[["response_id", "theme_code"]].drop_duplicates()
        rows = position.reindex(pairs["response_id"]).to_numpy()
        keep = ~np.isnan(rows)
        matrix = np.zeros((len(frame), len(themes)))
        theme_index = pd.Index(themes).get_indexer(pairs["theme_code"])
        np.add.at(matrix, (rows[keep].astype(int), theme_index[keep]), 1)
        counts[name] = members.T.astype(float) @ matrix  # groups × themes
    table = pd.DataFrame({
        "dimension": dimension or WHOLE_AREA,
        "group": np.repeat(groups, len(themes)),
        "theme_code": np.tile(themes, len(groups)),
        "n": np.repeat(base, len(themes)),
    })
    for name, matrix in counts.items():
        table[name] = matrix.reshape(-1)
    if table.empty:
        return table.assign(pct=[], suppressed=[], suppression_note=[])
    with np.errstate(divide="ignore", invalid="ignore"):
        for name in counts:
            table[name.replace("_n", "_pct")] = 100 * table[name] / table["n"].where(table["n"] > 0)
    table["ci_low"], table["ci_high"] = _wilson(table["mentioning_n"].to_numpy(), table["n"].to_numpy())
    # The rest for a group: every other respondent who answered (for multi-membership groups too).
    whole = _whole_counts(tags, themes, position)
    table["rest_n"] = gave_answer.sum() - table["n"]
    table["rest_mentioning_n"] = table["theme_code"].map(whole) - table["mentioning_n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rest_pct"] = 100 * table["rest_mentioning_n"] / table["rest_n"].where(table["rest_n"] > 0)
    table = table.rename(columns={"mentioning_pct": "pct"})
    raw = table.copy()
    sentiment_counts = [f"{s}_n" for s in SENTIMENTS]
    shown = suppress(
        table,
        base="n",
        counts=["mentioning_n", *sentiment_counts],
        derived=["pct", "ci_low", "ci_high", *[f"{s}_pct" for s in SENTIMENTS], "rest_n", "rest_pct"],
        linked={"n": ["rest_n"], "mentioning_n": ["pct", "ci_low", "ci_high", "rest_pct"],
                **{f"{s}_n": [f"{s}_pct"] for s in SENTIMENTS}},
        complements=["mentioning_n"],
        rule=rule,
        group_keys=["theme_code"] if dimension else [],
    )
    shown = _rest_suppressed(shown, rule, ["rest_pct"]).drop(columns=["rest_mentioning_n"])
    shown = _sentiment_shares(shown, raw, rule)
    testable = _testable(shown, dimension, ["pct", "rest_pct"])
    return _compare_with_rest(shown, raw, testable, success="mentioning_n", base="n")


def _sentiment_shares(table: pd.DataFrame, raw: pd.DataFrame, rule: SuppressionRule) -> pd.DataFrame:
    """`negative_share`, `neutral_share`, `positive_share`: of the respondents mentioning a theme, the % who did
    so negatively, neutrally or positively ("Waiting times: 82% negative"). Those mentioning are a base of their
    own: under the rule's minimum no share is shown, and the sentiment counts are suppressed again within it so
    that none can be worked out as the mentioning count minus the others."""
    counts = [f"{s}_n" for s in SENTIMENTS]
    shares = {s: f"{s}_share" for s in SENTIMENTS}
    within = raw[["mentioning_n", *counts]].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for sentiment, column in shares.items():
            within[column] = 100 * raw[f"{sentiment}_n"] / raw["mentioning_n"].where(raw["mentioning_n"] > 0)
    checked = suppress(within, base="mentioning_n", counts=counts, derived=list(shares.values()),
                       linked={f"{s}_n": [shares[s]] for s in SENTIMENTS}, rule=rule)
    table = table.copy()
    mentioning_shown = table["mentioning_n"].notna()
    for sentiment, column in shares.items():
        count = f"{sentiment}_n"
        table[count] = table[count].where(checked[count].notna())
        table[column] = checked[column].where(mentioning_shown & table[count].notna())
    return table


def how_it_was_said(shares: pd.DataFrame) -> list[str]:
    """Each theme's sentiment shares in words, largest first: "82% negative, 12% positive, 6% neutral"; a share
    the suppression rule hid shows as "*" (all three hidden: just "*")."""
    phrases = []
    for row in shares[[f"{s}_share" for s in SENTIMENTS]].itertuples(index=False):
        values = dict(zip(SENTIMENTS, row, strict=True))
        if all(pd.isna(value) for value in values.values()):
            phrases.append(MARK)
            continue
        ranked = sorted(values.items(), key=lambda item: -1.0 if pd.isna(item[1]) else -float(item[1]))
        phrases.append(", ".join(f"{MARK if pd.isna(v) else f'{v:.0f}%'} {name}" for name, v in ranked))
    return phrases


def _whole_counts(tags: pd.DataFrame, themes: list[str], position: pd.Series) -> dict[str, int]:
    """Respondents (in the frame) mentioning each theme."""
    pairs = tags[["response_id", "theme_code"]].drop_duplicates()
    pairs = pairs[pairs["response_id"].isin(position.index)]
    counted = pairs.groupby("theme_code")["response_id"].nunique()
    return {theme: int(counted.get(theme, 0)) for theme in themes}
