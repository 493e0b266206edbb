"""Reading a deduction list (trekkliste) from a payroll export's bytes.

Runs only inside a parse worker (services.reading.worker): the bytes are
untrusted, and the portal process asks `services.reading.parsing`, which sends them
there. Every way a file can be wrong ends as a ParseResult with ok=False and
a Norwegian message.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from services.money import kr
from services.reading import values
from services.reading.columns import (
    AMOUNT,
    BASIS,
    BIRTH_DATE,
    EMPLOYEE_NO,
    FIRST_NAME,
    NAME,
    NATIONAL_ID,
    PERIOD,
    SURNAME,
    ChosenLayout,
    Layout,
    find_header,
    header_key,
    layout_from_content,
    role_of_header,
)
from services.reading.files import Sheet, read_tables
from services.reading.limits import MAX_AMOUNT_KR, MAX_FILE_BYTES, MAX_ROWS, UnreadableFile
from services.reading.result import ListWarning, ParseResult, Row
from services.reading.sniff import kind_of

SUM_WORDS = re.compile(r"^(sum|total|totalt|i alt|totalsum|sum trekk|summa|grand total)\b")
LOOKED_FOR = (
    "Vi ser etter en kolonne med fødselsnummer (eller fødselsdato) og en kolonne med trekkbeløp, "
    "gjerne med overskrifter som «Fødselsnummer», «Navn» og «Trekk»."
)
PDF_BY_HAND = "Fant ingen rader i PDF-filen. Den tas imot og behandles manuelt av forbundet."


def _cell(row: list, layout: Layout, role: str):
    col = layout.columns.get(role)
    return row[col] if col is not None and col < len(row) else None


def _decimal_comma(sheet: Sheet, layout: Layout, start: int) -> bool | None:
    col = layout.columns.get(AMOUNT)
    if col is None:
        return None
    seen = [str(r[col]) for r in sheet.rows[start:] if col < len(r) and isinstance(r[col], str)]
    if any(re.search(r",\d{1,2}\s*(kr|-)?\s*$", v) for v in seen):
        return True
    if any(re.search(r"\.\d{1,2}\s*(kr|-)?\s*$", v) for v in seen):
        return False
    return None


def _is_sum_row(row: list) -> bool:
    return any(SUM_WORDS.match(values.fold(values.text(c))) for c in row if isinstance(c, str))


def _is_repeated_header(row: list) -> bool:
    return sum(1 for c in row if role_of_header(c)) >= 2


def _first_person_row(sheet: Sheet, layout: Layout) -> int:
    """Where the data starts when no header row was recognised: above it are titles."""
    for index, cells in enumerate(sheet.rows):
        if values.digits_of_national_id(_cell(cells, layout, NATIONAL_ID)) or values.parse_date(
            _cell(cells, layout, BIRTH_DATE)
        ):
            return index
    return len(sheet.rows)


def _column(layout: Layout, role: str):
    """The function that takes a row's cell for `role`, or None where the row is short or the role absent."""
    col = layout.columns.get(role)
    if col is None:
        return lambda row: None
    return lambda row: row[col] if col < len(row) else None


