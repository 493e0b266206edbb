"""Tables to Excel (openpyxl) for the union's staff and the employers, safe to open.

A cell whose text starts with `=` is written by openpyxl as a formula, which a spreadsheet
program would run when the file is opened: a name typed as `=HYPERLINK(...)` on a list would
run on the union's machines. Every text cell is therefore written as a text cell (its type), with
the value exactly as typed: shown and copied as written, never read as a formula. Numbers and
dates stay numbers and dates.

`safe_text` is for what is not a spreadsheet cell: the CSV a table on a page downloads has no
cell types, so there a leading apostrophe is the only guard.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text a spreadsheet program will never read as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float, date, datetime)) or value is None:
        return value
    return str(value)


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """A row below the last, every text in it a text cell: as typed, never a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def workbook(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet: a bold header row, the rows below, columns wide enough to read."""
    return workbook_of([(sheet, headers, rows)])


def workbook_of(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> bytes:
    """A sheet for each (name, headers, rows), each as `workbook` draws its one."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for sheet, headers, rows in sheets:
        ws = book.create_sheet(sheet[:31])
        append_row(ws, headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(h) for h in headers]
        for row in rows:
            values = [_cell(v) for v in row]
            append_row(ws, values)
            widths = [
                max(w, min(len(str(v)) if v is not None else 0, 60)) for w, v in zip(widths, values, strict=False)
            ]
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width + 2
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
