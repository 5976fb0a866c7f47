"""Reading comments for the app and the CLI: themes with evidence, sentiment and redacted text per comment.

``analyse_comments`` streams one ``CommentAnalysis`` per input, in order; ``predict_file`` does the same for a
CSV with ``id`` and ``text`` columns and writes one 0/1 column per codebook label.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Literal

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from nlp.codebook import codebooks_dir, load_codebook
from nlp.models import SentimentModel, ThemeModel, artefact_hash, models_dir
from nlp.pipeline import SentimentScorer, ThemeTagger, build_pipeline
from nlp.redaction import PLACEHOLDERS, Redaction, apply_redactions

# Longer comments are cut here (at a word boundary) before analysis; their status says so.
MAX_CHARACTERS = 5000
NO_ANSWER = re.compile(r"^\s*(did not answer|didn't answer|no answer|not answered|-+|\.+)?\s*$", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+")

Status = Literal["ok", "empty", "not_english", "too_long_truncated"]


def _model_version() -> str:
    """Changes whenever a codebook or a trained model file changes."""
    files = sorted(codebooks_dir().glob("*.yaml")) + sorted(models_dir().glob("*.skops"))
    return f"nlp-{artefact_hash(files)}"


MODEL_VERSION = _model_version()


@dataclass(frozen=True)
class ThemeTag:
    """A theme found in a comment, with the words that show it and how the comment feels about it."""

    code: str
    label: str
    score: float
    source: Literal["pattern", "model", "both", "fallback"]  # fallback: no theme fitted, so Other
    evidence: list[str]
    sentiment: str


@dataclass(frozen=True)
class CommentAnalysis:
    """Everything the engine says about one comment. Only redacted text ever leaves it."""

    redacted_text: str
    redactions: list[Redaction]
    themes: list[ThemeTag]
    sentiment: str  # "positive", "neutral" (neutral or mixed) or "negative"
    sentiment_score: float  # -1 (negative) .. +1 (positive)
    status: Status


def screen(text: str | None) -> tuple[str, Status]:
    """The part of a comment worth analysing and why it might not be: empty, not English or too long."""
    text = "" if text is None else str(text)
    if NO_ANSWER.match(text) or not WORD.search(text):
        return text, "empty"
    if len(text) > MAX_CHARACTERS:
        cut = text.rfind(" ", 0, MAX_CHARACTERS)
        return text[: cut if cut > MAX_CHARACTERS // 2 else MAX_CHARACTERS], "too_long_truncated"
    if not _looks_english(text):
        return text, "not_english"
    return text, "ok"


def _looks_english(text: str) -> bool:
    words = WORD.findall(text)
    letters = "".join(words)
    # Every ASCII letter is Latin: look characters up by name only in text that has others.
    if letters and not letters.isascii():
        latin = sum(1 for char in letters if "LATIN" in unicodedata.name(char, ""))
        if latin / len(letters) < 0.5:
            return False
    lowered = [word.lower() for word in words]
    if len(lowered) < 4:
        return True
    common = sum(1 for word in lowered if word in STOP_WORDS)
    return common / len(lowered) >= 0.2 or _mostly_known_words(lowered)


def _mostly_known_words(words: list[str]) -> bool:
    from nlp.redaction import english_word_probability

    known = sum(1 for word in words if english_word_probability(word) > -14.0)
    return known / len(words) >= 0.75


def _result(doc: Doc, codebook: str, status: Status) -> CommentAnalysis:
    loaded = load_codebook(codebook)
    redactions = list(doc._.redactions)
    if status in ("empty", "not_english"):
        other = loaded.not_codeable_theme
        return CommentAnalysis(
            redacted_text=apply_redactions(doc.text, redactions),
            redactions=redactions,
            themes=[ThemeTag(other.code, other.label, 1.0, "pattern", [], "neutral")],
            sentiment="neutral",
            sentiment_score=0.0,
            status=status,
        )
    themes = [
        ThemeTag(
            mention.code,
            mention.label,
            round(mention.score, 4),
            mention.source,
            [_evidence(doc, start, end, redactions) for start, end in mention.evidence_spans],
            mention.sentiment,
        )
        for mention in doc._.themes.get(codebook, [])
    ]
    if not themes and loaded.other_when_untagged:
        other = loaded.not_codeable_theme
        themes = [ThemeTag(other.code, other.label, 0.0, "fallback", [], doc._.sentiment)]
    return CommentAnalysis(
        redacted_text=apply_redactions(doc.text, redactions),
        redactions=redactions,
        themes=themes,
        sentiment=doc._.sentiment,
        sentiment_score=round(doc._.sentiment_score, 4),
        status=status,
    )


def _evidence(doc: Doc, start: int, end: int, redactions: list[Redaction]) -> str:
    span = doc[start:end]
    inside = [
        Redaction(r.kind, r.start - span.start_char, r.end - span.start_char)
        for r in redactions
        if r.start < span.end_char and span.start_char < r.end
    ]
    return apply_redactions(span.text, inside) if inside else span.text


def _read_docs(
    texts: Iterable[str],
    questions: Iterable[str | None] | None,
    nlp: Language,
    batch_size: int,
    disable: Sequence[str] = (),
    theme_model: tuple[str, ThemeModel] | None = None,
    sentiment_model: SentimentModel | None = None,
) -> Iterator[tuple[Doc, Status]]:
    """Screened comments through the pipeline, in input order, each with its screening status.
    ``theme_model`` (codebook slug, model) tags that codebook with a survey's adapted model instead of the
    shipped one: the cached pipeline runs without its tagger, then a tagger with the adapted model, then the
    sentiment scorer (which reads the themes for per-mention sentiment) — with ``sentiment_model``, an adapted
    sentiment model, when given."""
    statuses: list[Status] = []

    def prepared_docs() -> Iterator[Doc]:
        for text, question in zip(texts, questions if questions is not None else repeat(None), strict=False):
            kept, status = screen(text)
            statuses.append(status)
            doc = nlp.make_doc(kept)
            doc._.question = question  # the theme tagger reads it, so it is set before the pipeline runs
            yield doc

    if theme_model is None and sentiment_model is None:
        docs = nlp.pipe(prepared_docs(), batch_size=batch_size, disable=list(disable))
    else:
        skipped = [*disable, "sentiment_scorer"]
        if theme_model is not None:
            skipped.append(f"theme_tagger_{theme_model[0]}")
        docs = nlp.pipe(prepared_docs(), batch_size=batch_size, disable=skipped)
        if theme_model is not None:
            docs = ThemeTagger(nlp, load_codebook(theme_model[0]), theme_model[1]).pipe(docs, batch_size)
        scorer = SentimentScorer(sentiment_model) if sentiment_model is not None else nlp.get_pipe("sentiment_scorer")
        docs = scorer.pipe(docs, batch_size)
    for position, doc in enumerate(docs):
        yield doc, statuses[position]


def analyse_comments(
    texts: Iterable[str],
    codebook: str = "wmty",
    batch_size: int = 1000,
    *,
    questions: Iterable[str | None] | None = None,
    theme_model: ThemeModel | None = None,
    sentiment_model: SentimentModel | None = None,
) -> Iterator[CommentAnalysis]:
    """One analysis per comment, in input order. ``questions`` (optional) are the questions they answered;
    ``theme_model`` a survey's adapted model for the codebook (default: the shipped one); ``sentiment_model``
    likewise for sentiment."""
    load_codebook(codebook)
    nlp = build_pipeline((codebook,))
    adapted = (codebook, theme_model) if theme_model is not None else None
    for doc, status in _read_docs(texts, questions, nlp, batch_size, theme_model=adapted,
                                  sentiment_model=sentiment_model):
        yield _result(doc, codebook, status)


# predict_file writes only labels and sentiment, never text: it skips redaction (and the name-finding English
# model) and the sentence splitter, which only serves per-mention sentiment.
LABELS_ONLY_SKIPS = ("pii_redactor", "sentencizer")


# predict_file hands its rows to worker processes in chunks of this many, on files of at least two chunks.
PREDICT_CHUNK = 2000
Row = tuple[str, str, str | None]  # id, text, question


def predict_file(
    in_csv: str | Path,
    out_csv: str | Path,
    codebook: str = "px",
    batch_size: int = 1000,
    workers: int | None = None,
    theme_model: ThemeModel | None = None,
    sentiment_model: SentimentModel | None = None,
) -> int:
    """Write ``id``, ``sentiment`` and one 0/1 column per codebook label for every row of ``in_csv``.

    ``in_csv`` needs ``id`` and ``text`` columns and may have ``question``. ``theme_model`` is a model adapted to
    this survey (``nlp.adapt``), used instead of the shipped one; ``sentiment_model`` likewise for sentiment.
    Returns the rows written. Large files are read
    by ``workers`` processes (default: one per CPU this process may use), each with the same pipeline.
    """
    in_path, out_path = Path(in_csv), Path(out_csv)
    loaded = load_codebook(codebook)
    with in_path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for needed in ("id", "text"):
            if needed not in columns:
                raise ValueError(f"{in_path.name} has no {needed!r} column; it needs 'id' and 'text'")
        rows = [(row["id"], row["text"] or "", row.get("question")) for row in reader]
    nlp = build_pipeline((loaded.slug,), find_names=False)
    chunks = [rows[start : start + PREDICT_CHUNK] for start in range(0, len(rows), PREDICT_CHUNK)]
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "sentiment", *(theme.label for theme in loaded.themes)])
        job = _PredictChunk(nlp, loaded.slug, batch_size, theme_model, sentiment_model)
        for written in _each_in_workers(job, chunks, workers):
            writer.writerows(written)
    return len(rows)


@dataclass(frozen=True)
class _PredictChunk:
    """The output rows for some input rows: what each worker process runs."""

    nlp: Language
    codebook: str
    batch_size: int
    theme_model: ThemeModel | None = None  # a survey's adapted model; the forked workers inherit it
    sentiment_model: SentimentModel | None = None  # likewise, adapted to coded sentiment

    def __call__(self, rows: Sequence[Row]) -> list[list[str | int]]:
        loaded = load_codebook(self.codebook)
        labels = [theme.label for theme in loaded.themes]
        not_codeable = [int(label == loaded.not_codeable_theme.label) for label in labels]
        docs = _read_docs(
            (text for _, text, _ in rows),
            (question for _, _, question in rows),
            self.nlp,
            self.batch_size,
            LABELS_ONLY_SKIPS,
            (self.codebook, self.theme_model) if self.theme_model is not None else None,
            self.sentiment_model,
        )
        written: list[list[str | int]] = []
        for (row_id, _, _), (doc, status) in zip(rows, docs, strict=True):
            if status in ("empty", "not_english"):
                written.append([row_id, "neutral", *not_codeable])
                continue
            found = {mention.label for mention in doc._.themes.get(loaded.slug, [])}
            if not found and loaded.other_when_untagged:
                found = {loaded.not_codeable_theme.label}
            written.append([row_id, doc._.sentiment, *(int(label in found) for label in labels)])
        return written


# The job forked worker processes run: set just before they are forked, so they inherit the loaded pipeline
# instead of each loading (or unpickling) their own.
_forked_job: _PredictChunk | None = None


def _run_forked_job(rows: Sequence[Row]) -> list[list[str | int]]:
    if _forked_job is None:
        raise RuntimeError("a predict worker started without its job")
    return _forked_job(rows)


def _each_in_workers(
    job: _PredictChunk, chunks: Sequence[Sequence[Row]], workers: int | None
) -> Iterator[list[list[str | int]]]:
    """``job`` of each chunk, in order: in this process for one worker or one chunk, else in forked processes."""
    global _forked_job
    workers = min(workers or len(os.sched_getaffinity(0)), len(chunks))
    if workers <= 1:
        yield from map(job, chunks)
        return
    _forked_job = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_run_forked_job, chunks)
    finally:
        _forked_job = None


__all__ = [
    "MODEL_VERSION",
    "PLACEHOLDERS",
    "CommentAnalysis",
    "Redaction",
    "ThemeTag",
    "analyse_comments",
    "predict_file",
    "screen",
]
