"""The survey-model refresh at scale: a survey of 100,000 analysed "what matters" comments, 30 analyst decisions,
then one background refresh (refit, cross-validated agreement, suggestions, deciding which unreviewed comments
the new model tags differently) timed in a fresh process with its peak memory. Run from the repository root:

    PYTHONPATH=$PWD .venv/bin/python bench/refresh_bench.py [COMMENTS]

The comments are the public patient comments of ../shared (sampled with replacement, mixed length) when they
are there (ENGAGEMENT_SHARED_DIR), else the demo's short sentences. The comments are stored as analysed by the
shipped model (themes decided in vectorised batches, as the refresh does) rather than by the full analysis job,
which would take minutes and is measured by bench/pipeline_bench.py.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

QUESTION = "what_matters"
DECISIONS = 30


def _public_comments() -> list[str]:
    from nlp.codebook import load_codebook
    from nlp.public_data import is_no_answer, read_all, shared_datasets_dir

    if not shared_datasets_dir().is_dir():
        return []
    return [record.text for record in read_all(load_codebook("px")) if not is_no_answer(record.text)]


def _rss_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(url: str, comments: int) -> None:
    import pandas as pd
    from sqlalchemy import bindparam, insert, select, update
    from sqlmodel import Session

    from engagement.db import get_engine, upgrade_database
    from engagement.demo import add_demo_responses
    from engagement.forms import get_form
    from engagement.free_text.analyse import model_version
    from engagement.free_text.learning import RETAG_BATCH
    from engagement.free_text.review import set_analyst_themes
    from engagement.models import Answer, ModelThemeTag, Response, TextAnalysis, utc_now
    from nlp.adapt import shipped_theme_model, theme_decisions, with_other_rule
    from nlp.codebook import load_codebook
    from nlp.train import featurise

    upgrade_database(url)
    engine, form = get_engine(url), get_form("what-matters-to-you-2019")
    started = time.perf_counter()
    with Session(engine) as session:
        # About three in four demo respondents answer the question: enough responses for ``comments`` answers.
        add_demo_responses(session, form, comments * 7 // 5, seed=1)
    with engine.connect() as connection:
        answers = pd.read_sql(select(Answer.id, Answer.value).join(Response, Response.id == Answer.response_id)
                              .where(Response.survey_slug == form.slug, Answer.question_id == QUESTION)
                              .order_by(Answer.id).limit(comments), connection)
    if public := _public_comments():
        answers["value"] = random.Random(1).choices(public, k=len(answers))
        with engine.begin() as connection:
            connection.execute(update(Answer).where(Answer.id == bindparam("b_id")).values(value=bindparam("b_value")),
                               [{"b_id": int(i), "b_value": v} for i, v in answers.itertuples(index=False)])
    print(f"{len(answers):,} comments ({'public patient comments' if public else 'demo sentences'}), "
          f"{answers['value'].str.split().str.len().sum():,} words; stored in {time.perf_counter() - started:.0f} s",
          flush=True)
    codebook, model = load_codebook("wmty"), shipped_theme_model("wmty")
    asked = " ".join(filter(None, [form.question(QUESTION).text, form.question(QUESTION).help]))
    now, version, tagged = utc_now(), model_version(), []
    started = time.perf_counter()
    for start in range(0, len(answers), RETAG_BATCH):
        part = answers.iloc[start:start + RETAG_BATCH]
        features = featurise(part["value"].tolist(), [asked] * len(part), codebook)
        decided = with_other_rule(codebook, theme_decisions(model, codebook, features.texts, features.hits))
        rows, columns = decided.nonzero()
        with engine.begin() as connection:
            connection.execute(insert(TextAnalysis), [
                {"answer_id": int(i), "codebook": "wmty", "model_version": version, "redacted_text": text,
                 "sentiment": "neutral", "sentiment_score": 0.0, "status": "ok", "analysed_at": now}
                for i, text in part.itertuples(index=False)])
            connection.execute(insert(ModelThemeTag), [
                {"answer_id": int(part["id"].iloc[r]), "codebook": "wmty", "theme_code": codebook.codes[c],
                 "score": 1.0, "source": "model", "evidence": "[]", "sentiment": "neutral"}
                for r, c in zip(rows, columns, strict=True)])
        tagged.append(pd.DataFrame({"id": part["id"].to_numpy()[rows], "code": [codebook.codes[c] for c in columns]}))
    print(f"tagged with the shipped model in {time.perf_counter() - started:.0f} s", flush=True)
    # An analyst reviews 30 comments, half of them about care near home: keeps the model's themes, adding
    # community care (T18) where the comment speaks of home, local care or travelling, as the shipped model
    # often does not, so the refresh has a theme to learn and comments to re-tag.
    tags = pd.concat(tagged).groupby("id")["code"].apply(list)
    local = answers["value"].str.contains(r"\b(?:home|local|travel\w*|community)\b", case=False)
    sample = pd.concat([answers[local].sample(DECISIONS // 2, random_state=2),
                        answers[~local].sample(DECISIONS - DECISIONS // 2, random_state=2)])
    with Session(engine) as session:
        for answer_id, about_home in zip(sample["id"], local[sample.index], strict=True):
            chosen = set(tags.get(answer_id, []))
            if about_home:
                chosen.add("T18")
            set_analyst_themes(session, int(answer_id), "wmty", sorted(chosen - {"T99"}) or ["T99"], "bench")


def measure(url: str) -> None:
    from sqlalchemy import func, select

    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text.learning import refresh_due, refresh_survey_model, survey_model
    from engagement.free_text.survey_model import stale_answer_ids

    engine, form = get_engine(url), get_form("what-matters-to-you-2019")
    started = time.perf_counter()
    due = refresh_due(engine, form)
    page_check = time.perf_counter() - started
    before = _rss_mib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    started = time.perf_counter()
    # In a thread, as the app runs it, while this thread does what a page view of Comments and themes asks of the
    # database about the model, to see how much the refresh slows a page down.
    refresh = threading.Thread(target=refresh_survey_model, args=(engine, form, "wmty"))
    refresh.start()
    page_views = []
    while refresh.is_alive():
        view = time.perf_counter()
        refresh_due(engine, form)
        survey_model(engine, form, "wmty")
        page_views.append(time.perf_counter() - view)
        time.sleep(0.5)
    refresh.join()
    seconds = time.perf_counter() - started
    peak = _rss_mib("VmHWM")
    stored = survey_model(engine, form, "wmty")
    learnt = stored.agreement.themes if stored.agreement is not None else None
    print(f"page check (refresh_due): {page_check * 1000:.0f} ms, due {due}")
    print(f"refresh: {seconds:.1f} s wall, peak RSS {peak:.0f} MiB (process before the refresh {before:.0f} MiB: "
          f"the libraries and models loaded), load average {os.getloadavg()[0]:.1f}")
    print(f"the page's model checks during the refresh: median {statistics.median(page_views) * 1000:.0f} ms, "
          f"slowest {max(page_views) * 1000:.0f} ms ({len(page_views)} checks)")
    print(f"reviewed {stored.reviewed}, suggested {len(stored.suggested)}, model changed: "
          f"{stored.model_changed_at is not None}, themes learnt: "
          f"{list(learnt[learnt['learnt']]['code']) if learnt is not None else []}")
    with engine.connect() as connection:
        stale = connection.scalar(select(func.count()).select_from(stale_answer_ids(form).subquery()))
    print(f"left for the analysis job to re-tag (the model tags them differently): {stale:,} comments")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        measure(sys.argv[2])
        return
    comments = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='refresh-bench-')) / 'bench.db'}"
    prepare(url, comments)
    subprocess.run([sys.executable, __file__, "--measure", url], check=True)


if __name__ == "__main__":
    main()
