"""Likely duplicates across channels: flagged for a person to decide, never dropped; the decision is kept with
who and when, audited, and a response decided to be the same person as another is not counted."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import engagement.duplicates as duplicates
from engagement.analysis.counted import not_counted
from engagement.analysis.respondents import respondent_frame
from engagement.audit import audit_events
from engagement.cli import main
from engagement.db import get_engine
from engagement.duplicates import DuplicateError, decide, find_likely_duplicates
from engagement.forms import easy_read_version
from engagement.intake import Provenance, submit_response
from tests.conftest import valid_answers
from tests.test_counted_responses import easy_read_answers

NOTTINGHAM, MANSFIELD = "E06000018", "E07000174"
WORDS = "Getting a GP appointment is impossible, I rang every morning for two weeks"


def person(session, form, channel="online", text=WORDS, **answers):
    details = {"district": NOTTINGHAM, "age": "67", "sex": "female", "what_matters": text, **answers}
    provenance = Provenance(channel=channel, entered_by="vol-a" if channel == "paper" else None,
                            paper_reference=f"HW-{channel}-{answers.get('age', '67')}-{len(text)}"
                            if channel == "paper" else None)
    return submit_response(session, form, valid_answers(**details), provenance)


@pytest.fixture
def one_person_twice(session, form):
    """The same woman online and on a paper form at an event (a typo and a full stop apart), and people who
    only look like her."""
    online = person(session, form, ethnic_group="white_british")
    paper = person(session, form, channel="paper", text=WORDS.replace("impossible", "imposible") + ".",
                   ethnic_group="white_british")
    person(session, form, age="68")  # another age
    person(session, form, district=MANSFIELD)  # another place
    person(session, form, text="The nurses at the walk-in centre were kind and quick to see me")  # other words
    undisclosed = person(session, form)  # did not say her ethnic group: could be her
    other = person(session, form, channel="event", ethnic_group="asian_indian", text=WORDS)
    person(session, form, text="GP")
    person(session, form, channel="event", text="GP")  # too short to tell two people apart
    return SimpleNamespace(online=online, paper=paper, undisclosed=undisclosed, other=other)


def test_the_same_person_on_two_channels_is_flagged_and_people_who_only_look_alike_are_not(
    session, form, db_url, one_person_twice
):
    online, paper = one_person_twice.online, one_person_twice.paper
    pairs = find_likely_duplicates(get_engine(db_url), form)
    flagged = {frozenset(p) for p in pairs[["first_reference", "second_reference"]].itertuples(index=False)}
    assert frozenset((online.reference, paper.reference)) in flagged
    pair = pairs[(pairs["first_reference"] == online.reference) & (pairs["second_reference"] == paper.reference)]
    assert pair[["first_channel", "second_channel", "place", "age", "sex"]].values.tolist() == [
        ["online", "paper", "Nottingham", "67", "female"]]
    assert pair["similarity"].iloc[0] >= 90 and pair["decision"].isna().all()
    # The one who did not say her ethnic group can still be her; the one who gave another cannot.
    for her in (online, paper):
        assert frozenset((her.reference, one_person_twice.undisclosed.reference)) in flagged
        assert frozenset((her.reference, one_person_twice.other.reference)) not in flagged
    assert len(flagged) == 4  # the three who could be her, and the one who did not say with the other
    # Flagged is not dropped: every response still counts until a person decides.
    assert len(respondent_frame(get_engine(db_url), form)) == 9


def test_the_same_person_answering_the_easy_read_version_is_flagged_too(session, form, db_url):
    online = person(session, form)
    easy = submit_response(session, easy_read_version(form.slug), easy_read_answers(
        age="67", sex="female", what_matters=WORDS.lower()), Provenance(channel="online"))
    pairs = find_likely_duplicates(get_engine(db_url), form)
    assert pairs[["first_reference", "second_reference", "first_version", "second_version"]].values.tolist() == [
        [online.reference, easy.reference, "Standard", "Easy Read"]]


def test_deciding_the_same_person_counts_them_once_and_keeps_who_and_when(session, form, db_url, one_person_twice):
    online, paper = one_person_twice.online, one_person_twice.paper
    engine = get_engine(db_url)
    decide(session, form.slug, paper.id, online.id, "same_person", kept_id=paper.id, similarity=96.0,
           actor="analyst-1", via="test")
    counted = respondent_frame(engine, form)
    assert len(counted) == 8 and online.reference not in set(counted["reference"])
    assert paper.reference in set(counted["reference"])
    assert not_counted(engine, (form.slug,)).same_person == 1
    pairs = find_likely_duplicates(engine, form).set_index(["first_reference", "second_reference"])
    decided = pairs.loc[(online.reference, paper.reference)]
    assert (decided["decision"], decided["kept_reference"], decided["decided_by"]) == (
        "same_person", paper.reference, "analyst-1")
    event = audit_events(engine, actions=["duplicate_decided"]).iloc[0]
    assert event["actor"] == "analyst-1" and event["target_id"] == online.reference
    assert json.loads(event["details"]) == {"decision": "same_person", "kept": paper.reference,
                                            "other": paper.reference}

    # A change of mind is a new decision; the newest applies and the first stays on record.
    decide(session, form.slug, online.id, paper.id, "keep_both", similarity=96.0, actor="admin-1", via="test")
    assert len(respondent_frame(engine, form)) == 9
    assert len(audit_events(engine, actions=["duplicate_decided"])) == 2


def test_a_decision_that_would_count_a_person_nowhere_is_refused_in_plain_words(session, form, db_url):
    first, second, third = (person(session, form) for _ in range(3))
    decide(session, form.slug, first.id, second.id, "same_person", kept_id=first.id, similarity=100,
           actor="a", via="test")
    with pytest.raises(DuplicateError, match=f"{first.reference} is the one counted for {second.reference}"):
        decide(session, form.slug, first.id, third.id, "same_person", kept_id=third.id, similarity=100,
               actor="a", via="test")
    with pytest.raises(DuplicateError, match=f"{second.reference} is already counted as the same person as "
                                             f"{first.reference}"):
        decide(session, form.slug, second.id, third.id, "same_person", kept_id=second.id, similarity=100,
               actor="a", via="test")
    with pytest.raises(DuplicateError, match="Say which of the two"):
        decide(session, form.slug, first.id, third.id, "same_person", kept_id=None, similarity=100,
               actor="a", via="test")
    decide(session, form.slug, first.id, third.id, "same_person", kept_id=first.id, similarity=100,
           actor="a", via="test")
    assert respondent_frame(get_engine(db_url), form)["reference"].tolist() == [first.reference]


def test_written_answers_are_compared_only_within_a_place_age_and_sex_block(session, form, db_url, monkeypatch):
    """No comparison of every response with every other: 60 people in 6 blocks make blocks of 10."""
    from engagement.intake import submit_many

    rows = [(valid_answers(district=place, age=str(age), sex="male", what_matters=f"{WORDS} number {n}"),
             Provenance()) for place in (NOTTINGHAM, MANSFIELD) for age in (30, 40, 50) for n in range(10)]
    submit_many(session, form, rows)
    sizes = []
    real = duplicates.cdist
    monkeypatch.setattr(duplicates, "cdist", lambda a, b, **k: sizes.append((len(a), len(b))) or real(a, b, **k))
    pairs = find_likely_duplicates(get_engine(db_url), form)
    assert sizes == [(10, 10)] * 6
    assert len(pairs) == 6 * 45  # near-identical within each block: every pair there is flagged


def test_the_command_lists_pairs_as_json_and_records_a_decision(session, form, db_url, one_person_twice):
    online, paper = one_person_twice.online, one_person_twice.paper
    runner = CliRunner()
    result = runner.invoke(main, ["duplicates", "find", "--survey", form.slug, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["flagged"] == found["undecided"] == 4
    assert {"first_reference": online.reference, "second_reference": paper.reference} in [
        {k: p[k] for k in ("first_reference", "second_reference")} for p in found["pairs"]]
    assert "first_text" not in found["pairs"][0]  # the written answers stay out of the terminal's scrollback
    result = runner.invoke(main, ["duplicates", "decide", online.reference, paper.reference, "--same-person",
                                  "--keep", paper.reference])
    assert result.exit_code == 0, result.output
    assert "counted once" in result.output
    found = json.loads(runner.invoke(main, ["duplicates", "find", "--survey", form.slug, "--json"]).output)
    assert found["undecided"] == 3
    decided = [p for p in found["pairs"] if p["decision"]]
    assert [(p["first_reference"], p["kept_reference"]) for p in decided] == [(online.reference, paper.reference)]
    result = runner.invoke(main, ["duplicates", "decide", online.reference, "R-NOPE", "--keep-both"])
    assert result.exit_code != 0 and "No response has the reference R-NOPE" in result.output


def test_the_command_says_one_pair_in_the_singular(session, form, db_url):
    """Found when this was tried: "1 pairs of likely duplicates"."""
    person(session, form)
    person(session, form, channel="paper")
    result = CliRunner().invoke(main, ["duplicates", "find", "--survey", form.slug])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 pair of likely duplicates, 1 waiting for a decision (")


def test_people_who_did_not_say_their_place_or_sex_are_not_alike_for_that(session, form, db_url):
    for district, sex in (("prefer_not_to_say", "female"), ("outside_area", "female"),
                          (NOTTINGHAM, "prefer_not_to_say")):
        person(session, form, district=district, sex=sex)
        person(session, form, district=district, sex=sex)
    assert find_likely_duplicates(get_engine(db_url), form).empty


def test_no_responses_and_no_likely_duplicates_give_an_empty_list(session, form, db_url):
    assert find_likely_duplicates(get_engine(db_url), form).empty
    person(session, form)
    assert find_likely_duplicates(get_engine(db_url), form).empty


def test_the_export_summary_counts_a_person_decided_twice_once(session, form, db_url, one_person_twice):
    from engagement.reports.summary import Selection, respondents

    online, paper = one_person_twice.online, one_person_twice.paper
    engine = get_engine(db_url)
    assert len(respondents(engine, form, Selection())) == 9
    decide(session, form.slug, online.id, paper.id, "same_person", kept_id=online.id, similarity=97,
           actor="analyst-1", via="test")
    counted = respondents(engine, form, Selection())
    assert len(counted) == 8 and paper.reference not in set(counted["reference"])


def test_the_dashboard_says_how_many_responses_are_not_counted_as_duplicates(session, form, db_url,
                                                                            one_person_twice):
    import streamlit as st

    from tests.test_dashboard import open_page

    st.cache_data.clear()
    online, paper = one_person_twice.online, one_person_twice.paper
    decide(session, form.slug, online.id, paper.id, "same_person", kept_id=online.id, similarity=97,
           actor="analyst-1", via="test")
    app = open_page("dashboard")
    assert app.metric[0].value == "8"
    assert ("1 response is not counted: a person decided it is the same person as another response, which counts "
            "instead (see “Likely duplicates”).") in [i.value for i in app.info]
    st.cache_data.clear()
