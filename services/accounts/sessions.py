"""Login sessions kept in the store, so that logging out or changing the
password ends them for good: a copied cookie of an ended session is refused.

The login cookie carries the session's id (random, 192 bits) in a JWT signed with the
cookie key: a cookie names a session, and is only as good as that session is here. The store
keeps only the SHA-256 of the id, so a copy of the database names no session to present.

A session ends after 12 hours, or after `session_idle_minutes` (a setting, 30 by default)
without a page being drawn; staff can see a user's open sessions and end them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from services import audit, settings_store
from services.access import Actor, actor_for
from services.accounts.keys import session_digest
from services.db import Store, Tx, utcnow

LIFETIME = timedelta(hours=12)
# The login cookie: set and cleared by the server only (app.py), HttpOnly, SameSite=Strict.
COOKIE_NAME = "trekklisteportal_innlogging"
# A session's last sight is written at most this often: not one write per rerun.
TOUCH_EVERY = timedelta(minutes=1)


# A session that is live: not ended, not past its 12 hours, used within the idle limit, its user active.
LIVE = (
    "s.revoked_at IS NULL AND s.expires_at > ? AND coalesce(s.last_seen_at, s.created_at) > ?"
    " AND u.deactivated_at IS NULL"
)


@dataclass(frozen=True)
class Session:
    id: str
    user_id: int


@dataclass(frozen=True)
class OpenSession:
    """A user's open session as staff see it: when it began, was last used, and from where."""

    started_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    source: str


def idle_limit(store: Store) -> timedelta:
    return timedelta(minutes=float(settings_store.numeric(store, "session_idle_minutes")))


def expiry_for(now: datetime) -> float:
    """The cookie expiry (a Unix timestamp) for a session starting at naive-UTC `now`."""
    return (now + LIFETIME).replace(tzinfo=UTC).timestamp()


def start(
    store: Store, *, user_id: int, cookie_expiry: float, source: str = "", now: datetime | None = None
) -> Session:
    now = now or utcnow()
    expires_at = min(
        now + LIFETIME,
        datetime.fromtimestamp(cookie_expiry, UTC).replace(tzinfo=None),
    )
    session = Session(id=secrets.token_urlsafe(24), user_id=user_id)
    store.transaction(
        lambda tx: tx.execute(
            "INSERT INTO sessions (id, user_id, cookie_expiry, created_at, expires_at, last_seen_at, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [session_digest(session.id), user_id, cookie_expiry, now, expires_at, now, source],
        )
    )
    return session


def cookie_token(session: Session, *, cookie_key: str) -> str:
    """The login cookie's value for a session."""
    expires = int(datetime.now(UTC).timestamp() + LIFETIME.total_seconds())
    return jwt.encode({"sid": session.id, "exp": expires}, cookie_key, algorithm="HS256")


# How long the login page's handoff to the cookie route is good for.
HANDOFF_FOR = timedelta(minutes=1)
# Where a handoff may send the browser afterwards: a page of the portal, never another site.
_NEXT_PATH = re.compile(r"^/[a-z0-9-]{0,40}$")


def handoff_token(session: Session, *, cookie_key: str, next_path: str = "/") -> str:
    """What the login page hands the browser for the cookie route (`/portal/innlogging`): the
    server, not a script, sets the login cookie, so it can be HttpOnly. Good once, for a minute."""
    expires = int(datetime.now(UTC).timestamp() + HANDOFF_FOR.total_seconds())
    claims = {"sid": session.id, "use": "handoff", "next": next_path, "exp": expires}
    return jwt.encode(claims, cookie_key, algorithm="HS256")


def take_handoff(
    store: Store, *, token: str, cookie_key: str, now: datetime | None = None
) -> tuple[Session, str] | None:
    """The session a handoff names and the page to go on to, the first time it is presented while
    the session is live; None for anything else (forged, expired, used, ended)."""
    try:
        claims = jwt.decode(token, cookie_key, algorithms=["HS256"], options={"require": ["exp", "sid", "use"]})
    except jwt.PyJWTError:
        return None
    session_id, next_path = claims.get("sid"), claims.get("next", "/")
    if claims.get("use") != "handoff" or not isinstance(session_id, str):
        return None
    now = now or utcnow()
    user_id = store.transaction(
        lambda tx: tx.value(
            "UPDATE sessions SET handed_over_at = ? WHERE id = ? AND handed_over_at IS NULL AND revoked_at IS NULL"
            " AND expires_at > ? RETURNING user_id",
            [now, session_digest(session_id), now],
        )
    )
    if user_id is None or not is_live(store, session_id=session_id, now=now):
        return None
    return Session(session_id, user_id), next_path if isinstance(next_path, str) and _NEXT_PATH.match(
        next_path
    ) else "/"


