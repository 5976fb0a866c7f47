"""The analysed answers as stored: one frame for pages and reports, and the text training reads.

A survey's analysed answers include those written through its Easy Read version (same questions, same
codebook): they are counted, reviewed and learnt from with the standard survey's, marked with their version.

Everything here selects by survey in SQL (joins and subqueries), never by passing answer ids as parameters:
PostgreSQL takes at most 65,535 parameters in one statement and a survey can have more analysed answers.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select
from sqlmodel import Session

from engagement.analysis.easy_read import EASY_READ, STANDARD, VERSION_COLUMN
from engagement.forms import standard_question_ids, versions_of
from engagement.models import AnalystSentiment, Answer, Response, TextAnalysis
from survey_forms import Form

ANALYSED_COLUMNS = ["answer_id", "response_reference", "place_code", "channel", "question_id", "codebook",
                    "redacted_text", "sentiment", "model_sentiment", "status", VERSION_COLUMN]


def analysed_answer_ids(form: Form, include_synthetic: bool = True) -> Select:
    """A subquery of the ids of this survey's analysed answers (its Easy Read version's included), to filter
    other tables with in SQL."""
    query = (
        select(TextAnalysis.answer_id)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_slug.in_([version.slug for version in versions_of(form)]))
    )
    if not include_synthetic:
        query = query.where(Response.is_synthetic.is_(False))
    return query


def analysed_answers(engine: Engine, form: Form, include_synthetic: bool = True) -> pd.DataFrame:
    """One row per analysed answer to this survey and to its Easy Read version: answer_id, response_reference,
    place_code, channel, question_id (the standard form's id, by the Easy Read form's mapping), codebook (''
    for answers only redacted), redacted_text, sentiment (an analyst's where one decided it, else the model's),
    model_sentiment (the model's), status ('empty' for answers with nothing to code, such as '-' or 'n/a') and
    form_version ('Standard' or 'Easy Read')."""
    versions = versions_of(form)
    query = (
        select(
            Answer.id.label("answer_id"),
            Response.reference.label("response_reference"),
            Response.place_code,
            Response.channel,
            Answer.question_id,
            TextAnalysis.codebook,
            TextAnalysis.redacted_text,
            func.coalesce(AnalystSentiment.sentiment, TextAnalysis.sentiment).label("sentiment"),
            TextAnalysis.sentiment.label("model_sentiment"),
            TextAnalysis.status,
            Response.survey_slug,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        .outerjoin(AnalystSentiment, AnalystSentiment.answer_id == Answer.id)
        .where(Response.survey_slug.in_([version.slug for version in versions]))
    )
    if not include_synthetic:
        query = query.where(Response.is_synthetic.is_(False))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    if frame.empty:
        return pd.DataFrame(columns=ANALYSED_COLUMNS)
    frame[VERSION_COLUMN] = frame["survey_slug"].map(
        {version.slug: EASY_READ if version.definition.easy_read_of else STANDARD for version in versions})
    for version in versions[1:]:  # the Easy Read version, in the standard form's question ids
        if renames := standard_question_ids(version):
            easy = frame["survey_slug"].eq(version.slug)
            frame.loc[easy, "question_id"] = frame.loc[easy, "question_id"].replace(renames)
    return frame[ANALYSED_COLUMNS]


def stored_comments(session: Session, codebook: str) -> list[str]:
    """Every analysed (redacted) answer coded with this codebook: unlabelled training text for its model."""
    query = select(TextAnalysis.redacted_text).where(
        TextAnalysis.codebook == codebook, TextAnalysis.status != "empty"
    )
    return list(session.scalars(query))
