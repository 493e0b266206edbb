"""Turning a file into tables of cells: spreadsheets (xlsx, xls, ods), text
(separated or fixed-width columns, UTF-8 or Windows-1252) and PDF text lines.

Each table is a `Sheet`: a name and rows of cells, with the line number a
person would see in the file for each row.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

import python_calamine

MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
SPREADSHEET_KINDS = {"xlsx", "xlsm", "xls", "ods"}
TEXT_KINDS = {"csv", "txt", "tsv", "prn", "dat", "skv"}


class UnreadableFile(Exception):
    """The file cannot be read as a list; the message is for the user (Norwegian)."""


@dataclass
class Sheet:
    name: str
    rows: list[list]
    line_numbers: list[int]


def kind_of(filename: str, data: bytes) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in SPREADSHEET_KINDS | TEXT_KINDS | {"pdf"}:
        return extension
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "txt"


def _check_zip(data: bytes, label: str) -> None:
    """Refuse a zip-based spreadsheet whose unpacked size is absurd, before reading it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"Filen kunne ikke leses som {label}: den er skadet eller ikke et regneark.") from exc
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_COMPRESSION_RATIO * max(len(data), 1) + 10_000_000:
        raise UnreadableFile(
            f"Regnearket pakkes ut til {unpacked // (1024 * 1024)} MB, som er urimelig stort for en trekkliste. "
            "Lagre listen på nytt, eller send den som csv."
        )


def read_spreadsheet(data: bytes, kind: str) -> list[Sheet]:
    label = {"ods": "et OpenDocument-regneark", "xls": "et Excel-regneark (xls)"}.get(kind, "et Excel-regneark")
    if kind in {"xlsx", "xlsm", "ods"}:
        _check_zip(data, label)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise UnreadableFile("Regnearket er passordbeskyttet. Send det uten passord.") from exc
    except Exception as exc:  # calamine raises many kinds for a damaged file
        raise UnreadableFile(f"Filen kunne ikke leses som {label}: den er skadet eller ikke et regneark.") from exc
    sheets = []
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except Exception:  # a chart sheet or a broken sheet: the others may still hold the list
            continue
        if sheet.total_height > MAX_ROWS + 50:
            raise UnreadableFile(f"Arket «{name}» har {sheet.total_height} rader; høyst {MAX_ROWS} er tillatt.")
        rows = sheet.to_python(skip_empty_area=False)
        sheets.append(Sheet(name=name, rows=rows, line_numbers=list(range(1, len(rows) + 1))))
    return sheets


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff"))


DELIMITERS = ("\t", ";", "|", ",")


def _consistency(lines: list[str], delimiter: str) -> tuple[float, int]:
    counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
    wide = [c for c in counts if c > 1]
    if not wide:
        return 0.0, 0
    mode, hits = Counter(wide).most_common(1)[0]
    return hits / len(counts), mode


def choose_delimiter(lines: list[str]) -> str | None:
    sample = [line for line in lines if line.strip()][:200]
    best, best_score = None, 0.0
    for delimiter in DELIMITERS:
        share, width = _consistency(sample, delimiter)
        # A comma list must agree closely: decimal commas make loose agreement likely by chance.
        needed = 0.8 if delimiter == "," else 0.5
        if width >= 2 and share >= needed and share > best_score + 0.05:
            best, best_score = delimiter, share
    return best


DATA_LINE = re.compile(r"\d{6}\s?\d{5}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def split_fixed_width(lines: list[str]) -> list[list[str]]:
    """Columns of a fixed-width list: the character positions blank on every data line are the gaps."""
    data_lines = [line for line in lines if DATA_LINE.search(line)]
    if not data_lines:
        return [re.split(r"\s{2,}", line.strip()) for line in lines]
    width = max(len(line) for line in data_lines)
    blank = [all(i >= len(line) or line[i] == " " for line in data_lines) for i in range(width)]
    spans, start = [], None
    for i, is_blank in enumerate(blank + [True]):
        if not is_blank and start is None:
            start = i
        elif is_blank and start is not None:
            spans.append((start, i))
            start = None
    rows = []
    for line in lines:
        cells = [""] * len(spans)
        # Word by word: a single space may be all that separates two columns.
        for match in re.finditer(r"\S+", line):
            centre = (match.start() + match.end()) / 2
            nearest = min(range(len(spans)), key=lambda k: 0 if spans[k][0] <= centre < spans[k][1]
                          else min(abs(centre - spans[k][0]), abs(centre - spans[k][1])))
            cells[nearest] = (cells[nearest] + " " + match.group()).strip()
        rows.append(cells)
    return rows


def read_text(data: bytes) -> list[Sheet]:
    if _looks_binary(data):
        raise UnreadableFile("Filen er ikke en tekstfil (csv/txt) og kunne ikke leses som en trekkliste.")
    text = decode_text(data)
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 50:
        raise UnreadableFile(f"Filen har {len(lines)} linjer; høyst {MAX_ROWS} rader er tillatt.")
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        return []
    plain = [line for _, line in numbered]
    delimiter = choose_delimiter(plain)
    if delimiter:
        rows = [[cell.strip() for cell in row] for row in csv.reader(plain, delimiter=delimiter)]
    else:
        rows = split_fixed_width(plain)
    return [Sheet(name="", rows=rows, line_numbers=[n for n, _ in numbered])]


ID_TOKEN = re.compile(r"(?<!\d)(\d{6}[ ]?\d{5})(?!\d)")
DATE_TOKEN = re.compile(r"(?<!\d)(\d{1,2}\.\d{1,2}\.\d{2,4})(?!\d)")
AMOUNT_TOKEN = re.compile(r"(?<![\d.,])-?\d{1,3}(?:[ \u00a0.]\d{3})*(?:,\d{2})-?(?![\d])|(?<![\d.,])-?\d+\.\d{2}(?!\d)")


def read_pdf(data: bytes) -> list[Sheet]:
    """A printed list: each text line with a national id or a birth date, a name and an amount."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            lines = []
            for page in pdf.pages:
                lines.extend((page.extract_text() or "").splitlines())
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise UnreadableFile("Filen kunne ikke leses som PDF: den er skadet.") from exc
    rows, numbers = [], []
    for n, line in enumerate(lines, start=1):
        by_id = ID_TOKEN.search(line)
        person = by_id or DATE_TOKEN.search(line)
        if not person:
            continue
        rest = line[person.end():]
        first_amount = AMOUNT_TOKEN.search(rest)
        if not first_amount:
            continue
        name = re.sub(r"\b\d+\b", " ", rest[: first_amount.start()]).strip(" -;|")
        token = person.group(1)
        national_id, birth_date = (token.replace(" ", ""), "") if by_id else ("", token)
        rows.append([national_id, birth_date, name, AMOUNT_TOKEN.findall(rest)[-1]])
        numbers.append(n)
    if not rows:
        return []
    header = ["Fødselsnummer", "Fødselsdato", "Navn", "Trekk"]
    return [Sheet(name="", rows=[header] + rows, line_numbers=[0] + numbers)]


def read_tables(data: bytes, filename: str) -> tuple[str, list[Sheet]]:
    kind = kind_of(filename, data)
    if kind in SPREADSHEET_KINDS:
        return kind, read_spreadsheet(data, kind)
    if kind == "pdf":
        return kind, read_pdf(data)
    return kind, read_text(data)
