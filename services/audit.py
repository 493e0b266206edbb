"""The audit log: who did what to which company, and when. Never personal data in `detail`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from services import audit_words
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


@dataclass(frozen=True)
class Entry:
    occurred_at: datetime
    actor: str
    action: str
    company: str | None
    target: str | None
    detail: str | None


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    total: int


def search(
    store: Store,
    *,
    actor: Actor,
    who: str = "",
    company_id: int | None = None,
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 0,
    page_size: int = 100,
) -> Page:
    """The log filtered and paged in the database: never the whole log to the browser."""
    actor.require_staff()
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    if who.strip():
        where.append("a.actor_label ILIKE ?")
        params.append(f"%{who.strip()}%")
    if company_id is not None:
        where.append("a.company_id = ?")
        params.append(company_id)
    if action.strip():
        # In the union's words («brev», «passord») or by code («letter.»): the codes it names.
        where.append("a.action IN (SELECT unnest(?::VARCHAR[]))")
        params.append(audit_words.matching(action))
    if since is not None:
        where.append("a.occurred_at >= ?")
        params.append(since)
    if until is not None:
        where.append("a.occurred_at < ?")
        params.append(until)
    condition = " AND ".join(where)
    total = store.value(f"SELECT count(*) FROM audit_log a WHERE {condition}", params)
    entries = store.records(
        Entry,
        "SELECT a.occurred_at, a.actor_label AS actor, a.action, c.name AS company, a.target, a.detail FROM audit_log a"
        f" LEFT JOIN companies c ON c.id = a.company_id WHERE {condition} ORDER BY a.id DESC LIMIT ? OFFSET ?",
        [*params, page_size, page * page_size],
    )
    return Page(entries, total)


def export(store: Store, *, actor: Actor, **filters) -> bytes:
    """The log under the same filter, as an Excel file, times in Norwegian time."""
    from services import export as excel
    from services.localtime import oslo

    found = search(store, actor=actor, page=0, page_size=1_000_000, **filters)
    viewed(store, actor=actor, action="audit.export")

    def row(e: Entry) -> tuple:
        when = oslo(e.occurred_at).replace(tzinfo=None)
        return (when, e.actor, audit_words.word(e.action), e.company, e.target, e.detail)

    return excel.workbook(
        "Logg",
        ("Tidspunkt", "Bruker", "Handling", "Bedrift", "Gjelder", "Detaljer"),
        [row(e) for e in found.entries],
    )
