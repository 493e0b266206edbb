"""`python -m services.cli restore FILE --key KEYFILE`: a backup brought back into an empty store of
either engine.

Everything is read and checked before anything is written: the key opens the file, every table and
file matches the manifest, the schema is not newer than this version's. The rows are then loaded
into a scratch DuckDB in memory built at the backup's own migration, and migrated forward there, so
a backup from an earlier release restores into this one. Last, in one transaction on the target,
every row goes in, and the target's tables are read back and compared with what went in.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from pyrage import x25519

from services.backup_keys import load_identity
from services.config import Settings
from services.db import Snapshot, Store, Tx, continue_sequences, migrate, migration_files, open_store
from services.errors import InvalidInput
from services.operations import archive
from services.operations.backup import columns_of, tables_of
from services.store_copy import SEEDED

log = logging.getLogger(__name__)


class BackupRefused(InvalidInput):
    """The backup cannot be restored here; nothing has been written."""


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    files: int
    backup_version: int
    store_version: int
    digests: dict[str, str]


def read_backup(path: Path, identity: x25519.Identity) -> archive.Contents:
    """The backup's contents, each table and file checked against its manifest."""
    if not path.is_file():
        raise BackupRefused(f"Finner ikke filen {path.name}.")
    raw_tables: dict[str, bytes] = {}
    files: dict[int, bytes] = {}
    manifest: dict[str, Any] | None = None
    try:
        for name, data in archive.members(path, identity):
            if name == archive.MANIFEST:
                manifest = archive.json.loads(data)
            elif name.startswith("tables/") and name.endswith(".jsonl.gz"):
                raw_tables[name.removeprefix("tables/").removesuffix(".jsonl.gz")] = data
            elif name.startswith("files/") and name.removeprefix("files/").isdigit():
                files[int(name.removeprefix("files/"))] = data
            else:
                raise BackupRefused(_tampered(f"ukjent innhold «{name[:40]}»"))
    except archive.ArchiveUnreadable as problem:
        raise BackupRefused(str(problem)) from problem
    if not isinstance(manifest, dict) or manifest.get("format") != archive.FORMAT:
        raise BackupRefused("Filen er ikke en sikkerhetskopi fra portalen: innholdsfortegnelsen mangler.")
    if manifest.get("format_version") != archive.FORMAT_VERSION:
        raise BackupRefused("Sikkerhetskopien er i et format denne versjonen av portalen ikke kjenner.")
    newest_known = max(v for v, _, _ in migration_files())
    if int(manifest.get("schema_version", 0)) > newest_known:
        raise BackupRefused(
            f"Sikkerhetskopien er tatt av en nyere versjon av portalen (migrering {manifest['schema_version']:03d});"
            f" denne versjonen kjenner migreringene til {newest_known:03d}. Oppgrader portalen først."
        )
    contents = archive.Contents(manifest)
    listed = manifest.get("tables", {})
    if set(listed) != set(raw_tables):
        raise BackupRefused(_tampered("tabellene er ikke de samme som i innholdsfortegnelsen"))
    for table, entry in listed.items():
        try:
            columns, rows, digest = archive.table_rows(raw_tables[table])
        except (OSError, EOFError, ValueError) as problem:
            raise BackupRefused(_tampered(f"tabellen {table} kan ikke leses")) from problem
        if columns != entry.get("columns") or digest.rows != entry.get("rows") or digest.hex != entry.get("digest"):
            raise BackupRefused(_tampered(f"tabellen {table} har ikke radene innholdsfortegnelsen sier"))
        contents.tables[table] = (columns, rows)
    listed_files = manifest.get("files", {})
    if {int(k) for k in listed_files} != set(files):
        raise BackupRefused(_tampered("filene er ikke de samme som i innholdsfortegnelsen"))
    for file_id, data in files.items():
        entry = listed_files[str(file_id)]
        if len(data) != entry.get("size") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise BackupRefused(_tampered(f"fil {file_id} er ikke den innholdsfortegnelsen sier"))
    contents.files = files
    return contents


def _tampered(what: str) -> str:
    return f"Sikkerhetskopien stemmer ikke med sin egen innholdsfortegnelse ({what}). Ingenting er gjenopprettet."


def _staged(contents: archive.Contents) -> duckdb.DuckDBPyConnection:
    """The backup's rows in a scratch DuckDB built at the backup's migration, then migrated to this
    version's: the rows as this version's schema holds them."""
    version = int(contents.manifest["schema_version"])
    scratch = duckdb.connect(":memory:")
    migrate(scratch, "duckdb", upto=version)
    cur = scratch.cursor()
    known = {
        name: dict(
            cur.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = ?",
                [name],
            ).fetchall()
        )
        for (name,) in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    }
    scratch_settings = _scratch_settings()
    cur.execute("BEGIN TRANSACTION")
    for table, (columns, rows) in contents.tables.items():
        types = known.get(table)
        if types is None or any(c not in types for c in columns):
            raise BackupRefused(
                f"Sikkerhetskopiens tabell {table} passer ikke med migrering {version:03d}. Ingenting er gjenopprettet."
            )
        decoders = [archive.decoder(types[c]) for c in columns]
        decoded = [tuple(decode(v) for decode, v in zip(decoders, row, strict=True)) for row in rows]
        tx = Tx(settings=scratch_settings, cur=cur)
        tx.execute(f"DELETE FROM {table}")
        tx.bulk_insert(table, columns, decoded)
    cur.execute("COMMIT")
    migrate(scratch, "duckdb")
    return scratch


