"""A survey's own theme model: the shipped model adapted to this survey's analyst decisions (``nlp.adapt``),
how well it agrees with those analysts, and which comments they should review next (``nlp.suggest``).

Once per batch window (``REFRESH_EVERY`` new reviewed comments, or any after ``REFRESH_AFTER``) a background job
refits it and stores it in the database (table ``survey_theme_model``, so every app instance uses the same model).
A theme keeps the shipped model until the survey's decisions show the adapted one does better
(``nlp.adapt.adapt_where_it_helps``). The same refresh adapts the sentiment model to the analysts' sentiment
decisions, with its own evidence check (``survey_sentiment``). When either model changes, the refresh decides in
vectorised batches which not-yet-reviewed answers it would tag (or read the sentiment of) differently; only those
are left stale for the analysis job to re-tag
(``analyse.pending_answers``).
The refresh holds a lease on its row (``refreshing_since``, claimed by compare-and-swap) so only one instance
refreshes a survey's model at a time; it never runs in a page request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

import nlp
from engagement.forms import versions_of
from engagement.free_text.analyse import codebook_questions, model_version
from engagement.free_text.background import OnePerSurvey
from engagement.free_text.stored import analysed_answer_ids, is_analysed_answer
from engagement.free_text.survey_sentiment import (
    SentimentAgreement,
    learn_sentiment,
    same_sentiment_model,
    sentiment_decided_since,
    sentiment_decisions,
    shipped_sentiment_model,
)
from engagement.models import (
    AnalystThemeTag,
    Answer,
    AppSetting,
    ModelThemeTag,
    Response,
    SurveyThemeModel,
    TextAnalysis,
    utc_now,
)
from nlp.adapt import (
    CheckedAdaptation,
    adapt_where_it_helps,
    sentiment_decisions_of,
    shipped_theme_model,
    theme_decisions,
    with_other_rule,
)
from nlp.features import praise_only
from nlp.models import SENTIMENTS, SentimentModel, ThemeModel
from nlp.suggest import POOL_FACTOR, suggest_rows, uncertainty
from nlp.train import featurise
from survey_forms import Form

REFRESH_EVERY = 10  # new reviewed comments that make a refresh due at once
REFRESH_AFTER = timedelta(minutes=5)  # ... or any new reviewed comment this long after the last refresh
RETRY_AFTER = timedelta(minutes=1)  # a refresh that failed is tried again no sooner than this
MIN_FOR_AGREEMENT = 10  # fewer reviewed comments than this: no survey model, and agreement is not estimated
RETAG_BATCH = 5000  # unreviewed comments featurised and decided at a time (bounds the refresh's memory)
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
    model_changed_at: datetime | None  # when the survey's model last changed; None while the shipped one is used
    sentiment: SentimentAgreement | None = None  # None before enough sentiment decisions


def _reviewed_query(form: Form, codebook: str):  # noqa: ANN202 - a SQLAlchemy select
    return (
        select(AnalystThemeTag.answer_id, AnalystThemeTag.theme_code, AnalystThemeTag.decision)
        .where(AnalystThemeTag.codebook == codebook, is_analysed_answer(AnalystThemeTag.answer_id, form))
    )


def reviewed_count(engine: Engine, form: Form, codebook: str) -> int:
    with engine.connect() as connection:
        return len(set(connection.scalars(select(_reviewed_query(form, codebook).subquery().c.answer_id))))


def _question_texts(form: Form, codebook: str) -> dict[str, str]:
    """Question id -> the words asked, for the questions coded with this codebook (the engine reads them)."""
    return {qid: " ".join(filter(None, [form.question(qid).text, form.question(qid).help]))
            for qid, slug in codebook_questions(form).items() if slug == codebook}


def _answers(engine: Engine, form: Form, codebook: str) -> pd.DataFrame:
    """Analysed, codeable answers to this codebook's questions, the Easy Read version's included (one model for
    the survey): answer_id, text as written, question_id, the question asked in that version's words, and the
    model's sentiment as stored (stored_sentiment)."""
    asked = pd.DataFrame(
        [(version.slug, qid, text) for version in versions_of(form)
         for qid, text in _question_texts(version, codebook).items()],
        columns=["survey_slug", "question_id", "question"])
    query = (
        select(Answer.id.label("answer_id"), Answer.value.label("text"), Answer.question_id, Response.survey_slug,
               TextAnalysis.sentiment.label("stored_sentiment"))
        .join(Response, Response.id == Answer.response_id)
        .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        .where(Response.survey_slug.in_(asked["survey_slug"].unique().tolist()),
               Answer.question_id.in_(asked["question_id"].unique().tolist()),
               TextAnalysis.status.not_in(["empty", "not_english"]))
        .order_by(Answer.id)
    )
    with engine.connect() as connection:
        answers = pd.read_sql(query, connection)
    # An inner merge keeps the answers' order (by id) and drops a question one version does not code.
    return answers.merge(asked, on=["survey_slug", "question_id"]).drop(columns="survey_slug")


