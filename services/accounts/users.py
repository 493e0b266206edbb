"""Users registered by the union, and their access to companies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services import audit, fields
from services.access import EMPLOYER, STAFF, Actor
from services.accounts import sessions
from services.accounts.companies import by_orgnr
from services.accounts.email_address import normalise_email
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput, NeedsConfirmation, NotFound


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    activated_at: datetime | None
    declaration_version: str | None
    deactivated_at: datetime | None = None

    @property
    def is_staff(self) -> bool:
        return self.role == STAFF


USER_COLUMNS = "id, email, name, role, activated_at, declaration_version, deactivated_at"


def add_user(
    store: Store,
    *,
    actor: Actor,
    email: str,
    name: str,
    staff: bool = False,
    company_orgnrs: Sequence[str] = (),
) -> User:
    actor.require_staff()
    address = normalise_email(email)
    name = fields.text(name, field="navn", most=fields.NAME, required=True)
    # Resolve every company before writing anything.
    companies = [by_orgnr(store, actor=actor, orgnr=o) for o in company_orgnrs]
    role = STAFF if staff else EMPLOYER

    def work(tx: Tx) -> User:
        if tx.value("SELECT 1 FROM users WHERE email = ?", [address]):
            raise Conflict(f"E-postadressen {address} er allerede registrert.")
        now = utcnow()
        user_id = tx.value(
            "INSERT INTO users (email, name, role, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [address, name, role, now],
        )
        for company in companies:
            tx.execute(
                "INSERT INTO user_companies (user_id, company_id, granted_at) VALUES (?, ?, ?)",
                [user_id, company.id, now],
            )
        audit.record(tx, actor=actor, action="user.add", target=address, detail=role)
        for company in companies:
            audit.record(tx, actor=actor, action="access.grant", company_id=company.id, target=address)
        return User(user_id, address, name, role, None, None)

    return store.transaction(work)


def find_by_email(store: Store, *, email: str) -> User | None:
    try:
        address = normalise_email(email)
    except InvalidInput:
        return None
    return store.record(User, f"SELECT {USER_COLUMNS} FROM users WHERE email = ?", [address])


def get(store: Store, *, user_id: int) -> User:
    found = store.record(User, f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id])
    if found is None:
        raise NotFound("Brukeren finnes ikke.")
    return found


def _require_user(store: Store, email: str) -> User:
    user = find_by_email(store, email=email)
    if user is None:
        raise NotFound(f"Ingen bruker med e-post {email.strip()} er registrert.")
    return user


def grant(store: Store, *, actor: Actor, email: str, orgnr: str) -> bool:
    """Give the user access to the company; False when they already had it."""
    actor.require_staff()
    user = _require_user(store, email)
    company = by_orgnr(store, actor=actor, orgnr=orgnr)

    def work(tx: Tx) -> bool:
        if tx.value("SELECT 1 FROM user_companies WHERE user_id = ? AND company_id = ?", [user.id, company.id]):
            return False
        tx.execute(
            "INSERT INTO user_companies (user_id, company_id, granted_at) VALUES (?, ?, ?)",
            [user.id, company.id, utcnow()],
        )
        audit.record(tx, actor=actor, action="access.grant", company_id=company.id, target=user.email)
        return True

    return store.transaction(work)


def revoke(store: Store, *, actor: Actor, email: str, orgnr: str) -> bool:
    """Take the user's access to the company away; False when they had none."""
    actor.require_staff()
    user = _require_user(store, email)
    company = by_orgnr(store, actor=actor, orgnr=orgnr)

    def work(tx: Tx) -> bool:
        if not tx.value("SELECT 1 FROM user_companies WHERE user_id = ? AND company_id = ?", [user.id, company.id]):
            return False
        tx.execute("DELETE FROM user_companies WHERE user_id = ? AND company_id = ?", [user.id, company.id])
        audit.record(tx, actor=actor, action="access.revoke", company_id=company.id, target=user.email)
        return True

    return store.transaction(work)


