"""Builders for deduction-list files in every format the parser reads, made by the tests."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from stdnum.no import fodselsnummer


def make_fnr(born: date, individual: int = 123) -> str:
    """A valid fødselsnummer for `born` (individual number 000-499 for 1900-1999, 500-999 for 2000-)."""
    if born.year >= 2000 and individual < 500:
        individual += 500
    base = f"{born:%d%m%y}{individual:03d}"
    for _ in range(1000):
        try:
            first = fodselsnummer.calc_check_digit1(base)
            second = fodselsnummer.calc_check_digit2(base + first)
        except Exception:
            first = second = None
        number = f"{base}{first}{second}" if first and second else None
        if number and len(number) == 11 and fodselsnummer.is_valid(number):
            return number
        individual = (individual + 1) % 1000
        base = f"{born:%d%m%y}{individual:03d}"
    raise AssertionError("no valid number found")


def break_check_digit(number: str) -> str:
    return number[:10] + str((int(number[10]) + 1) % 10)


def xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Trekk")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


def ods(path: Path, rows: list[list]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Trekk")
    for row in rows:
        table_row = TableRow()
        for value in row:
            if isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def text(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def pdf(path: Path, lines: list[str]) -> Path:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=10)
    for line in lines:
        document.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    document.output(str(path))
    return path


def bytes_of_zip_bomb() -> bytes:
    """A valid-looking xlsx whose one member unpacks to about 400 MB of zeros."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(400):
                member.write(chunk)
    return buffer.getvalue()


def make_orgnr(n: int) -> str:
    """A valid organisasjonsnummer (mod 11 on eight digits), different for each n."""
    from stdnum.no import orgnr

    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    for candidate in range(91_000_000 + n * 13, 91_000_000 + n * 13 + 13):
        digits = str(candidate)
        check = (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11) % 11
        if check < 10 and orgnr.is_valid(digits + str(check)):
            return digits + str(check)
    raise AssertionError("no valid orgnr found")
