"""The one owner of the database connection and the schema.

DuckDB (the default): one connection per database file per process, opened and
migrated once; every script run or command works through its own `.cursor()`,
because a DuckDB connection shared between threads fails with "connection is busy".
PostgreSQL (PORTAL_DATABASE_URL, issue 15 under way): `db_postgres.PostgresCursor`
gives the same cursor interface over a connection pool, so `Store` and `Tx` are the
same for both engines.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from services.config import Settings
from services.store_errors import SchemaBehind, StoreUnavailable

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE_RETRIES = 6
# Attempts of a write transaction beside others before it runs alone (PostgreSQL).
ALONE_AFTER = 2
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_staged_names = itertools.count()
STAGED_TYPES = {
    "date": pa.date32(),
    "text": pa.string(),
    "integer": pa.int64(),
    "amount": pa.decimal128(14, 2),
    "timestamp": pa.timestamp("us"),
}
T = TypeVar("T")
R = TypeVar("R")

_connections: dict[Path, duckdb.DuckDBPyConnection] = {}
_connections_lock = threading.Lock()
# DuckDB lets one process write a database file, so every writer is in this process: one
# lock per file serialises write transactions, and a rule checked inside one (a lockout
# count, a list's reconciliation) sees every earlier commit. Retries stay for safety.
_write_locks: dict[Path, threading.RLock] = {}


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp in the store has."""
    return datetime.now(UTC).replace(tzinfo=None)


ENGINES = ("duckdb", "postgres")


def migration_files(engine: str = "duckdb") -> list[tuple[int, str, Path]]:
    """The numbered migrations in order for `engine`. `NNN_name.sql` serves every engine; where
    the engines really differ, `NNN_name.duckdb.sql` and `NNN_name.postgres.sql` sit side by side,
    and a version must then have one for each."""
    by_version: dict[int, dict[str | None, tuple[str, Path]]] = {}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.match(r"^(\d+)_([a-z0-9_]+)(?:\.(duckdb|postgres))?\.sql$", path.name)
        if match is None:
            raise RuntimeError(f"a migration's file name does not say its version and engine: {path.name}")
        files = by_version.setdefault(int(match.group(1)), {})
        if match.group(3) in files:
            raise RuntimeError(f"two migrations share the number {match.group(1)}")
        files[match.group(3)] = (match.group(2), path)
    found = []
    for version, files in sorted(by_version.items()):
        if None in files:
            if len(files) > 1:
                raise RuntimeError(f"migration {version:03d} is for every engine and for one engine at once")
            found.append((version, *files[None]))
        elif set(files) != set(ENGINES):
            raise RuntimeError(f"migration {version:03d} needs a file for each engine: {', '.join(ENGINES)}")
        else:
            found.append((version, *files[engine]))
    return found


def pending_migrations(conn: Any, engine: str = "duckdb") -> list[tuple[int, str, Path]]:
    """The migrations not yet recorded; read without writing, so a role that may only read and
    write rows can tell whether the schema is current."""
    exists = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        " AND table_schema = current_schema()"
    ).fetchone()[0]
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations").fetchall()} if exists else set()
    return [m for m in migration_files(engine) if m[0] not in done]


def migrate(conn: Any, engine: str = "duckdb", *, upto: int | None = None) -> list[int]:
    """Apply the migrations for `engine` not yet recorded, each in its own transaction; with
    `upto`, only those up to that version (a restore builds the schema its backup was taken at)."""
    pending = [m for m in pending_migrations(conn, engine) if upto is None or m[0] <= upto]
    if not pending:
        return []
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = []
    for version, name, path in pending:
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(path.read_text(encoding="utf-8"))
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
        log.info("applied migration %03d_%s", version, name)
    return applied


def connection(db_path: Path) -> duckdb.DuckDBPyConnection:
    """The process-wide connection to `db_path`, migrated on first use."""
    key = db_path.resolve()
    with _connections_lock:
        conn = _connections.get(key)
        if conn is None:
            key.parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = duckdb.connect(str(key))
            except duckdb.IOException as exc:
                raise StoreUnavailable(
                    "Databasen er i bruk av en annen prosess (portalen kjører?). "
                    "Stopp den, eller gjør endringen i portalen."
                ) from exc
            migrate(conn)
            _connections[key] = conn
        return conn


