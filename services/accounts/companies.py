"""Companies (employers) and which of them a user may act for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.no import orgnr as orgnr_check

from services import audit, fields
from services.access import Actor, require_company
from services.accounts.email_address import normalise_email
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class Company:
    id: int
    orgnr: str
    name: str


def normalise_orgnr(raw: str) -> str:
    compact = orgnr_check.compact(fields.text(raw, field="organisasjonsnummer", most=40, required=True))
    if not compact.isdigit() or len(compact) != 9:
        raise InvalidInput(f"Organisasjonsnummeret «{raw}» må ha ni sifre.")
    if not orgnr_check.is_valid(compact):
        raise InvalidInput(f"Organisasjonsnummeret «{raw}» er ikke gyldig (kontrollsifferet stemmer ikke).")
    return compact


def add_company(store: Store, *, actor: Actor, orgnr: str, name: str) -> Company:
    actor.require_staff()
    number = normalise_orgnr(orgnr)
    name = fields.text(name, field="bedriftens navn", most=fields.NAME, required=True)

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


# The first period a company is expected to send: the start staff set, else its first list, else
# the month it was added to the portal. `START_SQL` is read from `COMPANIES_WITH_START`: the
# companies as `c`, each with its first list joined once (a subquery per row was run once per
# company and period on «Oversikt», 24 000 times at union scale).
COMPANIES_WITH_START = (
    "companies c LEFT JOIN (SELECT company_id, min(period) AS first_period FROM submissions GROUP BY company_id)"
    " first_list ON first_list.company_id = c.id"
)
START_SQL = "coalesce(c.active_from, first_list.first_period, CAST(date_trunc('month', c.created_at) AS DATE))"


def start_period(store: Store, *, company_id: int) -> date:
    return store.one(f"SELECT {START_SQL} FROM {COMPANIES_WITH_START} WHERE c.id = ?", [company_id])[0]


@dataclass(frozen=True)
class CompanyDetails:
    id: int
    orgnr: str
    name: str
    contact_emails: list[str]
    active_from: date | None


def details(store: Store, *, actor: Actor, company_id: int) -> CompanyDetails:
    actor.require_staff()
    found = store.row("SELECT id, orgnr, name, contact_emails, active_from FROM companies WHERE id = ?", [company_id])
    if found is None:
        raise NotFound("Bedriften finnes ikke.")
    company_id, number, name, contacts, active_from = found
    return CompanyDetails(company_id, number, name, [c for c in (contacts or "").split(",") if c], active_from)


def update_company(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    name: str,
    orgnr: str,
    contact_emails: str = "",
    active_from: date | None = None,
) -> CompanyDetails:
    """Staff correct a company's name or org nr, its contact addresses (comma or line separated)
    and the period it started sending through the portal."""
    actor.require_staff()
    number = normalise_orgnr(orgnr)
    name = fields.text(name, field="bedriftens navn", most=fields.NAME, required=True)
    contacts = [normalise_email(c) for c in contact_emails.replace("\n", ",").split(",") if c.strip()]
    if len(contacts) > 10:
        raise InvalidInput("Høyst ti kontaktadresser.")
    start = active_from.replace(day=1) if active_from else None

    def work(tx: Tx) -> CompanyDetails:
        before = tx.row("SELECT orgnr, name FROM companies WHERE id = ?", [company_id])
        if before is None:
            raise NotFound("Bedriften finnes ikke.")
        if tx.value("SELECT 1 FROM companies WHERE orgnr = ? AND id <> ?", [number, company_id]):
            raise Conflict(f"En annen bedrift har organisasjonsnummer {number}.")
        tx.execute(
            "UPDATE companies SET orgnr = ?, name = ?, contact_emails = ?, active_from = ? WHERE id = ?",
            [number, name, ",".join(dict.fromkeys(contacts)) or None, start, company_id],
        )
        changed = [what for what, old, new in (("orgnr", before[0], number), ("navn", before[1], name)) if old != new]
        audit.record(
            tx,
            actor=actor,
            action="company.update",
            company_id=company_id,
            target=number,
            detail=", ".join(changed + ["kontakter", "aktiv fra"]),
        )
        return CompanyDetails(company_id, number, name, list(dict.fromkeys(contacts)), start)

    return store.transaction(work)


def by_orgnr(store: Store, *, actor: Actor, orgnr: str) -> Company:
    number = normalise_orgnr(orgnr)
    found = store.record(Company, "SELECT id, orgnr, name FROM companies WHERE orgnr = ?", [number])
    if found is None:
        raise NotFound(f"Ingen bedrift med organisasjonsnummer {number} er registrert.")
    require_company(store, actor=actor, company_id=found.id)
    return found


def get(store: Store, *, actor: Actor, company_id: int) -> Company:
    require_company(store, actor=actor, company_id=company_id)
    found = store.record(Company, "SELECT id, orgnr, name FROM companies WHERE id = ?", [company_id])
    if found is None:
        raise NotFound("Bedriften finnes ikke.")
    return found


def for_user(store: Store, *, actor: Actor) -> list[Company]:
    """The companies the acting user works for, by name. Staff act for none of them."""
    return store.records(
        Company,
        "SELECT c.id, c.orgnr, c.name FROM companies c"
        " JOIN user_companies uc ON uc.company_id = c.id"
        " WHERE uc.user_id = ? ORDER BY c.name, c.orgnr",
        [actor.user_id],
    )


def all_companies(store: Store, *, actor: Actor) -> list[Company]:
    actor.require_staff()
    return store.records(Company, "SELECT id, orgnr, name FROM companies ORDER BY name, orgnr")