def _labels(engine: Engine, form: Form, codebook: str, answer_ids: pd.Series, codes: list[str]) -> np.ndarray:
    """The analysts' themes (accepted or added) per reviewed answer, 0/1 in codebook order."""
    with engine.connect() as connection:
        decisions = pd.read_sql(_reviewed_query(form, codebook), connection)
    chosen = decisions[decisions["decision"].isin(["accept", "add"])]
    table = pd.crosstab(chosen["answer_id"], chosen["theme_code"]).clip(upper=1)
    return table.reindex(index=answer_ids, columns=codes, fill_value=0).fillna(0).to_numpy(dtype=int)


def agreement(checked: CheckedAdaptation, codebook: nlp.Codebook, labels: np.ndarray) -> Agreement | None:
    """K-fold agreement of the survey's model with the analysts: each fold is decided by a model adapted on the
    other folds only (for the themes the survey's model adopts; the shipped model for the rest), so the figure is
    what to expect on comments nobody has reviewed yet."""
    if len(labels) < MIN_FOR_AGREEMENT:
        return None
    predicted = checked.predicted
    tp = (predicted & labels).sum(axis=0)
    themes = pd.DataFrame({
        "code": codebook.codes,
        "reviewed_with": labels.sum(axis=0),
        "missed": labels.sum(axis=0) - tp,
        "wrongly_tagged": predicted.sum(axis=0) - tp,
        "f1": f1_score(labels, predicted, average=None, zero_division=0),
        "learnt": checked.adaptation.adapted,
    })
    return Agreement(
        micro_f1=float(f1_score(labels, predicted, average="micro", zero_division=0)),
        shipped_micro_f1=float(f1_score(labels, checked.shipped, average="micro", zero_division=0)),
        comments=len(labels),
        folds=checked.folds,
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


def _stored_models(engine: Engine, form: Form, codebook: str) -> tuple[ThemeModel | None, SentimentModel | None]:
    with engine.connect() as connection:
        row = connection.execute(select(SurveyThemeModel.model, SurveyThemeModel.sentiment_model).where(
            SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook)).first()
    themes, sentiment = row if row is not None else (None, None)
    return (ThemeModel.from_bytes(bytes(themes)) if themes else None,
            SentimentModel.from_bytes(bytes(sentiment)) if sentiment else None)


def _same_model(a: ThemeModel | None, b: ThemeModel | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(np.array_equal(x, y) for x, y in ((a.coef, b.coef), (a.intercept, b.intercept),
                                                  (a.thresholds, b.thresholds)))


def _stored_tags(engine: Engine, form: Form, codebook: str, answer_ids: pd.Series, codes: list[str]) -> np.ndarray:
    """The model themes stored for these answers now, 0/1 in codebook order."""
    query = (select(ModelThemeTag.answer_id, ModelThemeTag.theme_code)
             .where(ModelThemeTag.codebook == codebook, ModelThemeTag.answer_id.in_(analysed_answer_ids(form))))
    with engine.connect() as connection:
        tags = pd.read_sql(query, connection)
    table = pd.crosstab(tags["answer_id"], tags["theme_code"]).clip(upper=1)
    return table.reindex(index=answer_ids, columns=codes, fill_value=0).fillna(0).to_numpy(dtype=int)


@dataclass(frozen=True)
class _Unreviewed:
    """The model's view of the comments nobody has reviewed, read in batches: which of them it would tag (or read
    the sentiment of) differently from what is stored, and how unsure it is of each (for the suggestions)."""

    changed: np.ndarray  # (n,) bool
    doubt: np.ndarray  # (n,)


def _read_unreviewed(answers: pd.DataFrame, stored: np.ndarray, model: ThemeModel, codebook: nlp.Codebook,
                     sentiment: SentimentModel | None) -> _Unreviewed:
    """``sentiment``: the sentiment model to compare the stored sentiment with (None: sentiment not compared).
    A comment read differently overall is re-tagged whole; the sentiment of each theme in a mixed comment is
    not compared here (it needs the parse), so it follows when the comment is next analysed."""
    changed, doubt = np.zeros(len(answers), dtype=bool), np.zeros(len(answers))
    for start in range(0, len(answers), RETAG_BATCH):
        part = answers.iloc[start:start + RETAG_BATCH]
        features = featurise(part["text"].tolist(), part["question"].tolist(), codebook)
        decided = with_other_rule(codebook, theme_decisions(model, codebook, features.texts, features.hits))
        rows = slice(start, start + len(part))
        changed[rows] = (decided != stored[rows]).any(axis=1)
        if sentiment is not None:
            read = sentiment_decisions_of(sentiment, features.lemmas, features.raw,
                                          [praise_only(question) for question in part["question"]])
            changed[rows] |= np.asarray(SENTIMENTS)[read] != part["stored_sentiment"].to_numpy()
        doubt[rows] = uncertainty(model.scores(features.texts, features.hits), model.thresholds)
    return _Unreviewed(changed, doubt)


def _suggested(answers: pd.DataFrame, doubt: np.ndarray, model: ThemeModel, codebook: nlp.Codebook) -> list[int]:
    """The answer ids to review next: ``suggest_rows`` over the most uncertain comments (the pool it would pick
    from anyway), featurised again, as only they need their words."""
    if answers.empty:  # nothing analysed and unreviewed yet: the vectoriser cannot read an empty batch
        return []
    pool = np.lexsort((np.arange(len(doubt)), -doubt))[: POOL_FACTOR * SUGGESTED_QUEUE]
    part = answers.iloc[pool]
    features = featurise(part["text"].tolist(), part["question"].tolist(), codebook)
    order = suggest_rows(model.vectorizer.transform(features.texts), model.scores(features.texts, features.hits),
                         model.thresholds, SUGGESTED_QUEUE)
    return part["answer_id"].iloc[order].astype(int).tolist()


def refresh_survey_model(engine: Engine, form: Form, codebook: str) -> bool:
    """Refit the survey's model from every reviewed comment (adopting a theme's adapted column only where the
    evidence says it does better than the shipped model), measure its agreement, choose the next comments to
    review, and store all three. When the model changed, only the unreviewed comments it would tag differently
    are left for the analysis job to re-tag: the rest are marked current, decided in vectorised batches.
    Returns False (doing nothing) when another instance is refreshing it."""
    if not _claim(engine, form, codebook):
        return False
    values: dict = {"refreshing_since": None}
    unchanged_ids: list[int] = []
    succeeded = False
    try:
        loaded = nlp.load_codebook(codebook)
        shipped = shipped_theme_model(loaded.slug)
        answers = _answers(engine, form, codebook)
        with engine.connect() as connection:
            reviewed_ids = set(connection.scalars(select(_reviewed_query(form, codebook).subquery().c.answer_id)))
        reviewed = answers["answer_id"].isin(reviewed_ids).to_numpy()
        coded = answers[reviewed]
        labels = _labels(engine, form, codebook, coded["answer_id"], loaded.codes)
        previous, previous_sentiment = _stored_models(engine, form, codebook)
        model, found = None, None
        if len(coded) >= MIN_FOR_AGREEMENT:
            features = featurise(coded["text"].tolist(), coded["question"].tolist(), loaded)
            checked = adapt_where_it_helps(shipped, loaded, features.texts, features.hits, labels)
            found = agreement(checked, loaded, labels)
            if checked.adaptation.adapted.any():
                # As stored (coefficients as float16), so the same decisions give a model equal to the stored one.
                model = ThemeModel.from_bytes(checked.adaptation.model.to_bytes())
        checked_sentiment = learn_sentiment(answers, sentiment_decisions(engine, form), loaded)
        sentiment = None
        if checked_sentiment is not None and checked_sentiment.used:
            sentiment = SentimentModel.from_bytes(checked_sentiment.model.to_bytes())  # as stored, as themes
        rest = answers[~reviewed]
        current = model or shipped
        sentiment_changed = not same_sentiment_model(sentiment, previous_sentiment)
        # Sentiment is compared only where a survey's sentiment model is or was in use: the shipped model read
        # every comment already, and reading it again could only find differences of the featurising.
        compared = (sentiment or shipped_sentiment_model(loaded.slug)) if sentiment or previous_sentiment else None
        unreviewed = _read_unreviewed(rest, _stored_tags(engine, form, codebook, rest["answer_id"], loaded.codes),
                                      current, loaded, compared)
        values |= {"reviewed": len(coded), "base_version": model_version(),
                   "agreement": _agreement_json(found) if found else None,
                   "sentiment_agreement": SentimentAgreement.of(checked_sentiment).to_json()
                   if checked_sentiment else None,
                   "suggested": json.dumps(_suggested(rest, unreviewed.doubt, current, loaded))}
        if not _same_model(model, previous) or sentiment_changed:
            values |= {"model": model.to_bytes() if model else None,
                       "sentiment_model": sentiment.to_bytes() if sentiment else None, "model_changed_at": utc_now()}
            unchanged_ids = rest["answer_id"][~unreviewed.changed].astype(int).tolist()
        succeeded = True
    finally:
        with engine.begin() as connection:
            connection.execute(update(SurveyThemeModel).where(
                SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook).values(**values))
            # Answers the new model tags as they are stored are current: the analysis job re-tags only the rest.
            changed_at = values.get("model_changed_at")
            for start in range(0, len(unchanged_ids), RETAG_BATCH):
                connection.execute(update(TextAnalysis).where(
                    TextAnalysis.answer_id.in_(unchanged_ids[start:start + RETAG_BATCH]),
                    TextAnalysis.analysed_at < changed_at).values(analysed_at=changed_at))
            _remember_refresh(connection, form, codebook, succeeded)
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
            SurveyThemeModel.refreshing_since, SurveyThemeModel.model_changed_at,
            SurveyThemeModel.sentiment_agreement,
        ).where(SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook)).first()
    if row is None:
        return None
    found = None
    if row.agreement:
        stored = json.loads(row.agreement)
        found = Agreement(stored["micro_f1"], stored["shipped_micro_f1"], stored["comments"], stored["folds"],
                          pd.DataFrame(stored["themes"]))
    return SurveyModel(codebook, row.reviewed, found, json.loads(row.suggested), row.refreshing_since is not None,
                       row.model_changed_at,
                       SentimentAgreement.from_json(row.sentiment_agreement) if row.sentiment_agreement else None)