@contextmanager
def probe(settings: Settings) -> Iterator[Any]:
    """A cursor that only reads, for a health check: never migrates, never writes, and on DuckDB
    uses this process's connection when it has one (the portal), or opens the file read-only."""
    if settings.database_url:
        from services.db_postgres import probe_reader

        with probe_reader(settings.database_url) as reader:
            yield reader
        return
    key = settings.db_path.resolve()
    with _connections_lock:
        conn = _connections.get(key)
    if conn is not None:
        cur = conn.cursor()
        try:
            yield cur
        finally:
            cur.close()
        return
    if not key.exists():
        raise StoreUnavailable("Databasefilen finnes ikke.")
    try:
        own = duckdb.connect(str(key), read_only=True)
    except duckdb.IOException as exc:
        raise StoreUnavailable(
            "Databasen er i bruk av portalens prosess; spør portalen: python -m services.cli health --portal URL"
        ) from exc
    try:
        yield own
    finally:
        own.close()


def _write_lock(db_path: Path) -> threading.RLock:
    key = db_path.resolve()
    with _connections_lock:
        return _write_locks.setdefault(key, threading.RLock())


def close_all() -> None:
    """Close every cached connection (tests, and a clean CLI exit)."""
    with _connections_lock:
        for conn in _connections.values():
            conn.close()
        _connections.clear()
        _modes_checked.clear()
        _migrated_urls.clear()
    if "services.db_postgres" in sys.modules:
        from services.db_postgres import close_pools

        close_pools()


def _is_write_conflict(exc: Exception) -> bool:
    # DuckDB raises TransactionException for a write-write conflict between connections, PostgreSQL
    # a serialisation failure or a deadlock; any other kind would be a bug here, and is raised all
    # the same once the retries are spent.
    if isinstance(exc, duckdb.TransactionException):
        return True
    if type(exc).__module__.startswith("psycopg"):
        from services.db_postgres import WRITE_CONFLICTS

        return isinstance(exc, WRITE_CONFLICTS)
    return False


