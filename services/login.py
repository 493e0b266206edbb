"""Password login with a lockout kept in the store.

Five failed logins lock the account for 15 minutes. The count and the lock
live in the users table, so a new browser session or a restart keeps them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from services import audit, passwords
from services.access import Actor
from services.db import Store, utcnow
from services.errors import InvalidInput, PortalError
from services.users import normalise_email

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# Checked against when the address is unknown, so both answers take as long.
_DUMMY_HASH = passwords.hash_password("no-such-user-password")


class AccountLocked(PortalError):
    """Too many failed logins; the account waits out the lock."""


LOCKED_MESSAGE = (
    "Kontoen er midlertidig sperret etter fem mislykkede innlogginger. "
    "Prøv igjen om 15 minutter, eller velg nytt passord med «Glemt passord»."
)


def check_password(store: Store, *, email: str, password: str, now: datetime | None = None) -> Actor | None:
    """The user if the password is right; None if not; AccountLocked while locked."""
    now = now or utcnow()
    try:
        address = normalise_email(email)
    except InvalidInput:
        return None
    found = store.row(
        "SELECT id, role, password_hash, activated_at, locked_until FROM users WHERE email = ?", [address]
    )
    if found is None or found[3] is None:
        passwords.verify(password, _DUMMY_HASH)
        store.transaction(lambda tx: _record_attempt(tx, address, None, False, now))
        return None
    user_id, role, password_hash, _, locked_until = found
    if locked_until is not None and locked_until > now:
        raise AccountLocked(LOCKED_MESSAGE)
    ok = passwords.verify(password, password_hash)
    actor = Actor(user_id=user_id, email=address, role=role)

    def work(tx: Store) -> bool:
        _record_attempt(tx, address, user_id, ok, now)
        if ok:
            tx.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user_id])
            audit.record(tx, actor=actor, action="login", at=now)
            return False
        failures = tx.value("SELECT failed_logins + 1 FROM users WHERE id = ?", [user_id])
        locked = failures >= MAX_FAILURES
        tx.execute(
            "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
            [0 if locked else failures, now + LOCK_FOR if locked else None, user_id],
        )
        audit.record(tx, actor=actor, action="login.locked" if locked else "login.failed", at=now)
        return locked

    if store.transaction(work):
        raise AccountLocked(LOCKED_MESSAGE)
    return actor if ok else None


def _record_attempt(tx: Store, email: str, user_id: int | None, succeeded: bool, now: datetime) -> None:
    tx.execute(
        "INSERT INTO login_attempts (email, user_id, succeeded, attempted_at) VALUES (?, ?, ?, ?)",
        [email, user_id, succeeded, now],
    )


def is_locked(store: Store, *, email: str, now: datetime | None = None) -> bool:
    until = store.value("SELECT locked_until FROM users WHERE email = ?", [email.strip().lower()])
    return until is not None and until > (now or utcnow())