def _extract(sheet: Sheet, layout: Layout) -> tuple[list[Row], list[ListWarning], Decimal | None]:
    start = _first_person_row(sheet, layout) if layout.header_row is None else layout.header_row + 1
    decimal_comma = _decimal_comma(sheet, layout, start)
    id_of, born_of, amount_of, basis_of = (_column(layout, r) for r in (NATIONAL_ID, BIRTH_DATE, AMOUNT, BASIS))
    name_of, surname_of, first_name_of = (_column(layout, r) for r in (NAME, SURNAME, FIRST_NAME))
    employee_no_of, period_of = _column(layout, EMPLOYEE_NO), _column(layout, PERIOD)
    one_name, has_period = NAME in layout.columns, PERIOD in layout.columns
    is_blank = values.is_blank
    rows, warnings, stated_sum = [], [], None
    for index in range(start, len(sheet.rows)):
        cells, line = sheet.rows[index], sheet.line_numbers[index]
        if all(is_blank(c) for c in cells):
            continue
        raw_id = id_of(cells)
        national_id = values.digits_of_national_id(raw_id)
        birth_date = values.parse_date(born_of(cells))
        if one_name:
            name = values.clean_name(name_of(cells))
        else:
            name = values.join_names(surname_of(cells), first_name_of(cells))
        amount = values.parse_amount(amount_of(cells), decimal_comma=decimal_comma)
        if national_id is None and birth_date is None:
            # Only a row without a person can be a repeated header or a sum.
            if _is_repeated_header(cells):
                continue
            if _is_sum_row(cells) or name is None:
                if amount is not None:
                    stated_sum = amount
                continue
        if national_id is None and not is_blank(raw_id):
            birth_date = birth_date or values.parse_date(raw_id)
            warnings.append(ListWarning(line, "Fødselsnummeret er ikke 11 sifre."))
        if national_id is not None:
            if not values.national_id_valid(national_id):
                warnings.append(ListWarning(line, "Ugyldig fødselsnummer: kontrollsifrene stemmer ikke."))
            birth_date = birth_date or values.birth_date_of_national_id(national_id)
        if amount is None:
            warnings.append(ListWarning(line, "Raden mangler trekkbeløp."))
        if amount is not None and abs(amount) >= MAX_AMOUNT_KR:
            shown = f" {kr(amount)}" if abs(amount) < values.OUT_OF_RANGE else ""
            raise UnreadableFile(
                f"Linje {line}: beløpet{shown} er for stort til å være et trekk "
                f"(høyst {kr(MAX_AMOUNT_KR - Decimal('0.01'))}). Rett beløpet og send listen igjen."
            )
        employee_no = values.text(employee_no_of(cells)) or None
        basis = values.parse_amount(basis_of(cells))
        if basis is not None and abs(basis) >= MAX_AMOUNT_KR:
            warnings.append(ListWarning(line, "Trekkgrunnlaget er urimelig stort og er utelatt."))
            basis = None
        period = values.parse_period(period_of(cells)) if has_period else None
        rows.append(Row(line, national_id, birth_date, name, employee_no, basis, amount, period))
    return rows, warnings, stated_sum


def _flip_payroll_sign(rows: list[Row]) -> None:
    """Payroll exports deductions as negative pay: flip all when most are negative,
    so a correction row keeps its sign relative to the rest."""
    negative = sum(1 for r in rows if r.amount is not None and r.amount < 0)
    positive = sum(1 for r in rows if r.amount is not None and r.amount > 0)
    if negative > positive:
        for r in rows:
            if r.amount is not None:
                r.amount = -r.amount
        if all(r.basis is None or r.basis <= 0 for r in rows):
            for r in rows:
                if r.basis is not None:
                    r.basis = -r.basis


def _person_warnings(rows: list[Row]) -> list[ListWarning]:
    warnings = []
    lines_of = defaultdict(list)
    sums: defaultdict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        key = r.person_key()
        lines_of[key].append(r.line)
        if r.amount is not None:
            sums[key] += r.amount
    for lines in lines_of.values():
        if len(lines) > 1:
            for line in lines[1:]:
                warnings.append(
                    ListWarning(line, f"Samme person står også på linje {lines[0]}; beløpene legges sammen.")
                )
    totals = [v for v in sums.values() if v > 0]
    if len(totals) >= 5:
        typical = Decimal(str(statistics.median(totals)))
        for key, amount in sums.items():
            if amount > typical * 3 or (0 < amount < typical / 4) or amount < 0:
                line = lines_of[key][0]
                warnings.append(
                    ListWarning(
                        line, f"Beløpet {kr(amount)} skiller seg mye fra de andre (vanlig er rundt {kr(typical)})."
                    )
                )
    return warnings


SAMPLE_ROWS = 400


def _sample(sheet: Sheet, layout: Layout) -> Sheet:
    """The first rows after the header: enough to judge a layout without reading it all."""
    end = (layout.header_row or 0) + 1 + SAMPLE_ROWS
    return Sheet(sheet.name, sheet.rows[:end], sheet.line_numbers[:end])


