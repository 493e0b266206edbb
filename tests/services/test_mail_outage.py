"""Mail through an outage: the provider refusing, then hanging. Nobody waits for it, nothing is
sent twice, and no code arrives after it has expired."""

import time
from datetime import timedelta

from services import db, mail
from services.accounts import codes
from services.db import utcnow
from tests.conftest import make_settings
from tests.helpers import add_employer


def test_mail_outage(tmp_path, sendgrid, figure):
    settings = make_settings(
        tmp_path / "data", sendgrid_api_key="SG.test-key", sendgrid_api_host=sendgrid.url, mail_timeout_seconds=1.0
    )
    store = db.open_store(settings)
    try:
        from services.accounts import companies
        from services.accounts.access import CLI

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

        sendgrid.delay = 0.0
        mail.retry_queued(store)
        mail.retry_queued(store)
        delivered_once = sum(len(sendgrid.mails_to(p.email, accepted_only=True)) == 1 for p in people[:10])
        late = sum(len(sendgrid.mails_to(p.email)) for p in people[10:])
        figure(
            f"mail outage: {queued} queued, {delivered_once} delivered once, {late} late codes "
            f"(longest wait for a user {max(waits):.3f} s, timeout {settings.mail_timeout_seconds:.0f} s)"
        )
        assert queued == 10 and delivered_once == 10 and late == 0
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
