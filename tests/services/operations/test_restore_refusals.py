"""What `restore` refuses, each with a message and nothing written: a target that holds data, a
backup from a newer release, a backup whose manifest does not match its content, the wrong key.
The target is the suite's store, so `make test-postgres` refuses into PostgreSQL too."""

from __future__ import annotations

import pytest

from services import db
from services.access import CLI
from services.accounts import companies
from services.backup_keys import generate
from services.db import migration_files
from services.operations import backup, restore
from services.store_copy import SEEDED
from tests.conftest import make_settings
from tests.services.operations.conftest import fill, rewrite

# Slow (restores whole stores): not in `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.fixture
def demo_backup(tmp_path, backup_key):
    recipient, _ = backup_key
    source = db.open_store(make_settings(tmp_path / "kilde"))
    fill(source)
    return backup.take(source, directory=tmp_path / "kopier", recipient=recipient).path


def _rows_outside_seeds(store) -> int:
    with store.snapshot() as snapshot:
        return sum(
            snapshot.rows(f"SELECT count(*) FROM {table}")[0][0]
            for table in backup.tables_of(snapshot)
            if table not in SEEDED
        )


def _newer(manifest):
    manifest["schema_version"] = max(v for v, _, _ in migration_files()) + 1


def _tampered(manifest):
    manifest["tables"]["members"]["rows"] -= 1


def test_four_refusals_write_nothing(store, settings, tmp_path, demo_backup, backup_key, figure):
    _, identity_file = backup_key
    wrong_key = tmp_path / "feil-nokkel.txt"
    generate(wrong_key)
    cases = {
        "non-empty target": (demo_backup, identity_file, "ikke tom"),
        "newer schema": (rewrite(demo_backup, identity_file, change_manifest=_newer), identity_file, "nyere versjon"),
        "tampered manifest": (
            rewrite(demo_backup, identity_file, change_manifest=_tampered),
            identity_file,
            "stemmer ikke med sin egen innholdsfortegnelse",
        ),
        "wrong key": (demo_backup, wrong_key, "feil privat nøkkel"),
    }
    refused = []
    for case, (path, key, message) in cases.items():
        if case == "non-empty target":
            companies.add_company(store, actor=CLI, orgnr="910000004", name="Finnes Fra Før AS")
        before = _rows_outside_seeds(store)
        with pytest.raises(restore.BackupRefused, match=message):
            restore.restore(settings, path=path, identity_file=key)
        assert _rows_outside_seeds(db.open_store(settings)) == before, case
        if case == "non-empty target":
            store.execute("DELETE FROM audit_log")
            store.execute("DELETE FROM companies")
        assert not settings.files_dir.exists() or not any(settings.files_dir.iterdir()), case
        refused.append(case)
    assert _rows_outside_seeds(store) == 0
    figure(f"backup refused: {len(refused)}/4 ({', '.join(refused)}), nothing written")
    # And the same backup restores into the store once it is empty.
    done = restore.restore(settings, path=demo_backup, identity_file=identity_file)
    assert done.rows > 0 and _rows_outside_seeds(db.open_store(settings)) > 0


def test_a_file_that_is_no_backup_is_refused(settings, tmp_path, backup_key):
    _, identity_file = backup_key
    junk = tmp_path / "ikke-en-kopi.age"
    junk.write_bytes(b"age-encryption.org/v1\n-> X25519 abc\n" + bytes(200))
    with pytest.raises(restore.BackupRefused, match="ikke en sikkerhetskopi|skadet"):
        restore.restore(settings, path=junk, identity_file=identity_file)


def test_a_demo_portals_backup_never_becomes_a_real_portal(settings, tmp_path, backup_key):
    from services import demo

    recipient, identity_file = backup_key
    source = db.open_store(make_settings(tmp_path / "demo", demo=True))
    demo.seed(source)
    taken = backup.take(source, directory=tmp_path / "kopier", recipient=recipient)
    with pytest.raises(restore.BackupRefused, match="demoportal"):
        restore.restore(settings, path=taken.path, identity_file=identity_file)
    assert _rows_outside_seeds(db.open_store(settings)) == 0
