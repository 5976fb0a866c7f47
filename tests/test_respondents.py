"""The respondent frame: one row per response, answer codes by question id, missing when unanswered."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, select, update
from sqlmodel import Session

from engagement.analysis.respondents import answer_columns, data_version, respondent_frame
from engagement.db import get_engine
from engagement.demo import add_demo_responses
from engagement.intake import Provenance, submit_many, submit_response
from engagement.models import Answer, Response
from tests.conftest import valid_answers


def test_one_row_per_response_with_answer_codes_by_question_id(session, form, db_url):
    submit_many(session, form, [
        (valid_answers(age=34, sex="female", best_thing="The staff"),
         Provenance(channel="paper", paper_reference="P-1")),
        (valid_answers(digital_innovation="4", three_words=["slow", "caring"]), Provenance()),
    ])
    frame = respondent_frame(get_engine(db_url), form)
    assert len(frame) == 2 and frame["response_id"].is_unique
    assert list(frame.columns[:7]) == ["response_id", "reference", "survey", "channel", "created_at",
                                       "is_synthetic", "place_code"]
    assert list(frame.columns[7:]) == answer_columns(form)
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["channel"] == "paper" and first["age"] == "34" and first["sex"] == "female"
    assert first["digital_innovation"] == "2" and second["digital_innovation"] == "4"
    assert first["district"] == "E06000018" and first["place_code"] == "E06000018"
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    # Free text never enters the frame.
    assert "best_thing" not in frame and "three_words" not in frame and "what_matters" not in frame


def test_unanswered_is_missing(session, form, db_url):
    submit_many(session, form, [(valid_answers(), Provenance())])
    frame = respondent_frame(get_engine(db_url), form)
    assert pd.isna(frame.loc[0, "age"]) and pd.isna(frame.loc[0, "sex"])
    assert frame.loc[0, "top_urgent_care"] == "5"


def test_synthetic_responses_can_be_left_out(session, form, db_url):
    submit_many(session, form, [(valid_answers(), Provenance())])
    add_demo_responses(session, form, 5, seed=1)
    engine = get_engine(db_url)
    everyone = respondent_frame(engine, form)
    real = respondent_frame(engine, form, include_synthetic=False)
    assert len(everyone) == 6 and everyone["is_synthetic"].sum() == 5
    assert len(real) == 1 and not real["is_synthetic"].any()


def test_no_responses_gives_an_empty_frame_with_the_columns(form, db_url):
    frame = respondent_frame(get_engine(db_url), form)
    assert frame.empty and "digital_innovation" in frame and "place_code" in frame


def test_frame_matches_the_stored_answers_for_demo_data(session, form, db_url):
    add_demo_responses(session, form, 200, seed=3)
    engine = get_engine(db_url)
    frame = respondent_frame(engine, form).set_index("response_id")
    with engine.connect() as connection:
        stored = pd.read_sql("SELECT response_id, question_id, value FROM answer", connection)
    stored = stored[stored["question_id"].isin(answer_columns(form))]
    wide = stored.pivot(index="response_id", columns="question_id", values="value")
    for column in wide.columns:
        assert _codes(frame[column]) == _codes(wide[column].reindex(frame.index)), column


def _codes(values: pd.Series) -> list[str | None]:
    return [None if pd.isna(value) else str(value) for value in values]


def data_version_follows_every_change(engine, session, form) -> None:
    """Shared with the PostgreSQL tests: the version changes on every kind of change to a survey's data, and
    only that survey's."""
    from engagement.entries import correct_entry

    empty = data_version(engine, form.slug)
    submit_many(session, form, [(valid_answers(), Provenance()), (valid_answers(), Provenance())])
    added = data_version(engine, form.slug)
    assert added != empty and data_version(engine, form.slug) == added
    first, second = session.scalars(select(Response.id).where(Response.survey_slug == form.slug)
                                    .order_by(Response.id)).all()[-2:]
    with Session(engine) as other:
        other.execute(update(Answer).where(Answer.question_id == "digital_innovation", Answer.response_id == first)
                      .values(value="3"))
        other.commit()
    edited = data_version(engine, form.slug)
    assert edited != added
    with Session(engine) as other:
        other.execute(delete(Answer).where(Answer.response_id == second))
        other.execute(delete(Response).where(Response.id == second))
        other.commit()
    deleted = data_version(engine, form.slug)
    assert deleted not in (empty, added, edited)
    # A correction that only adds an answer (sex was not given) still counts as a change.
    sheet = submit_response(session, form, valid_answers(), Provenance(channel="paper", entered_by="vol1",
                                                                       paper_reference="DV-1"))
    keyed = data_version(engine, form.slug)
    assert correct_entry(session, form, sheet.reference, "vol1", valid_answers(sex="female"), via="test") == 2
    assert data_version(engine, form.slug) != keyed
    assert data_version(engine, "another-survey") == data_version(engine, "another-survey")
    assert data_version(engine, "another-survey") not in (added, edited, deleted, keyed)


def test_data_version_changes_when_answers_are_added_edited_corrected_or_deleted(session, form, db_url):
    engine = get_engine(db_url)
    untouched = data_version(engine, "another-survey")
    data_version_follows_every_change(engine, session, form)
    assert data_version(engine, "another-survey") == untouched
