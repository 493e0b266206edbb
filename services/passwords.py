"""Password rules and hashing (bcrypt, the hash streamlit-authenticator checks)."""
from __future__ import annotations

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


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        return False
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False
