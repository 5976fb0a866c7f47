"""Free-text answers through the NLP engine: store redacted text, model themes and sentiment; keep analyst
decisions apart (they always win); summarise themes as '% of respondents mentioning'."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import nlp
from engagement import audit
from engagement.models import (
    AnalystThemeTag,
    Answer,
    ModelThemeTag,
    RedactionLog,
    Response,
    TextAnalysis,
    utc_now,
)
from survey_forms import Form

DECISIONS = ("accept", "reject", "add")
ProgressCallback = Callable[[int, int], None]


def model_version() -> str:
    """The engine's version: it changes when a codebook or a trained model changes (a new process picks it up)."""
    return nlp.MODEL_VERSION


def codebook_questions(form: Form) -> dict[str, str]:
    """Free-text question id → the codebook its answers are coded with (from the form file)."""
    return {q.id: q.codebook for q in form.free_text_questions() if q.codebook}


@dataclass(frozen=True)
class PendingAnswer:
    answer_id: int
    question_id: str
    text: str


def pending_answers(session: Session, form: Form, version: str | None = None) -> list[PendingAnswer]:
    """Free-text answers to this form not yet analysed by the current model version."""
    version = version or model_version()
    analysed = select(TextAnalysis.answer_id).where(TextAnalysis.model_version == version)
    query = (
        select(Answer.id, Answer.question_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.survey_slug == form.slug,
            Answer.question_id.in_(list(codebook_questions(form))),
            Answer.id.not_in(analysed),
        )
        .order_by(Answer.id)
    )
    return [PendingAnswer(*row) for row in session.execute(query)]


def _store(session: Session, batch: Sequence[PendingAnswer], codebook: str, version: str,
           results: Sequence[nlp.CommentAnalysis]) -> None:
    """Replace the stored analysis of these answers (bulk inserts: this runs over whole surveys)."""
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


def analyse_pending(
    engine: Engine, form: Form, progress: ProgressCallback | None = None, batch_size: int = 500
) -> int:
    """Analyse every free-text answer the current model has not seen; each batch is stored in one
    transaction. Calls progress(done, total) after each batch. Returns how many answers were analysed."""
    version = model_version()
    questions = codebook_questions(form)
    # The engine reads the question asked (praise or improvement) from its wording, so give it the words.
    asked = {qid: " ".join(filter(None, [form.question(qid).text, form.question(qid).help])) for qid in questions}
    with Session(engine) as session:
        pending = pending_answers(session, form, version)
        total = len(pending)
        if progress:
            progress(0, total)
        for start in range(0, total, batch_size):
            batch = pending[start : start + batch_size]
            by_codebook: dict[str, list[PendingAnswer]] = {}
            for item in batch:
                by_codebook.setdefault(questions[item.question_id], []).append(item)
            for codebook, items in by_codebook.items():
                results = list(
                    nlp.analyse_comments(
                        [i.text for i in items], codebook, questions=[asked[i.question_id] for i in items]
                    )
                )
                _store(session, items, codebook, version, results)
            session.commit()
            if progress:
                progress(min(start + batch_size, total), total)
    return total


def redact_texts(texts: Sequence[str], codebook: str = "wmty") -> list[str]:
    """Redacted versions of texts not stored yet (for exports of answers the model has not seen)."""
    return [result.redacted_text for result in nlp.analyse_comments(texts, codebook)]


def redacted_answers(engine: Engine, answer_ids: Iterable[int]) -> dict[int, str]:
    ids = list(answer_ids)
    if not ids:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(TextAnalysis.answer_id, TextAnalysis.redacted_text).where(TextAnalysis.answer_id.in_(ids))
        )
        return dict(rows.all())


