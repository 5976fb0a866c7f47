"""Summary exports at 100,000 responses: how long the full PDF report (with its Easy Read), the workbook and
the charts take to build. Target: the full report in 30 s or less.

    PYTHONPATH=$PWD .venv/bin/python bench/report_bench.py [--responses 100000] [--database var/bench/...]

Builds (or reuses) a SQLite file of demo responses. The free-text engine would take many minutes over 300,000
written answers, but demo answers repeat a few hundred texts, so setting up analyses each distinct text once
and stores that result for every answer with the same text (what `engagement analyse` would store).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = ROOT / "var" / "bench" / "exports-100k.db"
CHUNK = 10_000


def prepare_database(path: Path, responses: int) -> str:
    from engagement.config import DEFAULT_FORM_SLUG
    from engagement.db import get_engine, upgrade_database
    from engagement.demo import add_demo_responses
    from engagement.forms import get_form
    from engagement.models import Response

    url = f"sqlite:///{path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(url)
    form = get_form(DEFAULT_FORM_SLUG)
    with Session(get_engine(url)) as session:
        have = session.scalar(select(func.count()).select_from(Response)) or 0
        while have < responses:
            chunk = min(CHUNK, responses - have)
            add_demo_responses(session, form, chunk, seed=have)
            have += chunk
            print(f"  {have:,} responses", flush=True)
    return url


def analyse_by_distinct_text(url: str) -> None:
    """Store the engine's analysis of every coded written answer, working out each distinct text once."""
    import json

    import nlp
    from engagement.config import DEFAULT_FORM_SLUG
    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text.analyse import codebook_questions
    from engagement.models import ModelThemeTag, TextAnalysis, utc_now

    engine = get_engine(url)
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(TextAnalysis)):
            return
    form = get_form(DEFAULT_FORM_SLUG)
    questions = codebook_questions(form)
    with engine.connect() as connection:
        answers = pd.read_sql(
            "select id as answer_id, question_id, value from answer where question_id in "
            f"({', '.join(repr(q) for q in questions)})", connection)
    analyses, tags = [], []
    now = utc_now()
    for (question_id, text), group in answers.groupby(["question_id", "value"]):
        codebook = questions[question_id]
        [result] = list(nlp.analyse_comments([text], codebook))
        for answer_id in group["answer_id"]:
            analyses.append({"answer_id": int(answer_id), "codebook": codebook, "model_version": nlp.MODEL_VERSION,
                             "redacted_text": result.redacted_text, "sentiment": result.sentiment,
                             "sentiment_score": result.sentiment_score, "status": result.status,
                             "analysed_at": now})
            tags.extend({"answer_id": int(answer_id), "codebook": codebook, "theme_code": tag.code,
                         "score": tag.score, "source": tag.source, "evidence": json.dumps(tag.evidence),
                         "sentiment": tag.sentiment} for tag in result.themes)
    with Session(engine) as session:
        session.execute(TextAnalysis.__table__.insert(), analyses)
        session.execute(ModelThemeTag.__table__.insert(), tags)
        session.commit()
    print(f"  stored the analysis of {len(analyses):,} answers", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    args = parser.parse_args()
    url = prepare_database(args.database, args.responses)
    analyse_by_distinct_text(url)

    from engagement.config import DEFAULT_FORM_SLUG
    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.reports.files import build_files
    from engagement.reports.summary import Selection

    engine = get_engine(url)
    form = get_form(DEFAULT_FORM_SLUG)
    for fmt in ("pdf", "xlsx", "png"):
        started = time.perf_counter()
        files = build_files(engine, form, fmt, Selection(), summary_only=True)
        seconds = time.perf_counter() - started
        size = sum(len(f.data) for f in files)
        print(f"{fmt}: {seconds:.1f} s, {len(files)} files, {size / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
