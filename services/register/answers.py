"""The employer's answers for utrukne: members the union expected on a list who were not deducted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services import audit, fields
from services.access import Actor, require_company
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput, NotFound

STATUSES = {"ansatt": "Ansatt", "permittert": "Permittert", "sluttet": "Sluttet i bedrift", "annet": "Annet"}


@dataclass(frozen=True)
class Utrukket:
    id: int
    birth_date: date | None
    name: str
    period: date
    status: str | None
    comment: str | None
    answered_by: str | None
    answered_at: datetime | None
    # Answered and handled by the union: the answer can no longer be changed.
    settled: bool = False


OPEN, ANSWERED, ALL = "open", "answered", "all"
PAGE_SIZE = 50


@dataclass(frozen=True)
class UtrukneView:
    """One page of the company's utrukne, with what the filters can offer."""

    items: list[Utrukket]
    total: int
    periods: list[date]
    open_total: int


@dataclass(frozen=True)
class AnswerGiven:
    """One answer as it was given, kept when a later answer replaces it."""

    item_id: int
    name: str
    period: date
    status: str
    comment: str | None
    answered_by: str | None
    answered_at: datetime


def utrukne(store: Store, *, actor: Actor, company_id: int, answered: bool) -> list[Utrukket]:
    """The company's open utrukne (answered=False) or those answered and not yet closed."""
    require_company(store, actor=actor, company_id=company_id)
    rows = store.rows(
        "SELECT i.id, i.birth_date, i.name, i.period, i.status, i.comment, u.name, i.answered_at"
        " FROM reconciliation_items i LEFT JOIN users u ON u.id = i.answered_by"
        " WHERE i.company_id = ? AND i.kind = 'utrukket' AND i.closed_at IS NULL AND (i.status IS NOT NULL) = ?"
        " ORDER BY i.period DESC, i.name",
        [company_id, answered],
    )
    audit.viewed(
        store, actor=actor, action="utrukne.view", company_id=company_id, target="answered" if answered else "open"
    )
    return [Utrukket(*r) for r in rows]


