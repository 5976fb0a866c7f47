"""Cells safe to open in a spreadsheet: the ONE function every CSV and XLSX export passes its tables through.

Text that starts with =, +, -, @, a tab or a carriage return is run as a formula by Excel, LibreOffice and
Google Sheets (CSV/formula injection, OWASP). Such text gets a leading apostrophe, which spreadsheets show as
text and do not run. Numbers stay numbers: numeric columns are untouched, and text that is just a number
("-5", "+3.5") cannot run anything, so it is left as it is.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_STARTS_LIKE_A_FORMULA = r"^[=+\-@\t\r]"
_JUST_A_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def neutralise(value: object) -> object:
    """One cell: text that a spreadsheet would run gets a leading apostrophe; anything else is returned as is."""
    if isinstance(value, str):
        return neutralise_column(pd.Series([value], dtype=object)).iloc[0]
    return value


def neutralise_column(column: pd.Series) -> pd.Series:
    """A copy of a column with every formula-like text cell neutralised (vectorised: exports hold millions)."""
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return column  # numbers, booleans, dates: nothing a spreadsheet would run
    text = column.astype(object)
    try:
        risky = text.str.match(_STARTS_LIKE_A_FORMULA, na=False) & ~text.str.match(_JUST_A_NUMBER, na=False)
    except AttributeError:  # an object column with no text in it (dates, lists)
        return column
    if not risky.any():
        return column
    text = text.copy()
    text.loc[risky] = "'" + text.loc[risky].astype(str)
    return text


def safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and column heading) neutralised; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        out[column] = neutralise_column(out[column])
    out.columns = [neutralise(c) for c in out.columns]
    return out
