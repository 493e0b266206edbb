"""`copy-store`: a pilot's DuckDB store (the demo data of `make run`) moved into PostgreSQL, the
same rows in every table, new ids after the copied ones, and a second copy refused."""

import dataclasses

import pytest

from services import db, demo
from services.access import CLI
from services.accounts import companies
from services.cli import main as cli
from services.errors import InvalidInput
from services.store_copy import copy_store
from tests.conftest import make_settings

# Slow (copies whole stores, into PostgreSQL too): not in `make test-fast`.
pytestmark = pytest.mark.slow


def test_a_pilot_store_is_copied_into_postgresql(tmp_path, postgres_settings, capsys):
    pilot = db.open_store(make_settings(tmp_path / "pilot", demo=True))
    demo.seed(pilot)
    tables = [
        t
        for (t,) in pilot.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            " AND table_name <> 'schema_migrations' ORDER BY table_name"
        )
    ]
    before = {t: pilot.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    copied = copy_store(pilot, to=postgres_settings.database_url)
    assert copied == {t: len(rows) for t, rows in before.items()}
    assert sum(copied.values()) > 50
    target = db.open_store(dataclasses.replace(pilot.settings, database_url=postgres_settings.database_url))
    for table, rows in before.items():
        columns = ", ".join(str(i + 1) for i in range(len(rows[0]))) if rows else "1"
        assert target.rows(f"SELECT * FROM {table} ORDER BY {columns}") == rows, table
    # New rows get ids after the copied ones.
    newest = max(r[0] for r in pilot.rows("SELECT id FROM companies"))
    added = companies.add_company(target, actor=CLI, orgnr="974760673", name="Ny Etter Kopi AS")
    assert added.id > newest
    with pytest.raises(InvalidInput, match="ikke tom"):
        copy_store(pilot, to=postgres_settings.database_url)


def test_the_command_refuses_a_target_that_is_not_empty(tmp_path, postgres_settings, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "pilot"))
    monkeypatch.setenv("PORTAL_DEMO", "1")
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    assert cli(["seed-demo"]) == 0
    assert cli(["copy-store", "--to", postgres_settings.database_url]) == 0
    assert "Kopiert" in capsys.readouterr().out
    assert cli(["copy-store", "--to", postgres_settings.database_url]) != 0
    assert "ikke tom" in capsys.readouterr().err


def test_files_copied_into_the_database_serve_the_same_bytes(tmp_path, postgres_settings):
    from services import filestore

    pilot = db.open_store(make_settings(tmp_path / "pilot", demo=True))
    demo.seed(pilot)
    originals = {
        file_id: filestore.read(pilot, file_id=file_id) for (file_id,) in pilot.rows("SELECT id FROM stored_files")
    }
    assert originals and all(originals.values())
    copied = copy_store(pilot, to=postgres_settings.database_url, files="database")
    assert copied["stored_file_contents"] == len(originals)
    hosted = db.open_store(
        dataclasses.replace(pilot.settings, database_url=postgres_settings.database_url, file_store="database")
    )
    assert {file_id: filestore.read(hosted, file_id=file_id) for file_id in originals} == originals


def test_a_reference_to_a_row_that_is_gone_is_named_and_nothing_is_copied(tmp_path, postgres_settings):
    """The pilot's DuckDB store has no foreign keys; PostgreSQL has. An outcome that outlived its
    member (retention before it cleared the reference) is copied without the member; any other
    reference to nothing refuses the copy, named, before a row is written."""
    pilot = db.open_store(make_settings(tmp_path / "pilot", demo=True))
    demo.seed(pilot)
    member_id = pilot.value("SELECT min(member_id) FROM reconciliation_items WHERE member_id IS NOT NULL")
    pilot.execute("UPDATE reconciliation_items SET member_id = 99999 WHERE member_id = ?", [member_id])
    orphans = pilot.value("SELECT count(*) FROM reconciliation_items WHERE member_id = 99999")
    assert orphans > 0
    pilot.execute("UPDATE submissions SET company_id = 88888 WHERE id = (SELECT min(id) FROM submissions)")
    with pytest.raises(InvalidInput, match=r"submissions\.company_id \(1 rader\)") as refused:
        copy_store(pilot, to=postgres_settings.database_url)
    assert "reconciliation_items" not in str(refused.value)
    target = db.open_store(dataclasses.replace(pilot.settings, database_url=postgres_settings.database_url))
    assert target.value("SELECT count(*) FROM companies") == 0

    pilot.execute("UPDATE submissions SET company_id = (SELECT min(id) FROM companies) WHERE company_id = 88888")
    copy_store(pilot, to=postgres_settings.database_url)
    assert target.value("SELECT count(*) FROM reconciliation_items WHERE member_id IS NULL") == orphans + pilot.value(
        "SELECT count(*) FROM reconciliation_items WHERE member_id IS NULL"
    )
    assert target.value("SELECT count(*) FROM reconciliation_items") == pilot.value(
        "SELECT count(*) FROM reconciliation_items"
    )
