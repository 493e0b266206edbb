"""One-time codes by mail, for activating an account and for a forgotten password.

Codes are HOTP (a per-user secret and counter), 6 digits, valid 10 minutes,
single use, void after 5 wrong tries, at most one new code a minute per
address. Only a salted hash of a code is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

import pyotp

from services import audit, mail, settings_store
from services.accounts import passwords, sessions
from services.accounts.access import actor_for
from services.accounts.users import find_by_email
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput

log = logging.getLogger(__name__)
VALID_FOR = timedelta(minutes=10)
RESEND_AFTER = timedelta(minutes=1)
MAX_WRONG_TRIES = 5
ACTIVATE = "activate"
RESET = "reset"

# The same answer whether or not the address is registered, so the form cannot
# be used to find out who has an account.
CODE_REQUESTED_MESSAGE = (
    "Hvis e-postadressen er registrert hos oss, får du om kort tid en engangskode på e-post. "
    "Koden gjelder i 10 minutter."
)
WRONG_CODE_MESSAGE = "Engangskoden er feil eller utløpt. Be om en ny kode om du ikke har en gyldig kode."


def _hash_code(code: str, salt: str) -> str:
    return salt + "$" + hashlib.sha256((salt + code).encode()).hexdigest()


def _code_matches(code: str, stored: str) -> bool:
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(_hash_code(code, salt), stored)


def _code_mail(purpose: str, code: str, base_url: str) -> tuple[str, str]:
    if purpose == ACTIVATE:
        subject = "Engangskode for å aktivere brukerkontoen i trekklisteportalen"
        action = "aktivere brukerkontoen din"
    else:
        subject = "Engangskode for nytt passord i trekklisteportalen"
        action = "velge nytt passord"
    body = (
        f"Engangskoden din er: {code}\n\n"
        f"Bruk den for å {action} i trekklisteportalen ({base_url}).\n"
        "Koden gjelder i 10 minutter og kan brukes én gang.\n\n"
        "Har du ikke bedt om koden, kan du se bort fra denne e-posten.\n"
    )
    return subject, body


def _day_start(now: datetime) -> datetime:
    return now - timedelta(hours=24)


def request_code(store: Store, *, email: str, purpose: str, now: datetime | None = None) -> str:
    """Mail a new code if the address is registered; returns the answer to show.

    Every address gets the same answer and the same kind of work (one short write);
    the mail itself is delivered in the background. Caps: one code a minute and a few
    a day per account, and a ceiling per hour for all accounts together.
    """
    now = now or utcnow()
    user = find_by_email(store, email=email)
    if user is None or user.deactivated_at is not None:
        store.transaction(lambda tx: audit.record(tx, actor=None, action="code.unknown_address", at=now))
        return CODE_REQUESTED_MESSAGE

    def work(tx: Tx) -> int | None:
        last, today = tx.one(
            "SELECT max(created_at), count(*) FILTER (WHERE created_at > ?) FROM one_time_codes WHERE user_id = ?",
            [_day_start(now), user.id],
        )
        if last is not None and now - last < RESEND_AFTER:
            return None
        if today >= settings_store.numeric(tx, "code_requests_per_day"):
            audit.record(tx, actor=None, action="code.capped", target=user.email, at=now)
            return None
        this_hour = tx.value("SELECT count(*) FROM one_time_codes WHERE created_at > ?", [now - timedelta(hours=1)])
        if this_hour >= settings_store.numeric(tx, "code_requests_per_hour"):
            log.warning("one-time codes: the hourly ceiling for all accounts is reached")
            audit.record(tx, actor=None, action="code.capped_hourly", target=user.email, at=now)
            return None
        secret, counter = tx.one("SELECT otp_secret, otp_counter + 1 FROM users WHERE id = ?", [user.id])
        code = pyotp.HOTP(secret, digits=6).at(counter)
        tx.execute("UPDATE users SET otp_counter = ? WHERE id = ?", [counter, user.id])
        # A new code replaces any earlier one.
        tx.execute(
            "UPDATE one_time_codes SET voided_at = ? WHERE user_id = ? AND used_at IS NULL AND voided_at IS NULL",
            [now, user.id],
        )
        tx.execute(
            "INSERT INTO one_time_codes (user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [user.id, _hash_code(code, secrets.token_hex(8)), now, now + VALID_FOR],
        )
        subject, body = _code_mail(purpose, code, tx.settings.base_url)
        audit.record(tx, actor=None, action=f"code.{purpose}", target=user.email, at=now)
        return mail.enqueue(
            tx, kind=f"code.{purpose}", to=user.email, subject=subject, body=body, deliver_by=now + VALID_FOR
        )

    outbox_id = store.transaction(work)
    if outbox_id is not None:
        mail.dispatch(store, outbox_ids=[outbox_id])
    return CODE_REQUESTED_MESSAGE


def delivery_trouble(store: Store) -> bool:
    """Whether mail is failing lately, for the whole portal: the code page says so."""
    return mail.delivery_trouble(store)


def set_password_with_code(
    store: Store,
    *,
    email: str,
    code: str,
    password: str,
    confirmation: str,
    now: datetime | None = None,
) -> None:
    """Check the code and set the password; activates the account and ends all its sessions.

    An unknown address gets the same answers, in the same order, after the same work
    (the password rules, a hash), as a registered one with a wrong code. A new
    password does not lift a login lock: an attacker who guessed a code still waits.
    """
    now = now or utcnow()
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        raise InvalidInput("Engangskoden er seks sifre.")
    passwords.check_new_password(email=email.strip(), password=password, confirmation=confirmation)
    password_hash = passwords.hash_password(password)
    user = find_by_email(store, email=email)
    if user is None or user.deactivated_at is not None:
        store.transaction(lambda tx: audit.record(tx, actor=None, action="code.unknown_address", at=now))
        raise InvalidInput(WRONG_CODE_MESSAGE)

    def work(tx: Tx) -> bool:
        wrong_today = tx.value(
            "SELECT coalesce(sum(failed_attempts), 0) FROM one_time_codes WHERE user_id = ? AND created_at > ?",
            [user.id, _day_start(now)],
        )
        if wrong_today >= settings_store.numeric(tx, "wrong_codes_per_day"):
            tx.execute(
                "UPDATE one_time_codes SET voided_at = ? WHERE user_id = ? AND used_at IS NULL AND voided_at IS NULL",
                [now, user.id],
            )
            audit.record(tx, actor=None, action="code.capped_wrong", target=user.email, at=now)
            return False
        current = tx.row(
            "SELECT id, code_hash, expires_at, failed_attempts FROM one_time_codes"
            " WHERE user_id = ? AND used_at IS NULL AND voided_at IS NULL ORDER BY id DESC LIMIT 1",
            [user.id],
        )
        if current is None or current[2] <= now:
            audit.record(tx, actor=None, action="code.wrong", target=user.email, at=now)
            return False
        code_id, stored, _, failed = current
        if not _code_matches(code, stored):
            failed += 1
            tx.execute(
                "UPDATE one_time_codes SET failed_attempts = ?, voided_at = ? WHERE id = ?",
                [failed, now if failed >= MAX_WRONG_TRIES else None, code_id],
            )
            audit.record(tx, actor=None, action="code.wrong", target=user.email, at=now)
            return False
        tx.execute("UPDATE one_time_codes SET used_at = ? WHERE id = ?", [now, code_id])
        tx.execute(
            "UPDATE users SET password_hash = ?, activated_at = coalesce(activated_at, ?) WHERE id = ?",
            [password_hash, now, user.id],
        )
        sessions.revoke_all(tx, user_id=user.id, now=now)
        actor = actor_for(tx, user_id=user.id)
        audit.record(tx, actor=actor, action="password.set", target=user.email, at=now)
        return True

    if not store.transaction(work):
        raise InvalidInput(WRONG_CODE_MESSAGE)
