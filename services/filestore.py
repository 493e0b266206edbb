"""Original files (deduction lists, letters), never without the store knowing them.

A file is recorded in `stored_files` before it is written, then claimed by its
owner (a submission or a letter) in the owner's own transaction. A failure in
between removes it again; a crash leaves an unclaimed record that `sweep`
removes together with its file.

The bytes live in a folder under the data dir (PORTAL_FILE_STORE=folder, the default) or in
the database (`stored_file_contents`, PORTAL_FILE_STORE=database), so that any app process on
any machine can serve a download. Both are written, read and deleted only here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from services.db import Store, Tx, utcnow

T = TypeVar("T")

log = logging.getLogger(__name__)
UNCLAIMED_AFTER = timedelta(hours=1)
UNCLAIMED = "submission_id IS NULL AND letter_id IS NULL"
# Above what any list or letter can be (lists are refused above 20 MB): a larger file is a fault.
MAX_STORED_BYTES = 25 * 1024 * 1024


class FileTooLarge(ValueError):
    """A file larger than the store keeps."""


@dataclass(frozen=True)
class StoredFile:
    id: int
    stored_name: str
    original_name: str
    data: bytes


def folder(store: Store) -> Path:
    return store.settings.files_dir


def save(
    store: Store,
    *,
    files: list[tuple[str, bytes, dict]],
    create: Callable[[Tx, list[StoredFile]], T],
    now: datetime | None = None,
) -> T:
    """The one way a file enters the store: record the files, write them, then let `create` make
    their owner (and `claim` them) in one transaction. If anything fails the files go again."""
    reserved = reserve(store, now=now, files=files)
    try:
        write(store, reserved)
        return store.transaction(lambda tx: create(tx, reserved))
    except BaseException:
        discard(store, reserved)
        raise


def reserve(store: Store, *, files: list[tuple[str, bytes, dict]], now: datetime | None = None) -> list[StoredFile]:
    """Record the files to be written: (original name, bytes, extra columns) each."""
    now = now or utcnow()

    def work(tx: Tx) -> list[StoredFile]:
        reserved = []
        for original_name, data, extra in files:
            stored_name = secrets.token_hex(16)
            columns = ["stored_name", "sha256", "size_bytes", "created_at", "original_name", *extra]
            placeholders = ", ".join("?" * len(columns))
            file_id = tx.value(
                f"INSERT INTO stored_files ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id",
                [stored_name, hashlib.sha256(data).hexdigest(), len(data), now, original_name, *extra.values()],
            )
            reserved.append(StoredFile(file_id, stored_name, original_name, data))
        return reserved

    return store.transaction(work)


def _in_database(store: Store) -> bool:
    return store.settings.file_store == "database"


def write(store: Store, files: list[StoredFile]) -> None:
    for file in files:
        if len(file.data) > MAX_STORED_BYTES:
            raise FileTooLarge(f"{len(file.data)} bytes")
    if _in_database(store):
        store.transaction(
            lambda tx: tx.bulk_insert("stored_file_contents", ("file_id", "content"), [(f.id, f.data) for f in files])
        )
        return
    target = folder(store)
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        temporary = target / (file.stored_name + ".part")
        with temporary.open("wb") as fh:
            fh.write(file.data)
            fh.flush()
            os.fsync(fh.fileno())
        temporary.replace(target / file.stored_name)


def claim(tx: Tx, file: StoredFile, *, submission_id: int | None = None, letter_id: int | None = None) -> None:
    tx.execute(
        "UPDATE stored_files SET submission_id = ?, letter_id = ? WHERE id = ?", [submission_id, letter_id, file.id]
    )


def _forget(store: Store, unclaimed: list[tuple[int, str]]) -> None:
    """Delete unclaimed files from disk, then their records: (id, stored name) each."""
    target = folder(store)
    for _, name in unclaimed:
        for path in (target / name, target / (name + ".part")):
            path.unlink(missing_ok=True)
    if unclaimed:
        ids = [file_id for file_id, _ in unclaimed]

        def work(tx: Tx) -> None:
            tx.execute(
                "DELETE FROM stored_file_contents WHERE file_id IN"
                f" (SELECT id FROM stored_files WHERE {UNCLAIMED} AND id IN (SELECT unnest(?::INTEGER[])))",
                [ids],
            )
            tx.execute(f"DELETE FROM stored_files WHERE {UNCLAIMED} AND id IN (SELECT unnest(?::INTEGER[]))", [ids])

        store.transaction(work)


def discard(store: Store, files: list[StoredFile]) -> None:
    """Undo files whose owner was never created."""
    try:
        _forget(store, [(f.id, f.stored_name) for f in files])
    except Exception:  # the sweep removes what this could not
        log.warning("could not remove %d unclaimed files; the sweep will", len(files))


def sweep(store: Store, *, now: datetime | None = None) -> int:
    """Remove files whose owner never came (a crash mid-way). Returns how many."""
    cutoff = (now or utcnow()) - UNCLAIMED_AFTER
    unclaimed = store.rows(f"SELECT id, stored_name FROM stored_files WHERE {UNCLAIMED} AND created_at < ?", [cutoff])
    _forget(store, unclaimed)
    return len(unclaimed)


def read(store: Store, *, file_id: int) -> tuple[str, bytes] | None:
    """A file's original name and bytes; None when the file, or its bytes, are gone. The bytes
    are checked against the size recorded when the file was stored."""
    found = store.row("SELECT original_name, stored_name, size_bytes FROM stored_files WHERE id = ?", [file_id])
    if found is None:
        return None
    name, stored_name, size = found
    if _in_database(store):
        data = store.value("SELECT content FROM stored_file_contents WHERE file_id = ?", [file_id])
    else:
        path = folder(store) / stored_name
        data = path.read_bytes() if path.exists() else None
    if data is None:
        return None
    data = bytes(data)
    if size is not None and len(data) != size:
        log.error("stored file %d has %d bytes, recorded %d", file_id, len(data), size)
        return None
    return name, data


def delete_contents(store: Store, *, file_ids: list[int]) -> None:
    """Delete many files' bytes with one read of their names; their records stay for the audit."""
    if not file_ids:
        return
    if _in_database(store):
        store.transaction(
            lambda tx: tx.execute(
                "DELETE FROM stored_file_contents WHERE file_id IN (SELECT unnest(?::INTEGER[]))", [list(file_ids)]
            )
        )
        return
    target = folder(store)
    for (name,) in store.rows(
        "SELECT stored_name FROM stored_files WHERE id IN (SELECT unnest(?::INTEGER[]))", [list(file_ids)]
    ):
        (target / name).unlink(missing_ok=True)


def delete_content(store: Store, *, file_id: int) -> None:
    """Delete a file's bytes; its record stays (what existed, its hash) for the audit."""
    delete_contents(store, file_ids=[file_id])