def _best_table(sheets: list[Sheet]) -> tuple[Sheet, Layout] | None:
    best, best_rows = None, 0
    for sheet in sheets:
        if len(sheet.rows) > MAX_ROWS + 50:
            # Blank rows do not count against the limit; only a sheet that long has to be counted.
            filled = sum(1 for row in sheet.rows if not all(values.is_blank(c) for c in row))
            if filled > MAX_ROWS + 50:
                raise UnreadableFile(f"Listen har {filled} rader; høyst {MAX_ROWS} er tillatt.")
        candidates = []
        header = find_header(sheet.rows)
        if header is not None:
            candidates.append(header)
            if not header.usable:
                # A header that names too little: read the roles it lacks from the content below it.
                below = layout_from_content(sheet.rows, (header.header_row or 0) + 1)
                merged = Layout(header.header_row, {**below.columns, **header.columns})
                candidates.append(merged)
        candidates.append(layout_from_content(sheet.rows))
        for layout in candidates:
            if not layout.usable:
                continue
            found, _, _ = _extract(_sample(sheet, layout), layout)
            persons = sum(1 for r in found if (r.national_id or r.birth_date) and r.amount is not None)
            if persons > best_rows:
                best, best_rows = (sheet, layout), persons
    return best


EXTENSION_FAMILY = {
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "ods": "ods",
    "pdf": "pdf",
    "csv": "text",
    "txt": "text",
    "tsv": "text",
    "prn": "text",
    "dat": "text",
    "skv": "text",
}
KIND_LABEL = {
    "xlsx": "et Excel-regneark (xlsx)",
    "xls": "et Excel-regneark (xls)",
    "ods": "et OpenDocument-regneark",
    "pdf": "en PDF",
    "text": "tekst",
}


def kind_of_content(data: bytes) -> str | None:
    try:
        return kind_of(data)
    except UnreadableFile:
        return None


def _named_as(name: str, kind: str | None) -> str:
    """A word for the user when the file's name says one thing and its content another."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    family = EXTENSION_FAMILY.get(extension)
    if kind is None or family is None or family == kind:
        return ""
    return f"Filen heter «.{extension}», men er {KIND_LABEL[kind]}. "


def _chosen_table(sheets: list[Sheet], chosen: list[ChosenLayout]) -> tuple[Sheet, Layout, str] | None:
    """The first layout a clerk chose for this company whose header row this file has."""
    for choice in chosen:
        if choice.sheet >= len(sheets) or choice.header_row >= len(sheets[choice.sheet].rows):
            continue
        sheet = sheets[choice.sheet]
        if header_key(sheet.rows[choice.header_row]) == choice.header_key:
            return sheet, Layout(choice.header_row, dict(choice.columns)), choice.header_key
    return None


def read_list(data: bytes, filename: str, chosen: list[ChosenLayout] | None = None) -> ParseResult:
    """The list in `data`; never raises for anything a file can hold. `chosen`: the layouts the
    company's clerks picked for files like this; one whose header row the file has is used as it is."""
    name = Path(filename).name
    if len(data) > MAX_FILE_BYTES:
        return ParseResult(name, False, f"Filen er større enn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        return ParseResult(name, False, "Filen er tom. " + LOOKED_FOR)
    try:
        kind, sheets = read_tables(data, name)
        picked = _chosen_table(sheets, chosen or [])
        best = (picked[0], picked[1]) if picked else _best_table(sheets)
        if best is None:
            if kind == "pdf":
                # Said once, as the file's note: the preview showed it twice when it was a warning too.
                return ParseResult(name, True, kind=kind, note=PDF_BY_HAND)
            where = "filen" if len(sheets) <= 1 else f"noen av de {len(sheets)} arkene i regnearket"
            return ParseResult(name, False, f"Fant ingen trekkliste i {where}. " + LOOKED_FOR, kind=kind)
        sheet, layout = best
        rows, warnings, stated_sum = _extract(sheet, layout)
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(f"Listen har {len(rows)} rader; høyst {MAX_ROWS} er tillatt.")
    except UnreadableFile as problem:
        return ParseResult(name, False, _named_as(name, kind_of_content(data)) + str(problem))
    _flip_payroll_sign(rows)
    result = ParseResult(
        name,
        True,
        rows=rows,
        kind=kind,
        stated_total=abs(stated_sum) if stated_sum is not None else None,
        layout_used=picked[2] if picked else None,
    )
    result.warnings = warnings + _person_warnings(rows)
    if stated_sum is not None and abs(abs(stated_sum) - abs(result.total)) > Decimal("0.01") and abs(stated_sum) != 0:
        result.warnings.append(
            ListWarning(
                None, f"Summen i filen ({kr(abs(stated_sum))}) stemmer ikke med summen av radene ({kr(result.total)})."
            )
        )
    result.warnings.sort(key=lambda w: (w.line is None, w.line or 0))
    return result
