"""The "Likely duplicates" page: pairs listed for a person to decide on, side by side, and the decision saved
with who made it; analysts see written answers only as redacted by the free-text engine."""

from __future__ import annotations

import pytest
import streamlit as st

from engagement.analysis.respondents import respondent_frame
from engagement.audit import audit_events
from engagement.db import get_engine
from engagement.duplicates import decide
from tests.pages import open_page
from tests.test_duplicates import WORDS, one_person_twice  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def choose_pair(app, first: str, second: str) -> None:
    box = app.selectbox(key="dup_pair")
    box.select_index(next(i for i, label in enumerate(box.options) if first in label and second in label)).run()


def test_an_analyst_decides_a_pair_is_one_person_and_it_is_counted_once(form, db_url, one_person_twice):  # noqa: F811
    online, paper = one_person_twice.online, one_person_twice.paper
    app = open_page("duplicates", roles=("analyst",), username="analyst-1")
    assert [m.value for m in app.metric] == ["4", "4", "0"]
    table = app.dataframe[0].value
    assert [online.reference, paper.reference] in table[["Response", "Other response"]].values.tolist()
    choose_pair(app, online.reference, paper.reference)
    texts = [t.value for t in app.text]
    assert WORDS not in texts  # an analyst does not see written answers the engine has not redacted
    # Found when this was tried: the note said when the answers would show, not what to do to get there.
    assert texts.count("(Not shown until the written answers are analysed: open “Comments and themes”, which "
                       "analyses new answers in the background, then come back here.)") == 2
    app.radio(key="dup_choice").set_value("second").run()
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert any(f"Saved for {online.reference} and {paper.reference}" in s.value for s in app.success)
    assert [m.value for m in app.metric] == ["4", "3", "1"]
    engine = get_engine(db_url)
    assert online.reference not in set(respondent_frame(engine, form)["reference"])
    event = audit_events(engine, actions=["duplicate_decided"]).iloc[0]
    assert (event["actor"], event["via"]) == ("analyst-1", "page: Likely duplicates")


def test_an_administrator_reads_the_written_answers_and_a_refused_decision_says_why(
    session, form, db_url, one_person_twice  # noqa: F811
):
    online, paper = one_person_twice.online, one_person_twice.paper
    undisclosed = one_person_twice.undisclosed
    decide(session, form.slug, online.id, paper.id, "same_person", kept_id=online.id, similarity=97,
           actor="someone", via="test")
    app = open_page("duplicates", roles=("admin",))
    choose_pair(app, paper.reference, undisclosed.reference)
    assert WORDS in [t.value for t in app.text]
    app.radio(key="dup_choice").set_value("first" if paper.id < undisclosed.id else "second").run()
    app.button[0].click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        f"{paper.reference} is already counted as the same person as {online.reference}, which counts instead. "
        "Count the other response of this pair, or decide that pair again first."]
