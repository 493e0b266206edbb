"""Staff review of reconciliation: the items of a company and period, handled or sent back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services import audit, periods
from services.access import Actor
from services.db import Store, Tx, utcnow
from services.errors import NotFound
from services.register import reconcile
from services.register.engine import ANOMALY, FNR_TO_FIX, UNIDENTIFIED, UNKNOWN, UTRUKKET

REOPEN = "status = NULL, comment = NULL, answered_by = NULL, answered_at = NULL, handled_at = NULL, handled_by = NULL"


def staff_update(
    store: Store, *, actor: Actor, item_ids: Sequence[int], assignments: str, params: list, action: str
) -> int:
    """Set `assignments` on the given items in one transaction, each change audited. Returns how many."""
    actor.require_staff()
    now = utcnow()

    def work(tx: Tx) -> int:
        changed = tx.rows(
            f"UPDATE reconciliation_items SET {assignments} WHERE id IN (SELECT unnest(?::INTEGER[]))"
            " RETURNING id, company_id",
            [*params, list(item_ids)],
        )
        for item_id, company_id in changed:
            audit.record(tx, actor=actor, action=action, company_id=company_id, target=str(item_id), at=now)
        return len(changed)

    return store.transaction(work)


def _one(changed: int) -> None:
    if not changed:
        raise NotFound("Finnes ikke.")


def reopen(store: Store, *, actor: Actor, item_id: int) -> None:
    """Staff send an answered utrukket back to the employer."""
    _one(staff_update(store, actor=actor, item_ids=[item_id], action="utrukne.reopen", params=[], assignments=REOPEN))


def mark_handled(store: Store, *, actor: Actor, item_id: int) -> None:
    _one(
        staff_update(
            store,
            actor=actor,
            item_ids=[item_id],
            action="reconciliation.handled",
            assignments="handled_at = ?, handled_by = ?",
            params=[utcnow(), actor.user_id],
        )
    )


@dataclass(frozen=True)
class ReportItem:
    id: int
    kind: str
    member_no: str | None
    national_id: str | None
    birth_date: date | None
    name: str | None
    amount: Decimal | None
    expected: Decimal | None
    status: str | None
    comment: str | None
    handled_at: datetime | None
    member_id: int | None


@dataclass(frozen=True)
class Correction:
    """A row of another month's list that counts for this period."""

    national_id: str | None
    name: str | None
    amount: Decimal | None
    list_period: date


@dataclass(frozen=True)
class Report:
    """A company's open items for one period, by kind, with what else decides them."""

    utrukne: list[ReportItem]
    unknown: list[ReportItem]
    anomalies: list[ReportItem]
    unidentified: list[ReportItem]
    fnr_to_fix: list[ReportItem]
    # Lists of the period waiting for manual handling, and rows of other lists counted here.
    manual: list[reconcile.ManualList] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)


def report(store: Store, *, actor: Actor, company_id: int, period: date) -> Report:
    """The outcome for staff and the CLI: open utrukne, unknown persons, anomalies and rows to fix."""
    actor.require_staff()
    items = [
        ReportItem(*r)
        for r in store.rows(
            "SELECT i.id, i.kind, m.member_no, i.national_id, i.birth_date, i.name, i.amount, i.expected, i.status,"
            " i.comment, i.handled_at, i.member_id FROM reconciliation_items i"
            " LEFT JOIN members m ON m.id = i.member_id"
            " WHERE i.company_id = ? AND i.period = ? AND i.closed_at IS NULL ORDER BY i.kind, i.name",
            [company_id, period],
        )
    ]
    audit.viewed(
        store,
        actor=actor,
        action="reconciliation.view",
        company_id=company_id,
        target=f"periode {periods.short(period)}",
    )

    def of(kind: str) -> list[ReportItem]:
        return [i for i in items if i.kind == kind]

    corrections = [
        Correction(*r)
        for r in store.rows(
            "SELECT r.national_id, r.name, r.amount, s.period FROM submission_rows r"
            " JOIN submissions s ON s.id = r.submission_id WHERE s.company_id = ? AND r.period = ?"
            " ORDER BY s.period, r.name",
            [company_id, period],
        )
    ]
    return Report(
        manual=reconcile.awaiting_manual(store, actor=actor, company_id=company_id, period=period),
        corrections=corrections,
        utrukne=of(UTRUKKET),
        unknown=of(UNKNOWN),
        anomalies=of(ANOMALY),
        unidentified=of(UNIDENTIFIED),
        fnr_to_fix=of(FNR_TO_FIX),
    )


def as_json(report_: Report) -> dict:
    """The report as the CLI's `reconciliation --json` prints it."""

    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    def kr(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {
        "utrukne": [
            {"member_no": i.member_no, "birth_date": day(i.birth_date), "name": i.name} for i in report_.utrukne
        ],
        "unknown": [
            {
                "national_id": i.national_id,
                "birth_date": day(i.birth_date),
                "name": i.name,
                "amount": kr(i.amount),
            }
            for i in report_.unknown
        ],
        "fnr_to_fix": [
            {"member_no": i.member_no, "national_id_on_list": i.national_id, "name": i.name} for i in report_.fnr_to_fix
        ],
        "uidentifisert": [{"name": i.name, "amount": kr(i.amount)} for i in report_.unidentified],
        "anomalies": [
            {"member_no": i.member_no, "amount": kr(i.amount), "expected": kr(i.expected)} for i in report_.anomalies
        ],
        "manual": [
            {"submission_id": m.submission_id, "submitted_at": m.submitted_at.isoformat()} for m in report_.manual
        ],
        "corrections": [
            {
                "national_id": c.national_id,
                "name": c.name,
                "amount": kr(c.amount),
                "list_period": c.list_period.strftime("%Y-%m"),
            }
            for c in report_.corrections
        ],
    }
