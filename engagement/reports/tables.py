"""Tables as people read them: figures rounded, and every figure the suppression rule hid shown as "*"."""

from __future__ import annotations

import pandas as pd

from engagement.analysis.suppression import MARK


def readable_table(
    table: pd.DataFrame,
    columns: dict[str, str],
    percents: tuple[str, ...] = (),
    counts: tuple[str, ...] = (),
    shares: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The chosen columns renamed for people: percents to whole numbers with "%", shares (0-1) as percents,
    counts with thousands separators, and a missing (hidden) figure as "*"."""
    out = table[list(columns)].copy()
    for column in percents:
        out[column] = out[column].map(lambda v: MARK if pd.isna(v) else f"{v:.0f}%")
    for column in shares:
        out[column] = out[column].map(lambda v: MARK if pd.isna(v) else f"{100 * v:.1f}%")
    for column in counts:
        out[column] = out[column].map(lambda v: MARK if pd.isna(v) else f"{int(round(v)):,}")
    return out.rename(columns=columns)
