"""Deduction periods: a calendar month, shown the Norwegian way."""

from __future__ import annotations

import calendar
from datetime import date

from services.errors import InvalidInput

MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
YEARS_BACK = 2


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(period: date) -> date:
    """The last day of the period's month."""
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def same_day_months_later(day: date, months: int) -> date:
    """The same day `months` calendar months on, clamped to that month's end (31 August + 6 is 28 February)."""
    first = add_months(month_start(day), months)
    return first.replace(day=min(day.day, month_end(first).day))


def previous(today: date) -> date:
    return add_months(month_start(today), -1)


def earliest(today: date) -> date:
    return add_months(month_start(today), -12 * YEARS_BACK)


def check(period: date, *, today: date) -> date:
    """The period as the first of its month, if it may be reported for today."""
    period = month_start(period)
    if period > month_start(today):
        raise InvalidInput("Du kan ikke sende inn en trekkliste for en periode som ikke har begynt.")
    if period < earliest(today):
        raise InvalidInput(f"Perioden kan være høyst {YEARS_BACK} år tilbake i tid.")
    return period


def label(period: date) -> str:
    """'November 2020', as the Utrukne page and mails show a period."""
    return f"{MONTHS[period.month - 1].capitalize()} {period.year}"


def short(period: date) -> str:
    """'1020', as the history table shows a period (MMYY)."""
    return f"{period:%m%y}"


_MONTH_WORDS = {
    **{name: n for n, name in enumerate(MONTHS, start=1)},
    **{name[:3]: n for n, name in enumerate(MONTHS, start=1)},
    "sept": 9,
    "okt": 10,
    "des": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "october": 10,
    "december": 12,
}


def named_in(text: str) -> date | None:
    """The month a piece of text names, if it names exactly one with its year: a period column's
    «2026-09», «09.2026», «9/2026», «202609», «september 2026», «sep. 26», or a file title's
    «trekk_oktober_2026.xlsx». None when it names none, or more than one."""
    import re

    lowered = text.lower()
    found: set[date] = set()
    for year, month in re.findall(r"(?<!\d)(20\d\d)[-_./ ]?(0[1-9]|1[0-2])(?!\d)", lowered):
        found.add(date(int(year), int(month), 1))
    for month, year in re.findall(r"(?<!\d)(0?[1-9]|1[0-2])[-_./ ](20\d\d)(?!\d)", lowered):
        found.add(date(int(year), int(month), 1))
    for word, year in re.findall(r"([a-zæøå]{3,9})\.?[-_ ]?'?((?:20)?\d\d)(?!\d)", lowered):
        month = _MONTH_WORDS.get(word)
        if month is not None:
            full = int(year) if len(year) == 4 else 2000 + int(year)
            found.add(date(full, month, 1))
    return found.pop() if len(found) == 1 else None


def parse(text: str) -> date:
    """'2026-10' to the first of October 2026."""
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise InvalidInput(f"Perioden «{text}» må skrives ÅÅÅÅ-MM, for eksempel 2026-10.") from exc
