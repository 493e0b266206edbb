"""`python -m services.cli health`, the portal's /portal/helse and «Drift» on «Administrasjon»:
six checks an operator (or systemd, cron, a monitoring agent) asks of a running portal. Each has
a Norwegian line and the time of what it looked at; the command's exit code is 0 only when all
six are fine. Nothing here reads or shows personal data.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from services.access import Actor
from services.config import Settings
from services.db import Store, migration_files, pending_migrations, probe, utcnow
from services.localtime import shown
from services.store_errors import StoreUnavailable

NAMES = ("database", "migreringer", "sidecar", "e-post", "sikkerhetskopi", "disk")
MAIL_FAILURE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    # When what was checked happened (the sidecar's last run, the last backup, the oldest mail).
    at: datetime | None = None


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "for under ett minutt siden"
    if minutes < 120:
        return f"for {minutes} min siden"
    if minutes < 48 * 60:
        return f"for {minutes // 60} t siden"
    return f"for {minutes // (24 * 60)} døgn siden"


def run_checks(settings: Settings, *, now: datetime | None = None) -> list[Check]:
    """All six checks; the store opened only to read, never migrated or written."""
    now = now or utcnow()
    engine = "PostgreSQL" if settings.database_url else "DuckDB"
    try:
        with probe(settings) as cur:
            pending = pending_migrations(cur, "postgres" if settings.database_url else "duckdb")
            reader = Store(settings=settings, cur=cur)
            checks = [Check("database", True, f"Databasen svarer ({engine}).")]
            newest = max(v for v, _, _ in migration_files())
            if pending:
                checks.append(
                    Check(
                        "migreringer",
                        False,
                        f"{len(pending)} migreringer er ikke kjørt (databasen er ved {newest - len(pending):03d}, "
                        f"koden ved {newest:03d}): kjør «python -m services.cli migrate».",
                    )
                )
                checks += [Check(name, False, "Ikke sjekket: databasen er ikke oppgradert.") for name in NAMES[2:5]]
            else:
                checks.append(Check("migreringer", True, f"Databasen er oppgradert (migrering {newest:03d})."))
                checks += [
                    _sidecar(reader, settings, now),
                    _mail(reader, settings, now),
                    _backup(reader, settings, now),
                ]
    except (StoreUnavailable, OSError, Exception) as problem:  # noqa: BLE001 - any failure to reach it is the finding
        reason = str(problem) if isinstance(problem, StoreUnavailable) else type(problem).__name__
        checks = [Check("database", False, f"Databasen svarer ikke ({engine}): {reason}")]
        checks += [Check(name, False, "Ikke sjekket: databasen svarer ikke.") for name in NAMES[1:5]]
    checks.append(_disk(settings))
    return checks


def _sidecar(reader: Store, settings: Settings, now: datetime) -> Check:
    beat = reader.value("SELECT beat_at FROM heartbeats WHERE name = 'sidecar'")
    limit = timedelta(minutes=settings.sidecar_stale_minutes)
    if beat is None:
        return Check("sidecar", False, "Den tidsstyrte jobben (sidecar) har aldri fullført en kjøring.")
    if now - beat > limit:
        return Check(
            "sidecar",
            False,
            f"Den tidsstyrte jobben kjørte sist {shown(beat)}, {_ago(beat, now)} "
            f"(grense {settings.sidecar_stale_minutes} min).",
            beat,
        )
    return Check("sidecar", True, f"Den tidsstyrte jobben kjørte sist {shown(beat)}, {_ago(beat, now)}.", beat)


def _mail(reader: Store, settings: Settings, now: datetime) -> Check:
    oldest = reader.value("SELECT min(created_at) FROM outbox WHERE status = 'queued'")
    queued = reader.value("SELECT count(*) FROM outbox WHERE status = 'queued'")
    failed = reader.value(
        "SELECT count(*) FROM outbox WHERE status = 'expired' AND created_at > ?", [now - MAIL_FAILURE_WINDOW]
    )
    problems = []
    if oldest is not None and now - oldest > timedelta(minutes=settings.mail_stuck_minutes):
        problems.append(
            f"{queued} e-poster venter; den eldste fra {shown(oldest)}, {_ago(oldest, now)} "
            f"(grense {settings.mail_stuck_minutes} min)"
        )
    if failed:
        problems.append(f"{failed} e-poster kunne ikke sendes i tide siste døgn og blir ikke sendt")
    if problems:
        return Check("e-post", False, "; ".join(problems) + ".", oldest)
    if queued:
        return Check("e-post", True, f"{queued} e-poster venter; den eldste fra {shown(oldest)}.", oldest)
    return Check("e-post", True, "Ingen e-post venter.")


def _backup(reader: Store, settings: Settings, now: datetime) -> Check:
    last_good = reader.value("SELECT max(finished_at) FROM backup_runs WHERE error IS NULL")
    last_failed = reader.row(
        "SELECT started_at, error FROM backup_runs WHERE error IS NOT NULL ORDER BY started_at DESC LIMIT 1"
    )
    failed_later = last_failed is not None and (last_good is None or last_failed[0] > last_good)
    also = f" Siste forsøk {shown(last_failed[0])} feilet ({last_failed[1]})." if failed_later and last_failed else ""
    if settings.backup_dir is None or not settings.backup_recipient:
        setup = " Nattlig sikkerhetskopi er ikke satt opp (PORTAL_BACKUP_DIR og PORTAL_BACKUP_RECIPIENT)."
    else:
        setup = ""
    if last_good is None:
        return Check("sikkerhetskopi", False, "Ingen sikkerhetskopi er tatt." + setup + also)
    if now - last_good > timedelta(hours=settings.backup_max_age_hours):
        return Check(
            "sikkerhetskopi",
            False,
            f"Siste sikkerhetskopi er fra {shown(last_good)}, {_ago(last_good, now)} "
            f"(grense {settings.backup_max_age_hours} t)." + setup + also,
            last_good,
        )
    return Check(
        "sikkerhetskopi",
        True,
        f"Siste sikkerhetskopi er fra {shown(last_good)}, {_ago(last_good, now)}." + also,
        last_good,
    )


def _disk(settings: Settings) -> Check:
    folders = [settings.data_dir] + ([settings.backup_dir] if settings.backup_dir else [])
    lowest: tuple[int, Path] | None = None
    for folder in folders:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        free = shutil.disk_usage(existing).free
        if lowest is None or free < lowest[0]:
            lowest = (free, folder)
    assert lowest is not None
    free_mb = lowest[0] // (1024 * 1024)
    where = "datamappen" if lowest[1] == settings.data_dir else "mappen for sikkerhetskopier"
    text = f"{free_mb:,} MB ledig for {where}".replace(",", " ")
    if free_mb < settings.min_free_disk_mb:
        return Check("disk", False, f"Bare {text} (grense {settings.min_free_disk_mb} MB).")
    return Check("disk", True, f"{text}.")


def report(checks: list[Check]) -> str:
    """One line per check, as the command prints it."""
    return "\n".join(f"{'OK  ' if c.ok else 'FEIL'}  {c.name:<15} {c.message}" for c in checks)


def for_staff(store: Store, *, actor: Actor) -> list[Check]:
    """«Drift»: the same checks, for the union's staff."""
    actor.require_staff()
    return run_checks(store.settings)


def backup_warning(store: Store, *, actor: Actor, now: datetime | None = None) -> str | None:
    """What staff pages say when the last backup failed or is missing; None when all is well."""
    actor.require_staff()
    found = _backup(store, store.settings, now or utcnow())
    return None if found.ok else found.message
