"""Backups in the tests: a key pair of the test's own, and helpers that read or remake a backup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyrage import x25519

from services.operations import archive, backup_keys


@pytest.fixture
def backup_key(tmp_path: Path) -> tuple[str, Path]:
    """The union's key pair for this test: (public key, private key file)."""
    identity_file = tmp_path / "forbundets-nokkel.txt"
    return backup_keys.generate(identity_file), identity_file


def rewrite(path: Path, identity_file: Path, *, change_manifest=None, recipient: str | None = None) -> Path:
    """A copy of a backup, decrypted and encrypted again, its manifest changed by `change_manifest`
    (what someone holding the key could do); to `recipient`, or to the same key."""
    identity = backup_keys.load_identity(identity_file)
    found = list(archive.members(path, identity))
    target = path.with_name("endret-" + path.name)

    def produce(tar) -> None:
        for name, data in found:
            if name == archive.MANIFEST and change_manifest is not None:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = archive.json_bytes(manifest)
            archive.add_member(tar, name, data)

    archive.write(target, recipient or str(identity.to_public()), produce)
    return target


def plaintext(path: Path, identity_file: Path) -> bytes:
    """Every member's bytes, decrypted, table members unpacked: what the backup holds."""
    import gzip

    parts = []
    for name, data in archive.members(path, backup_keys.load_identity(identity_file)):
        parts.append(gzip.decompress(data) if name.endswith(".gz") else data)
    return b"\n".join(parts)


def other_recipient() -> str:
    return str(x25519.Identity.generate().to_public())