def decode_cookie(token: str, *, cookie_key: str) -> str | None:
    """The session id a cookie names, if the cookie key signed it and it has not expired."""
    try:
        claims = jwt.decode(token, cookie_key, algorithms=["HS256"], options={"require": ["exp", "sid"]})
    except jwt.PyJWTError:
        return None
    if "use" in claims:
        return None  # a handoff is not a login cookie
    session_id = claims.get("sid")
    return session_id if isinstance(session_id, str) and session_id else None


def from_cookie(store: Store, *, token: str, cookie_key: str, now: datetime | None = None) -> Session | None:
    """The live session a login cookie belongs to, or None (forged, expired, ended)."""
    session_id = decode_cookie(token, cookie_key=cookie_key)
    if session_id is None:
        return None
    now = now or utcnow()
    user_id = store.value(
        f"SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND {LIVE}",
        [session_digest(session_id), now, now - idle_limit(store)],
    )
    return Session(session_id, user_id) if user_id is not None else None


def is_live(store: Store, *, session_id: str, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        store.value(
            f"SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND {LIVE}",
            [session_digest(session_id), now, now - idle_limit(store)],
        )
        is not None
    )


def touch(store: Store, *, session_id: str, now: datetime | None = None) -> None:
    """The session was used now: it stays open for another idle period (one that has been idle
    past the limit stays ended)."""
    now = now or utcnow()
    store.transaction(
        lambda tx: tx.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL"
            " AND last_seen_at < ? AND last_seen_at > ?",
            [now, session_digest(session_id), now - TOUCH_EVERY, now - idle_limit(tx)],
        )
    )


def actor_if_live(
    store: Store, *, session_id: str | None, user_id: int | None, now: datetime | None = None
) -> Actor | None:
    """The user as the store knows them now, if `session_id` is still their live session:
    for work done after the page was drawn (a download), which must not trust the page."""
    if not session_id or user_id is None:
        return None
    now = now or utcnow()
    found = store.value(
        f"SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ? AND {LIVE}",
        [session_digest(session_id), user_id, now, now - idle_limit(store)],
    )
    return actor_for(store, user_id=found, session_id=session_id) if found is not None else None


def revoke(store: Store, *, session_id: str, now: datetime | None = None) -> None:
    store.transaction(
        lambda tx: tx.execute(
            "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [now or utcnow(), session_digest(session_id)],
        )
    )


def revoke_all(tx: Tx, *, user_id: int, now: datetime | None = None) -> None:
    """End every session of the user; call inside the caller's transaction."""
    tx.execute(
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [now or utcnow(), user_id]
    )


def open_sessions(store: Store, *, actor: Actor, user_id: int, now: datetime | None = None) -> list[OpenSession]:
    """A user's live sessions, newest first, for staff."""
    actor.require_staff()
    now = now or utcnow()
    return [
        OpenSession(*r)
        for r in store.rows(
            "SELECT s.created_at, coalesce(s.last_seen_at, s.created_at), s.expires_at, coalesce(s.source, '')"
            f" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = ? AND {LIVE}"
            " ORDER BY s.created_at DESC",
            [user_id, now, now - idle_limit(store)],
        )
    ]


def end_sessions(store: Store, *, actor: Actor, user_id: int, now: datetime | None = None) -> int:
    """Staff end every open session of a user (a lost laptop, a leaver); returns how many ended."""
    actor.require_staff()
    now = now or utcnow()

    def work(tx: Tx) -> int:
        email = tx.value("SELECT email FROM users WHERE id = ?", [user_id])
        # The ones staff saw open (open_sessions): sessions idle past the limit had ended already.
        ended = tx.value(
            f"SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = ? AND {LIVE}",
            [user_id, now, now - idle_limit(tx)],
        )
        revoke_all(tx, user_id=user_id, now=now)
        audit.record(tx, actor=actor, action="sessions.end", target=email, detail=str(ended))
        return int(ended)

    return store.transaction(work)
