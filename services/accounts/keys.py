"""What the server secret (PORTAL_SECRET_KEY) keys: the hashes of one-time and recovery codes, and
the encryption of second-factor secrets. The secret is never in the store, so whoever holds a copy
of the database can neither check a guessed code offline nor read a second-factor secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

from services.config import Settings


class SecretKeyMissing(RuntimeError):
    """The command line was asked for something the server secret is needed for."""


def _derived(settings: Settings, purpose: str) -> bytes:
    if not settings.secret_key:
        raise SecretKeyMissing("PORTAL_SECRET_KEY er ikke satt; den trengs for engangskoder og tofaktor.")
    return hmac.new(settings.secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


def hash_code(settings: Settings, code: str, *, salt: str | None = None) -> str:
    """`salt$hmac`: a short code cannot be found by trying all of them without the secret."""
    salt = salt or secrets.token_hex(8)
    digest = hmac.new(_derived(settings, "codes"), (salt + code).encode(), hashlib.sha256).hexdigest()
    return f"{salt}${digest}"


def code_matches(settings: Settings, code: str, stored: str) -> bool:
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(hash_code(settings, code, salt=salt), stored)


def _fernet(settings: Settings) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived(settings, "second-factor")))


def seal(settings: Settings, secret: str) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def unseal(settings: Settings, sealed: str) -> str | None:
    """The secret, or None when it was sealed with another server secret."""
    try:
        return _fernet(settings).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def session_digest(session_id: str) -> str:
    """What the store keeps of a session id: enough to find it, nothing to present as a cookie."""
    return hashlib.sha256(session_id.encode()).hexdigest()
