"""The audit log: who did what to which company, and when. Never personal data in `detail`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from services.access import Actor
from services.db import Store, Tx, utcnow


def record(
    tx: Tx,
    *,
    actor: Actor | None,
    action: str,
    company_id: int | None = None,
    target: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    tx.execute(
        "INSERT INTO audit_log (occurred_at, actor_user_id, actor_label, action, company_id, target, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            at or utcnow(),
            actor.user_id if actor else None,
            actor.label if actor else "anonym",
            action,
            company_id,
            target,
            detail,
        ],
    )


_VIEWS_SEEN: OrderedDict[tuple, None] = OrderedDict()
_VIEWS_LOCK = threading.Lock()
VIEWS_REMEMBERED = 100_000


def viewed(
    store: Store, *, actor: Actor, action: str, company_id: int | None = None, target: str | None = None
) -> None:
    """Record a read of personal data once per login session and target, not on every rerun
    of the page; without a session (the command line) every read is recorded."""
    key = (actor.session_id, actor.user_id, action, company_id, target)
    if actor.session_id is not None:
        with _VIEWS_LOCK:
            if key in _VIEWS_SEEN:
                _VIEWS_SEEN.move_to_end(key)
                return
    store.transaction(lambda tx: record(tx, actor=actor, action=action, company_id=company_id, target=target))
    if actor.session_id is not None:
        with _VIEWS_LOCK:
            _VIEWS_SEEN[key] = None
            while len(_VIEWS_SEEN) > VIEWS_REMEMBERED:
                _VIEWS_SEEN.popitem(last=False)


def entries(store: Store, *, actor: Actor, limit: int = 200) -> list[dict]:
    actor.require_staff()
    return store.dicts(
        "SELECT occurred_at, actor_label, action, company_id, target, detail FROM audit_log ORDER BY id DESC LIMIT ?",
        [limit],
    )