def _analysed_frame(engine: Engine, form: Form, include_synthetic: bool) -> pd.DataFrame:
    query = (
        select(
            Answer.id.label("answer_id"),
            Response.reference.label("response_reference"),
            Response.place_code,
            Response.channel,
            Answer.question_id,
            TextAnalysis.codebook,
            TextAnalysis.redacted_text,
            TextAnalysis.sentiment,
            TextAnalysis.status,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        .where(Response.survey_slug == form.slug)
    )
    if not include_synthetic:
        query = query.where(Response.is_synthetic.is_(False))
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def effective_theme_tags(engine: Engine, form: Form, include_synthetic: bool = True) -> pd.DataFrame:
    """The themes each analysed answer carries: model tags, less those an analyst rejected, plus those an
    analyst accepted or added. Columns: answer_id, theme_code, theme_sentiment, source ('model'|'analyst')."""
    answers = _analysed_frame(engine, form, include_synthetic)
    columns = ["answer_id", "codebook", "theme_code", "theme_sentiment", "source"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    ids = answers["answer_id"].tolist()
    with engine.connect() as connection:
        model = pd.read_sql(
            select(ModelThemeTag.answer_id, ModelThemeTag.codebook, ModelThemeTag.theme_code,
                   ModelThemeTag.sentiment.label("theme_sentiment")).where(ModelThemeTag.answer_id.in_(ids)),
            connection,
        )
        analyst = pd.read_sql(
            select(AnalystThemeTag.answer_id, AnalystThemeTag.codebook, AnalystThemeTag.theme_code,
                   AnalystThemeTag.decision).where(AnalystThemeTag.answer_id.in_(ids)),
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
        model = pd.concat([model, added[columns]], ignore_index=True)
    return model[columns]


def theme_summary(engine: Engine, form: Form, question_id: str, include_synthetic: bool = True) -> pd.DataFrame:
    """Per theme: respondents mentioning it, % of respondents who answered the question (multi-coded, so the
    column can add up to more than 100%), and how many mentions were positive, neutral or negative."""
    codebook_slug = codebook_questions(form).get(question_id)
    answers = _analysed_frame(engine, form, include_synthetic)
    answers = answers[answers["question_id"] == question_id]
    columns = ["theme_code", "theme", "respondents", "pct_of_respondents", "positive", "neutral", "negative"]
    if answers.empty or codebook_slug is None:
        return pd.DataFrame(columns=columns)
    answered = answers.loc[answers["status"].ne("empty"), "response_reference"].nunique()
    tags = effective_theme_tags(engine, form, include_synthetic)
    tags = tags.merge(answers[["answer_id", "response_reference"]], on="answer_id")
    labels = {theme.code: theme.label for theme in nlp.load_codebook(codebook_slug).themes}
    rows = []
    for code, group in tags.groupby("theme_code"):
        sentiments = group["theme_sentiment"].value_counts()
        respondents = group["response_reference"].nunique()
        rows.append(
            {
                "theme_code": code,
                "theme": labels.get(code, code),
                "respondents": respondents,
                "pct_of_respondents": 100.0 * respondents / answered if answered else float("nan"),
                "positive": int(sentiments.get("positive", 0)),
                "neutral": int(sentiments.get("neutral", 0)),
                "negative": int(sentiments.get("negative", 0)),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("respondents", ascending=False, ignore_index=True)


def comments_for_review(
    engine: Engine, form: Form, question_id: str, theme_code: str | None = None, include_synthetic: bool = True
) -> pd.DataFrame:
    """Analysed answers to one question with their redacted text, sentiment, current themes (codes), the words
    that gave each model theme away (evidence), and whether an analyst has reviewed them."""
    answers = _analysed_frame(engine, form, include_synthetic)
    answers = answers[(answers["question_id"] == question_id) & answers["status"].ne("empty")]
    tags = effective_theme_tags(engine, form, include_synthetic)
    themes = tags.groupby("answer_id")["theme_code"].apply(lambda codes: sorted(set(codes)))
    ids = answers["answer_id"].tolist()
    with engine.connect() as connection:
        reviewed = set(
            connection.scalars(select(AnalystThemeTag.answer_id).where(AnalystThemeTag.answer_id.in_(ids)))
        )
        evidence: dict[int, dict[str, list[str]]] = {}
        for answer_id, code, words in connection.execute(
            select(ModelThemeTag.answer_id, ModelThemeTag.theme_code, ModelThemeTag.evidence).where(
                ModelThemeTag.answer_id.in_(ids)
            )
        ):
            if found := list(dict.fromkeys(json.loads(words))):
                evidence.setdefault(answer_id, {})[code] = found
    answers = answers.assign(
        themes=answers["answer_id"].map(themes).apply(lambda v: v if isinstance(v, list) else []),
        evidence=answers["answer_id"].map(lambda answer_id: evidence.get(answer_id, {})),
        reviewed=answers["answer_id"].isin(reviewed),
    )
    if theme_code:
        answers = answers[answers["themes"].apply(lambda codes: theme_code in codes)]
    return answers[
        ["answer_id", "response_reference", "redacted_text", "sentiment", "themes", "evidence", "reviewed"]
    ]


def set_analyst_themes(
    session: Session, answer_id: int, codebook: str, chosen: Iterable[str], analyst: str,
    via: str = "page: Comments and themes",
) -> None:
    """Record an analyst's view of an answer's themes, relative to what the model said: model themes kept are
    accepted, model themes dropped are rejected, new themes are added. Replaces that analyst view."""
    known = set(nlp.load_codebook(codebook).codes)
    chosen = set(chosen)
    if unknown := chosen - known:
        raise ValueError(f"themes not in codebook '{codebook}': {', '.join(sorted(unknown))}")
    if not analyst.strip():
        raise ValueError("analyst name is required to record a decision")
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
    audit.record(session, "tags_changed", actor=analyst.strip(), via=via, target_kind="answer",
                 target_id=str(answer_id), codebook=codebook, themes=sorted(chosen))
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


def stored_comments(session: Session, codebook: str) -> list[str]:
    """Every analysed (redacted) answer coded with this codebook: unlabelled training text for its model."""
    query = select(TextAnalysis.redacted_text).where(
        TextAnalysis.codebook == codebook, TextAnalysis.status != "empty"
    )
    return list(session.scalars(query))
