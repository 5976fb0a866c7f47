"""Comments and themes at 100,000 demo responses: the domain calls the page makes, and the page in Chromium.

    PYTHONPATH=$PWD .venv/bin/python bench/comments_bench.py [--responses 100000] [--database var/bench/...]
                                                              [--no-browser]

Builds (or reuses) the dashboard bench's SQLite file of demo responses (`dashboard_bench.prepare_database`),
then fills the analysis tables in SQL as the analysis job would leave them, without running the engine (it
would take minutes): every written answer analysed with the current model version (so the page starts no
background job), one to three wmty themes per coded answer with their evidence and sentiment, and 300 analyst
decisions (themes and sentiment), from which the survey model is refreshed before timing. Times each domain
call the page makes, then the page in Chromium: first render (server just started, data cached), a theme-filter
change and five page changes (median and slowest), then the first render on a server restarted and left to
finish its start-up work. Targets: 2 s, 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from dashboard_bench import (  # noqa: E402
    CHROMIUM,
    _settled,
    prepare_database,
    rss_mib,
    sign_in,
    start_app,
)

DEFAULT_DATABASE = ROOT / "var" / "bench" / "comments-100k.db"
DECISIONS = 300
# The analysis tables as the job writes them, made from the answers in SQL: sentiment and themes drawn from the
# answer id (a fixed, spread-out pattern), evidence a word list like the engine's, one row per theme.
FILL = """
INSERT INTO text_analysis (answer_id, codebook, model_version, redacted_text, sentiment, sentiment_score, status,
                           analysed_at)
SELECT answer.id, CASE WHEN answer.question_id = 'three_words' THEN '' ELSE 'wmty' END, :version, answer.value,
       CASE answer.id % 3 WHEN 0 THEN 'positive' WHEN 1 THEN 'neutral' ELSE 'negative' END, 0.1,
       CASE WHEN answer.id % 50 = 0 THEN 'empty' ELSE 'ok' END, CURRENT_TIMESTAMP
FROM answer JOIN response ON response.id = answer.response_id
WHERE answer.question_id IN ('best_thing', 'what_matters', 'three_words');
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 2)
INSERT INTO model_theme_tag (answer_id, codebook, theme_code, score, source, evidence, sentiment)
SELECT text_analysis.answer_id, 'wmty', printf('T%02d', 1 + (text_analysis.answer_id * 7 + n.k * 5) % 24), 0.7,
       'model', '["staff", "kind"]',
       CASE (text_analysis.answer_id + n.k) % 3 WHEN 0 THEN 'positive' WHEN 1 THEN 'neutral' ELSE 'negative' END
