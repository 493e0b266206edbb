"""PostgreSQL behind the store's cursor interface.

`services.db.Store` talks to a DuckDB cursor: `execute(sql, params)` with `?` placeholders,
`BEGIN TRANSACTION` / `COMMIT` / `ROLLBACK` as statements, and `register` / `unregister` for
rows staged as a relation. `PostgresCursor` gives the same to a PostgreSQL server through a
psycopg connection pool, so the store and every service above it stay as they are:

- a statement outside a transaction borrows a connection for itself;
- a transaction keeps one connection from BEGIN to COMMIT or ROLLBACK, at SERIALIZABLE
  isolation: the rules DuckDB's single writer gave (a lockout count, once-only reminders) hold
  across processes, and a serialisation failure is a write conflict the store retries;
- staged rows become a temporary table filled by COPY, dropped at the end.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from services.store_errors import StoreBusy, StoreUnavailable

_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()
_column_types: dict[tuple[str, str], dict[str, str]] = {}
# One key for the advisory lock that lets one process at a time apply migrations.
MIGRATION_LOCK = 1_151_014
# The writers' lock: every write transaction holds it shared; one that keeps losing to
# serialisation conflicts takes it alone (services.db.Store.transaction).
WRITERS_LOCK = 1_151_015
WRITERS_SHARED = ("pg_advisory_lock_shared", "pg_advisory_unlock_shared")
WRITERS_ALONE = ("pg_advisory_lock", "pg_advisory_unlock")
WRITE_CONFLICTS = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected, pg_errors.LockNotAvailable)
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")


def to_pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s`; a literal `%` doubled; string literals left alone."""

    def swap(match: re.Match) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return token.replace("%", "%%")

    return _PLACEHOLDER.sub(swap, sql)


def _configure(conn: psycopg.Connection) -> None:
    # No JIT: the portal's queries are short, and compiling one («Oversikt» at union scale) took
    # 0.3 s of a 0.5 s run. A statement, not a startup option, which a pooler such as PgBouncer
    # would refuse.
    conn.execute("SET jit = off")


def pool(url: str, *, max_size: int = 10, wait: float = 10.0) -> ConnectionPool:
    """The process's pool for `url`, made with the settings of the first store opened on it."""
    with _pools_lock:
        found = _pools.get(url)
        if found is None:
            found = ConnectionPool(
                url,
                min_size=1,
                max_size=max_size,
                timeout=wait,
                kwargs={"autocommit": True},
                configure=_configure,
                open=True,
            )
            _pools[url] = found
        return found


def close_pools() -> None:
    with _pools_lock:
        for found in _pools.values():
            found.close()
        _pools.clear()
        _column_types.clear()


class Result:
    """What a statement gave, read out before its connection went back to the pool."""

    def __init__(self, rows: list[tuple], description: Sequence[Any] | None):
        self._rows, self.description = rows, description

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


_ARROW_TYPES = (
    (pa.types.is_boolean, "BOOLEAN"),
    (pa.types.is_integer, "BIGINT"),
    (pa.types.is_floating, "DOUBLE PRECISION"),
    (pa.types.is_decimal, "NUMERIC"),
    (pa.types.is_date, "DATE"),
    (pa.types.is_timestamp, "TIMESTAMP"),
)


def _column_type(arrow_type: pa.DataType) -> str:
    for test, name in _ARROW_TYPES:
        if test(arrow_type):
            return name
    return "TEXT"


