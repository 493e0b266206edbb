"""The audit log kept only as long as the union's setting says (`purge-audit`, run by cron as the
owner role). Here, above both the log and the settings, since it needs the one and reads the other."""

from __future__ import annotations

from datetime import datetime

from services import audit, periods, settings_store
from services.access import Actor
from services.db import Store, Tx, utcnow
from services.errors import PortalError


class PurgeRefused(PortalError):
    """The connection's role may not delete from the log: it is append-only for the portal."""


def purge(store: Store, *, actor: Actor, now: datetime | None = None) -> int:
    """Delete log rows older than `audit_retention_months`. On PostgreSQL only the owner role may:
    for the portal's own role the log is append-only, so whoever holds its connection cannot erase
    the trail of what they did."""
    actor.require_staff()
    now = now or utcnow()
    months = int(settings_store.numeric(store, "audit_retention_months"))
    cutoff = datetime.combine(periods.add_months(now.date().replace(day=1), -months), datetime.min.time())

    def work(tx: Tx) -> int:
        removed = tx.value("SELECT count(*) FROM audit_log WHERE occurred_at < ?", [cutoff])
        tx.execute("DELETE FROM audit_log WHERE occurred_at < ?", [cutoff])
        audit.record(tx, actor=actor, action="audit.purge", detail=f"{removed} eldre enn {cutoff:%d.%m.%Y}", at=now)
        return int(removed)

    try:
        return store.transaction(work)
    except Exception as problem:
        if "permission denied" in str(problem):
            raise PurgeRefused(
                "Denne databaserollen kan ikke slette fra loggen (den kan bare legge til). Kjør med eierrollens "
                "PORTAL_DATABASE_URL."
            ) from problem
        raise
