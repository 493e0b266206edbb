"""`deploy/postgresql.sql` makes the portal's two roles and its database on a PostgreSQL server: the
owner runs the migrations (`services.cli migrate --grant-to trekkliste`); the portal then does its
whole month as the runtime role, which may only read and write rows: a list sent (staged rows,
COPY, foreign keys, sequences), its file kept in the database, the sidecar's run under its
advisory lock. That role cannot touch the schema or erase the audit log; nobody else may connect."""

import subprocess
from datetime import date
from pathlib import Path

import psycopg
import pytest

from services import db, filestore, sidecar, store_errors
from services.access import CLI
from services.accounts import companies
from tests import listfiles, postgres
from tests.conftest import make_settings
from tests.helpers import add_clerk, add_members, send_list

# Slow (a PostgreSQL server and its roles): not in `make test-fast`.
pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgresql.sql"
PASSWORD = "et-langt-testpassord"
OWNER_PASSWORD = "et-annet-langt-testpassord"


def run_script(server) -> subprocess.CompletedProcess:
    psql = postgres._program("psql")
    assert psql, "psql, from Debian's postgresql package, is missing"
    return subprocess.run(
        [
            psql,
            "-X",
            "-v",
            "ON_ERROR_STOP=1",
            "-v",
            f"password='{PASSWORD}'",
            "-v",
            f"owner_password='{OWNER_PASSWORD}'",
        ]
        + ["-h", str(server.folder), "-p", str(server.port), "-U", "portal", "-d", "postgres", "-f", str(SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_portal_runs_as_the_role_the_setup_script_makes(postgres_server, tmp_path, figure):
    done = run_script(postgres_server)
    assert done.returncode == 0, done.stderr
    where = f"/trekkliste?host={postgres_server.folder}&port={postgres_server.port}"
    url = f"postgresql://trekkliste:{PASSWORD}@{where}"
    owner_url = f"postgresql://trekkliste_eier:{OWNER_PASSWORD}@{where}"
    # The portal's role cannot make the tables: the portal refuses to start and says what to run.
    with pytest.raises(store_errors.SchemaBehind, match="services.cli migrate"):
        db.open_store(make_settings(tmp_path / "data", database_url=url))
    db.close_all()
    migrated = _cli(tmp_path, owner_url, "migrate", "--grant-to", "trekkliste")
    assert migrated.returncode == 0 and "Rollen trekkliste" in migrated.stdout, migrated.stderr
    store = db.open_store(make_settings(tmp_path / "data", database_url=url, file_store="database"))
    try:
        assert store.value("SELECT current_user") == "trekkliste"
        assert (
            store.value("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
            is False
        )
        company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
        add_members(
            store, company.id, [("100", "Berg, Anne", date(1980, 1, 10)), ("101", "Lie, Tone", date(1982, 3, 12))]
        )
        clerk = add_clerk(store)
        born = date(1980, 1, 10)
        receipt = send_list(
            store,
            actor=clerk,
            company_id=company.id,
            period=date(2026, 10, 1),
            text=f"Fnr;Navn;Trekk\n{listfiles.make_fnr(born)};Berg, Anne;520,00\n",
            today=date(2026, 11, 15),
        )
        file_id = store.value("SELECT id FROM stored_files WHERE submission_id = ?", [receipt.submission_id])
        assert filestore.read(store, file_id=file_id) is not None
        assert store.value("SELECT count(*) FROM reconciliation_items WHERE kind = 'utrukket'") == 1
        assert "skipped" not in sidecar.run_once(store, today=date(2026, 11, 16))
        refused = _tampering_refused(url)
        # Old audit rows go, as the owner only.
        purged_by_portal = _cli(tmp_path, url, "purge-audit")
        purged_by_owner = _cli(tmp_path, owner_url, "purge-audit")
    finally:
        db.close_all()
    figure(
        f"postgres runtime role: {sum(refused.values())}/{len(refused)} tampering statements refused "
        "on audit_log and the schema"
    )
    assert all(refused.values()), [s for s, ok in refused.items() if not ok]
    assert purged_by_portal.returncode == 2 and "bare legge til" in purged_by_portal.stderr
    assert purged_by_owner.returncode == 0, purged_by_owner.stderr

    # Another login on the same server reaches nothing of the portal's.
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute("CREATE ROLE nysgjerrig LOGIN")
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(
            f"host={postgres_server.folder} port={postgres_server.port} user=nysgjerrig dbname=trekkliste"
        ).close()
    figure("deploy/postgresql.sql: the portal's month runs as a role that is no superuser; another role cannot connect")


TAMPERING = (
    "TRUNCATE audit_log",
    "DELETE FROM audit_log",
    "UPDATE audit_log SET actor_label = 'noen andre'",
    "DROP TABLE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "ALTER TABLE audit_log RENAME TO gammel_logg",
    "DROP TABLE companies",
    "TRUNCATE companies",
    "ALTER TABLE users ADD COLUMN bakdor VARCHAR",
    "CREATE TABLE bakdor (id INTEGER)",
    "DELETE FROM schema_migrations",
    "CREATE FUNCTION bakdor() RETURNS INTEGER AS 'SELECT 1' LANGUAGE sql",
    "ALTER TABLE audit_log OWNER TO trekkliste",
)


def _tampering_refused(url: str) -> dict[str, bool]:
    """Each statement as the portal's role, in a transaction rolled back either way: refused or not."""
    refused = {}
    with psycopg.connect(url) as conn:
        for statement in TAMPERING:
            try:
                conn.execute(statement)
                refused[statement] = False
            except psycopg.errors.InsufficientPrivilege:
                refused[statement] = True
            conn.rollback()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    return refused


def _cli(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    import os
    import sys

    env = dict(os.environ, PORTAL_DATA_DIR=str(tmp_path / "operator"), PORTAL_DATABASE_URL=url, PORTAL_DEMO="0")
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=SCRIPT.parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
