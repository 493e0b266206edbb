import email

from services import mail
from services.accounts import codes
from tests.helpers import add_employer


def test_default_provider_writes_an_eml_file_and_marks_sent(store, settings):
    outbox_id = mail.send(store, kind="test", to="kari@firma.no", subject="Hei æøå", body="Innhold æøå")
    status, sent_at = store.row("SELECT status, sent_at FROM outbox WHERE id = ?", [outbox_id])
    assert status == "sent" and sent_at is not None
    message = email.message_from_bytes(
        (settings.outbox_dir / f"{outbox_id:08d}.eml").read_bytes(), policy=email.policy.default
    )
    assert message["To"] == "kari@firma.no"
    assert message["Subject"] == "Hei æøå"
    assert message.get_content().strip() == "Innhold æøå"


def test_sendgrid_requests_are_valid_against_the_spec(sendgrid_store, sendgrid):
    mail.send(sendgrid_store, kind="test", to="kari@firma.no", subject="Kvittering", body="Linje 1\nLinje 2")
    assert sendgrid.invalid == []
    [request] = sendgrid.requests
    assert request["auth"] == "Bearer SG.test-key"
    body = request["body"]
    assert body["personalizations"][0]["to"] == [{"email": "kari@firma.no"}]
    assert body["from"]["email"] == "trekkliste@forbundet.test"
    assert body["subject"] == "Kvittering"
    assert body["content"] == [{"type": "text/plain", "value": "Linje 1\nLinje 2"}]
    assert sendgrid_store.value("SELECT status FROM outbox") == "sent"


def test_code_mail_through_sendgrid_is_valid(sendgrid_store, sendgrid):
    from services.access import CLI
    from services.accounts import companies

    companies.add_company(sendgrid_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    user = add_employer(sendgrid_store)
    codes.request_code(sendgrid_store, email=user.email, purpose=codes.ACTIVATE)
    assert sendgrid.invalid == []
    [body] = sendgrid.mails_to(user.email)
    assert "Engangskoden din er:" in body["content"][0]["value"]


def test_failure_leaves_the_mail_queued_and_a_retry_sends_it(sendgrid_store, sendgrid, caplog):
    sendgrid.status = 500
    outbox_id = mail.send(sendgrid_store, kind="test", to="kari@firma.no", subject="Emne", body="hemmelig innhold")
    status, attempts, error = sendgrid_store.row(
        "SELECT status, attempts, last_error FROM outbox WHERE id = ?", [outbox_id]
    )
    assert (status, attempts) == ("queued", 1) and "500" in error
    assert "hemmelig innhold" not in caplog.text and "kari@firma.no" not in caplog.text
    assert str(outbox_id) in caplog.text
    sendgrid.status = 202
    assert mail.retry_queued(sendgrid_store) == 1
    assert sendgrid_store.value("SELECT status FROM outbox WHERE id = ?", [outbox_id]) == "sent"
    assert mail.retry_queued(sendgrid_store) == 0
    assert len(sendgrid.requests) == 2  # the refused one and the retry


def test_unreachable_provider_leaves_the_mail_queued(tmp_path):
    from services import db
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "d", sendgrid_api_key="SG.x", sendgrid_api_host="http://127.0.0.1:9")
    store = db.open_store(settings)
    try:
        outbox_id = mail.send(store, kind="test", to="kari@firma.no", subject="Emne", body="x")
        assert store.value("SELECT status FROM outbox WHERE id = ?", [outbox_id]) == "queued"
    finally:
        db.close_all()
