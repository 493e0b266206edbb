"""The staff's worklist: open reconciliation items across every company and period,
filtered and paged in the database, with actions on many items at once.

An unknown person on a list whose fødselsnummer belongs to a member registered at
another company is likely a transfer: the item carries that company as a hint, and
the member can be moved here in one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services import audit, periods
from services.access import Actor
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput
from services.register import answers, members, reconcile, review
from services.register.engine import ANOMALY, FNR_TO_FIX, UNIDENTIFIED, UNKNOWN, UTRUKKET

KINDS = (UTRUKKET, UNKNOWN, ANOMALY, UNIDENTIFIED, FNR_TO_FIX)
OPEN, HANDLED, ALL = "open", "handled", "all"
PAGE_SIZE = 50


@dataclass(frozen=True)
class WorkItem:
    id: int
    company_id: int
    company_name: str
    period: date
    kind: str
    name: str | None
    birth_date: date | None
    member_no: str | None
    amount: object
    expected: object
    status: str | None
    comment: str | None
    created_at: datetime
    handled_at: datetime | None
    transfer_from: str | None
    transfer_member_id: int | None


@dataclass(frozen=True)
class WorkPage:
    items: list[WorkItem]
    total: int
    counts: dict[str, int]


def items_sql(condition: str, tail: str = "") -> str:
    """The items under `condition` (on `i`, the item, and `c`, its company), ordered and cut by
    `tail`, each with its likely transfer. The hint is looked up for those items alone: grouping
    every member with an open employment costs a union-scale run, and PostgreSQL, guessing one
    item where there are thousands, looped that grouping once per item."""
    return f"""
WITH chosen AS (
    SELECT i.id, i.company_id, c.name AS company_name, i.period, i.kind, i.name, i.birth_date, i.member_id,
           i.national_id, i.amount, i.expected, i.status, i.comment, i.created_at, i.handled_at
    FROM reconciliation_items i JOIN companies c ON c.id = i.company_id
    WHERE {condition}
    {tail}
), hints AS (
    SELECT m2.national_id, min(m2.id) AS member_id, min(c2.id) AS company_id, min(c2.name) AS company_name
    FROM members m2 JOIN employments e2 ON e2.member_id = m2.id AND e2.valid_to IS NULL
    JOIN companies c2 ON c2.id = e2.company_id
    WHERE m2.national_id IN (SELECT national_id FROM chosen WHERE kind = 'unknown')
    GROUP BY m2.national_id
)
SELECT i.id, i.company_id, i.company_name, i.period, i.kind, i.name, i.birth_date, m.member_no, i.amount,
       i.expected, i.status, i.comment, i.created_at, i.handled_at,
       t.company_name AS transfer_from, t.member_id AS transfer_member_id
