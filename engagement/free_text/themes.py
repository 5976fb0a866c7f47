"""The themes each analysed answer carries (model tags, with analyst decisions winning), and the summary
'% of respondents mentioning' each theme."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

import nlp
from engagement.free_text.analyse import codebook_questions
from engagement.free_text.stored import analysed_answer_ids, analysed_answers
from engagement.models import AnalystThemeTag, ModelThemeTag
from survey_forms import Form

TAG_COLUMNS = ["answer_id", "codebook", "theme_code", "theme_sentiment", "source"]


def effective_theme_tags(engine: Engine, form: Form, include_synthetic: bool = True) -> pd.DataFrame:
    """The themes each analysed answer carries: model tags, less those an analyst rejected, plus those an
    analyst accepted or added. Columns: answer_id, codebook, theme_code, theme_sentiment, source
    ('model'|'analyst')."""
    answers = analysed_answers(engine, form, include_synthetic)
    if answers.empty:
        return pd.DataFrame(columns=TAG_COLUMNS)
    of_survey = analysed_answer_ids(form, include_synthetic)
    with engine.connect() as connection:
        model = pd.read_sql(
            select(ModelThemeTag.answer_id, ModelThemeTag.codebook, ModelThemeTag.theme_code,
                   ModelThemeTag.sentiment.label("theme_sentiment")).where(ModelThemeTag.answer_id.in_(of_survey)),
            connection,
        )
        analyst = pd.read_sql(
            select(AnalystThemeTag.answer_id, AnalystThemeTag.codebook, AnalystThemeTag.theme_code,
                   AnalystThemeTag.decision).where(AnalystThemeTag.answer_id.in_(of_survey)),
            connection,
        )
    key = ["answer_id", "codebook", "theme_code"]
    model["source"] = "model"
    if not analyst.empty:
        model = model.merge(analyst, on=key, how="left")
        model = model[model["decision"].ne("reject")].drop(columns="decision")
        model.loc[model.set_index(key).index.isin(analyst.set_index(key).index), "source"] = "analyst"
        added = analyst[analyst["decision"].isin(["accept", "add"])]
        added = added[~added.set_index(key).index.isin(model.set_index(key).index)]
        sentiments = answers.set_index("answer_id")["sentiment"]
        added = added.assign(theme_sentiment=added["answer_id"].map(sentiments), source="analyst")
        model = pd.concat([model, added[TAG_COLUMNS]], ignore_index=True)
    return model[TAG_COLUMNS]


def theme_summary(engine: Engine, form: Form, question_id: str, include_synthetic: bool = True) -> pd.DataFrame:
    """Per theme: respondents mentioning it, % of respondents who answered the question (multi-coded, so the
    column can add up to more than 100%), and how many mentions were positive, neutral or negative.
    Numerator and denominator count the same answers: an empty answer ('-', 'Did not answer') is in neither,
    so its 'not codeable' tag cannot push a theme past 100%."""
    codebook_slug = codebook_questions(form).get(question_id)
    answers = analysed_answers(engine, form, include_synthetic)
    answered = answers[(answers["question_id"] == question_id) & answers["status"].ne("empty")]
    columns = ["theme_code", "theme", "respondents", "pct_of_respondents", "positive", "neutral", "negative"]
    if answered.empty or codebook_slug is None:
        return pd.DataFrame(columns=columns)
    base = answered["response_reference"].nunique()
    tags = effective_theme_tags(engine, form, include_synthetic)
    tags = tags.merge(answered[["answer_id", "response_reference"]], on="answer_id")
    labels = {theme.code: theme.label for theme in nlp.load_codebook(codebook_slug).themes}
    sentiments = pd.crosstab(tags["theme_code"], tags["theme_sentiment"]).reindex(
        columns=["positive", "neutral", "negative"], fill_value=0
    )
    frame = pd.DataFrame({"respondents": tags.groupby("theme_code")["response_reference"].nunique()})
    frame = frame.join(sentiments).reset_index()
    frame["theme"] = frame["theme_code"].map(lambda code: labels.get(code, code))
    frame["pct_of_respondents"] = 100.0 * frame["respondents"] / base
    frame[["positive", "neutral", "negative"]] = frame[["positive", "neutral", "negative"]].astype(int)
    return frame[columns].sort_values("respondents", ascending=False, ignore_index=True)
