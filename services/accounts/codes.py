"""One-time codes by mail, for activating an account and for a forgotten password.

A code is random (`secrets`), 6 digits, valid 10 minutes, single use, void after 5 wrong tries,
at most one new code a minute per address. It exists only in the mail: the store keeps a hash
keyed with the server secret (`keys`), so a copy of the database yields no code.

Every address is treated alike: a code is made, stored and its mail queued whether or not the
address is registered, and the courier drops a code mail to an address no user has. So the answer,
the writes and the work are the same, and the form cannot tell who has an account.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from services import audit, mail, settings_store
from services.access import actor_for
from services.accounts import keys, passwords, second_factor, sessions
from services.accounts.email_address import normalise_email
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
WRONG_FACTOR_MESSAGE = (
    "Engangskoden eller koden fra autentiseringsappen er feil eller utløpt. "
    "Har du slått på innlogging i to trinn, skriv koden fra appen eller en reservekode."
)


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


def new_code() -> str:
    """Six random digits: the code exists only in the mail; the store keeps its keyed hash."""
    return f"{secrets.randbelow(1_000_000):06d}"


def _day_start(now: datetime) -> datetime:
    return now - timedelta(hours=24)


def _address(email: str) -> str | None:
    try:
        return normalise_email(email)
    except InvalidInput:
        return None


def request_code(store: Store, *, email: str, purpose: str, source: str = "", now: datetime | None = None) -> str:
    """Make and mail a new code; returns the answer to show, the same for every address.

    Caps: one code a minute and a few a day per address, a few an hour per source, and a
    ceiling per hour for all addresses together. The mail is only queued here.
    """
    now = now or utcnow()
    address = _address(email)
    if address is None:
        return CODE_REQUESTED_MESSAGE

    def work(tx: Tx) -> int | None:
        last, today = tx.one(
            "SELECT max(created_at), count(*) FILTER (WHERE created_at > ?) FROM access_codes WHERE email = ?",
            [_day_start(now), address],
        )
        if last is not None and now - last < RESEND_AFTER:
            return None
        if today >= settings_store.numeric(tx, "code_requests_per_day"):
            audit.record(tx, actor=None, action="code.capped", target=address, at=now)
            return None
        from_source = tx.value(
            "SELECT count(*) FROM access_codes WHERE source = ? AND created_at > ?", [source, now - timedelta(hours=1)]
        )
        if from_source >= settings_store.numeric(tx, "code_requests_per_source_hour"):
            audit.record(tx, actor=None, action="code.capped_source", target=address, at=now)
            return None
        this_hour = tx.value("SELECT count(*) FROM access_codes WHERE created_at > ?", [now - timedelta(hours=1)])
        if this_hour >= settings_store.numeric(tx, "code_requests_per_hour"):
            log.warning("one-time codes: the hourly ceiling for all accounts is reached")
            audit.record(tx, actor=None, action="code.capped_hourly", target=address, at=now)
            return None
        code = new_code()
        # A new code replaces any earlier one.
        tx.execute(
            "UPDATE access_codes SET voided_at = ? WHERE email = ? AND used_at IS NULL AND voided_at IS NULL",
            [now, address],
        )
        tx.execute(
            "INSERT INTO access_codes (email, purpose, source, code_hash, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [address, purpose, source, keys.hash_code(tx.settings, code), now, now + VALID_FOR],
        )
        subject, body = _code_mail(purpose, code, tx.settings.base_url)
        audit.record(tx, actor=None, action=f"code.{purpose}", target=address, at=now)
        return mail.enqueue(
            tx, kind=f"code.{purpose}", to=address, subject=subject, body=body, deliver_by=now + VALID_FOR
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
    second_code: str = "",
    now: datetime | None = None,
) -> None:
    """Check the code and set the password; activates the account and ends all its sessions.

    Every address gets the same answers, in the same order, after the same work (the password
    rules, a hash, a code looked up by address). A user with a second factor (every staff user who
    has set one up) must also give a code from the app or a recovery code: a mailbox alone does
    not open the account. A new password does not lift a login lock.
    """
    now = now or utcnow()
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        raise InvalidInput("Engangskoden er seks sifre.")
    passwords.check_new_password(email=email.strip(), password=password, confirmation=confirmation)
    password_hash = passwords.hash_password(password, rounds=store.settings.bcrypt_rounds)
    address = _address(email) or (email or "").strip().lower()
    user = find_by_email(store, email=address)
    usable = user is not None and user.deactivated_at is None

    def work(tx: Tx) -> str:
        wrong_today = tx.value(
            "SELECT coalesce(sum(failed_attempts), 0) FROM access_codes WHERE email = ? AND created_at > ?",
            [address, _day_start(now)],
        )
        if wrong_today >= settings_store.numeric(tx, "wrong_codes_per_day"):
            tx.execute(
                "UPDATE access_codes SET voided_at = ? WHERE email = ? AND used_at IS NULL AND voided_at IS NULL",
                [now, address],
            )
            audit.record(tx, actor=None, action="code.capped_wrong", target=address, at=now)
            return "wrong"
        current = tx.row(
            "SELECT id, code_hash, expires_at, failed_attempts FROM access_codes"
            " WHERE email = ? AND used_at IS NULL AND voided_at IS NULL ORDER BY id DESC LIMIT 1",
            [address],
        )
        if current is None or current[2] <= now:
            audit.record(tx, actor=None, action="code.wrong", target=address, at=now)
            return "wrong"
        code_id, stored, _, failed = current
        if not keys.code_matches(tx.settings, code, stored) or not usable:
            _count_wrong(tx, code_id, failed, now)
            audit.record(tx, actor=None, action="code.wrong", target=address, at=now)
            return "wrong"
        assert user is not None
        if second_factor.is_enabled(tx, user_id=user.id) and not second_factor.check(
            tx, user_id=user.id, code=second_code, now=now
        ):
            _count_wrong(tx, code_id, failed, now)
            audit.record(tx, actor=None, action="code.wrong_second_factor", target=address, at=now)
            return "factor"
        tx.execute("UPDATE access_codes SET used_at = ? WHERE id = ?", [now, code_id])
        tx.execute(
            "UPDATE users SET password_hash = ?, activated_at = coalesce(activated_at, ?) WHERE id = ?",
            [password_hash, now, user.id],
        )
        sessions.revoke_all(tx, user_id=user.id, now=now)
        actor = actor_for(tx, user_id=user.id)
        audit.record(tx, actor=actor, action="password.set", target=user.email, at=now)
        return "ok"

    outcome = store.transaction(work)
    if outcome == "factor":
        raise InvalidInput(WRONG_FACTOR_MESSAGE)
    if outcome != "ok":
        raise InvalidInput(WRONG_CODE_MESSAGE)


def _count_wrong(tx: Tx, code_id: int, failed_before: int, now: datetime) -> None:
    """One more wrong try at a code; the fifth voids it."""
    failed = failed_before + 1
    tx.execute(
        "UPDATE access_codes SET failed_attempts = ?, voided_at = ? WHERE id = ?",
        [failed, now if failed >= MAX_WRONG_TRIES else None, code_id],
    )
