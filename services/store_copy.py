"""`python -m services.cli copy-store --to postgresql://…`: a pilot's DuckDB store moved into
PostgreSQL (issue 15). Every row of every table is copied in one transaction on the target, the
target's id sequences continue after the copied ids, and a target that already holds a portal's
data is refused. Stored files either stay in their folder (`files="folder"`: the portal on one
machine) or are copied into the database with the rows (`files="database"`: then run the portal
with PORTAL_FILE_STORE=database).
"""

from __future__ import annotations

import dataclasses

from services import filestore
from services.config import FILE_STORES
from services.db import Store, Tx, continue_sequences, open_store
from services.errors import InvalidInput

# Filled by the migrations themselves: the source's rows replace them.
SEEDED = ("portal_settings", "dues_rates", "store_identity")


def _tables(source: Store) -> list[str]:
    return [
        name
        for (name,) in source.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name"
        )
    ]


def _columns(source: Store, table: str) -> list[str]:
    return [
        name
        for (name,) in source.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?"
            " ORDER BY ordinal_position",
            [table],
        )
    ]


# Foreign keys on the target, as (table, column, referenced table): the pilot's DuckDB store has none.
_FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.contype = 'f' ORDER BY 1, 2
"""
# A reference the portal itself now clears when its row goes: retention removes a member but keeps
# outcomes that name the member for longer; a pilot that purged before it did so holds such rows.
_CLEARED_WHEN_GONE = {("reconciliation_items", "member_id")}


def _references_kept(tx: Tx) -> None:
    """Every reference in the copied rows names a copied row, or nothing is copied: the target's
    foreign keys would refuse the whole copy at COMMIT, without saying which rows. Checked in the
    target, inside the copy's transaction, so the rows never have to be held in memory."""
    dangling = []
    for table, column, referenced in tx.rows(_FOREIGN_KEYS_SQL):
        missing = (
            f"FROM {table} t WHERE t.{column} IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {referenced} r WHERE r.id = t.{column})"
        )
        if (table, column) in _CLEARED_WHEN_GONE:
            tx.execute(f"UPDATE {table} SET {column} = NULL WHERE id IN (SELECT t.id {missing})")
            continue
        found = tx.value(f"SELECT count(*) {missing}")
        if found:
            dangling.append(f"{table}.{column} ({found} rader)")
    if dangling:
        raise InvalidInput(
            "Kilden har rader som viser til rader som ikke finnes, og ingenting er kopiert: " + ", ".join(dangling)
        )


# Rows read and written at a time: memory stays flat however large the store is.
BATCH_ROWS = 10_000
# DuckDB keeps every block it has read cached, up to 80 % of the machine's memory: a copy reads
# every block once, so without a bound its memory would grow with the store.
SOURCE_MEMORY_LIMIT = "64MB"


def copy_store(source: Store, *, to: str, files: str = "folder") -> dict[str, int]:
    """Copy `source` (the DuckDB store) into the PostgreSQL database at `to`; rows per table. The
    tables stream over in batches, the files one at a time, all in one transaction on the target."""
    if source.settings.database_url:
        raise InvalidInput("Kilden må være DuckDB-databasen (uten PORTAL_DATABASE_URL).")
    if files not in FILE_STORES:
        raise InvalidInput("Filene kopieres til «folder» eller «database».")
    target = open_store(dataclasses.replace(source.settings, database_url=to))
    tables = _tables(source)
    for table in tables:
        if table in SEEDED:
            continue
        found = target.value(f"SELECT count(*) FROM {table}")
        if found:
            raise InvalidInput(f"Måldatabasen er ikke tom: tabellen {table} har {found} rader. Bruk en tom database.")
    columns = {table: _columns(source, table) for table in tables}
    # The pilot kept its files in its folder: with files="database" their bytes go in with the rows.
    pilot = Store(settings=dataclasses.replace(source.settings, file_store="folder"), cur=source.cur)
    copied: dict[str, int] = {}
    source.execute(f"SET memory_limit = '{SOURCE_MEMORY_LIMIT}'")

    def work(tx: Tx) -> None:
        copied.clear()
        with source.snapshot() as snapshot:
            for table in tables:
                if table in SEEDED or table == "stored_file_contents":
                    tx.execute(f"DELETE FROM {table}")
                copied[table] = 0
                for batch in snapshot.batches(f"SELECT * FROM {table}", BATCH_ROWS):
                    tx.bulk_insert(table, columns[table], batch)
                    copied[table] += len(batch)
            if files == "database":
                tx.execute("DELETE FROM stored_file_contents")
                copied["stored_file_contents"] = 0
                for (file_id,) in snapshot.rows("SELECT id FROM stored_files ORDER BY id"):
                    found = filestore.read(pilot, file_id=file_id)
                    if found is not None:
                        tx.bulk_insert("stored_file_contents", ("file_id", "content"), [(file_id, found[1])])
                        copied["stored_file_contents"] += 1
        _references_kept(tx)
        continue_sequences(tx)

    target.transaction(work)
    # Statistics for the planner now, not when autovacuum first comes by: without them it guesses
    # a table or two of rows and picks plans that read every list's rows for one company.
    target.execute("ANALYZE")
    return copied
