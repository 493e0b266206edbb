"""Who has sent what: every company against the last twelve periods, for the staff's overview.

A cell's status, first that holds:
  manual     a list of the period waits for manual handling (no readable rows)
  corrected  more than one list was sent for the period (a correction or a supplement)
  late       the first list came after the deadline
  on_time    the first list came by the deadline (`list_deadline_day` of the month after)
  not_due    nothing sent, and the deadline has not passed, or the company was not in the portal yet
  missing    nothing sent, and the deadline has passed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services import localtime, periods, settings_store
from services.access import Actor
from services.accounts.companies import COMPANIES_WITH_START, START_SQL
from services.db import Store
from services.lists import reminders
from services.localtime import oslo

MANUAL, CORRECTED, LATE, ON_TIME, NOT_DUE, MISSING = "manual", "corrected", "late", "on_time", "not_due", "missing"
# The words staff read, in the overview and its export.
LABELS = {
    ON_TIME: "Sendt i tide",
    LATE: "Sendt for sent",
    CORRECTED: "Korrigert",
    MANUAL: "Manuell behandling",
    MISSING: "Mangler",
    NOT_DUE: "Ikke forfalt",
}
STATUSES = (ON_TIME, LATE, CORRECTED, MANUAL, MISSING, NOT_DUE)
PAGE_SIZE = 40


@dataclass(frozen=True)
class Cell:
    period: date
    status: str
    first_sent: datetime | None
    reminded: datetime | None


@dataclass(frozen=True)
class CompanyCoverage:
    company_id: int
    name: str
    orgnr: str
    missing: int
    cells: list[Cell]


@dataclass(frozen=True)
class Coverage:
    periods: list[date]  # oldest first
    companies: list[CompanyCoverage]  # this page
    company_count: int
    page: int
    pages: int
    # For every period, how many companies have each status (all companies, not only this page).
    counts: dict[date, dict[str, int]]


# One row per company and period: the first list, how many lists, and whether one waits for manual
# handling (a list whose files had no rows and that staff have not handled).
GRID_SQL = f"""
SELECT c.id, c.name, c.orgnr, c.start, s.period, min(s.submitted_at), count(s.id),
       coalesce(bool_or(s.manual_done_at IS NULL AND s.purged_at IS NULL AND NOT EXISTS (
           SELECT 1 FROM stored_files f WHERE f.submission_id = s.id AND f.row_count > 0)), false)
FROM (SELECT c.id, c.name, c.orgnr, {START_SQL} AS start FROM {COMPANIES_WITH_START}) c
LEFT JOIN submissions s ON s.company_id = c.id AND s.period >= ? AND s.period <= ?
GROUP BY c.id, c.name, c.orgnr, c.start, s.period
"""


def _status(
    period: date, first: datetime | None, lists: int, manual: bool, deadline: date, *, today: date, start: date
) -> str:
    if first is None:
        return NOT_DUE if today <= deadline or period < periods.month_start(start) else MISSING
    if manual:
        return MANUAL
    if lists > 1:
        return CORRECTED
    return LATE if oslo(first).date() > deadline else ON_TIME


def coverage(
    store: Store,
    *,
    actor: Actor,
    today: date | None = None,
    months: int = 12,
    page: int = 0,
    sort: str = "missing",
    search: str = "",
    page_size: int | None = PAGE_SIZE,
) -> Coverage:
    """The companies (a page of them, most missing first or by name) against the last `months` periods."""
    actor.require_staff()
    today = today or localtime.today()
    last = periods.previous(today)
    shown = [periods.add_months(last, -n) for n in reversed(range(months))]
    day = int(settings_store.numeric(store, "list_deadline_day"))
    deadlines = {p: settings_store.deadline(store, p, day=day) for p in shown}
    found: dict[int, dict] = {}
    for company_id, name, orgnr, start, period, first, lists, manual in store.rows(GRID_SQL, [shown[0], last]):
        entry = found.setdefault(company_id, {"name": name, "orgnr": orgnr, "start": start, "sent": {}})
        if period is not None:
            entry["sent"][period] = (first, lists, manual)
    reminded = reminders.sent(store, since=shown[0])
    counts = {p: dict.fromkeys(STATUSES, 0) for p in shown}
    rows = []
    needle = search.strip().lower()
    for company_id, entry in found.items():
        cells = []
        for p in shown:
            first, lists, manual = entry["sent"].get(p, (None, 0, False))
            status = _status(p, first, lists, manual, deadlines[p], today=today, start=entry["start"])
            counts[p][status] += 1
            cells.append(Cell(p, status, first, reminded.get((company_id, p))))
        if needle and needle not in entry["name"].lower() and needle not in entry["orgnr"]:
            continue
        missing = sum(1 for c in cells if c.status == MISSING)
        rows.append(CompanyCoverage(company_id, entry["name"], entry["orgnr"], missing, cells))
    if sort == "missing":
        rows.sort(key=lambda r: (-r.missing, r.name.lower()))
    else:
        rows.sort(key=lambda r: r.name.lower())
    size = page_size or max(len(rows), 1)
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 0), pages - 1)
    return Coverage(
        periods=shown,
        companies=rows[page * size : (page + 1) * size],
        company_count=len(rows),
        page=page,
        pages=pages,
        counts=counts,
    )


def export(store: Store, *, actor: Actor, today: date | None = None) -> bytes:
    """The whole overview as an Excel sheet: a row per company, a column per period."""
    from services import audit
    from services import export as excel

    found = coverage(store, actor=actor, today=today, sort="name", page_size=None)
    rows = [
        (company.name, company.orgnr, company.missing)
        + tuple(LABELS[c.status] + (" (purret)" if c.reminded else "") for c in company.cells)
        for company in found.companies
    ]
    audit.viewed(store, actor=actor, action="coverage.export")
    return excel.workbook(
        "Oversikt", ("Bedrift", "Organisasjonsnummer", "Mangler", *(periods.short(p) for p in found.periods)), rows
    )
