"""The themes each analysed answer carries (model tags, with analyst decisions winning), and the summary
'% of respondents mentioning' each theme."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

import nlp
from engagement.analysis.breakdowns import SENTIMENTS, how_it_was_said, theme_breakdown
from engagement.analysis.easy_read import VERSION_COLUMN, VERSION_LABELS
from engagement.analysis.suppression import SuppressionRule
from engagement.free_text.analyse import codebook_questions
from engagement.free_text.stored import analysed_answer_ids, analysed_answers
from engagement.models import AnalystThemeTag, ModelThemeTag
from survey_forms import Form

TAG_COLUMNS = ["answer_id", "codebook", "theme_code", "theme_sentiment", "source"]


def effective_theme_tags(engine: Engine, form: Form, include_synthetic: bool = True, question_id: str | None = None,
                         answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The themes each analysed answer carries: model tags, less those an analyst rejected, plus those an
    analyst accepted or added; a theme's sentiment follows an analyst's sentiment for the comment (see
    ``_with_analysts_sentiment``). Columns: answer_id, codebook, theme_code, theme_sentiment, source
    ('model'|'analyst'). With a question_id, only that question's answers' themes; ``answers``: its
    ``analysed_answers`` already read (with the same include_synthetic and question_id), so they are not read
    again."""
    if answers is None:
        answers = analysed_answers(engine, form, include_synthetic, question_id)
    if answers.empty:
        return pd.DataFrame(columns=TAG_COLUMNS)
    of_survey = analysed_answer_ids(form, include_synthetic, question_id)
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
    return _with_analysts_sentiment(model, answers)[TAG_COLUMNS]


def _with_analysts_sentiment(tags: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """Where an analyst changed a comment's sentiment, its themes say it too when the model's theme sentiment
    followed the comment's (a comment with one theme, or a theme said like the rest of it); a theme said
    differently from the rest of a mixed comment ("staff lovely but the wait awful") keeps its own."""
    changed = answers.loc[answers["sentiment"].ne(answers["model_sentiment"]),
                          ["answer_id", "sentiment", "model_sentiment"]]
    if changed.empty:
        return tags
    tags = tags.merge(changed, on="answer_id", how="left")
    alone = tags.groupby("answer_id")["theme_code"].transform("nunique").eq(1)
    follows = tags["sentiment"].notna() & (tags["theme_sentiment"].eq(tags["model_sentiment"]) | alone)
    return tags.assign(theme_sentiment=tags["theme_sentiment"].where(~follows, tags["sentiment"]))


def of_version(answers: pd.DataFrame, form_version: str) -> pd.DataFrame:
    """The analysed answers that came through one survey version ('standard' or 'easy_read'); 'both': all."""
    if form_version == "both":
        return answers
    return answers[answers[VERSION_COLUMN].eq(VERSION_LABELS[form_version])]


SUMMARY_COLUMNS = ["theme_code", "theme", "respondents", "pct_of_respondents", "positive", "neutral", "negative",
                   "positive_share", "neutral_share", "negative_share", "how_it_was_said", "suppression_note"]


@dataclass(frozen=True)
class AnsweredQuestion:
    """One question's analysed answers with something to code (of the survey version asked for) and their themes,
    read once for both the theme summary and the review queue."""

    question_id: str
    answers: pd.DataFrame  # analysed_answers' columns
    tags: pd.DataFrame  # effective_theme_tags' columns of these answers, with response_reference and question_id


def answered_question(engine: Engine, form: Form, question_id: str, include_synthetic: bool = True,
                      form_version: str = "both") -> AnsweredQuestion:
    """The answers to one question (the standard form's id; Easy Read respondents' included unless `form_version`
    keeps one version) that are not empty, and the themes they carry: only that question's rows are read."""
    answers = analysed_answers(engine, form, include_synthetic, question_id)
    tags = effective_theme_tags(engine, form, include_synthetic, question_id, answers)
    answered = of_version(answers, form_version)
    answered = answered[answered["question_id"].eq(question_id) & answered["status"].ne("empty")]
    tags = tags.merge(answered[["answer_id", "response_reference", "question_id"]], on="answer_id")
    return AnsweredQuestion(question_id, answered.reset_index(drop=True), tags)


def theme_summary(engine: Engine, form: Form, question_id: str, include_synthetic: bool = True,
                  rule: SuppressionRule | None = None, form_version: str = "both") -> pd.DataFrame:
    """Per theme: respondents mentioning it, % of respondents who answered the question (multi-coded, so the
    column can add up to more than 100%), how many mentions were positive, neutral or negative, the % of those
    mentioning it who did so each way, and that in words ("82% negative"). Numerator and denominator count the
    same answers: an empty answer ('-', 'Did not answer') is in neither, so its 'not codeable' tag cannot push a
    theme past 100%. Worked out by `theme_breakdown`, so every figure has passed the suppression rule (hidden
    figures are missing). Easy Read respondents count with the standard survey's unless `form_version` (see
    easy_read.VERSIONS) asks for one version alone."""
    return summary_of(answered_question(engine, form, question_id, include_synthetic, form_version), form, rule)


def summary_of(answered: AnsweredQuestion, form: Form, rule: SuppressionRule | None = None) -> pd.DataFrame:
    """`theme_summary` of answers already read."""
    codebook_slug = codebook_questions(form).get(answered.question_id)
    if answered.answers.empty or codebook_slug is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    people = answered.answers[["response_reference", "question_id"]].rename(
        columns={"response_reference": "response_id"})
    table = theme_breakdown(
        people[["response_id"]].drop_duplicates(),
        answered.tags.rename(columns={"response_reference": "response_id"}),
        people,
        None,
        rule=rule,
    )
    labels = {theme.code: theme.label for theme in nlp.load_codebook(codebook_slug).themes}
    frame = pd.DataFrame({
        "theme_code": table["theme_code"],
        "theme": table["theme_code"].map(lambda code: labels.get(code, code)),
        "respondents": table["mentioning_n"],
        "pct_of_respondents": table["pct"],
        **{sentiment: table[f"{sentiment}_n"] for sentiment in SENTIMENTS},
        **{f"{sentiment}_share": table[f"{sentiment}_share"] for sentiment in SENTIMENTS},
    })
    frame["how_it_was_said"] = how_it_was_said(frame)
    frame["suppression_note"] = table["suppression_note"]
    order = table["mentioning_n"].fillna(-1).rank(method="first", ascending=False)  # raw order, hidden last
    return frame.assign(_order=order.to_numpy()).sort_values("_order").drop(columns="_order")[
        SUMMARY_COLUMNS].reset_index(drop=True)
