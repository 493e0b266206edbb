"""Timed work beside the portal: expire letters, retry queued mail, sweep unclaimed files,
delete personal data past its retention, take the nightly backup; then a heartbeat for the
health check.

    python -m services.sidecar            every few minutes, until stopped
    python -m services.sidecar --once     everything once, then exit (cron, tests)

DuckDB lets one process write a database file. The portal process therefore
runs this same loop in a background thread (`start_in_background`); the
command is for when the portal is not running, and says so if it is. On
PostgreSQL (PORTAL_DATABASE_URL) the command runs beside the portal, and only one
sidecar works at a time however many run (`Store.exclusive`: an advisory lock).
Each run logs one line with its counts.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from datetime import date, datetime

from services import filestore, logs, mail
from services.config import ConfigError, Settings, load_settings
from services.db import Store, close_all, open_store, utcnow
from services.letters import letters
from services.lists import reminders
from services.operations import backup
from services.register import retention
from services.store_errors import StoreUnavailable

log = logging.getLogger("sidecar")
DEFAULT_INTERVAL = 300
_background: threading.Thread | None = None
_background_lock = threading.Lock()


def run_once(store: Store, *, today: date | None = None) -> dict[str, int]:
    """Everything once; nothing when another sidecar is at work (on PostgreSQL, in any process on
    any machine: the portal's own threads and `python -m services.sidecar` may all run)."""
    with store.exclusive("sidecar") as mine:
        if not mine:
            log.info("sidecar run skipped: another sidecar is at work")
            return {"skipped": 1}
        counts = {
            "letters_expired": letters.expire(store, today=today),
            "mail_sent": mail.retry_queued(store),
            "files_swept": filestore.sweep(store),
            **retention.purge(store, today=today),
            "reminders_sent": reminders.send_due(store, today=today),
            "backups_taken": backup.nightly(store),
        }
        heartbeat(store)
    queued = store.value("SELECT count(*) FROM outbox WHERE status = 'queued'")
    log.info(
        "sidecar run: %s, mail still queued %d",
        ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()),
        queued,
    )
    return counts


def heartbeat(store: Store, *, now: datetime | None = None) -> None:
    """A finished run's time, which the health check holds against `sidecar_stale_minutes`."""
    at = now or utcnow()
    store.transaction(
        lambda tx: tx.execute(
            "INSERT INTO heartbeats (name, beat_at) VALUES ('sidecar', ?)"
            " ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at",
            [at],
        )
    )


def _loop(settings: Settings, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            run_once(open_store(settings))
        except Exception:  # a failed run must not end the loop; the next run tries again
            log.exception("sidecar run failed")
        stop.wait(interval)


def start_in_background(settings: Settings, *, interval: float = DEFAULT_INTERVAL) -> threading.Thread:
    """Start the loop once per process (the portal calls this on every script run)."""
    global _background
    with _background_lock:
        if _background is None or not _background.is_alive():
            _background = threading.Thread(
                target=_loop, args=(settings, interval, threading.Event()), name="sidecar", daemon=True
            )
            _background.start()
        return _background


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.sidecar", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="kjør alt én gang og avslutt")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, help="sekunder mellom kjøringer")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(web=False)
        logs.configure(settings)
        store = open_store(settings)
    except (ConfigError, StoreUnavailable) as problem:
        print(f"Feil: {problem} (Når portalen kjører, gjør den dette arbeidet selv.)", file=sys.stderr)
        return 2
    try:
        if args.once:
            run_once(store)
            return 0
        _loop(settings, args.interval, threading.Event())
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        close_all()


if __name__ == "__main__":
    sys.exit(main())
