"""The dashboard's view: read from and written to the page address, and which respondents it keeps."""

from __future__ import annotations

from datetime import date

import pandas as pd

from engagement.analysis.dashboard_view import DashboardView, filter_respondents, view_from_query, view_to_query
from engagement.analysis.demographics import add_dimensions
from tests.respondent_frames import respondent_frame

SURVEY = "what-matters-to-you-2019"


def test_a_view_survives_the_round_trip_through_the_address():
    view = DashboardView(survey=SURVEY, section="people", date_from=date(2019, 3, 4), date_to=date(2019, 4, 26),
                         channels=("paper", "event"), place_scheme="pbp_2023", places=("Mid Nottinghamshire",),
                         group="ethnic_group", group_values=("Asian or Asian British",),
                         breakdown="age_band", include_synthetic=False, weighted=True)
    query = view_to_query(view, SURVEY)
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    assert view_from_query(as_lists, [SURVEY], SURVEY) == view


def test_the_plain_view_has_a_short_address():
    assert view_to_query(DashboardView(survey=SURVEY), SURVEY) == {}


def test_unknown_values_are_left_out_with_a_sentence():
    view = view_from_query({"by": ["shoe_size"], "channel": ["carrier_pigeon"], "scheme": ["galaxy"],
                            "survey": ["nope"], "view": ["secrets"]}, [SURVEY], SURVEY)
    assert view == DashboardView(survey=SURVEY)
    assert len(view.problems) == 5 and all(p.endswith(".") for p in view.problems)


def test_filters_keep_the_chosen_respondents_with_uk_days(form):
    frame = add_dimensions(respondent_frame([
        {"place_code": "E07000174", "channel": "paper", "created_at": "2019-03-30T23:30:00Z"},  # 30 Mar UK
        {"place_code": "E07000174", "channel": "online", "created_at": "2019-03-31T23:30:00Z"},  # 1 Apr UK (BST)
        {"place_code": "E06000018", "channel": "paper", "created_at": "2019-04-01T12:00:00Z"},
    ]), form)
    view = DashboardView(survey=SURVEY, date_from=date(2019, 4, 1))
    assert list(filter_respondents(frame, view)["response_id"]) == [2, 3]
    view = DashboardView(survey=SURVEY, date_to=date(2019, 3, 31))
    assert list(filter_respondents(frame, view)["response_id"]) == [1]
    view = DashboardView(survey=SURVEY, channels=("paper",), places=("Mansfield",))
    assert list(filter_respondents(frame, view)["response_id"]) == [1]
    view = DashboardView(survey=SURVEY, place_scheme="icp_2019", places=("Nottingham City ICP",))
    assert list(filter_respondents(frame, view)["response_id"]) == [3]
    assert isinstance(filter_respondents(frame, DashboardView(survey=SURVEY)), pd.DataFrame)
