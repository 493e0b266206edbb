"""Letters from the union to a company: made by staff, downloaded by the company's users,
gone after six calendar months (the row stays for the audit, the file is deleted)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services import audit, fields, filestore, localtime, mail, settings_store
from services.access import Actor, require_company
from services.accounts import users
from services.accounts.companies import get as get_company
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput, NotFound
from services.letters import pdf as letter_pdf
from services.localtime import oslo
from services.periods import add_months, month_start, same_day_months_later

PAGE_SIZE = 10
MAX_PDF_BYTES = 20 * 1024 * 1024
NEW_LETTER_SUBJECT = "Nytt brev fra forbundet i trekklisteportalen"


def last_day(created: date) -> date:
    """The last day a letter is available: six calendar months on, clamped to the month's end
    (created 31 August, last day 28 February)."""
    return same_day_months_later(created, 6)


@dataclass(frozen=True)
class LetterEntry:
    id: int
    created_on: date
    downloaded: bool
    subject: str
    file_name: str
    # When it was made, to the minute: two letters with one subject on one day told apart.
    created_at: datetime | None = None


def _file_name(subject: str, created: date) -> str:
    slug = re.sub(r"[^a-z0-9æøå]+", "-", subject.lower()).strip("-")[:60] or "brev"
    return f"{created:%Y-%m-%d}-{slug}.pdf"


def _notify(tx: Tx, company_id: int, company_name: str) -> list[int]:
    body = (
        f"Det er lagt inn et nytt brev fra forbundet til {company_name} i trekklisteportalen.\n\n"
        f"Logg inn og se under «Brev fra forbundet»: {tx.settings.base_url}\n\n"
        "Brevene er tilgjengelige i seks måneder fra de ble opprettet.\n"
    )
    return [
        mail.enqueue(tx, kind="letter.new", to=email, subject=NEW_LETTER_SUBJECT, body=body)
        for email in users.employer_emails(tx, company_id=company_id)
    ]


def _create(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    subject: str,
    kind: str,
    pdf: bytes,
    now: datetime | None,
    employment_ids: Sequence[int] = (),
) -> int:
    actor.require_staff()
    company = get_company(store, actor=actor, company_id=company_id)
    subject = fields.text(subject, field="emnet", most=fields.SUBJECT)
    if not subject:
        raise InvalidInput("Brevet må ha et emne.")
    if len(pdf) > MAX_PDF_BYTES:
        raise InvalidInput("PDF-filen er større enn 20 MB.")
    if not pdf.startswith(b"%PDF"):
        raise InvalidInput("Brevet må være en PDF-fil.")
    now = now or utcnow()
    file_name = _file_name(subject, oslo(now).date())
    outbox: list[int] = []

    def work(tx: Tx, files: list[filestore.StoredFile]) -> int:
        [file] = files
        letter_id = tx.value(
            "INSERT INTO letters (company_id, subject, kind, file_id, file_name, created_at, created_by, last_day)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [company_id, subject, kind, file.id, file_name, now, actor.user_id, last_day(oslo(now).date())],
        )
        filestore.claim(tx, file, letter_id=letter_id)
        for employment_id in employment_ids:
            tx.execute(
                "INSERT INTO letter_members (letter_id, employment_id, kind) VALUES (?, ?, ?)",
                [letter_id, employment_id, kind],
            )
        outbox[:] = _notify(tx, company_id, company.name)
        audit.record(
            tx,
            actor=actor,
            action="letter.create",
            company_id=company_id,
            target=str(letter_id),
            detail=kind,
            at=now,
        )
        return letter_id

    letter_id = filestore.save(store, now=now, files=[(file_name, pdf, {"kind": "pdf"})], create=work)
    mail.dispatch(store, outbox_ids=outbox)
    return letter_id


def upload(
    store: Store, *, actor: Actor, company_id: int, subject: str, pdf: bytes, now: datetime | None = None
) -> int:
    """Staff upload a ready PDF letter for one company."""
    return _create(store, actor=actor, company_id=company_id, subject=subject, kind="upload", pdf=pdf, now=now)


def preview(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    kind: str,
    persons: list[letter_pdf.LetterPerson],
    now: datetime | None = None,
) -> bytes:
    """The letter `generate` would make, checked the same way, made and kept nowhere: for staff to
    read before it is published."""
    actor.require_staff()
    if kind not in letter_pdf.SUBJECTS:
        raise InvalidInput("Ukjent brevtype.")
    if not persons:
        raise InvalidInput("Brevet må ha minst ett medlem.")
    for person in persons:
        if not person.name.strip():
            raise InvalidInput("Hvert medlem i brevet må ha et navn.")
        if kind == letter_pdf.STOP and person.reason not in letter_pdf.REASONS:
            raise InvalidInput("Årsaken må være «utmeldt» eller «overført».")
        if kind == letter_pdf.START and not person.rate.strip():
            raise InvalidInput(f"Oppgi satsen for {person.name}.")
    company = get_company(store, actor=actor, company_id=company_id)
    settings = store.settings
    return letter_pdf.render(
        kind=kind,
        company_name=company.name,
        orgnr=company.orgnr,
        persons=persons,
        union_name=settings.union_name,
        union_address=settings.union_address,
        signature=settings.union_signature,
        created=(now or utcnow()).date(),
    )


def generate(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    kind: str,
    persons: list[letter_pdf.LetterPerson],
    now: datetime | None = None,
    employment_ids: Sequence[int] = (),
) -> int:
    """Staff make a start or stop letter from the template."""
    now = now or utcnow()
    pdf = preview(store, actor=actor, company_id=company_id, kind=kind, persons=persons, now=now)
    return _create(
        store,
        actor=actor,
        company_id=company_id,
        subject=letter_pdf.SUBJECTS[kind],
        kind=kind,
        pdf=pdf,
        now=now,
        employment_ids=employment_ids,
    )


def rate_text(store: Store, rate_class: str, period: date) -> str:
    """A rate as a letter states it, from the rates in force: «1,3 % (maks 575 kr)»."""
    found = settings_store.rates_in_force(store, period).get(rate_class)
    if found is None:
        return rate_class
    percent = f"{found[0].normalize():f}".replace(".", ",")
    return f"{percent} %" + (f" (maks {found[1]:.0f} kr)" if found[1] is not None else "")


def pending_from_register(
    store: Store, *, actor: Actor, company_id: int, kind: str
) -> list[tuple[int, letter_pdf.LetterPerson]]:
    """Members who started (start) or left or moved (stop) at the company and are in no letter of that kind yet."""
    actor.require_staff()
    audit.viewed(store, actor=actor, action="letters.pending.view", company_id=company_id, target=kind)
    if kind == letter_pdf.START:
        rows = store.rows(
            "SELECT e.id, m.name, m.birth_date, e.valid_from, m.rate_class FROM employments e"
            " JOIN members m ON m.id = e.member_id WHERE e.company_id = ? AND e.valid_to IS NULL"
            " AND e.id NOT IN (SELECT employment_id FROM letter_members WHERE kind = 'start') ORDER BY m.name",
            [company_id],
        )
        # One rate lookup per rate class and month, not one per member: a large company has hundreds.
        rates: dict[tuple[str, date], str] = {}

        def rate(rate_class: str, period: date) -> str:
            if (rate_class, period) not in rates:
                rates[rate_class, period] = rate_text(store, rate_class, period)
            return rates[rate_class, period]

        return [
            (r[0], letter_pdf.LetterPerson(r[1], r[2], r[3].replace(day=1), rate=rate(r[4], r[3].replace(day=1))))
            for r in rows
        ]
    rows = store.rows(
        "SELECT e.id, m.name, m.birth_date, e.valid_to,"
        " EXISTS (SELECT 1 FROM employments later WHERE later.member_id = e.member_id AND later.company_id <> ?"
        "         AND later.valid_from > e.valid_to) FROM employments e JOIN members m ON m.id = e.member_id"
        " WHERE e.company_id = ? AND e.valid_to IS NOT NULL"
        " AND e.id NOT IN (SELECT employment_id FROM letter_members WHERE kind = 'stop') ORDER BY m.name",
        [company_id, company_id],
    )
    return [
        (
            r[0],
            letter_pdf.LetterPerson(
                r[1], r[2], add_months(month_start(r[3]), 1), reason="overført" if r[4] else "utmeldt"
            ),
        )
        for r in rows
    ]


def from_register(store: Store, *, actor: Actor, company_id: int, kind: str, now: datetime | None = None) -> int:
    """The start letter for new members, or the stop letter for those who left or moved, in one step."""
    pending = pending_from_register(store, actor=actor, company_id=company_id, kind=kind)
    if not pending:
        raise InvalidInput("Det er ingen endringer i medlemsregisteret siden forrige brev av denne typen.")
    return generate(
        store,
        actor=actor,
        company_id=company_id,
        kind=kind,
        persons=[p for _, p in pending],
        now=now,
        employment_ids=[e for e, _ in pending],
    )


def expire(store: Store, *, today: date | None = None) -> int:
    """Delete the files of letters past their last day; the rows stay. Returns how many."""
    today = today or localtime.today()
    due = store.rows("SELECT id, file_id FROM letters WHERE last_day < ? AND expired_at IS NULL", [today])
    for letter_id, file_id in due:
        filestore.delete_content(store, file_id=file_id)

        def work(tx: Tx, letter_id=letter_id) -> None:
            tx.execute("UPDATE letters SET expired_at = ? WHERE id = ? AND expired_at IS NULL", [utcnow(), letter_id])
            audit.record(tx, actor=None, action="letter.expire", target=str(letter_id))

        store.transaction(work)
    return len(due)


def _available(company_id: int, today: date) -> tuple[str, list]:
    return "company_id = ? AND last_day >= ? AND expired_at IS NULL AND withdrawn_at IS NULL", [company_id, today]


def count(store: Store, *, actor: Actor, company_id: int, today: date | None = None) -> int:
    require_company(store, actor=actor, company_id=company_id)
    where, params = _available(company_id, today or localtime.today())
    return store.value(f"SELECT count(*) FROM letters WHERE {where}", params)


def for_company(
    store: Store, *, actor: Actor, company_id: int, page: int = 0, today: date | None = None
) -> list[LetterEntry]:
    """One page of the company's letters: not yet downloaded first, newest first."""
    require_company(store, actor=actor, company_id=company_id)
    where, params = _available(company_id, today or localtime.today())
    rows = store.rows(
        "SELECT l.id, CAST(l.created_at AS DATE), EXISTS (SELECT 1 FROM letter_downloads d WHERE d.letter_id = l.id),"
        f" l.subject, l.file_name, l.created_at FROM letters l WHERE {where}"
        " ORDER BY 3, l.created_at DESC, l.id DESC LIMIT ? OFFSET ?",
        params + [PAGE_SIZE, max(page, 0) * PAGE_SIZE],
    )
    return [
        LetterEntry(letter_id, oslo(at).date(), downloaded, subject, file_name, at)
        for letter_id, _, downloaded, subject, file_name, at in rows
    ]


