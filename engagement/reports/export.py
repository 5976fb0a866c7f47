"""Files for communications staff: the tidy CSV of every answer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from engagement.analysis.tidy import tidy_answers
from engagement.reports.safe_cells import safe_for_spreadsheet
from survey_forms import Form


def tidy_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark so Excel opens it with the right characters; formula-like text neutralised."""
    return safe_for_spreadsheet(frame).to_csv(index=False).encode("utf-8-sig")


def export_tidy_csv(engine: Engine, form: Form, path: Path | str, include_synthetic: bool = True) -> int:
    """Write one row per response × question (× value for multi-value questions), with question text and
    answer label; return how many rows were written."""
    frame = tidy_answers(engine, form, include_synthetic=include_synthetic)
    Path(path).write_bytes(tidy_csv_bytes(frame))
    return len(frame)
