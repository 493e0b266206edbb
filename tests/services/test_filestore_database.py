"""Stored files in the database (PORTAL_FILE_STORE=database): any app process on any machine can
serve a download. The same life as in the folder: written before the owner's transaction, gone
again if it fails, swept after a crash, deleted by retention; nothing written to the folder.
Runs on both engines (make test-postgres)."""

import dataclasses
from datetime import date, timedelta

import pytest

from services import db, filestore
from services.access import CLI, Actor
from services.accounts import companies
from services.db import utcnow
from services.letters import letters
from services.lists import inbox, submissions
from tests import listfiles
from tests.helpers import add_employer


@pytest.fixture
def in_database(settings):
    return db.open_store(dataclasses.replace(settings, file_store="database"))


def csv(name: str = "oktober.csv") -> submissions.Upload:
    return submissions.Upload(
        name, f"Fnr;Navn;Trekk\n{listfiles.make_fnr(date(1980, 1, 1))};Berg, Anne;400,00\n".encode()
    )


def test_lists_and_letters_kept_in_the_database(in_database):
    store = in_database
    company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    kari = add_employer(store, "kari@firma.no", ["910000004"])
    clerk = Actor(kari.id, kari.email, kari.role)
    receipt = submissions.submit(
        store,
        actor=clerk,
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email=clerk.email,
        uploads=[csv()],
        today=date(2026, 11, 15),
    )
    file_id = store.value("SELECT id FROM stored_files WHERE submission_id = ?", [receipt.submission_id])
    assert inbox.original(store, actor=CLI, file_id=file_id) == ("oktober.csv", csv().data)
    assert not store.settings.files_dir.exists() or not any(store.settings.files_dir.iterdir())
    letter_id = letters.upload(store, actor=CLI, company_id=company.id, subject="Brev", pdf=b"%PDF-1.4\n%%EOF")
    assert letters.download(store, actor=clerk, company_id=company.id, letter_id=letter_id)[1] == b"%PDF-1.4\n%%EOF"
    # Retention deletes the bytes; the record stays for the audit.
    filestore.delete_content(store, file_id=file_id)
    assert filestore.read(store, file_id=file_id) is None
    assert store.value("SELECT count(*) FROM stored_files WHERE id = ?", [file_id]) == 1


def test_a_failed_owner_leaves_nothing_and_a_crash_is_swept(in_database):
    store = in_database

    def fails(tx, reserved):
        raise RuntimeError("the owner's transaction fails")

    with pytest.raises(RuntimeError):
        filestore.save(store, files=[("a.csv", b"abc", {})], create=fails)
    assert store.value("SELECT count(*) FROM stored_file_contents") == 0
    assert store.value("SELECT count(*) FROM stored_files") == 0
    # A crash between the write and the owner's commit: the sweep removes record and bytes.
    reserved = filestore.reserve(store, files=[("b.csv", b"def", {})])
    filestore.write(store, reserved)
    assert filestore.read(store, file_id=reserved[0].id) == ("b.csv", b"def")
    assert filestore.sweep(store, now=utcnow() + timedelta(hours=2)) == 1
    assert store.value("SELECT count(*) FROM stored_file_contents") == 0


def test_bytes_that_do_not_match_the_record_are_not_served(in_database):
    store = in_database
    reserved = filestore.reserve(store, files=[("c.csv", b"12345", {})])
    filestore.write(store, reserved)
    store.execute("UPDATE stored_files SET size_bytes = 4 WHERE id = ?", [reserved[0].id])
    assert filestore.read(store, file_id=reserved[0].id) is None
    with pytest.raises(filestore.FileTooLarge):
        filestore.write(store, [filestore.StoredFile(99, "x", "x.csv", b"0" * (filestore.MAX_STORED_BYTES + 1))])