def update_user(
    store: Store, *, actor: Actor, user_id: int, name: str, email: str, company_ids: Sequence[int] | None = None
) -> User:
    """Staff correct a user's name and e-mail, and (for an employer) set exactly which companies they
    act for. A new e-mail address ends the user's sessions: the login was under the old one."""
    actor.require_staff()
    user = _by_id(store, user_id)
    address = normalise_email(email)
    name = fields.text(name, field="brukerens navn", most=fields.NAME, required=True)
    wanted = None if company_ids is None or user.role == STAFF else set(company_ids)
    now = utcnow()

    def work(tx: Tx) -> User:
        if tx.value("SELECT 1 FROM users WHERE email = ? AND id <> ?", [address, user_id]):
            raise Conflict(f"E-postadressen {address} er allerede registrert på en annen bruker.")
        tx.execute("UPDATE users SET name = ?, email = ? WHERE id = ?", [name, address, user_id])
        if address != user.email:
            sessions.revoke_all(tx, user_id=user_id, now=now)
        audit.record(
            tx,
            actor=actor,
            action="user.update",
            target=address,
            detail="ny e-post" if address != user.email else "navn",
            at=now,
        )
        if wanted is not None:
            known = {
                r[0]
                for r in tx.rows("SELECT id FROM companies WHERE id IN (SELECT unnest(?::INTEGER[]))", [sorted(wanted)])
            }
            if known != wanted:
                raise NotFound("En av bedriftene finnes ikke.")
            having = {r[0] for r in tx.rows("SELECT company_id FROM user_companies WHERE user_id = ?", [user_id])}
            for company_id in sorted(wanted - having):
                tx.execute(
                    "INSERT INTO user_companies (user_id, company_id, granted_at) VALUES (?, ?, ?)",
                    [user_id, company_id, now],
                )
                audit.record(tx, actor=actor, action="access.grant", company_id=company_id, target=address, at=now)
            for company_id in sorted(having - wanted):
                tx.execute("DELETE FROM user_companies WHERE user_id = ? AND company_id = ?", [user_id, company_id])
                audit.record(tx, actor=actor, action="access.revoke", company_id=company_id, target=address, at=now)
        return User(*tx.one(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id]))

    return store.transaction(work)


