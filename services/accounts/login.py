"""Password login, with failed logins counted for every address alike.

Failures are counted per address from one source (five lock that pair for 15 minutes), per
source over all addresses (a cap an hour), and per address over all sources (a growing delay, at
most `MAX_DELAY`, and one mail to the owner a day while it is being guessed at). Unknown, not
activated, activated and deactivated addresses get the same answers, counts and work, so the
lockout tells nothing about who has an account; and since a lock holds one source only, a flood
from one source cannot lock the owner out from another.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from services import audit, mail, settings_store
from services.access import Actor, actor_for
from services.accounts import passwords, throttle
from services.accounts.email_address import normalise_email
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput, PortalError

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SOURCE_WINDOW = timedelta(hours=1)
ADDRESS_WINDOW = timedelta(minutes=15)
# Failures of an address from every source before each further try waits, and the longest wait.
FREE_FAILURES = 5
MAX_DELAY = 0.8
ALERT_AFTER = 10
ALERT_EVERY = timedelta(days=1)


class LoginRefused(PortalError):
    """The password may be right, but this account may not log in now."""


class AccountLocked(LoginRefused):
    """Too many failed logins; the account waits out the lock."""


class AccountDeactivated(LoginRefused):
    """The union has deactivated the account."""


DEACTIVATED_MESSAGE = "Brukerkontoen er deaktivert av forbundet. Ta kontakt med forbundet om du skal ha tilgang igjen."


LOCKED_MESSAGE = (
    "Innloggingen er midlertidig sperret etter fem mislykkede forsøk. "
    "Prøv igjen om 15 minutter, eller velg nytt passord med «Glemt passord»."
)
ALERT_SUBJECT = "Noen prøver å logge inn på brukeren din i trekklisteportalen"
ALERT_BODY = (
    "Det har vært mange mislykkede forsøk på å logge inn på brukeren din i trekklisteportalen "
    "det siste kvarteret.\n\n"
    "Var det deg, kan du se bort fra denne e-posten. Var det ikke deg, er passordet ditt fortsatt trygt "
    "så lenge ingen andre kjenner det: innloggingen sperres etter fem feil fra samme sted. "
    "Er du i tvil, velg et nytt passord med «Glemt passord» på innloggingssiden ({base_url}).\n"
)


def _address(email: str) -> str:
    try:
        return normalise_email(email)
    except InvalidInput:
        return (email or "").strip().lower()[:320]


def _lock(tx: Tx, pair: str, now: datetime) -> None:
    tx.execute(
        "UPDATE login_throttle SET failures = 0, window_start = ?, locked_until = ?"
        " WHERE scope = 'pair' AND subject = ?",
        [now, now + LOCK_FOR, pair],
    )


def _pair(address: str, source: str) -> str:
    """The counter of one address tried from one source."""
    return f"{address}\n{source}"


def delay_for(failures: int) -> float:
    """How long a try waits when the address has failed `failures` times lately, from anywhere."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(0.05 * 2 ** (failures - FREE_FAILURES), MAX_DELAY)


