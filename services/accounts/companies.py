"""Companies (employers) and which of them a user may act for."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.no import orgnr as orgnr_check

from services import audit
from services.accounts.access import Actor, require_company
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class Company:
    id: int
    orgnr: str
    name: str


def normalise_orgnr(raw: str) -> str:
    compact = orgnr_check.compact(raw or "")
    if not compact.isdigit() or len(compact) != 9:
        raise InvalidInput(f"Organisasjonsnummeret «{raw}» må ha ni sifre.")
    if not orgnr_check.is_valid(compact):
        raise InvalidInput(f"Organisasjonsnummeret «{raw}» er ikke gyldig (kontrollsifferet stemmer ikke).")
    return compact


def add_company(store: Store, *, actor: Actor, orgnr: str, name: str) -> Company:
    actor.require_staff()
    number = normalise_orgnr(orgnr)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Bedriften må ha et navn.")

    def work(tx: Tx) -> Company:
        if tx.value("SELECT 1 FROM companies WHERE orgnr = ?", [number]):
            raise Conflict(f"En bedrift med organisasjonsnummer {number} er allerede registrert.")
        company_id = tx.value(
            "INSERT INTO companies (orgnr, name, created_at) VALUES (?, ?, ?) RETURNING id",
            [number, name, utcnow()],
        )
        audit.record(tx, actor=actor, action="company.add", company_id=company_id, target=number)
        return Company(company_id, number, name)

    return store.transaction(work)


def by_orgnr(store: Store, *, actor: Actor, orgnr: str) -> Company:
    number = normalise_orgnr(orgnr)
    found = store.row("SELECT id, orgnr, name FROM companies WHERE orgnr = ?", [number])
    if found is None:
        raise NotFound(f"Ingen bedrift med organisasjonsnummer {number} er registrert.")
    require_company(store, actor=actor, company_id=found[0])
    return Company(*found)


def get(store: Store, *, actor: Actor, company_id: int) -> Company:
    require_company(store, actor=actor, company_id=company_id)
    return Company(*store.one("SELECT id, orgnr, name FROM companies WHERE id = ?", [company_id]))


def for_user(store: Store, *, actor: Actor) -> list[Company]:
    """The companies the acting user works for, by name. Staff act for none of them."""
    rows = store.rows(
        "SELECT c.id, c.orgnr, c.name FROM companies c"
        " JOIN user_companies uc ON uc.company_id = c.id"
        " WHERE uc.user_id = ? ORDER BY c.name, c.orgnr",
        [actor.user_id],
    )
    return [Company(*r) for r in rows]


def all_companies(store: Store, *, actor: Actor) -> list[Company]:
    actor.require_staff()
    return [Company(*r) for r in store.rows("SELECT id, orgnr, name FROM companies ORDER BY name, orgnr")]
