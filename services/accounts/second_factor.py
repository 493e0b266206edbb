"""The second factor: a TOTP code from an authenticator app (pyotp), or a recovery code.

Mandatory for staff, who reach the whole member register (trade-union membership, GDPR art. 9);
employers may turn it on, and the union may require it for everyone (`second_factor_for_all`).
The secret is sealed with the server secret (`keys`), so the store alone holds no usable secret.
A code is good once: the newest time step used is kept, and a code of that step or an earlier one
is refused. Ten recovery codes are shown once and kept as keyed hashes, each good once. A lost
phone is reset by another staff user (audited), never by mail.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import segno

from services import audit, settings_store
from services.access import STAFF, Actor, actor_for
from services.accounts import keys, throttle
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput

ISSUER = "Trekklisteportal"
RECOVERY_CODES = 10
# Codes from the step before and after this one are accepted: phones' clocks drift.
DRIFT_STEPS = 1
STEP_SECONDS = 30
MAX_WRONG = 5
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
WRONG_WINDOW = timedelta(minutes=15)

WRONG_MESSAGE = "Koden er feil eller allerede brukt. Skriv den nye koden appen viser, eller en reservekode."
TOO_MANY_MESSAGE = (
    "For mange feil koder. Vent 15 minutter og logg inn på nytt, eller bruk en reservekode. "
    "Har du mistet telefonen, ta kontakt med forbundet."
)


@dataclass(frozen=True)
class Enrolment:
    """What a user needs to add the portal to an authenticator app."""

    key: str
    uri: str
    qr_png: bytes

    @property
    def key_in_groups(self) -> str:
        return " ".join(self.key[i : i + 4] for i in range(0, len(self.key), 4))


@dataclass(frozen=True)
class FactorStatus:
    user_id: int
    enabled: bool
    recovery_codes_left: int


def is_enabled(store: Store, *, user_id: int) -> bool:
    return store.value("SELECT 1 FROM second_factors WHERE user_id = ? AND confirmed_at IS NOT NULL", [user_id]) == 1


def is_required(store: Store, *, role: str) -> bool:
    """Staff always; everyone when the union has said so."""
    return role == STAFF or settings_store.numeric(store, "second_factor_for_all") >= 1


def needed_at_login(store: Store, *, user_id: int, role: str) -> str | None:
    """'code' when the user must give a code, 'enrol' when they must first set one up, else None."""
    if is_enabled(store, user_id=user_id):
        return "code"
    return "enrol" if is_required(store, role=role) else None


def begin_enrolment(store: Store, *, user_id: int, email: str, now: datetime | None = None) -> Enrolment:
    """A new secret for the user, kept sealed until a first code confirms it."""
    now = now or utcnow()
    secret = pyotp.random_base32()

    def work(tx: Tx) -> None:
        if is_enabled(tx, user_id=user_id):
            raise Conflict("Innlogging i to trinn er allerede satt opp for denne brukeren.")
        tx.execute("DELETE FROM second_factors WHERE user_id = ?", [user_id])
        tx.execute(
            "INSERT INTO second_factors (user_id, sealed_secret, created_at) VALUES (?, ?, ?)",
            [user_id, keys.seal(tx.settings, secret), now],
        )

    store.transaction(work)
    return enrolment_for(secret, email=email)


def enrolment_for(secret: str, *, email: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    picture = io.BytesIO()
    segno.make(uri, error="m").save(picture, kind="png", scale=6, border=2)
    return Enrolment(key=secret, uri=uri, qr_png=picture.getvalue())


def _step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime, after: int) -> int | None:
    """The time step the code belongs to, among the accepted ones newer than `after`."""
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(store: Store, *, actor: Actor, code: str, now: datetime | None = None) -> list[str]:
    """Turn the factor on with a first code from the app; returns the recovery codes, shown once."""
    now = now or utcnow()
    code = _clean(code)
    recovery = [_new_recovery_code() for _ in range(RECOVERY_CODES)]

    def work(tx: Tx) -> bool:
        found = tx.row("SELECT sealed_secret, confirmed_at FROM second_factors WHERE user_id = ?", [actor.user_id])
        if found is None or found[1] is not None:
            raise Conflict("Start oppsettet av innlogging i to trinn på nytt.")
        secret = keys.unseal(tx.settings, found[0])
        step = _matching_step(secret, code, now, after=0) if secret else None
        if step is None:
            return False
        tx.execute(
            "UPDATE second_factors SET confirmed_at = ?, last_step = ? WHERE user_id = ?", [now, step, actor.user_id]
        )
        _store_recovery_codes(tx, actor.user_id, recovery)
        audit.record(tx, actor=actor, action="second_factor.enable", target=actor.email, at=now)
        return True

    if not store.transaction(work):
        raise InvalidInput("Koden stemmer ikke. Skriv den sekssifrede koden appen viser nå.")
    return recovery


def _store_recovery_codes(tx: Tx, user_id: int | None, codes: list[str]) -> None:
    tx.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    for code in codes:
        tx.execute(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
            [user_id, keys.hash_code(tx.settings, _clean(code))],
        )


def _new_recovery_code() -> str:
    # 10 characters of base32 (50 bits), in two groups for reading aloud from paper.
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _clean(code: str) -> str:
    return (code or "").strip().replace(" ", "").replace("-", "").lower()


def check(store: Store, *, user_id: int, code: str, now: datetime | None = None) -> bool:
    """Whether `code` is a fresh app code or an unused recovery code; uses it up if so.
    Call inside the transaction that acts on it."""
    now = now or utcnow()
    code = _clean(code)
    found = store.row(
        "SELECT sealed_secret, last_step FROM second_factors WHERE user_id = ? AND confirmed_at IS NOT NULL",
        [user_id],
    )
    if found is None or not code:
        return False
    if code.isdigit() and len(code) == 6:
        secret = keys.unseal(store.settings, found[0])
        step = _matching_step(secret, code, now, after=found[1]) if secret else None
        if step is None:
            return False
        store.execute("UPDATE second_factors SET last_step = ? WHERE user_id = ?", [step, user_id])
        return True
    for code_id, stored in store.rows(
        "SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", [user_id]
    ):
        if keys.code_matches(store.settings, code, stored):
            store.execute("UPDATE recovery_codes SET used_at = ? WHERE id = ?", [now, code_id])
            return True
    return False


def verify_login(store: Store, *, user_id: int, code: str, now: datetime | None = None) -> None:
    """The second step of a login: a code, with at most five wrong ones in 15 minutes per user.
    Raises InvalidInput with the message to show."""
    now = now or utcnow()
    subject = str(user_id)

    def work(tx: Tx) -> str:
        actor = actor_for(tx, user_id=user_id)
        if throttle.count(tx, "factor", subject, WRONG_WINDOW, now)[0] >= MAX_WRONG:
            audit.record(tx, actor=actor, action="second_factor.capped", at=now)
            return "capped"
        if check(tx, user_id=user_id, code=code, now=now):
            throttle.clear(tx, "factor", subject)
            audit.record(tx, actor=actor, action="second_factor.ok", at=now)
            return "ok"
        throttle.bump(tx, "factor", subject, WRONG_WINDOW, now)
        audit.record(tx, actor=actor, action="second_factor.wrong", at=now)
        return "wrong"

    outcome = store.transaction(work)
    if outcome == "capped":
        raise InvalidInput(TOO_MANY_MESSAGE)
    if outcome == "wrong":
        raise InvalidInput(WRONG_MESSAGE)


def new_recovery_codes(store: Store, *, actor: Actor, code: str, now: datetime | None = None) -> list[str]:
    """Ten new recovery codes for the user's own factor (the old ones stop working), after a code."""
    now = now or utcnow()
    recovery = [_new_recovery_code() for _ in range(RECOVERY_CODES)]

    def work(tx: Tx) -> bool:
        if not check(tx, user_id=actor.user_id, code=code, now=now):  # type: ignore[arg-type]
            return False
        _store_recovery_codes(tx, actor.user_id, recovery)
        audit.record(tx, actor=actor, action="second_factor.recovery_codes", target=actor.email, at=now)
        return True

    if not store.transaction(work):
        raise InvalidInput(WRONG_MESSAGE)
    return recovery