def _scratch_settings() -> Settings:
    return Settings(
        data_dir=Path(os.devnull),
        cookie_key="",
        demo=False,
        base_url="",
        mail_from="",
        sendgrid_api_key=None,
        sendgrid_api_host="",
    )


def _refuse_other_mode(contents: archive.Contents, settings: Settings) -> None:
    """A demo portal's backup (published passwords) never becomes a real portal, nor the reverse."""
    columns, rows = contents.tables.get("store_identity", ([], []))
    mode = next((row[columns.index("value")] for row in rows if row[columns.index("key")] == "mode"), None)
    if mode is not None and (mode == "demo") != settings.demo:
        raise BackupRefused(
            "Sikkerhetskopien er fra en demoportal og kan ikke gjenopprettes i en ekte portal."
            if mode == "demo"
            else "Sikkerhetskopien er fra en ekte portal og kan ikke gjenopprettes i demomodus (PORTAL_DEMO)."
        )


def _refuse_unless_empty(target: Store) -> None:
    with target.snapshot() as snapshot:
        for table in tables_of(snapshot):
            if table in SEEDED:
                continue
            found = snapshot.rows(f"SELECT count(*) FROM {table}")[0][0]
            if found:
                raise BackupRefused(
                    f"Databasen det skal gjenopprettes til er ikke tom: tabellen {table} har {found} rader. "
                    "Gjenopprett til en ny, tom database (en ny PORTAL_DATA_DIR, eller en tom PostgreSQL-database)."
                )
    files_dir = target.settings.files_dir
    if target.settings.file_store == "folder" and files_dir.exists() and any(files_dir.iterdir()):
        raise BackupRefused(
            "Mappen for lagrede filer i datamappen det skal gjenopprettes til er ikke tom. Bruk en ny datamappe."
        )


def table_digests(store: Store) -> dict[str, tuple[int, str]]:
    """Each table's row count and digest, as a backup would record them now."""
    found = {}
    with store.snapshot() as snapshot:
        for table in tables_of(snapshot):
            digest = archive.Digest()
            for batch in snapshot.batches(f"SELECT * FROM {table}"):
                for row in batch:
                    digest.add(archive.row_line(row))
            found[table] = (digest.rows, digest.hex)
    return found


def restore(settings: Settings, *, path: Path, identity_file: Path) -> Restored:
    """Restore the backup at `path` into the (empty) store `settings` name."""
    identity = load_identity(identity_file)
    contents = read_backup(path, identity)
    _refuse_other_mode(contents, settings)
    scratch = _staged(contents)
    try:
        cur = scratch.cursor()
        tables = tables_of(Snapshot(cur))
        data = {}
        for table in tables:
            result = cur.execute(f"SELECT * FROM {table}")
            data[table] = ([d[0] for d in result.description], result.fetchall())
    finally:
        scratch.close()
    target = open_store(settings)
    _refuse_unless_empty(target)
    with target.snapshot() as snapshot:
        target_tables = set(tables_of(snapshot))
        for table in data:
            if table not in target_tables or columns_of(snapshot, table) != data[table][0]:
                raise BackupRefused(f"Tabellen {table} passer ikke med databasen det skal gjenopprettes til.")
    written_files = _write_files(target, contents.files, data["stored_files"])

    def work(tx: Tx) -> None:
        for table, (columns, rows) in data.items():
            tx.execute(f"DELETE FROM {table}")
            tx.bulk_insert(table, columns, rows)
        if target.settings.file_store == "database":
            tx.bulk_insert("stored_file_contents", ("file_id", "content"), sorted(contents.files.items()))
        continue_sequences(tx)

    try:
        target.transaction(work)
    except BaseException:
        for written in written_files:
            written.unlink(missing_ok=True)
        raise
    if target.engine == "postgres":
        target.execute("ANALYZE")
    expected = {table: _digest_of(rows) for table, (_, rows) in data.items()}
    found = table_digests(target)
    wrong = [t for t, digest in expected.items() if found.get(t) != digest]
    if wrong:
        raise RuntimeError(f"restored tables differ from the backup's: {', '.join(wrong)}")
    log.info(
        "backup restored: %d rows in %d tables, %d files, migration %03d to %03d",
        sum(len(rows) for _, rows in data.values()),
        len(data),
        len(contents.files),
        int(contents.manifest["schema_version"]),
        max(v for v, _, _ in migration_files(target.engine)),
    )
    return Restored(
        tables=len(data),
        rows=sum(len(rows) for _, rows in data.values()),
        files=len(contents.files),
        backup_version=int(contents.manifest["schema_version"]),
        store_version=max(v for v, _, _ in migration_files(target.engine)),
        digests={t: d[1] for t, d in found.items()},
    )


def _digest_of(rows: list[tuple]) -> tuple[int, str]:
    digest = archive.Digest()
    for row in rows:
        digest.add(archive.row_line(row))
    return digest.rows, digest.hex


def _write_files(target: Store, files: dict[int, bytes], stored_files: tuple[list[str], list[tuple]]) -> list[Path]:
    """Folder store: the files' bytes written (under the names the restored rows give them) before
    the rows, and removed again if the rows are not written."""
    if target.settings.file_store != "folder" or not files:
        return []
    columns, rows = stored_files
    names = {row[columns.index("id")]: row[columns.index("stored_name")] for row in rows}
    folder = target.settings.files_dir
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for file_id, data in files.items():
            final = folder / names[file_id]
            temporary = folder / (names[file_id] + ".part")
            with temporary.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            temporary.replace(final)
            written.append(final)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
