"""The audit log: who did what to which company, and when. Never personal data in `detail`."""
from __future__ import annotations

from datetime import datetime

from services.access import Actor
from services.db import Store, utcnow


def record(
    store: Store,
    *,
    actor: Actor | None,
    action: str,
    company_id: int | None = None,
    target: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    store.execute(
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


def entries(store: Store, *, actor: Actor, limit: int = 200) -> list[dict]:
    actor.require_staff()
    return store.dicts(
        "SELECT occurred_at, actor_label, action, company_id, target, detail FROM audit_log"
        " ORDER BY id DESC LIMIT ?",
        [limit],
    )
