"""Backups in the tests: a key pair of the test's own, and helpers that read or remake a backup."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest
from pyrage import x25519

from services import backup_keys
from services.operations import archive


@pytest.fixture
def backup_key(tmp_path: Path) -> tuple[str, Path]:
    """The union's key pair for this test: (public key, private key file)."""
    identity_file = tmp_path / "forbundets-nokkel.txt"
    return backup_keys.generate(identity_file), identity_file


_rewrites = itertools.count(1)
PEOPLE = (("7001", "Hansen, Kari", date(1971, 3, 14)), ("7002", "Olsen, Per", date(1985, 11, 2)))


def fill(store) -> dict[str, list[str]]:
    """A real (not demo) store with what a month leaves: a company, its employer, members, a list
    with one member missing (an utrukket), a letter. Returns the people's national ids and names."""
    from services.access import CLI
    from services.accounts import companies
    from services.letters import letters
    from tests import listfiles
    from tests.helpers import add_clerk, add_members, send_list

    company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    clerk = add_clerk(store)
    add_members(store, company.id, PEOPLE)
    first = PEOPLE[0]
    send_list(
        store,
        actor=clerk,
        company_id=company.id,
        period=date(2026, 10, 1),
        text=f"Fnr;Navn;Trekk\n{listfiles.make_fnr(first[2])};{first[1]};512,00\n",
        today=date(2026, 11, 10),
    )
    letters.upload(store, actor=CLI, company_id=company.id, subject="Start trekk", pdf=b"%PDF-1.4\n% brev\n")
    return {
        "national_ids": [listfiles.make_fnr(born) for _, _, born in PEOPLE],
        "names": [name for _, name, _ in PEOPLE] + ["Kari Nordmann"],
    }


def rewrite(path: Path, identity_file: Path, *, change_manifest=None, recipient: str | None = None) -> Path:
    """A copy of a backup, decrypted and encrypted again, its manifest changed by `change_manifest`
    (what someone holding the key could do); to `recipient`, or to the same key."""
    identity = backup_keys.load_identity(identity_file)
    found = list(archive.members(path, identity))
    target = path.with_name(f"endret-{next(_rewrites)}-{path.name}")

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
