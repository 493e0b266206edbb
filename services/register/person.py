"""One person across employers and months (issue 26): who staff are talking to on the phone.

A member is found by member number, fødselsnummer, birth date or name, searched in the database
and paged. Their page gathers what the portal holds about them: the membership, the jobs, every
list row that named them (by the person key stored with the row, joined by equality), what each
company's reconciliation made of them, the employer's answers with their history, and the letters
that named them. Every search and every page shown is audited; a search's log line never holds a
whole fødselsnummer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from services import audit, localtime
from services.access import Actor
from services.db import Store
from services.errors import InvalidInput, NotFound
from services.reading import identity
from services.register import rectify

PAGE_SIZE = 25
_DIGITS = re.compile(r"\d+")
_BIRTH_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


@dataclass(frozen=True)
class PersonHit:
    member_id: int
    member_no: str
    name: str
    birth_date: date | None
    member_to: date | None


@dataclass(frozen=True)
class PersonSearch:
    hits: list[PersonHit]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Member:
    id: int
    member_no: str
    name: str
    national_id: str
    birth_date: date | None
    rate_class: str
    member_from: date | None
    member_to: date | None


@dataclass(frozen=True)
class Job:
    company_id: int
    company: str
    orgnr: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class ListRow:
    """A row of a list that named the person. `period` is the month it counts for: the list's own,
    or another for a correction."""

    submission_id: int
    company_id: int
    company: str
    list_period: date
    period: date
    submitted_at: datetime
    file_name: str
    line: int | None
    amount: Decimal | None
    basis: Decimal | None

    @property
    def correction(self) -> bool:
        return self.period != self.list_period


@dataclass(frozen=True)
class Answer:
    status: str
    comment: str | None
    answered_by: str | None
    answered_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What a company's reconciliation made of the person for a month: kinds as the engine names them."""

    item_id: int
    company_id: int
    company: str
    period: date
    kind: str
    amount: Decimal | None
    expected: Decimal | None
    closed_at: datetime | None
    handled_by: str | None
    handled_at: datetime | None
    answers: list[Answer] = field(default_factory=list)


@dataclass(frozen=True)
class LetterNaming:
    letter_id: int
    company: str
    subject: str
    kind: str
    created_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Month:
    period: date
    rows: list[ListRow]
    outcomes: list[Outcome]

    @property
    def deducted(self) -> Decimal:
        return sum((r.amount for r in self.rows if r.amount is not None), Decimal("0.00"))


@dataclass(frozen=True)
class PersonHistory:
    member: Member
    jobs: list[Job]
    months: list[Month]
    letters: list[LetterNaming]
    corrections: list[rectify.Correction]


def _masked(query: str) -> str:
    """What the log keeps of a search: a fødselsnummer's birth date, never its personal number."""
    digits = "".join(_DIGITS.findall(query))
    if len(digits) == 11:
        return digits[:6] + "*****"
    return query


def search(store: Store, *, actor: Actor, query: str, page: int = 0, page_size: int = PAGE_SIZE) -> PersonSearch:
    """Members by member number, fødselsnummer (11 digits), birth date (dd.mm.åååå) or name (any
    order, without accents), a page at a time."""
    actor.require_staff()
    text = " ".join((query or "").split())
    if len(text) < 2:
        raise InvalidInput("Skriv minst to tegn: medlemsnummer, fødselsnummer, fødselsdato eller navn.")
    digits = "".join(_DIGITS.findall(text))
    born = _BIRTH_DATE.fullmatch(text)
    params: list[object]
    if len(digits) == 11 and not born:
        where, params = "m.national_id = ?", [digits]
    elif born:
        try:
            day = date(int(born.group(3)), int(born.group(2)), int(born.group(1)))
        except ValueError as problem:
            raise InvalidInput(f"«{text}» er ikke en dato.") from problem
        where, params = "m.birth_date = ?", [day]
    elif text.isdigit():
        where, params = "m.member_no = ?", [text]
    else:
        words = identity.name_key(text).split()
        where = " AND ".join("m.name_key LIKE ?" for _ in words)
        params = [f"%{w}%" for w in words]
    total = int(store.value(f"SELECT count(*) FROM members m WHERE {where}", params))
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    hits = store.records(
        PersonHit,
        "SELECT m.id AS member_id, m.member_no, m.name, m.birth_date, m.member_to FROM members m"
        f" WHERE {where} ORDER BY m.name, m.member_no LIMIT ? OFFSET ?",
        [*params, page_size, page * page_size],
    )
    audit.viewed(store, actor=actor, action="person.search", target=_masked(text))
    return PersonSearch(hits, total, page, pages)


_ROWS_SQL = """
SELECT s.id AS submission_id, s.company_id, c.name AS company, s.period AS list_period,
       coalesce(r.period, s.period) AS period, s.submitted_at, f.original_name AS file_name, r.line,
       r.amount, r.basis
FROM submission_rows r
JOIN submissions s ON s.id = r.submission_id
JOIN companies c ON c.id = s.company_id
JOIN stored_files f ON f.id = r.file_id
WHERE r.person_key = ?
"""

