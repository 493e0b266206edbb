"""The union's side of the lists: everything that came in, the originals, who has not sent,
and the lists that came without readable rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from services import audit, filestore, mail, periods
from services.accounts.access import Actor
from services.accounts.companies import get as get_company
from services.db import Store, Tx, utcnow
from services.errors import AccessDenied, InvalidInput
from services.register import reconcile


def mark_manual_handled(store: Store, *, actor: Actor, submission_id: int, now: datetime | None = None) -> int:
    """Staff have handled a list that came without readable rows: the period is reconciled
    again without waiting for it. Returns the new utrukne."""
    actor.require_staff()
    now = now or utcnow()
    found = store.row("SELECT company_id, period, manual_done_at FROM submissions WHERE id = ?", [submission_id])
    if found is None:
        raise InvalidInput("Innsendingen finnes ikke.")
    company_id, period, done = found
    if done is not None:
        raise InvalidInput("Listen er allerede merket som behandlet.")
    company = get_company(store, actor=actor, company_id=company_id)
    outbox: list[int] = []

    def work(tx: Tx) -> int:
        tx.execute(
            "UPDATE submissions SET manual_done_at = ?, manual_done_by = ? WHERE id = ?",
            [now, actor.user_id, submission_id],
        )
        outcome = reconcile.reconcile(tx, company_id=company_id, period=period, now=now)
        if outcome.new_utrukne:
            outbox.extend(reconcile.notify_new_utrukne(tx, company_id=company_id, company_name=company.name))
        audit.record(
            tx, actor=actor, action="submission.manual_done", company_id=company_id, target=str(submission_id), at=now
        )
        return outcome.new_utrukne

    new = store.transaction(work)
    mail.dispatch(store, outbox_ids=outbox)
    return new


def stored_file_path(store: Store, *, actor: Actor, file_id: int) -> tuple[str, Path]:
    """An original file, for union staff only: employers cannot download what they sent."""
    if not actor.is_staff:
        raise AccessDenied("Det er ikke mulig å laste ned filene som tidligere er sendt forbundet.")
    found = None
    if store.value("SELECT submission_id FROM stored_files WHERE id = ?", [file_id]) is not None:
        found = filestore.path_of(store, file_id=file_id)
    if found is None:
        raise InvalidInput("Filen finnes ikke.")
    return found


@dataclass(frozen=True)
class Incoming:
    """A list as it came in, with its files as (file id, original name)."""

    id: int
    submitted_at: datetime
    company: str
    orgnr: str
    period: date
    contact_email: str
    remark: str | None
    submitted_by: str
    person_count: int
    total: Decimal
    files: list[tuple[int, str]]


def incoming(store: Store, *, actor: Actor, company_id: int | None = None, limit: int = 200) -> list[Incoming]:
    """Every list that came in, newest first, for the union's staff."""
    actor.require_staff()
    audit.viewed(store, actor=actor, action="incoming.view", company_id=company_id)
    where, params = ("WHERE s.company_id = ?", [company_id]) if company_id else ("", [])
    rows = store.rows(
        "SELECT s.id, s.submitted_at, c.name, c.orgnr, s.period, s.contact_email, s.remark,"
        " coalesce(u.email, 'forbundet'), s.person_count, s.total"
        " FROM submissions s JOIN companies c ON c.id = s.company_id LEFT JOIN users u ON u.id = s.submitted_by"
        f" {where} ORDER BY s.submitted_at DESC, s.id DESC LIMIT ?",
        params + [limit],
    )
    files = store.rows(
        "SELECT submission_id, id, original_name FROM stored_files WHERE submission_id IN"
        " (SELECT unnest(?::INTEGER[])) ORDER BY id",
        [[r[0] for r in rows]],
    )
    by_list: dict[int, list[tuple[int, str]]] = {}
    for submission_id, file_id, name in files:
        by_list.setdefault(submission_id, []).append((file_id, name))
    return [
        Incoming(
            id=r[0],
            submitted_at=r[1],
            company=r[2],
            orgnr=r[3],
            period=r[4],
            contact_email=r[5],
            remark=r[6],
            submitted_by=r[7],
            person_count=r[8],
            total=r[9],
            files=by_list.get(r[0], []),
        )
        for r in rows
    ]


def original(store: Store, *, actor: Actor, file_id: int) -> tuple[str, bytes]:
    """An original file's bytes for staff; every fetch is audited."""
    name, path = stored_file_path(store, actor=actor, file_id=file_id)
    data = path.read_bytes()
    store.transaction(lambda tx: audit.record(tx, actor=actor, action="submission.file.download", target=str(file_id)))
    return name, data


@dataclass(frozen=True)
class NotSent:
    company_id: int
    name: str
    orgnr: str
    last_period: date | None


def not_sent(store: Store, *, actor: Actor, period: date) -> list[NotSent]:
    """Companies with no list for the period: who the union should remind."""
    actor.require_staff()
    return [
        NotSent(*r)
        for r in store.rows(
            "SELECT c.id, c.name, c.orgnr, (SELECT max(period) FROM submissions s2 WHERE s2.company_id = c.id)"
            " FROM companies c"
            " WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.company_id = c.id AND s.period = ?)"
            " ORDER BY c.name",
            [period],
        )
    ]


def export_period(store: Store, *, actor: Actor, period: date) -> bytes:
    """Every list sent for a period, one row each, as an Excel file for the union's staff."""
    from services import export as excel
    from services.localtime import oslo

    actor.require_staff()
    rows = store.rows(
        "SELECT c.name, c.orgnr, s.submitted_at, coalesce(u.email, 'forbundet'), s.contact_email, s.person_count,"
        " s.total, s.remark, (SELECT string_agg(f.original_name, ', ' ORDER BY f.id) FROM stored_files f"
        "  WHERE f.submission_id = s.id)"
        " FROM submissions s JOIN companies c ON c.id = s.company_id LEFT JOIN users u ON u.id = s.submitted_by"
        " WHERE s.period = ? ORDER BY c.name, s.submitted_at",
        [periods.month_start(period)],
    )
    audit.viewed(store, actor=actor, action="incoming.export", target=f"periode {periods.short(period)}")
    return excel.workbook(
        f"Innsendt {periods.short(period)}",
        (
            "Bedrift",
            "Organisasjonsnummer",
            "Innsendt",
            "Sendt av",
            "Kontakt",
            "Personer",
            "Sum trekk",
            "Merknad",
            "Filer",
        ),
        [
            (name, orgnr, oslo(at).replace(tzinfo=None), by, contact, count, total, remark, files)
            for name, orgnr, at, by, contact, count, total, remark, files in rows
        ],
    )
