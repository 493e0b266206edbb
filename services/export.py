"""Tables to Excel (openpyxl) for the union's staff, safe to open.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
read by spreadsheet programs as a formula: a name typed as `=HYPERLINK(...)` on a
list would run when staff open the export. Such text is written with a leading
apostrophe, which Excel shows as the text itself. Numbers and dates stay numbers
and dates.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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
    return safe_text(str(value))


def workbook(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet: a bold header row, the rows below, columns wide enough to read."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append([safe_text(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        widths = [max(w, min(len(str(v)) if v is not None else 0, 60)) for w, v in zip(widths, values, strict=False)]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width + 2
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
