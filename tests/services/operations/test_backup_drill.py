"""The backup drill of issue 22: a backup taken while twenty employers send their lists at once,
restored into an empty store of the same or the other engine, every table and file identical to
what the backup holds, and the restored portal showing the same companies, lists, letters,
answers and audit log. Each direction names its engines itself, so `make test-postgres` does not
run it again."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from datetime import date

import pytest

from services import db, demo, filestore
from services.access import CLI, Actor, actor_for
from services.accounts import companies
from services.backup_keys import load_identity
from services.letters import letters
from services.lists import inbox, submissions
from services.operations import backup, restore
from services.register import answers, members
from tests import listfiles
from tests.conftest import make_settings
from tests.helpers import add_employer

# Slow (backups taken while lists arrive, on both engines): not in `make test-fast`.
pytestmark = pytest.mark.slow

SENDERS = 20
PERIOD = date(2026, 10, 1)
TODAY = date(2026, 11, 15)
SENT_SQL = "SELECT count(*) FROM submissions s JOIN companies c ON c.id = s.company_id WHERE c.name LIKE 'Avsender %'"


def _store_on(engine: str, name: str, tmp_path, request):
    if engine == "duckdb":
        return db.open_store(make_settings(tmp_path / name, demo=True))
    database = request.getfixturevalue("postgres_settings")
    # A hosted union's portal keeps its files in the database.
    return db.open_store(dataclasses.replace(database, demo=True, data_dir=tmp_path / name, file_store="database"))


def _senders(store) -> list[tuple[companies.Company, Actor, bytes]]:
    jobs = []
    for n in range(SENDERS):
        company = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(100 + n), name=f"Avsender {n} AS")
        people = []
        for k in range(15):
            national_id = listfiles.make_fnr(date(1950 + n, 1 + k % 12, 1 + k), 200 + k)
            members.add_member(
                store,
                actor=CLI,
                member_no=str(50_000 + n * 100 + k),
                name=f"Sender{n}, Medlem{k}",
                company_id=company.id,
                national_id=national_id,
                valid_from=date(2020, 1, 1),
            )
            people.append(f"{national_id};Sender{n}, Medlem{k};{400 + k},00")
        user = add_employer(store, email=f"lonn{n}@avsender.no", orgnrs=(company.orgnr,))
        jobs.append((company, Actor(user.id, user.email, user.role), "\n".join(["Fnr;Navn;Trekk", *people]).encode()))
    return jobs


def _backup_while_sending(store, directory, recipient):
    """The backup starts as twenty lists are being sent; all twenty arrive."""
    jobs = _senders(store)
    barrier = threading.Barrier(SENDERS + 1)
    errors, taken = [], []

    def send(company, actor, data):
        own = db.open_store(store.settings)
        barrier.wait()
        try:
            submissions.submit(
                own,
                actor=actor,
                company_id=company.id,
                period=PERIOD,
                contact_email=actor.email,
                today=TODAY,
                uploads=[submissions.Upload("liste.csv", data)],
            )
        except Exception as problem:  # noqa: BLE001 - collected and asserted below
            errors.append(problem)

    def take():
        own = db.open_store(store.settings)
        barrier.wait()
        # In the middle of it: some lists are in, the others on their way.
        deadline = time.monotonic() + 120
        while own.value(SENT_SQL) < SENDERS // 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        taken.append(backup.take(own, directory=directory, recipient=recipient))

    threads = [threading.Thread(target=send, args=job) for job in jobs] + [threading.Thread(target=take)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (
        store.value(
            "SELECT count(*) FROM submissions s JOIN companies c ON c.id = s.company_id WHERE c.name LIKE 'Avsender %'"
        )
        == SENDERS
    )
    return taken[0]


def _what_the_portal_shows(store, staff: Actor, company_ids: list[int]) -> dict:
    return {
        "companies": sorted((c.orgnr, c.name) for c in companies.all_companies(store, actor=staff)),
        "letters": {c: letters.for_company(store, actor=staff, company_id=c, today=TODAY) for c in company_ids},
        "answers": {c: answers.history(store, actor=staff, company_id=c) for c in company_ids},
    }


@pytest.mark.parametrize(
    ("source_engine", "target_engine"), [("duckdb", "duckdb"), ("duckdb", "postgres"), ("postgres", "duckdb")]
)
def test_a_backup_taken_while_lists_arrive_restores_identical(
    source_engine, target_engine, tmp_path, request, backup_key, figure
):
    recipient, identity_file = backup_key
    source = _store_on(source_engine, "kilde", tmp_path, request)
    demo.seed(source)
    taken = _backup_while_sending(source, tmp_path / "sikkerhetskopier", recipient)
    contents = restore.read_backup(taken.path, load_identity(identity_file))

    target = _store_on(target_engine, "mål", tmp_path, request)
    done = restore.restore(target.settings, path=taken.path, identity_file=identity_file)
    target = db.open_store(target.settings)

    # Every table holds exactly the rows the backup holds, on the other engine too.
    restored = restore.table_digests(target)
    differing = [
        table
        for table, entry in contents.manifest["tables"].items()
        if restored[table] != (entry["rows"], entry["digest"])
    ]
    assert differing == []
    # Every file the backup holds is served again with the same bytes.
    for file_id, data in contents.files.items():
        found = filestore.read(target, file_id=file_id)
        assert found is not None and hashlib.sha256(found[1]).hexdigest() == hashlib.sha256(data).hexdigest()
    # A snapshot, not a copy of a store being written: each list in it is whole, all its rows there.
    lists = target.rows("SELECT id FROM submissions ORDER BY id")
    for (submission_id,) in lists:
        rows_then = source.value("SELECT count(*) FROM submission_rows WHERE submission_id = ?", [submission_id])
        assert (
            target.value("SELECT count(*) FROM submission_rows WHERE submission_id = ?", [submission_id]) == rows_then
        )
    sent_in_backup = target.value(SENT_SQL)
    assert SENDERS // 4 <= sent_in_backup <= SENDERS

    # The restored portal shows what the source showed of everything the backup holds.
    staff = actor_for(target, email=demo.DEMO_STAFF)
    demo_companies = [c.id for c in companies.all_companies(target, actor=staff) if not c.name.startswith("Avsender")]
    assert _what_the_portal_shows(target, staff, demo_companies) == _what_the_portal_shows(
        source, actor_for(source, email=demo.DEMO_STAFF), demo_companies
    )
    shown_lists = {i.id for i in inbox.incoming(target, actor=staff, limit=10_000)}
    assert len(shown_lists) == len(lists)
    logged = contents.manifest["tables"]["audit_log"]["rows"]
    assert target.value("SELECT count(*) FROM audit_log") >= logged  # the reads above are audited too

    assert done.rows == sum(e["rows"] for e in contents.manifest["tables"].values())
    figure(
        f"backup drill: {done.rows} rows in {done.tables} tables and {done.files} files restored identical"
        f" ({source_engine} → {target_engine}), taken while {SENDERS} lists were being sent"
        f" ({sent_in_backup} of them in the snapshot, whole)"
    )
