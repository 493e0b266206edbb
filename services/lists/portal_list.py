"""«Registrer trekk i portalen»: the month's list filled in on the page instead of uploaded.

The clerk starts from the members the union expects at the company for the period, with last
period's amounts, adjusts them, adds people, and marks who was not deducted with one of the
Utrukne statuses. What is sent becomes an ordinary list file (xlsx) and goes through
`submissions.submit`: read by the same parser, stored, reconciled and receipted exactly like an
upload; the statuses are recorded in the same transaction. The page never shows a full
fødselsnummer: a member is named by member number, name and birth date; the file built on the
server carries the register's number.

The same rows are offered as an Excel template that the parser reads back unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook

from services import audit, fields, periods
from services.access import Actor, require_company
from services.db import Store
from services.errors import InvalidInput
from services.export import append_row
from services.lists import submissions
from services.reading import identity
from services.reading.values import national_id_valid
from services.register import answers
from services.register.reconcile import MEMBERS_SQL

# The latest list of the period before that names each of the company's members: the rows of
# the company's lists of that period, joined to the members by each of the two equalities.
LAST_AMOUNTS_SQL = f"""
WITH r AS (
    SELECT r.national_id, r.birth_date, r.name_key, r.amount, s.id AS submission_id
    FROM submissions s JOIN submission_rows r ON r.submission_id = s.id
    WHERE s.company_id = ? AND s.period = ? AND r.period IS NULL AND s.purged_at IS NULL
), m AS (
    SELECT id, national_id, birth_date, name_key FROM members WHERE id IN (SELECT unnest(?::INTEGER[]))
)
SELECT m.id, r.amount, r.submission_id FROM m JOIN r ON {identity.ROW_OF_MEMBER_BY_NATIONAL_ID}
UNION ALL
SELECT m.id, r.amount, r.submission_id FROM m JOIN r ON {identity.ROW_OF_MEMBER_BY_BIRTH_AND_NAME}
ORDER BY 3
"""
MAX_AMOUNT = Decimal("100000")


@dataclass(frozen=True)
class ExpectedMember:
    member_id: int
    member_no: str
    name: str
    birth_date: date | None
    last_amount: Decimal | None


@dataclass(frozen=True)
class MemberLine:
    """What the clerk says of one expected member: the amount deducted, or why none was."""

    member_id: int
    amount: Decimal | None
    not_deducted: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class _Row:
    """A row of the list to send: a new person's number, or the member it is about."""

    national_id: str | None
    member_id: int | None
    name: str
    amount: Decimal


@dataclass(frozen=True)
class NewPerson:
    national_id: str
    name: str
    amount: Decimal | None


def expected(store: Store, *, actor: Actor, company_id: int, period: date) -> list[ExpectedMember]:
    """The members the union expects on the company's list for the period, with what the last
    period's list deducted from each."""
    found = _expected(store, actor=actor, company_id=company_id, period=period)
    audit.viewed(store, actor=actor, action="portal_list.view", company_id=company_id, target=periods.short(period))
    return found


def _expected(store: Store, *, actor: Actor, company_id: int, period: date) -> list[ExpectedMember]:
    """`expected` without its audit row: each caller records the one access it makes."""
    require_company(store, actor=actor, company_id=company_id)
    last = periods.month_end(period)
    members = store.rows(MEMBERS_SQL, [company_id, last, period, period, last])
    amounts: dict[int, Decimal] = {}
    if members:
        ids = [m[0] for m in members]
        for member_id, amount, _ in store.rows(LAST_AMOUNTS_SQL, [company_id, periods.add_months(period, -1), ids]):
            amounts[member_id] = amount  # ordered by list: the latest list's amount stands
    found = [ExpectedMember(m[0], m[1], m[4], m[3], amounts.get(m[0])) for m in members]
    return sorted(found, key=lambda e: (e.name.lower(), e.member_no))


