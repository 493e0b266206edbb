"""`deploy/postgresql.sql` makes the portal's role and database on a PostgreSQL server; the
portal then does its whole month as that role, which is no superuser: the migrations, a list
sent (staged rows, COPY, foreign keys, sequences), its file kept in the database, the sidecar's
run under its advisory lock. Nobody else may connect."""

import subprocess
from datetime import date
from pathlib import Path

import psycopg
import pytest

from services import db, filestore, sidecar
from services.accounts import companies
from services.accounts.access import CLI
from tests import listfiles, postgres
from tests.conftest import make_settings
from tests.helpers import add_clerk, add_members, send_list

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgresql.sql"
PASSWORD = "et-langt-testpassord"


def run_script(server) -> subprocess.CompletedProcess:
    psql = postgres._program("psql")
    assert psql, "psql, from Debian's postgresql package, is missing"
    return subprocess.run(
        [psql, "-X", "-v", "ON_ERROR_STOP=1", "-v", f"password='{PASSWORD}'"]
        + ["-h", str(server.folder), "-p", str(server.port), "-U", "portal", "-d", "postgres", "-f", str(SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_portal_runs_as_the_role_the_setup_script_makes(postgres_server, tmp_path, figure):
    done = run_script(postgres_server)
    assert done.returncode == 0, done.stderr
    url = f"postgresql://trekkliste:{PASSWORD}@/trekkliste?host={postgres_server.folder}&port={postgres_server.port}"
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
    finally:
        db.close_all()

    # Another login on the same server reaches nothing of the portal's.
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute("CREATE ROLE nysgjerrig LOGIN")
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(
            f"host={postgres_server.folder} port={postgres_server.port} user=nysgjerrig dbname=trekkliste"
        ).close()
    figure("deploy/postgresql.sql: the portal's month runs as a role that is no superuser; another role cannot connect")
