"""Insight dashboard: priorities for the whole area and by place or group, who answered, coverage and themes.

Thin: read the widgets (their state lives in the page address), call the analysis layer, draw. The respondents
are loaded once per version of the data and cached; every filter change works on that cached frame.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from engagement.analysis.counted import NotCounted, not_counted
from engagement.analysis.dashboard_view import (
    PLACE_SCHEMES,
    SECTIONS,
    DashboardView,
    describe_filters,
    view_from_query,
    view_to_query,
)
from engagement.analysis.demographics import DIMENSIONS
from engagement.analysis.easy_read import EASY_READ, VERSION_COLUMN, VERSIONS
from engagement.analysis.insight import (
    Priorities,
    Themes,
    WhoAnswered,
    cached_respondents,
    coverage_now,
    free_text_answers,
    priorities,
    respondents_version,
    surveys_shown,
    themes,
    who_answered,
    with_breakdown,
)
from engagement.analysis.suppression import MARK, footnote, shown_count
from engagement.auth import PAGE_ROLES
from engagement.config import DEFAULT_FORM_SLUG, database_url
from engagement.db import get_engine
from engagement.forms import get_form, reported_forms
from engagement.models import CHANNELS
from engagement.reports import charts
from engagement.reports.tables import readable_table
from engagement.ui.access import require_roles
from engagement.ui.shared import engine, synthetic_notice

user = require_roles("analyst", "comms", "admin")

NOT_YET_REPRESENTATIVE = (
    "Not yet representative of the overall population: these are the people who chose to answer. "
    "Compare who answered with who lives here before drawing conclusions."
)
# Widget values meaning "no group filter" and "no breakdown" (a selectbox shows None as an empty choice).
EVERYONE, WHOLE_AREA = "everyone", "whole_area"
GROUP_FILTERS = [name for name in DIMENSIONS if name not in (*PLACE_SCHEMES, "channel")]


# Cached by the data's version: a new, changed or deleted response gives a new version and a fresh load. The
# version (one scan of the answers) is re-read at most every 2 seconds, so a burst of clicks scans once.
@st.cache_data(ttl=2, show_spinner=False)
def current_version(url: str, slug: str) -> str:
    return respondents_version(get_engine(url), get_form(slug))


@st.cache_resource
def last_seen_versions() -> dict[tuple[str, str], str]:
    """The version each survey was last drawn with, for every session of this server: a click draws with it
    straight away and checks for newer data after drawing."""
    return {}


# A resource, not cache_data: the frame is shared read-only (the analysis layer filters into new frames), so a
# click no longer unpickles a copy of 100,000 rows before it can start.
@st.cache_resource(max_entries=2, show_spinner="Loading the responses…")
def respondents(url: str, slug: str, version: str) -> pd.DataFrame:
    return cached_respondents(get_engine(url), get_form(slug), version)


@st.cache_data(max_entries=8, show_spinner=False)
def not_counted_for(url: str, slug: str, version: str) -> NotCounted:
    return not_counted(get_engine(url), surveys_shown(get_form(slug)))


@st.cache_data(max_entries=32, show_spinner="Working out the figures…")
def whole_area_for(url: str, slug: str, version: str, view: DashboardView) -> Priorities:
    return priorities(respondents(url, slug, version), get_form(slug), view)


@st.cache_data(max_entries=64, show_spinner="Comparing the groups…")
def priorities_for(url: str, slug: str, version: str, view: DashboardView) -> Priorities:
    # The whole-area figures depend only on the filters (and weighting): cached apart, so changing the
    # breakdown works out only the breakdown.
    whole = whole_area_for(url, slug, version, replace(view.filters, weighted=view.weighted))
    return with_breakdown(respondents(url, slug, version), get_form(slug), view, whole)


def rating_grids(form):
    """(section, question) for each grid of rated items, in form order."""
    return [(section, q) for section in form.sections for q in section.questions if q.type == "likert_grid"]


def vega_lite_spec(chart) -> dict:
    """An Altair chart as the Vega-Lite spec `st.vega_lite_chart` draws, made once per view and cached. Not
    checked against the Vega-Lite schema here (30-60 ms a chart on every new filter): the tests check every
    chart the dashboard draws. The Altair default theme's fixed 300-pixel view is left out, as
    `st.altair_chart` leaves it out."""
    spec = chart.to_dict(validate=False)
    view = spec.get("config", {}).get("view", {})
    for key in ("continuousWidth", "continuousHeight"):
        view.pop(key, None)
    if "config" in spec and not view:
        spec["config"].pop("view", None)
        if not spec["config"]:
            del spec["config"]
    return spec


@st.cache_data(max_entries=32, show_spinner=False)
def whole_area_charts(url: str, slug: str, version: str, view: DashboardView) -> dict[str, dict]:
    """The diverging bars of each rating grid for the whole area (or the filtered respondents)."""
    whole = whole_area_for(url, slug, version, view).whole
    form = get_form(slug)
    return {grid.id: vega_lite_spec(charts.priority_bars(
        whole[whole["item_id"].isin([i.id for i in grid.items or []])], form)) for _, grid in rating_grids(form)}


@st.cache_data(max_entries=64, show_spinner=False)
def group_chart(url: str, slug: str, version: str, view: DashboardView) -> dict:
    return vega_lite_spec(charts.group_dots(priorities_for(url, slug, version, view).by_group))


@st.cache_data(max_entries=32, show_spinner="Comparing with Census 2021…")
def who_answered_for(url: str, slug: str, version: str, view: DashboardView) -> WhoAnswered:
    return who_answered(respondents(url, slug, version), view)


@st.cache_data(max_entries=32, show_spinner="Counting responses…")
def coverage_for(url: str, slug: str, version: str, view: DashboardView):
    return coverage_now(respondents(url, slug, version), get_form(slug), view)


@st.cache_data(ttl=60, max_entries=4, show_spinner="Reading the analysed comments…")
def free_text_for(url: str, slug: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return free_text_answers(get_engine(url), get_form(slug))


@st.cache_data(max_entries=32, show_spinner="Counting themes…")
def themes_for(url: str, slug: str, version: str, view: DashboardView, question_id: str) -> Themes:
    tags, answered = free_text_for(url, slug, version)
    return themes(respondents(url, slug, version), tags, answered, get_form(slug), view, question_id)


# --- The view, from the page address ------------------------------------------------------------------------
forms = {f.slug: f for f in reported_forms()}
url = database_url()
asked = view_from_query({key: st.query_params.get_all(key) for key in st.query_params}, list(forms),
                        DEFAULT_FORM_SLUG)
opening = "dash_survey" not in st.session_state
if opening:  # first run of this session: widgets start from the address
    st.session_state.update({
        "dash_survey": asked.survey,
        "dash_section": SECTIONS[asked.section],
        "dash_dates": tuple(d for d in (asked.date_from, asked.date_to) if d),
        "dash_channels": list(asked.channels),
        "dash_scheme": asked.place_scheme,
        "dash_places": list(asked.places),
        "dash_group": asked.group or EVERYONE,
        "dash_group_values": list(asked.group_values),
        "dash_by": asked.breakdown or WHOLE_AREA,
        "dash_synthetic": asked.include_synthetic,
        "dash_weighted": asked.weighted,
        "dash_version": asked.form_version,
    })
    for problem in asked.problems:
        st.warning(problem, icon=":material/link_off:")
# Streamlit forgets a widget's value when a run does not draw it (the breakdown on the coverage view, the group's
# values while "Everyone" is chosen): writing each value back keeps the view whole while the analyst moves about.
# The "Include synthetic" switch and the version choice are drawn only when there is something to choose; seen in
# Chromium: the switch came back off after a run that did not draw it, and the view dropped the demo responses.
for key in ("dash_by", "dash_weighted", "dash_group_values", "dash_synthetic", "dash_version"):
    st.session_state[key] = st.session_state[key]

with st.sidebar:
    st.subheader("Filters")
    slug = st.selectbox("Survey", list(forms), format_func=lambda s: forms[s].title, key="dash_survey")
    form = forms[slug]
    engine()  # creates or migrates the database once per server
    seen = last_seen_versions()
    # Opening the page checks the data first (someone may just have answered); later clicks draw at once.
    if opening or (url, slug) not in seen:
        seen[(url, slug)] = current_version(url, slug)
    version = seen[(url, slug)]
    frame = respondents(url, slug, version)
    # No min/max on the dates: a shared link may name days outside the data, which simply match nobody.
    dates = st.date_input("Answered between", key="dash_dates", format="DD/MM/YYYY")
    channels = st.multiselect("Channel", list(CHANNELS), format_func=CHANNELS.get, key="dash_channels",
                              placeholder="All channels")
    scheme = st.selectbox("Places grouped by", PLACE_SCHEMES, format_func=lambda s: DIMENSIONS[s].label,
                          key="dash_scheme")
    st.session_state.dash_places = [p for p in st.session_state.dash_places if p in DIMENSIONS[scheme].categories]
    places = st.multiselect("Place", DIMENSIONS[scheme].categories, key="dash_places", placeholder="The whole area")
    group = st.selectbox("Only people in a group", [EVERYONE, *GROUP_FILTERS], key="dash_group",
                         format_func=lambda g: "Everyone" if g == EVERYONE else DIMENSIONS[g].label)
    group_values: list[str] = []
    if group != EVERYONE:
        st.session_state.dash_group_values = [
            v for v in st.session_state.dash_group_values if v in DIMENSIONS[group].categories
        ]
        group_values = st.multiselect(DIMENSIONS[group].label, DIMENSIONS[group].categories,
                                      key="dash_group_values", placeholder="Choose one or more")
    easy_read = int((frame[VERSION_COLUMN] == EASY_READ).sum()) if VERSION_COLUMN in frame else 0
    form_version = st.selectbox("Survey version", list(VERSIONS), format_func=VERSIONS.get,
                                key="dash_version") if VERSION_COLUMN in frame else "both"
    synthetic = int(frame["is_synthetic"].sum()) if len(frame) else 0
    include_synthetic = st.toggle("Include synthetic demo responses", key="dash_synthetic") if synthetic else True

st.title("Insight dashboard")
st.caption(form.title)
synthetic_notice(synthetic, len(frame))
if easy_read:
    easy_shown = shown_count(easy_read)  # as the report does: a handful could be people one might pick out
    st.caption(f"{'Some' if easy_shown is None else f'{easy_shown:,.0f}'} of these {len(frame):,} responses came "
               "through the Easy Read version; their "
               "answers are counted as this survey's, as the Easy Read form's stated mapping says (choose "
               "“Survey version” to see one version).")
for sentence in not_counted_for(url, slug, version).sentences():
    st.info(sentence, icon=":material/pending_actions:")
section_label = st.segmented_control("Show", list(SECTIONS.values()), key="dash_section") or "Priorities"
section = next(key for key, label in SECTIONS.items() if label == section_label)
breakdown = st.selectbox(
    "Side by side by", [WHOLE_AREA, *DIMENSIONS], key="dash_by",
    format_func=lambda d: "Whole area only" if d == WHOLE_AREA else DIMENSIONS[d].label,
) if section in ("priorities", "themes") else st.session_state.dash_by
weighted = st.toggle(
    "Weight to Census 2021 (place, age band and sex; ethnic group where the numbers allow)", key="dash_weighted"
) if section == "priorities" else st.session_state.dash_weighted

view = DashboardView(
    survey=slug,
    section=section,
    date_from=dates[0] if len(dates) > 0 else None,
    date_to=dates[1] if len(dates) > 1 else None,
    channels=tuple(channels),
    place_scheme=scheme,
    places=tuple(places),
    group=None if group == EVERYONE else group,
    group_values=tuple(group_values),
    breakdown=None if breakdown == WHOLE_AREA else breakdown,
    include_synthetic=include_synthetic,
    weighted=bool(weighted),
    form_version=form_version,
)
st.query_params.from_dict(view_to_query(view, DEFAULT_FORM_SLUG))
if described := describe_filters(view):
    st.caption(described)
st.info(NOT_YET_REPRESENTATIVE, icon=":material/info:")


def responses_metric(responses: int) -> None:
    """How many responses the view is about: a count of people like any other, so 1 to 4 shows as "*"."""
    shown = shown_count(responses)
    st.metric("Responses", MARK if shown is None else f"{shown:,.0f}")
    if shown is None:
        st.caption(footnote())


def show_footnote(*tables: pd.DataFrame | None) -> None:
    """The suppression footnote under any table that hides a figure."""
    if any(t is not None and not t.empty and (t["suppressed"].any() or t["suppression_note"].ne("").any())
           for t in tables):
        st.caption(footnote())


def figures_table(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    percents = tuple(c for c in ("pct", "ci_low", "ci_high", "rest_pct", "weighted_pct") if c in columns)
    return readable_table(table, columns, percents=percents,
                          counts=tuple(c for c in ("n", "effective_n") if c in columns))


def priorities_section(view: DashboardView) -> None:
    result = priorities_for(url, slug, version, view)
    responses_metric(result.responses)
    if not result.responses:
        st.info(result.message, icon=":material/filter_alt_off:")
        return
    if result.weighting_problem:
        st.warning(result.weighting_problem)
    st.header("Everyone chosen" if view.is_filtered else "Whole area", divider="blue")
    st.caption("% Important or Very important, with its 95% interval (Wilson), and the full spread of answers: "
               "bars left of the line are 'not important', right of it 'important', the neutral answer across it. "
               "* after a priority: a few answers are hidden to protect the people who gave them, and are not "
               "drawn.")
    bars = whole_area_charts(url, slug, version, replace(view.filters, weighted=view.weighted))
    for part, grid in rating_grids(form):
        items = result.whole[result.whole["item_id"].isin([i.id for i in grid.items or []])]
        st.subheader(part.title)
        st.caption(f"“{grid.text}”")
        st.vega_lite_chart(spec=bars[grid.id])
        columns = {"item": "Priority", "n": "Respondents", "pct": "% Important or Very important",
                   "ci_low": "95% interval from", "ci_high": "95% interval to"}
        if result.weighting is not None:
            columns.update({"weighted_pct": "Weighted %", "effective_n": "Effective n (Kish)"})
        st.dataframe(figures_table(items, columns), hide_index=True)
    show_footnote(result.whole)
    if result.weighting is not None:
        weighting_details(result)
    if result.by_group is None:
        st.caption("Choose “Side by side by” to compare places or groups.")
        return
    label = DIMENSIONS[view.breakdown].label
    st.header(f"By {label.lower()}", divider="blue")
    if result.message:
        st.info(result.message, icon=":material/visibility_off:")
    else:
        st.caption("Each dot is a group's % Important or Very important with its 95% interval. Blue: higher than "
                   "everyone else who rated the item, red: lower (two-proportion z-test, Holm-adjusted across "
                   "every group and item here, adjusted p < 0.05). * = not shown: too few people, or hidden so "
                   "that a smaller group's figures cannot be worked out.")
        st.vega_lite_chart(spec=group_chart(url, slug, version, view))
    if result.differences:
        st.subheader("Differences that are unlikely to be chance")
        for sentence in result.differences:
            st.text(f"• {sentence}")
    elif not result.message:
        st.text("No group differs from the rest by more than chance would explain.")
    columns = {"item": "Priority", "group": label, "n": "Respondents", "pct": "% Important or Very important",
               "ci_low": "95% interval from", "ci_high": "95% interval to", "rest_pct": "The rest"}
    if result.weighting is not None:
        columns.update({"weighted_pct": "Weighted %", "effective_n": "Effective n (Kish)"})
    with st.expander(f"Table: every item by {label.lower()}"):
        st.dataframe(figures_table(result.by_group, columns), hide_index=True)
    show_footnote(result.by_group)


def weighting_details(result: Priorities) -> None:
    weighting = result.weighting
    st.subheader("Weighting")
    left, right, third = st.columns(3)
    left.metric("Responses weighted", f"{weighting.weighted_n:,}")
    right.metric("Effective sample size (Kish)", f"{weighting.effective_n:,.0f}")
    third.metric("Design effect", f"{weighting.design_effect:.2f}")
    for note in weighting.notes:
        st.caption(note)
    if weighting.excluded:
        st.caption("Not weighted (weight 1), because they did not say: " + "; ".join(
            f"{reason}: {count:,}" for reason, count in weighting.excluded.items()))
    with st.expander("Weighted against Census 2021, by variable"):
        st.dataframe(readable_table(result.weighting_margins, {
            "variable": "Variable", "category": "Group", "target_share": "Census 2021",
            "sample_share": "Respondents (unweighted)", "weighted_share": "Respondents (weighted)"},
            shares=("target_share", "sample_share", "weighted_share")), hide_index=True)
        show_footnote(result.weighting_margins)


def people_section(view: DashboardView) -> None:
    result = who_answered_for(url, slug, version, view)
    responses_metric(result.responses)
    if not result.responses:
        st.info(result.message, icon=":material/filter_alt_off:")
        return
    st.header("Who answered, against who lives here", divider="blue")
    st.warning(result.caveat, icon=":material/groups:")
    st.altair_chart(charts.representativeness_chart(result.table))
    with st.expander("Table: respondents and Census 2021 by group"):
        st.dataframe(readable_table(result.table, {
            "variable_label": "Variable", "category": "Group", "sample_n": "Respondents",
            "sample_share": "% of respondents", "population_share": "% of residents (Census 2021)"},
            counts=("sample_n",), shares=("sample_share", "population_share")), hide_index=True)
    show_footnote(result.table)
    st.caption("“Prefer not to say”, “Not answered”, “Somewhere else” and “Under 16” are counted but left out "
               "of the shares. A group is under-represented when its share of respondents is below four-fifths "
               "of its share of residents.")


def coverage_section(view: DashboardView) -> None:
    result = coverage_for(url, slug, version, view)
    if result is None:
        st.info("No responses match these filters. Widen the dates, channels, places or groups to see figures.",
                icon=":material/filter_alt_off:")
        return
    responses_metric(result.responses)
    st.header("Against the campaign targets", divider="blue")
    st.altair_chart(charts.target_chart(result.targets))
    st.dataframe(readable_table(result.targets, {"label": "Campaign target", "channels": "Counts", "target": "Target",
                                                 "responses": "Responses", "still_needed": "Still needed"},
                                counts=("target", "responses", "still_needed")), hide_index=True)
    st.header("Responses over time", divider="blue")
    st.altair_chart(charts.weekly_chart(result.weekly, "channel", "By channel, per week"))
    st.altair_chart(charts.weekly_chart(result.weekly, "place", "By place, per week"))
    show_footnote(result.weekly)
    st.header("Seldom-heard groups by place", divider="blue")
    st.caption("People can be in several groups. Counts under 5 are hidden so no one can be picked out.")
    table = result.seldom_heard.pivot(index="place", columns="group", values="responses")
    table = table.reindex(index=list(dict.fromkeys(result.seldom_heard["place"])),
                          columns=list(dict.fromkeys(result.seldom_heard["group"])))
    st.dataframe(table.map(lambda v: "*" if pd.isna(v) else f"{int(v):,}"))
    show_footnote(result.seldom_heard)


def themes_section(view: DashboardView) -> None:
    questions = [q for q in form.free_text_questions() if q.codebook]
    if not questions:
        st.info("This survey has no free-text question with a codebook, so there are no themes.")
        return
    question_id = st.selectbox("Question", [q.id for q in questions], key="dash_question",
                               format_func=lambda qid: form.question(qid).text)
    result = themes_for(url, slug, version, view, question_id)
    if result.whole.empty:
        st.info(result.message or "No themes have been found in these answers yet.", icon=":material/forum:")
        return
    st.header("Whole area", divider="blue")
    review = (" Open “Comments and themes” to analyse new answers and review the coding."
              if user.has_any(*PAGE_ROLES["comments"]) else "")
    st.caption("% of respondents who answered the question and mention the theme (one answer can mention "
               f"several).{review}")
    st.altair_chart(charts.theme_bars(result.whole))
    show_footnote(result.whole)
    if result.by_group is None:
        return
    label = DIMENSIONS[view.breakdown].label
    st.header(f"By {label.lower()}", divider="blue")
    if result.message:
        st.info(result.message, icon=":material/visibility_off:")
        return
    st.altair_chart(charts.group_dots(result.by_group, facet="theme", measure="% mentioning"))
    for sentence in result.differences:
        st.text(f"• {sentence}")
    show_footnote(result.by_group)


{"priorities": priorities_section, "people": people_section, "coverage": coverage_section,
 "themes": themes_section}[section](view)

# Drawn: now see whether anyone has added, changed or deleted a response since, and if so draw again with it.
if (latest := current_version(url, slug)) != version:
    seen[(url, slug)] = latest
    st.rerun()
