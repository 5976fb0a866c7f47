"""Pivot the long answer table into one tidy frame (one row per response × question × value)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from engagement.models import CHANNELS, Answer, Response
from engagement.places import place_label
from survey_forms import Form

TIDY_COLUMNS = [
    "response_reference",
    "survey",
    "survey_version",
    "channel",
    "place_code",
    "place",
    "is_synthetic",
    "created_at",
    "question_id",
    "question_text",
    "position",
    "answer_code",
    "answer_label",
]


def tidy_answers(
    engine: Engine, form: Form, include_synthetic: bool = True, redact_free_text: bool = True
) -> pd.DataFrame:
    """Every stored answer to this form, with question text and answer label from the form. Answers that carry
    respondent-written text (marked in the form schema) are shown redacted (personal data removed); pass
    redact_free_text=False only where no text is shown."""
    query = (
        select(
            Answer.id.label("answer_id"),
            Response.reference.label("response_reference"),
            Response.survey_slug.label("survey"),
            Response.survey_version,
            Response.channel,
            Response.place_code,
            Response.is_synthetic,
            Response.created_at,
            Answer.question_id,
            Answer.position,
            Answer.value.label("answer_code"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.survey_slug == form.slug)
        .order_by(Response.id, Answer.id)
    )
    if not include_synthetic:
        query = query.where(Response.is_synthetic.is_(False))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    if frame.empty:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    texts = {q.id: q.text for q in form.questions}
    labels = {(q.id, o.code): o.label for q in form.questions for o in q.options}
    frame["question_text"] = frame["question_id"].map(texts)
    frame["answer_label"] = [
        labels.get((qid, code), code) for qid, code in zip(frame["question_id"], frame["answer_code"], strict=True)
    ]
    if redact_free_text:
        _redact_free_text(engine, form, frame)
    frame["place_code"] = frame["place_code"].astype(object).where(frame["place_code"].notna(), None)
    frame["place"] = _place_answers(frame, form)
    frame["is_synthetic"] = frame["is_synthetic"].astype(bool)
    return frame[TIDY_COLUMNS]


def _place_answers(frame: pd.DataFrame, form: Form) -> pd.Series:
    """Each row's place as the respondent answered it: "Somewhere else", "Prefer not to say" and no answer
    stay apart (the resolved place_code is None for all three)."""
    place_questions = [q.id for q in form.questions if q.type == "place"]
    answered = frame.loc[frame["question_id"].isin(place_questions)].drop_duplicates("response_reference")
    codes = frame["response_reference"].map(answered.set_index("response_reference")["answer_code"])
    labels = {code: place_label(code) for code in codes.dropna().unique()}
    return codes.map(labels).fillna(place_label(None))


def _redact_free_text(engine: Engine, form: Form, frame: pd.DataFrame) -> None:
    # Imported here: it loads spaCy, which pages that show no text (the dashboard) should not wait for.
    from engagement.free_text.redaction import redact_respondent_text

    redact_respondent_text(engine, form, frame, columns=("answer_code", "answer_label"))


def channel_label(code: str) -> str:
    return CHANNELS.get(code, code)
