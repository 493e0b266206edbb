"""The upgrade drill of deploy/README.md: a pilot's store at the release before the newest
migration (N−1) is backed up as that release would, migrated, started and checked, and yesterday's
backup restored into a fresh store, as a rollback would. On the suite's engine: `make test-postgres`
upgrades a PostgreSQL store."""

from __future__ import annotations

import dataclasses

import pytest

from services import db, sidecar
from services.cli import main as cli
from services.db import Store, Tx, continue_sequences, migrate, migration_files
from services.operations import backup, restore
from tests.conftest import make_settings
from tests.services.operations.conftest import fill

# Slow (an upgrade and its roll back, as processes): not in `make test-fast`.
pytestmark = pytest.mark.slow


def _store_at(settings, version: int, rows_from: Store):
    """A store whose schema stops at `version`, holding `rows_from`'s rows in the columns that
    migration had (the newest migration adds; a release's data is a projection of today's)."""
    engine = "postgres" if settings.database_url else "duckdb"
    if engine == "postgres":
        from services.db_postgres import PostgresCursor

        cur = PostgresCursor(settings.database_url)
    else:
        import duckdb

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        cur = duckdb.connect(str(settings.db_path))
    migrate(cur, engine, upto=version)
    old = Store(settings=settings, cur=cur)
    with old.snapshot() as snapshot:
        tables = {t: backup.columns_of(snapshot, t) for t in backup.tables_of(snapshot)}
    with rows_from.snapshot() as snapshot:
        data = {}
        for table, columns in tables.items():
            shared = [c for c in columns if c in backup.columns_of(snapshot, table)]
            data[table] = (shared, snapshot.rows(f"SELECT {', '.join(shared)} FROM {table}"))

    cur.execute("BEGIN TRANSACTION")
    tx = Tx(settings=settings, cur=cur)
    for table, (columns, rows) in data.items():
        tx.execute(f"DELETE FROM {table}")
        tx.bulk_insert(table, columns, rows)
    continue_sequences(tx)
    cur.execute("COMMIT")
    return old


def _environment(monkeypatch, settings, backup_dir, recipient) -> None:
    for name, value in {
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_DATABASE_URL": settings.database_url or "",
        "PORTAL_FILE_STORE": settings.file_store,
        "PORTAL_BACKUP_DIR": str(backup_dir),
        "PORTAL_BACKUP_RECIPIENT": recipient,
        "PORTAL_MIN_FREE_DISK_MB": "1",
        "PORTAL_DEMO": "0",
    }.items():
        monkeypatch.setenv(name, value)


def test_upgrade_and_roll_back(tmp_path, request, backup_key, monkeypatch, capsys, figure):
    import os

    recipient, identity_file = backup_key
    newest = max(v for v, _, _ in migration_files())
    today = db.open_store(make_settings(tmp_path / "i-dag"))
    fill(today)
    if os.environ.get("PORTAL_TEST_ENGINE") == "postgres":
        pilot_settings = dataclasses.replace(request.getfixturevalue("postgres_settings"), data_dir=tmp_path / "pilot")
    else:
        pilot_settings = make_settings(tmp_path / "pilot")
    pilot = _store_at(pilot_settings, newest - 1, today)
    steps = [f"store at migration {newest - 1:03d}"]

    # 1. The night's backup, taken by the running release.
    (tmp_path / "kopier").mkdir()
    yesterday = backup.write_backup(pilot, tmp_path / "kopier" / "i-gaar.age", recipient=recipient)
    if not pilot_settings.database_url:
        pilot.cur.close()
    db.close_all()
    steps.append("backup")

    # 2. Stop, pull, migrate.
    _environment(monkeypatch, pilot_settings, tmp_path / "kopier", recipient)
    assert cli(["migrate"]) == 0, capsys.readouterr()
    assert f"migrering {newest:03d}" in capsys.readouterr().out
    upgraded = db.open_store(pilot_settings)
    assert upgraded.value("SELECT max(version) FROM schema_migrations") == newest
    migrated = restore.table_digests(upgraded)
    steps.append("migrate")

    # 3. Start (the sidecar runs, and takes the night's backup now it knows how), then health.
    sidecar.run_once(
        db.open_store(dataclasses.replace(pilot_settings, backup_dir=tmp_path / "kopier", backup_recipient=recipient))
    )
    code = cli(["health"])
    out = capsys.readouterr().out
    assert code == 0, out
    steps.append("health ok")

    # 4. Roll back: yesterday's backup into a fresh store, migrated as it is restored.
    fresh = make_settings(tmp_path / "ny")
    _environment(monkeypatch, fresh, tmp_path / "kopier", recipient)
    assert cli(["restore", str(yesterday.path), "--key", str(identity_file)]) == 0
    assert f"migrering {newest - 1:03d}, databasen nå ved {newest:03d}" in capsys.readouterr().out
    rolled_back = restore.table_digests(db.open_store(fresh))
    assert rolled_back == migrated
    steps.append("restore ok")
    figure("upgrade drill: " + " → ".join(steps))
