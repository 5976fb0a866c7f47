"""One row per response, one column per answerable question: the frame every breakdown starts from.

Built for 100,000 responses (about 2.5 million stored answers): the database pivots the long answer table
itself (one aggregate per question, grouped by response), so Python only ever sees one row per response, and
repeated answer codes are held as pandas categoricals so the frame stays a few megabytes.
"""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from engagement.models import Answer, Response
from survey_forms import Form

# Free text is analysed elsewhere (and may hold personal data); it never enters this frame.
LEFT_OUT_TYPES = {"free_text", "text_list"}
RESPONSE_COLUMNS = ["response_id", "reference", "survey", "channel", "created_at", "is_synthetic", "place_code"]


def answer_columns(form: Form) -> list[str]:
    """The question ids that become columns: every answerable question except free text, in form order."""
    return [q.id for q in form.questions if q.type not in LEFT_OUT_TYPES]


def respondent_frame(engine: Engine, form: Form, include_synthetic: bool = True) -> pd.DataFrame:
    """One row per response to `form`: who/where/when, then each question's stored answer code (missing when
    unanswered; a multi-choice question's codes joined with "|")."""
    questions = [q for q in form.questions if q.type not in LEFT_OUT_TYPES]
    multi = {q.id for q in questions if q.type == "multi_choice"}
    pivoted = [
        (_joined(engine, Answer.value, Answer.question_id == q.id) if q.id in multi
         else func.max(case((Answer.question_id == q.id, Answer.value)))).label(q.id)
        for q in questions
    ]
    answers = (
        select(Answer.response_id, *pivoted)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_slug == form.slug, Answer.question_id.in_([q.id for q in questions]))
        .group_by(Answer.response_id)
        .subquery()
    )
    query = (
        select(
            Response.id.label("response_id"),
            Response.reference,
            Response.survey_slug.label("survey"),
            Response.channel,
            Response.created_at,
            Response.is_synthetic,
            Response.place_code,
            *(answers.c[q.id] for q in questions),
        )
        # An outer join keeps a response whose every answer was free text (or none at all).
        .outerjoin(answers, answers.c.response_id == Response.id)
        .where(Response.survey_slug == form.slug)
        .order_by(Response.id)
    )
    if not include_synthetic:
        query = query.where(Response.is_synthetic.is_(False))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    columns = RESPONSE_COLUMNS + [q.id for q in questions]
    frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)
    return _compact(frame, [q.id for q in questions])


def _joined(engine: Engine, value, condition):
    # Multi-choice codes in the order they were stored (position); SQLite and PostgreSQL spell it differently.
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        return func.string_agg(case((condition, value)), aggregate_order_by("|", Answer.position))
    return func.group_concat(case((condition, value)), "|")


def _compact(frame: pd.DataFrame, question_ids: list[str]) -> pd.DataFrame:
    """Small dtypes: categoricals for codes that repeat, UTC timestamps, plain bools; missing stays missing."""
    frame["response_id"] = frame["response_id"].astype("int64")
    frame["reference"] = frame["reference"].astype(object)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True).astype("datetime64[ns, UTC]")
    frame["is_synthetic"] = frame["is_synthetic"].astype(bool)
    for column in ["survey", "channel", "place_code", *question_ids]:
        frame[column] = frame[column].astype("category")
    return frame


def data_version(engine: Engine, survey_slug: str) -> str:
    """A short fingerprint of a survey's responses and answers, used as a cache key: it changes whenever one is
    added, edited or deleted. Counted, summed and measured in the database, so it costs one scan of the
    survey's answers and no rows come back to Python."""
    responses = select(
        func.count(Response.id),
        func.coalesce(func.sum(Response.id), 0),
        func.max(Response.created_at),
        func.coalesce(func.sum(func.length(Response.reference) + func.length(Response.channel)
                               + func.coalesce(func.length(Response.place_code), 0)), 0),
    ).where(Response.survey_slug == survey_slug)
    # The first character's code and the length, weighted by row, catch an answer edited in place ("4" -> "5").
    first_character = func.ascii if engine.dialect.name == "postgresql" else func.unicode
    fingerprint = (func.length(Answer.value) * 131 + func.coalesce(first_character(Answer.value), 0)) * (
        Answer.id % 997 + 1
    )
    answers = (
        select(func.count(Answer.id), func.coalesce(func.sum(Answer.id), 0), func.coalesce(func.sum(fingerprint), 0))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_slug == survey_slug)
    )
    with engine.connect() as connection:
        figures = [*connection.execute(responses).one(), *connection.execute(answers).one()]
    return hashlib.sha1(repr(figures).encode()).hexdigest()[:16]
