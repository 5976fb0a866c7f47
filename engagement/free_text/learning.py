"""A survey's own theme model: the shipped model adapted to this survey's analyst decisions (``nlp.adapt``),
how well it agrees with those analysts, and which comments they should review next (``nlp.suggest``).

After every ``REFRESH_EVERY`` new reviewed comments a background job refits it and stores it in the database
(table ``survey_theme_model``, so every app instance uses the same model). Storing a new model makes the
survey's not-yet-reviewed answers stale, and the analysis job re-tags them with it (``analyse.pending_answers``).
The refresh holds a lease on its row (``refreshing_since``, claimed by compare-and-swap) so only one instance
refreshes a survey's model at a time; it never runs in a page request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import nlp
from engagement.free_text.analyse import codebook_questions, model_version
from engagement.free_text.background import OnePerSurvey
from engagement.free_text.stored import analysed_answer_ids
from engagement.models import AnalystThemeTag, Answer, Response, SurveyThemeModel, TextAnalysis, utc_now
from nlp.adapt import adapt_theme_model, shipped_theme_model, theme_decisions
from nlp.models import ThemeModel
from nlp.suggest import suggest_rows
from nlp.train import featurise
from survey_forms import Form

REFRESH_EVERY = 10  # reviewed comments between refreshes
FOLDS = 5
MIN_FOR_AGREEMENT = 10  # fewer reviewed comments than this and agreement is not estimated
SUGGESTED_QUEUE = 200  # comments the review queue orders by suggestion; the rest follow by answer id
LEASE = timedelta(minutes=10)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Agreement:
    """How often the survey's model, fitted without them, agrees with the analysts' decisions (k-fold)."""

    micro_f1: float
    shipped_micro_f1: float  # the shipped model on the same comments, for comparison
    comments: int
    folds: int
    themes: pd.DataFrame  # code, reviewed_with (analysts chose it), missed, wrongly_tagged, f1


@dataclass(frozen=True)
class SurveyModel:
    codebook: str
    reviewed: int
    agreement: Agreement | None
    suggested: list[int]
    refreshing: bool


def _reviewed_query(form: Form, codebook: str):  # noqa: ANN202 - a SQLAlchemy select
    return (
        select(AnalystThemeTag.answer_id, AnalystThemeTag.theme_code, AnalystThemeTag.decision)
        .where(AnalystThemeTag.codebook == codebook, AnalystThemeTag.answer_id.in_(analysed_answer_ids(form)))
    )


def reviewed_count(engine: Engine, form: Form, codebook: str) -> int:
    with engine.connect() as connection:
        return len(set(connection.scalars(select(_reviewed_query(form, codebook).subquery().c.answer_id))))


def _question_texts(form: Form, codebook: str) -> dict[str, str]:
    """Question id -> the words asked, for the questions coded with this codebook (the engine reads them)."""
    return {qid: " ".join(filter(None, [form.question(qid).text, form.question(qid).help]))
            for qid, slug in codebook_questions(form).items() if slug == codebook}


def _answers(engine: Engine, form: Form, codebook: str) -> pd.DataFrame:
    """Analysed, codeable answers to this codebook's questions: answer_id, text as written, question asked."""
    asked = _question_texts(form, codebook)
    query = (
        select(Answer.id.label("answer_id"), Answer.value.label("text"), Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        .where(Response.survey_slug == form.slug, Answer.question_id.in_(list(asked)),
               TextAnalysis.status.not_in(["empty", "not_english"]))
        .order_by(Answer.id)
    )
    with engine.connect() as connection:
        answers = pd.read_sql(query, connection)
    return answers.assign(question=answers["question_id"].map(asked))


def _labels(engine: Engine, form: Form, codebook: str, answer_ids: pd.Series, codes: list[str]) -> np.ndarray:
    """The analysts' themes (accepted or added) per reviewed answer, 0/1 in codebook order."""
    with engine.connect() as connection:
        decisions = pd.read_sql(_reviewed_query(form, codebook), connection)
    chosen = decisions[decisions["decision"].isin(["accept", "add"])]
    table = pd.crosstab(chosen["answer_id"], chosen["theme_code"]).clip(upper=1)
    return table.reindex(index=answer_ids, columns=codes, fill_value=0).fillna(0).to_numpy(dtype=int)


def agreement(model: ThemeModel, codebook: nlp.Codebook, texts: list[str], hits, labels: np.ndarray  # noqa: ANN001
              ) -> Agreement | None:
    """K-fold agreement of the adapted model with the analysts: each fold is predicted by a model adapted on
    the other folds only, so the figure is what to expect on comments nobody has reviewed yet."""
    if len(labels) < MIN_FOR_AGREEMENT:
        return None
    predicted = np.zeros_like(labels)
    folds = min(FOLDS, len(labels))
    for train, test in KFold(folds, shuffle=True, random_state=0).split(labels):
        fitted = adapt_theme_model(model, [texts[i] for i in train], hits[train], labels[train]).model
        predicted[test] = theme_decisions(fitted, codebook, [texts[i] for i in test], hits[test])
    shipped = theme_decisions(model, codebook, texts, hits)
    tp = (predicted & labels).sum(axis=0)
    themes = pd.DataFrame({
        "code": codebook.codes,
        "reviewed_with": labels.sum(axis=0),
        "missed": labels.sum(axis=0) - tp,
        "wrongly_tagged": predicted.sum(axis=0) - tp,
        "f1": f1_score(labels, predicted, average=None, zero_division=0),
    })
    return Agreement(
        micro_f1=float(f1_score(labels, predicted, average="micro", zero_division=0)),
        shipped_micro_f1=float(f1_score(labels, shipped, average="micro", zero_division=0)),
        comments=len(labels),
        folds=folds,
        themes=themes,
    )


def _claim(engine: Engine, form: Form, codebook: str) -> bool:
    """Take the refresh lease on this survey's model row (creating the row if needed); False if another
    instance holds it."""
    now = utc_now()
    with engine.begin() as connection:
        try:
            with connection.begin_nested():
                connection.execute(insert(SurveyThemeModel).values(
                    survey_slug=form.slug, codebook=codebook, base_version="", reviewed=0, suggested="[]",
                    refreshing_since=now))
            return True
        except IntegrityError:
            pass
        claimed = connection.execute(
            update(SurveyThemeModel)
            .where(SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook,
                   or_(SurveyThemeModel.refreshing_since.is_(None), SurveyThemeModel.refreshing_since < now - LEASE))
            .values(refreshing_since=now)
        )
        return claimed.rowcount == 1


def refresh_survey_model(engine: Engine, form: Form, codebook: str) -> bool:
    """Refit the survey's model from every reviewed comment, measure its agreement, choose the next comments to
    review, and store all three. Returns False (doing nothing) when another instance is refreshing it."""
    if not _claim(engine, form, codebook):
        return False
    values: dict = {"refreshing_since": None}
    try:
        loaded = nlp.load_codebook(codebook)
        shipped = shipped_theme_model(loaded.slug)
        answers = _answers(engine, form, codebook)
        labels = _labels(engine, form, codebook, answers["answer_id"], loaded.codes)
        with engine.connect() as connection:
            reviewed_ids = set(connection.scalars(select(_reviewed_query(form, codebook).subquery().c.answer_id)))
        reviewed = answers["answer_id"].isin(reviewed_ids).to_numpy()
        features = featurise(answers["text"].tolist(), answers["question"].tolist(), loaded)
        rows = np.flatnonzero(reviewed)
        texts = [features.texts[i] for i in rows]
        model = shipped
        if len(rows):
            model = adapt_theme_model(shipped, texts, features.hits[rows], labels[rows]).model
            found = agreement(shipped, loaded, texts, features.hits[rows], labels[rows])
            values |= {"model": model.to_bytes(), "model_changed_at": utc_now(),
                       "agreement": _agreement_json(found) if found else None}
        words = model.vectorizer.transform(features.texts)
        order = suggest_rows(words, model.scores(features.texts, features.hits), model.thresholds,
                             SUGGESTED_QUEUE, exclude=rows)
        values |= {"reviewed": len(rows), "base_version": model_version(),
                   "suggested": json.dumps(answers["answer_id"].iloc[order].astype(int).tolist())}
    finally:
        with engine.begin() as connection:
            connection.execute(update(SurveyThemeModel).where(
                SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook).values(**values))
    return True


def _agreement_json(found: Agreement) -> str:
    return json.dumps({"micro_f1": found.micro_f1, "shipped_micro_f1": found.shipped_micro_f1,
                       "comments": found.comments, "folds": found.folds,
                       "themes": found.themes.astype({"f1": float}).to_dict(orient="list")})


def survey_model(engine: Engine, form: Form, codebook: str) -> SurveyModel | None:
    """What is stored about the survey's model for this codebook (None before the first refresh)."""
    with engine.connect() as connection:
        row = connection.execute(select(
            SurveyThemeModel.reviewed, SurveyThemeModel.agreement, SurveyThemeModel.suggested,
            SurveyThemeModel.refreshing_since,
        ).where(SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook)).first()
    if row is None:
        return None
    found = None
    if row.agreement:
        stored = json.loads(row.agreement)
        found = Agreement(stored["micro_f1"], stored["shipped_micro_f1"], stored["comments"], stored["folds"],
                          pd.DataFrame(stored["themes"]))
    return SurveyModel(codebook, row.reviewed, found, json.loads(row.suggested), row.refreshing_since is not None)


def refresh_due(engine: Engine, form: Form) -> list[str]:
    """The codebooks whose survey model should be refreshed: never built, built by another engine version, or
    ``REFRESH_EVERY`` reviewed comments behind."""
    due = []
    for codebook in sorted(set(codebook_questions(form).values())):
        stored = survey_model(engine, form, codebook)
        if stored is not None and stored.refreshing:
            continue
        with engine.connect() as connection:
            version = connection.scalar(select(SurveyThemeModel.base_version).where(
                SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook))
        if stored is None or version != model_version() or \
                reviewed_count(engine, form, codebook) - stored.reviewed >= REFRESH_EVERY:
            due.append(codebook)
    return due


_refreshes = OnePerSurvey("refresh-model")


def _refresh_in_background(engine: Engine, form: Form, codebooks: list[str]) -> None:
    for codebook in codebooks:
        try:
            refresh_survey_model(engine, form, codebook)
        except Exception:
            # No one to show it to in a thread: logged; the lease is released, so the next page view retries.
            log.exception("refreshing the %s model of %s failed", codebook, form.slug)


def start_background_refresh(engine: Engine, form: Form, codebooks: list[str]) -> bool:
    """Refresh these codebooks' survey models in a thread of this process unless one is already running here;
    the row lease keeps other instances out. Returns whether a thread was started."""
    return _refreshes.start((str(engine.url), form.slug), _refresh_in_background, engine, form, codebooks)


def wait_for_background_refresh(timeout: float | None = None) -> None:
    _refreshes.wait(timeout)
