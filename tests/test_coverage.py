"""Coverage while fieldwork runs: targets, weekly responses by channel and place, seldom-heard groups by place."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from engagement.analysis.coverage import ALL_AREAS, coverage
from engagement.analysis.suppression import RULES
from engagement.forms import check_form_file
from survey_forms import FormFileError
from tests.respondent_frames import respondent_frame

NOTTINGHAM, MANSFIELD, BASSETLAW, GEDLING = "E06000018", "E07000174", "E07000171", "E07000173"


def test_the_shipped_form_carries_the_2019_targets(form):
    targets = {t.id: t for t in form.definition.targets}
    assert targets["all"].responses == 1000 and targets["all"].channels is None
    assert targets["healthwatch"].responses == 500
    assert targets["healthwatch"].channels == ["paper", "import"]


def test_responses_are_counted_against_each_target(form):
    frame = respondent_frame(
        [{"channel": "paper", "place_code": NOTTINGHAM}] * 7
        + [{"channel": "import", "place_code": MANSFIELD}] * 3
        + [{"channel": "online", "place_code": MANSFIELD}] * 20
        + [{"channel": "event", "place_code": BASSETLAW}] * 2
    )
    targets = coverage(frame, form).targets.set_index("target_id")
    assert targets.loc["all", ["target", "responses", "still_needed"]].tolist() == [1000, 32, 968]
    assert targets.loc["all", "percent_of_target"] == pytest.approx(3.2)
    healthwatch = targets.loc["healthwatch"]
    assert healthwatch[["target", "responses", "still_needed"]].tolist() == [500, 10, 490]
    assert healthwatch["channels"] == "Paper form (keyed in), Imported file"


def test_a_target_counting_an_unknown_channel_is_reported_when_the_form_is_checked(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("""\
        slug: bad
        version: 1
        title: Bad
        targets:
          - {id: healthwatch, label: Through Healthwatch, responses: 500, channels: [paper, carrier_pigeon]}
        sections:
          - id: s
            title: S
            questions:
              - {id: q, type: free_text, text: "Anything?"}
        """))
    with pytest.raises(FormFileError, match="'healthwatch' counts channel 'carrier_pigeon', which is not one of"):
        check_form_file(path)
    fixed = path.read_text().replace("carrier_pigeon", "paper").replace("id: healthwatch", "id: hw")
    path.write_text(fixed.replace("targets:\n", "targets:\n  - {id: hw, label: Again, responses: 5}\n"))
    with pytest.raises(FormFileError, match="target id 'hw' is used twice"):
        check_form_file(path)


def test_weeks_start_on_monday_in_uk_time_and_small_counts_are_hidden(form):
    # 23:30 UTC on Sunday 31 March 2019 is 00:30 on Monday 1 April in London (summer time).
    frame = respondent_frame(
        [{"created_at": "2019-03-31T23:30:00Z", "place_code": NOTTINGHAM}] * 12
        + [{"created_at": "2019-03-31T23:30:00Z", "place_code": MANSFIELD, "channel": "paper"}] * 3
        + [{"created_at": "2019-03-26T10:00:00Z", "place_code": NOTTINGHAM}] * 4
    )
    weekly = coverage(frame, form, rule=RULES["default"]).weekly
    places = weekly[weekly["dimension"].eq("place")].set_index(["week_start", "group"])
    april = pd.Timestamp("2019-04-01").date()
    march = pd.Timestamp("2019-03-25").date()
    assert places.loc[(april, "Nottingham"), "week_responses"] == 15
    # Mansfield's 3 is hidden, and so is Nottingham's 12, or 15 - 12 would give it away.
    assert places.loc[(april, "Mansfield"), ["responses"]].isna().all()
    assert places.loc[(april, "Nottingham"), ["responses"]].isna().all()
    # A week with fewer than 10 responses shows no breakdown at all.
    assert places.loc[(march, "Nottingham"), "suppressed"]
    assert pd.isna(places.loc[(march, "Nottingham"), "responses"])


def _seldom_heard_frame() -> pd.DataFrame:
    rows = (
        [{"place_code": NOTTINGHAM, "deaf": "deaf_bsl", "unpaid_carer": "yes_under_20"}] * 6
        + [{"place_code": NOTTINGHAM, "deaf": "no", "sex": "male", "age": "30"}] * 30
        + [{"place_code": MANSFIELD, "deaf": "deaf_bsl", "student": "yes"}] * 2
        + [{"place_code": MANSFIELD, "unpaid_carer": "yes_50_plus"}] * 20
        + [{"place_code": BASSETLAW, "learning_disability": "yes"}] * 4
        + [{"place_code": BASSETLAW, "learning_disability": "no"}] * 8
        + [{"place_code": GEDLING, "student": "yes"}] * 3
    )
    for column in ("deaf", "unpaid_carer", "student", "learning_disability"):
        for row in rows:
            row.setdefault(column, None)
    return respondent_frame(rows)


def test_seldom_heard_groups_are_counted_by_place_with_small_counts_hidden(form):
    table = coverage(_seldom_heard_frame(), form, rule=RULES["default"]).seldom_heard
    cells = table.set_index(["place", "group"])
    assert cells.loc[(ALL_AREAS, "Deaf people"), "responses"] == 8
    assert cells.loc[(ALL_AREAS, "Carers"), "responses"] == 26
    assert cells.loc[(ALL_AREAS, "Men aged 20-40"), "responses"] == 30
    assert cells.loc[("Mansfield", "Carers"), "responses"] == 20
    assert cells.loc[("Mansfield", "Carers"), "percent"] == pytest.approx(100 * 20 / 22)
    # Mansfield's 2 Deaf respondents are hidden, and at least one more place's count with them, so that
    # 8 minus the places shown cannot give Mansfield's number.
    assert pd.isna(cells.loc[("Mansfield", "Deaf people"), "responses"])
    deaf = table[table["group"].eq("Deaf people") & table["place"].ne(ALL_AREAS)]
    assert deaf["responses"].isna().sum() >= 2
    assert pd.isna(cells.loc[("Mansfield", "Deaf people"), "percent"])
    # 4 people with a learning disability, all in Bassetlaw: hidden there and in the all-areas total.
    assert pd.isna(cells.loc[("Bassetlaw", "People with a learning disability"), "responses"])
    assert pd.isna(cells.loc[(ALL_AREAS, "People with a learning disability"), "responses"])
    # Gedling has 3 respondents: nothing about its groups is shown.
    assert cells.loc[("Gedling", "Students"), "suppressed"]
    assert pd.isna(cells.loc[("Gedling", "Students"), "responses"])
    # Zero is shown: it identifies nobody.
    assert cells.loc[("Mansfield", "Men aged 20-40"), "responses"] == 0
    assert list(table["place"].unique()[:2]) == [ALL_AREAS, "Ashfield"]


def test_coverage_as_json_uses_null_for_hidden_figures(form):
    data = coverage(_seldom_heard_frame(), form, rule=RULES["default"]).as_json()
    assert data["responses"] == 73 and data["synthetic"] == 0
    deaf_mansfield = next(
        r for r in data["seldom_heard"] if r["place"] == "Mansfield" and r["group"] == "Deaf people"
    )
    assert deaf_mansfield["responses"] is None and deaf_mansfield["suppression_note"] == "Some small counts hidden (*)"
    assert {t["target_id"] for t in data["targets"]} == {"all", "healthwatch"}
    assert isinstance(data["weekly"][0]["week_start"], str)


def test_target_counts_of_one_to_four_are_hidden_with_what_reveals_them(form):
    """Found: filtered to Deaf BSL users in Bassetlaw, the targets read "All responses 4, still needed 996" and
    "Through Healthwatch 3 / 497"."""
    frame = respondent_frame([{"channel": "paper", "place_code": BASSETLAW}] * 3
                             + [{"channel": "online", "place_code": BASSETLAW}])
    targets = coverage(frame, form).targets.set_index("target_id")
    assert targets["responses"].isna().all()
    assert targets["still_needed"].isna().all() and targets["percent_of_target"].isna().all()
    assert targets["target"].notna().all()
