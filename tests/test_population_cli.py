"""`engagement weights` and `engagement coverage`, as an analyst would run them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from engagement.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_weights_json_meets_the_census_margins_on_demo_data(db_url):
    assert run("demo", "--responses", "1500", "--seed", "7").exit_code == 0
    result = run("weights", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"margins", "effective_n", "design_effect"}
    # Effective n is over every response (those kept at weight 1 too), so it is bounded by all 1,500, not by
    # the number raked.
    assert 0 < data["effective_n"] <= 1500 and 0 < data["weighted_n"] <= 1500
    assert data["design_effect"] >= 1
    assert data["design_effect"] == round(1500 / data["effective_n"], 4) or abs(
        data["design_effect"] - 1500 / data["effective_n"]
    ) < 1e-3
    margins = data["margins"]
    assert {"variable", "category", "target_share", "weighted_share", "sample_share"} <= set(margins[0])
    shown = [m for m in margins if m["weighted_share"] is not None]
    assert shown and all(abs(m["weighted_share"] - m["target_share"]) < 1e-6 for m in shown)
    variables = {m["variable"] for m in margins}
    assert {"place × age_band", "place × sex", "place", "age_band", "sex"} <= variables
    # Census shares are published figures: never hidden.
    assert all(m["target_share"] is not None for m in margins)


def test_coverage_json_counts_responses_against_each_target(db_url):
    assert run("demo", "--responses", "400", "--seed", "5").exit_code == 0
    stats = json.loads(run("stats", "--json").output)
    result = run("coverage", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    targets = {t["target_id"]: t for t in data["targets"]}
    assert targets["all"]["responses"] == 400 and targets["all"]["target"] == 1000
    healthwatch = stats["by_channel"].get("paper", 0) + stats["by_channel"].get("import", 0)
    assert targets["healthwatch"]["responses"] == healthwatch and targets["healthwatch"]["target"] == 500
    groups = {r["group"] for r in data["seldom_heard"]}
    assert groups == {"Deaf people", "LGBT+ people", "People with a learning disability", "Carers", "Students",
                      "Men aged 20-40"}
    places = {r["place"] for r in data["seldom_heard"]}
    assert {"All areas", "Nottingham", "Bassetlaw"} <= places
    assert data["caveat"].startswith("Based on 400 responses received by ")
    small = [r for r in data["seldom_heard"] if r["responses"] is None]
    assert all(r["percent"] is None for r in small)


def test_no_responses_and_unknown_surveys_get_a_plain_sentence(db_url):
    for command in ("weights", "coverage"):
        result = run(command, "--json")
        assert result.exit_code != 0
        assert "has no responses yet" in result.output
        assert "Traceback" not in result.output
        unknown = run(command, "--survey", "no-such-survey")
        assert unknown.exit_code != 0
        assert "There is no survey 'no-such-survey'" in unknown.output


def test_weights_says_plainly_when_responses_are_too_few_to_weight(db_url):
    assert run("demo", "--responses", "12", "--seed", "1").exit_code == 0
    result = run("weights")
    assert result.exit_code != 0
    assert "Cannot weight yet: no respondents in" in result.output
    assert "Traceback" not in result.output
