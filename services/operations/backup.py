"""`python -m services.cli backup DIR`, and the sidecar's nightly backup with its rotation.

A backup is read in one read-only transaction (`Store.snapshot`): every table and every stored
file as of one moment, while the portal goes on serving and writing. It is the engines' own
transactional read rather than `pg_dump` or DuckDB's EXPORT DATABASE, because a backup must
restore into either engine and be checked row by row (`archive`). Stored files are written once
under a random name and never changed, so the bytes read for a file in the snapshot are the
bytes it had then; a file whose bytes retention has removed is recorded as gone.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from services import audit
from services.access import Actor
from services.db import Snapshot, Store, Tx, utcnow
from services.errors import InvalidInput
from services.localtime import oslo, utc_start_of
from services.operations import archive

log = logging.getLogger(__name__)
# Not rows of their own: the applied migrations are the manifest's schema version, and stored
# files' bytes travel as files whichever store held them.
NOT_COPIED = ("schema_migrations", "stored_file_contents")
FILE_NAME = re.compile(r"^trekkliste-(\d{8}T\d{6}Z)\.age$")
RETRY_FAILED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class BackupRun:
    path: Path
    tables: int
    rows: int
    files: int
    size_bytes: int


def tables_of(snapshot: Snapshot) -> list[str]:
    return [
        name
        for (name,) in snapshot.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        if name not in NOT_COPIED
    ]


def columns_of(snapshot: Snapshot, table: str) -> list[str]:
    return [
        name
        for (name,) in snapshot.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ? ORDER BY ordinal_position",
            [table],
        )
    ]


def _file_bytes(store: Store, snapshot: Snapshot) -> Iterator[tuple[int, bytes]]:
    """Every stored file's bytes as of the snapshot, one at a time; a file whose bytes are gone is
    left out."""
    if store.settings.file_store == "database":
        for batch in snapshot.batches("SELECT file_id, content FROM stored_file_contents ORDER BY file_id", 20):
            for file_id, content in batch:
                yield file_id, bytes(content)
        return
    for file_id, stored_name in snapshot.rows("SELECT id, stored_name FROM stored_files ORDER BY id"):
        path = store.settings.files_dir / stored_name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # its bytes were deleted (retention), or never written (a send that failed)
        yield file_id, data


def write_backup(store: Store, path: Path, *, recipient: str, now: datetime | None = None) -> BackupRun:
    """One consistent, encrypted backup of `store` at `path`."""
    created = now or utcnow()
    totals = {"tables": 0, "rows": 0, "files": 0}

    def produce(tar: tarfile.TarFile) -> None:
        with store.snapshot() as snapshot:
            manifest: dict[str, Any] = {
                "format": archive.FORMAT,
                "format_version": archive.FORMAT_VERSION,
                "created_at": created.isoformat(),
                "engine": store.engine,
                "migrations": sorted(v for (v,) in snapshot.rows("SELECT version FROM schema_migrations")),
                "tables": {},
                "files": {},
            }
            for table in tables_of(snapshot):
                writer = archive.TableWriter(table, columns_of(snapshot, table))
                for batch in snapshot.batches(f"SELECT * FROM {table}"):
                    for row in batch:
                        writer.add(row)
                manifest["tables"][table] = writer.finish(tar)
                totals["rows"] += writer.digest.rows
            for file_id, data in _file_bytes(store, snapshot):
                archive.add_member(tar, f"files/{file_id}", data)
                manifest["files"][str(file_id)] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        totals["tables"], totals["files"] = len(manifest["tables"]), len(manifest["files"])
        manifest["schema_version"] = max(manifest["migrations"])
        archive.add_member(tar, archive.MANIFEST, archive.json_bytes(manifest))

    size = archive.write(path, recipient, produce)
    return BackupRun(path, totals["tables"], totals["rows"], totals["files"], size)


def file_name(moment: datetime) -> str:
    return f"trekkliste-{moment:%Y%m%dT%H%M%SZ}.age"


def take(store: Store, *, directory: Path, recipient: str | None = None, now: datetime | None = None) -> BackupRun:
    """A backup into `directory`, recorded in `backup_runs` (a failure too) and logged."""
    recipient = recipient if recipient is not None else store.settings.backup_recipient
    if not recipient:
        raise InvalidInput(
            "PORTAL_BACKUP_RECIPIENT er ikke satt: sikkerhetskopien krypteres til forbundets offentlige nøkkel. "
            "Lag et nøkkelpar med «python -m services.cli backup-keygen FIL»."
        )
    started = now or utcnow()
    clock = time.monotonic()
    path = directory / file_name(started)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        done = write_backup(store, path, recipient=recipient, now=started)
    except BaseException as problem:
        # Recorded after the fact, not before: a run row written first would be in its own backup,
        # unfinished for ever after a restore.
        _record(store, started, time.monotonic() - clock, error=type(problem).__name__)
        log.error("backup failed: %s", type(problem).__name__)
        if isinstance(problem, OSError):
            raise InvalidInput(f"Sikkerhetskopien kunne ikke skrives til mappen: {problem.strerror}.") from problem
        raise
    _record(store, started, time.monotonic() - clock, done=done)
    log.info(
        "backup written: %s, %d rows in %d tables, %d files, %d bytes",
        path.name,
        done.rows,
        done.tables,
        done.files,
        done.size_bytes,
    )
    return done


def _record(
    store: Store, started: datetime, took: float, *, done: BackupRun | None = None, error: str | None = None
) -> None:
    """`finished_at` on the clock `started` came from (a caller's `now`), not the machine's: a run
    given a night's time was recorded as finished today, and the health check read that."""

    def work(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO backup_runs (started_at, finished_at, file_name, size_bytes, table_rows, file_count, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                started,
                started + timedelta(seconds=took),
                done.path.name if done else None,
                done.size_bytes if done else None,
                done.rows if done else None,
                done.files if done else None,
                error,
            ],
        )

    store.transaction(work)


def nightly(store: Store, *, now: datetime | None = None) -> int:
    """The sidecar's step: a backup once a night from `backup_hour` (Norwegian time), a failed one
    tried again after an hour, then the folder's rotation. 1 when a backup was written."""
    settings = store.settings
    if settings.backup_dir is None or not settings.backup_recipient:
        return 0
    now = now or utcnow()
    local = oslo(now)
    start_of_window = utc_start_of(local.date()) + timedelta(hours=settings.backup_hour)
    if now < start_of_window:
        start_of_window -= timedelta(days=1)
    if store.value(
        "SELECT count(*) FROM backup_runs WHERE started_at >= ? AND (error IS NULL OR started_at >= ?)",
        [start_of_window, now - RETRY_FAILED_AFTER],
    ):
        return 0
    try:
        take(store, directory=settings.backup_dir, now=now)
    except Exception:  # noqa: BLE001 - recorded and logged by `take`; health and «Drift» show it
        return 0
    rotate(settings.backup_dir, keep_daily=settings.backup_keep_daily, keep_weekly=settings.backup_keep_weekly)
    return 1


def rotate(directory: Path, *, keep_daily: int, keep_weekly: int) -> list[str]:
    """Keep the newest backup of each of the last `keep_daily` days with one, and of each of the last
    `keep_weekly` ISO weeks with one; remove the other backups (only files named as backups)."""
    found = sorted(
        (
            (datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ"), p)
            for p in directory.iterdir()
            if (m := FILE_NAME.match(p.name))
        ),
        reverse=True,
    )
    keep: set[Path] = set()
    days: dict[object, Path] = {}
    weeks: dict[object, Path] = {}
    for moment, path in found:
        local = oslo(moment)
        days.setdefault(local.date(), path)
        weeks.setdefault(local.isocalendar()[:2], path)
    keep.update(list(days.values())[:keep_daily])
    keep.update(list(weeks.values())[:keep_weekly])
    removed = []
    for _, path in found:
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    if removed:
        log.info("backup rotation removed %d old backups", len(removed))
    return removed


@dataclass(frozen=True)
class RunRecord:
    started_at: datetime
    finished_at: datetime | None
    file_name: str | None
    size_bytes: int | None
    table_rows: int | None
    file_count: int | None
    error: str | None


def last_runs(store: Store, *, actor: Actor, limit: int = 10) -> list[RunRecord]:
    """The latest backups, failed ones too, newest first: for «Drift»."""
    actor.require_staff()
    return store.records(
        RunRecord,
        "SELECT started_at, finished_at, file_name, size_bytes, table_rows, file_count, error"
        " FROM backup_runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    )


def take_now(store: Store, *, actor: Actor) -> BackupRun:
    """«Ta sikkerhetskopi nå» on «Drift»: on DuckDB only the portal's own process can read its store."""
    actor.require_staff()
    directory = store.settings.backup_dir
    if directory is None:
        raise InvalidInput("Mappen for sikkerhetskopier er ikke satt (PORTAL_BACKUP_DIR).")
    done = take(store, directory=directory)
    # Not rotated now: a backup taken by hand before an upgrade must not remove the night's.
    store.transaction(lambda tx: audit.record(tx, actor=actor, action="backup.taken", target=done.path.name))
    return done
