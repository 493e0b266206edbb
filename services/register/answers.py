"""The employer's answers for utrukne: members the union expected on a list who were not deducted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services import audit, fields
from services.accounts.access import Actor, require_company
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput, NotFound

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
    """Record the employer's status for each utrukket: {item id: (status, comment)}."""
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

    def work(tx: Tx) -> int:
        # Set-based: three statements however many members are answered at once.
        with tx.staged(("id", "status", "comment"), rows) as given:
            still_open = tx.rows(
                f"SELECT i.id FROM reconciliation_items i JOIN {given} g ON g.id = i.id"
                " WHERE i.company_id = ? AND i.kind = 'utrukket' AND i.closed_at IS NULL",
                [company_id],
            )
            if len(still_open) != len(rows):
                raise NotFound("Medlemmet står ikke lenger som utrukket.")
            tx.execute(
                "UPDATE reconciliation_items SET status = g.status, comment = g.comment, answered_by = ?,"
                f" answered_at = ? FROM {given} g WHERE reconciliation_items.id = g.id",
                [actor.user_id, now],
            )
        audit.record(tx, actor=actor, action="utrukne.answer", company_id=company_id, detail=f"{len(answers)} svar")
        return len(answers)

    return store.transaction(work)
