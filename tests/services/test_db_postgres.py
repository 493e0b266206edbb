"""The store on PostgreSQL (PORTAL_DATABASE_URL): what only that engine needs — `?` placeholders
rewritten, rows staged with their exact types, migrations applied once, and writers in separate
processes serialised by the server. The store's own contract (rollback, retried conflicts, a
transaction inside a transaction refused) is tests/services/test_db.py, which make test-postgres
runs on PostgreSQL too."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from services import db, store_errors
from services.db import Tx
from services.db_postgres import to_pyformat

# Slow (a PostgreSQL server and processes clashing on it): not in `make test-fast`.
pytestmark = pytest.mark.slow


def test_placeholders_become_psycopgs_and_percent_signs_stay_literal():
    assert to_pyformat("SELECT ? WHERE x LIKE '%a?'") == "SELECT %s WHERE x LIKE '%%a?'"
    assert to_pyformat("SELECT count(*) FILTER (WHERE y > ?) FROM t") == "SELECT count(*) FILTER (WHERE y > %s) FROM t"


def test_migrated_once_and_the_store_answers_as_on_duckdb(postgres_settings):
    store = db.open_store(postgres_settings)
    versions = [r[0] for r in store.rows("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [v for v, _, _ in db.migration_files("postgres")]
    assert db.migrate(store.cur, "postgres") == []
    assert store.value("SHOW jit") == "off"  # set on every pooled connection
    assert store.value("SELECT value FROM store_identity WHERE key = 'mode'") == "real"
    assert store.value("SELECT count(*) FROM companies WHERE orgnr LIKE '9%' AND name = ?", ["x"]) == 0
    assert store.dicts("SELECT key FROM portal_settings WHERE key = ?", ["list_deadline_day"]) == [
        {"key": "list_deadline_day"}
    ]


def test_staged_rows_keep_their_types_and_bulk_insert_writes_them(postgres_settings):
    store = db.open_store(postgres_settings)
    rows = [(1, "Ås, Kjersti", Decimal("676.01"), date(2026, 10, 1), datetime(2026, 11, 1, 12, 30), None)]

    def work(tx: Tx):
        with tx.staged(("id", "name", "amount", "period", "at", "note"), rows) as staged:
            return tx.rows(f"SELECT id, name, amount, period, at, note FROM {staged}")

    assert store.transaction(work) == rows
    store.transaction(
        lambda tx: tx.bulk_insert(
            "companies", ("orgnr", "name", "created_at"), [("910000004", "A AS", datetime(2026, 1, 1))]
        )
    )
    assert store.row("SELECT orgnr, name FROM companies") == ("910000004", "A AS")


BUMP = """
import sys
from services import db
from tests.conftest import make_settings
from pathlib import Path

settings = make_settings(Path(sys.argv[1]), database_url=sys.argv[2])
store = db.open_store(settings)
for _ in range(25):
    store.transaction(lambda tx: tx.execute("UPDATE companies SET name = CAST(CAST(name AS INTEGER) + 1 AS VARCHAR)"))
db.close_all()
"""


def test_writers_in_separate_processes_are_serialised_by_the_server(postgres_settings, tmp_path):
    """Two processes, no shared lock: SERIALIZABLE makes one of two clashing updates fail, and
    the store retries it, so no increment is lost."""
    import subprocess
    import sys
    from pathlib import Path

    store = db.open_store(postgres_settings)
    store.execute("INSERT INTO companies (orgnr, name, created_at) VALUES ('910000004', '0', now())")
    root = Path(__file__).resolve().parents[2]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", BUMP, str(tmp_path / f"p{n}"), postgres_settings.database_url], cwd=root
        )
        for n in range(3)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    assert store.value("SELECT name FROM companies") == "75"


CLASH = """
import sys, time
from services import db
from tests.conftest import make_settings
from pathlib import Path

settings = make_settings(Path(sys.argv[1]), database_url=sys.argv[2])
store = db.open_store(settings)


def bump(tx):
    # Read, dawdle, write: every other process's transaction overlaps this one.
    count = int(tx.value("SELECT name FROM companies"))
    time.sleep(0.05)
    tx.execute("UPDATE companies SET name = ?", [str(count + 1)])


given_up = 0
for _ in range(20):
    try:
        store.transaction(bump)
    except Exception:
        given_up += 1
