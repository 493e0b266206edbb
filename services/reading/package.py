"""Checks of a zip-based spreadsheet (xlsx, ods) made from its own parts, before
the spreadsheet reader sees it.

The reader trusts what a file says about itself: it allocates the whole
rectangle a sheet declares, copies a shared string into every cell that uses it
and expands repeated ODS cells. Here every part is unpacked once, in chunks,
counting what it really holds, so a file that would make the reader build
gigabytes is refused by a limit with a name.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from services.reading.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_SHEET_ROWS,
    MAX_SHEET_TEXT_BYTES,
    MAX_SHEETS,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
    UnreadableFile,
)

CHUNK = 4 * 1024 * 1024
# A single tag longer than this is no spreadsheet's.
MAX_TAG_BYTES = 1024 * 1024
DAMAGED = (
    "Regnearket er skadet eller ufullstendig og kan ikke leses. Lagre det på nytt som .xlsx eller .csv og prøv igjen."
)
RESAVE = "Lagre listen på nytt som .xlsx eller .csv og prøv igjen."

# Everything the zip module raises for a damaged archive or part.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
)
PREFIX = rb"(?:[\w.-]+:)?"
CELL_TAG = re.compile(rb"<" + PREFIX + rb"c[\s/>]")
CELL_REF = re.compile(rb"<" + PREFIX + rb"c\s[^>]*?\br=[\"']([A-Za-z]{1,4})(\d{1,10})[\"']")
ROW_REF = re.compile(rb"<" + PREFIX + rb"row\s[^>]*?\br=[\"'](\d{1,10})[\"']")
ROW_TAG = re.compile(rb"<" + PREFIX + rb"row[\s/>]")
DIMENSION = re.compile(rb"<" + PREFIX + rb"dimension\s[^>]*?\bref=[\"']([A-Za-z0-9:$]{1,40})[\"']")
SHARED_REF = re.compile(rb"<" + PREFIX + rb"c\s[^>]*?\bt=[\"']s[\"'][^>]*>\s*<" + PREFIX + rb"v>\s*(\d{1,10})\s*<")
SHARED_ITEM = re.compile(rb"<" + PREFIX + rb"si[\s>]")
ROW_OR_CELL = re.compile(rb"<(/?)" + PREFIX + rb"(row|c)([\s/>])")
DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
SHEET_ENTRY = re.compile(rb"<" + PREFIX + rb"sheet\s[^>]*>")
RELATIONSHIP = re.compile(rb"<" + PREFIX + rb"Relationship\s[^>]*>")


def _attribute(tag: bytes, name: bytes) -> str | None:
    found = re.search(rb"(?:^|\s)(?:[\w.-]+:)?" + name + rb"=[\"']([^\"']*)[\"']", tag)
    return found.group(1).decode("utf-8", "replace") if found else None


def column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + (ord(ch) - 64)
    return number


@dataclass
class SheetFacts:
    label: str
    declared: str | None = None
    rows: int = 0
    columns: int = 0
    shared_cells: int = 0
    part: zipfile.ZipInfo | None = None


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise UnreadableFile(DAMAGED) from exc


def _check_entries(archive: zipfile.ZipFile, size: int) -> list[zipfile.ZipInfo]:
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(f"Regnearket består av {len(entries)} deler; høyst {MAX_ZIP_ENTRIES} er tillatt. {RESAVE}")
    if any(info.flag_bits & 0x1 for info in entries):
        raise UnreadableFile("Regnearket er passordbeskyttet. Send det uten passord.")
    declared = sum(info.file_size for info in entries)
    _check_unpacked(declared, size)
    return entries


def _check_unpacked(unpacked: int, size: int) -> None:
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"Regnearket pakkes ut til {unpacked // (1024 * 1024)} MB; høyst {MAX_UNPACKED_BYTES // (1024 * 1024)} MB "
            f"er tillatt. Det er urimelig stort for en trekkliste. {RESAVE}"
        )
    if unpacked > MAX_COMPRESSION_RATIO * max(size, 1) + 10_000_000:
        raise UnreadableFile(
            f"Regnearket pakkes ut til {unpacked // (1024 * 1024)} MB fra {max(size // 1024, 1)} kB, som er "
            f"urimelig stort for en trekkliste. {RESAVE}"
        )


class _Budget:
    """Counts the bytes really unpacked: a part's declared size may lie."""

    def __init__(self, size: int) -> None:
        self.size, self.used = size, 0

    def take(self, count: int) -> None:
        self.used += count
        _check_unpacked(self.used, self.size)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The part's bytes in pieces that never end inside a tag."""
    carry = b""
    try:
        with archive.open(info) as part:
            while True:
                piece = part.read(CHUNK)
                if not piece:
                    break
                budget.take(len(piece))
                piece = carry + piece
                cut = piece.rfind(b"<")
                if cut < 0 or piece.find(b">", cut) >= 0:
                    carry = b""
                    yield piece
                else:
                    carry = piece[cut:]
                    if cut:
                        yield piece[:cut]
                if len(carry) > MAX_TAG_BYTES:
                    raise UnreadableFile(DAMAGED)
    except ZIP_ERRORS as exc:
        raise UnreadableFile(DAMAGED) from exc
    if carry:
        yield carry


