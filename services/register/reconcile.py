"""Comparing a period's lists with the member register.

For company C and period P, every person on P's lists is matched with the
members registered at C during P: by national id, or, where a list has only
birth dates, by birth date and name (order, case and accents ignored). A
birth date shared by two members is matched by name, never guessed.

  utrukket: a member registered at C in P who is on none of P's lists
            (unless deducted in P by another company they also worked for then);
  unknown:  a person on the lists who is no registered member at C in P;
  anomaly:  an amount off the member's expected dues by more than the tolerance.

The outcome is recomputed whole and written as a difference, so sending the
same list twice changes nothing and a correction closes what it fixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services import audit, mail, periods, settings_store
from services.access import Actor
from services.accounts import users
from services.db import Store, Tx, utcnow
from services.reading import identity
from services.register import engine
from services.register.engine import ANOMALY, FNR_TO_FIX, UNIDENTIFIED, UNKNOWN, UTRUKKET

NEW_UTRUKNE_SUBJECT = "Utrukne medlemmer i trekklisteportalen"


@dataclass
class Outcome:
    utrukne: int = 0
    unknown: int = 0
    anomalies: int = 0
    new_utrukne: int = 0
    closed: int = 0
    unidentified: int = 0
    fnr_to_fix: int = 0
    # Rows on this list that count for another month: refunds (negative rows) and rows whose
    # period column names another month; and those months.
    corrections: int = 0
    corrected_periods: list[date] = field(default_factory=list)


# A period's persons: each person's rows on the latest list of the period that names them (a
# list sent again replaces the earlier one), plus the company's rows on any list that count for
# this period (a negative row refunding it, a row whose period column names it): corrections,
# never summed into the month they arrived in.
PERSONS_SQL = """
WITH rows AS (
    SELECT r.person_key, r.national_id, r.birth_date, r.name, r.name_key, r.amount, r.basis, s.id AS sid
    FROM submission_rows r JOIN submissions s ON s.id = r.submission_id
    WHERE s.company_id = ? AND s.period = ? AND r.period IS NULL AND r.submission_id BETWEEN ? AND ?
), own AS (
    -- The newest list naming each person, by a window rather than a join back to a grouped copy:
    -- PostgreSQL guesses one row for a CTE and would loop the join over every pair of rows.
    SELECT person_key, national_id, birth_date, name, name_key, amount, basis, sid FROM (
        SELECT rows.*, max(sid) OVER (PARTITION BY person_key) AS newest FROM rows
    ) ranked WHERE sid = newest
), corrections AS (
    SELECT r.person_key, r.national_id, r.birth_date, r.name, r.name_key, r.amount,
           CAST(NULL AS DECIMAL(14, 2)) AS basis, s.id AS sid
    FROM submission_rows r JOIN submissions s ON s.id = r.submission_id
    WHERE s.company_id = ? AND r.period = ?
), combined AS (
    SELECT * FROM own UNION ALL SELECT * FROM corrections
)
SELECT person_key, min(national_id), min(birth_date), min(name), min(name_key),
       sum(amount), sum(basis), max(sid)
FROM combined GROUP BY person_key
"""

# The other companies whose outcome for the period depends on a list: those that employed, in the
# period, a member named on it, and have sent a list of their own (one with none has no outcome yet).
DEPENDENTS_SQL = f"""
WITH listed AS (
    SELECT national_id, birth_date, name_key FROM submission_rows WHERE submission_id = ?
), named AS (
    -- Two equality joins, not one join on an OR: each can use a hash join.
    SELECT m.id FROM members m JOIN listed r ON {identity.ROW_OF_MEMBER_BY_NATIONAL_ID}
    UNION
    SELECT m.id FROM members m JOIN listed r ON {identity.ROW_OF_MEMBER_BY_BIRTH_AND_NAME}
)
SELECT DISTINCT e.company_id FROM named
JOIN employments e ON e.member_id = named.id AND e.company_id <> ? AND e.valid_from <= ?
                  AND (e.valid_to IS NULL OR e.valid_to >= ?)
WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.company_id = e.company_id AND s.period = ?)
ORDER BY e.company_id
"""


@dataclass(frozen=True)
class ManualList:
    """A list sent without rows the portal could read, waiting for staff."""

    submission_id: int
    company_id: int
    company_name: str
    period: date
    submitted_at: datetime


# A list waiting for staff: sent without rows the portal could read, not handled yet, not purged.
AWAITING_MANUAL = (
    "s.manual_done_at IS NULL AND s.purged_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM submission_rows r WHERE r.submission_id = s.id)"
)


def awaiting_manual(
    store: Store, *, actor: Actor, company_id: int | None = None, period: date | None = None
) -> list[ManualList]:
    actor.require_staff()
    return [
        ManualList(*r)
        for r in store.rows(
            "SELECT s.id, s.company_id, c.name, s.period, s.submitted_at FROM submissions s"
            " JOIN companies c ON c.id = s.company_id"
            f" WHERE {AWAITING_MANUAL}"
            " AND (CAST(? AS INTEGER) IS NULL OR s.company_id = ?) AND (CAST(? AS DATE) IS NULL OR s.period = ?)"
            " ORDER BY s.period DESC, c.name",
            [company_id, company_id, period, period],
        )
    ]


def reconcile_dependents(
    tx: Tx, *, submission_id: int, company_id: int, period: date, now: datetime | None = None
) -> dict[int, Outcome]:
    """Reconcile again every other company whose outcome this list changes, in the same
    transaction: the result for a company and period never depends on which list came first."""
    found = tx.rows(DEPENDENTS_SQL, [submission_id, company_id, periods.month_end(period), period, period])
    return {other: reconcile(tx, company_id=other, period=period, now=now) for (other,) in found}


def _id_range(ids: list[int]) -> tuple[int, int]:
    # The lists' ids as a range: a constant bound lets the engine skip the row groups of every
    # other list, where a join alone would read the rows of every list ever sent.
    return (min(ids), max(ids)) if ids else (0, -1)


def _own_lists(store: Store, company_id: int, period: date) -> list[int]:
    return [
        r[0] for r in store.rows("SELECT id FROM submissions WHERE company_id = ? AND period = ?", [company_id, period])
    ]


def persons_of(store: Store, company_id: int, period: date, own_lists: list[int] | None = None) -> list[tuple]:
    own = _own_lists(store, company_id, period) if own_lists is None else own_lists
    return store.rows(PERSONS_SQL, [company_id, period, *_id_range(own), company_id, period])


AWAITING_MANUAL_SQL = """
SELECT count(*) FROM submissions s
WHERE s.company_id = ? AND s.period = ? AND s.manual_done_at IS NULL AND s.purged_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM submission_rows r WHERE r.submission_id = s.id AND r.submission_id BETWEEN ? AND ?)
"""

# Members employed at the company some day of the period, while still members of the union.
MEMBERS_SQL = """
SELECT DISTINCT m.id, m.member_no, m.national_id, m.birth_date, m.name, m.name_key, m.rate_class
FROM members m JOIN employments e ON e.member_id = m.id
WHERE e.company_id = ? AND e.valid_from <= ? AND (e.valid_to IS NULL OR e.valid_to >= ?)
  AND (m.member_to IS NULL OR m.member_to >= ?) AND (m.member_from IS NULL OR m.member_from <= ?)
"""

# Of the company's members working elsewhere too, those whose employment here covers the whole
# period: a job here for the whole month is owed its own deduction, whatever another job deducts
# (two jobs at once); for the others (a move in or out) the other employer's deduction stands.
WHOLE_PERIOD_HERE_SQL = """
SELECT DISTINCT member_id FROM employments
WHERE company_id = ? AND member_id IN (SELECT unnest(?::INTEGER[]))
  AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)
"""


# What other companies deducted from the company's members in the period, by the latest list of
# each that names them (a list sent again replaces the earlier): for the monthly cap across employers,
# and for who was deducted elsewhere at all.
_OTHER_ROWS = """
    SELECT m.id AS member_id, s.company_id, r.submission_id, r.amount FROM members m
    JOIN employments e ON e.member_id = m.id AND e.company_id <> ? AND e.valid_from <= ?
         AND (e.valid_to IS NULL OR e.valid_to >= ?)
    JOIN submissions s ON s.company_id = e.company_id AND s.period = ?
    JOIN submission_rows r ON r.submission_id = s.id AND r.period IS NULL AND {matches}
    WHERE m.id IN (SELECT unnest(?::INTEGER[]))
