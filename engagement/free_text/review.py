"""Analyst review of comments: the comments with their themes and evidence, recording an analyst's decisions,
and the training examples those decisions make."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import nlp
from engagement import audit
from engagement.analysis.easy_read import VERSION_COLUMN
from engagement.forms import standard_question_ids, versions_of
from engagement.free_text.stored import analysed_answer_ids, analysed_answers
from engagement.free_text.themes import effective_theme_tags, of_version
from engagement.models import AnalystSentiment, AnalystThemeTag, Answer, ModelThemeTag, TextAnalysis
from nlp.models import SENTIMENTS
from survey_forms import Form

DECISIONS = ("accept", "reject", "add")
REVIEW_PAGE_SIZE = 10


def comments_for_review(
    engine: Engine, form: Form, question_id: str, theme_code: str | None = None, include_synthetic: bool = True,
    form_version: str = "both",
) -> pd.DataFrame:
    """Analysed answers to one question, Easy Read respondents' included, with their redacted text, sentiment (an
    analyst's where one decided it) and the model's (model_sentiment), current themes (codes), the words that gave
    each model theme away (evidence), how each theme was said (theme_sentiments: code -> sentiment), whether an
    analyst has reviewed them, and the survey version they came through (form_version: 'Standard' or 'Easy Read';
    `form_version` 'standard' or 'easy_read' keeps one)."""
    answers = of_version(analysed_answers(engine, form, include_synthetic), form_version)
    answers = answers[(answers["question_id"] == question_id) & answers["status"].ne("empty")]
    tags = effective_theme_tags(engine, form, include_synthetic)
    themes = tags.groupby("answer_id")["theme_code"].apply(lambda codes: sorted(set(codes)))
    # How each theme was said in the answer (its clause's sentiment): "Staff: positive; Waiting: negative".
    feelings: dict[int, dict[str, str]] = {}
    for answer_id, code, feeling in tags[["answer_id", "theme_code", "theme_sentiment"]].itertuples(index=False):
        feelings.setdefault(answer_id, {}).setdefault(code, feeling)
    # The question as each version stores it (an Easy Read form's mapping may give it another id).
    asked = {question_id} | {qid for version in versions_of(form)
                             for qid, standard in standard_question_ids(version).items() if standard == question_id}
    of_question = analysed_answer_ids(form, include_synthetic).where(
        Answer.question_id.in_(asked), TextAnalysis.status != "empty"
    )
    with engine.connect() as connection:
        reviewed = set(
            connection.scalars(select(AnalystThemeTag.answer_id).where(AnalystThemeTag.answer_id.in_(of_question)))
        ) | set(
            connection.scalars(select(AnalystSentiment.answer_id).where(AnalystSentiment.answer_id.in_(of_question)))
        )
        evidence: dict[int, dict[str, list[str]]] = {}
        for answer_id, code, words in connection.execute(
            select(ModelThemeTag.answer_id, ModelThemeTag.theme_code, ModelThemeTag.evidence).where(
                ModelThemeTag.answer_id.in_(of_question)
            )
        ):
            if found := list(dict.fromkeys(json.loads(words))):
                evidence.setdefault(answer_id, {})[code] = found
    answers = answers.assign(
        themes=answers["answer_id"].map(themes).apply(lambda v: v if isinstance(v, list) else []),
        evidence=answers["answer_id"].map(lambda answer_id: evidence.get(answer_id, {})),
        reviewed=answers["answer_id"].isin(reviewed),
        theme_sentiments=answers["answer_id"].map(lambda answer_id: feelings.get(answer_id, {})),
    )
    if theme_code:
        answers = answers[answers["themes"].apply(lambda codes: theme_code in codes)]
    columns = ["answer_id", "response_reference", "redacted_text", "sentiment", "model_sentiment", "themes",
               "evidence", "reviewed", "theme_sentiments", VERSION_COLUMN]
    return answers.sort_values("answer_id", ignore_index=True)[columns]


def review_queue(
    comments: pd.DataFrame, *, unreviewed_only: bool = False, suggested: Sequence[int] = ()
) -> pd.DataFrame:
    """The comments in the order an analyst reviews them: the ``suggested`` answer ids first, in their order
    (those the model would learn most from, chosen among comments not reviewed when the model was last
    refreshed), then the rest by answer id. Saving a decision moves nothing: the list is the same on every run
    until the next refresh."""
    queue = comments[~comments["reviewed"]] if unreviewed_only else comments
    rank = pd.Series(range(len(suggested)), index=pd.Index(suggested, dtype="int64"), dtype="float64")
    rank = rank[~rank.index.duplicated()]
    order = queue.assign(_rank=queue["answer_id"].map(rank).fillna(math.inf))
    return order.sort_values(["_rank", "answer_id"], ignore_index=True).drop(columns="_rank")


@dataclass(frozen=True)
class ReviewOrder:
    """The suggested order a page is showing, and when the survey model that suggested it last changed (None
    while the survey uses the shipped model)."""

    model_changed_at: datetime | None
    suggested: tuple[int, ...]


FIRST_SUGGESTIONS = "Suggestions are ready: show first the comments the model would learn most from"
NEWER_MODEL = "The model has been updated: show its new suggestions first"


def order_to_show(shown: ReviewOrder | None, latest: ReviewOrder) -> tuple[ReviewOrder, str | None]:
    """The order an analyst keeps working through, and what to offer when another is ready (None: nothing).
    The order stays put until they ask for the other, so neither a refresh nor the first suggestions arriving
    in the background ever move the comment they are about to save; a page opened afresh takes the latest."""
    if shown is None:
        return latest, None
    if latest.model_changed_at is not None and (
            shown.model_changed_at is None or latest.model_changed_at > shown.model_changed_at):
        return shown, NEWER_MODEL
    if not shown.suggested and latest.suggested:
        return shown, FIRST_SUGGESTIONS
    return shown, None


@dataclass(frozen=True)
class ReviewPage:
    """One page of the review queue: ``number`` counts from 1; a number past the end shows the last page."""

    comments: pd.DataFrame
    number: int
    pages: int
    total: int
    first: int  # position in the queue of the first comment shown, from 1 (0 when the queue is empty)

    @property
    def last(self) -> int:
        return self.first + len(self.comments) - 1 if len(self.comments) else 0


def review_page(queue: pd.DataFrame, number: int, size: int = REVIEW_PAGE_SIZE) -> ReviewPage:
    pages = max(1, math.ceil(len(queue) / size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    shown = queue.iloc[start : start + size]
    return ReviewPage(shown, number, pages, len(queue), start + 1 if len(shown) else 0)


def set_analyst_themes(
    session: Session, answer_id: int, codebook: str, chosen: Iterable[str], analyst: str,
    via: str = "page: Comments and themes", sentiment: str | None = None,
) -> None:
    """Record an analyst's view of an answer's themes, relative to what the model said: model themes kept are
    accepted, model themes dropped are rejected, new themes are added. Replaces that analyst view. With a
    ``sentiment`` (positive, neutral or negative), the analyst's reading of the whole comment is recorded with
    it, in the same transaction and audit event, whether it changes the model's or keeps it; without one, the
    comment's sentiment stays as it was."""
    known = set(nlp.load_codebook(codebook).codes)
    chosen = set(chosen)
    if unknown := chosen - known:
        raise ValueError(f"themes not in codebook '{codebook}': {', '.join(sorted(unknown))}")
    if not analyst.strip():
        raise ValueError("analyst name is required to record a decision")
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ValueError(f"sentiment must be positive, neutral or negative, not '{sentiment}'")
    model = set(
        session.scalars(
            select(ModelThemeTag.theme_code).where(
                ModelThemeTag.answer_id == answer_id, ModelThemeTag.codebook == codebook
            )
        )
    )
    session.execute(
        delete(AnalystThemeTag).where(AnalystThemeTag.answer_id == answer_id, AnalystThemeTag.codebook == codebook)
    )
    decisions = {code: "accept" for code in chosen & model}
    decisions |= {code: "reject" for code in model - chosen}
    decisions |= {code: "add" for code in chosen - model}
    for code, decision in decisions.items():
        session.add(
            AnalystThemeTag(answer_id=answer_id, codebook=codebook, theme_code=code, decision=decision,
                            analyst=analyst.strip())
        )
    said = {}
    if sentiment is not None:
        model_sentiment = session.scalar(select(TextAnalysis.sentiment).where(TextAnalysis.answer_id == answer_id))
        session.execute(delete(AnalystSentiment).where(AnalystSentiment.answer_id == answer_id))
        session.add(AnalystSentiment(answer_id=answer_id, sentiment=sentiment,
                                     model_sentiment=model_sentiment or sentiment, analyst=analyst.strip()))
        said = {"sentiment": sentiment, "model_sentiment": model_sentiment}
    audit.record(session, "tags_changed", actor=analyst.strip(), via=via, target_kind="answer",
                 target_id=str(answer_id), codebook=codebook, themes=sorted(chosen), **said)
    session.commit()


def analyst_training_examples(session: Session, codebook: str) -> list[tuple[str, list[str]]]:
    """(redacted text, themes) for every answer an analyst reviewed: the training data analysts create."""
    reviewed = session.scalars(
        select(AnalystThemeTag.answer_id).where(AnalystThemeTag.codebook == codebook).distinct()
    ).all()
    examples = []
    for answer_id in reviewed:
        text = session.scalar(select(TextAnalysis.redacted_text).where(TextAnalysis.answer_id == answer_id))
        decisions = session.execute(
            select(AnalystThemeTag.theme_code, AnalystThemeTag.decision).where(
                AnalystThemeTag.answer_id == answer_id, AnalystThemeTag.codebook == codebook
            )
        ).all()
        codes = sorted(code for code, decision in decisions if decision in ("accept", "add"))
        if text is not None:
            examples.append((text, codes))
    return examples


