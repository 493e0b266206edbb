"""Mail through an outage: the provider refusing, then hanging. Nobody waits for it, nothing is
sent twice, and no code arrives after it has expired."""

import time
from datetime import timedelta

import pytest

from services import db, mail
from services.accounts import codes
from services.db import utcnow
from tests.conftest import make_settings
from tests.helpers import add_employer

# Slow (waits out the mail provider's timeouts): not in `make test-fast`.
pytestmark = pytest.mark.slow


def test_mail_outage(tmp_path, sendgrid, figure):
    settings = make_settings(
        tmp_path / "data", sendgrid_api_key="SG.test-key", sendgrid_api_host=sendgrid.url, mail_timeout_seconds=1.0
    )
    store = db.open_store(settings)
    try:
        from services.access import CLI
        from services.accounts import companies

        companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
        people = [add_employer(store, email=f"person{n}@firma.no") for n in range(13)]
        mail.start_courier(settings)
        waits = []

        def request(person, now=None):
            started = time.perf_counter()
            codes.request_code(store, email=person.email, purpose=codes.ACTIVATE, now=now)
            waits.append(time.perf_counter() - started)

        sendgrid.status = 500
        for person in people[:5]:
            request(person)
        # Three codes asked for twenty minutes ago, in the same outage: worthless by now.
        for person in people[10:]:
            request(person, now=utcnow() - timedelta(minutes=20))
        assert mail.wait_for_courier(settings, timeout=60)
        sendgrid.status, sendgrid.delay = 202, 3.0
        for person in people[5:10]:
            request(person)
        assert mail.wait_for_courier(settings, timeout=120)
        queued = store.value("SELECT count(*) FROM outbox WHERE status = 'queued'")
        assert sendgrid.accepted == []

        # A provider that hangs may have taken the mail: those five codes are not sent again.
        unknown = store.value("SELECT count(*) FROM outbox WHERE status = 'unknown'")

        sendgrid.delay = 0.0
        mail.retry_queued(store)
        mail.retry_queued(store)
        delivered_once = sum(len(sendgrid.mails_to(p.email, accepted_only=True)) == 1 for p in people[:5])
        resent = sum(len(sendgrid.mails_to(p.email, accepted_only=True)) for p in people[5:10])
        late = sum(len(sendgrid.mails_to(p.email)) for p in people[10:])
        figure(
            f"mail outage: {queued} queued, {delivered_once} delivered once, {unknown} codes unknown after a "
            f"timeout and {resent} of them sent again, {late} late codes "
            f"(longest wait for a user {max(waits):.3f} s, timeout {settings.mail_timeout_seconds:.0f} s)"
        )
        assert queued == 5 and unknown == 5 and delivered_once == 5 and resent == 0 and late == 0
        assert max(waits) < settings.mail_timeout_seconds
        assert store.value("SELECT count(*) FROM outbox WHERE status = 'expired'") == 3
        assert store.value("SELECT count(*) FROM outbox WHERE kind LIKE 'code.%' AND body <> ''") == 0
    finally:
        db.close_all()


def test_only_the_worker_holding_the_claim_marks_a_mail_sent(store):
    outbox_id = store.transaction(lambda tx: mail.enqueue(tx, kind="test", to="kari@firma.no", subject="S", body="B"))
    assert mail._claim(store, outbox_id, "first") is not None
    # The first worker's claim runs out while it is still busy; a second worker takes the mail.
    store.execute("UPDATE outbox SET claimed_until = ? WHERE id = ?", [utcnow() - timedelta(seconds=1), outbox_id])
    assert mail._claim(store, outbox_id, "second") is not None
    sql = "UPDATE outbox SET status = 'sent' WHERE id = ? AND claimed_by = ? AND status = 'queued'"
    assert mail._record(store, sql, [outbox_id, "first"]) is False
    assert mail._record(store, sql, [outbox_id, "second"]) is True


def test_the_provider_call_has_a_timeout(tmp_path, sendgrid):
    settings = make_settings(
        tmp_path / "data", sendgrid_api_key="SG.test-key", sendgrid_api_host=sendgrid.url, mail_timeout_seconds=1.0
    )
    store = db.open_store(settings)
    try:
        sendgrid.delay = 5.0
        started = time.perf_counter()
        outbox_id = mail.send(store, kind="test", to="kari@firma.no", subject="S", body="B")
        assert time.perf_counter() - started < 3
        assert store.value("SELECT status FROM outbox WHERE id = ?", [outbox_id]) == "queued"
    finally:
        sendgrid.delay = 0.0
        db.close_all()


def test_a_mail_the_provider_took_after_the_timeout_is_not_sent_twice(tmp_path, sendgrid, figure):
    """The provider accepts, but answers after the client has given up: a code is never sent again
    (the user asks for a new one, which voids it); a receipt is tried again under its outbox id."""
    from services.access import CLI
    from services.accounts import companies

    settings = make_settings(
        tmp_path / "data", sendgrid_api_key="SG.test-key", sendgrid_api_host=sendgrid.url, mail_timeout_seconds=1.0
    )
    store = db.open_store(settings)
    try:
        companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
        people = [add_employer(store, email=f"person{n}@firma.no") for n in range(4)]
        sendgrid.late = 2.0
        for person in people:
            codes.request_code(store, email=person.email, purpose=codes.ACTIVATE)
        receipt = mail.send(store, kind="receipt", to=people[0].email, subject="Kvittering", body="Liste mottatt")
        sendgrid.late = 0.0
        for _ in range(3):
            mail.retry_queued(store)
        twice = sum(
            len([m for m in sendgrid.mails_to(p.email, accepted_only=True) if m["subject"].startswith("Engangskode")])
            > 1
            for p in people
        )
        figure(f"codes mailed twice after a provider timeout: {twice} (of {len(people)} the provider took late)")
        assert twice == 0
        assert store.value("SELECT count(*) FROM outbox WHERE kind LIKE 'code.%' AND status = 'unknown'") == 4
        assert store.value("SELECT count(*) FROM outbox WHERE kind LIKE 'code.%' AND body <> ''") == 0
        # The receipt was tried again, and both tries carry its outbox id for the provider's log.
        tries = [m for m in sendgrid.mails_to(people[0].email, accepted_only=True) if m["subject"] == "Kvittering"]
        assert len(tries) == 2 and {t["personalizations"][0]["custom_args"]["outbox_id"] for t in tries} == {
            str(receipt)
        }
        status, error = store.row("SELECT status, last_error FROM outbox WHERE id = ?", [receipt])
        assert status == "sent" and error is None
        # A new code after the unknown one is mailed as usual.
        later = utcnow() + timedelta(minutes=2)
        codes.request_code(store, email=people[1].email, purpose=codes.ACTIVATE, now=later)
        assert len(sendgrid.mails_to(people[1].email, accepted_only=True)) == 2
    finally:
        db.close_all()