"""
OTHER_DEDUCTIONS_SQL = f"""
WITH found AS (
    {_OTHER_ROWS.format(matches=identity.ROW_OF_MEMBER_BY_NATIONAL_ID)}
    UNION ALL
    {_OTHER_ROWS.format(matches=identity.ROW_OF_MEMBER_BY_BIRTH_AND_NAME)}
), latest AS (
    SELECT member_id, company_id, max(submission_id) AS submission_id FROM found GROUP BY member_id, company_id
)
SELECT f.member_id, f.submission_id, sum(f.amount) FROM found f
JOIN latest l ON l.member_id = f.member_id AND l.company_id = f.company_id AND l.submission_id = f.submission_id
GROUP BY f.member_id, f.submission_id
"""


def reconcile(
    tx: Tx,
    *,
    company_id: int,
    period: date,
    now: datetime | None = None,
    rates: engine.Rates | None = None,
    tolerance: Decimal | None = None,
) -> Outcome:
    """Recompute the outcome for the company and period inside the caller's transaction. `rates` and
    `tolerance` are read from the store unless given (a whole period passes them once)."""
    now = now or utcnow()
    last = periods.month_end(period)
    own_lists = _own_lists(tx, company_id, period)
    persons = [engine.ListedPerson(*r) for r in persons_of(tx, company_id, period, own_lists)]
    members = [engine.RegisteredMember(*r) for r in tx.rows(MEMBERS_SQL, [company_id, last, period, period, last])]
    # Most members work for one company: only those with an employment elsewhere in the period
    # can have been deducted there.
    working_elsewhere = (
        tx.rows(
            "SELECT DISTINCT member_id FROM employments WHERE member_id IN (SELECT unnest(?::INTEGER[]))"
            " AND company_id <> ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)",
            [[m.id for m in members], company_id, last, period],
        )
        if members
        else []
    )
    others = [r[0] for r in working_elsewhere]
    other_deductions = (
        [
            engine.OtherDeduction(*r)
            for r in tx.rows(OTHER_DEDUCTIONS_SQL, [company_id, last, period, period, others] * 2)
        ]
        if others
        else []
    )
    # Deducted elsewhere: named on another employer's list of the period, and not here all month.
    named_elsewhere = {d.member_id for d in other_deductions}
    elsewhere = (
        named_elsewhere
        - {r[0] for r in tx.rows(WHOLE_PERIOD_HERE_SQL, [company_id, sorted(named_elsewhere), period, last])}
        if named_elsewhere
        else set()
    )
    awaiting_manual = bool(own_lists) and bool(
        tx.value(AWAITING_MANUAL_SQL, [company_id, period, *_id_range(own_lists)])
    )
    wanted = engine.outcome(
        persons=persons,
        members=members,
        deducted_elsewhere=elsewhere,
        other_deductions=other_deductions,
        rates=settings_store.rates_in_force(tx, period) if rates is None else rates,
        tolerance=settings_store.numeric(tx, "anomaly_tolerance_kr") if tolerance is None else tolerance,
        awaiting_manual_list=awaiting_manual,
    )
    existing = {
        (r[1], r[2]): engine.Stored(r[0], r[3])
        for r in tx.rows(
            "SELECT id, kind, item_key, closed_at FROM reconciliation_items WHERE company_id = ? AND period = ?",
            [company_id, period],
        )
    }
    change = engine.difference(wanted, existing)
    inserts = [
        dict(
            company_id=company_id,
            period=period,
            kind=i.kind,
            item_key=i.key,
            member_id=i.member_id,
            national_id=i.national_id,
            birth_date=i.birth_date,
            name=i.name,
            amount=i.amount,
            expected=i.expected,
            created_at=now,
        )
        for i in change.inserts
    ]
    updates = [dict(id=item_id, amount=i.amount, expected=i.expected) for item_id, i in change.updates]
    _write(tx, inserts, updates, change.closing, now)
    kinds = [kind for kind, _ in wanted]
    return Outcome(
        utrukne=kinds.count(UTRUKKET),
        unknown=kinds.count(UNKNOWN),
        anomalies=kinds.count(ANOMALY),
        new_utrukne=change.new_utrukne,
        closed=len(change.closing),
        unidentified=kinds.count(UNIDENTIFIED),
        fnr_to_fix=kinds.count(FNR_TO_FIX),
    )


ITEM_COLUMNS = [
    "company_id",
    "period",
    "kind",
    "item_key",
    "member_id",
    "national_id",
    "birth_date",
    "name",
    "amount",
    "expected",
    "created_at",
]


def _write(tx: Tx, inserts: list[dict], updates: list[dict], closing: list[int], now: datetime) -> None:
    """Apply the difference in a few set-based statements, not one per item."""
    tx.bulk_insert("reconciliation_items", ITEM_COLUMNS, [[item[c] for c in ITEM_COLUMNS] for item in inserts])
    if updates:
        rows = [(u["id"], u["amount"], u["expected"]) for u in updates]
        with tx.staged(("id", "amount", "expected"), rows, types={"amount": "amount", "expected": "amount"}) as changed:
            tx.execute(
                "UPDATE reconciliation_items SET amount = c.amount, expected = c.expected, closed_at = NULL"
                f" FROM {changed} c WHERE reconciliation_items.id = c.id"
            )
    if closing:
        tx.execute(
            "UPDATE reconciliation_items SET closed_at = ? WHERE id IN (SELECT unnest(?::INTEGER[]))", [now, closing]
        )


def notify_new_utrukne(tx: Tx, *, company_id: int, company_name: str) -> list[int]:
    """One mail to each of the company's users; no names, only where to look."""
    body = (
        f"Det er registrert utrukne medlemmer for {company_name} i trekklisteportalen: medlemmer forbundet har "
        "registrert hos dere, men som ikke står på trekklisten.\n\n"
        f"Gi status for hvert medlem under «Utrukne»: {tx.settings.base_url}\n"
    )
    return [
        mail.enqueue(tx, kind="utrukne.new", to=email, subject=NEW_UTRUKNE_SUBJECT, body=body)
        for email in users.employer_emails(tx, company_id=company_id)
    ]


