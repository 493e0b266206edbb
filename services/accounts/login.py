"""Password login with a lockout kept in the store.

Five failed logins lock the account for 15 minutes. The count and the lock
live in the users table, so a new browser session or a restart keeps them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services import audit
from services.accounts import passwords
from services.accounts.access import Actor, actor_for
from services.accounts.users import normalise_email
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput, PortalError

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


class LoginRefused(PortalError):
    """The password may be right, but this account may not log in now."""


class AccountLocked(LoginRefused):
    """Too many failed logins; the account waits out the lock."""


class AccountDeactivated(LoginRefused):
    """The union has deactivated the account."""


DEACTIVATED_MESSAGE = "Brukerkontoen er deaktivert av forbundet. Ta kontakt med forbundet om du skal ha tilgang igjen."


LOCKED_MESSAGE = (
    "Kontoen er midlertidig sperret etter fem mislykkede innlogginger. "
    "Prøv igjen om 15 minutter, eller velg nytt passord med «Glemt passord»."
)


def check_password(store: Store, *, email: str, password: str, now: datetime | None = None) -> Actor | None:
    """The user if the password is right; None if not; AccountLocked while locked.

    The attempt is counted before the slow hash check, in the same transaction that
    checks the lock, so parallel guesses are each counted and none slips past a lock
    another one set; a right password takes its count back afterwards.
    """
    now = now or utcnow()
    try:
        address = normalise_email(email)
    except InvalidInput:
        passwords.dummy_verify(password)
        return None
    found = store.row(
        "SELECT id, role, password_hash, activated_at, deactivated_at FROM users WHERE email = ?", [address]
    )
    if found is None or found[3] is None:
        passwords.dummy_verify(password)
        store.transaction(lambda tx: _record_attempt(tx, address, None, False, now))
        return None
    user_id, role, password_hash, _, deactivated_at = found
    actor = actor_for(store, user_id=user_id)

    def reserve(tx: Tx) -> bool:
        failures, locked_until = tx.one("SELECT failed_logins, locked_until FROM users WHERE id = ?", [user_id])
        if locked_until is not None and locked_until > now:
            _record_attempt(tx, address, user_id, False, now)
            return False
        if failures >= MAX_FAILURES:
            # Enough attempts are already under way to lock the account, whatever this one holds.
            tx.execute("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", [now + LOCK_FOR, user_id])
            _record_attempt(tx, address, user_id, False, now)
            audit.record(tx, actor=actor, action="login.locked", at=now)
            return False
        tx.execute("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?", [user_id])
        return True

    if not store.transaction(reserve):
        passwords.dummy_verify(password)
        raise AccountLocked(LOCKED_MESSAGE)
    ok = passwords.verify(password, password_hash)

    def settle(tx: Tx) -> str:
        failures, locked_until = tx.one("SELECT failed_logins, locked_until FROM users WHERE id = ?", [user_id])
        _record_attempt(tx, address, user_id, ok, now)
        if locked_until is not None and locked_until > now:
            audit.record(tx, actor=actor, action="login.refused_locked", at=now)
            return "locked"
        if ok and deactivated_at is not None:
            tx.execute("UPDATE users SET failed_logins = 0 WHERE id = ?", [user_id])
            audit.record(tx, actor=actor, action="login.refused_deactivated", at=now)
            return "deactivated"
        if ok:
            tx.execute("UPDATE users SET failed_logins = 0 WHERE id = ?", [user_id])
            audit.record(tx, actor=actor, action="login", at=now)
            return "ok"
        if failures >= MAX_FAILURES:
            tx.execute("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", [now + LOCK_FOR, user_id])
            audit.record(tx, actor=actor, action="login.locked", at=now)
            return "locked"
        audit.record(tx, actor=actor, action="login.failed", at=now)
        return "failed"

    outcome = store.transaction(settle)
    if outcome == "locked":
        raise AccountLocked(LOCKED_MESSAGE)
    if outcome == "deactivated":
        raise AccountDeactivated(DEACTIVATED_MESSAGE)
    return actor if outcome == "ok" else None


def _record_attempt(tx: Tx, email: str, user_id: int | None, succeeded: bool, now: datetime) -> None:
    tx.execute(
        "INSERT INTO login_attempts (email, user_id, succeeded, attempted_at) VALUES (?, ?, ?, ?)",
        [email, user_id, succeeded, now],
    )


def is_locked(store: Store, *, email: str, now: datetime | None = None) -> bool:
    until = store.value("SELECT locked_until FROM users WHERE email = ?", [email.strip().lower()])
    return until is not None and until > (now or utcnow())