FROM chosen i
LEFT JOIN members m ON m.id = i.member_id
LEFT JOIN hints t ON i.kind = 'unknown' AND t.national_id = i.national_id AND t.company_id <> i.company_id
ORDER BY i.period DESC, i.company_name, i.kind, i.name, i.id
"""


def search(
    store: Store,
    *,
    actor: Actor,
    company_id: int | None = None,
    period: date | None = None,
    kinds: Sequence[str] = (),
    status: str = OPEN,
    older_than_days: int | None = None,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> WorkPage:
    """Items across companies and periods, newest period first; counts per kind for the same filter."""
    actor.require_staff()
    where: list[str] = ["i.closed_at IS NULL"]
    params: list[object] = []
    if company_id is not None:
        where.append("i.company_id = ?")
        params.append(company_id)
    if period is not None:
        where.append("i.period = ?")
        params.append(periods.month_start(period))
    if status == OPEN:
        where.append("i.handled_at IS NULL")
    elif status == HANDLED:
        where.append("i.handled_at IS NOT NULL")
    if older_than_days:
        where.append("i.created_at <= ?")
        params.append((now or utcnow()) - timedelta(days=older_than_days))
    counts = dict(
        store.rows(
            f"SELECT i.kind, count(*) FROM reconciliation_items i WHERE {' AND '.join(where)} GROUP BY i.kind", params
        )
    )
    if kinds:
        wanted = [k for k in kinds if k in KINDS]
        where.append(f"i.kind IN ({', '.join('?' * len(wanted))})" if wanted else "FALSE")
        params.extend(wanted)
    condition = " AND ".join(where)
    total = store.value(f"SELECT count(*) FROM reconciliation_items i WHERE {condition}", params)
    rows = store.rows(
        items_sql(condition, "ORDER BY i.period DESC, c.name, i.kind, i.name, i.id LIMIT ? OFFSET ?"),
        [*params, page_size, page * page_size],
    )
    audit.viewed(
        store,
        actor=actor,
        action="worklist.view",
        company_id=company_id,
        target=f"periode {periods.short(period)}" if period else None,
    )
    return WorkPage([WorkItem(*r) for r in rows], total, {k: counts.get(k, 0) for k in KINDS})


def _require_some(item_ids: Sequence[int]) -> None:
    if not item_ids:
        raise InvalidInput("Velg minst én rad i listen først.")


def mark_handled(store: Store, *, actor: Actor, item_ids: Sequence[int]) -> int:
    actor.require_staff()
    _require_some(item_ids)
    return review.staff_update(
        store,
        actor=actor,
        item_ids=item_ids,
        action="reconciliation.handled",
        assignments="handled_at = ?, handled_by = ?",
        params=[utcnow(), actor.user_id],
    )


def reopen(store: Store, *, actor: Actor, item_ids: Sequence[int]) -> int:
    """Open again: the employer answers anew, and staff handle it again."""
    actor.require_staff()
    _require_some(item_ids)
    return review.staff_update(
        store, actor=actor, item_ids=item_ids, action="utrukne.reopen", params=[], assignments=review.REOPEN
    )


def end_employments(store: Store, *, actor: Actor, item_ids: Sequence[int]) -> int:
    """For utrukne the employer said have left: end the employment the day before their period."""
    actor.require_staff()
    chosen = store.rows(
        "SELECT member_id, company_id, period FROM reconciliation_items WHERE id IN (SELECT unnest(?::INTEGER[]))"
        " AND kind = 'utrukket' AND status = 'sluttet' AND member_id IS NOT NULL",
        [list(item_ids)],
    )
    if not chosen:
        raise InvalidInput("Velg utrukne som arbeidsgiveren har svart «Sluttet i bedrift» på.")
    ended = 0
    for member_id, company_id, period in chosen:
        members.end_employment(
            store, actor=actor, member_id=member_id, company_id=company_id, last_day=period - timedelta(days=1)
        )
        ended += 1
    return ended


def move_here(store: Store, *, actor: Actor, item_id: int) -> str:
    """The likely transfer of an unknown person: move the member to the company whose list they are on,
    from the first day of that period. Returns the company they came from."""
    actor.require_staff()
    found = store.row(items_sql("i.id = ?"), [item_id])
    if found is None:
        raise InvalidInput("Raden finnes ikke.")
    item = WorkItem(*found)
    if item.transfer_member_id is None or item.transfer_from is None:
        raise InvalidInput("Personen er ikke registrert som medlem i en annen bedrift.")
    old_company = store.value(
        "SELECT company_id FROM employments WHERE member_id = ? AND valid_to IS NULL", [item.transfer_member_id]
    )
    members.move(
        store, actor=actor, member_id=item.transfer_member_id, to_company_id=item.company_id, first_day=item.period
    )

    def again(tx: Tx) -> None:
        # Both companies' outcomes change: here the person is now a member, there no longer expected.
        for company_id in {item.company_id, old_company} - {None}:
            reconcile.reconcile(tx, company_id=company_id, period=item.period)

    store.transaction(again)
    return item.transfer_from


EXPORT_HEADERS = (
    "Bedrift",
    "Periode",
    "Type",
    "Navn",
    "Fødselsdato",
    "Medlemsnr",
    "Beløp",
    "Forventet",
    "Svar",
    "Kommentar",
    "Mulig overgang fra",
    "Behandlet",
)
KIND_LABELS = {
    UTRUKKET: "Utrukket",
    UNKNOWN: "Ukjent",
    ANOMALY: "Avvik",
    UNIDENTIFIED: "Uidentifisert",
    FNR_TO_FIX: "Fødselsnummer må rettes",
}


def export(store: Store, *, actor: Actor, **filters) -> bytes:
    """The worklist under the same filter, every page, as an Excel file."""
    from services import export as excel

    found = search(store, actor=actor, page=0, page_size=1_000_000, **filters)
    audit.viewed(store, actor=actor, action="worklist.export", company_id=filters.get("company_id"))
    return excel.workbook(
        "Arbeidsliste",
        EXPORT_HEADERS,
        [
            (
                i.company_name,
                periods.label(i.period),
                KIND_LABELS.get(i.kind, i.kind),
                i.name,
                i.birth_date,
                i.member_no,
                i.amount,
                i.expected,
                answers.STATUSES.get(i.status or "", ""),
                i.comment,
                i.transfer_from,
                "Ja" if i.handled_at else "",
            )
            for i in found.items
        ],
    )
