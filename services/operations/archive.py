"""The backup file: a tar stream encrypted with age to the union's public key.

Inside, `tables/NAME.jsonl.gz` holds a table (its column names, then one JSON array per row),
`files/ID` a stored file's bytes, and `manifest.json`, last, what there should be: each table's
columns, row count and digest, each file's size and SHA-256. Rows are JSON, not an engine's own
dump, because a backup of either engine restores into the other.

A table's digest is the sum of its rows' SHA-256 modulo 2**256: the same for the same rows in
any order, so it is computed while the rows stream by, and again after a restore, on either engine.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyrage
from pyrage import x25519

FORMAT = "trekklisteportal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_DIGEST_MODULUS = 2**256


class ArchiveUnreadable(Exception):
    """The file is not a backup this key opens (wrong key, not a backup, cut short)."""


def encode(value: Any) -> Any:
    """A value as JSON, the same whichever engine gave it (the canonical form the digest is of)."""
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"a value of type {type(value).__name__} has no form in a backup")


def decoder(column_type: str) -> Callable[[Any], Any]:
    """The reverse of `encode` for a column of this SQL type (either engine's name for it)."""
    kind = column_type.lower()
    if kind.startswith("timestamp"):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if kind == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    if kind.startswith(("decimal", "numeric")):
        return lambda v: None if v is None else Decimal(v)
    if kind in ("blob", "bytea"):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def row_line(row: tuple | list) -> bytes:
    return json.dumps([encode(v) for v in row], ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Digest:
    """Rows counted and summed as they go by."""

    rows: int = 0
    total: int = 0

    def add(self, line: bytes) -> None:
        self.rows += 1
        self.total = (self.total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % _DIGEST_MODULUS

    @property
    def hex(self) -> str:
        return f"{self.total:064x}"


@dataclass
class Contents:
    """A backup read and checked: its manifest, each table's column names and rows (still encoded),
    each file's bytes by id."""

    manifest: dict[str, Any]
    tables: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    files: dict[int, bytes] = field(default_factory=dict)


class TableWriter:
    """One table into the archive: rows in, then `finish` adds the member and returns its entry."""

    def __init__(self, name: str, columns: list[str]):
        self.name, self.columns = name, columns
        self._buffer = io.BytesIO()
        self._gzip = gzip.GzipFile(fileobj=self._buffer, mode="wb", mtime=0)
        self._gzip.write(json.dumps(columns).encode() + b"\n")
        self.digest = Digest()

    def add(self, row: tuple) -> None:
        line = row_line(row)
        self.digest.add(line)
        self._gzip.write(line + b"\n")

    def finish(self, tar: tarfile.TarFile) -> dict[str, Any]:
        self._gzip.close()
        add_member(tar, f"tables/{self.name}.jsonl.gz", self._buffer.getvalue())
        return {"columns": self.columns, "rows": self.digest.rows, "digest": self.digest.hex}


def add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def write(path: Path, recipient: str, produce: Callable[[tarfile.TarFile], None]) -> int:
    """Write the backup to `path` (through a temporary name, mode 0600): `produce` fills the tar
    stream, which is encrypted as it is written, so no readable copy touches the disk. Its size."""
    public = x25519.Recipient.from_str(recipient)
    temporary = path.with_name(path.name + ".part")
    # Opened before the stream starts: a folder that cannot be written stops it before any read.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    def producer() -> None:
        try:
            with os.fdopen(write_end, "wb") as sink, tarfile.open(fileobj=sink, mode="w|") as tar:
                produce(tar)
        except BaseException as problem:  # noqa: BLE001 - raised again in the caller's thread
            failures.append(problem)

    thread = threading.Thread(target=producer, name="backup-archive", daemon=True)
    thread.start()
    try:
        # Leaving this block closes the stream's read end: a producer still writing stops.
        with os.fdopen(read_end, "rb") as source, os.fdopen(descriptor, "wb") as out:
            pyrage.encrypt_io(source, out, [public])
            out.flush()
            os.fsync(out.fileno())
        thread.join()
        if failures:
            raise failures[0]
        temporary.replace(path)
        return path.stat().st_size
    except BaseException:
        thread.join(timeout=60)
        temporary.unlink(missing_ok=True)
        raise


def members(path: Path, identity: x25519.Identity) -> Iterator[tuple[str, bytes]]:
    """The archive's members, (name, bytes), decrypted as they are read."""
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    def decrypt() -> None:
        try:
            with path.open("rb") as encrypted, os.fdopen(write_end, "wb") as sink:
                pyrage.decrypt_io(encrypted, sink, [identity])
        except BrokenPipeError:
            pass  # the reader stopped early: its own error is the one to tell
        except BaseException as problem:  # noqa: BLE001 - raised again in the caller's thread
            failures.append(problem)

    thread = threading.Thread(target=decrypt, name="backup-decrypt", daemon=True)
    thread.start()
    try:
        with os.fdopen(read_end, "rb") as source:
            try:
                with tarfile.open(fileobj=source, mode="r|") as tar:
                    for info in tar:
                        extracted = tar.extractfile(info) if info.isfile() else None
                        if extracted is not None:
                            yield info.name, extracted.read()
            except tarfile.TarError as problem:
                thread.join()
                raise ArchiveUnreadable(_why(failures)) from problem
    finally:
        thread.join(timeout=60)
    if failures:
        raise ArchiveUnreadable(_why(failures))


def _why(failures: list[BaseException]) -> str:
    if failures and "no matching keys" in str(failures[0]).lower():
        return "Nøkkelen åpner ikke denne sikkerhetskopien (feil privat nøkkel)."
    if failures:
        return "Filen er ikke en sikkerhetskopi fra portalen, eller den er skadet eller avkuttet."
    return "Sikkerhetskopien er skadet: innholdet kan ikke leses."


def table_rows(data: bytes) -> tuple[list[str], list[list[Any]], Digest]:
    """A table member's column names, rows (encoded) and digest."""
    lines = gzip.decompress(data).split(b"\n")
    columns = json.loads(lines[0])
    digest = Digest()
    rows = []
    for line in lines[1:]:
        if line:
            digest.add(line)
            rows.append(json.loads(line))
    return columns, rows, digest


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()