def _refuse_doctype(chunk: bytes) -> None:
    if DOCTYPE.search(chunk):
        raise UnreadableFile(
            "Regnearket inneholder XML-definisjoner (DOCTYPE/ENTITY) som et regneark aldri har. " + RESAVE
        )


def _fast_patterns(prefix: bytes) -> tuple[re.Pattern, re.Pattern]:
    """Cell and row references as every writer we know puts them: the reference first."""
    p = re.escape(prefix)
    return (re.compile(b"<" + p + rb'c r="([A-Za-z]{1,4})(\d{1,10})"'), re.compile(b"<" + p + rb'row r="(\d{1,10})"'))


def _scan_xlsx_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, budget: _Budget) -> SheetFacts:
    """Counts a sheet's real extent with byte counts and simple patterns; the general
    patterns run only on a chunk where a writer put the reference elsewhere."""
    facts = SheetFacts(label)
    max_column_letters = b""
    row_elements = 0
    row_width = 0  # cells so far in the open row, for cells without a reference
    prefix: bytes | None = None
    for chunk in _chunks(archive, info, budget):
        _refuse_doctype(chunk)
        if prefix is None:
            root = re.search(rb"<([\w.-]+:)?worksheet[\s>]", chunk)
            prefix = root.group(1) or b"" if root else b""
            fast_cell, fast_row = _fast_patterns(prefix)
            # One pass each, where a count per possible character after the name took six.
            cell_open = re.compile(b"<" + re.escape(prefix) + rb"c[ >/\t\n\r]")
            row_open = re.compile(b"<" + re.escape(prefix) + rb"row[ >/\t\n\r]")
        if facts.declared is None:
            found = DIMENSION.search(chunk)
            if found:
                facts.declared = found.group(1).decode("ascii")
        cells = len(cell_open.findall(chunk))
        refs = fast_cell.findall(chunk)
        if len(refs) < cells:
            refs = CELL_REF.findall(chunk)
            cells = len(CELL_TAG.findall(chunk))
        if refs:
            # The widest column: longest letters first, then alphabetical.
            widest = max({c.upper() for c in {c for c, _ in refs}}, key=lambda c: (len(c), c))
            if (len(widest), widest) > (len(max_column_letters), max_column_letters):
                max_column_letters = widest
            facts.rows = max(facts.rows, max(map(int, {r for _, r in refs})))
        rows_here = len(row_open.findall(chunk))
        row_numbers = fast_row.findall(chunk)
        if len(row_numbers) < rows_here:
            row_numbers = ROW_REF.findall(chunk)
            rows_here = max(rows_here, len(ROW_TAG.findall(chunk)))
        if row_numbers:
            facts.rows = max(facts.rows, max(map(int, row_numbers)))
        row_elements += rows_here
        if cells > len(refs):
            # Some cells have no reference: the reader places them one after another in their row.
            for closing, tag, _ in ROW_OR_CELL.findall(chunk):
                if tag == b"row" and not closing:
                    row_width = 0
                elif tag == b"c" and not closing:
                    row_width += 1
                    facts.columns = max(facts.columns, row_width)
        facts.shared_cells += chunk.count(b't="s"') + chunk.count(b"t='s'")
        if facts.shared_cells > MAX_CELLS:
            raise UnreadableFile(
                f"Arket «{label}» har mer enn {MAX_CELLS:,} celler med tekst. {RESAVE}".replace(",", " ")
            )
    facts.rows = max(facts.rows, row_elements)
    if max_column_letters:
        facts.columns = max(facts.columns, column_number(max_column_letters))
    if facts.declared:
        last = facts.declared.split(":")[-1].replace("$", "")
        corner = re.fullmatch(r"([A-Za-z]{1,4})(\d{1,10})", last)
        if corner:
            facts.columns = max(facts.columns, column_number(corner.group(1)))
            facts.rows = max(facts.rows, int(corner.group(2)))
    _check_extent(facts)
    return facts


