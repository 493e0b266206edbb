import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services import filestore
from services.access import CLI, Actor
from services.accounts import companies
from services.db import utcnow
from services.errors import AccessDenied, InvalidInput
from services.lists import history, inbox, submissions
from services.lists.submissions import Upload
from tests import listfiles
from tests.helpers import add_employer, delivered_body

TODAY = date(2026, 11, 15)
PEOPLE = [
    (listfiles.make_fnr(date(1990, 1, 1)), "Nordmann, Ola", "624,00"),
    (listfiles.make_fnr(date(1975, 3, 9)), "Ås, Kjersti", "676,01"),
    (listfiles.make_fnr(date(1968, 7, 30)), "Dæhli, Åse", "585,00"),
]


def csv_upload(name="oktober.csv", people=PEOPLE):
    lines = ["Fødselsnummer;Navn;Trekk"] + [f"{p[0]};{p[1]};{p[2]}" for p in people]
    return Upload(name, ("\r\n".join(lines) + "\r\n").encode("cp1252"))


@pytest.fixture
def employer(store, company):
    user = add_employer(store)
    return Actor(user.id, user.email, user.role)


def send(store, actor, company, uploads, period=date(2026, 10, 1), remark="", contact="lonn@firma.no"):
    return submissions.submit(
        store,
        actor=actor,
        company_id=company.id,
        period=period,
        contact_email=contact,
        remark=remark,
        uploads=uploads,
        today=TODAY,
    )


