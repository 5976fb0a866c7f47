"""Found bug: "Somewhere else" and "Prefer not to say" for the place both became "Not stated or outside the area"."""

from __future__ import annotations

from engagement.analysis.counts import response_counts
from engagement.analysis.tidy import tidy_answers
from engagement.db import get_engine
from engagement.intake import Provenance, submit_many
from engagement.places import place_label
from tests.conftest import valid_answers


def test_somewhere_else_and_prefer_not_to_say_stay_apart(session, form, db_url):
    places = ["outside_area", "prefer_not_to_say", "E07000174", "outside_area"]
    submit_many(session, form, [(valid_answers(district=code), Provenance()) for code in places])
    engine = get_engine(db_url)
    shown = tidy_answers(engine, form).drop_duplicates("response_reference")["place"].value_counts().to_dict()
    assert shown == {"Somewhere else": 2, "Prefer not to say": 1, "Mansfield": 1}
    assert response_counts(engine)["by_place"] == {"Mansfield": 1, "Prefer not to say": 1, "Somewhere else": 2}


def test_place_labels_in_the_users_words():
    assert place_label("E06000018") == "Nottingham"
    assert place_label("outside_area") == "Somewhere else"
    assert place_label("prefer_not_to_say") == "Prefer not to say"
    assert place_label(None) == "Not answered"