def _by_id(store: Store, user_id: int) -> User:
    found = store.record(User, f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", [user_id])
    if found is None:
        raise NotFound("Brukeren finnes ikke.")
    return found


def deactivate(store: Store, *, actor: Actor, user_id: int) -> None:
    """The user can no longer log in, and every open session ends now."""
    actor.require_staff()
    user = _by_id(store, user_id)
    if user.id == actor.user_id:
        raise InvalidInput("Du kan ikke deaktivere din egen bruker.")
    now = utcnow()

    def work(tx: Tx) -> None:
        tx.execute("UPDATE users SET deactivated_at = coalesce(deactivated_at, ?) WHERE id = ?", [now, user.id])
        sessions.revoke_all(tx, user_id=user.id, now=now)
        audit.record(tx, actor=actor, action="user.deactivate", target=user.email, at=now)

    store.transaction(work)


def reactivate(store: Store, *, actor: Actor, user_id: int) -> None:
    actor.require_staff()
    user = _by_id(store, user_id)

    def work(tx: Tx) -> None:
        tx.execute("UPDATE users SET deactivated_at = NULL WHERE id = ?", [user.id])
        audit.record(tx, actor=actor, action="user.reactivate", target=user.email)

    store.transaction(work)


def remove_staff_rights(store: Store, *, actor: Actor, user_id: int) -> None:
    """A staff user becomes an ordinary user with no companies; open sessions end, so the
    rights go at once."""
    actor.require_staff()
    user = _by_id(store, user_id)
    if user.id == actor.user_id:
        raise InvalidInput("Du kan ikke fjerne dine egne rettigheter.")
    if not user.is_staff:
        raise InvalidInput(f"{user.email} har ikke forbundets rettigheter.")
    now = utcnow()

    def work(tx: Tx) -> None:
        tx.execute("UPDATE users SET role = ? WHERE id = ?", [EMPLOYER, user.id])
        sessions.revoke_all(tx, user_id=user.id, now=now)
        audit.record(tx, actor=actor, action="user.remove_staff", target=user.email, at=now)

    store.transaction(work)


# Every record that names the user as the one who did something: the user is then kept
# (deactivated), since deleting would leave it naming nobody (PostgreSQL's foreign keys refuse).
ACTED_BY = (
    ("submissions", "submitted_by"),
    ("submissions", "manual_done_by"),
    ("reconciliation_items", "answered_by"),
    ("reconciliation_items", "handled_by"),
    ("utrukket_answers", "answered_by"),
    ("letters", "created_by"),
    ("letters", "withdrawn_by"),
    ("letter_downloads", "user_id"),
    ("reminders", "sent_by"),
    ("column_layouts", "saved_by"),
    ("member_corrections", "corrected_by"),
)
# What is the user's own and goes with the user (by `user_id`).
REMOVED_WITH_USER = ("user_companies", "sessions", "second_factors", "recovery_codes")
ACTED_SQL = "SELECT " + " + ".join(f"(SELECT count(*) FROM {t} WHERE {c} = ?)" for t, c in ACTED_BY)


def delete(store: Store, *, actor: Actor, user_id: int) -> None:
    """Delete a user no record names as the one who did something (`ACTED_BY`); others are
    deactivated instead, so what they did stays attributed."""
    actor.require_staff()
    user = _by_id(store, user_id)
    if user.id == actor.user_id:
        raise InvalidInput("Du kan ikke slette din egen bruker.")

    def work(tx: Tx) -> None:
        acted = tx.value(ACTED_SQL, [user.id] * len(ACTED_BY))
        if acted:
            raise Conflict(
                f"{user.email} har sendt, svart på, lastet ned eller lagret noe i portalen og kan ikke slettes."
                " Deaktiver brukeren i stedet."
            )
        for table in REMOVED_WITH_USER:
            tx.execute(f"DELETE FROM {table} WHERE user_id = ?", [user.id])
        tx.execute("DELETE FROM access_codes WHERE email = ?", [user.email])
        tx.execute("DELETE FROM users WHERE id = ?", [user.id])
        audit.record(tx, actor=actor, action="user.delete", target=user.email)

    store.transaction(work)


INVITATION_SUBJECT = "Du er registrert i trekklisteportalen"


INVITATIONS_A_DAY = 3


def invite(store: Store, *, actor: Actor, user_id: int, confirmed: bool = False) -> int:
    """Mail the user how to activate the account: the portal's address and the button to press.
    No code and no password: the user asks for a code on the login page. Returns the outbox id.
    Past three invitations to the address in a day, `confirmed` is needed: NeedsConfirmation says
    when the last one went."""
    from services import mail
    from services.localtime import shown

    actor.require_staff()
    user = _by_id(store, user_id)
    if user.deactivated_at is not None:
        raise InvalidInput(f"{user.email} er deaktivert og får ingen invitasjon.")
    if user.activated_at is not None:
        raise InvalidInput(f"{user.email} har allerede aktivert kontoen.")

    def work(tx: Tx) -> int:
        today, last = tx.one(
            "SELECT count(*), max(created_at) FROM outbox WHERE kind = 'invite' AND to_addr = ? AND created_at > ?",
            [user.email, utcnow() - timedelta(days=1)],
        )
        if today >= INVITATIONS_A_DAY and not confirmed:
            raise NeedsConfirmation(
                f"{user.email} har fått {today} invitasjoner det siste døgnet, den siste {shown(last)}. "
                "Vil du sende en til?"
            )
        if today >= INVITATIONS_A_DAY:
            audit.record(tx, actor=actor, action="user.invite.again", target=user.email, detail=str(today))
        body = (
            "Du er registrert som bruker av trekklisteportalen, der arbeidsgivere sender trekklister til "
            "forbundet.\n\n"
            f"Gå til {tx.settings.base_url} og trykk «Klikk her for å aktivere din brukerkonto». Du får da en "
            "engangskode på e-post, og velger et passord.\n\n"
            "Har du ikke ventet denne e-posten, kan du se bort fra den.\n"
        )
        outbox_id = mail.enqueue(tx, kind="invite", to=user.email, subject=INVITATION_SUBJECT, body=body)
        audit.record(tx, actor=actor, action="user.invite", target=user.email)
        return outbox_id

    outbox_id = store.transaction(work)
    mail.dispatch(store, outbox_ids=[outbox_id])
    return outbox_id


def all_users(store: Store, *, actor: Actor) -> list[User]:
    """Every user, for the staff's choice of whom to change."""
    actor.require_staff()
    return store.records(User, f"SELECT {USER_COLUMNS} FROM users ORDER BY email")


def company_ids(store: Store, *, actor: Actor, user_id: int) -> list[int]:
    """The companies a user acts for, for the staff's edit form."""
    actor.require_staff()
    return [r[0] for r in store.rows("SELECT company_id FROM user_companies WHERE user_id = ? ORDER BY 1", [user_id])]


def employer_emails(store: Store, *, company_id: int) -> list[str]:
    """The addresses of the company's own users: who a notice about the company goes to."""
    return [
        r[0]
        for r in store.rows(
            "SELECT u.email FROM users u JOIN user_companies uc ON uc.user_id = u.id"
            " WHERE uc.company_id = ? AND u.role = 'employer' AND u.deactivated_at IS NULL ORDER BY u.email",
            [company_id],
        )
    ]


@dataclass(frozen=True)
class UserOverview:
    id: int
    email: str
    name: str
    is_staff: bool
    activated: bool
    may_log_in: bool
    companies: list[str]


def overview(store: Store, *, actor: Actor) -> list[UserOverview]:
    """Every user with state and companies, for the staff page."""
    actor.require_staff()
    audit.viewed(store, actor=actor, action="users.view")
    rows = store.rows(
        "SELECT u.id, u.email, u.name, u.role = 'staff', u.activated_at IS NOT NULL, u.deactivated_at IS NULL,"
        " array_agg(c.name ORDER BY c.name) FILTER (WHERE c.name IS NOT NULL)"
        " FROM users u LEFT JOIN user_companies uc ON uc.user_id = u.id"
        " LEFT JOIN companies c ON c.id = uc.company_id"
        " GROUP BY u.id, u.email, u.name, u.role, u.activated_at, u.deactivated_at ORDER BY u.email"
    )
    return [
        UserOverview(user_id, email, name, staff, activated, active, companies or [])
        for user_id, email, name, staff, activated, active, companies in rows
    ]
