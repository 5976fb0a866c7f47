"""Altair charts for the dashboard and exports."""

from __future__ import annotations

import altair as alt
import pandas as pd

from engagement.analysis.suppression import MARK, current_rule
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


def _note(text: str) -> alt.Chart:
    """A chart that is only a sentence, where there is nothing that may be drawn."""
    return alt.Chart(pd.DataFrame({"text": [text]})).mark_text(size=14).encode(text="text")


def likert_chart(ratings: pd.DataFrame, form: Form, title: str = "") -> alt.Chart:
    """Diverging stacked bars, one per item, labelled with '% Important or Very important'."""
    segments = likert_segments(ratings, form)
    if segments.empty:
        return _note("No ratings yet")
    first = form.question(ratings.iloc[0]["question_id"])
    answer_order = [o.label for o in first.options]
    items = ratings.sort_values("pct_top_box", ascending=False)["item"].tolist()
    items = [i for i in items if i in set(segments["item"])]
    segments["item_label"] = [
        f"{item} — {MARK if pd.isna(top) else f'{top:.0f}%'} Important or Very important (n={n:,})"
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
# How the mentions the suppression rule hid were said: one part together (it equals respondents minus the parts
# shown, so it reveals no hidden count), drawn white so the bar stays as long as the respondents mentioning it.
NOT_SHOWN = "not shown (small numbers)"
THEME_COLOURS = {**SENTIMENT_COLOURS, NOT_SHOWN: "#ffffff"}


def theme_chart(summary: pd.DataFrame, title: str = "") -> alt.Chart:
    """Respondents mentioning each theme, split by how the mention felt, labelled with % of respondents."""
    if summary.empty:
        return alt.Chart(pd.DataFrame({"text": ["No themes yet"]})).mark_text(size=14).encode(text="text")
    summary = summary.assign(**{NOT_SHOWN: (summary["respondents"] - summary[list(SENTIMENT_COLOURS)].sum(axis=1))
                                .where(summary[list(SENTIMENT_COLOURS)].isna().any(axis=1))})
    long = summary.melt(
        id_vars=["theme", "pct_of_respondents", "respondents"],
        value_vars=list(THEME_COLOURS),
        var_name="sentiment",
        value_name="mentions",
    )
    long["stack"] = long["sentiment"].map({name: place for place, name in enumerate(THEME_COLOURS)})
    colours = THEME_COLOURS if summary[NOT_SHOWN].notna().any() else SENTIMENT_COLOURS
    # "Waiting times — 40% · 82% negative": % mentioning, then the largest share of how it was said, unless that
    # share is hidden ("* negative" would read as "mostly negative").
    said = summary["how_it_was_said"] if "how_it_was_said" in summary else pd.Series(MARK, index=summary.index)
    largest = dict(zip(summary["theme"], said.str.split(", ").str[0], strict=True))
    long["theme_label"] = [
        f"{theme} — {MARK if pd.isna(pct) else f'{pct:.0f}%'}"
        + ("" if largest[theme].startswith(MARK) else f" · {largest[theme]}")
        for theme, pct in zip(long["theme"], long["pct_of_respondents"], strict=True)
    ]
    order = list(dict.fromkeys(long.sort_values("respondents", ascending=False)["theme_label"]))
    return (
        alt.Chart(long, title=title)
        .mark_bar(stroke="#737373", strokeWidth=0.5)
        .encode(
            x=alt.X("mentions:Q", title="Respondents mentioning the theme", axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("theme_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "sentiment:N",
                title="How it was said",
                sort=list(colours),
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=300),
            ),
            order=alt.Order("stack:Q", sort="ascending"),  # the part not shown last, at the end of the bar
            tooltip=["theme", "sentiment", "mentions", alt.Tooltip("pct_of_respondents:Q", format=".1f")],
        )
        .properties(width=560, height=alt.Step(24))
    )


# --- Insight dashboard -------------------------------------------------------------------------------------------
# Every table drawn below comes from the analysis layer after `suppress`: a hidden figure is missing and is drawn
# as "*", never as a bar, a dot or a zero.

COMPARISON_COLOURS = {
    "Higher than the rest": "#2166ac",
    "Lower than the rest": "#b2182b",
    "No clear difference": "#737373",
    "Not compared": "#bdbdbd",
}


def priority_bars(table: pd.DataFrame, form: Form, title: str = "") -> alt.Chart:
    """The diverging stacked bar for each item of a whole-area priority_breakdown table, centred on the
    neutral answer. A suppressed item gets no bar; an item with a hidden answer count is drawn without that
    segment and marked "*" after its name, and one whose share is hidden (1 to 4 did not rate it important)
    reads "* Important or Very important"."""
    shown = table[~table["suppressed"].astype(bool)].copy()
    spread = [c for c in shown.columns if c.startswith("pct_")]
    hidden = shown[spread].isna().any(axis=1)
    shown.loc[hidden, "item"] = shown.loc[hidden, "item"] + " *"
    shown[spread] = shown[spread].fillna(0.0)
    if shown.empty and not table.empty:
        return _note(f"Fewer than {current_rule().min_base} people rated these: not shown, to protect them")
    ratings = shown.rename(columns={"item_id": "question_id", "pct": "pct_top_box"})
    return likert_chart(ratings, form, title=title)


def comparison(row_significant: bool, pct: float, rest_pct: float) -> str:
    if pd.isna(pct) or pd.isna(rest_pct):
        return "Not compared"
    if not row_significant:
        return "No clear difference"
    return "Higher than the rest" if pct > rest_pct else "Lower than the rest"


def group_dots(table: pd.DataFrame, facet: str = "item", measure: str = "% Important or Very important",
               columns: int = 2) -> alt.Chart:
    """Dot-and-interval small multiples: one panel per item (or theme), one line per group, the dot coloured by
    how the group compares with the rest (Holm-adjusted). A suppressed group shows "*" where its dot would be."""
    data = table[["group", facet, "n", "pct", "ci_low", "ci_high", "rest_pct", "significant", "suppressed"]].copy()
    data["n"] = data["n"].astype(float)
    data["comparison"] = [
        comparison(bool(s), p, r) for s, p, r in zip(data["significant"], data["pct"], data["rest_pct"], strict=True)
    ]
    data["hidden"] = data["pct"].isna()
    data["mark"] = "*"
    data["group_label"] = [
        f"{g} (n={int(n):,})" if pd.notna(n) else f"{g} (n=*)" for g, n in zip(data["group"], data["n"], strict=True)
    ]
    order = list(dict.fromkeys(data["group_label"]))
    y = alt.Y("group_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=320, labelOverlap=False))
    x_scale = alt.Scale(domain=[0, 100])
    base = alt.Chart().encode(y=y)
    interval = base.mark_rule(strokeWidth=2, color="#525252").encode(
        x=alt.X("ci_low:Q", title=f"{measure} (95% interval)", scale=x_scale), x2="ci_high:Q"
    ).transform_filter("!datum.hidden")
    dots = base.mark_circle(size=90, opacity=1).encode(
        x=alt.X("pct:Q", scale=x_scale),
        color=alt.Color(
            "comparison:N", title="Compared with the rest",
            scale=alt.Scale(domain=list(COMPARISON_COLOURS), range=list(COMPARISON_COLOURS.values())),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("pct:Q", title=measure, format=".0f"),
            alt.Tooltip("ci_low:Q", title="95% interval from", format=".0f"),
            alt.Tooltip("ci_high:Q", title="95% interval to", format=".0f"),
            alt.Tooltip("rest_pct:Q", title="The rest", format=".0f"),
            alt.Tooltip("n:Q", title="Respondents"),
        ],
    ).transform_filter("!datum.hidden")
    stars = base.mark_text(align="left", dx=2, fontSize=16).encode(
        x=alt.datum(1), text="mark:N"
    ).transform_filter("datum.hidden")
    return (
        alt.layer(interval, dots, stars, data=data)
        .properties(width=360, height=20 * len(order))
        .facet(facet=alt.Facet(f"{facet}:N", title=None, sort=list(dict.fromkeys(data[facet])),
                               header=alt.Header(labelFontWeight="bold", labelFontSize=13, labelLimit=400)),
               columns=columns)
        .resolve_scale(y="shared")
    )


def representativeness_chart(table: pd.DataFrame) -> alt.Chart:
    """Share of respondents against share of the population (Census 2021), per category, one panel per
    variable. Under-represented groups are marked. Hidden shares are not drawn."""
    compared = table[table["in_denominator"].astype(bool)].copy()
    long = pd.concat([
        compared.assign(who="Respondents", share=100 * compared["sample_share"]),
        compared.assign(who="Census 2021", share=100 * compared["population_share"]),
    ])
    long = long[long["share"].notna()]
    long["under"] = long["under_represented"].map({True: "Under-represented", False: ""})
    return (
        alt.Chart(long)
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X("share:Q", title="% of respondents / % of residents"),
            y=alt.Y("category:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("who:N", title=None, scale=alt.Scale(domain=["Respondents", "Census 2021"],
                                                                 range=["#005eb8", "#ed8b00"]),
                            legend=alt.Legend(orient="bottom")),
            shape=alt.Shape("who:N", legend=None, scale=alt.Scale(range=["circle", "diamond"])),
            tooltip=["variable_label", "category", "who", alt.Tooltip("share:Q", format=".1f"), "under"],
        )
        .properties(width=420, height=alt.Step(18))
        .facet(row=alt.Row("variable_label:N", title=None, sort=None, header=alt.Header(labelAngle=0,
                                                                                       labelAlign="left")))
        .resolve_scale(y="independent")
    )