def unread(store: Store, *, actor: Actor, company_id: int, today: date | None = None) -> int:
    require_company(store, actor=actor, company_id=company_id)
    where, params = _available(company_id, today or localtime.today())
    return store.value(
        f"SELECT count(*) FROM letters l WHERE {where}"
        " AND NOT EXISTS (SELECT 1 FROM letter_downloads d WHERE d.letter_id = l.id)",
        params,
    )


def _letter_bytes(store: Store, file_id: int, missing: str) -> bytes:
    found = filestore.read(store, file_id=file_id)
    if found is None:
        raise NotFound(missing)
    return found[1]


def download(
    store: Store, *, actor: Actor, company_id: int, letter_id: int, today: date | None = None
) -> tuple[str, bytes]:
    """The letter's PDF; marks it downloaded for the company and records who and when."""
    require_company(store, actor=actor, company_id=company_id)
    where, params = _available(company_id, today or localtime.today())
    found = store.row(f"SELECT file_id, file_name FROM letters WHERE id = ? AND {where}", [letter_id] + params)
    if found is None:
        raise NotFound("Brevet finnes ikke, eller er ikke lenger tilgjengelig.")
    file_id, file_name = found
    data = _letter_bytes(store, file_id, "Brevet finnes ikke, eller er ikke lenger tilgjengelig.")

    def work(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO letter_downloads (letter_id, user_id, downloaded_at) VALUES (?, ?, ?)",
            [letter_id, actor.user_id, utcnow()],
        )
        audit.record(tx, actor=actor, action="letter.download", company_id=company_id, target=str(letter_id))

    store.transaction(work)
    return file_name, data


