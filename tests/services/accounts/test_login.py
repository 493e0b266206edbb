from datetime import timedelta

import pytest

from services import db
from services.accounts import codes, login
from services.db import utcnow
from tests.helpers import add_employer, latest_code

PASSWORD = "et-langt-passord"


@pytest.fixture
def active(store, company):
    user = add_employer(store)
    codes.request_code(store, email=user.email, purpose=codes.ACTIVATE)
    codes.set_password_with_code(
        store, email=user.email, code=latest_code(store, user.email), password=PASSWORD, confirmation=PASSWORD
    )
    return user


def test_login_right_and_wrong(store, active):
    assert login.check_password(store, email="KARI@firma.no ", password=PASSWORD).email == active.email
    assert login.check_password(store, email=active.email, password="feil-passord") is None
    assert login.check_password(store, email="ukjent@firma.no", password=PASSWORD) is None
    attempts = store.rows("SELECT email, succeeded FROM login_attempts ORDER BY id")
    assert attempts == [(active.email, True), (active.email, False), ("ukjent@firma.no", False)]


def test_account_not_activated_cannot_log_in(store, company):
    user = add_employer(store, email="ny@firma.no")
    assert login.check_password(store, email=user.email, password="hva-som-helst") is None


def test_five_failures_lock_for_15_minutes_even_with_right_password(store, active):
    start = utcnow()
    for _ in range(4):
        assert login.check_password(store, email=active.email, password="feil-passord", now=start) is None
    with pytest.raises(login.AccountLocked):
        login.check_password(store, email=active.email, password="feil-passord", now=start)
    with pytest.raises(login.AccountLocked):
        login.check_password(store, email=active.email, password=PASSWORD, now=start + timedelta(minutes=14))
    assert login.check_password(
        store, email=active.email, password=PASSWORD, now=start + timedelta(minutes=15, seconds=1)
    )


def test_lockout_survives_a_new_connection(store, settings, active):
    for _ in range(5):
        try:
            login.check_password(store, email=active.email, password="feil-passord")
        except login.AccountLocked:
            pass
    db.close_all()
    fresh = db.open_store(settings)
    assert login.is_locked(fresh, email=active.email)
    with pytest.raises(login.AccountLocked):
        login.check_password(fresh, email=active.email, password=PASSWORD)


def test_a_success_resets_the_failure_count(store, active):
    for _ in range(4):
        login.check_password(store, email=active.email, password="feil-passord")
    assert login.check_password(store, email=active.email, password=PASSWORD)
    for _ in range(4):
        assert login.check_password(store, email=active.email, password="feil-passord") is None


def test_lockout_race_counts_every_parallel_guess(store, settings, active, figure):
    import threading

    barrier = threading.Barrier(30)
    outcomes, errors = [], []

    def guess():
        own = db.open_store(settings)
        barrier.wait()
        try:
            outcomes.append(login.check_password(own, email=active.email, password="feil-passord"))
        except login.AccountLocked:
            outcomes.append("locked")
        except Exception as exc:  # collected: no raw conflict may reach a user
            errors.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = store.value("SELECT count(*) FROM login_attempts WHERE email = ? AND NOT succeeded", [active.email])
    with pytest.raises(login.AccountLocked):
        login.check_password(store, email=active.email, password=PASSWORD)
    refused = "right password refused while locked"
    figure(f"lockout race: 30 parallel wrong guesses counted {counted}, {refused}")
    assert errors == [] and len(outcomes) == 30
    assert counted == 30 and outcomes.count("locked") >= 25
    assert login.is_locked(store, email=active.email)


def test_production_keeps_bcrypt_cost_12(monkeypatch, tmp_path):
    from services.accounts import passwords
    from services.config import ConfigError, load_settings

    monkeypatch.delenv("PORTAL_BCRYPT_ROUNDS", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_DEMO", "0")
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "k" * 48)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 48)
    rounds = load_settings(web=False).bcrypt_rounds
    assert rounds == 12
    assert passwords.hash_password("et-langt-passord", rounds=rounds).startswith("$2b$12$")
    monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", "4")
    rounds = load_settings(web=False).bcrypt_rounds
    assert passwords.hash_password("et-langt-passord", rounds=rounds).startswith("$2b$04$")
    for nonsense in ("3", "17", "tolv"):
        monkeypatch.setenv("PORTAL_BCRYPT_ROUNDS", nonsense)
        with pytest.raises(ConfigError, match="PORTAL_BCRYPT_ROUNDS"):
            load_settings(web=False)
