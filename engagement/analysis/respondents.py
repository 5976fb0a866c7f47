"""One row per response, one column per answerable question: the frame every breakdown starts from.

Built for 100,000 responses (about 2.5 million stored answers): the database pivots the long answer table
itself (one aggregate per question, grouped by response), so Python only ever sees one row per response, and
repeated answer codes are held as pandas categoricals so the frame stays a few megabytes.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.engine import Engine

from engagement.analysis.counted import not_counted_ids
from engagement.models import Answer, DataRevision, Response
from survey_forms import Form

# Free text is analysed elsewhere (and may hold personal data); it never enters this frame.
LEFT_OUT_TYPES = {"free_text", "text_list"}
RESPONSE_COLUMNS = ["response_id", "reference", "survey", "channel", "created_at", "is_synthetic", "place_code"]


def answer_columns(form: Form) -> list[str]:
    """The question ids that become columns: every answerable question except free text, in form order."""
    return [q.id for q in form.questions if q.type not in LEFT_OUT_TYPES]


def respondent_frame(engine: Engine, form: Form, include_synthetic: bool = True,
                     counted_only: bool = True) -> pd.DataFrame:
    """One row per response to `form`: who/where/when, then each question's stored answer code (missing when
    unanswered; a multi-choice question's codes joined with "|"). Responses kept but not counted (a paper sheet
    waiting for its second keying, a duplicate of a response that counts) are left out unless `counted_only`
    is False."""
    questions = [q for q in form.questions if q.type not in LEFT_OUT_TYPES]
    single = [q.id for q in questions if q.type != "multi_choice"]
    multi = [q.id for q in questions if q.type == "multi_choice"]
    responses = select(Response.id).where(Response.survey_slug == form.slug)
    if not include_synthetic:
        responses = responses.where(Response.is_synthetic.is_(False))
    if counted_only:
        responses = responses.where(Response.id.not_in(not_counted_ids()))
    people = (
        select(
            Response.id.label("response_id"),
            Response.reference,
            Response.survey_slug.label("survey"),
            Response.channel,
            # Parsed by pandas in one go below, not by the driver row by row.
            type_coerce(Response.created_at, String).label("created_at"),
            Response.is_synthetic,
            Response.place_code,
        )
        .where(Response.id.in_(responses))
        .order_by(Response.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(people).all()
        frame = pd.DataFrame(dict(zip(RESPONSE_COLUMNS, zip(*rows, strict=True) if rows else [()] * 7, strict=True)))
        answers = _single_answers(connection, engine, responses, single)
        if multi:
            answers = answers.join(_multi_answers(connection, engine, responses, multi), how="outer")
    answers = answers.reindex(index=frame["response_id"], columns=[q.id for q in questions])
    frame = pd.concat([frame, answers.reset_index(drop=True)], axis=1)
    return _compact(frame, [q.id for q in questions])


def _single_answers(connection, engine: Engine, responses, question_ids: list[str]) -> pd.DataFrame:
    """The database folds each response's answers into one JSON object and the lot into one JSON array: one
    string crosses into Python instead of millions of rows, and the JSON parser builds it in C."""
    postgres = engine.dialect.name == "postgresql"
    per_response = (
        select(
            Answer.response_id,
            (func.json_object_agg if postgres else func.json_group_object)(Answer.question_id, Answer.value).label(
                "answers"
            ),
        )
        .where(Answer.response_id.in_(responses), Answer.question_id.in_(question_ids))
        .group_by(Answer.response_id)
        .subquery()
    )
    if postgres:
        everything = select(func.json_agg(func.json_build_array(per_response.c.response_id, per_response.c.answers)))
    else:
        # json() keeps SQLite from quoting the inner objects as strings once they pass through the subquery.
        pair = func.json_array(per_response.c.response_id, func.json(per_response.c.answers))
        everything = select(func.json_group_array(func.json(pair)))
    everything = select(everything.scalar_subquery().cast(String))
    text = connection.execute(everything).scalar()
    pairs = json.loads(text) if text else []
    response_ids, answered = zip(*pairs, strict=True) if pairs else ((), ())
    # object, not pandas' Arrow strings: the columns become categoricals next, and that skips a costly copy.
    return pd.DataFrame(list(answered), columns=question_ids, dtype=object,
                        index=pd.Index(response_ids, name="response_id", dtype="int64"))


def _multi_answers(connection, engine: Engine, responses, question_ids: list[str]) -> pd.DataFrame:
    """Multi-choice codes joined with "|" in the order they were stored (one small query per such question)."""
    columns = {}
    for question_id in question_ids:
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import aggregate_order_by

            joined = func.string_agg(Answer.value, aggregate_order_by("|", Answer.position))
            query = (
                select(Answer.response_id, joined)
                .where(Answer.response_id.in_(responses), Answer.question_id == question_id)
                .group_by(Answer.response_id)
            )
        else:
            # SQLite concatenates in the order rows arrive, so feed it rows sorted by position.
            ordered = (
                select(Answer.response_id, Answer.value)
                .where(Answer.response_id.in_(responses), Answer.question_id == question_id)
                .order_by(Answer.response_id, Answer.position)
                .subquery()
            )
            query = select(ordered.c.response_id, func.group_concat(ordered.c.value, "|")).group_by(
                ordered.c.response_id
            )
        rows = connection.execute(query).all()
        columns[question_id] = pd.Series(dict(rows), dtype=object)
    return pd.DataFrame(columns).rename_axis("response_id")


def _compact(frame: pd.DataFrame, question_ids: list[str]) -> pd.DataFrame:
    """Small dtypes: categoricals for codes that repeat, UTC timestamps, plain bools; missing stays missing."""
    frame["response_id"] = frame["response_id"].astype("int64")
    frame["reference"] = frame["reference"].astype(object)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
    frame["is_synthetic"] = frame["is_synthetic"].astype(bool)
    for column in ["survey", "channel", "place_code", *question_ids]:
        frame[column] = frame[column].astype("category")
    return frame


def data_version(engine: Engine, survey_slug: str) -> str:
    """A short fingerprint of a survey's responses and answers, used as a cache key: it changes whenever one is
    added, edited or deleted. The database's triggers count every such change per survey (`DataRevision`,
    migration 0008), so reading it is one row whatever the number of answers, and it is the same for every app
    instance sharing the database."""
    with engine.connect() as connection:
        revision = connection.execute(
            select(DataRevision.revision).where(DataRevision.survey_slug == survey_slug)
        ).scalar()
    return hashlib.sha1(repr((survey_slug, revision or 0)).encode()).hexdigest()[:16]
