"""The numbered migrations serve PostgreSQL as they serve DuckDB (issue 15, first step): applied
in order to a throwaway PostgreSQL, they give the same tables and columns, the same unique
indexes (the rules that must hold when two requests arrive at once) and the same seeded
settings as the DuckDB store the portal runs on today."""

import duckdb
import psycopg

from services import db


def _apply_all(conn) -> list[int]:
    conn.execute(
        "CREATE TABLE schema_migrations"
        " (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = []
    for version, name, path in db.migration_files("postgres"):
        with conn.transaction():
            conn.execute(path.read_text(encoding="utf-8"))
            conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, now())", [version, name])
        applied.append(version)
    return applied


def test_every_migration_applies_to_postgresql_with_the_same_schema(postgres_server, migrated_database, figure):
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE migrations_by_hand")
    with psycopg.connect(postgres_server.dsn("migrations_by_hand"), autocommit=True) as conn:
        applied = _apply_all(conn)
        pg_columns = set(
            conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            ).fetchall()
        )
        # Unique constraints and unique indexes alike, as (table, sorted columns).
        pg_unique = {
            (table, tuple(sorted(columns)))
            for table, columns in conn.execute(
                "SELECT t.relname, array_agg(a.attname::text) FROM pg_index i"
                " JOIN pg_class t ON t.oid = i.indrelid"
                " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indisunique AND NOT i.indisprimary AND t.relnamespace = 'public'::regnamespace"
                " GROUP BY i.indexrelid, t.relname"
            ).fetchall()
        }
        pg_settings = conn.execute("SELECT key, value FROM portal_settings ORDER BY key").fetchall()
        pg_rates = conn.execute("SELECT count(*) FROM dues_rates").fetchone()

    # The DuckDB side: the suite's migrated template, read-only, whatever engine the suite runs on.
    store = duckdb.connect(str(migrated_database), read_only=True)
    duck_columns = set(
        store.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
    )
    duck_unique = {
        (table, tuple(sorted(columns)))
        for table, columns in store.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'UNIQUE'"
        ).fetchall()
    } | {
        (table, tuple(sorted(c.strip() for c in expressions.strip("[]").split(","))))
        for table, expressions in store.execute(
            "SELECT table_name, expressions FROM duckdb_indexes() WHERE is_unique"
        ).fetchall()
    }
    assert applied == [version for version, _, _ in db.migration_files("postgres")]
    assert pg_columns == duck_columns
    assert pg_unique == duck_unique and pg_unique
    assert pg_settings == store.execute("SELECT key, value FROM portal_settings ORDER BY key").fetchall()
    assert pg_rates == store.execute("SELECT count(*) FROM dues_rates").fetchone()
    store.close()
    tables = len({table for table, _ in pg_columns})
    figure(
        f"postgres migrations: {len(applied)}/{len(applied)} applied, {tables} tables with the same columns"
        f" and {len(pg_unique)} unique rules as DuckDB"
    )