def check_password(
    store: Store, *, email: str, password: str, source: str = "", now: datetime | None = None
) -> Actor | None:
    """The user if the password is right; None if not; AccountLocked while this address is locked
    from this source, or this source has failed too often.

    The attempt is counted before the slow hash check, in the same transaction that checks the
    locks, so parallel guesses are each counted and none slips past a lock another one set; a
    right password takes its counts back afterwards.
    """
    now = now or utcnow()
    address = _address(email)
    pair = _pair(address, source)
    found = store.row("SELECT id, password_hash, deactivated_at FROM users WHERE email = ?", [address])
    user_id, password_hash, deactivated_at = found if found else (None, None, None)
    actor = actor_for(store, user_id=user_id) if user_id is not None else None

    def reserve(tx: Tx) -> float | None:
        from_source, _ = throttle.count(tx, "source", source, SOURCE_WINDOW, now)
        if from_source >= settings_store.numeric(tx, "login_failures_per_source_hour"):
            _record_attempt(tx, address, user_id, False, now)
            audit.record(tx, actor=None, action="login.capped_source", target=address, at=now)
            return None
        failures, locked_until = throttle.count(tx, "pair", pair, LOCK_FOR, now)
        if locked_until is not None and locked_until > now:
            _record_attempt(tx, address, user_id, False, now)
            return None
        if failures >= MAX_FAILURES:
            # Enough attempts are already under way to lock, whatever this one holds.
            _lock(tx, pair, now)
            _record_attempt(tx, address, user_id, False, now)
            audit.record(tx, actor=None, action="login.locked", target=address, at=now)
            return None
        throttle.bump(tx, "pair", pair, LOCK_FOR, now)
        throttle.bump(tx, "address", address, ADDRESS_WINDOW, now)
        throttle.bump(tx, "source", source, SOURCE_WINDOW, now)
        return delay_for(throttle.count(tx, "address", address, ADDRESS_WINDOW, now)[0])

    delay = store.transaction(reserve)
    if delay is None:
        passwords.dummy_verify(password, rounds=store.settings.bcrypt_rounds)
        raise AccountLocked(LOCKED_MESSAGE)
    time.sleep(delay)
    if password_hash:
        ok = passwords.verify(password, password_hash)
    else:
        passwords.dummy_verify(password, rounds=store.settings.bcrypt_rounds)
        ok = False

    def settle(tx: Tx) -> tuple[str, int | None]:
        _record_attempt(tx, address, user_id, ok, now)
        failures, locked_until = throttle.count(tx, "pair", pair, LOCK_FOR, now)
        if locked_until is not None and locked_until > now:
            audit.record(tx, actor=actor, action="login.refused_locked", target=address, at=now)
            return "locked", None
        if ok:
            throttle.clear(tx, "pair", pair)
            throttle.take_back(tx, "address", address)
            throttle.take_back(tx, "source", source)
            if deactivated_at is not None:
                audit.record(tx, actor=actor, action="login.refused_deactivated", at=now)
                return "deactivated", None
            audit.record(tx, actor=actor, action="login", at=now)
            return "ok", None
        outbox_id = _alert_if_guessed(tx, address, now)
        if failures >= MAX_FAILURES:
            _lock(tx, pair, now)
            audit.record(tx, actor=actor, action="login.locked", target=address, at=now)
            return "locked", outbox_id
        audit.record(tx, actor=actor, action="login.failed", target=address, at=now)
        return "failed", outbox_id

    outcome, outbox_id = store.transaction(settle)
    if outbox_id is not None:
        mail.dispatch(store, outbox_ids=[outbox_id])
    if outcome == "locked":
        raise AccountLocked(LOCKED_MESSAGE)
    if outcome == "deactivated":
        raise AccountDeactivated(DEACTIVATED_MESSAGE)
    return actor if outcome == "ok" else None


def _alert_if_guessed(tx: Tx, address: str, now: datetime) -> int | None:
    """One mail a day to the owner while the address is being guessed at. Queued for every address
    alike; the courier drops a mail to an address no user has."""
    failures, _ = throttle.count(tx, "address", address, ADDRESS_WINDOW, now)
    if failures < ALERT_AFTER:
        return None
    alerted = tx.value("SELECT alerted_at FROM login_throttle WHERE scope = 'address' AND subject = ?", [address])
    if alerted is not None and alerted > now - ALERT_EVERY:
        return None
    tx.execute("UPDATE login_throttle SET alerted_at = ? WHERE scope = 'address' AND subject = ?", [now, address])
    audit.record(tx, actor=None, action="login.alert", target=address, at=now)
    return mail.enqueue(
        tx,
        kind=mail.LOGIN_ALERT,
        to=address,
        subject=ALERT_SUBJECT,
        body=ALERT_BODY.format(base_url=tx.settings.base_url),
    )


def _record_attempt(tx: Tx, email: str, user_id: int | None, succeeded: bool, now: datetime) -> None:
    tx.execute(
        "INSERT INTO login_attempts (email, user_id, succeeded, attempted_at) VALUES (?, ?, ?, ?)",
        [email, user_id, succeeded, now],
    )


def is_locked(store: Store, *, email: str, source: str = "", now: datetime | None = None) -> bool:
    """Whether the address is locked from `source`."""
    until = store.value(
        "SELECT locked_until FROM login_throttle WHERE scope = 'pair' AND subject = ?",
        [_pair(_address(email), source)],
    )
    return until is not None and until > (now or utcnow())
