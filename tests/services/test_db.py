import threading

import pytest

from services import db


def test_migrations_are_recorded_and_applied_once(store, settings):
    versions = [r[0] for r in store.rows("SELECT version FROM schema_migrations")]
    assert versions == sorted(int(p.name[:3]) for p in db.MIGRATIONS_DIR.glob("*.sql"))
    assert versions[:2] == [1, 2]
    assert db.migrate(store.cur) == []  # on whichever engine the store runs


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