def _shared_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sizes: array, budget: _Budget) -> int:
    """The bytes of shared text a sheet's cells expand to, each use counted."""
    count, total = len(sizes), 0
    for chunk in _chunks(archive, info, budget):
        total += sum(sizes[i] for i in map(int, SHARED_REF.findall(chunk)) if i < count)
    return total


def _check_extent(facts: SheetFacts) -> None:
    where = f" ({facts.declared})" if facts.declared else ""
    size = f"{facts.rows:,} rader × {facts.columns:,} kolonner".replace(",", " ")
    if facts.rows > MAX_SHEET_ROWS:
        raise UnreadableFile(
            f"Arket «{facts.label}» fyller {size}{where}; høyst {MAX_SHEET_ROWS - 50:,} rader "
            f"er tillatt. {RESAVE}".replace(",", " ")
        )
    if facts.columns > MAX_COLUMNS:
        raise UnreadableFile(
            f"Arket «{facts.label}» fyller {size}{where}; høyst {MAX_COLUMNS} kolonner er tillatt. "
            "Fjern tomme kolonner og formatering til høyre for listen, eller " + RESAVE[0].lower() + RESAVE[1:]
        )
    if facts.rows * facts.columns > MAX_CELLS:
        raise UnreadableFile(
            f"Arket «{facts.label}» fyller {size}{where}, over {MAX_CELLS:,} celler. {RESAVE}".replace(",", " ")
        )


def _shared_string_sizes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> array:
    """The size in bytes of each shared string, in order: an upper bound of its text."""
    starts = array("q")
    offset = 0
    for chunk in _chunks(archive, info, budget):
        _refuse_doctype(chunk)
        starts.extend(offset + m.start() for m in SHARED_ITEM.finditer(chunk))
        offset += len(chunk)
    sizes = array("q", (b - a for a, b in zip(starts, starts[1:], strict=False)))
    if starts:
        sizes.append(offset - starts[-1])
    return sizes


