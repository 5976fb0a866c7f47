"""The insight dashboard, driven with AppTest: each view, filters kept in the page address, suppression shown as
"*", breakdowns by place and by a group, plain sentences for differences and for empty results, weighting."""

from __future__ import annotations

import time

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import engagement.analysis.easy_read as easy_read
import engagement.analysis.tidy as tidy
from engagement.demo import add_demo_responses
from engagement.intake import Provenance, submit_many
from tests.conftest import valid_answers
from tests.pages import open_page as open_signed_in


def open_page(name: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """The page as a signed-in analyst opens it, from a link with these query parameters."""
    app = open_signed_in(name, roles=("analyst",), run=False)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_reruns_and_filter_changes_reuse_the_loaded_respondents_and_never_build_the_tidy_frame(
    session, form, db_url, monkeypatch
):
    """Found: every click rebuilt the 2.45-million-row tidy frame (49 s at 100,000 responses)."""
    add_demo_responses(session, form, 60, seed=2)

    def no_tidy(*args, **kwargs):
        raise AssertionError("the dashboard must not build the tidy answer frame")

    monkeypatch.setattr(tidy, "tidy_answers", no_tidy)
    loads = []
    real = easy_read.respondent_frame
    monkeypatch.setattr(easy_read, "respondent_frame",
                        lambda e, f, *a, **k: loads.append(f.slug) or real(e, f, *a, **k))
    app = open_page("dashboard")
    app.selectbox(key="dash_by").set_value("sex").run()
    app.multiselect(key="dash_channels").set_value(["online"]).run()
    app.run()
    assert not app.exception, app.exception
    assert loads == [form.slug, f"{form.slug}-easy-read"]  # each version loaded once


MANSFIELD, NOTTINGHAM, BASSETLAW, GEDLING = "E07000174", "E06000018", "E07000171", "E07000173"


@pytest.fixture
def known_answers(session, form):
    """40 people in Mansfield who find digital innovation unimportant, 60 in Nottingham who find it very
    important, 3 in Bassetlaw (too few to show) and 12 in Gedling, neither (Bassetlaw's number is hidden with
    the next smallest place's, Gedling's, or it would be the total less the others); women and men split evenly
    in each place."""
    rows = []
    for place, count, rating in ((MANSFIELD, 40, "1"), (NOTTINGHAM, 60, "5"), (BASSETLAW, 3, "4"),
                                 (GEDLING, 12, "3")):
        for number in range(count):
            sex = "female" if number % 2 else "male"
            rows.append((valid_answers(district=place, digital_innovation=rating, sex=sex, age=30 + number % 40),
                         Provenance(channel="online" if number % 3 else "event")))
    submit_many(session, form, rows)


def test_priorities_whole_area_shows_n_and_percent_with_interval(known_answers):
    app = open_page("dashboard")
    assert app.metric[0].value == "115"
    assert any("not yet representative" in i.value.lower() for i in app.info)
    table = pd.concat([d.value for d in app.dataframe]).set_index("Priority")
    digital = table.loc["Digital innovation in healthcare"]
    assert digital["Respondents"] == "115" and digital["% Important or Very important"] == "55%"
    assert len(app.get("vega_lite_chart")) >= 2


def test_breakdown_by_place_says_which_place_differs_and_hides_the_small_one(known_answers):
    app = open_page("dashboard")
    app.selectbox(key="dash_by").set_value("place").run()
    assert not app.exception, app.exception
    sentences = [t.value for t in app.text]
    assert any(s.startswith("• Mansfield rates Digital innovation in healthcare lower than the rest of the area: 0% "
                            "vs ") for s in sentences), sentences
    table = app.dataframe[-1].value
    bassetlaw = table[(table["Local authority area"] == "Bassetlaw")
                      & (table["Priority"] == "Digital innovation in healthcare")].iloc[0]
    assert bassetlaw["% Important or Very important"] == "*"
    assert any(c.value.startswith("* Not shown, to protect the people who answered") for c in app.caption)
    assert app.query_params["by"] == "place"


def test_breakdown_by_a_group(known_answers):
    app = open_page("dashboard", {"by": "sex"})
    assert app.selectbox(key="dash_by").value == "sex"
    table = app.dataframe[-1].value
    assert set(table["Sex"]) == {"Female", "Male"}
    assert any(h.value == "By sex" for h in app.header)


def test_filters_live_in_the_page_address_and_reopen_the_same_view(known_answers):
    app = open_page("dashboard")
    app.multiselect(key="dash_places").set_value(["Mansfield"]).run()
    app.multiselect(key="dash_channels").set_value(["event"]).run()
    assert app.query_params["place"] == "Mansfield" and app.query_params["channel"] == "event"
    assert app.metric[0].value == "14"
    shared = {key: app.query_params[key] for key in app.query_params}
    reopened = open_page("dashboard", shared)
    assert reopened.metric[0].value == "14"
    assert reopened.multiselect(key="dash_places").value == ["Mansfield"]


def test_a_filter_with_no_responses_says_so(known_answers):
    app = open_page("dashboard", {"place": "Rushcliffe"})
    assert app.metric[0].value == "0"
    assert any("No responses match these filters" in i.value for i in app.info)
    assert not app.get("vega_lite_chart")


def test_a_breakdown_where_every_group_is_suppressed_says_so(session, form):
    submit_many(session, form, [(valid_answers(district=p), Provenance()) for p in (MANSFIELD, NOTTINGHAM) * 4])
    app = open_page("dashboard", {"by": "place"})
    assert any("fewer than 10 people" in i.value for i in app.info)


def test_a_bad_link_gets_plain_sentences_not_a_traceback(known_answers):
    app = open_page("dashboard", {"by": "shoe_size", "from": "yesterday", "place": "Atlantis"})
    warnings = " ".join(w.value for w in app.warning)
    assert "'shoe_size' is not a breakdown" in warnings and "'yesterday'" in warnings and "'Atlantis'" in warnings
    assert app.metric[0].value == "115"


def test_weighting_is_off_by_default_and_shows_weighted_beside_unweighted(session, form):
    add_demo_responses(session, form, 3000, seed=7)
    app = open_page("dashboard")
    assert not app.toggle(key="dash_weighted").value
    assert "Weighted %" not in app.dataframe[0].value.columns
    app.toggle(key="dash_weighted").set_value(True).run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert {"% Important or Very important", "Weighted %", "Effective n (Kish)"} <= set(table.columns)
    labels = [m.label for m in app.metric]
    assert "Effective sample size (Kish)" in labels and "Design effect" in labels
    assert app.query_params["weighted"] == "1"


def test_who_answered_view_compares_with_census_and_words_the_caveat(session, form):
    add_demo_responses(session, form, 300, seed=8)
    app = open_page("dashboard", {"view": "people"})
    assert any(w.value.startswith("Based on 300 responses") for w in app.warning)
    assert any("Synthetic demo data" in w.value for w in app.warning)
    # Found by a new-user review: under a filter, "600 of these 622" read as if it counted the filtered responses.
    assert any("300 of the 300 responses to this survey were made up" in w.value for w in app.warning)
    table = app.dataframe[0].value
    assert {"% of respondents", "% of residents (Census 2021)"} <= set(table.columns)
    assert app.get("vega_lite_chart")


def test_coverage_view_shows_targets_and_seldom_heard_groups_by_place_with_small_counts_hidden(session, form):
    add_demo_responses(session, form, 120, seed=9)
    app = open_page("dashboard", {"view": "coverage"})
    targets = app.dataframe[0].value
    assert list(targets["Campaign target"]) == ["All responses", "Through Healthwatch"]
    healthwatch = targets.set_index("Campaign target").loc["Through Healthwatch"]
    assert int(healthwatch["Responses"].replace(",", "")) > 0  # paper forms count towards it
    seldom = app.dataframe[-1].value
    assert "*" in seldom.to_numpy()
    assert any(c.value.startswith("* Not shown") for c in app.caption)


def test_themes_view_before_any_comment_is_analysed_says_so(known_answers):
    app = open_page("dashboard", {"view": "themes"})
    assert any("have been analysed yet" in i.value for i in app.info)


def test_weighting_that_cannot_be_done_yet_says_why(session, form):
    add_demo_responses(session, form, 60, seed=7)
    app = open_page("dashboard", {"weighted": "1"})
    assert any(w.value.startswith("Weighting is not possible here: ") for w in app.warning)
    assert "Weighted %" not in app.dataframe[0].value.columns


def test_themes_view_shows_percent_mentioning_and_says_when_every_group_is_too_small(session, form, db_url):
    from engagement.db import get_engine
    from engagement.free_text.job import analyse_pending

    add_demo_responses(session, form, 40, seed=4)
    analyse_pending(get_engine(db_url), form)
    app = open_page("dashboard", {"view": "themes", "by": "place"})
    assert any(h.value == "Whole area" for h in app.header)
    assert app.get("vega_lite_chart")
    assert any("fewer than 10 people who answered" in i.value for i in app.info)


def test_the_themes_view_points_only_analysts_to_the_comments_page(session, form, db_url):
    """Found when this was tried: communications staff were told to open "Comments and themes", a page their
    role does not have."""
    from engagement.db import get_engine
    from engagement.free_text.job import analyse_pending

    add_demo_responses(session, form, 20, seed=5)
    analyse_pending(get_engine(db_url), form)
    for roles, pointed in ((("comms",), False), (("analyst",), True)):
        app = open_signed_in("dashboard", roles=roles, run=False)
        app.query_params["view"] = "themes"
        app.run()
        assert any(h.value == "Whole area" for h in app.header)
        assert any("Comments and themes" in c.value for c in app.caption) is pointed, roles


def test_responses_added_after_the_page_was_opened_show_on_the_next_click(session, form, known_answers):
    app = open_page("dashboard")
    assert app.metric[0].value == "115"
    add_demo_responses(session, form, 7, seed=1)
    time.sleep(2.1)  # the data version is re-read at most every 2 seconds
    app.run()
    assert app.metric[0].value == "122"


def test_an_item_with_a_hidden_answer_count_still_gets_its_bar_marked_with_a_star(session, form):
    from engagement.analysis.breakdowns import priority_breakdown
    from engagement.analysis.demographics import add_dimensions
    from engagement.analysis.respondents import respondent_frame
    from engagement.db import get_engine
    from engagement.reports.charts import priority_bars

    ratings = ["5"] * 30 + ["1"] * 2  # two people find digital innovation not important at all: hidden
    submit_many(session, form, [(valid_answers(digital_innovation=r), Provenance()) for r in ratings])
    frame = add_dimensions(respondent_frame(get_engine(), form), form)
    table = priority_breakdown(frame, form, None)
    chart = priority_bars(table, form).to_dict()
    labels = {row["item_label"] for rows in chart["datasets"].values() for row in rows if "item_label" in row}
    assert any(label.startswith("Digital innovation in healthcare * — ") for label in labels)
    # 30 of 32: the share would tell that two did not rate it important, so it reads "*" (the bar stays listed).
    assert "Digital innovation in healthcare * — * Important or Very important (n=32)" in labels


def test_items_too_few_people_rated_say_so_rather_than_no_ratings_yet(session, form):
    """Found by a new-user review: filtered to 5 people, the charts said "No ratings yet" above a table of n=5."""
    from engagement.analysis.breakdowns import priority_breakdown
    from engagement.analysis.demographics import add_dimensions
    from engagement.analysis.respondents import respondent_frame
    from engagement.db import get_engine
    from engagement.reports.charts import priority_bars

    submit_many(session, form, [(valid_answers(), Provenance()) for _ in range(5)])
    table = priority_breakdown(add_dimensions(respondent_frame(get_engine(), form), form), form, None)
    texts = [row["text"] for rows in priority_bars(table, form).to_dict()["datasets"].values() for row in rows]
    assert texts == ["Fewer than 10 people rated these: not shown, to protect them"]


def test_a_link_with_dates_outside_the_data_matches_nobody_without_an_error(known_answers):
    app = open_page("dashboard", {"from": "2019-03-04", "to": "2019-04-26"})
    assert app.metric[0].value == "0"
    assert any("No responses match these filters" in i.value for i in app.info)
    assert any("answered from 4 March 2019 to 26 April 2019" in c.value for c in app.caption)


def test_moving_between_views_keeps_the_chosen_breakdown(known_answers):
    app = open_page("dashboard", {"by": "place"})
    app.button_group(key="dash_section").set_value("Coverage and targets").run()
    app.run()
    assert not app.exception, app.exception
    assert app.query_params["view"] == "coverage" and app.query_params["by"] == "place"
    app.button_group(key="dash_section").set_value("Priorities").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="dash_by").value == "place"


