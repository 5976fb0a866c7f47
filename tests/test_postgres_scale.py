"""70,000 analysed answers on a real PostgreSQL: more than the 65,535 bound parameters one statement may carry,
so every query over analysed answers must select by joins and subqueries, never by a list of ids."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from engagement.analysis.tidy import tidy_answers
from engagement.cli import main
from engagement.db import get_engine
from engagement.free_text.analyse import model_version
from engagement.free_text.review import comments_for_review
from engagement.free_text.themes import effective_theme_tags, theme_summary
from engagement.models import Answer, ModelThemeTag, Response, TextAnalysis, utc_now

pytestmark = pytest.mark.postgres
ANSWERS = 70_000
CHUNK = 5_000  # rows per INSERT: 5,000 × at most 9 columns stays under the parameter limit itself


def _bulk(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start : start + CHUNK])


def seed_analysed_answers(url: str, form) -> None:
    """70,000 responses, each with one analysed 'what matters' answer tagged T03, written in bulk (no NLP)."""
    now, version = utc_now(), model_version()
    with get_engine(url).begin() as connection:
        _bulk(connection, Response, [
            {"reference": f"R-{n:010d}", "survey_slug": form.slug, "survey_version": form.version,
             "channel": "online", "is_synthetic": True, "created_at": now} for n in range(ANSWERS)])
        ids = connection.scalars(select(Response.id).order_by(Response.id)).all()
        _bulk(connection, Answer, [
            {"response_id": rid, "question_id": "what_matters", "position": 0, "value": "Not enough nurses"}
            for rid in ids])
        answer_ids = connection.scalars(select(Answer.id).order_by(Answer.id)).all()
        _bulk(connection, TextAnalysis, [
            {"answer_id": aid, "codebook": "wmty", "model_version": version, "redacted_text": "Not enough nurses",
             "sentiment": "negative", "sentiment_score": -0.5, "status": "ok", "analysed_at": now}
            for aid in answer_ids])
        _bulk(connection, ModelThemeTag, [
            {"answer_id": aid, "codebook": "wmty", "theme_code": "T03", "score": 0.9, "source": "model",
             "evidence": '["nurses"]', "sentiment": "negative"} for aid in answer_ids])


def test_comments_exports_and_themes_work_with_70000_analysed_answers(postgres_url, form, tmp_path):
    seed_analysed_answers(postgres_url, form)
    engine = get_engine(postgres_url)
    assert len(effective_theme_tags(engine, form)) == ANSWERS
    summary = theme_summary(engine, form, "what_matters").set_index("theme_code")
    assert summary.loc["T03", "respondents"] == ANSWERS and summary.loc["T03", "pct_of_respondents"] == 100.0
    review = comments_for_review(engine, form, "what_matters")
    assert len(review) == ANSWERS and review["evidence"].iloc[0] == {"T03": ["nurses"]}
    tidy = tidy_answers(engine, form)
    assert (tidy.loc[tidy.question_id == "what_matters", "answer_label"] == "Not enough nurses").sum() == ANSWERS
    out = tmp_path / "answers.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = pd.read_csv(out, encoding="utf-8-sig", usecols=["question_id"])
    assert (exported["question_id"] == "what_matters").sum() == ANSWERS