@dataclass
class Store:
    """One cursor on the portal's database, plus the settings services need."""

    settings: Settings
    # A DuckDB cursor, or `db_postgres.PostgresCursor` with the same interface.
    cur: Any = field(repr=False)

    @property
    def engine(self) -> str:
        """Which of `ENGINES` the store runs on: "postgres" or "duckdb"."""
        return "postgres" if self.settings.database_url else "duckdb"

    def rows(self, sql: str, params: list[Any] | tuple = ()) -> list[tuple]:
        return self.cur.execute(sql, list(params)).fetchall()

    def row(self, sql: str, params: list[Any] | tuple = ()) -> tuple | None:
        return self.cur.execute(sql, list(params)).fetchone()

    def one(self, sql: str, params: list[Any] | tuple = ()) -> tuple:
        """The row a query must find (a row just checked or written); its absence is a fault."""
        found = self.row(sql, params)
        if found is None:
            raise LookupError("expected a row: " + sql.split(" FROM ")[-1][:60])
        return found

    def value(self, sql: str, params: list[Any] | tuple = ()) -> Any:
        found = self.row(sql, params)
        return None if found is None else found[0]

    def dicts(self, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
        result = self.cur.execute(sql, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, r, strict=True)) for r in result.fetchall()]

    def records(self, record: type[R], sql: str, params: list[Any] | tuple = ()) -> list[R]:
        """Rows as `record`s, each column given to the field of its name: the SELECT's order is
        free, and a column the record lacks (or a field the SELECT lacks) fails at once."""
        return [record(**values) for values in self.dicts(sql, params)]

    def record(self, record: type[R], sql: str, params: list[Any] | tuple = ()) -> R | None:
        """The first row as a `record` (see `records`), or None when there is none."""
        found = self.records(record, sql, params)
        return found[0] if found else None

    def execute(self, sql: str, params: list[Any] | tuple = ()) -> None:
        self.cur.execute(sql, list(params))

    def transaction(self, work: Callable[[Tx], T]) -> T:
        """Run `work(store)` in one short write transaction, again on a write conflict.

        `work` must only touch the database: it may run more than once.
        """
        begin_write = getattr(self.cur, "begin_write", None)
        with _write_lock(self.settings.db_path):
            for attempt in range(1, WRITE_RETRIES + 1):
                if begin_write is not None:
                    # PostgreSQL, many processes: a transaction that lost twice runs alone.
                    begin_write(alone=attempt > ALONE_AFTER)
                else:
                    self.cur.execute("BEGIN TRANSACTION")
                try:
                    result = work(Tx(settings=self.settings, cur=self.cur))
                    self.cur.execute("COMMIT")
                    return result
                except Exception as exc:
                    self._rollback()
                    if _is_write_conflict(exc) and attempt < WRITE_RETRIES:
                        # Jittered: writers in other processes must not clash again in step.
                        time.sleep(0.01 * 2**attempt * (0.5 + random.random()))
                        continue
                    raise
        raise AssertionError("unreachable")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Work only one worker may do at a time, in every process on every machine: True when
        this one holds it for the block, False at once when another does. On DuckDB there is one
        writing process, so a lock in this process is enough; on PostgreSQL an advisory lock."""
        try_lock = getattr(self.cur, "try_lock", None)
        if try_lock is not None:
            with try_lock(_lock_key(name)) as held:
                yield held
            return
        with _connections_lock:
            lock = _exclusive_locks.setdefault((self.settings.db_path.resolve(), name), threading.Lock())
        held = lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                lock.release()

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """The whole store as it was at one moment, read while writers go on (a backup): a read-only
        transaction of its own, never the write lock."""
        opener = getattr(self.cur, "snapshot", None)
        if opener is not None:
            with opener() as reader:
                yield Snapshot(reader)
            return
        # A cursor of its own on the same DuckDB connection: its own transaction, beside this one's.
        cur = self.cur.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield Snapshot(cur)
            finally:
                cur.execute("ROLLBACK")
        finally:
            cur.close()

    def _rollback(self) -> None:
        try:
            self.cur.execute("ROLLBACK")
        except duckdb.TransactionException:
            pass  # a failed COMMIT has already ended the transaction


class Snapshot:
    """Reads inside one read-only transaction: every table as of the same moment."""

    def __init__(self, reader: Any):
        # A DuckDB cursor, or `db_postgres.SnapshotReader`: both have execute() and fetchmany().
        self._reader = reader

    def rows(self, sql: str, params: list[Any] | tuple = ()) -> list[tuple]:
        return self._reader.execute(sql, list(params)).fetchall()

    def batches(self, sql: str, size: int = 5000) -> Iterator[list[tuple]]:
        """A large result a batch at a time, so a backup holds one batch of a table, not all of it."""
        stream = getattr(self._reader, "stream", None)
        if stream is not None:
            yield from stream(sql, size)
            return
        result = self._reader.execute(sql)
        while batch := result.fetchmany(size):
            yield batch


class Tx(Store):
    """The store inside one write transaction. Work that must be written together with other
    work takes a `Tx`, so the type checker refuses a call from outside a transaction."""

    def transaction(self, work: Callable[[Tx], T]) -> T:
        raise RuntimeError("a transaction inside a transaction: pass the Tx on instead")

    @contextmanager
    def staged(
        self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, types: dict[str, str] | None = None
    ) -> Iterator[str]:
        """Rows as a relation for one set-based statement, its name yielded. The values keep
        their Python types: a Decimal stays an exact decimal, never a float on the way. `types`
        names the type of a column that may hold only NULLs ("date", "text", …): such a column
        has no type of its own, and PostgreSQL will not guess one."""
        for name in columns:
            if not IDENTIFIER.fullmatch(name):
                raise ValueError(f"not a column name: {name!r}")
        declared = {name: STAGED_TYPES[kind] for name, kind in (types or {}).items()}
        table = pa.table(
            {name: pa.array([row[i] for row in rows], type=declared.get(name)) for i, name in enumerate(columns)}
        )
        relation = f"staged_{next(_staged_names)}"
        self.cur.register(relation, table)
        try:
            yield relation
        finally:
            try:
                self.cur.unregister(relation)
            except Exception:  # noqa: BLE001 - either engine's error in an aborted transaction
                pass  # an aborted transaction refuses it; the error that aborted it is the one to raise

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows in one statement."""
        if not rows:
            return
        if not IDENTIFIER.fullmatch(table):
            raise ValueError(f"not a table name: {table!r}")
        names = ", ".join(columns)
        # PostgreSQL's cursor casts the staged columns to the table's types; DuckDB needs nothing.
        select_as = getattr(self.cur, "select_as", None)
        selected = select_as(table, columns) if select_as else names
        with self.staged(columns, rows) as relation:
            self.execute(f"INSERT INTO {table} ({names}) SELECT {selected} FROM {relation}")


