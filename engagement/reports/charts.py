"""Altair charts for the dashboard and exports."""

from __future__ import annotations

import altair as alt
import pandas as pd

from survey_forms import Form

# Colour-blind-safe diverging palette (ColorBrewer RdBu, 5 classes) with a grey midpoint.
LIKERT_COLOURS = ["#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac"]


def likert_segments(ratings: pd.DataFrame, form: Form) -> pd.DataFrame:
    """Bar segments for a diverging chart: disagreement left of zero, agreement right, the midpoint straddling."""
    rows = []
    for _, item in ratings.iterrows():
        if not item["n"]:
            continue
        spec = form.question(item["question_id"])
        codes = [o.code for o in spec.options]
        mid = len(codes) // 2
        pcts = [float(item[f"pct_{c}"]) for c in codes]
        start = -(sum(pcts[:mid]) + pcts[mid] / 2)
        for index, (code, pct) in enumerate(zip(codes, pcts, strict=True)):
            rows.append(
                {
                    "item": item["item"],
                    "answer": spec.label_for(code),
                    "order": index,
                    "pct": pct,
                    "start": start,
                    "end": start + pct,
                    "n": int(item["n"]),
                    "pct_top_box": float(item["pct_top_box"]),
                }
            )
            start += pct
    return pd.DataFrame(rows)


def likert_chart(ratings: pd.DataFrame, form: Form, title: str = "") -> alt.Chart:
    """Diverging stacked bars, one per item, labelled with '% Important or Very important'."""
    segments = likert_segments(ratings, form)
    if segments.empty:
        return alt.Chart(pd.DataFrame({"text": ["No ratings yet"]})).mark_text(size=14).encode(text="text")
    first = form.question(ratings.iloc[0]["question_id"])
    answer_order = [o.label for o in first.options]
    items = ratings.sort_values("pct_top_box", ascending=False)["item"].tolist()
    items = [i for i in items if i in set(segments["item"])]
    segments["item_label"] = [
        f"{item} — {top:.0f}% Important or Very important (n={n})"
        for item, top, n in zip(segments["item"], segments["pct_top_box"], segments["n"], strict=True)
    ]
    label_order = list(dict.fromkeys(segments.set_index("item").loc[items, "item_label"]))
    bars = (
        alt.Chart(segments, title=title)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title="% of respondents (left: not important, right: important)",
                    scale=alt.Scale(domain=[-100, 100])),
            x2="end:Q",
            y=alt.Y("item_label:N", title=None, sort=label_order, axis=alt.Axis(labelLimit=520)),
            color=alt.Color(
                "answer:N",
                title="Answer",
                sort=answer_order,
                scale=alt.Scale(domain=answer_order, range=LIKERT_COLOURS[: len(answer_order)]),
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=300),
            ),
            order="order:Q",
            tooltip=[
                alt.Tooltip("item:N", title="Item"),
                alt.Tooltip("answer:N", title="Answer"),
                alt.Tooltip("pct:Q", title="% of respondents", format=".1f"),
                alt.Tooltip("n:Q", title="Respondents"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="black").encode(x="x:Q")
    return (bars + zero).properties(width=560, height=alt.Step(34))


def count_by_place_chart(counts: dict[str, int]) -> alt.Chart:
    frame = pd.DataFrame({"place": list(counts), "responses": list(counts.values())})
    return (
        alt.Chart(frame, title="Responses by place")
        .mark_bar(color="#005eb8")
        .encode(
            x=alt.X("responses:Q", title="Responses"),
            y=alt.Y("place:N", title=None, sort="-x"),
            tooltip=["place", "responses"],
        )
        .properties(width=480)
    )


SENTIMENT_COLOURS = {"negative": "#b2182b", "neutral": "#bdbdbd", "positive": "#2166ac"}


def theme_chart(summary: pd.DataFrame, title: str = "") -> alt.Chart:
    """Respondents mentioning each theme, split by how the mention felt, labelled with % of respondents."""
    if summary.empty:
        return alt.Chart(pd.DataFrame({"text": ["No themes yet"]})).mark_text(size=14).encode(text="text")
    long = summary.melt(
        id_vars=["theme", "pct_of_respondents", "respondents"],
        value_vars=["negative", "neutral", "positive"],
        var_name="sentiment",
        value_name="mentions",
    )
    long["theme_label"] = [
        f"{theme} — {pct:.0f}%" for theme, pct in zip(long["theme"], long["pct_of_respondents"], strict=True)
    ]
    order = list(dict.fromkeys(long.sort_values("respondents", ascending=False)["theme_label"]))
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            x=alt.X("mentions:Q", title="Respondents mentioning the theme"),
            y=alt.Y("theme_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "sentiment:N",
                title="How it was said",
                sort=list(SENTIMENT_COLOURS),
                scale=alt.Scale(domain=list(SENTIMENT_COLOURS), range=list(SENTIMENT_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("sentiment:N", sort="ascending"),
            tooltip=["theme", "sentiment", "mentions", alt.Tooltip("pct_of_respondents:Q", format=".1f")],
        )
        .properties(width=560, height=alt.Step(24))
    )