def amount_of(value: object, *, who: str) -> Decimal | None:
    """An amount as the clerk typed it (620, 620,50, «620,50 kr»), or None when left empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).replace("kr", "").replace("\u00a0", "").replace(" ", "").replace(",", ".").strip()
    if not text:
        return None
    try:
        amount = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(f"Beløpet for {who} er ikke et tall: «{value}».") from None
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidInput(f"Beløpet for {who} må være større enn 0 og under {MAX_AMOUNT:,.0f} kr.".replace(",", " "))
    return amount


def _checked(
    known: dict[int, ExpectedMember], members: list[MemberLine], new_people: list[NewPerson]
) -> tuple[list[_Row], dict[int, tuple[str, str]]]:
    """Every line checked before anything is written: the rows of the list, and the statuses."""
    rows: list[_Row] = []
    statuses: dict[int, tuple[str, str]] = {}
    problems: list[str] = []
    for line in members:
        member = known.get(line.member_id)
        if member is None:
            raise InvalidInput("Medlemmet er ikke lenger registrert på bedriften for perioden. Last siden på nytt.")
        if line.not_deducted:
            if line.not_deducted not in answers.STATUSES:
                problems.append(f"{member.name}: velg en status fra listen.")
            elif line.not_deducted == "annet" and not line.comment.strip():
                problems.append(f"{member.name}: skriv en kommentar når du velger «Annet».")
            else:
                statuses[member.member_id] = (
                    line.not_deducted,
                    fields.text(line.comment, field="kommentaren", most=fields.COMMENT),
                )
            continue
        if line.amount is None:
            problems.append(f"{member.name}: fyll inn beløp, eller velg hvorfor medlemmet ikke er trukket.")
            continue
        rows.append(_Row(None, member.member_id, member.name, line.amount))
    for n, person in enumerate(new_people, start=1):
        number = "".join(ch for ch in person.national_id or "" if ch.isdigit())
        name = fields.text(person.name, field="navnet", most=fields.NAME)
        who = name or f"ny person {n}"
        if not number and not name and person.amount is None:
            continue  # an empty row the table keeps at its end
        if len(number) != 11 or not national_id_valid(number):
            problems.append(f"{who}: fødselsnummeret må ha 11 sifre og være gyldig.")
        elif not name:
            problems.append(f"Ny person med fødselsnummer som slutter på {number[-2:]}: fyll inn navn.")
        elif person.amount is None:
            problems.append(f"{who}: fyll inn beløp.")
        else:
            rows.append(_Row(number, None, name, person.amount))
    if problems:
        raise InvalidInput("Listen kan ikke sendes ennå: " + " ".join(problems))
    if not rows:
        raise InvalidInput(
            "Fyll inn beløp for minst én person. Er ingen trukket denne perioden, gi status under «Utrukne»."
        )
    return rows, statuses


def list_file(rows: list[tuple[str, date | None, str, Decimal]]) -> bytes:
    """The list as the parser reads any payroll export: fødselsnummer (or, for a member the
    register knows without one, the birth date), name, amount."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Trekkliste"
    sheet.append(["Fødselsnummer", "Fødselsdato", "Navn", "Trekk"])
    for national_id, born, name, amount in rows:
        append_row(sheet, [national_id or None, None if national_id else born, name, amount])
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD.MM.YYYY"
        sheet.cell(row=sheet.max_row, column=4).number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def submit(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    period: date,
    contact_email: str,
    members: list[MemberLine],
    new_people: list[NewPerson],
    remark: str = "",
    resend_kind: str | None = None,
    ask_resend_kind: bool = False,
    today: date | None = None,
) -> submissions.Receipt:
    """Send the list filled in on the page: validated whole, then stored and reconciled like an
    upload, with the statuses of those not deducted recorded in the same transaction."""
    require_company(store, actor=actor, company_id=company_id)
    known = {m.member_id: m for m in _expected(store, actor=actor, company_id=company_id, period=period)}
    checked, statuses = _checked(known, members, new_people)
    # The register's own number for a member: the page never had it, the list file needs it.
    numbers = dict(
        store.rows(
            "SELECT id, national_id FROM members WHERE id IN (SELECT unnest(?::INTEGER[]))",
            [[row.member_id for row in checked if row.member_id is not None]],
        )
    )
    rows = [
        (
            row.national_id or numbers.get(row.member_id) or "",
            known[row.member_id].birth_date if row.member_id is not None else None,
            row.name,
            row.amount,
        )
        for row in checked
    ]
    upload = submissions.Upload(f"registrert-i-portalen-{period:%Y-%m}.xlsx", list_file(rows))
    return submissions.submit(
        store,
        actor=actor,
        company_id=company_id,
        period=period,
        contact_email=contact_email,
        remark=remark,
        uploads=[upload],
        today=today,
        resend_kind=resend_kind,
        ask_resend_kind=ask_resend_kind,
        confirm_earlier_copies=True,
        not_deducted=statuses,
    )


def template(store: Store, *, actor: Actor, company_id: int, period: date) -> bytes:
    """«Last ned som Excel»: the expected members with last period's amounts, as a file the
    clerk can fill in and upload; the parser reads it back as it is."""
    found = _expected(store, actor=actor, company_id=company_id, period=period)
    book = Workbook()
    sheet = book.active
    sheet.title = "Trekkliste"
    sheet.append(["Medlemsnr", "Fødselsdato", "Navn", "Trekk"])
    for member in found:
        append_row(sheet, [member.member_no, member.birth_date, member.name, member.last_amount])
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD.MM.YYYY"
        sheet.cell(row=sheet.max_row, column=4).number_format = "0.00"
    for column, width in zip("ABCD", (12, 14, 32, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    audit.viewed(store, actor=actor, action="portal_list.template", company_id=company_id, target=periods.short(period))
    return out.getvalue()
