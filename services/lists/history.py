"""What a company sent in the last year, and the months it sent nothing: the employer's own view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services import localtime, periods
from services.access import Actor, require_company
from services.accounts.companies import start_period
from services.db import Store
from services.register import reconcile


@dataclass(frozen=True)
class HistoryEntry:
    submitted_at: datetime
    period: date
    file_count: int
    # Sent without rows the portal could read (a scanned PDF): the union keys it in by hand.
    manual: bool = False


def history(
    store: Store, *, actor: Actor, company_id: int, today: date | None = None
) -> tuple[list[HistoryEntry], list[date]]:
    """What the company sent in the last 12 months, newest first, and the periods of the last
    12 months nothing was sent for, from the company's start in the portal on. Never the files."""
    require_company(store, actor=actor, company_id=company_id)
    today = today or localtime.today()
    since = datetime.combine(periods.add_months(periods.month_start(today), -11), datetime.min.time())
    rows = store.rows(
        "SELECT s.submitted_at, s.period, count(f.id),"
        f" {reconcile.AWAITING_MANUAL}"
        " FROM submissions s LEFT JOIN stored_files f ON f.submission_id = s.id"
        " WHERE s.company_id = ? AND s.submitted_at >= ?"
        " GROUP BY s.id, s.submitted_at, s.period, s.manual_done_at, s.purged_at"
        " ORDER BY s.submitted_at DESC, s.id DESC",
        [company_id, since],
    )
    entries = [HistoryEntry(*r) for r in rows]
    last_twelve = [periods.add_months(periods.previous(today), -n) for n in range(12)]
    sent = {r[0] for r in store.rows("SELECT DISTINCT period FROM submissions WHERE company_id = ?", [company_id])}
    start = start_period(store, company_id=company_id)
    missing = [p for p in last_twelve if p not in sent and p >= start]
    return entries, missing
