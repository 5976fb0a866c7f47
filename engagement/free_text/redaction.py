"""Redacted text for every answer that carries respondent-written text (marked in the form schema): the
stored redaction where the engine has read the answer, the engine's redaction on the spot where not yet."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

import nlp
from engagement.free_text.analyse import REDACTION_ONLY_CODEBOOK
from engagement.models import Answer, Response, TextAnalysis
from survey_forms import Form


def redact_texts(texts: Sequence[str], codebook: str = REDACTION_ONLY_CODEBOOK) -> list[str]:
    """Redacted versions of texts not stored yet (for exports of answers the model has not seen)."""
    return [result.redacted_text for result in nlp.analyse_comments(list(texts), codebook)]


def redacted_answers(engine: Engine, form: Form) -> dict[int, str]:
    """answer id → stored redacted text, for every analysed answer to this survey (one join, no id list)."""
    query = (
        select(TextAnalysis.answer_id, TextAnalysis.redacted_text)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_slug == form.slug)
    )
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


def redact_respondent_text(engine: Engine, form: Form, frame: pd.DataFrame, *, answer_id: str = "answer_id",
                           question_id: str = "question_id", columns: Sequence[str] = ("answer_code",)) -> None:
    """Replace, in place, the given text columns of rows answering a respondent-text question with the
    redacted text. Rows of other questions are left alone."""
    rows = frame[question_id].isin([q.id for q in form.respondent_text_questions()])
    if not rows.any():
        return
    stored = redacted_answers(engine, form)
    ids = frame.loc[rows, answer_id]
    missing = rows & ~frame[answer_id].isin(stored)
    if missing.any():
        originals = frame.loc[missing, columns[0]].astype(str).tolist()
        stored.update(zip(frame.loc[missing, answer_id], redact_texts(originals), strict=True))
    redacted = ids.map(stored)
    for column in columns:
        frame.loc[rows, column] = redacted
