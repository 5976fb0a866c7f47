"""The public labelled NHS patient-feedback data (pxtextmining), read from ../shared and mapped to a codebook.

The files are never copied into the project. Their labels reach the px codebook through the ``source_labels``
crosswalk written in ``data/codebooks/px.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nlp.codebook import Codebook

SHARED_DIR_ENV = "ENGAGEMENT_SHARED_DIR"
NEAS_FILE = "v6_framework_neas.csv"
PHASE1_FILE = "phase1_single_label.csv"
HISTORICAL_FILE = "historical_2020_single_label.csv"
# v6 columns that are metadata, not labels.
V6_META_COLUMNS = 11
NO_ANSWER = {"", "did not answer", "nan"}


def shared_datasets_dir() -> Path:
    """``../shared/datasets/patient-feedback`` beside the repository (or ENGAGEMENT_SHARED_DIR)."""
    override = os.environ.get(SHARED_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "patient-feedback"


@dataclass(frozen=True)
class LabelledComment:
    """One comment of the public data with what is known about it."""

    text: str
    question: str | None
    codes: frozenset[str]  # codebook codes that apply
    complete: bool  # True: every label was judged (multi-label); False: a single label, others unknown
    sentiment: str | None  # "positive", "neutral", "negative" or None when not rated
    source: str  # "neas", "phase1" or "historical"
    group: str  # organisation or service the comment came from


def _crosswalk(codebook: Codebook, source: str) -> dict[str, str]:
    return {name: theme.code for theme in codebook.themes for name in theme.source_labels.get(source, ())}


def sentiment_from_five_point(value: float | None) -> str | None:
    """1-2 positive, 3 neutral or mixed, 4-5 negative (the pxtextmining convention)."""
    if value is None or pd.isna(value):
        return None
    return "positive" if value <= 2 else ("neutral" if value == 3 else "negative")


def read_v6_file(path: Path, codebook: Codebook, source: str = "neas") -> list[LabelledComment]:
    """A file in the pxtextmining v6 format (one-hot v6 label columns), e.g. the NEAS file."""
    frame = pd.read_csv(path)
    missing = [name for name in ("FFT answer", "Comment sentiment") if name not in frame.columns]
    if missing:
        raise ValueError(f"{path.name} is not in pxtextmining v6 format: no {', '.join(repr(m) for m in missing)}")
    crosswalk = _crosswalk(codebook, "v6")
    label_columns = [column for column in frame.columns[V6_META_COLUMNS:] if column in crosswalk]
    group_column = "Service type 1" if "Service type 1" in frame.columns else None
    records = []
    for row in frame.itertuples(index=False):
        data = dict(zip(frame.columns, row, strict=True))
        text = "" if pd.isna(data["FFT answer"]) else str(data["FFT answer"])
        codes = frozenset(crosswalk[column] for column in label_columns if data[column] == 1)
        records.append(
            LabelledComment(
                text=text,
                question=None if pd.isna(data.get("FFT question")) else str(data.get("FFT question")),
                codes=codes,
                complete=True,
                sentiment=sentiment_from_five_point(data["Comment sentiment"]),
                source=source,
                group=str(data[group_column]).strip() if group_column else str(data.get("Trust", source)),
            )
        )
    return records


def _criticality_sentiment(value: object) -> str | None:
    """Positive for criticality 1..4, negative for -4..-1. 0 means "not rated": Trust B left 2,556 comments at 0,
    nearly all of them praise, so it is not a neutral label. Anything else (-9, "-o", "cc") is junk."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    if not -4 <= number <= 4 or number == 0:
        return None
    return "positive" if number > 0 else "negative"


def read_phase1(codebook: Codebook, path: Path | None = None) -> list[LabelledComment]:
    """phase1: single-label, three trusts; criticality (-4..+4) gives sentiment."""
    frame = pd.read_csv(path or shared_datasets_dir() / PHASE1_FILE)
    crosswalk = _crosswalk(codebook, "phase1")
    records = []
    for row in frame.itertuples(index=False):
        if pd.isna(row.feedback):
            continue
        mapped = crosswalk.get(f"{row.label}/{row.subcategory}")
        records.append(
            LabelledComment(
                text=str(row.feedback),
                question=None,
                codes=frozenset([mapped]) if mapped else frozenset(),
                complete=False,
                sentiment=_criticality_sentiment(row.criticality),
                source="phase1",
                group=str(row.organization),
            )
        )
    return records


def read_historical(codebook: Codebook, path: Path | None = None) -> list[LabelledComment]:
    """historical 2020: single coarse label, answers to "what could we improve", one mental-health trust."""
    frame = pd.read_csv(path or shared_datasets_dir() / HISTORICAL_FILE)
    crosswalk = _crosswalk(codebook, "historical")
    return [
        LabelledComment(
            text=str(row.improve),
            question="What could we improve?",
            codes=frozenset([crosswalk[row.super]]) if row.super in crosswalk else frozenset(),
            complete=False,
            sentiment=None,
            source="historical",
            group="historical",
        )
        for row in frame.itertuples(index=False)
        if not pd.isna(row.improve)
    ]


def read_all(codebook: Codebook) -> list[LabelledComment]:
    folder = shared_datasets_dir()
    return (
        read_v6_file(folder / NEAS_FILE, codebook)
        + read_phase1(codebook, folder / PHASE1_FILE)
        + read_historical(codebook, folder / HISTORICAL_FILE)
    )


def is_no_answer(text: str) -> bool:
    return text.strip().lower() in NO_ANSWER
