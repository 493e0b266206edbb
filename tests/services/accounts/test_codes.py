from datetime import timedelta

import pytest

from services.accounts import codes, login
from services.db import utcnow
from services.errors import InvalidInput
from tests.helpers import add_employer, delivered_body, latest_code, mail_count

PASSWORD = "et-langt-passord"


@pytest.fixture
def employer(store, company):
    return add_employer(store)


def activate(store, email, code, password=PASSWORD, now=None):
    codes.set_password_with_code(store, email=email, code=code, password=password, confirmation=password, now=now)


def test_right_code_activates_and_the_password_logs_in(store, employer):
    answer = codes.request_code(store, email="Kari@Firma.no", purpose=codes.ACTIVATE)
    assert answer == codes.CODE_REQUESTED_MESSAGE
    code = latest_code(store, employer.email)
    activate(store, employer.email, code)
    assert login.check_password(store, email=employer.email, password=PASSWORD).user_id == employer.id
    assert store.value("SELECT activated_at IS NOT NULL FROM users WHERE id = ?", [employer.id])
    stored = store.value("SELECT code_hash FROM access_codes WHERE email = ?", [employer.email])
    assert code not in stored


def test_code_mail_holds_the_code_and_nothing_about_companies(store, employer):
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    outbox_id, kept = store.row("SELECT id, body FROM outbox WHERE to_addr = ?", [employer.email])
    body = delivered_body(store, outbox_id)
    assert latest_code(store, employer.email) in body
    assert kept == "", "the outbox keeps no code once the mail is sent"
    assert "Help Forsikring" not in body and "910000004" not in body


def test_wrong_code_is_refused(store, employer):
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    right = latest_code(store, employer.email)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidInput, match="feil eller utløpt"):
        activate(store, employer.email, wrong)
    assert login.check_password(store, email=employer.email, password=PASSWORD) is None


def test_expired_code_is_refused(store, employer):
    start = utcnow()
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start)
    with pytest.raises(InvalidInput):
        activate(
            store, employer.email, latest_code(store, employer.email), now=start + timedelta(minutes=10, seconds=1)
        )
    activate_in_time = start + timedelta(minutes=9, seconds=59)
    activate(store, employer.email, latest_code(store, employer.email), now=activate_in_time)


def test_code_works_only_once(store, employer):
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    code = latest_code(store, employer.email)
    activate(store, employer.email, code)
    with pytest.raises(InvalidInput):
        activate(store, employer.email, code, password="et-annet-passord")
    assert login.check_password(store, email=employer.email, password=PASSWORD) is not None


def test_five_wrong_tries_void_the_code(store, employer):
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    right = latest_code(store, employer.email)
    for n in range(1, 6):
        with pytest.raises(InvalidInput):
            activate(store, employer.email, f"{(int(right) + n) % 1_000_000:06d}")
    with pytest.raises(InvalidInput):
        activate(store, employer.email, right)


def test_one_new_code_a_minute_per_address(store, employer):
    start = utcnow()
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start)
    first = latest_code(store, employer.email)
    answer = codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start + timedelta(seconds=30))
    assert answer == codes.CODE_REQUESTED_MESSAGE
    assert mail_count(store, employer.email) == 1
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start + timedelta(seconds=61))
    assert mail_count(store, employer.email) == 2
    second = latest_code(store, employer.email)
    assert second != first
    # the new code replaces the old one
    with pytest.raises(InvalidInput):
        activate(store, employer.email, first, now=start + timedelta(seconds=70))
    activate(store, employer.email, second, now=start + timedelta(seconds=70))


def test_unknown_address_gets_the_same_answer_and_no_mail(store, employer):
    answer = codes.request_code(store, email="ukjent@firma.no", purpose=codes.ACTIVATE)
    assert answer == codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    assert mail_count(store, "ukjent@firma.no") == 0
    assert store.rows("SELECT to_addr, status, body FROM outbox ORDER BY id") == [
        ("ukjent@firma.no", "dropped", ""),
        (employer.email, "sent", ""),
    ]


@pytest.mark.parametrize(
    "password, confirmation, message",
    [
        ("kort-pass", "kort-pass", "minst 10"),
        ("et-langt-passord", "et-annet-passord", "ikke like"),
        ("kari@firma.no", "kari@firma.no", "e-postadressen"),
    ],
)
def test_password_rules(store, employer, password, confirmation, message):
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    with pytest.raises(InvalidInput, match=message):
        codes.set_password_with_code(
            store,
            email=employer.email,
            code=latest_code(store, employer.email),
            password=password,
            confirmation=confirmation,
        )
    # a refused password does not use up the code
    activate(store, employer.email, latest_code(store, employer.email))


