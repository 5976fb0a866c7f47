"""A survey's own sentiment model: the shipped sentiment model adapted to its analysts' sentiment decisions
(``nlp.adapt.adapt_sentiment_where_it_helps``), and how well it agrees with them. The background refresh of the
survey's theme model (``learning.refresh_survey_model``) refits it from the same reviewed comments, stores it
beside the theme model and leaves the unreviewed comments it reads differently for the analysis job to re-tag.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

import nlp
from engagement.free_text.stored import analysed_answer_ids, is_analysed_answer
from engagement.models import AnalystSentiment, TextAnalysis
from nlp.adapt import CheckedSentiment, adapt_sentiment_where_it_helps
from nlp.features import praise_only
from nlp.models import SentimentModel, sentiment_model_path
from nlp.train import featurise
from survey_forms import Form

# Fewer sentiment decisions than this: no survey sentiment model, and its agreement is not estimated (as themes).
MIN_FOR_SENTIMENT_AGREEMENT = 10


@dataclass(frozen=True)
class SentimentAgreement:
    """How often the sentiment the survey uses matches its analysts' (cross-validated over ``folds`` folds; 0 when
    too few decisions of some sentiment to adapt, so the shipped model's own figures), and whether the survey's
    own sentiment model is used."""

    used: bool
    decisions: int
    counts: dict[str, int]  # decisions per sentiment
    folds: int
    accuracy: float
    macro_f1: float
    shipped_accuracy: float
    shipped_macro_f1: float

    @classmethod
    def of(cls, checked: CheckedSentiment) -> SentimentAgreement:
        return cls(checked.used, checked.decisions, checked.counts, checked.folds, checked.accuracy,
                   checked.macro_f1, checked.shipped_accuracy, checked.shipped_macro_f1)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> SentimentAgreement:
        return cls(**json.loads(raw))


@lru_cache(maxsize=4)
def shipped_sentiment_model(codebook: str) -> SentimentModel | None:
    """The trained sentiment model a codebook's comments are read with, as shipped (None before one is trained:
    the engine reads VADER's scores then, and there is nothing to adapt)."""
    path = sentiment_model_path(codebook)
    return SentimentModel.load(path) if path.is_file() else None


def sentiment_decisions(engine: Engine, form: Form) -> pd.Series:
    """answer id -> the sentiment an analyst decided, for this survey's analysed answers."""
    query = select(AnalystSentiment.answer_id, AnalystSentiment.sentiment).where(
        AnalystSentiment.answer_id.in_(analysed_answer_ids(form)))
    with engine.connect() as connection:
        decided = pd.read_sql(query, connection)
    return decided.set_index("answer_id")["sentiment"]


def sentiment_decided_since(engine: Engine, form: Form, codebook: str, since: datetime) -> int:
    """Sentiment decisions on this survey's answers coded with this codebook made after ``since``: new reviews
    and changes to old ones alike (every save on the page records one)."""
    query = (select(func.count()).select_from(AnalystSentiment)
             .join(TextAnalysis, TextAnalysis.answer_id == AnalystSentiment.answer_id)
             .where(is_analysed_answer(AnalystSentiment.answer_id, form), TextAnalysis.codebook == codebook,
                    AnalystSentiment.decided_at > since))
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def learn_sentiment(answers: pd.DataFrame, decisions: pd.Series, codebook: nlp.Codebook) -> CheckedSentiment | None:
    """The survey's sentiment model checked against its analysts, from the ``answers`` (answer_id, text, question)
    they decided a sentiment for; None with too few decisions or no shipped sentiment model."""
    decided = answers[answers["answer_id"].isin(decisions.index)]
    shipped = shipped_sentiment_model(codebook.slug)
    if len(decided) < MIN_FOR_SENTIMENT_AGREEMENT or shipped is None:
        return None
    features = featurise(decided["text"].tolist(), decided["question"].tolist(), codebook)
    return adapt_sentiment_where_it_helps(shipped, features.lemmas, features.raw,
                                          [praise_only(question) for question in decided["question"]],
                                          decisions.loc[decided["answer_id"]].tolist())


def same_sentiment_model(a: SentimentModel | None, b: SentimentModel | None) -> bool:
    if a is None or b is None:
        return a is b
    return np.array_equal(a.coef, b.coef) and np.array_equal(a.intercept, b.intercept)
