"""Sending a deduction list: validate everything, then store it all in one go, or nothing.

Files are recorded in `stored_files` before they are written, and claimed by
their submission in the transaction that creates it. A failure after the
write removes them again; a crash leaves unclaimed records that
`sweep_unclaimed_files` clears, files included. No file is ever on disk
without the store knowing it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd

from services import audit, mail, periods
from services.access import Actor, require_company
from services.companies import get as get_company
from services.db import Store, utcnow
from services.errors import AccessDenied, InvalidInput
from services.money import kr
from services.parsing import MAX_FILE_BYTES, ParseResult, parse_bytes
from services.users import normalise_email

log = logging.getLogger(__name__)

MAX_FILES = 10
ACCEPTED_KINDS = ("xlsx", "xls", "ods", "csv", "txt", "pdf")
REMARK_WITHOUT_FILE = (
    "Merknadsfeltet er knyttet til perioden filene sendes inn for. Legg til minst én fil "
    "for å sende inn en merknad."
)
UNCLAIMED_AFTER = timedelta(hours=1)


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


def files_dir(store: Store) -> Path:
    return store.settings.files_dir


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


def _write_file(folder: Path, stored_name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / (stored_name + ".part")
    with temporary.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    temporary.replace(folder / stored_name)


def _rows_frame(submission_id: int, file_id: int, result: ParseResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "submission_id": submission_id,
            "file_id": file_id,
            "line": [r.line for r in result.rows],
            "national_id": [r.national_id for r in result.rows],
            "birth_date": [r.birth_date for r in result.rows],
            "name": [r.name for r in result.rows],
            "employee_no": [r.employee_no for r in result.rows],
            "basis": [None if r.basis is None else float(r.basis) for r in result.rows],
            "amount": [None if r.amount is None else float(r.amount) for r in result.rows],
        },
        columns=["submission_id", "file_id", "line", "national_id", "birth_date", "name", "employee_no",
                 "basis", "amount"],
    )


def _insert_rows(tx: Store, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    tx.cur.register("incoming_rows", frame)
    try:
        tx.execute(
            "INSERT INTO submission_rows (submission_id, file_id, line, national_id, birth_date, name,"
            " employee_no, basis, amount)"
            " SELECT submission_id, file_id, line, national_id, CAST(birth_date AS DATE), name, employee_no,"
            " CAST(basis AS DECIMAL(14,2)), CAST(amount AS DECIMAL(14,2)) FROM incoming_rows"
        )
    finally:
        tx.cur.unregister("incoming_rows")


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
        f"Du finner innsendingen under «Innsendte lister det siste året» i trekklisteportalen: {base_url}\n"
    )
    return subject, body


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
    results = check_uploads(uploads)

    persons = len({r.person_key() for result in results for r in result.rows})
    total = sum((result.total for result in results), Decimal("0.00"))
    stored = [(secrets.token_hex(16), hashlib.sha256(u.data).hexdigest()) for u in uploads]

    def record_intent(tx: Store) -> list[int]:
        return [
            tx.value(
                "INSERT INTO stored_files (stored_name, sha256, size_bytes, created_at, original_name, kind,"
                " row_count, total, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [name, digest, len(u.data), now, u.name, r.kind, len(r.rows), r.total, r.note],
            )
            for (name, digest), u, r in zip(stored, uploads, results)
        ]

    file_ids = store.transaction(record_intent)
    folder = files_dir(store)
    receipt_holder: dict = {}
    try:
        for (name, _), upload in zip(stored, uploads):
            _write_file(folder, name, upload.data)

        def create(tx: Store) -> int:
            submission_id = tx.value(
                "INSERT INTO submissions (company_id, period, contact_email, remark, submitted_by, submitted_at,"
                " person_count, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [company_id, period, contact, remark or None, actor.user_id, now, persons, total],
            )
            for file_id, result in zip(file_ids, results):
                tx.execute("UPDATE stored_files SET submission_id = ? WHERE id = ?", [submission_id, file_id])
                _insert_rows(tx, _rows_frame(submission_id, file_id, result))
            receipt = Receipt(submission_id, period, [u.name for u in uploads], persons, total,
                              [f"{r.file}: {r.note}" for r in results if r.note])
            subject, body = _receipt_mail(company.name, company.orgnr, receipt, tx.settings.base_url)
            receipt_holder["mail"] = mail.enqueue(tx, kind="receipt", to=contact, subject=subject, body=body)
            audit.record(tx, actor=actor, action="submission.create", company_id=company_id,
                         target=str(submission_id), detail=f"periode {periods.short(period)}, {len(uploads)} filer",
                         at=now)
            receipt_holder["receipt"] = receipt
            return submission_id

        store.transaction(create)
    except BaseException:
        _discard(store, [name for name, _ in stored], file_ids)
        raise
    mail.deliver(store, outbox_ids=[receipt_holder["mail"]])
    return receipt_holder["receipt"]


def _discard(store: Store, stored_names: list[str], file_ids: list[int]) -> None:
    """Undo a submission that failed after its files were written."""
    folder = files_dir(store)
    for name in stored_names:
        for path in (folder / name, folder / (name + ".part")):
            path.unlink(missing_ok=True)
    try:
        store.transaction(lambda tx: tx.execute(
            "DELETE FROM stored_files WHERE submission_id IS NULL AND id IN (SELECT unnest(?::INTEGER[]))",
            [file_ids]))
    except Exception:  # the sweep removes what this could not
        log.warning("could not remove %d unclaimed file records; the sweep will", len(file_ids))


def sweep_unclaimed_files(store: Store, *, now: datetime | None = None) -> int:
    """Remove files whose submission never came (a crash mid-submission). Returns how many."""
    cutoff = (now or utcnow()) - UNCLAIMED_AFTER
    rows = store.rows("SELECT id, stored_name FROM stored_files WHERE submission_id IS NULL AND created_at < ?",
                      [cutoff])
    folder = files_dir(store)
    for _, name in rows:
        for path in (folder / name, folder / (name + ".part")):
            path.unlink(missing_ok=True)
    if rows:
        ids = [r[0] for r in rows]
        store.transaction(lambda tx: tx.execute(
            "DELETE FROM stored_files WHERE submission_id IS NULL AND id IN (SELECT unnest(?::INTEGER[]))", [ids]))
    return len(rows)


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


def history(store: Store, *, actor: Actor, company_id: int, today: date | None = None
            ) -> tuple[list[HistoryEntry], list[date]]:
    """What the company sent in the last 12 months, newest first, and the periods of
    the last 12 months nothing was sent for. Never the files themselves."""
    require_company(store, actor=actor, company_id=company_id)
    today = today or utcnow().date()
    since = datetime.combine(periods.add_months(periods.month_start(today), -11), datetime.min.time())
    rows = store.rows(
        "SELECT s.submitted_at, s.period, count(f.id) FROM submissions s"
        " LEFT JOIN stored_files f ON f.submission_id = s.id"
        " WHERE s.company_id = ? AND s.submitted_at >= ?"
        " GROUP BY s.id, s.submitted_at, s.period ORDER BY s.submitted_at DESC, s.id DESC",
        [company_id, since],
    )
    entries = [HistoryEntry(*r) for r in rows]
    last_twelve = [periods.add_months(periods.previous(today), -n) for n in range(12)]
    sent = {r[0] for r in store.rows("SELECT DISTINCT period FROM submissions WHERE company_id = ?", [company_id])}
    missing = [p for p in last_twelve if p not in sent]
    return entries, missing


def stored_file_path(store: Store, *, actor: Actor, file_id: int) -> tuple[str, Path]:
    """An original file, for union staff only: employers cannot download what they sent."""
    if not actor.is_staff:
        raise AccessDenied("Det er ikke mulig å laste ned filene som tidligere er sendt forbundet.")
    found = store.row("SELECT original_name, stored_name FROM stored_files WHERE id = ? AND submission_id IS NOT NULL",
                      [file_id])
    if found is None:
        raise InvalidInput("Filen finnes ikke.")
    return found[0], files_dir(store) / found[1]
