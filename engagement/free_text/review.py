"""Analyst review of comments: the comments with their themes and evidence, recording an analyst's decisions,
and the training examples those decisions make."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import nlp
from engagement import audit
from engagement.analysis.easy_read import VERSION_COLUMN
from engagement.free_text.themes import AnsweredQuestion, answered_question
from engagement.models import AnalystSentiment, AnalystThemeTag, ModelThemeTag, TextAnalysis
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
    answered = answered_question(engine, form, question_id, include_synthetic, form_version)
    comments = review_comments(engine, answered)
    if theme_code:
        comments = tagged_with(comments, theme_code)
    return with_details(engine, comments, answered.tags)


COMMENT_COLUMNS = ["answer_id", "response_reference", "redacted_text", "sentiment", "model_sentiment", "themes",
                   "reviewed", VERSION_COLUMN]
DETAIL_COLUMNS = ["evidence", "theme_sentiments"]


def review_comments(engine: Engine, answered: AnsweredQuestion) -> pd.DataFrame:
    """`comments_for_review` without the evidence and theme sentiments, which take a Python object per comment:
    the page adds them (`with_details`) to the ten comments it shows."""
    answers, tags = answered.answers, answered.tags
    codes = tags[["answer_id", "theme_code"]].drop_duplicates().sort_values(["answer_id", "theme_code"])
    # Each answer's codes as one run of the sorted rows, cut where the answer changes: a tenth of the time of a
    # groupby making a list per answer (2 s at 100,000 responses).
    ids, starts = np.unique(codes["answer_id"].to_numpy(), return_index=True)
    runs = np.split(codes["theme_code"].to_numpy(dtype=object), starts[1:]) if len(ids) else []
    by_answer = pd.Series([list(run) for run in runs], index=ids, dtype=object)
    themes = answers["answer_id"].map(by_answer).to_numpy(dtype=object)
    for untagged in np.flatnonzero(pd.isna(themes)):  # a list each (a page may change one): cheap, nothing read
        themes[untagged] = []
    # Analyst decisions are few (people make them), so every reviewed id is read and matched here.
    with engine.connect() as connection:
        reviewed = pd.read_sql(select(AnalystThemeTag.answer_id).union(select(AnalystSentiment.answer_id)),
                               connection)["answer_id"]
    comments = answers.assign(themes=themes, reviewed=answers["answer_id"].isin(reviewed))
    return comments.sort_values("answer_id", ignore_index=True)[COMMENT_COLUMNS]


def tagged_with(comments: pd.DataFrame, theme_code: str) -> pd.DataFrame:
    """The comments whose themes include this one."""
    tagged = comments["themes"].explode().eq(theme_code).groupby(level=0).any()
    return comments[tagged.reindex(comments.index, fill_value=False).to_numpy()]


def with_details(engine: Engine, comments: pd.DataFrame, tags: pd.DataFrame) -> pd.DataFrame:
    """These comments with the words that gave each model theme away (evidence: code -> words) and how each theme
    was said (theme_sentiments: code -> sentiment); ``tags``: their effective theme tags."""
    ids = comments["answer_id"].astype(int).tolist()
    evidence: dict[int, dict[str, list[str]]] = {}
    with engine.connect() as connection:
        # In chunks: PostgreSQL takes at most 65,535 parameters in one statement (the page asks for ten).
        for start in range(0, len(ids), 10_000):
            for answer_id, code, words in connection.execute(
                select(ModelThemeTag.answer_id, ModelThemeTag.theme_code, ModelThemeTag.evidence)
                .where(ModelThemeTag.answer_id.in_(ids[start:start + 10_000])).order_by(ModelThemeTag.id)
            ):
                if found := list(dict.fromkeys(json.loads(words))):
                    evidence.setdefault(answer_id, {})[code] = found
    # How each theme was said in the answer (its clause's sentiment): "Staff: positive; Waiting: negative".
    feelings: dict[int, dict[str, str]] = {}
    shown = tags[tags["answer_id"].isin(ids)]
    for answer_id, code, feeling in shown[["answer_id", "theme_code", "theme_sentiment"]].itertuples(index=False):
        feelings.setdefault(answer_id, {}).setdefault(code, feeling)
    details = comments.assign(
        evidence=[evidence.get(answer_id, {}) for answer_id in ids],
        theme_sentiments=[feelings.get(answer_id, {}) for answer_id in ids],
    )
    return details[[*COMMENT_COLUMNS[:-2], "evidence", "reviewed", "theme_sentiments", VERSION_COLUMN]]


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