def _refresh_key(form: Form, codebook: str) -> str:
    return f"survey_model_refreshed:{form.slug}:{codebook}"


def _remember_refresh(connection: Connection, form: Form, codebook: str, succeeded: bool) -> None:
    """When this survey's model was last refreshed (or tried), for the refresh window."""
    value = json.dumps({"at": utc_now().isoformat(), "succeeded": succeeded})
    key = _refresh_key(form, codebook)
    if connection.execute(update(AppSetting).where(AppSetting.key == key).values(value=value)).rowcount == 0:
        connection.execute(insert(AppSetting).values(key=key, value=value))


def _last_refresh(engine: Engine, form: Form, codebook: str) -> tuple[datetime, bool] | None:
    with engine.connect() as connection:
        raw = connection.scalar(select(AppSetting.value).where(AppSetting.key == _refresh_key(form, codebook)))
    if raw is None:
        return None
    stored = json.loads(raw)
    return datetime.fromisoformat(stored["at"]), bool(stored["succeeded"])


def refresh_due(engine: Engine, form: Form) -> list[str]:
    """The codebooks whose survey model should be refreshed: never built, built by another engine version, or
    decisions waiting (newly reviewed comments, or sentiment decisions since the last refresh, whichever are
    more) — ``REFRESH_EVERY`` of them, or any after ``REFRESH_AFTER`` — so a busy review session
    refreshes once per batch window, not after every decision. A failed refresh waits ``RETRY_AFTER``."""
    due = []
    now = utc_now()
    for codebook in sorted(set(codebook_questions(form).values())):
        stored = survey_model(engine, form, codebook)
        if stored is not None and stored.refreshing:
            continue
        last = _last_refresh(engine, form, codebook)
        if last is not None and not last[1] and now - last[0] < RETRY_AFTER:
            continue
        with engine.connect() as connection:
            version = connection.scalar(select(SurveyThemeModel.base_version).where(
                SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook))
        if stored is None or version != model_version():
            due.append(codebook)
            continue
        waiting = reviewed_count(engine, form, codebook) - stored.reviewed
        if last is not None:  # a changed sentiment on a comment already reviewed is a decision too
            waiting = max(waiting, sentiment_decided_since(engine, form, codebook, last[0]))
        if waiting >= REFRESH_EVERY or (waiting > 0 and (last is None or now - last[0] >= REFRESH_AFTER)):
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