print(given_up)
db.close_all()
"""


def test_a_writer_that_keeps_losing_runs_alone_and_nothing_is_given_up(postgres_settings, tmp_path, figure):
    """Six processes whose every write overlaps the others': without a way out, a transaction
    that lost six times in a row gave up (a list not stored on the 15th with two servers); one
    that lost twice takes the writers' lock alone, and wins."""
    import subprocess
    import sys
    from pathlib import Path

    store = db.open_store(postgres_settings)
    store.execute("INSERT INTO companies (orgnr, name, created_at) VALUES ('910000004', '0', now())")
    root = Path(__file__).resolve().parents[2]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLASH, str(tmp_path / f"p{n}"), postgres_settings.database_url],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    given_up = sum(int(w.communicate(timeout=300)[0].strip()) for w in workers)
    kept = int(store.value("SELECT name FROM companies"))
    figure(f"writers: 6 processes x 20 clashing updates, {kept}/120 kept, {given_up} given up")
    assert (kept, given_up) == (120, 0)


FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text, c.condeferred
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.contype = 'f'
"""


def test_foreign_keys_refuse_a_reference_to_nothing_at_commit(postgres_settings, figure):
    import psycopg
    import pytest

    store = db.open_store(postgres_settings)
    keys = store.rows(FOREIGN_KEYS_SQL)
    assert keys and all(deferred for *_, deferred in keys)
    # Every column naming a row by its id has its key, except in the two records of what happened.
    named = {
        (table, column)
        for table, column in store.rows(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND (column_name LIKE '%\\_id' OR column_name LIKE '%\\_by') AND data_type IN ('integer', 'bigint')"
        )
    }
    keyed = {(table, column) for table, column, _, _ in keys}
    assert named - keyed == {("audit_log", "actor_user_id"), ("audit_log", "company_id"), ("login_attempts", "user_id")}

    def dangling(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO submissions (company_id, period, contact_email, submitted_at, person_count, total)"
            " VALUES (4242, DATE '2026-10-01', 'a@b.no', now(), 0, 0)"
        )

    # Deferred: the insert itself passes, the COMMIT refuses it, and nothing is kept.
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        store.transaction(dangling)
    assert store.value("SELECT count(*) FROM submissions") == 0
    figure(
        f"postgres foreign keys: {len(keys)}, each checked at commit; a list for a company that is not there is refused"
    )


def test_every_key_to_a_user_is_removed_with_the_user_or_keeps_the_user(postgres_settings):
    """`users.delete` removes a user's access, sessions and codes, and refuses when anything
    else names the user: the foreign keys to users are exactly those two sets."""
    from services.accounts import users

    store = db.open_store(postgres_settings)
    to_users = {(table, column) for table, column, target, _ in store.rows(FOREIGN_KEYS_SQL) if target == "users"}
    removed = {(table, "user_id") for table in users.REMOVED_WITH_USER}
    assert to_users == removed | set(users.ACTED_BY)


def test_forty_sessions_opening_at_once_after_a_start_all_get_in(postgres_settings, figure):
    """A restart: every open tab reconnects at the same moment, and each first opening of the store
    once checked the schema holding a pooled connection: 11 of 20 got a timeout. The check is now
    made by one thread of the process while the others wait without a connection."""
    import dataclasses
    import threading

    settings = dataclasses.replace(postgres_settings, db_pool_size=4, db_pool_wait_seconds=5.0)
    db.close_all()
    barrier = threading.Barrier(40)
    errors, answers = [], []

    def session() -> None:
        barrier.wait()
        try:
            store = db.open_store(settings)
            answers.append(store.value("SELECT count(*) FROM users"))
        except Exception as problem:  # noqa: BLE001 - counted and asserted below
            errors.append(problem)

    threads = [threading.Thread(target=session) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figure(f"cold start: 40 sessions on PostgreSQL at once (a pool of 4), {len(errors)} errors, {len(answers)} served")
    assert errors == [] and answers == [0] * 40


def test_a_pool_that_stays_empty_says_so_in_norwegian(postgres_settings):
    import dataclasses

    # The smallest pool the schema check at the first opening can work with: two connections.
    settings = dataclasses.replace(postgres_settings, db_pool_size=2, db_pool_wait_seconds=1.0)
    db.close_all()
    holders = [db.open_store(settings), db.open_store(settings)]
    for holder in holders:
        holder.cur.execute("BEGIN TRANSACTION")
    try:
        with pytest.raises(store_errors.StoreBusy, match="Portalen har mye å gjøre akkurat nå — prøv igjen om litt"):
            db.open_store(settings).value("SELECT 1")
    finally:
        for holder in holders:
            holder.cur.execute("ROLLBACK")
    assert holders[0].value("SELECT 1") == 1