def test_reset_sets_a_new_password_and_ends_all_sessions(store, employer):
    from services.accounts import sessions

    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE)
    activate(store, employer.email, latest_code(store, employer.email))
    session = sessions.start(store, user_id=employer.id, cookie_expiry=sessions.expiry_for(utcnow()))
    later = utcnow() + timedelta(minutes=2)
    codes.request_code(store, email=employer.email, purpose=codes.RESET, now=later)
    subject = store.value("SELECT subject FROM outbox ORDER BY id DESC LIMIT 1")
    assert "nytt passord" in subject
    activate(store, employer.email, latest_code(store, employer.email), password="helt-nytt-passord", now=later)
    assert login.check_password(store, email=employer.email, password=PASSWORD) is None
    assert login.check_password(store, email=employer.email, password="helt-nytt-passord") is not None
    assert not sessions.is_live(store, session_id=session.id)


def test_code_requests_are_capped_per_account_and_day(store, employer):
    start = utcnow()
    for n in range(12):
        codes.request_code(store, email=employer.email, purpose=codes.RESET, now=start + timedelta(minutes=2 * n))
    assert mail_count(store, employer.email) == 10
    # A day later the account may ask again.
    codes.request_code(store, email=employer.email, purpose=codes.RESET, now=start + timedelta(hours=25))
    assert mail_count(store, employer.email) == 11


def test_wrong_codes_are_capped_per_account_and_day(store, employer):
    start = utcnow()
    for n in range(2):
        codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start + timedelta(minutes=2 * n))
        for _ in range(5):
            with pytest.raises(InvalidInput):
                activate(store, employer.email, "000000", now=start + timedelta(minutes=2 * n))
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start + timedelta(minutes=6))
    right = latest_code(store, employer.email)
    with pytest.raises(InvalidInput):
        activate(store, employer.email, right, now=start + timedelta(minutes=6))
    assert store.value("SELECT activated_at FROM users WHERE id = ?", [employer.id]) is None


def test_the_hourly_ceiling_for_all_accounts(store, company):
    from services import settings_store
    from services.access import CLI

    settings_store.set_value(store, actor=CLI, key="code_requests_per_hour", value="3")
    people = [add_employer(store, email=f"person{n}@firma.no") for n in range(5)]
    for person in people:
        codes.request_code(store, email=person.email, purpose=codes.ACTIVATE)
    assert sum(mail_count(store, p.email) for p in people) == 3


def test_a_new_password_does_not_lift_a_login_lock(store, employer):
    start = utcnow()
    codes.request_code(store, email=employer.email, purpose=codes.ACTIVATE, now=start)
    activate(store, employer.email, latest_code(store, employer.email), now=start)
    for _ in range(4):
        login.check_password(store, email=employer.email, password="feil-passord", now=start)
    with pytest.raises(login.AccountLocked):
        login.check_password(store, email=employer.email, password="feil-passord", now=start)
    codes.request_code(store, email=employer.email, purpose=codes.RESET, now=start + timedelta(minutes=2))
    activate(
        store,
        employer.email,
        latest_code(store, employer.email),
        password="et-nytt-passord",
        now=start + timedelta(minutes=2),
    )
    with pytest.raises(login.AccountLocked):
        login.check_password(store, email=employer.email, password="et-nytt-passord", now=start + timedelta(minutes=3))
    assert (
        login.check_password(store, email=employer.email, password="et-nytt-passord", now=start + timedelta(minutes=16))
        is not None
    )


def test_a_code_mail_not_delivered_in_time_is_dropped(store, employer):
    from services import mail

    class Down:
        def send(self, **_):
            raise OSError("nede")

    start = utcnow() - timedelta(minutes=11)
    outbox_id = store.transaction(
        lambda tx: mail.enqueue(
            tx,
            kind="code.activate",
            to=employer.email,
            subject="Kode",
            body="Engangskoden din er: 123456",
            deliver_by=start + codes.VALID_FOR,
        )
    )
    assert mail.deliver(store, outbox_ids=[outbox_id], provider=Down()) == 0
    status, body = store.row("SELECT status, body FROM outbox WHERE id = ?", [outbox_id])
    assert status == "expired" and body == ""