@dataclass(frozen=True)
class PeriodRun:
    companies: int
    new_utrukne: int


def reconcile_period(store: Store, *, actor: Actor, period: date, batch: int = 200) -> PeriodRun:
    """Reconcile a period again for every company that has sent a list for it: after a register
    import or a rate change. Many companies to a transaction (a commit each would cost more than the
    work); each company with new utrukne gets the usual mail."""
    actor.require_staff()
    period = periods.month_start(period)
    ids = [
        r[0] for r in store.rows("SELECT DISTINCT company_id FROM submissions WHERE period = ? ORDER BY 1", [period])
    ]
    new_utrukne = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        outbox: list[int] = []

        def work(tx: Tx, chunk: list[int] = chunk, outbox: list[int] = outbox) -> int:
            outbox.clear()
            new = 0
            rates = settings_store.rates_in_force(tx, period)
            tolerance = settings_store.numeric(tx, "anomaly_tolerance_kr")
            for company_id in chunk:
                outcome = reconcile(tx, company_id=company_id, period=period, rates=rates, tolerance=tolerance)
                if outcome.new_utrukne:
                    new += outcome.new_utrukne
                    name = tx.one("SELECT name FROM companies WHERE id = ?", [company_id])[0]
                    outbox.extend(notify_new_utrukne(tx, company_id=company_id, company_name=name))
            return new

        new_utrukne += store.transaction(work)
        mail.dispatch(store, outbox_ids=outbox)
    store.transaction(
        lambda tx: audit.record(
            tx,
            actor=actor,
            action="reconciliation.period",
            target=f"periode {periods.short(period)}",
            detail=f"{len(ids)} bedrifter, {new_utrukne} nye utrukne",
        )
    )
    return PeriodRun(companies=len(ids), new_utrukne=new_utrukne)


def after_list(
    tx: Tx, *, submission_id: int, company_id: int, period: date, corrected: dict[date, int], now: datetime
) -> tuple[Outcome, list[int]]:
    """Everything a list's rows change, in the caller's transaction: its company's period, the
    months its correction rows count for (`corrected`: month -> rows), and every other company whose
    members it names. Returns the outcome here and the mails already queued to those other companies."""
    outcome = reconcile(tx, company_id=company_id, period=period, now=now)
    for month in sorted(corrected):
        outcome.new_utrukne += reconcile(tx, company_id=company_id, period=month, now=now).new_utrukne
    outcome.corrections = sum(corrected.values())
    outcome.corrected_periods = sorted(corrected)
    others: list[int] = []
    for other, changed in reconcile_dependents(
        tx, submission_id=submission_id, company_id=company_id, period=period, now=now
    ).items():
        if changed.new_utrukne:
            name = tx.one("SELECT name FROM companies WHERE id = ?", [other])[0]
            others.extend(notify_new_utrukne(tx, company_id=other, company_name=name))
    return outcome, others
