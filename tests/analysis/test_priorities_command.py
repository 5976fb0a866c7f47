"""`engagement priorities` as other tools use it: JSON shape, suppression in the JSON, plain errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engagement.cli import main

FIELDS = {"dimension", "group", "item_id", "n", "top_box_n", "pct", "ci_low", "ci_high", "suppressed", "p_adjusted",
          "significant"}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def demo_db(db_url):
    assert run("demo", "--responses", "400", "--seed", "7").exit_code == 0
    return db_url


def _json(*args: str) -> list[dict]:
    result = run("priorities", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_whole_area_is_one_row_per_item(demo_db):
    rows = _json()
    assert len(rows) == 8 and {r["dimension"] for r in rows} == {"all"}
    for row in rows:
        assert set(row) >= FIELDS and row["n"] == 400
        assert row["significant"] is False and row["suppressed"] is False and row["p_adjusted"] is None
        if row["pct"] is not None:
            assert 0 <= row["ci_low"] <= row["pct"] <= row["ci_high"] <= 100
            assert row["n"] - row["top_box_n"] == 0 or row["n"] - row["top_box_n"] >= 5
    # 1 to 4 of the 400 did not rate one item important: its share would tell that number, so it is hidden.
    hidden = [row for row in rows if row["pct"] is None]
    assert [row["item_id"] for row in hidden] == ["supporting_our_workforce"]
    assert hidden[0]["suppression_note"] == "Some small counts hidden (*)" and hidden[0]["top_box_n"] is None


def test_breakdown_by_place_has_every_group_and_item(demo_db):
    rows = _json("--by", "place")
    assert {r["dimension"] for r in rows} == {"place"}
    groups = {r["group"] for r in rows}
    assert {"Nottingham", "Mansfield", "Bassetlaw"} <= groups
    assert len(rows) == 8 * len(groups)
    assert all(isinstance(r["significant"], bool) and isinstance(r["suppressed"], bool) for r in rows)


def test_suppressed_rows_have_null_for_every_hidden_figure(demo_db):
    rows = _json("--by", "ethnic_group_detailed")
    suppressed = [r for r in rows if r["suppressed"]]
    assert suppressed, "some of the 19 ethnic groups are small in 400 responses"
    for row in suppressed:
        assert [row[k] for k in ("top_box_n", "pct", "ci_low", "ci_high", "p_adjusted", "rest_pct")] == [None] * 6
        assert set(row["counts"].values()) == {None} and row["significant"] is False
        assert row["n"] is None or row["n"] >= 5
    shown = [r for r in rows if not r["suppressed"]]
    assert all(r["n"] >= 10 for r in shown)
    for row in shown:
        assert all(count is None or count == 0 or count >= 5 for count in row["counts"].values())
        if row["top_box_n"] is not None:
            assert row["n"] - row["top_box_n"] == 0 or row["n"] - row["top_box_n"] >= 5


def test_seldom_heard_groups_by_name(demo_db):
    groups = {r["group"] for r in _json("--by", "seldom_heard")}
    assert groups <= {"Deaf people", "LGBT+ people", "People with a learning disability", "Carers", "Students",
                      "Men aged 20-40"} and "Carers" in groups


def test_list_dimensions():
    result = run("priorities", "--list-dimensions")
    names = [line.split("\t")[0] for line in result.output.splitlines()]
    for name in ("place", "icp_2019", "pbp_2023", "channel", "age_band", "sex", "ethnic_group",
                 "ethnic_group_detailed", "disability", "sexual_orientation", "lgbt", "religion", "carer",
                 "respondent_type", "seldom_heard"):
        assert name in names


def test_unknown_dimension_is_a_plain_error(db_url):
    result = run("priorities", "--by", "postcode", "--json")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "'postcode' is not a dimension; use one of: place, icp_2019" in result.output


def test_no_responses_is_a_plain_sentence(db_url):
    result = run("priorities", "--by", "place")
    assert result.exit_code == 0 and "no responses" in result.output
    result = run("priorities", "--json")
    assert json.loads(result.stdout) == [] and "no responses" in result.stderr


def test_unknown_survey_is_a_plain_error(db_url):
    result = run("priorities", "--survey", "no-such-survey")
    assert result.exit_code != 0 and "There is no survey 'no-such-survey'" in result.output


def test_weighted_adds_weighted_percentage_and_effective_n(db_url):
    assert run("demo", "--responses", "1500", "--seed", "7").exit_code == 0  # enough to fill every Census cell
    whole = _json("--weighted")
    for row in whole:
        assert 0 <= row["weighted_pct"] <= 100 and 0 < row["effective_n"] < row["n"]
    by_group = _json("--by", "ethnic_group_detailed", "--weighted")
    for row in by_group:
        if row["suppressed"]:
            assert row["weighted_pct"] is None and row["effective_n"] is None
    assert "weighted_pct" not in _json()[0]


def test_weighted_says_plainly_when_responses_are_too_few_to_weight(demo_db):
    result = run("priorities", "--weighted", "--json")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith("Error: Could not weight these responses: ")


def test_every_group_suppressed_or_empty_gets_a_plain_sentence(db_url):
    assert run("demo", "--responses", "8", "--seed", "3").exit_code == 0
    result = run("priorities", "--by", "ethnic_group_detailed")
    assert result.exit_code == 0 and "too small to show" in result.output
    result = run("priorities", "--by", "seldom_heard")
    assert result.exit_code == 0 and "Traceback" not in result.output