FROM text_analysis JOIN n ON n.k <= text_analysis.answer_id % 3
WHERE text_analysis.codebook = 'wmty' AND text_analysis.status = 'ok';
"""


def fill_analyses(url: str) -> None:
    """The analysis tables filled as described above, unless they already hold analyses."""
    from sqlalchemy import func, select, text
    from sqlmodel import Session

    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text.review import set_analyst_themes
    from engagement.models import TextAnalysis
    from nlp import MODEL_VERSION

    engine = get_engine(url)
    with engine.begin() as connection:
        if connection.scalar(select(func.count()).select_from(TextAnalysis)):
            return
        started = time.perf_counter()
        for statement in FILL.split(";"):
            if statement.strip():
                connection.execute(text(statement), {"version": MODEL_VERSION})
        print(f"  analysis tables filled in {time.perf_counter() - started:.1f} s", flush=True)
    form = get_form("what-matters-to-you-2019")
    with Session(engine) as session:
        ids = session.scalars(select(TextAnalysis.answer_id).where(TextAnalysis.codebook == "wmty",
                                                                   TextAnalysis.status == "ok")
                              .order_by(TextAnalysis.answer_id).limit(DECISIONS)).all()
        for index, answer_id in enumerate(ids):  # a setup step, not what is timed
            set_analyst_themes(session, answer_id, "wmty", ["T01", "T05"] if index % 2 else ["T03"], "bench",
                               sentiment=("positive", "neutral", "negative")[index % 3])
    del form


def learn_from_decisions(url: str) -> None:
    """The survey model refreshed from the bench's decisions now, as the app would have done after them, so the
    page opened below does not start the refresh (a minute of both cores) while it is being timed."""
    from sqlalchemy import func, select, update

    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text.analyse import pending_count
    from engagement.free_text.learning import refresh_due, refresh_survey_model
    from engagement.models import SurveyThemeModel, TextAnalysis

    engine, form = get_engine(url), get_form("what-matters-to-you-2019")
    for codebook in refresh_due(engine, form):
        started = time.perf_counter()
        refresh_survey_model(engine, form, codebook)
        print(f"  {codebook} model refreshed in {time.perf_counter() - started:.1f} s", flush=True)
    # A model changed by the refresh leaves the answers it tags differently for the analysis job, which would
    # re-tag them while the page is timed; the bench's themes are made up, so they are marked current instead.
    with engine.begin() as connection:
        if changed := connection.scalar(select(func.max(SurveyThemeModel.model_changed_at))):
            connection.execute(update(TextAnalysis).where(TextAnalysis.analysed_at < changed)
                               .values(analysed_at=changed))
    print(f"  answers waiting for the analysis job: {pending_count(engine, form):,}", flush=True)


def time_domain(url: str) -> dict[str, float]:
    """Seconds for each domain call the page makes (best of two: the first also warms the imports)."""
    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text import review, stored, themes

    engine, form = get_engine(url), get_form("what-matters-to-you-2019")
    answered = themes.answered_question(engine, form, "what_matters")
    comments = review.review_comments(engine, answered)
    calls = {
        "analysed_answers (every question)": lambda: stored.analysed_answers(engine, form),
        "effective_theme_tags (every question)": lambda: themes.effective_theme_tags(engine, form),
        "theme_summary (what_matters)": lambda: themes.theme_summary(engine, form, "what_matters"),
        "comments_for_review (what_matters, with details)": lambda: review.comments_for_review(
            engine, form, "what_matters"),
        # What the page does: one read, cached, then the rest from it on every click.
        "page: answered_question (read once, cached)": lambda: themes.answered_question(engine, form, "what_matters"),
        "page: summary_of (cached)": lambda: themes.summary_of(answered, form),
        "page: review_comments (cached)": lambda: review.review_comments(engine, answered),
        "page, every run: analyses_version": lambda: stored.analyses_version(engine, form),
        "page, every run: tagged_with one theme": lambda: review.tagged_with(comments, "T05"),
        "page, every run: review_queue + page + with_details": lambda: review.with_details(
            engine, review.review_page(review.review_queue(comments), 3).comments, answered.tags),
    }
    results = {}
    for name, call in calls.items():
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        results[name] = best
        print(f"{name:50s} {best:8.2f} s", flush=True)
    return results


REVIEW_CARD = "[data-testid='stForm']"
PAGES = (3, 4, 5, 6, 7)  # page changes timed, one after another


def open_comments(page) -> float:
    """Seconds from choosing Comments and themes in the menu to its review cards being drawn."""
    started = time.perf_counter()
    page.get_by_test_id("stSidebar").get_by_role("link", name="Comments and themes").click()
    page.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=300_000)
    page.wait_for_selector(REVIEW_CARD, timeout=300_000)
    seconds = time.perf_counter() - started
    _settled(page)
    return seconds


FRESH_CARDS = """() => document.querySelector("[data-testid='stForm']")
    && !document.querySelector("[data-stale='true'] [data-testid='stForm']")
    && !document.querySelector("[data-testid='stStatusWidget']")"""


def change_and_wait(page, act, expect: str) -> float:
    """Seconds from a widget change to `expect` shown with the review cards redrawn and the run over."""
    _settled(page)
    started = time.perf_counter()
    act()
    page.get_by_text(expect).first.wait_for(timeout=300_000)
    page.wait_for_function(FRESH_CARDS, timeout=300_000)
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used (Linux /proc: user + system clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, timeout: float = 180) -> float:
    """Seconds until the server has finished its start-up work: less than 0.1 s of CPU in each of three seconds."""
    started, quiet, used = time.perf_counter(), 0, cpu_seconds(pid)
    while quiet < 3 and time.perf_counter() - started < timeout:
        time.sleep(1)
        now = cpu_seconds(pid)
        quiet, used = (quiet + 1 if now - used < 0.1 else 0), now
    return time.perf_counter() - started


def time_after_warm_up(url: str, log: Path) -> dict[str, float]:
    """The first render after a restart for an analyst who takes their time to sign in: the sign-in page is
    opened (the server's first run, which starts its warm-up), the server left to finish its work, then the
    analyst signs in and opens the page."""
    from playwright.sync_api import sync_playwright

    process, base, env = start_app(url, log)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.goto(f"{base}/sign_in")
            page.get_by_label("Username").wait_for(timeout=60_000)
            idle = wait_until_idle(process.pid)
            print(f"  server idle {idle:.0f} s after the sign-in page opened", flush=True)
            sign_in(page, base, env)
            seconds = open_comments(page)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"{'first render, signed in once the server was idle':50s} {seconds:8.2f} s", flush=True)
    return {"first render, signed in once the server was idle": seconds}


def time_page(url: str, log: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text import review, themes
    from engagement.free_text.analyse import codebook_questions
    from nlp import load_codebook

    process, base, env = start_app(url, log)
    results: dict[str, float] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox", "--disable-gpu"])
            for visit in ("first render, server just started", "first render, data cached"):
                if visit.endswith("cached"):  # once the start-up work and the topics are done
                    wait_until_idle(process.pid)
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                sign_in(page, base, env)
                results[visit] = open_comments(page)
                print(f"{visit:50s} {results[visit]:8.2f} s", flush=True)

            theme = next(theme.label for theme in load_codebook("wmty").themes if theme.code == "T05")
            form = get_form("what-matters-to-you-2019")
            shown = themes.answered_question(get_engine(url), form, next(iter(codebook_questions(form))))
            tagged = len(review.tagged_with(review.review_comments(get_engine(url), shown), "T05"))

            def theme_filter() -> None:
                # Typed, as the options list only draws the options in view.
                page.get_by_label("Show comments tagged with", exact=True).click()
                page.keyboard.type(theme)
                page.keyboard.press("Enter")

            def go_to(number: int) -> None:
                page.get_by_label("Page", exact=True).fill(str(number))
                page.get_by_label("Page", exact=True).press("Enter")

            try:
                # Waits for the filtered count: the caption's "Comments 1–10 of" is on the page before too.
                results["filter change: one theme"] = change_and_wait(page, theme_filter,
                                                                      f"Comments 1–10 of {tagged:,}")
                changes = [change_and_wait(page, lambda n=n: go_to(n), f"page {n} of") for n in PAGES]
                print("page changes: " + ", ".join(f"{seconds:.2f}" for seconds in changes) + " s", flush=True)
                results[f"page change: median of {len(PAGES)}"] = statistics.median(changes)
                results[f"page change: slowest of {len(PAGES)}"] = max(changes)
            finally:
                page.screenshot(path=str(log.with_suffix(".png")), full_page=True)
            browser.close()
        now, peak = rss_mib(process.pid)
        results["app memory now (MiB)"], results["app memory peak (MiB)"] = now, peak
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    print(f"Database: {args.database} ({args.responses:,} responses); load average {os.getloadavg()[0]:.1f}")
    url = prepare_database(args.database, args.responses)
    fill_analyses(url)
    learn_from_decisions(url)
    results = time_domain(url)
    if not args.no_browser:
        results |= time_page(url, args.database.with_suffix(".streamlit.log"))
        results |= time_after_warm_up(url, args.database.with_suffix(".streamlit.log"))
    for name, value in results.items():
        unit = "" if "MiB" in name else " s"
        print(f"{name:50s} {value:8.2f}{unit}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
