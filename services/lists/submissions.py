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

from services import audit, fields, filestore, mail, periods
from services.access import Actor, require_company
from services.accounts import users
from services.accounts.companies import get as get_company
from services.accounts.email_address import normalise_email
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput
from services.kid import for_list as kid_for_list
from services.lists import layouts
from services.localtime import oslo
from services.money import kr
from services.reading.columns import ChosenLayout
from services.reading.identity import name_key
from services.reading.parsing import MAX_FILE_BYTES, ParseResult, Row, parse_bytes
from services.register import answers, reconcile
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
    # Named on the page's message as on the mail: a clerk for several companies sees which one got the list.
    company_name: str = ""
    orgnr: str = ""
    receipt_mail_id: int | None = None
    # Where the receipt went: the contact address when it is one of the company's users, else the sender.
    receipt_to: str | None = None

    @property
    def kid(self) -> str:
        """The KID to pay this list's deductions with (issue 27)."""
        return kid_for_list(self.orgnr, self.period)


def check_uploads(uploads: list[Upload], chosen: list[ChosenLayout] | None = None) -> list[ParseResult]:
    """Read every file (with the columns the company's clerks chose, where a file's header row
    matches one); refuse the whole lot if any cannot be sent."""
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"Du kan sende høyst {MAX_FILES} filer om gangen.")
    results = []
    problems = []
    for upload in uploads:
        if len(upload.data) > MAX_FILE_BYTES:
            problems.append(f"{upload.name}: filen er større enn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
            continue
        result = parse_bytes(upload.data, upload.name, chosen)
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
    "period",
)


def counts_for(row: Row, period: date) -> date | None:
    """The month a row counts for when not the list's own: the month its period column names, or,
    without one, the month before for a negative row (a refund). None: the list's own period."""
    if row.period is not None:
        return row.period if row.period != period else None
    if row.amount is not None and row.amount < 0:
        return periods.add_months(period, -1)
    return None


def months_corrected(rows: list[Row], period: date) -> dict[date, int]:
    """The months a list's correction rows count for, and how many rows each."""
    corrected: dict[date, int] = {}
    for row in rows:
        month = counts_for(row, period)
        if month is not None:
            corrected[month] = corrected.get(month, 0) + 1
    return corrected


def insert_rows(tx: Tx, submission_id: int, file_id: int, result: ParseResult, period: date) -> None:
    """A list's rows, each with its person key and the month it counts for."""
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
                counts_for(r, period),
            )
            for r in result.rows
        ],
    )


def payment_line(receipt: Receipt, account: str) -> str:
    """How to pay the list's deductions: the amount, the union's account (when set) and the KID."""
    if account:
        return f"Betal {kr(receipt.total)} til konto {account} med KID {receipt.kid}."
    return f"Bruk KID {receipt.kid} når dere betaler {kr(receipt.total)}."


def _receipt_mail(company_name: str, orgnr: str, receipt: Receipt, base_url: str, account: str) -> tuple[str, str]:
    subject = f"Kvittering for trekkliste {periods.label(receipt.period).lower()} – {company_name}"
    files = "\n".join(f"  - {name}" for name in receipt.file_names)
    body = (
        "Forbundet har mottatt trekklisten.\n\n"
        f"Bedrift: {company_name} ({orgnr})\n"
        f"Periode: {periods.label(receipt.period)}\n"
        f"Filer:\n{files}\n"
        f"Personer på listen: {receipt.persons}\n"
        f"Sum trekk: {kr(receipt.total)}\n"
        f"{payment_line(receipt, account)}\n\n"
        + (
            "Listen hadde ingen rader portalen kunne lese, og er tatt imot til manuell behandling hos forbundet.\n\n"
            if receipt.persons == 0
            else ""
        )
        + f"Du finner innsendingen under «Innsendte lister det siste året» i trekklisteportalen: {base_url}\n"
    )
    return subject, body


SAME_FILE, NAMED_MONTH = "same_file", "named_month"


@dataclass(frozen=True)
class EarlierCopy:
    """A file that looks like another period's: the same content the company sent for `period`
    (SAME_FILE), or a name that names `period` (NAMED_MONTH, «trekk_september_2026.xlsx»)."""

    file_name: str
    period: date
    why: str = SAME_FILE

    @property
    def message(self) -> str:
        month = periods.label(self.period).lower()
        if self.why == NAMED_MONTH:
            return f"«{self.file_name}» ser ut til å gjelde {month}, ifølge navnet på filen."
        return f"«{self.file_name}» er den samme filen som ble sendt inn for {month}."


def earlier_copies(
    store: Store, *, actor: Actor, company_id: int, period: date, uploads: list[Upload]
) -> list[EarlierCopy]:
    """Files that look like another period's: content the company already sent for another period
    (last month's file sent again), or a file name naming another month."""
    require_company(store, actor=actor, company_id=company_id)
    period = periods.month_start(period)
    named = [
        EarlierCopy(u.name, month, NAMED_MONTH)
        for u in uploads
        if (month := periods.named_in(u.name)) is not None and month != period
    ]
    hashes = {hashlib.sha256(u.data).hexdigest(): u.name for u in uploads}
    if not hashes:
        return named
    rows = store.rows(
        "SELECT DISTINCT f.sha256, s.period FROM stored_files f JOIN submissions s ON s.id = f.submission_id"
        " WHERE s.company_id = ? AND s.period <> ? AND f.sha256 IN (SELECT unnest(?::VARCHAR[]))"
        " ORDER BY s.period DESC",
        [company_id, period, list(hashes)],
    )
    return [EarlierCopy(hashes[sha], sent_for) for sha, sent_for in rows] + named


