"""Which respondent-written answers the current engine has not read yet, and reading them: redacted text for
every one, themes and sentiment for those whose question names a codebook."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select
from sqlmodel import Session

import nlp
from engagement.forms import versions_of
from engagement.free_text.survey_model import adapted_sentiment_model, adapted_theme_model, stale_answer_ids
from engagement.models import Answer, ModelThemeTag, RedactionLog, Response, TextAnalysis, utc_now
from survey_forms import Form

# Answers with no codebook (three words, contact details) are still read, for redaction only; the engine needs
# a codebook to run, and its themes for them are not kept.
REDACTION_ONLY_CODEBOOK = "wmty"
NO_CODEBOOK = ""


def model_version() -> str:
    """The engine's version: it changes when a codebook or a trained model changes (a new process picks it up)."""
    return nlp.MODEL_VERSION


def codebook_questions(form: Form) -> dict[str, str]:
    """Free-text question id → the codebook its answers are coded with (from the form file)."""
    return {q.id: q.codebook for q in form.free_text_questions() if q.codebook}


def respondent_text_ids(form: Form) -> list[str]:
    return [q.id for q in form.respondent_text_questions()]


@dataclass(frozen=True)
class PendingAnswer:
    answer_id: int
    question_id: str
    text: str


def _pending_query(form: Form, version: str) -> Select:
    # Row by row through the answer_id index: NOT IN would first list every analysed answer (a second at
    # 100,000 responses, on every page view).
    analysed = exists().where(TextAnalysis.answer_id == Answer.id, TextAnalysis.model_version == version)
    return (
        select(Answer.id, Answer.question_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.survey_slug == form.slug,
            Answer.question_id.in_(respondent_text_ids(form)),
            or_(~analysed, Answer.id.in_(stale_answer_ids(form))),
        )
    )


def pending_answers(session: Session, form: Form, version: str | None = None, limit: int | None = None
                    ) -> list[PendingAnswer]:
    """Respondent-written answers to this form not yet read by the current model version, or tagged before the
    survey's adapted model last changed and not reviewed since (oldest first)."""
    query = _pending_query(form, version or model_version()).order_by(Answer.id).limit(limit)
    return [PendingAnswer(*row) for row in session.execute(query)]


def pending_count(engine: Engine, form: Form) -> int:
    """How many answers to the survey and to its Easy Read version are waiting for the engine: one cheap count
    per version, fine to run on every page view."""
    with engine.connect() as connection:
        return sum(int(connection.scalar(select(func.count()).select_from(
            _pending_query(version, model_version()).subquery())) or 0) for version in versions_of(form))


def store_analyses(session: Session, batch: Sequence[PendingAnswer], codebook: str, version: str,
                   results: Sequence[nlp.CommentAnalysis]) -> None:
    """Replace the stored analysis of these answers (bulk inserts: this runs over whole surveys). The caller
    commits, so a batch is stored whole or not at all."""
    ids = [item.answer_id for item in batch]
    for model in (TextAnalysis, ModelThemeTag, RedactionLog):
        session.execute(delete(model).where(model.answer_id.in_(ids)))
    now = utc_now()
    analyses, tags, redactions = [], [], []
    for item, result in zip(batch, results, strict=True):
        analyses.append(
            {"answer_id": item.answer_id, "codebook": codebook, "model_version": version,
             "redacted_text": result.redacted_text, "sentiment": result.sentiment,
             "sentiment_score": result.sentiment_score, "status": result.status, "analysed_at": now}
        )
        if codebook != NO_CODEBOOK:
            tags.extend(
                {"answer_id": item.answer_id, "codebook": codebook, "theme_code": tag.code, "score": tag.score,
                 "source": tag.source, "evidence": json.dumps(tag.evidence), "sentiment": tag.sentiment}
                for tag in result.themes
            )
        redactions.extend(
            {"answer_id": item.answer_id, "kind": r.kind, "start": r.start, "end": r.end,
             "model_version": version, "logged_at": now}
            for r in result.redactions
        )
    for model, rows in ((TextAnalysis, analyses), (ModelThemeTag, tags), (RedactionLog, redactions)):
        if rows:
            session.execute(insert(model), rows)


def analyse_batch(session: Session, form: Form, batch: Sequence[PendingAnswer], version: str) -> None:
    """Read one batch with the engine and stage its results in the session (not committed)."""
    questions = codebook_questions(form)
    by_codebook: dict[str, list[PendingAnswer]] = {}
    for item in batch:
        by_codebook.setdefault(questions.get(item.question_id, NO_CODEBOOK), []).append(item)
    for codebook, items in by_codebook.items():
        # The engine reads the question asked (praise or improvement) from its wording, so give it the words.
        asked = [" ".join(filter(None, [form.question(i.question_id).text, form.question(i.question_id).help]))
                 for i in items]
        # A coded question's themes and sentiment come from the survey's own adapted models once its analysts
        # have taught them (an Easy Read version's from the standard survey's: one model for both versions).
        adapted = adapted_theme_model(session, form, codebook) if codebook else None
        sentiment = adapted_sentiment_model(session, form, codebook) if codebook else None
        results = list(nlp.analyse_comments([i.text for i in items], codebook or REDACTION_ONLY_CODEBOOK,
                                            questions=asked, theme_model=adapted, sentiment_model=sentiment))
        store_analyses(session, items, codebook, version, results)