def _sheet_labels(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Part name → the sheet's name as the user sees it, from the workbook and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml") if "xl/workbook.xml" in names else b""
        rels = archive.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    except ZIP_ERRORS as exc:
        raise UnreadableFile(DAMAGED) from exc
    if len(workbook) > 10 * 1024 * 1024 or len(rels) > 10 * 1024 * 1024:
        raise UnreadableFile(DAMAGED)
    _refuse_doctype(workbook)
    _refuse_doctype(rels)
    target_of = {}
    for tag in RELATIONSHIP.findall(rels):
        rid, target = _attribute(tag, b"Id"), _attribute(tag, b"Target")
        if rid and target:
            target = target.lstrip("/")
            target_of[rid] = target if target.startswith("xl/") else "xl/" + target
    labels = {}
    entries = SHEET_ENTRY.findall(workbook)
    if len(entries) > MAX_SHEETS:
        raise UnreadableFile(f"Regnearket har {len(entries)} ark; høyst {MAX_SHEETS} er tillatt. {RESAVE}")
    for tag in entries:
        name, rid = _attribute(tag, b"name"), _attribute(tag, b"id")
        if name and rid in target_of:
            labels[target_of[rid]] = name
    return labels


def check_xlsx(data: bytes) -> None:
    with _open(data) as archive:
        entries = _check_entries(archive, len(data))
        names = {info.filename for info in entries}
        labels = _sheet_labels(archive, names)
        budget = _Budget(len(data))
        sheets: list[SheetFacts] = []
        sizes = array("q")
        for info in entries:
            lowered = info.filename.lower()
            if info.is_dir():
                continue
            if lowered.endswith("sharedstrings.xml"):
                sizes = _shared_string_sizes(archive, info, budget)
            elif "worksheets/" in lowered and lowered.endswith(".xml"):
                label = labels.get(info.filename, f"ark {len(sheets) + 1}")
                facts = _scan_xlsx_sheet(archive, info, label, budget)
                facts.part = info
                sheets.append(facts)
            elif lowered.endswith((".xml", ".rels")):
                for chunk in _chunks(archive, info, budget):
                    _refuse_doctype(chunk)
            else:
                for _ in _chunks(archive, info, budget):
                    pass
        if len(sheets) > MAX_SHEETS:
            raise UnreadableFile(f"Regnearket har {len(sheets)} ark; høyst {MAX_SHEETS} er tillatt. {RESAVE}")
        longest = max(sizes, default=0)
        text = 0
        for sheet in sheets:
            if sheet.shared_cells * longest <= MAX_SHEET_TEXT_BYTES or sheet.part is None:
                text += sheet.shared_cells * longest
            else:
                # Only now count precisely, use by use: a second pass over this sheet.
                text += _shared_text(archive, sheet.part, sizes, _Budget(len(data)))
            if text > MAX_SHEET_TEXT_BYTES:
                raise UnreadableFile(
                    f"Teksten i regnearket blir over {MAX_SHEET_TEXT_BYTES // (1024 * 1024)} MB når den fylles ut i "
                    f"cellene (arket «{sheet.label}» gjentar lange tekster). {RESAVE}"
                )


TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class _OdsCounter:
    """Counts what the reader will build from an ODS sheet: repeated rows and cells included,
    empty ones at the end of a row or sheet left out, as the reader leaves them out."""

    def __init__(self) -> None:
        self.sheets: list[SheetFacts] = []
        self.row = 0
        self.row_repeat = 1
        self.column = 0
        self.row_width = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == f"{TABLE_NS} table":
            if len(self.sheets) >= MAX_SHEETS:
                raise UnreadableFile(f"Regnearket har over {MAX_SHEETS} ark; høyst {MAX_SHEETS} er tillatt. {RESAVE}")
            self.sheets.append(SheetFacts(attrs.get(f"{TABLE_NS} name") or f"ark {len(self.sheets) + 1}"))
            self.row = 0
        elif name == f"{TABLE_NS} table-row":
            self.row_repeat = _count(attrs.get(f"{TABLE_NS} number-rows-repeated"))
            self.column = 0
            self.row_width = 0
        elif name in (f"{TABLE_NS} table-cell", f"{TABLE_NS} covered-table-cell"):
            repeat = _count(attrs.get(f"{TABLE_NS} number-columns-repeated"))
            self.column += repeat
            if f"{OFFICE_NS} value-type" in attrs:
                self.row_width = self.column
            if self.column > 1_000_000_000:
                raise UnreadableFile(DAMAGED)

    def end(self, name: str) -> None:
        if name == f"{TABLE_NS} table-row" and self.sheets:
            sheet = self.sheets[-1]
            self.row += self.row_repeat
            if self.row_width:
                sheet.rows = self.row
                sheet.columns = max(sheet.columns, self.row_width)
                _check_extent(sheet)


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1_000_000_000))
    except ValueError:
        return 1


def check_ods(data: bytes) -> None:
    with _open(data) as archive:
        entries = _check_entries(archive, len(data))
        budget = _Budget(len(data))
        content = None
        for info in entries:
            if info.filename == "content.xml":
                content = info
            elif info.filename.lower().endswith(".xml"):
                for chunk in _chunks(archive, info, budget):
                    _refuse_doctype(chunk)
            else:
                for _ in _chunks(archive, info, budget):
                    pass
        if content is None:
            raise UnreadableFile(DAMAGED)
        counter = _OdsCounter()
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = counter.start
        parser.EndElementHandler = counter.end

        def refuse(*_args) -> None:
            raise UnreadableFile(
                "Regnearket inneholder XML-definisjoner (DOCTYPE/ENTITY) som et regneark aldri har. " + RESAVE
            )

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        try:
            for chunk in _chunks(archive, content, budget):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            raise UnreadableFile(DAMAGED) from exc