def utrukne_page(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    show: str = ALL,
    period: date | None = None,
    search: str = "",
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> UtrukneView:
    """The company's utrukne not closed by a later list, open ones first, a page at a time:
    `show` is OPEN (no answer yet), ANSWERED or ALL; `search` matches the name."""
    require_company(store, actor=actor, company_id=company_id)
    where = ["i.company_id = ?", "i.kind = 'utrukket'", "i.closed_at IS NULL"]
    params: list = [company_id]
    if show == OPEN:
        where.append("i.status IS NULL")
    elif show == ANSWERED:
        where.append("i.status IS NOT NULL")
    if period is not None:
        where.append("i.period = ?")
        params.append(period)
    if search.strip():
        where.append("lower(i.name) LIKE ?")
        params.append("%" + search.strip().lower().replace("%", "").replace("_", "") + "%")
    clause = " AND ".join(where)
    total = store.value(f"SELECT count(*) FROM reconciliation_items i WHERE {clause}", params)
    rows = store.rows(
        "SELECT i.id, i.birth_date, i.name, i.period, i.status, i.comment, u.name, i.answered_at,"
        " i.handled_at IS NOT NULL AND i.status IS NOT NULL"
        f" FROM reconciliation_items i LEFT JOIN users u ON u.id = i.answered_by WHERE {clause}"
        " ORDER BY i.status IS NOT NULL, i.period DESC, i.name, i.id LIMIT ? OFFSET ?",
        [*params, page_size, page * page_size],
    )
    periods = [
        r[0]
        for r in store.rows(
            "SELECT DISTINCT period FROM reconciliation_items WHERE company_id = ? AND kind = 'utrukket'"
            " AND closed_at IS NULL ORDER BY period DESC",
            [company_id],
        )
    ]
    audit.viewed(store, actor=actor, action="utrukne.view", company_id=company_id, target=show)
    return UtrukneView(
        [Utrukket(*r) for r in rows], total, periods, open_count(store, actor=actor, company_id=company_id)
    )


def history(store: Store, *, actor: Actor, company_id: int) -> list[AnswerGiven]:
    """Every answer given for the company's utrukne still shown, newest first: what was said
    before a change as well as the answer that stands."""
    require_company(store, actor=actor, company_id=company_id)
    rows = store.rows(
        "SELECT a.item_id, i.name, i.period, a.status, a.comment, u.name, a.answered_at"
        " FROM utrukket_answers a JOIN reconciliation_items i ON i.id = a.item_id"
        " LEFT JOIN users u ON u.id = a.answered_by"
        " WHERE a.company_id = ? AND i.company_id = ? AND i.closed_at IS NULL"
        " ORDER BY a.answered_at DESC, a.id DESC",
        [company_id, company_id],
    )
    audit.viewed(store, actor=actor, action="utrukne.history", company_id=company_id, target="history")
    return [AnswerGiven(*r) for r in rows]


def open_count(store: Store, *, actor: Actor, company_id: int) -> int:
    """How many utrukne wait for the employer's answer (a count, no personal data)."""
    require_company(store, actor=actor, company_id=company_id)
    return store.value(
        "SELECT count(*) FROM reconciliation_items WHERE company_id = ? AND kind = 'utrukket'"
        " AND closed_at IS NULL AND status IS NULL",
        [company_id],
    )


def answer(
    store: Store, *, actor: Actor, company_id: int, answers: dict[int, tuple[str, str]], now: datetime | None = None
) -> int:
    """Record the employer's status for each utrukket: {item id: (status, comment)}. An answer
    may be changed until the union has handled the item; every answer is kept in the history.
    Returns how many answers were new or changed."""
    require_company(store, actor=actor, company_id=company_id)
    if not answers:
        raise InvalidInput("Velg status for minst ett medlem før du sender.")
    for status, comment in answers.values():
        if status not in STATUSES:
            raise InvalidInput("Velg en status: Ansatt, Permittert, Sluttet i bedrift eller Annet.")
        if status == "annet" and not (comment or "").strip():
            raise InvalidInput("Skriv en kommentar når du velger «Annet».")
        fields.text(comment, field="kommentaren", most=fields.COMMENT)
    now = now or utcnow()

    rows = [(item_id, status, (comment or "").strip() or None) for item_id, (status, comment) in answers.items()]
    return store.transaction(lambda tx: _record(tx, actor=actor, company_id=company_id, rows=rows, now=now))


def answer_members_in(
    tx: Tx, *, actor: Actor, company_id: int, period: date, given: dict[int, tuple[str, str]], now: datetime
) -> int:
    """Within a list's own transaction: the status of each member the sender says was not
    deducted, {member id: (status, comment)}, recorded on the member's utrukket item the list made."""
    items = dict(
        tx.rows(
            "SELECT member_id, id FROM reconciliation_items WHERE company_id = ? AND period = ?"
            " AND kind = 'utrukket' AND closed_at IS NULL AND member_id IN (SELECT unnest(?::INTEGER[]))",
            [company_id, period, list(given)],
        )
    )
    rows = [
        (items[member_id], status, (comment or "").strip() or None)
        for member_id, (status, comment) in given.items()
        if member_id in items
    ]
    return _record(tx, actor=actor, company_id=company_id, rows=rows, now=now) if rows else 0


def _record(tx: Tx, *, actor: Actor, company_id: int, rows: list[tuple], now: datetime) -> int:
    # Set-based: a handful of statements however many members are answered at once.
    with tx.staged(("id", "status", "comment"), rows) as given:
        found = tx.rows(
            "SELECT i.id, i.handled_at IS NOT NULL AND i.status IS NOT NULL"
            f" FROM reconciliation_items i JOIN {given} g ON g.id = i.id"
            " WHERE i.company_id = ? AND i.kind = 'utrukket' AND i.closed_at IS NULL",
            [company_id],
        )
        if len(found) != len(rows):
            raise NotFound("Medlemmet står ikke lenger som utrukket.")
        # A first answer is always welcome; a given one stands once the union has handled it.
        if any(settled for _, settled in found):
            raise Conflict("Forbundet har allerede behandlet svaret, og det kan ikke endres. Ta kontakt med forbundet.")
        # Only what differs from the answer that stands is a new answer.
        changed = f"""(SELECT g.* FROM {given} g JOIN reconciliation_items i ON i.id = g.id
             WHERE i.status IS DISTINCT FROM g.status OR i.comment IS DISTINCT FROM g.comment)"""
        count = tx.value(f"SELECT count(*) FROM {changed} c")
        tx.execute(
            "INSERT INTO utrukket_answers (item_id, company_id, status, comment, answered_by, answered_at)"
            f" SELECT c.id, ?, c.status, c.comment, ?, ? FROM {changed} c",
            [company_id, actor.user_id, now],
        )
        tx.execute(
            "UPDATE reconciliation_items SET status = c.status, comment = c.comment, answered_by = ?,"
            f" answered_at = ? FROM {changed} c WHERE reconciliation_items.id = c.id",
            [actor.user_id, now],
        )
    audit.record(tx, actor=actor, action="utrukne.answer", company_id=company_id, detail=f"{count} svar")
    return count
