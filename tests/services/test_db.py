import threading

import pytest

from services import db


def test_migrations_are_recorded_and_applied_once(store, settings):
    versions = [r[0] for r in store.rows("SELECT version FROM schema_migrations")]
    assert versions == sorted({int(p.name[:3]) for p in db.MIGRATIONS_DIR.glob("*.sql")})
    assert versions[:2] == [1, 2]
    assert db.migrate(store.cur, store.engine) == []  # on whichever engine the store runs


def test_transaction_rolls_back_everything_on_error(store):
    def work(tx):
        tx.execute("INSERT INTO companies (orgnr, name, created_at) VALUES ('910000004', 'A', now())")
        raise ValueError("boom")

    try:
        store.transaction(work)
    except ValueError:
        pass
    assert store.value("SELECT count(*) FROM companies") == 0


def test_concurrent_writers_to_one_row_are_retried_not_lost(store, settings):
    store.execute("INSERT INTO companies (orgnr, name, created_at) VALUES ('910000004', '0', now())")
    errors = []

    def bump():
        own = db.open_store(settings)
        for _ in range(20):
            try:
                own.transaction(
                    lambda tx: tx.execute("UPDATE companies SET name = CAST(CAST(name AS INTEGER) + 1 AS VARCHAR)")
                )
            except Exception as exc:  # collected, asserted below
                errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.value("SELECT name FROM companies") == "60"


def test_work_that_needs_a_transaction_gets_one(store):
    from services.db import Tx

    seen = store.transaction(lambda tx: type(tx))
    assert seen is Tx
    with pytest.raises(RuntimeError, match="inside a transaction"):
        store.transaction(lambda tx: tx.transaction(lambda inner: None))


def test_a_migration_is_for_every_engine_or_has_a_file_for_each(tmp_path, monkeypatch):
    for name in ("001_base.sql", "002_keys.duckdb.sql", "002_keys.postgres.sql", "003_more.sql"):
        (tmp_path / name).write_text("-- x\n")
    monkeypatch.setattr(db, "MIGRATIONS_DIR", tmp_path)
    assert [(v, p.name) for v, _, p in db.migration_files("postgres")] == [
        (1, "001_base.sql"),
        (2, "002_keys.postgres.sql"),
        (3, "003_more.sql"),
    ]
    assert db.migration_files("duckdb")[1][2].name == "002_keys.duckdb.sql"
    (tmp_path / "002_keys.postgres.sql").unlink()
    with pytest.raises(RuntimeError, match="needs a file for each engine"):
        db.migration_files("duckdb")
    (tmp_path / "002_keys.sql").write_text("-- x\n")
    (tmp_path / "002_keys.postgres.sql").write_text("-- x\n")
    with pytest.raises(RuntimeError, match="for every engine and for one engine"):
        db.migration_files("duckdb")
    (tmp_path / "002_keys.sql").unlink()
    (tmp_path / "002_other.sql").write_text("-- x\n")
    with pytest.raises(RuntimeError, match="every engine and for one engine"):
        db.migration_files("duckdb")
