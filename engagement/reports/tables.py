"""The summary's tables as people read them: headings in words, percentages 0-100, and the figures the
suppression rule hid kept missing so each format shows them as "*" (with the footnote) in the same places."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from engagement.analysis.breakdowns import describe_difference
from engagement.analysis.demographics import DIMENSIONS
from engagement.analysis.suppression import MARK
from engagement.reports.summary import Summary

NOTE = "Note"


@dataclass
class Table:
    """`figures`: columns where a missing value means "hidden to protect people" (shown as "*")."""

    name: str
    title: str
    frame: pd.DataFrame
    figures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A note about hidden counts only where this table shows a "*" (the per-answer counts it leaves out
        # are not its business).
        if NOTE in self.frame and self.figures:
            about_hidden = self.frame[NOTE].astype(str).str.startswith("Some small counts hidden")
            shows_a_mark = self.frame[self.figures].isna().any(axis=1)
            self.frame[NOTE] = self.frame[NOTE].where(~about_hidden | shows_a_mark, "")

    @property
    def has_hidden(self) -> bool:
        return bool(self.figures) and bool(self.frame[self.figures].isna().to_numpy().any())

    def shown(self) -> pd.DataFrame:
        """The frame with hidden figures as "*" (for text formats: CSV, HTML, PDF)."""
        out = self.frame.copy()
        for column in self.figures:
            out[column] = out[column].astype(object).where(out[column].notna(), MARK)
        return out.astype(object).where(out.notna(), "")


def _figures(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The chosen columns under their headings; counts as whole numbers, percentages to one decimal place
    (p-values to three), hidden figures still missing."""
    out = frame.reindex(columns=list(columns)).rename(columns=columns).reset_index(drop=True)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            continue
        if column.endswith("(n)") or column == "Effective n":
            out[column] = out[column].round().astype("Int64")
        else:
            out[column] = out[column].astype(float).round(3 if column == "Adjusted p" else 1)
    return out


PRIORITY_COLUMNS = {
    "item": "Item",
    "n": "Respondents (n)",
    "pct": "% Important or Very important",
    "ci_low": "95% interval from",
    "ci_high": "95% interval to",
}
PRIORITY_FIGURES = ["Respondents (n)", "% Important or Very important", "95% interval from", "95% interval to"]


def priorities_table(summary: Summary) -> Table:
    columns = dict(PRIORITY_COLUMNS)
    figures = list(PRIORITY_FIGURES)
    if summary.selection.weighted:
        columns |= {"weighted_pct": "Weighted %", "effective_n": "Effective n"}
        figures += ["Weighted %", "Effective n"]
    frame = _figures(summary.priorities, columns | {"suppression_note": NOTE})
    return Table("priorities", "Priority ratings: all respondents", frame, figures)


def breakdown_table(table: pd.DataFrame, dimension: str, weighted: bool) -> Table:
    label = DIMENSIONS[dimension].label
    columns = {"group": label, **PRIORITY_COLUMNS, "rest_pct": "Everyone else %", "p_adjusted": "Adjusted p"}
    figures = [*PRIORITY_FIGURES, "Everyone else %"]
    if weighted:
        columns |= {"weighted_pct": "Weighted %", "effective_n": "Effective n"}
        figures += ["Weighted %", "Effective n"]
    frame = _figures(table, columns)
    frame["Significant difference"] = [
        ("Yes" if significant else "No") if tested else ""
        for significant, tested in zip(table["significant"].astype(bool), table.get("tested", table["significant"]),
                                       strict=True)
    ]
    frame["What it means"] = [describe_difference(row) for _, row in table.iterrows()]
    frame[NOTE] = table["suppression_note"].to_numpy()
    return Table(f"by_{dimension}", f"Priority ratings by {label}", frame, figures)


def theme_tables(summary: Summary) -> tuple[Table, Table]:
    """(themes with % mentioning by sentiment, redacted quotes by theme) over every coded question."""
    columns = {
        "theme": "Theme",
        "n": "Wrote an answer (n)",
        "mentioning_n": "Mentioning (n)",
        "pct": "% of respondents mentioning",
        "ci_low": "95% interval from",
        "ci_high": "95% interval to",
        "negative_pct": "% mentioning negatively",
        "neutral_pct": "% mentioning neutrally",
        "positive_pct": "% mentioning positively",
        "negative_share": "Of those mentioning: % negative",
        "neutral_share": "Of those mentioning: % neutral or mixed",
        "positive_share": "Of those mentioning: % positive",
    }
    themes, quotes = [], []
    for section in summary.themes:
        frame = _figures(section.table, columns | {"suppression_note": NOTE})
        frame.insert(0, "Question", section.question)
        themes.append(frame)
        quotes.append(pd.DataFrame({"Question": section.question, "Theme": section.quotes["theme"],
                                    "Quote (personal details removed)": section.quotes["quote"]}))
    figures = [c for c in columns.values() if c != "Theme"]
    theme_frame = (pd.concat(themes, ignore_index=True) if themes
                   else pd.DataFrame(columns=["Question", *columns.values(), NOTE]))
    quote_frame = pd.concat(quotes, ignore_index=True) if quotes else pd.DataFrame(
        columns=["Question", "Theme", "Quote (personal details removed)"])
    return (Table("themes", "Themes in written answers", theme_frame, figures),
            Table("quotes", "Quotes by theme", quote_frame))