@dataclass(frozen=True)
class StaffLetter:
    id: int
    created_at: datetime
    company_name: str
    subject: str
    last_day: date
    expired: bool
    withdrawn: bool
    first_downloaded_at: datetime | None


def staff_letters(store: Store, *, actor: Actor, company_id: int | None = None, limit: int = 200) -> list[StaffLetter]:
    """Letters for the staff, newest first, with whether they were withdrawn, expired or downloaded."""
    actor.require_staff()
    return [
        StaffLetter(*r)
        for r in store.rows(
            "SELECT l.id, l.created_at, c.name, l.subject, l.last_day, l.expired_at IS NOT NULL,"
            " l.withdrawn_at IS NOT NULL,"
            " (SELECT min(downloaded_at) FROM letter_downloads d WHERE d.letter_id = l.id)"
            " FROM letters l JOIN companies c ON c.id = l.company_id"
            " WHERE (CAST(? AS INTEGER) IS NULL OR l.company_id = ?)"
            " ORDER BY l.created_at DESC LIMIT ?",
            [company_id, company_id, limit],
        )
    ]


def withdraw(store: Store, *, actor: Actor, letter_id: int) -> None:
    """The employer no longer sees the letter; staff still do, and the audit log says who withdrew it."""
    actor.require_staff()
    found = store.row("SELECT company_id, withdrawn_at FROM letters WHERE id = ?", [letter_id])
    if found is None:
        raise NotFound("Brevet finnes ikke.")
    if found[1] is not None:
        raise InvalidInput("Brevet er allerede trukket tilbake.")
    now = utcnow()

    def work(tx: Tx) -> None:
        tx.execute(
            "UPDATE letters SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?", [now, actor.user_id, letter_id]
        )
        audit.record(tx, actor=actor, action="letter.withdraw", company_id=found[0], target=str(letter_id), at=now)

    store.transaction(work)


def staff_file(store: Store, *, actor: Actor, letter_id: int) -> tuple[str, bytes]:
    """Any letter's PDF for staff, without marking it downloaded for the company; audited."""
    actor.require_staff()
    found = store.row("SELECT company_id, file_id, file_name FROM letters WHERE id = ?", [letter_id])
    if found is None:
        raise NotFound("Brevet finnes ikke.")
    data = _letter_bytes(store, found[1], "Brevet finnes ikke, eller filen er slettet etter seks måneder.")
    store.transaction(
        lambda tx: audit.record(
            tx, actor=actor, action="letter.staff_download", company_id=found[0], target=str(letter_id)
        )
    )
    return found[2], data
