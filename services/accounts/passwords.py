"""Password rules and hashing (bcrypt, the hash streamlit-authenticator checks)."""

from __future__ import annotations

import functools

import bcrypt

from services.errors import InvalidInput

MIN_LENGTH = 10
# bcrypt ignores everything past 72 bytes; refuse rather than silently truncate.
MAX_BYTES = 72


def check_new_password(*, email: str, password: str, confirmation: str) -> None:
    if password != confirmation:
        raise InvalidInput("Passordene er ikke like. Skriv det samme passordet i begge feltene.")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Passordet må ha minst {MIN_LENGTH} tegn.")
    if password != password.strip():
        raise InvalidInput("Passordet kan ikke begynne eller slutte med mellomrom.")
    if len(password.encode()) > MAX_BYTES:
        raise InvalidInput(f"Passordet kan ha høyst {MAX_BYTES} byte (omtrent {MAX_BYTES} tegn).")
    if password.strip().lower() == email.strip().lower():
        raise InvalidInput("Passordet kan ikke være det samme som e-postadressen.")


def hash_password(password: str, *, rounds: int) -> str:
    """`rounds` is bcrypt's cost, the setting PORTAL_BCRYPT_ROUNDS (Settings.bcrypt_rounds)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


@functools.cache
def _dummy_hash(cost: int) -> str:
    return bcrypt.hashpw(b"no-such-user-password", bcrypt.gensalt(cost)).decode()


def dummy_verify(password: str, *, rounds: int) -> None:
    """The work of a password check, for an address with no password: both take as long."""
    verify(password, _dummy_hash(rounds))


def verify(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        return False
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False