_SEQUENCE_DEFAULT = re.compile(r"nextval\('([a-z_][a-z0-9_]*)'")


def continue_sequences(tx: Tx) -> None:
    """After rows were written with the ids they had elsewhere (a copy, a restore): each id
    sequence continues after its table's highest id."""
    for table, column, default in tx.rows(
        "SELECT table_name, column_name, column_default FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"
    ):
        sequence = _SEQUENCE_DEFAULT.match(default)
        if sequence is None:
            continue
        highest = tx.value(f"SELECT coalesce(max({column}), 0) FROM {table}")
        if tx.engine == "postgres":
            tx.execute(f"SELECT setval('{sequence.group(1)}', ?, false)", [highest + 1])
        elif highest:
            # DuckDB has no setval: the sequence is drawn from until it is past the highest id.
            tx.execute(f"SELECT max(nextval('{sequence.group(1)}')) FROM range(?)", [highest])


_modes_checked: set[Path] = set()
DEMO_MARKER_SQL = "SELECT 1 FROM users WHERE email LIKE '%@demo.example' LIMIT 1"


def _check_mode(store: Store) -> None:
    """Refuse a demo setting on a real store and a real setting on a demo store."""
    wanted = "demo" if store.settings.demo else "real"

    def record(tx: Tx) -> str:
        found = tx.value("SELECT value FROM store_identity WHERE key = 'mode'")
        if found is None:
            # First open, or a store from before the mode was written: its users tell.
            has_users = tx.value("SELECT count(*) FROM users") > 0
            found = ("demo" if tx.value(DEMO_MARKER_SQL) else "real") if has_users else wanted
            tx.execute("INSERT INTO store_identity VALUES ('mode', ?)", [found])
        return found

    recorded = store.transaction(record)
    if recorded != wanted:
        from services.config import ConfigError

        if recorded == "real":
            raise ConfigError(
                "Databasen er en ekte portals database og kan ikke åpnes i demomodus (PORTAL_DEMO). "
                "Bruk en egen datamappe (PORTAL_DATA_DIR) for demo."
            )
        raise ConfigError(
            "Databasen er en demodatabase med kjente passord og kan ikke brukes uten PORTAL_DEMO. "
            "Bruk en ny datamappe (PORTAL_DATA_DIR) for den ekte portalen."
        )


_migrated_urls: set[str] = set()
_migration_checks: dict[str, threading.Lock] = {}
_exclusive_locks: dict[tuple[Path, str], threading.Lock] = {}


def _lock_key(name: str) -> int:
    """A stable 63-bit key for an advisory lock, from its name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


def _postgres_cursor(settings: Settings) -> Any:
    from services.db_postgres import PostgresCursor

    url = settings.database_url or ""
    cur = PostgresCursor(url, pool_size=settings.db_pool_size, pool_wait=settings.db_pool_wait_seconds)
    with _connections_lock:
        fresh = url not in _migrated_urls
        single_flight = _migration_checks.setdefault(url, threading.Lock())
    if fresh:
        # One thread of the process checks the schema; the sessions that open at the same moment
        # (a restart, with every browser tab reconnecting) wait for it here, holding no pooled
        # connection, and find it done. One process at a time applies migrations (an advisory lock);
        # the portal's runtime role may not change the schema: the owner runs `services.cli migrate`.
        with single_flight:
            with _connections_lock:
                fresh = url not in _migrated_urls
            if fresh:
                with cur.migration_lock():
                    if pending_migrations(cur, "postgres") and not cur.may_change_schema():
                        raise SchemaBehind(
                            "Databasen trenger en oppgradering som portalens databaserolle ikke har lov til å gjøre."
                            " Kjør «python -m services.cli migrate --grant-to ROLLE» med eierrollens"
                            " PORTAL_DATABASE_URL."
                        )
                    migrate(cur, "postgres")
                with _connections_lock:
                    _migrated_urls.add(url)
    return cur


def open_store(settings: Settings) -> Store:
    """A fresh cursor for one script run or one command; refuses a store of the other mode."""
    if settings.database_url:
        cur = _postgres_cursor(settings)
    else:
        cur = connection(settings.db_path).cursor()
    store = Store(settings=settings, cur=cur)
    key = settings.db_path.resolve()
    if key not in _modes_checked:
        _check_mode(store)
        _modes_checked.add(key)
    return store