def turn_off_own(store: Store, *, actor: Actor, code: str, now: datetime | None = None) -> None:
    """An employer turns their own factor off, with a code; not where the union requires it."""
    now = now or utcnow()
    if is_required(store, role=actor.role):
        raise InvalidInput("Forbundet krever innlogging i to trinn for din bruker; den kan ikke slås av.")

    def work(tx: Tx) -> bool:
        if not check(tx, user_id=actor.user_id, code=code, now=now):  # type: ignore[arg-type]
            return False
        _remove(tx, actor.user_id)
        audit.record(tx, actor=actor, action="second_factor.disable", target=actor.email, at=now)
        return True

    if not store.transaction(work):
        raise InvalidInput(WRONG_MESSAGE)


def reset(store: Store, *, actor: Actor, user_id: int, now: datetime | None = None) -> None:
    """Another staff user removes a user's factor (a lost phone): the user sets up a new one at the
    next login, and every open session of theirs ends."""
    from services.accounts import sessions

    actor.require_staff()
    if actor.user_id == user_id:
        raise InvalidInput("En annen i forbundet må nullstille din innlogging i to trinn.")
    now = now or utcnow()

    def work(tx: Tx) -> None:
        email = tx.value("SELECT email FROM users WHERE id = ?", [user_id])
        if email is None:
            raise InvalidInput("Brukeren finnes ikke.")
        _remove(tx, user_id)
        sessions.revoke_all(tx, user_id=user_id, now=now)
        audit.record(tx, actor=actor, action="second_factor.reset", target=email, at=now)

    store.transaction(work)


