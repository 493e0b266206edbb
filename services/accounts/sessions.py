"""Login sessions kept in the store, so that logging out or changing the
password ends them for good: a copied cookie of an ended session is refused.

The login cookie carries the session's id (random, 192 bits) in a JWT signed with the
cookie key: a cookie names a session, and is only as good as that session is here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from services.accounts.access import Actor, actor_for
from services.db import Store, Tx, utcnow

LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    id: str
    user_id: int


def expiry_for(now: datetime) -> float:
    """The cookie expiry (a Unix timestamp) for a session starting at naive-UTC `now`."""
    return (now + LIFETIME).replace(tzinfo=UTC).timestamp()


def start(store: Store, *, user_id: int, cookie_expiry: float, now: datetime | None = None) -> Session:
    now = now or utcnow()
    expires_at = min(
        now + LIFETIME,
        datetime.fromtimestamp(cookie_expiry, UTC).replace(tzinfo=None),
    )
    session = Session(id=secrets.token_urlsafe(24), user_id=user_id)
    store.transaction(
        lambda tx: tx.execute(
            "INSERT INTO sessions (id, user_id, cookie_expiry, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [session.id, user_id, cookie_expiry, now, expires_at],
        )
    )
    return session


def cookie_token(session: Session, *, cookie_key: str) -> str:
    """The login cookie's value for a session."""
    expires = int(datetime.now(UTC).timestamp() + LIFETIME.total_seconds())
    return jwt.encode({"sid": session.id, "exp": expires}, cookie_key, algorithm="HS256")


def decode_cookie(token: str, *, cookie_key: str) -> str | None:
    """The session id a cookie names, if the cookie key signed it and it has not expired."""
    try:
        claims = jwt.decode(token, cookie_key, algorithms=["HS256"], options={"require": ["exp", "sid"]})
    except jwt.PyJWTError:
        return None
    session_id = claims.get("sid")
    return session_id if isinstance(session_id, str) and session_id else None


def from_cookie(store: Store, *, token: str, cookie_key: str, now: datetime | None = None) -> Session | None:
    """The live session a login cookie belongs to, or None (forged, expired, ended)."""
    session_id = decode_cookie(token, cookie_key=cookie_key)
    if session_id is None:
        return None
    found = store.row(
        "SELECT s.id, s.user_id FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.deactivated_at IS NULL",
        [session_id, now or utcnow()],
    )
    return Session(*found) if found else None


def is_live(store: Store, *, session_id: str, now: datetime | None = None) -> bool:
    return (
        store.value(
            "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.deactivated_at IS NULL",
            [session_id, now or utcnow()],
        )
        is not None
    )


def actor_if_live(
    store: Store, *, session_id: str | None, user_id: int | None, now: datetime | None = None
) -> Actor | None:
    """The user as the store knows them now, if `session_id` is still their live session:
    for work done after the page was drawn (a download), which must not trust the page."""
    if not session_id or user_id is None:
        return None
    found = store.value(
        "SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?"
        " AND u.deactivated_at IS NULL",
        [session_id, user_id, now or utcnow()],
    )
    return actor_for(store, user_id=found, session_id=session_id) if found is not None else None


def revoke(store: Store, *, session_id: str, now: datetime | None = None) -> None:
    store.transaction(
        lambda tx: tx.execute(
            "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now or utcnow(), session_id]
        )
    )


def revoke_all(tx: Tx, *, user_id: int, now: datetime | None = None) -> None:
    """End every session of the user; call inside the caller's transaction."""
    tx.execute(
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [now or utcnow(), user_id]
    )