_OUTCOMES_SQL = """
SELECT i.id AS item_id, i.company_id, c.name AS company, i.period, i.kind, i.amount, i.expected,
       i.closed_at, u.email AS handled_by, i.handled_at
FROM reconciliation_items i
JOIN companies c ON c.id = i.company_id
LEFT JOIN users u ON u.id = i.handled_by
WHERE i.member_id = ?
ORDER BY i.period, c.name, i.kind
"""

_ANSWERS_SQL = """
SELECT a.item_id, a.status, a.comment, u.email AS answered_by, a.answered_at
FROM utrukket_answers a
JOIN reconciliation_items i ON i.id = a.item_id
LEFT JOIN users u ON u.id = a.answered_by
WHERE i.member_id = ?
ORDER BY a.answered_at, a.id
"""

_LETTERS_SQL = """
SELECT DISTINCT l.id AS letter_id, c.name AS company, l.subject, lm.kind, l.created_at, l.withdrawn_at
FROM letter_members lm
JOIN employments e ON e.id = lm.employment_id
JOIN letters l ON l.id = lm.letter_id
JOIN companies c ON c.id = l.company_id
WHERE e.member_id = ?
ORDER BY l.created_at, l.id
"""


def history(store: Store, *, actor: Actor, member_id: int) -> PersonHistory:
    """Everything the portal holds about one member, month by month, newest month first."""
    actor.require_staff()
    found = store.records(
        Member,
        "SELECT id, member_no, name, national_id, birth_date, rate_class, member_from, member_to"
        " FROM members WHERE id = ?",
        [member_id],
    )
    if not found:
        raise NotFound("Fant ikke medlemmet.")
    member = found[0]
    jobs = store.records(
        Job,
        "SELECT e.company_id, c.name AS company, c.orgnr, e.valid_from, e.valid_to FROM employments e"
        " JOIN companies c ON c.id = e.company_id WHERE e.member_id = ? ORDER BY e.valid_from, c.name",
        [member_id],
    )
    keys = identity.member_row_keys(member.national_id, member.birth_date, member.name)
    rows = [row for key in keys for row in store.records(ListRow, _ROWS_SQL, [key])]
    answers_of: dict[int, list[Answer]] = {}
    for found_answer in store.dicts(_ANSWERS_SQL, [member_id]):
        item_id = found_answer.pop("item_id")
        answers_of.setdefault(item_id, []).append(Answer(**found_answer))
    outcomes = [
        Outcome(**values, answers=answers_of.get(values["item_id"], []))
        for values in store.dicts(_OUTCOMES_SQL, [member_id])
    ]
    periods = sorted({r.period for r in rows} | {o.period for o in outcomes}, reverse=True)
    months = [
        Month(
            period,
            sorted((r for r in rows if r.period == period), key=lambda r: (r.submitted_at, r.company)),
            [o for o in outcomes if o.period == period],
        )
        for period in periods
    ]
    letters = store.records(LetterNaming, _LETTERS_SQL, [member_id])
    corrected = rectify.corrections(store, actor=actor, member_id=member_id)
    audit.viewed(store, actor=actor, action="person.view", target=member.member_no)
    return PersonHistory(member, jobs, months, letters, corrected)


@dataclass(frozen=True)
class Lookup:
    """A read of the member's own page or data by a user: from the audit log."""

    occurred_at: datetime
    user: str
    action: str


# What the log records against a member's number when their own data is shown or made.
LOOKUP_ACTIONS = ("person.view", "person.report", "member.correct", "member.erase")


def lookups(store: Store, *, actor: Actor, member_no: str) -> list[Lookup]:
    """Who has opened the member's page, made their access report or corrected them, newest first.
    Reads of a whole list, worklist or letter are logged per company and page, not yet per person."""
    actor.require_staff()
    marks = ", ".join("?" for _ in LOOKUP_ACTIONS)
    return store.records(
        Lookup,
        "SELECT occurred_at, actor_label AS user, action FROM audit_log"
        f" WHERE target = ? AND action IN ({marks}) ORDER BY occurred_at DESC, id DESC",
        [member_no, *LOOKUP_ACTIONS],
    )


def persons_looked_up(store: Store, *, actor: Actor, user_id: int, start: date, end: date) -> list[str]:
    """The member numbers whose own page or data one user opened between two days (inclusive):
    how far a leaked account reached, as far as the log names persons."""
    actor.require_staff()
    marks = ", ".join("?" for _ in LOOKUP_ACTIONS)
    return [
        member_no
        for (member_no,) in store.rows(
            "SELECT DISTINCT target FROM audit_log WHERE actor_user_id = ? AND occurred_at >= ? AND occurred_at < ?"
            f" AND action IN ({marks}) ORDER BY target",
            [user_id, localtime.utc_start_of(start), localtime.utc_start_of(end + timedelta(days=1)), *LOOKUP_ACTIONS],
        )
    ]
