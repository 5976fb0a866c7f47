"""The CSV files of comments the command line reads: comments to code (``id``, ``text``, optional ``question``),
and comments an analyst has coded (the same, plus ``sentiment`` and one 0/1 column per codebook label, named
exactly as ``engagement nlp predict`` writes them).

Every problem is reported as a sentence naming the file, the column and, for a bad value, the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.codebook import Codebook
from nlp.models import SENTIMENTS

COMMENT_COLUMNS = ("id", "text")
OPTIONAL_COLUMNS = ("question", "sentiment")


@dataclass(frozen=True)
class Comments:
    ids: list[str]
    texts: list[str]
    questions: list[str | None]


@dataclass(frozen=True)
class CodedComments(Comments):
    """Comments with an analyst's themes: ``labels`` (comments, codebook labels) 0/1 in codebook order."""

    sentiments: list[str | None]
    labels: np.ndarray


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path.name} is empty; it needs a header row with 'id' and 'text'") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name} is not a readable UTF-8 CSV file ({exc})") from None
    for needed in COMMENT_COLUMNS:
        if needed not in frame.columns:
            raise ValueError(f"{path.name} has no {needed!r} column; it needs 'id' and 'text'")
    return frame


def _comments(frame: pd.DataFrame) -> dict:
    questions = [q or None for q in frame["question"]] if "question" in frame.columns else [None] * len(frame)
    return {"ids": frame["id"].tolist(), "texts": frame["text"].tolist(), "questions": questions}


def read_comments(path: str | Path) -> Comments:
    """Comments to code or to choose from: ``id`` and ``text`` columns, optional ``question``."""
    return Comments(**_comments(_read(Path(path))))


def read_coded_comments(path: str | Path, codebook: Codebook) -> CodedComments:
    """Comments an analyst coded with ``codebook``. Every label column must be there and hold 0 or 1."""
    path = Path(path)
    frame = _read(path)
    labels = [theme.label for theme in codebook.themes]
    known = {*COMMENT_COLUMNS, *OPTIONAL_COLUMNS, *labels}
    if unknown := [column for column in frame.columns if column not in known]:
        raise ValueError(
            f"{path.name}: column {unknown[0]!r} is not a label of codebook {codebook.slug!r}; label columns are "
            f"named as `engagement nlp predict` writes them: {', '.join(repr(label) for label in labels)}"
        )
    if missing := [label for label in labels if label not in frame.columns]:
        raise ValueError(
            f"{path.name} has no {missing[0]!r} column; it needs one 0/1 column per label of codebook "
            f"{codebook.slug!r}" + (f" ({len(missing)} are missing)" if len(missing) > 1 else "")
        )
    if frame.empty:
        raise ValueError(f"{path.name} has no coded comments")
    values = frame[labels].apply(lambda column: column.str.strip())
    bad = ~values.isin(["0", "1"])
    if bad.to_numpy().any():
        row, column = next((r, c) for r, c in zip(*np.nonzero(bad.to_numpy()), strict=True))
        raise ValueError(
            f"{path.name} row {row + 2} (id {frame['id'].iloc[row]!r}), column {labels[column]!r}: "
            f"{values.iat[row, column]!r} is not 0 or 1"
        )
    sentiments: list[str | None] = [None] * len(frame)
    if "sentiment" in frame.columns:
        given = frame["sentiment"].str.strip().str.lower()
        if (wrong := ~given.isin([*SENTIMENTS, ""])).any():
            row = int(np.flatnonzero(wrong.to_numpy())[0])
            raise ValueError(
                f"{path.name} row {row + 2} (id {frame['id'].iloc[row]!r}), column 'sentiment': "
                f"{frame['sentiment'].iloc[row]!r} is not one of {', '.join(SENTIMENTS)} (or blank)"
            )
        sentiments = [sentiment or None for sentiment in given]
    return CodedComments(**_comments(frame), sentiments=sentiments, labels=values.to_numpy(dtype=int))