class PostgresCursor:
    """One script run's or command's way to the server, shaped like a DuckDB cursor."""

    def __init__(self, url: str, *, pool_size: int = 10, pool_wait: float = 10.0):
        self._url = url
        self._pool = pool(url, max_size=pool_size, wait=pool_wait)
        self._conn: psycopg.Connection | None = None
        self._writers_lock: str | None = None  # the unlock function, while a write transaction holds it

    @contextmanager
    def _borrowed(self) -> Iterator[psycopg.Connection]:
        conn = self._take()
        try:
            yield conn
        finally:
            self._pool.putconn(conn)

    def _take(self) -> psycopg.Connection:
        """A pooled connection; when the pool stays empty for its wait, once more, then a named
        error with a Norwegian message (never Streamlit's English error page)."""
        for attempt in (1, 2):
            try:
                return self._pool.getconn()
            except PoolTimeout:
                if attempt == 2:
                    raise StoreBusy("Portalen har mye å gjøre akkurat nå — prøv igjen om litt.") from None
        raise AssertionError("unreachable")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        statement = sql.strip().rstrip(";").upper()
        if statement in ("BEGIN", "BEGIN TRANSACTION"):
            return self._begin()
        if statement in ("COMMIT", "ROLLBACK"):
            return self._end(statement)
        query = to_pyformat(sql) if params else sql
        if self._conn is not None:
            return self._run(self._conn, query, params)
        with self._borrowed() as conn:
            return self._run(conn, query, params)

    @staticmethod
    def _run(conn: psycopg.Connection, query: str, params: Sequence[Any] | None) -> Result:
        with conn.cursor() as cur:
            cur.execute(query, list(params) if params else None)
            rows = cur.fetchall() if cur.description is not None else []
            return Result(rows, cur.description)

    def _begin(self, writers_lock: tuple[str, str] | None = None) -> Result:
        """A transaction on a connection of its own; with `writers_lock` (lock, unlock functions)
        that lock is taken first, as the session's, so the transaction's snapshot comes after it."""
        if self._conn is not None:
            raise RuntimeError("a transaction is already open on this cursor")
        conn = self._take()
        try:
            if writers_lock is not None:
                lock, self._writers_lock = writers_lock
                conn.execute(f"SELECT {lock}(%s)", [WRITERS_LOCK])
            conn.execute("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE")
        except BaseException:
            self._release_writers_lock(conn)
            self._pool.putconn(conn)
            raise
        self._conn = conn
        return Result([], None)

    def begin_write(self, *, alone: bool) -> None:
        """A write transaction, with the writers' lock shared, or `alone`: then no other write
        transaction runs beside it, so none can make it fail again."""
        self._begin(WRITERS_ALONE if alone else WRITERS_SHARED)

    def _release_writers_lock(self, conn: psycopg.Connection) -> None:
        unlock, self._writers_lock = self._writers_lock, None
        if unlock is not None and not conn.closed:
            conn.execute(f"SELECT {unlock}(%s)", [WRITERS_LOCK])

    def _end(self, statement: str) -> Result:
        conn, self._conn = self._conn, None
        if conn is None:
            return Result([], None)  # a ROLLBACK after a failed COMMIT: already over
        try:
            conn.execute(statement)
        finally:
            try:
                self._release_writers_lock(conn)
            finally:
                self._pool.putconn(conn)
        return Result([], None)

    def register(self, name: str, table: pa.Table) -> None:
        """Rows staged for one set-based statement: a temporary table, filled by COPY."""
        columns = ", ".join(f"{field.name} {_column_type(field.type)}" for field in table.schema)
        self.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        target = self._conn
        if target is None:
            raise RuntimeError("rows are staged only inside a transaction")
        names = ", ".join(table.column_names)
        with target.cursor() as cur, cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for row in zip(*(column.to_pylist() for column in table.columns), strict=True):
                copy.write_row(row)

    def select_as(self, table: str, columns: Sequence[str]) -> str:
        """The staged columns cast to the target table's own types: a column staged with only
        NULLs has no type of its own (TEXT), and PostgreSQL casts nothing into NUMERIC by itself."""
        key = (self._url, table)
        types = _column_types.get(key)
        if types is None:
            # The schema is fixed once migrated: read once per database and table, not per insert.
            types = dict(
                self.execute(
                    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                    " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped",
                    [table],
                ).fetchall()
            )
            _column_types[key] = types
        return ", ".join(f"CAST({c} AS {types[c]})" if c in types else c for c in columns)

    def unregister(self, name: str) -> None:
        if self._conn is not None:
            self._conn.execute(f"DROP TABLE IF EXISTS {name}")

    def try_lock(self, key: int) -> Any:
        """A session-level advisory lock held for the block, or None at once if another session
        (in any process, on any machine) holds it."""
        return _TryLock(self._pool, key)

    def may_change_schema(self) -> bool:
        """Whether this connection's role may create tables (the owner), or only use rows (the portal)."""
        found = self.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')").fetchone()
        return bool(found and found[0])

    def grant_runtime(self, role: str) -> None:
        """What the portal's runtime role may do: read and write rows, use sequences and temporary
        tables; never change the schema. The audit log is append-only for it, and the record of
        migrations read-only. Run by the owner after every migration (`services.cli migrate`)."""
        from psycopg import sql

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise ValueError(f"not a role name: {role!r}")
        who = sql.Identifier(role)
        database = (self.execute("SELECT current_database()").fetchone() or ("",))[0]
        statements = [
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), who),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(who),
            sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {}").format(who),
            sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM {}").format(who),
        ]
        with self._pool.connection() as conn:
            for statement in statements:
                conn.execute(statement)

    @contextmanager
    def snapshot(self) -> Iterator[SnapshotReader]:
        """A connection in one REPEATABLE READ, READ ONLY transaction: every table as of one moment,
        without blocking or failing any writer (a backup)."""
        with self._pool.connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield SnapshotReader(conn)
            finally:
                conn.execute("ROLLBACK")

    def migration_lock(self) -> Any:
        """Held while this process applies migrations: another process waits, then finds none to apply."""
        return _AdvisoryLock(self._pool)


class SnapshotReader:
    """Statements on the snapshot's connection; a large result through a server-side cursor."""

    _names = itertools.count()

    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Result:
        return PostgresCursor._run(self._conn, to_pyformat(sql) if params else sql, params)

    def stream(self, sql: str, size: int) -> Iterator[list[tuple]]:
        with self._conn.cursor(name=f"snapshot_{next(self._names)}") as cur:
            cur.execute(sql)
            while batch := cur.fetchmany(size):
                yield batch


PROBE_TIMEOUT_SECONDS = 5


@contextmanager
def probe_reader(url: str) -> Iterator[SnapshotReader]:
    """A connection of its own for a health check, outside the pool: a server that is gone is
    reported within seconds, not after the pool's wait."""
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=PROBE_TIMEOUT_SECONDS)
    except psycopg.Error as problem:
        raise StoreUnavailable(f"ingen forbindelse ({type(problem).__name__})") from problem
    try:
        yield SnapshotReader(conn)
    finally:
        conn.close()


class _AdvisoryLock:
    def __init__(self, connections: ConnectionPool):
        self._pool = connections
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> None:
        self._conn = self._pool.getconn()
        self._conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
            self._pool.putconn(self._conn)
            self._conn = None


class _TryLock:
    def __init__(self, connections: ConnectionPool, key: int):
        self._pool, self._key = connections, key
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> bool:
        conn = self._pool.getconn()
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", [self._key]).fetchone()
        if got and got[0]:
            self._conn = conn
            return True
        self._pool.putconn(conn)
        return False

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", [self._key])
            self._pool.putconn(self._conn)
            self._conn = None
