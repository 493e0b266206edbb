"""Sending a deduction list: validate everything, then store it all in one go, or nothing.

The original files go through `services.filestore`, so no file is ever on
disk without the store knowing it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from services import audit, filestore, mail, periods
from services.accounts import users
from services.accounts.access import Actor, require_company
from services.accounts.companies import get as get_company
from services.accounts.users import normalise_email
from services.db import Store, Tx, utcnow
from services.errors import AccessDenied, InvalidInput
from services.lists.identity import name_key
from services.lists.parsing import MAX_FILE_BYTES, ParseResult, parse_bytes
from services.money import kr
from services.register import reconcile
from services.text import one_line

MAX_FILES = 10
ACCEPTED_KINDS = ("xlsx", "xls", "ods", "csv", "txt", "pdf")
REMARK_WITHOUT_FILE = (
    "Merknadsfeltet er knyttet til perioden filene sendes inn for. Legg til minst én fil for å sende inn en merknad."
)


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Receipt:
    submission_id: int
    period: date
    file_names: list[str]
    persons: int
    total: Decimal
    notes: list[str]
    outcome: reconcile.Outcome
    receipt_mail_id: int | None = None
    # Where the receipt went: the contact address when it is one of the company's users, else the sender.
    receipt_to: str | None = None


def check_uploads(uploads: list[Upload]) -> list[ParseResult]:
    """Read every file; refuse the whole lot if any cannot be sent."""
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"Du kan sende høyst {MAX_FILES} filer om gangen.")
    results = []
    problems = []
    for upload in uploads:
        if len(upload.data) > MAX_FILE_BYTES:
            problems.append(f"{upload.name}: filen er større enn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
            continue
        result = parse_bytes(upload.data, upload.name)
        if not result.ok:
            problems.append(f"{upload.name}: {result.error}")
        results.append(result)
    if problems:
        raise InvalidInput("Listen kan ikke sendes inn:\n\n" + "\n\n".join(f"- {p}" for p in problems))
    return results


ROW_COLUMNS = (
    "submission_id",
    "file_id",
    "line",
    "national_id",
    "birth_date",
    "name",
    "employee_no",
    "basis",
    "amount",
    "name_key",
    "person_key",
)


def _insert_rows(tx: Tx, submission_id: int, file_id: int, result: ParseResult) -> None:
    tx.bulk_insert(
        "submission_rows",
        ROW_COLUMNS,
        [
            (
                submission_id,
                file_id,
                r.line,
                r.national_id,
                r.birth_date,
                r.name,
                r.employee_no,
                r.basis,
                r.amount,
                name_key(r.name or ""),
                r.person_key(),
            )
            for r in result.rows
        ],
    )


def _receipt_mail(company_name: str, orgnr: str, receipt: Receipt, base_url: str) -> tuple[str, str]:
    subject = f"Kvittering for trekkliste {periods.label(receipt.period).lower()} – {company_name}"
    files = "\n".join(f"  - {name}" for name in receipt.file_names)
    body = (
        "Forbundet har mottatt trekklisten.\n\n"
        f"Bedrift: {company_name} ({orgnr})\n"
        f"Periode: {periods.label(receipt.period)}\n"
        f"Filer:\n{files}\n"
        f"Personer på listen: {receipt.persons}\n"
        f"Sum trekk: {kr(receipt.total)}\n\n"
        + (
            "Listen hadde ingen rader portalen kunne lese, og er tatt imot til manuell behandling hos forbundet.\n\n"
            if receipt.persons == 0
            else ""
        )
        + f"Du finner innsendingen under «Innsendte lister det siste året» i trekklisteportalen: {base_url}\n"
    )
    return subject, body


@dataclass(frozen=True)
class EarlierCopy:
    """A file already sent by the company for another period."""

    file_name: str
    period: date


def earlier_copies(
    store: Store, *, actor: Actor, company_id: int, period: date, uploads: list[Upload]
) -> list[EarlierCopy]:
    """Files whose content the company already sent for another period (last month's file sent again)."""
    require_company(store, actor=actor, company_id=company_id)
    hashes = {hashlib.sha256(u.data).hexdigest(): u.name for u in uploads}
    if not hashes:
        return []
    rows = store.rows(
        "SELECT DISTINCT f.sha256, s.period FROM stored_files f JOIN submissions s ON s.id = f.submission_id"
        " WHERE s.company_id = ? AND s.period <> ? AND f.sha256 IN (SELECT unnest(?::VARCHAR[]))"
        " ORDER BY s.period DESC",
        [company_id, periods.month_start(period), list(hashes)],
    )
    return [EarlierCopy(hashes[sha], sent_for) for sha, sent_for in rows]


class SameFileOtherPeriod(InvalidInput):
    """The same file was sent for another period; sending it again needs the user's word."""


def submit(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    period: date,
    contact_email: str,
    remark: str = "",
    uploads: list[Upload],
    today: date | None = None,
    now: datetime | None = None,
    confirm_earlier_copies: bool = False,
) -> Receipt:
    """Store a deduction list for the company and period, and mail a receipt to the contact address."""
    now = now or utcnow()
    today = today or now.date()
    require_company(store, actor=actor, company_id=company_id)
    company = get_company(store, actor=actor, company_id=company_id)
    period = periods.check(period, today=today)
    contact = normalise_email(contact_email)
    remark = (remark or "").strip()
    if not uploads:
        raise InvalidInput(REMARK_WITHOUT_FILE if remark else "Legg til minst én fil med trekklisten.")
    # A file name is one line of plain text wherever it goes: a newline in it could forge lines in a mail.
    uploads = [Upload(one_line(Path(u.name).name) or "uten navn", u.data) for u in uploads]
    results = check_uploads(uploads)
    copies = earlier_copies(store, actor=actor, company_id=company_id, period=period, uploads=uploads)
    if copies and not confirm_earlier_copies:
        raise SameFileOtherPeriod(
            " ".join(f"«{c.file_name}» ble sendt inn for {periods.label(c.period).lower()} også." for c in copies)
            + " Kryss av for at det er riktig fil for denne perioden, og send igjen."
        )
    receipt_to = _receipt_address(store, company_id=company_id, contact=contact, actor=actor)

    persons = len({r.person_key() for result in results for r in result.rows})
    total = sum((result.total for result in results), Decimal("0.00"))
    reserved = filestore.reserve(
        store,
        now=now,
        files=[
            (u.name, u.data, {"kind": r.kind, "row_count": len(r.rows), "total": r.total, "note": r.note})
            for u, r in zip(uploads, results, strict=True)
        ],
    )
    outbox: dict = {}
    try:
        filestore.write(store, reserved)

        def create(tx: Tx) -> Receipt:
            outbox["others"] = []  # this attempt's mails only: a retried transaction starts again
            submission_id = tx.value(
                "INSERT INTO submissions (company_id, period, contact_email, remark, submitted_by, submitted_at,"
                " person_count, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [company_id, period, contact, remark or None, actor.user_id, now, persons, total],
            )
            for file, result in zip(reserved, results, strict=True):
                filestore.claim(tx, file, submission_id=submission_id)
                _insert_rows(tx, submission_id, file.id, result)
            outcome = reconcile.reconcile(tx, company_id=company_id, period=period, now=now)
            corrections = sum(1 for result in results for r in result.rows if r.amount is not None and r.amount < 0)
            if corrections:
                # Negative rows refund the month before: its outcome changes with them.
                earlier = reconcile.reconcile(tx, company_id=company_id, period=periods.add_months(period, -1), now=now)
                outcome.new_utrukne += earlier.new_utrukne
            outcome.corrections = corrections
            for other, changed in reconcile.reconcile_dependents(
                tx, submission_id=submission_id, company_id=company_id, period=period, now=now
            ).items():
                if changed.new_utrukne:
                    other_company = tx.one("SELECT name FROM companies WHERE id = ?", [other])[0]
                    outbox["others"].extend(
                        reconcile.notify_new_utrukne(tx, company_id=other, company_name=other_company)
                    )
            receipt = Receipt(
                submission_id,
                period,
                [u.name for u in uploads],
                persons,
                total,
                [f"{r.file}: {r.note}" for r in results if r.note],
                outcome,
            )
            subject, body = _receipt_mail(company.name, company.orgnr, receipt, tx.settings.base_url)
            outbox["ids"] = []
            if receipt_to:
                outbox["ids"] = [mail.enqueue(tx, kind="receipt", to=receipt_to, subject=subject, body=body)]
                receipt = dataclasses.replace(receipt, receipt_mail_id=outbox["ids"][0], receipt_to=receipt_to)
            if outcome.new_utrukne:
                outbox["ids"] += reconcile.notify_new_utrukne(tx, company_id=company_id, company_name=company.name)
            audit.record(
                tx,
                actor=actor,
                action="submission.create",
                company_id=company_id,
                target=str(submission_id),
                detail=f"periode {periods.short(period)}, {len(uploads)} filer",
                at=now,
            )
            return receipt

        receipt = store.transaction(create)
    except BaseException:
        filestore.discard(store, reserved)
        raise
    mail.dispatch(store, outbox_ids=outbox["ids"] + outbox.get("others", []))
    return receipt


def _receipt_address(store: Store, *, company_id: int, contact: str, actor: Actor) -> str | None:
    """The contact address if it belongs to one of the company's active users; otherwise the
    sender's own: the portal mails no address nobody at the company has shown is theirs."""
    if contact in users.employer_emails(store, company_id=company_id):
        return contact
    if actor.user_id is not None and not actor.is_staff:
        return actor.email
    return None


def receipt_mail_state(store: Store, *, actor: Actor, receipt: Receipt) -> str:
    """'sent', 'queued', or 'trouble' when the mail provider has been failing: the page says which."""
    if receipt.receipt_mail_id is None:
        return "none"
    if not mail.is_queued(store, outbox_ids=[receipt.receipt_mail_id]):
        return "sent"
    return "trouble" if mail.delivery_trouble(store) else "queued"


def last_contact_email(store: Store, *, actor: Actor, company_id: int) -> str | None:
    require_company(store, actor=actor, company_id=company_id)
    return store.value(
        "SELECT contact_email FROM submissions WHERE company_id = ? ORDER BY submitted_at DESC, id DESC LIMIT 1",
        [company_id],
    )


def last_period(store: Store, *, actor: Actor, company_id: int) -> date | None:
    require_company(store, actor=actor, company_id=company_id)
    return store.value("SELECT max(period) FROM submissions WHERE company_id = ?", [company_id])


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
    """What the company sent in the last 12 months, newest first, and the periods of
    the last 12 months nothing was sent for. Never the files themselves."""
    require_company(store, actor=actor, company_id=company_id)
    today = today or utcnow().date()
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
    missing = [p for p in last_twelve if p not in sent]
    return entries, missing


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


def incoming(store: Store, *, actor: Actor, company_id: int | None = None, limit: int = 200) -> list[dict]:
    """Every list that came in, newest first, for the union's staff."""
    actor.require_staff()
    audit.viewed(store, actor=actor, action="incoming.view", company_id=company_id)
    where, params = ("WHERE s.company_id = ?", [company_id]) if company_id else ("", [])
    rows = store.dicts(
        "SELECT s.id, s.submitted_at, c.name AS company, c.orgnr, s.period, s.contact_email, s.remark,"
        " coalesce(u.email, 'forbundet') AS submitted_by, s.person_count, s.total"
        " FROM submissions s JOIN companies c ON c.id = s.company_id LEFT JOIN users u ON u.id = s.submitted_by"
        f" {where} ORDER BY s.submitted_at DESC, s.id DESC LIMIT ?",
        params + [limit],
    )
    files = store.rows(
        "SELECT submission_id, id, original_name FROM stored_files WHERE submission_id IN"
        " (SELECT unnest(?::INTEGER[])) ORDER BY id",
        [[r["id"] for r in rows]],
    )
    for row in rows:
        row["files"] = [(file_id, name) for submission_id, file_id, name in files if submission_id == row["id"]]
    return rows


def original(store: Store, *, actor: Actor, file_id: int) -> tuple[str, bytes]:
    """An original file's bytes for staff; every fetch is audited."""
    name, path = stored_file_path(store, actor=actor, file_id=file_id)
    data = path.read_bytes()
    store.transaction(lambda tx: audit.record(tx, actor=actor, action="submission.file.download", target=str(file_id)))
    return name, data


def not_sent(store: Store, *, actor: Actor, period: date) -> list[dict]:
    """Companies with no list for the period: who the union should remind."""
    actor.require_staff()
    return store.dicts(
        "SELECT c.name AS bedrift, c.orgnr AS organisasjonsnummer,"
        " (SELECT max(period) FROM submissions s2 WHERE s2.company_id = c.id) AS sist_innsendte_periode"
        " FROM companies c WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.company_id = c.id AND s.period = ?)"
        " ORDER BY c.name",
        [period],
    )


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