def test_two_files_with_a_remark_are_stored_with_originals_rows_and_receipt(store, employer, company, settings):
    second = csv_upload("tillegg.csv", [(listfiles.make_fnr(date(2001, 11, 23)), "Bø, Øystein", "793,00")])
    receipt = send(store, employer, company, [csv_upload(), second], remark="Én ny ansatt i oktober")
    assert receipt.persons == 4 and receipt.total == Decimal("2678.01")
    submission = store.row(
        "SELECT company_id, period, contact_email, remark, submitted_by, person_count, total"
        " FROM submissions WHERE id = ?",
        [receipt.submission_id],
    )
    assert submission == (
        company.id,
        date(2026, 10, 1),
        "lonn@firma.no",
        "Én ny ansatt i oktober",
        employer.user_id,
        4,
        Decimal("2678.01"),
    )
    files = store.rows(
        "SELECT original_name, stored_name, sha256 FROM stored_files WHERE submission_id = ? ORDER BY id",
        [receipt.submission_id],
    )
    assert [f[0] for f in files] == ["oktober.csv", "tillegg.csv"]
    import hashlib

    for original, stored_name, digest in files:
        data = (settings.files_dir / stored_name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert stored_name != original and "." not in stored_name
    assert store.value("SELECT count(*) FROM submission_rows WHERE submission_id = ?", [receipt.submission_id]) == 4
    assert store.value("SELECT name FROM submission_rows WHERE national_id = ?", [PEOPLE[1][0]]) == "Ås, Kjersti"


def test_receipt_mail_has_the_facts_and_no_personal_data(store, employer, company):
    add_employer(store, email="lonn@firma.no")  # the contact address is one of the company's users
    send(store, employer, company, [csv_upload()])
    outbox_id, subject, kept, to = store.row("SELECT id, subject, body, to_addr FROM outbox WHERE kind = 'receipt'")
    body = delivered_body(store, outbox_id)
    assert kept == "", "the outbox keeps no file names once the receipt is sent"
    assert to == "lonn@firma.no"
    assert subject.startswith("Kvittering")
    for fact in ("Help Forsikring AS", "910000004", "Oktober 2026", "oktober.csv", "3", "1\u00a0885,01\u00a0kr"):
        assert fact in body
    for personal in [p[0] for p in PEOPLE] + ["Nordmann", "Kjersti", "010190"]:
        assert personal not in body and personal not in subject


def test_a_remark_without_a_file_is_refused(store, employer, company):
    with pytest.raises(InvalidInput, match="Merknadsfeltet er knyttet til perioden"):
        send(store, employer, company, [], remark="Listen kommer i morgen")
    assert store.value("SELECT count(*) FROM submissions") == 0


def test_a_bad_file_refuses_the_whole_submission(store, employer, company, settings):
    bad = Upload("ødelagt.xlsx", b"PK\x03\x04 not a zip")
    with pytest.raises(InvalidInput, match="ødelagt.xlsx"):
        send(store, employer, company, [csv_upload(), bad])
    assert store.value("SELECT count(*) FROM submissions") == 0
    assert store.value("SELECT count(*) FROM stored_files") == 0
    assert not settings.files_dir.exists() or not any(settings.files_dir.iterdir())


@pytest.mark.parametrize("period, message", [(date(2026, 12, 1), "ikke har begynt"), (date(2024, 10, 1), "2 år")])
def test_period_limits(store, employer, company, period, message):
    with pytest.raises(InvalidInput, match=message):
        send(store, employer, company, [csv_upload()], period=period)


def test_file_limits(store, employer, company):
    with pytest.raises(InvalidInput, match="høyst 10 filer"):
        send(store, employer, company, [csv_upload(f"{n}.csv") for n in range(11)])
    with pytest.raises(InvalidInput, match="20 MB"):
        send(store, employer, company, [Upload("stor.csv", b"x" * (20 * 1024 * 1024 + 1))])


def test_invalid_contact_address(store, employer, company):
    with pytest.raises(InvalidInput, match="gyldig e-postadresse"):
        send(store, employer, company, [csv_upload()], contact="lonn-at-firma")


def test_a_correction_for_the_same_period_is_kept_beside_the_first(store, employer, company):
    first = send(store, employer, company, [csv_upload()])
    second = send(store, employer, company, [csv_upload("rettet.csv")])
    assert first.submission_id != second.submission_id
    assert store.value("SELECT count(*) FROM submissions WHERE period = '2026-10-01'") == 2


def test_failure_after_the_file_write_leaves_nothing_behind(store, employer, company, settings, monkeypatch):
    def broken(tx, *rows):
        raise RuntimeError("disk full while inserting rows")

    monkeypatch.setattr(submissions, "insert_rows", broken)
    with pytest.raises(RuntimeError):
        send(store, employer, company, [csv_upload(), csv_upload("to.csv")])
    assert store.value("SELECT count(*) FROM submissions") == 0
    assert store.value("SELECT count(*) FROM submission_rows") == 0
    assert store.value("SELECT count(*) FROM stored_files") == 0
    assert store.value("SELECT count(*) FROM outbox") == 0
    assert list(settings.files_dir.iterdir()) == []


CRASH_SCRIPT = """
import os, sys
from datetime import date
sys.path.insert(0, {root!r})
from services import db
from services.lists import history, inbox, submissions
from services.access import Actor
from tests.conftest import make_settings
from tests.services.lists.test_submissions import csv_upload
from pathlib import Path
settings = make_settings(Path({data!r}), cookie_key={key!r}, database_url={url!r})
store = db.open_store(settings)
def crash(tx, *rows):
    os._exit(3)  # the process dies between the file write and the commit
submissions.insert_rows = crash
submissions.submit(store, actor=Actor({user_id}, "kari@firma.no", "employer"), company_id={company_id},
                   period=date(2026, 10, 1), contact_email="lonn@firma.no", uploads=[csv_upload()],
                   today=date(2026, 11, 15))
"""


@pytest.mark.slow
def test_a_crash_between_file_write_and_commit_leaves_only_what_the_sweep_removes(store, employer, company, settings):
    from services import db

    db.close_all()  # the crashing process must be the one writer
    script = CRASH_SCRIPT.format(
        root=str(Path(__file__).resolve().parents[3]),
        data=str(settings.data_dir),
        key=settings.cookie_key,
        user_id=employer.user_id,
        company_id=company.id,
        url=settings.database_url,
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    fresh = db.open_store(settings)
    assert fresh.value("SELECT count(*) FROM submissions") == 0
    on_disk = {p.name for p in settings.files_dir.iterdir()}
    known = {r[0] for r in fresh.rows("SELECT stored_name FROM stored_files WHERE submission_id IS NULL")}
    assert on_disk and on_disk <= known  # every file on disk is known to the store
    assert filestore.sweep(fresh) == 0  # too recent: a submission may still be under way
    assert filestore.sweep(fresh, now=utcnow() + timedelta(hours=2)) == 1
    assert list(settings.files_dir.iterdir()) == []
    assert fresh.value("SELECT count(*) FROM stored_files") == 0


def test_no_access_no_sending_and_no_history(store, company):
    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Annen AS")
    user = add_employer(store, email="ola@annen.no", orgnrs=["920000002"])
    outsider = Actor(user.id, user.email, user.role)
    with pytest.raises(AccessDenied):
        send(store, outsider, company, [csv_upload()])
    with pytest.raises(AccessDenied):
        history.history(store, actor=outsider, company_id=company.id, today=TODAY)
    with pytest.raises(AccessDenied):
        submissions.last_contact_email(store, actor=outsider, company_id=company.id)
    assert history.history(store, actor=outsider, company_id=other.id, today=TODAY)[0] == []
    with pytest.raises(AccessDenied):
        inbox.stored_file(store, actor=outsider, file_id=1)


def test_history_of_the_last_year_newest_first_with_missing_periods(store, employer, company):
    def at(day):
        return datetime.combine(day, datetime.min.time()) + timedelta(hours=10)

    for period, sent in [
        (date(2026, 9, 1), date(2026, 10, 14)),
        (date(2026, 10, 1), date(2026, 11, 8)),
        (date(2025, 9, 1), date(2025, 10, 12)),
    ]:
        submissions.submit(
            store,
            actor=employer,
            company_id=company.id,
            period=period,
            contact_email="lonn@firma.no",
            uploads=[csv_upload(), csv_upload("b.csv")],
            today=sent,
            confirm_earlier_copies=True,  # the test sends the same two files for each period
            now=at(sent),
        )
    entries, missing = history.history(store, actor=employer, company_id=company.id, today=TODAY)
    assert [(e.submitted_at.date(), e.period, e.file_count) for e in entries] == [
        (date(2026, 11, 8), date(2026, 10, 1), 2),
        (date(2026, 10, 14), date(2026, 9, 1), 2),
    ]
    assert date(2026, 10, 1) not in missing and date(2026, 9, 1) not in missing
    assert missing[0] == date(2026, 8, 1) and len(missing) == 10
    assert submissions.last_contact_email(store, actor=employer, company_id=company.id) == "lonn@firma.no"


def test_employers_cannot_download_what_they_sent(store, employer, company):
    receipt = send(store, employer, company, [csv_upload()])
    file_id = store.value("SELECT id FROM stored_files WHERE submission_id = ?", [receipt.submission_id])
    with pytest.raises(AccessDenied, match="ikke mulig å laste ned"):
        inbox.stored_file(store, actor=employer, file_id=file_id)
    name, data = inbox.stored_file(store, actor=CLI, file_id=file_id)
    assert name == "oktober.csv" and data == csv_upload().data


def test_staff_see_every_list_with_originals_and_who_has_not_sent(store, employer, company):
    companies.add_company(store, actor=CLI, orgnr="920000002", name="Annen AS")
    receipt = send(store, employer, company, [csv_upload(), csv_upload("b.csv")], remark="Merk")
    rows = inbox.incoming(store, actor=CLI)
    assert [(r.company, r.period, r.remark, [n for _, n in r.files]) for r in rows] == [
        ("Help Forsikring AS", date(2026, 10, 1), "Merk", ["oktober.csv", "b.csv"])
    ]
    file_id = rows[0].files[0][0]
    name, data = inbox.original(store, actor=CLI, file_id=file_id)
    assert name == "oktober.csv" and data == csv_upload().data
    assert store.value("SELECT count(*) FROM audit_log WHERE action = 'submission.file.download'") == 1
    assert [r.name for r in inbox.not_sent(store, actor=CLI, period=date(2026, 10, 1))] == ["Annen AS"]
    with pytest.raises(AccessDenied):
        inbox.incoming(store, actor=employer)
    with pytest.raises(AccessDenied):
        inbox.not_sent(store, actor=employer, period=date(2026, 10, 1))
    assert receipt.submission_id == rows[0].id


def test_the_receipt_goes_only_to_an_address_of_the_company(store, employer, company):
    receipt = send(store, employer, company, [csv_upload()], contact="hvem-som-helst@annet.example")
    assert receipt.receipt_to == employer.email
    assert store.value("SELECT to_addr FROM outbox WHERE kind = 'receipt'") == employer.email
    # The union's contact address for the list is still kept.
    assert store.value("SELECT contact_email FROM submissions") == "hvem-som-helst@annet.example"


def test_a_file_name_is_one_line_in_the_receipt(store, employer, company):
    upload = csv_upload()
    forged = submissions.Upload("liste.csv\nBcc: alle@example.test\r\nEmne: falsk", upload.data)
    receipt = send(store, employer, company, [forged])
    assert receipt.file_names == ["liste.csv Bcc: alle@example.test Emne: falsk"]
    body = delivered_body(store, receipt.receipt_mail_id)
    assert "\nBcc:" not in body and "  - liste.csv Bcc: alle@example.test Emne: falsk" in body


def test_earlier_lists_of_a_period_and_the_kind_of_a_new_one(store, employer, company):
    assert submissions.earlier_lists(store, actor=employer, company_id=company.id, period=date(2026, 10, 1)) == []
    send(store, employer, company, [csv_upload()])
    [earlier] = submissions.earlier_lists(store, actor=employer, company_id=company.id, period=date(2026, 10, 1))
    assert earlier.sent_by == store.value("SELECT name FROM users WHERE id = ?", [employer.user_id])
    with pytest.raises(InvalidInput, match="korrigering eller et tillegg"):
        submissions.submit(
            store,
            actor=employer,
            company_id=company.id,
            period=date(2026, 10, 1),
            contact_email=employer.email,
            uploads=[csv_upload()],
            today=date(2026, 11, 15),
            resend_kind="noe annet",
        )
    submissions.submit(
        store,
        actor=employer,
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email=employer.email,
        uploads=[csv_upload("rettet.csv")],
        today=date(2026, 11, 15),
        resend_kind=submissions.CORRECTION,
    )
    assert [r.resend_kind for r in inbox.incoming(store, actor=CLI)] == [submissions.CORRECTION, None]
