"""Correcting what the register says about a member (GDPR art. 16, issue 26).

Staff correct a member's name or fødselsnummer (the birth date follows the number) and say why.
The old value is kept beside the new with the reason, who and when, and every outcome that
depended on who the member is, is reconciled again in the same transaction: a list row that named
the right number now matches the member, one that named the wrong one no longer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services import audit, fields
from services.access import Actor
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput, NotFound
from services.reading import identity, values
from services.register import reconcile

FIELD_WORDS = {"name": "navn", "national_id": "fødselsnummer"}


@dataclass(frozen=True)
class Correction:
    field: str
    old_value: str
    new_value: str
    reason: str
    corrected_by: str | None
    corrected_at: datetime


@dataclass(frozen=True)
class Corrected:
    fields: list[str]
    reconciled: int


# The companies and months whose outcome can change with who the member is: where the member has
# an outcome, and where a list named either the old or the new person (by the stored key).
_OUTCOMES_OF_MEMBER = "SELECT DISTINCT company_id, period FROM reconciliation_items WHERE member_id = ?"
_LISTS_NAMING = """
SELECT DISTINCT s.company_id, s.period, r.period FROM submission_rows r
JOIN submissions s ON s.id = r.submission_id WHERE r.person_key = ?
"""


def correct_member(
    store: Store,
    *,
    actor: Actor,
    member_id: int,
    reason: str,
    name: str | None = None,
    national_id: str | None = None,
    now: datetime | None = None,
) -> Corrected:
    """Correct the given fields (None: unchanged). Everything is checked first, then the member,
    the history and the outcomes are written together."""
    actor.require_staff()
    why = fields.text(reason, field="grunnen til rettelsen", most=fields.COMMENT, required=True)
    new_name = fields.text(name, field="navn", most=fields.NAME, required=True) if name is not None else None
    new_number = None
    if national_id is not None:
        new_number = values.digits_of_national_id(national_id)
        if new_number is None or not values.national_id_valid(new_number):
            raise InvalidInput(f"«{national_id.strip()}» er ikke et gyldig fødselsnummer (11 sifre, kontrollsifre).")
    now = now or utcnow()

    def work(tx: Tx) -> Corrected:
        found = tx.row("SELECT member_no, national_id, birth_date, name FROM members WHERE id = ?", [member_id])
        if found is None:
            raise NotFound("Fant ikke medlemmet.")
        member_no, old_number, old_born, old_name = found
        changes = []
        if new_name is not None and new_name != old_name:
            changes.append(("name", old_name, new_name))
        if new_number is not None and new_number != old_number:
            if tx.value("SELECT member_no FROM members WHERE national_id = ? AND id <> ?", [new_number, member_id]):
                raise Conflict("Et annet medlem har dette fødselsnummeret. Rett det medlemmet først.")
            changes.append(("national_id", old_number, new_number))
        if not changes:
            raise InvalidInput("Ingenting å rette: skriv et nytt navn eller fødselsnummer.")
        number = new_number or old_number
        born = values.birth_date_of_national_id(number)
        person_name = new_name or old_name
        tx.execute(
            "UPDATE members SET national_id = ?, birth_date = ?, name = ?, name_key = ?, updated_at = ? WHERE id = ?",
            [number, born, person_name, identity.name_key(person_name), now, member_id],
        )
        for field, old, new in changes:
            tx.execute(
                "INSERT INTO member_corrections (member_id, field, old_value, new_value, reason, corrected_by,"
                " corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [member_id, field, old, new, why, actor.user_id, now],
            )
        affected = {tuple(r) for r in tx.rows(_OUTCOMES_OF_MEMBER, [member_id])}
        keys = set(identity.member_row_keys(old_number, old_born, old_name))
        keys |= set(identity.member_row_keys(number, born, person_name))
        for key in sorted(keys):
            for company_id, list_period, row_period in tx.rows(_LISTS_NAMING, [key]):
                affected.add((company_id, list_period))
                if row_period is not None:
                    affected.add((company_id, row_period))
        for company_id, period in sorted(affected):
            reconcile.reconcile(tx, company_id=company_id, period=period, now=now)
        # What changed, never the values: the log must not hold a fødselsnummer.
        audit.record(
            tx,
            actor=actor,
            action="member.correct",
            target=member_no,
            detail=", ".join(FIELD_WORDS[f] for f, _, _ in changes),
            at=now,
        )
        return Corrected([f for f, _, _ in changes], len(affected))

    return store.transaction(work)


def corrections(store: Store, *, actor: Actor, member_id: int) -> list[Correction]:
    """The member's corrections, oldest first."""
    actor.require_staff()
    return store.records(
        Correction,
        "SELECT c.field, c.old_value, c.new_value, c.reason, u.email AS corrected_by, c.corrected_at"
        " FROM member_corrections c LEFT JOIN users u ON u.id = c.corrected_by"
        " WHERE c.member_id = ? ORDER BY c.corrected_at, c.id",
        [member_id],
    )