CORRECTION, SUPPLEMENT = "correction", "supplement"
RESEND_KINDS = (CORRECTION, SUPPLEMENT)


@dataclass(frozen=True)
class EarlierList:
    """A list already sent for the period: when, and by whom."""

    submitted_at: datetime
    sent_by: str


def earlier_lists(store: Store, *, actor: Actor, company_id: int, period: date) -> list[EarlierList]:
    """The lists the company has sent for the period, oldest first: a new one is a correction or a supplement."""
    require_company(store, actor=actor, company_id=company_id)
    return [
        EarlierList(*r)
        for r in store.rows(
            "SELECT s.submitted_at, coalesce(u.name, 'forbundet') FROM submissions s"
            " LEFT JOIN users u ON u.id = s.submitted_by WHERE s.company_id = ? AND s.period = ?"
            " ORDER BY s.submitted_at, s.id",
            [company_id, periods.month_start(period)],
        )
    ]


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
    resend_kind: str | None = None,
    ask_resend_kind: bool = False,
    not_deducted: dict[int, tuple[str, str]] | None = None,
) -> Receipt:
    """Store a deduction list for the company and period, and mail a receipt to the contact address.
    `resend_kind` says what a list for a period that has one already is: a correction or a supplement
    (the page asks, with `ask_resend_kind`; the portal reads both the same way: the latest list
    naming a person counts). `not_deducted` gives, by member id, the status and comment of members
    the sender says were not deducted (a list filled in on the page): recorded with the list."""
    if resend_kind is not None and resend_kind not in RESEND_KINDS:
        raise InvalidInput("Velg om listen er en korrigering eller et tillegg.")
    now = now or utcnow()
    today = today or oslo(now).date()
    require_company(store, actor=actor, company_id=company_id)
    company = get_company(store, actor=actor, company_id=company_id)
    period = periods.check(period, today=today)
    contact = normalise_email(contact_email)
    remark = fields.text(remark, field="merknaden", most=fields.REMARK)
    if not uploads:
        raise InvalidInput(REMARK_WITHOUT_FILE if remark else "Legg til minst én fil med trekklisten.")
    # A file name is one line of plain text wherever it goes: a newline in it could forge lines in a mail.
    uploads = [Upload(one_line(Path(u.name).name) or "uten navn", u.data) for u in uploads]
    results = check_uploads(uploads, layouts.chosen_for(store, actor=actor, company_id=company_id))
    copies = earlier_copies(store, actor=actor, company_id=company_id, period=period, uploads=uploads)
    if copies and not confirm_earlier_copies:
        raise SameFileOtherPeriod(
            " ".join(c.message for c in copies)
            + " Kryss av for at det er riktig fil for denne perioden, og send igjen."
        )
    if (
        ask_resend_kind
        and resend_kind is None
        and earlier_lists(store, actor=actor, company_id=company_id, period=period)
    ):
        raise InvalidInput("Velg om listen er en korrigering eller et tillegg før du sender.")
    receipt_to = _receipt_address(store, company_id=company_id, contact=contact, actor=actor)

    persons = len({r.person_key() for result in results for r in result.rows})
    total = sum((result.total for result in results), Decimal("0.00"))
    outbox: dict = {}

    def create(tx: Tx, reserved: list[filestore.StoredFile]) -> Receipt:
        submission_id = tx.value(
            "INSERT INTO submissions (company_id, period, contact_email, remark, submitted_by, submitted_at,"
            " person_count, total, resend_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [company_id, period, contact, remark or None, actor.user_id, now, persons, total, resend_kind],
        )
        for file, result in zip(reserved, results, strict=True):
            filestore.claim(tx, file, submission_id=submission_id)
            insert_rows(tx, submission_id, file.id, result, period)
        outcome, outbox["others"] = reconcile.after_list(
            tx,
            submission_id=submission_id,
            company_id=company_id,
            period=period,
            corrected=months_corrected([r for result in results for r in result.rows], period),
            now=now,
        )
        if not_deducted:
            answers.answer_members_in(
                tx, actor=actor, company_id=company_id, period=period, given=not_deducted, now=now
            )
        receipt = Receipt(
            submission_id,
            period,
            [u.name for u in uploads],
            persons,
            total,
            [f"{r.file}: {r.note}" for r in results if r.note],
            outcome,
            company_name=company.name,
            orgnr=company.orgnr,
        )
        subject, body = _receipt_mail(
            company.name, company.orgnr, receipt, tx.settings.base_url, tx.settings.union_account
        )
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

    receipt = filestore.save(
        store,
        now=now,
        files=[
            (u.name, u.data, {"kind": r.kind, "row_count": len(r.rows), "total": r.total, "note": r.note})
            for u, r in zip(uploads, results, strict=True)
        ],
        create=create,
    )
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
