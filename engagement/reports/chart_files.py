"""Charts as image files for slides and papers: each has a title, the base n and the caveat in its subtitle,
and alt text (in the image's description, and in a .txt file beside it). Bars come only from figures the
suppression rule shows: a hidden figure is drawn as "*" with no bar."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import vl_convert as vlc

from engagement.analysis.breakdowns import how_it_was_said
from engagement.analysis.suppression import MARK
from engagement.reports.summary import Summary, ThemeSection

NHS_BLUE = "#005eb8"
WIDTH = 520


@dataclass
class ChartFile:
    slug: str
    chart: alt.Chart
    alt_text: str
    data: pd.DataFrame  # exactly what is drawn


def _caveat_lines(summary: Summary, base: str) -> list[str]:
    lines = [base, *_wrap(summary.caveat, 95)]
    if summary.synthetic:
        lines.append("SYNTHETIC DEMO DATA: not real people.")
    return lines


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + len(word) + 1 > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines


def _bars(data: pd.DataFrame, label: str, value_title: str, title: str, subtitle: list[str],
          description: str, footnote: str) -> alt.Chart:
    order = data[label].tolist()
    base = alt.Chart(data).encode(y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)))
    bars = base.mark_bar(color=NHS_BLUE).encode(
        x=alt.X("pct:Q", title=value_title, scale=alt.Scale(domain=[0, 100])))
    interval = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
    text = base.mark_text(align="left", dx=4, color="black").encode(x="ci_high:Q", text="shown:N")
    hidden_text = base.transform_filter("datum.pct == null").mark_text(align="left", dx=4).encode(
        x=alt.value(2), text="shown:N")
    layers = [bars, interval, text.transform_filter("datum.pct != null"), hidden_text]
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=alt.Step(26),
        title=alt.TitleParams(title, subtitle=subtitle, anchor="start", subtitleColor="#425563"),
        description=description,
    )
    if data["pct"].isna().any():
        chart = alt.vconcat(chart, alt.Chart(pd.DataFrame({"note": _wrap(footnote, 100)})).mark_text(
            align="left", color="#425563").encode(y=alt.Y("note:N", axis=None, sort=None), text="note:N").properties(
            width=WIDTH, height=alt.Step(14)), description=description)
    return chart


def priorities_chart(summary: Summary) -> ChartFile:
    table = summary.priorities
    data = pd.DataFrame({
        "item": table["item"].to_numpy(),
        "pct": table["pct"].astype(float).round(1).to_numpy(),
        "ci_low": table["ci_low"].astype(float).round(1).to_numpy(),
        "ci_high": table["ci_high"].astype(float).round(1).to_numpy(),
    })
    data["shown"] = [MARK if pd.isna(p) else f"{p:.0f}%" for p in data["pct"]]
    data = data.sort_values("pct", ascending=False, na_position="last", ignore_index=True)
    n = int(pd.to_numeric(table["n"], errors="coerce").max()) if table["n"].notna().any() else 0
    title = f"Priorities: % rating each Important or Very important ({summary.place_name})"
    shown = data.dropna(subset=["pct"])
    alt_text = (
        f"Bar chart. {title}. Based on up to {n:,} people who rated each item. "
        + " ".join(f"{row.item}: {row.pct:.0f}% (95% interval {row.ci_low:.0f}% to {row.ci_high:.0f}%)."
                   for row in shown.itertuples())
        + (" Some items are not shown because too few people rated them." if len(shown) < len(data) else "")
        + f" {summary.caveat}"
    )
    chart = _bars(data, "item", "% Important or Very important (line: 95% interval)", title,
                  _caveat_lines(summary, f"Base: n = {n:,} respondents"), alt_text, summary.footnote)
    return ChartFile("priorities", chart, alt_text, data)


def theme_chart(summary: Summary, section: ThemeSection, top: int = 12) -> ChartFile:
    table = section.table.head(top)
    data = pd.DataFrame({
        "theme": table["theme"].to_numpy(),
        "pct": table["pct"].astype(float).round(1).to_numpy(),
        "ci_low": table["ci_low"].astype(float).round(1).to_numpy(),
        "ci_high": table["ci_high"].astype(float).round(1).to_numpy(),
    })
    data["shown"] = [MARK if pd.isna(p) else f"{p:.0f}%" for p in data["pct"]]
    data["said"] = how_it_was_said(table) if not table.empty else []
    n = int(pd.to_numeric(section.table["n"], errors="coerce").max()) if not section.table.empty else 0
    title = f"Themes: “{section.question}”"
    shown = data.dropna(subset=["pct"])
    alt_text = (
        f"Bar chart. {title} The % of the {n:,} people who wrote an answer who mention each theme. "
        + " ".join(f"{row.theme}: {row.pct:.0f}%{'' if said == MARK else f' ({said})'}."
                   for row, said in zip(shown.itertuples(), shown["said"], strict=True))
        + f" {summary.caveat}"
    )
    chart = _bars(data, "theme", "% of respondents mentioning (line: 95% interval)", title,
                  _caveat_lines(summary, f"Base: n = {n:,} people who wrote an answer"), alt_text, summary.footnote)
    return ChartFile(f"themes-{section.question_id}", chart, alt_text, data)


def summary_charts(summary: Summary) -> list[ChartFile]:
    return [priorities_chart(summary), *(theme_chart(summary, s) for s in summary.themes if not s.table.empty)]


def chart_files(summary: Summary, fmt: str) -> list[tuple[str, str, bytes]]:
    """(name, extension, bytes) for each chart in `fmt` (png or svg), each followed by its alt text as .txt."""
    files = []
    for chart in summary_charts(summary):
        spec = chart.chart.to_json()
        image = vlc.vegalite_to_png(spec, scale=2) if fmt == "png" else vlc.vegalite_to_svg(spec).encode()
        files.append((chart.slug, fmt, image))
        files.append((f"{chart.slug}-alt-text", "txt", (chart.alt_text + "\n").encode()))
    return files
