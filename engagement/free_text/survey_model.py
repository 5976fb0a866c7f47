"""A survey's adapted theme and sentiment models as stored (table ``survey_theme_model``): loading them for the
analysis job, and which analysed answers they have made stale (analysed before they changed and not reviewed by
an analyst).

``engagement.free_text.learning`` builds and refreshes them.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import and_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from engagement.forms import reported_slug
from engagement.models import AnalystThemeTag, SurveyThemeModel, TextAnalysis
from nlp.models import SentimentModel, ThemeModel
from survey_forms import Form


def adapted_theme_model(session: Session, form: Form, codebook: str) -> ThemeModel | None:
    """The survey's adapted model for this codebook, if its analysts have taught it anything yet. An Easy Read
    version has none of its own: its answers are reviewed with the standard survey's and share its model."""
    data = session.scalar(select(SurveyThemeModel.model).where(
        SurveyThemeModel.survey_slug == reported_slug(form), SurveyThemeModel.codebook == codebook))
    return _model_from(bytes(data)) if data else None


@lru_cache(maxsize=4)
def _model_from(data: bytes) -> ThemeModel:
    return ThemeModel.from_bytes(data)


def adapted_sentiment_model(session: Session, form: Form, codebook: str) -> SentimentModel | None:
    """The survey's sentiment model adapted to its analysts' sentiment decisions, once they show it does better."""
    data = session.scalar(select(SurveyThemeModel.sentiment_model).where(
        SurveyThemeModel.survey_slug == form.slug, SurveyThemeModel.codebook == codebook))
    return _sentiment_model_from(bytes(data)) if data else None


@lru_cache(maxsize=4)
def _sentiment_model_from(data: bytes) -> SentimentModel:
    return SentimentModel.from_bytes(data)


def stale_answer_ids(form: Form) -> Select:
    """Answers whose themes came from an older model than the survey's current adapted one and that no analyst
    has reviewed: the analysis job re-tags them. The refresh that stores a model marks the answers it would tag
    the same as current (``learning.refresh_survey_model``), so only those it tags differently stay here."""
    return (
        select(TextAnalysis.answer_id)
        .join(SurveyThemeModel, and_(SurveyThemeModel.survey_slug == reported_slug(form),
                                     SurveyThemeModel.codebook == TextAnalysis.codebook))
        .where(SurveyThemeModel.model_changed_at.is_not(None),
               TextAnalysis.analysed_at < SurveyThemeModel.model_changed_at,
               TextAnalysis.status.not_in(["empty", "not_english"]),
               TextAnalysis.answer_id.not_in(select(AnalystThemeTag.answer_id)))
    )