def test_the_charts_drawn_from_cached_specs_pass_the_vega_lite_schema(known_answers, form):
    """The dashboard converts its priority charts without Altair's schema check (it cost 30-60 ms a chart on
    every new filter); this is where they are checked."""
    from engagement.analysis.breakdowns import priority_breakdown
    from engagement.analysis.demographics import add_dimensions
    from engagement.analysis.respondents import respondent_frame
    from engagement.db import get_engine
    from engagement.reports.charts import group_dots, priority_bars

    frame = add_dimensions(respondent_frame(get_engine(), form), form)
    for dimension in ("place", "sex", "seldom_heard"):
        group_dots(priority_breakdown(frame, form, dimension)).to_dict(validate=True)
    priority_bars(priority_breakdown(frame, form, None), form).to_dict(validate=True)
    priority_bars(priority_breakdown(frame.head(5), form, None), form).to_dict(validate=True)


def test_a_handful_of_easy_read_responses_is_not_counted_out_on_the_dashboard(session, form, known_answers):
    from engagement.forms import easy_read_version
    from tests.test_counted_responses import easy_read_answers

    submit_many(session, easy_read_version(form.slug), [(easy_read_answers(), Provenance()) for _ in range(3)])
    app = open_page("dashboard")
    said = [c.value for c in app.caption if "through the Easy Read version" in c.value]
    assert said and said[0].startswith("Some of these 118 responses came through the Easy Read version")


def test_weekly_charts_with_every_week_hidden_say_so(form):
    """Found by a new-user review: under a narrow filter the weekly charts were empty with a "0.000000" axis."""
    from engagement.reports.charts import weekly_chart

    weekly = pd.DataFrame({"week_start": ["2019-03-04"], "dimension": ["channel"], "group": ["Online survey"],
                           "responses": [float("nan")]})
    chart = weekly_chart(weekly, "channel", "By channel, per week").to_dict()
    texts = [row["text"] for rows in chart["datasets"].values() for row in rows]
    assert texts == ["By channel, per week: too few responses in any week to show"]

