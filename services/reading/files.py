"""Turning a file into tables of cells: spreadsheets (xlsx, xls, ods), text
(separated or fixed-width columns, UTF-8 or Windows-1252) and PDF text lines.

Each table is a `Sheet`: a name and rows of cells, with the line number a
person would see in the file for each row.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import re
from collections import Counter

import python_calamine

from services.reading import ole, package
from services.reading.limits import (
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_PDF_PAGES,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    UnreadableFile,
)
from services.reading.result import Sheet
from services.reading.sniff import kind_of

__all__ = ["MAX_ROWS", "Sheet", "UnreadableFile", "read_tables"]
TEXT_KINDS = {"csv", "txt", "tsv", "prn", "dat", "skv"}
RESAVE = "Lagre listen på nytt som .xlsx eller .csv og prøv igjen."
# What escapes a reader on a damaged file is not ours to name one by one, but it is never
# a reason to stop: memory exhaustion is left to the worker's limits.
NOT_READER_FAULTS = (MemoryError, KeyboardInterrupt, SystemExit)


def read_spreadsheet(data: bytes, kind: str) -> list[Sheet]:
    label = {"ods": "et OpenDocument-regneark", "xls": "et Excel-regneark (xls)"}.get(kind, "et Excel-regneark")
    damaged = f"Filen kunne ikke leses som {label}: den er skadet eller ikke et regneark. {RESAVE}"
    if kind == "xlsx":
        package.check_xlsx(data)
    elif kind == "ods":
        package.check_ods(data)
    elif kind == "xls":
        ole.check_xls(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    except python_calamine.PasswordError as exc:
        raise UnreadableFile("Regnearket er passordbeskyttet. Send det uten passord.") from exc
    except NOT_READER_FAULTS:
        raise
    except BaseException as exc:  # calamine raises many kinds, a Rust panic among them, for a damaged file
        raise UnreadableFile(damaged) from exc
    sheets = []
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except NOT_READER_FAULTS:
            raise
        except BaseException:  # a chart sheet or a broken sheet: the others may still hold the list
            continue
        if sheet.total_height > MAX_SHEET_ROWS:
            raise UnreadableFile(f"Arket «{name}» har {sheet.total_height} rader; høyst {MAX_ROWS} er tillatt.")
        if sheet.total_width > MAX_COLUMNS:
            raise UnreadableFile(
                f"Arket «{name}» har {sheet.total_width} kolonner; høyst {MAX_COLUMNS} er tillatt. " + RESAVE
            )
        try:
            rows = sheet.to_python(skip_empty_area=False)
        except NOT_READER_FAULTS:
            raise
        except BaseException:
            continue
        sheets.append(Sheet(name=name, rows=rows, line_numbers=list(range(1, len(rows) + 1))))
    return sheets


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", errors="replace")
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace")
    head = data[:512]
    if len(head) >= 4 and head[1::2].count(0) > 0.9 * len(head[1::2]):
        return data.decode("utf-16-le", errors="replace")
    if len(head) >= 4 and head[0::2].count(0) > 0.9 * len(head[0::2]):
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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


NOT_SPACE = re.compile(r"[^ ]+")
WORD = re.compile(r"\S+")
DATA_LINE = re.compile(r"\d{6}\s?\d{5}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def _nearest_span(spans: list[tuple[int, int]], starts: list[int], centre: float) -> int:
    """The span holding `centre`, else the closer neighbour (the left one on a tie)."""
    k = bisect.bisect_right(starts, centre) - 1
    if k < 0:
        return 0
    start, end = spans[k]
    if centre < end or k + 1 == len(spans):
        return k
    return k if centre - end <= spans[k + 1][0] - centre else k + 1


def split_fixed_width(lines: list[str]) -> list[list[str]]:
    """Columns of a fixed-width list: the character positions blank on every data line are the gaps.

    Linear in the size of the text: a hostile line of many short words must not cost words × columns.
    """
    data_lines = [line for line in lines if DATA_LINE.search(line)]
    if not data_lines:
        return [re.split(r"\s{2,}", line.strip()) for line in lines]
    width = max(len(line) for line in data_lines)
    occupied = bytearray(width)
    for line in data_lines:
        for match in NOT_SPACE.finditer(line):
            occupied[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    spans = [(m.start(), m.end()) for m in re.finditer(rb"\x01+", bytes(occupied))]
    if len(spans) > MAX_COLUMNS:
        raise UnreadableFile(f"Listen ser ut til å ha {len(spans)} kolonner; høyst {MAX_COLUMNS} er tillatt. " + RESAVE)
    starts = [start for start, _ in spans]
    rows = []
    for line in lines:
        cells: list[list[str]] = [[] for _ in spans]
        # Word by word: a single space may be all that separates two columns.
        for match in WORD.finditer(line):
            centre = (match.start() + match.end()) / 2
            cells[_nearest_span(spans, starts, centre)].append(match.group())
        rows.append([" ".join(words) for words in cells])
    return rows


def _line_limits(lines: list[str]) -> None:
    if len(lines) > MAX_SHEET_ROWS:
        raise UnreadableFile(f"Filen har {len(lines)} linjer; høyst {MAX_ROWS} rader er tillatt.")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise UnreadableFile(
                f"Linje {number} er {len(line):,} tegn lang; høyst {MAX_LINE_CHARS:,} er tillatt "
                f"på én linje. {RESAVE}".replace(",", " ")
            )


def read_text(data: bytes) -> list[Sheet]:
    text = decode_text(data)
    lines = text.splitlines()
    _line_limits(lines)
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        return []
    plain = [line for _, line in numbered]
    try:
        delimiter = choose_delimiter(plain)
        if delimiter:
            # Line by line: a stray quote must not swallow the lines after it.
            rows = [[cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])] for line in plain]
        else:
            rows = split_fixed_width(plain)
    except csv.Error as exc:
        raise UnreadableFile(
            "Filen har en linje som ikke kan leses som csv (et felt er for langt eller har "
            f"feil bruk av anførselstegn). {RESAVE}"
        ) from exc
    widest = max((len(row) for row in rows), default=0)
    if widest > MAX_COLUMNS:
        raise UnreadableFile(f"Listen har {widest} kolonner; høyst {MAX_COLUMNS} er tillatt. {RESAVE}")
    return [Sheet(name="", rows=rows, line_numbers=[n for n, _ in numbered])]


ID_TOKEN = re.compile(r"(?<!\d)(\d{6}[ ]?\d{5})(?!\d)")
DATE_TOKEN = re.compile(r"(?<!\d)(\d{1,2}\.\d{1,2}\.\d{2,4})(?!\d)")
AMOUNT_TOKEN = re.compile(r"(?<![\d.,])-?\d{1,3}(?:[ \u00a0.]\d{3})*(?:,\d{2})-?(?![\d])|(?<![\d.,])-?\d+\.\d{2}(?!\d)")


def _pdf_lines(data: bytes) -> list[str]:
    import pdfplumber
    from pdfminer.pdfpage import PDFPage

    damaged = "Filen kunne ikke leses som PDF: den er skadet."
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), MAX_PDF_PAGES + 1))
            if pages > MAX_PDF_PAGES:
                raise UnreadableFile(
                    f"PDF-filen har over {MAX_PDF_PAGES} sider; høyst {MAX_PDF_PAGES} er tillatt. "
                    "Send listen som regneark (.xlsx) eller tekst (.csv)."
                )
            lines = []
            for page in pdf.pages:
                lines.extend((page.extract_text() or "").splitlines())
    except (UnreadableFile, *NOT_READER_FAULTS):
        raise
    except BaseException as exc:  # pdfminer raises many kinds for a damaged file
        raise UnreadableFile(damaged) from exc
    _line_limits(lines)
    return lines


def read_pdf(data: bytes) -> list[Sheet]:
    """A printed list: each text line with a national id or a birth date, a name and an amount."""
    lines = _pdf_lines(data)
    rows, numbers = [], []
    for n, line in enumerate(lines, start=1):
        by_id = ID_TOKEN.search(line)
        person = by_id or DATE_TOKEN.search(line)
        if not person:
            continue
        rest = line[person.end() :]
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
    """The file's kind, by its content, and its tables. Runs only inside a parse worker."""
    kind = kind_of(data)
    if kind in ("xlsx", "xls", "ods"):
        return kind, read_spreadsheet(data, kind)
    if kind == "pdf":
        return kind, read_pdf(data)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return (extension if extension in TEXT_KINDS else "txt"), read_text(data)
