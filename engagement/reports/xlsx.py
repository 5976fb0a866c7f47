"""The summary as one Excel workbook: a sheet per table, frozen headings, readable widths, numbers stored as
numbers, hidden figures as "*" with the footnote under the table, and every text cell neutralised and written
as text (so nothing a respondent typed can run as a formula)."""

from __future__ import annotations

import io
import math
from numbers import Integral, Number

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from engagement.analysis.suppression import MARK
from engagement.reports.safe_cells import neutralise
from engagement.reports.summary import Summary
from engagement.reports.tables import Table, all_tables

HEADING_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue
MAX_WIDTH = 70
SHEET_NAMES = {
    "priorities": "Priorities overall",
    "themes": "Themes",
    "quotes": "Quotes by theme",
    "representativeness": "Who responded vs Census",
    "targets": "Coverage vs targets",
    "seldom_heard": "Seldom-heard coverage",
    "dictionary": "Data dictionary",
    "method": "Method and caveats",
}


def sheet_name(table: Table) -> str:
    label = table.title.removeprefix("Priority ratings by ")
    name = SHEET_NAMES.get(table.name) or f"By {label[:1].lower()}{label[1:]}"
    return name[:31]  # Excel's limit


def summary_workbook(summary: Summary) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in all_tables(summary):
        write_sheet(book.create_sheet(sheet_name(table)), table, summary.footnote)
    book.properties.title = summary.title
    book.properties.creator = "What matters to you"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _is_number(value: object) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def write_sheet(sheet: Worksheet, table: Table, footnote: str) -> None:
    frame = table.frame
    figures = set(table.figures)
    sheet.append([neutralise(str(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADING_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(str(c)) for c in frame.columns]
    for values in frame.itertuples(index=False):  # sheets hold summary tables: tens to hundreds of rows
        row = []
        for position, (column, value) in enumerate(zip(frame.columns, values, strict=True)):
            missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
            if missing:
                value = MARK if column in figures else None
            elif _is_number(value):
                value = int(value) if isinstance(value, Integral) else float(value)
            else:
                value = neutralise(str(value))
            row.append(value)
            widths[position] = max(widths[position], min(len(str(value or "")), MAX_WIDTH))
        sheet.append(row)
    for column_cells in sheet.iter_cols(min_row=2, max_row=sheet.max_row):
        for cell in column_cells:
            if cell.value == MARK:
                cell.alignment = Alignment(horizontal="right")
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
                if len(cell.value) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, float):
                cell.number_format = "0.0"
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = min(max(width, 8) + 2, MAX_WIDTH + 2)
    sheet.freeze_panes = "A2"
    if table.has_hidden:
        sheet.append([])
        sheet.append([footnote])
