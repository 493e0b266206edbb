"""Single cell values of a deduction list: amounts, national ids, dates, names.

Every function takes a raw cell (str, float, int, date, None) and returns the
normalised value or None when the cell holds nothing usable.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import mul

SPACES = "\u00a0\u202f\u2009\u2007 \t'’"
CURRENCY = re.compile(r"(?i)\b(nok|kr)\b\.?|kr\.?$|^kr\.?|,-$")
EXCEL_EPOCH = date(1899, 12, 30)
# Stands for every amount too large for any list (and for the store): callers refuse it by size.
OUT_OF_RANGE = Decimal("1000000000000000")
CENT = Decimal("0.01")
ID_SEPARATORS = re.compile(r"[\s.\-\u00a0]")
WHITESPACE = re.compile(r"\s+")
A_LETTER = re.compile(r"[^\W\d_]")


def text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def is_blank(cell) -> bool:
    # The same as text(cell) == "", without building the text: a list has tens of thousands of cells.
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_amount(cell, *, decimal_comma: bool | None = None) -> Decimal | None:
    """An amount in kroner from a number or a text like '1 234,50 kr', '-1.234,50', '(12,00)', '12,50-'.

    `decimal_comma` says how to read a lone separator followed by three digits
    ('1,234' or '1.234'); None reads it as a thousands separator.
    """
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        number = float(cell)
        if not math.isfinite(number):
            return None
        if abs(number) >= OUT_OF_RANGE:
            return OUT_OF_RANGE.copy_sign(Decimal(number))
        return Decimal(str(round(number, 2))).quantize(CENT)
    raw = str(cell).strip()
    if not raw:
        return None
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    raw = CURRENCY.sub("", raw).strip()
    for ch in SPACES:
        raw = raw.replace(ch, "")
    raw = raw.replace("\u2212", "-").replace("\u2013", "-")
    if raw.endswith("-") and len(raw) > 1:
        negative, raw = not negative, raw[:-1]
    if raw.startswith("+"):
        raw = raw[1:]
    if raw.startswith("-"):
        negative, raw = not negative, raw[1:]
    if not re.fullmatch(r"[0-9.,]+", raw) or not re.search(r"\d", raw):
        return None
    normalised = _normalise_separators(raw, decimal_comma)
    if normalised is None:
        return None
    raw = normalised
    try:
        value = Decimal(raw)
        value = OUT_OF_RANGE if value >= OUT_OF_RANGE else value.quantize(CENT)
    except InvalidOperation:
        return None
    return -value if negative else value


def _normalise_separators(raw: str, decimal_comma: bool | None) -> str | None:
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        if raw.count(decimal) > 1:
            return None
        return raw.replace(thousands, "").replace(decimal, ".")
    if commas or dots:
        sep = "," if commas else "."
        head, _, tail = raw.rpartition(sep)
        if raw.count(sep) > 1:
            # '1.234.567' or '1,234,567': only thousands separators.
            groups = raw.split(sep)
            if all(len(g) == 3 for g in groups[1:]):
                return raw.replace(sep, "")
            return None
        if len(tail) == 3 and head and len(head) <= 3:
            if decimal_comma is None or decimal_comma == (sep == "."):
                return head + tail
        return head.replace(sep, "") + "." + tail if tail else head
    return raw


def digits_of_national_id(cell) -> str | None:
    """The 11 digits of a fødselsnummer written as a number (leading zero lost),
    with a space or dash after the birth date, or with dots; None if it is not one."""
    if cell is None or isinstance(cell, (date, datetime)):
        return None
    if isinstance(cell, float):
        if not cell.is_integer():
            return None
        raw = str(int(cell))
    else:
        raw = str(cell).strip()
    compact = raw if raw.isdigit() else ID_SEPARATORS.sub("", raw)
    if not compact.isdigit():
        return None
    if len(compact) == 10:
        compact = "0" + compact
    if len(compact) != 11:
        return None
    return compact


# The fødselsnummer's two mod-11 check digits, and its birth date read with the
# individual number's century ranges, D-numbers (day + 40) and H-numbers (month + 40).
# python-stdnum gives the same answers (tests/services/reading/test_values.py holds us to
# it) but its import pulls in pydoc and ssl: a quarter of the parse worker's start-up.
FIRST_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
SECOND_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: bytes, weights: tuple[int, ...]) -> int:
    return (11 - sum(map(mul, weights, digits)) + 48 * sum(weights)) % 11


def _birth_date(number: str) -> date | None:
    day, month, year, individual = int(number[0:2]), int(number[2:4]), int(number[4:6]), int(number[6:9])
    if day >= 80:
        return None  # an FH-number carries no birth date by design
    day -= 40 if day > 40 else 0
    month -= 40 if month > 40 else 0
    if individual < 500:
        year += 1900
    elif individual < 750 and year >= 54:
        year += 1800
    elif year < 40:
        year += 2000
    elif individual >= 900:
        year += 1900
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _national_id_facts(number: str) -> tuple[bool, date | None]:
    """The number's birth date, and whether the whole number is valid (check digits, a date not ahead)."""
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False, None
    born = _birth_date(number)
    valid = (
        born is not None
        and born <= date.today()
        and _check_digit(digits := number.encode("ascii"), FIRST_WEIGHTS) == digits[9] - 48
        and _check_digit(digits, SECOND_WEIGHTS) == digits[10] - 48
    )
    return valid, born


def national_id_valid(number: str) -> bool:
    return _national_id_facts(number)[0]


def birth_date_of_national_id(number: str) -> date | None:
    return _national_id_facts(number)[1]


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d%m%Y")


def parse_date(cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        # An Excel serial date, when plausible for a birth date.
        if 1 <= cell < 60000 and float(cell).is_integer():
            found = EXCEL_EPOCH + timedelta(days=int(cell))
            return found if 1900 < found.year < 2100 else None
        return None
    raw = text(cell)
    if not raw:
        return None
    raw = raw.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", raw) else raw
    for fmt in DATE_FORMATS:
        try:
            found = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if fmt.endswith("%y") and found > date.today():
            found = found.replace(year=found.year - 100)
        return found
    if re.fullmatch(r"\d{6}", raw):
        try:
            found = datetime.strptime(raw, "%d%m%y").date()
        except ValueError:
            return None
        return found.replace(year=found.year - 100) if found > date.today() else found
    return None


def parse_period(cell) -> date | None:
    """The month a period cell names (its first day), or None."""
    from services.periods import named_in

    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return cell.replace(day=1)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        cell = str(int(cell)) if float(cell).is_integer() else str(cell)
    raw = text(cell)
    return named_in(raw) if raw and len(raw) <= 40 else None


def clean_name(cell) -> str | None:
    name = WHITESPACE.sub(" ", text(cell)).strip(" ,;")
    if not name or not A_LETTER.search(name):
        return None
    return name


def join_names(surname, first_name) -> str | None:
    last, first = clean_name(surname), clean_name(first_name)
    if last and first:
        return f"{last}, {first}"
    return last or first


def fold(value: str) -> str:
    """Lower case without accents or punctuation, for comparing header names and names."""
    value = unicodedata.normalize("NFKD", value.lower())
    value = value.replace("ø", "o").replace("æ", "ae").replace("å", "a")
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", value).strip()
