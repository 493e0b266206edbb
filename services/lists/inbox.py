"""The union's side of the lists: everything that came in, the originals, who has not sent,
and the lists that came without readable rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services import audit, fields, filestore, mail, periods
from services.access import Actor
from services.accounts.companies import get as get_company
from services.db import Store, Tx, utcnow
from services.errors import AccessDenied, InvalidInput, NotFound
from services.lists import submissions
from services.reading import values
from services.reading.limits import MAX_AMOUNT_KR
from services.reading.result import ParseResult, Row
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


def stored_file(store: Store, *, actor: Actor, file_id: int) -> tuple[str, bytes]:
    """An original list file's name and bytes, for union staff only: employers cannot download
    what they sent."""
    if not actor.is_staff:
        raise AccessDenied("Det er ikke mulig å laste ned filene som tidligere er sendt forbundet.")
    found = None
    if store.value("SELECT submission_id FROM stored_files WHERE id = ?", [file_id]) is not None:
        found = filestore.read(store, file_id=file_id)
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
    # For a list sent again for its period: "correction" or "supplement", as the sender said.
    resend_kind: str | None = None


def incoming(store: Store, *, actor: Actor, company_id: int | None = None, limit: int = 200) -> list[Incoming]:
    """Every list that came in, newest first, for the union's staff."""
    actor.require_staff()
    audit.viewed(store, actor=actor, action="incoming.view", company_id=company_id)
    where, params = ("WHERE s.company_id = ?", [company_id]) if company_id else ("", [])
    rows = store.rows(
        "SELECT s.id, s.submitted_at, c.name, c.orgnr, s.period, s.contact_email, s.remark,"
        " coalesce(u.email, 'forbundet'), s.person_count, s.total, s.resend_kind"
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
            resend_kind=r[10],
        )
        for r in rows
    ]


def original(store: Store, *, actor: Actor, file_id: int) -> tuple[str, bytes]:
    """An original file's bytes for staff; every fetch is audited."""
    name, data = stored_file(store, actor=actor, file_id=file_id)
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


@dataclass(frozen=True)
class KeyedRow:
    """A row of a manual list as staff key it in from the paper: fødselsnummer (or birth date), name, amount."""

    national_id: str
    name: str
    amount: str


MAX_KEYED_ROWS = 2000


def _checked_rows(rows: list[KeyedRow]) -> list[Row]:
    """Every row checked before anything is written; each problem named with its row number."""
    problems, checked = [], []
    for line, keyed in enumerate(rows, start=1):
        raw_id = (keyed.national_id or "").strip()
        national_id = values.digits_of_national_id(raw_id)
        birth_date = None
        if national_id is not None and not values.national_id_valid(national_id):
            problems.append(f"rad {line}: fødselsnummeret {raw_id} er ikke gyldig")
            continue
        if national_id is None:
            birth_date = values.parse_date(raw_id)
            if birth_date is None:
                problems.append(f"rad {line}: skriv fødselsnummer (11 siffer) eller fødselsdato (dd.mm.åååå)")
                continue
        else:
            birth_date = values.birth_date_of_national_id(national_id)
        name = values.clean_name(keyed.name)
        if name is None or len(name) > fields.NAME:
            problems.append(f"rad {line}: skriv navnet (høyst {fields.NAME} tegn)")
            continue
        amount = values.parse_amount(keyed.amount, decimal_comma=True)
        if amount is None or abs(amount) >= MAX_AMOUNT_KR:
            problems.append(f"rad {line}: skriv beløpet i kroner, for eksempel 520,00")
            continue
        checked.append(Row(line, national_id, birth_date, name, None, None, amount))
    if problems:
        raise InvalidInput("Radene er ikke lagret: " + "; ".join(problems) + ".")
    return checked


def enter_rows(
    store: Store, *, actor: Actor, submission_id: int, rows: list[KeyedRow], now: datetime | None = None
) -> int:
    """Staff key in the rows of a list that came without readable rows (a scanned PDF). They are
    stored with the list, the list is handled, and the period reconciled as for any list. Returns
    the new utrukne."""
    actor.require_staff()
    rows = [r for r in rows if (r.national_id or "").strip() or (r.name or "").strip() or (r.amount or "").strip()]
    if not rows:
        raise InvalidInput("Skriv inn minst én rad før du lagrer.")
    if len(rows) > MAX_KEYED_ROWS:
        raise InvalidInput(f"Høyst {MAX_KEYED_ROWS} rader kan skrives inn om gangen.")
    checked = _checked_rows(rows)
    now = now or utcnow()
    found = store.row(
        "SELECT s.company_id, s.period, s.manual_done_at, min(f.id) FROM submissions s"
        " LEFT JOIN stored_files f ON f.submission_id = s.id WHERE s.id = ?"
        " GROUP BY s.company_id, s.period, s.manual_done_at",
        [submission_id],
    )
    if found is None:
        raise NotFound("Innsendingen finnes ikke.")
    company_id, period, done, file_id = found
    if file_id is None:
        raise InvalidInput("Innsendingen har ingen fil å knytte radene til.")
    if done is not None or store.value(
        "SELECT 1 FROM submission_rows WHERE submission_id = ? LIMIT 1", [submission_id]
    ):
        raise InvalidInput("Listen er allerede behandlet.")
    company = get_company(store, actor=actor, company_id=company_id)
    result = ParseResult(file="manuell", ok=True, rows=checked)
    outbox: list[int] = []

    def work(tx: Tx) -> int:
        outbox.clear()
        submissions.insert_rows(tx, submission_id, file_id, result, period)
        tx.execute(
            "UPDATE submissions SET manual_done_at = ?, manual_done_by = ?, person_count = ?, total = ? WHERE id = ?",
            [now, actor.user_id, result.persons, result.total, submission_id],
        )
        outcome, others = reconcile.after_list(
            tx,
            submission_id=submission_id,
            company_id=company_id,
            period=period,
            corrected=submissions.months_corrected(checked, period),
            now=now,
        )
        new = outcome.new_utrukne
        if new:
            outbox.extend(reconcile.notify_new_utrukne(tx, company_id=company_id, company_name=company.name))
        outbox.extend(others)
        audit.record(
            tx,
            actor=actor,
            action="submission.rows_entered",
            company_id=company_id,
            target=str(submission_id),
            detail=f"{len(checked)} rader",
            at=now,
        )
        return new

    new = store.transaction(work)
    mail.dispatch(store, outbox_ids=outbox)
    return new