def representativeness_table(summary: Summary) -> Table:
    shown = summary.representativeness
    frame = pd.DataFrame({
        "Compared on": shown["variable_label"].to_numpy(),
        "Group": shown["category"].to_numpy(),
        "Respondents (n)": shown["sample_n"].round().astype("Int64").to_numpy(),
        "% of respondents": (100 * shown["sample_share"]).round(1).to_numpy(),
        "% of population (Census 2021)": (100 * shown["population_share"]).round(1).to_numpy(),
        "Ratio": shown["ratio"].round(2).to_numpy(),
        "Under-represented": ["Yes" if flag else "" for flag in shown["under_represented"].astype(bool)],
        NOTE: shown["suppression_note"].to_numpy(),
    })
    compared = shown["in_denominator"].astype(bool).to_numpy()
    # Rows left out of the comparison (Prefer not to say, ...) have no shares by design, not by suppression.
    frame.loc[~compared, NOTE] = "Not compared with the Census"
    for column in ("% of respondents", "% of population (Census 2021)", "Ratio"):
        frame[column] = frame[column].astype(object).where(compared, "")
    return Table("representativeness", "Who responded compared with Census 2021", frame,
                 ["Respondents (n)", "% of respondents", "Ratio"])


def coverage_tables(summary: Summary) -> tuple[Table, Table]:
    targets = summary.coverage.targets
    target_frame = pd.DataFrame({
        "Target": targets["label"], "Channels": targets["channels"], "Target responses": targets["target"],
        "Responses": targets["responses"], "% of target": targets["percent_of_target"],
        "Still needed": targets["still_needed"],
    })
    seldom = summary.coverage.seldom_heard
    seldom_frame = pd.DataFrame({
        "Place": seldom["place"], "Seldom-heard group": seldom["group"],
        "Responses (n)": seldom["responses"].round().astype("Int64"),
        "% of the place's responses": seldom["percent"].astype(float).round(1), NOTE: seldom["suppression_note"],
    })
    return (Table("targets", "Responses against targets", target_frame),
            Table("seldom_heard", "Seldom-heard groups by place", seldom_frame,
                  ["Responses (n)", "% of the place's responses"]))


def dictionary_table(summary: Summary) -> Table:
    frame = summary.dictionary.rename(columns={
        "question_id": "Question id", "section": "Section", "question": "Wording", "type": "Type",
        "code": "Answer code", "label": "Answer label"})
    return Table("dictionary", "Data dictionary", frame)


def method_table(summary: Summary) -> Table:
    lines = [summary.title, summary.caveat, *summary.method, summary.footnote]
    return Table("method", "Method and caveats", pd.DataFrame({"Method and caveats": lines}))


def summary_csv_table(summary: Summary) -> Table:
    """Every priority figure (whole area, by place, by each group) in one long table: the CSV summary."""
    parts = [priorities_table(summary).frame.assign(Breakdown="All respondents", Group="All respondents")]
    for dimension, table in {"place": summary.by_place, **summary.by_group}.items():
        shown = breakdown_table(table, dimension, summary.selection.weighted).frame
        parts.append(shown.rename(columns={DIMENSIONS[dimension].label: "Group"}).assign(
            Breakdown=DIMENSIONS[dimension].label))
    frame = pd.concat(parts, ignore_index=True)
    # The whole area has no "everyone else": blank, not hidden.
    frame["Everyone else %"] = frame["Everyone else %"].astype(object).where(
        frame["Breakdown"].ne("All respondents"), "")
    first = ["Breakdown", "Group"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    figures = [c for c in frame.columns if c in (*PRIORITY_FIGURES, "Everyone else %", "Weighted %", "Effective n")]
    return Table("summary", "Priority ratings", frame, figures)


def all_tables(summary: Summary) -> list[Table]:
    """Every table of the spreadsheet, in sheet order."""
    themes, quotes = theme_tables(summary)
    targets, seldom = coverage_tables(summary)
    breakdowns = [breakdown_table(summary.by_place, "place", summary.selection.weighted)]
    breakdowns += [breakdown_table(t, d, summary.selection.weighted) for d, t in summary.by_group.items()]
    return [
        priorities_table(summary), *breakdowns, themes, quotes, representativeness_table(summary), targets, seldom,
        dictionary_table(summary), method_table(summary),
    ]


def readable_table(
    table: pd.DataFrame,
    columns: dict[str, str],
    percents: tuple[str, ...] = (),
    counts: tuple[str, ...] = (),
    shares: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The chosen columns renamed for people: percents to whole numbers with "%", shares (0-1) as percents,
    counts with thousands separators, and a missing (hidden) figure as "*"."""
    out = table[list(columns)].copy()
    for column in percents:
        out[column] = out[column].map(lambda v: MARK if pd.isna(v) else f"{v:.0f}%")
    for column in shares:
        out[column] = out[column].map(lambda v: MARK if pd.isna(v) else f"{100 * v:.1f}%")
    for column in counts:
        out[column] = out[column].map(lambda v: MARK if pd.isna(v) else f"{int(round(v)):,}")
    return out.rename(columns=columns)