def target_chart(targets: pd.DataFrame) -> alt.Chart:
    """Responses so far against each campaign target (a bar past the grey target when it has been passed; no bar
    where the count is hidden)."""
    data = targets.assign(done=targets["responses"])
    bars = alt.Chart(data).encode(y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=300)))
    goal = bars.mark_bar(color="#e8edee").encode(x=alt.X("target:Q", title="Responses"))
    done = bars.mark_bar(color="#005eb8", height=14).encode(
        x="done:Q", tooltip=["label", "responses", "target", "still_needed"]
    )
    return (goal + done).properties(width=480, height=alt.Step(34))


def weekly_chart(weekly: pd.DataFrame, dimension: str, title: str) -> alt.Chart:
    """Responses per week, stacked by channel or by place. Hidden (small) counts are left out of the stack."""
    data = weekly[(weekly["dimension"] == dimension) & weekly["responses"].notna()].copy()
    if data.empty:
        return _note(f"{title}: too few responses in any week to show")
    data["week"] = pd.to_datetime(data["week_start"]).dt.strftime("%-d %b")
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("week:O", title="Week starting (Monday)", sort=list(dict.fromkeys(data["week"])),
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("responses:Q", title="Responses"),
            # Legend on the right: with a bottom legend Streamlit's sizing squeezes the bars to nothing.
            color=alt.Color("group:N", title=None, legend=alt.Legend(labelLimit=260)),
            tooltip=[alt.Tooltip("week:N", title="Week starting"), "group", "responses"],
        )
        .properties(width=560, height=240)
    )


def theme_bars(table: pd.DataFrame, title: str = "") -> alt.Chart:
    """Whole-area themes as "% of respondents mentioning", with the 95% interval; hidden figures not drawn."""
    data = table[table["pct"].notna()].sort_values("pct", ascending=False)
    base = alt.Chart(data, title=title).encode(
        y=alt.Y("theme:N", title=None, sort=list(data["theme"]), axis=alt.Axis(labelLimit=360))
    )
    bars = base.mark_bar(color="#005eb8").encode(
        x=alt.X("pct:Q", title="% of respondents who answered and mention the theme"),
        tooltip=["theme", alt.Tooltip("pct:Q", format=".0f"), "mentioning_n", "n"],
    )
    interval = base.mark_rule(color="#231f20").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + interval).properties(width=480, height=alt.Step(22))
