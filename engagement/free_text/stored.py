"""The analysed answers as stored: one frame for pages and reports, and the text training reads.

A survey's analysed answers include those written through its Easy Read version (same questions, same
codebook): they are counted, reviewed and learnt from with the standard survey's, marked with their version.

Everything here selects by survey in SQL (joins and subqueries), never by passing answer ids as parameters:
PostgreSQL takes at most 65,535 parameters in one statement and a survey can have more analysed answers.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from engagement.analysis.easy_read import EASY_READ, STANDARD, VERSION_COLUMN
from engagement.analysis.respondents import data_version
from engagement.forms import standard_question_ids, versions_of
from engagement.models import (
    AnalystSentiment,
    AnalystThemeTag,
    Answer,
    ModelThemeTag,
    Response,
    SurveyThemeModel,
    TextAnalysis,
)
from survey_forms import Form

ANALYSED_COLUMNS = ["answer_id", "response_reference", "place_code", "channel", "question_id", "codebook",
                    "redacted_text", "sentiment", "model_sentiment", "status", VERSION_COLUMN]


def asked_as(version: Form, question_id: str, easy_read: bool) -> list[str]:
    """The ids a survey version stores a standard question's answers under (an Easy Read form's mapping may give
    it another id, and may give the standard id to another question)."""
    renames = standard_question_ids(version) if easy_read else {}
    return sorted(qid for qid in {question_id, *renames} if renames.get(qid, qid) == question_id)


def _of_survey(form: Form, question_id: str | None) -> ColumnElement[bool]:
    """Answers to this survey and its Easy Read version; with a question_id, only the answers to that question
    (in each version's own id for it)."""
    versions = versions_of(form)
    if question_id is None:
        return Response.survey_slug.in_([version.slug for version in versions])
    return or_(*(and_(Response.survey_slug == version.slug,
                      Answer.question_id.in_(asked_as(version, question_id, easy_read=index > 0)))
                 for index, version in enumerate(versions)))


def analysed_answer_ids(form: Form, include_synthetic: bool = True, question_id: str | None = None) -> Select:
    """A subquery of the ids of this survey's analysed answers (its Easy Read version's included; with a
    question_id, only the answers to that question), to filter other tables with in SQL."""
    query = (
        select(TextAnalysis.answer_id)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(_of_survey(form, question_id))
    )
    if not include_synthetic:
        query = query.where(Response.is_synthetic.is_(False))
    return query


def is_analysed_answer(answer_id: ColumnElement, form: Form) -> ColumnElement[bool]:
    """True where ``answer_id`` (a column of a small table, such as the analysts' decisions) is one of this
    survey's analysed answers: looked up row by row through the indexes, where ``IN (analysed_answer_ids)``
    would first list every analysed answer (a second at 100,000 responses)."""
    return exists().where(TextAnalysis.answer_id == answer_id, Answer.id == answer_id,
                          Response.id == Answer.response_id, _of_survey(form, None))


def analysed_answers(engine: Engine, form: Form, include_synthetic: bool = True, question_id: str | None = None
                     ) -> pd.DataFrame:
    """One row per analysed answer to this survey and to its Easy Read version: answer_id, response_reference,
    place_code, channel, question_id (the standard form's id, by the Easy Read form's mapping), codebook (''
    for answers only redacted), redacted_text, sentiment (an analyst's where one decided it, else the model's),
    model_sentiment (the model's), status ('empty' for answers with nothing to code, such as '-' or 'n/a') and
    form_version ('Standard' or 'Easy Read'). With a question_id (the standard form's), only the answers to that
    question are read."""
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
        .where(_of_survey(form, question_id))
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


class AnalysesVersion(NamedTuple):
    """A fingerprint of what the Comments and themes page shows, for caching it."""

    texts: tuple  # the responses and answers, and the analysed (redacted) texts
    tags: tuple  # the model's themes, the analysts' decisions and when the survey's model last changed


def analyses_version(engine: Engine, form: Form) -> AnalysesVersion:
    """The survey's responses and answers (the data revision counter kept by triggers, which does not see the
    analysis tables), plus each analysis table's row count, highest id and latest time. An analyst's saved
    decision, the analysis job re-tagging answers and a refresh marking them current all change one of these (a
    row deleted lowers a count; a row replaced under the same id, as SQLite may reuse the highest one, is written
    with a new time), so a page shows them at once. Each figure is one index lookup or one count: milliseconds at
    100,000 responses."""
    figures = [
        select(func.count(), func.max(TextAnalysis.id), func.max(TextAnalysis.analysed_at)).select_from(TextAnalysis),
        select(func.count(), func.max(ModelThemeTag.id)).select_from(ModelThemeTag),
        select(func.count(), func.max(AnalystThemeTag.id), func.max(AnalystThemeTag.decided_at))
        .select_from(AnalystThemeTag),
        select(func.count(), func.max(AnalystSentiment.id), func.max(AnalystSentiment.decided_at))
        .select_from(AnalystSentiment),
        # A survey model that changed leaves answers for the analysis job to re-tag (`pending_count`).
        select(func.count(), func.max(SurveyThemeModel.model_changed_at)).select_from(SurveyThemeModel),
    ]
    with engine.connect() as connection:
        texts, *tags = (tuple(connection.execute(query).one()) for query in figures)
    return AnalysesVersion((*(data_version(engine, version.slug) for version in versions_of(form)), texts),
                           tuple(tags))