def _remove(tx: Tx, user_id: int | None) -> None:
    """The user's factor and recovery codes gone: a new one is set up at the next login where required."""
    tx.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    tx.execute("DELETE FROM second_factors WHERE user_id = ?", [user_id])


def statuses(store: Store, *, actor: Actor) -> dict[int, FactorStatus]:
    """Who has the factor on, for «Administrasjon»."""
    actor.require_staff()
    return {
        user_id: FactorStatus(user_id, True, left)
        for user_id, left in store.rows(
            "SELECT f.user_id,"
            " (SELECT count(*) FROM recovery_codes r WHERE r.user_id = f.user_id AND r.used_at IS NULL)"
            " FROM second_factors f WHERE f.confirmed_at IS NOT NULL"
        )
    }


def own_status(store: Store, *, actor: Actor) -> FactorStatus:
    left = store.value("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", [actor.user_id])
    return FactorStatus(actor.user_id or 0, is_enabled(store, user_id=actor.user_id or 0), int(left or 0))


def set_up_with_secret(store: Store, *, user_id: int, secret: str, now: datetime | None = None) -> list[str]:
    """A factor with a known secret, confirmed at once: for the demo's staff user only (seed-demo prints
    the key beside the password), so the demo stays one command away."""
    now = now or utcnow()
    recovery = [_new_recovery_code() for _ in range(RECOVERY_CODES)]

    def work(tx: Tx) -> None:
        if not tx.settings.demo:
            raise InvalidInput("En kjent tofaktornøkkel settes bare i demomodus.")
        tx.execute("DELETE FROM second_factors WHERE user_id = ?", [user_id])
        tx.execute(
            "INSERT INTO second_factors (user_id, sealed_secret, created_at, confirmed_at) VALUES (?, ?, ?, ?)",
            [user_id, keys.seal(tx.settings, secret), now, now],
        )
        _store_recovery_codes(tx, user_id, recovery)

    store.transaction(work)
    return recovery
