"""Nobody can tell a registered address from an unknown one by what the portal answers."""

from datetime import timedelta

import pytest

from services.accounts import codes, login
from services.db import utcnow
from services.errors import PortalError
from tests.helpers import add_employer, latest_code

PASSWORD = "et-langt-passord"


def _answer(call) -> str:
    try:
        result = call()
    except PortalError as problem:
        return f"{type(problem).__name__}: {problem}"
    return "None" if result is None else type(result).__name__


def _steps(store, email: str, now) -> list[str]:
    return [
        _answer(lambda: codes.request_code(store, email=email, purpose=codes.ACTIVATE, now=now)),
        _answer(lambda: codes.request_code(store, email=email, purpose=codes.RESET, now=now + timedelta(minutes=2))),
        _answer(
            lambda: codes.set_password_with_code(
                store, email=email, code="000000", password="kort", confirmation="kort", now=now
            )
        ),
        _answer(
            lambda: codes.set_password_with_code(
                store, email=email, code="000000", password=PASSWORD, confirmation="noe annet", now=now
            )
        ),
        _answer(
            lambda: codes.set_password_with_code(
                store, email=email, code="12345", password=PASSWORD, confirmation=PASSWORD, now=now
            )
        ),
        _answer(
            lambda: codes.set_password_with_code(
                store, email=email, code="000000", password=PASSWORD, confirmation=PASSWORD, now=now
            )
        ),
        _answer(lambda: login.check_password(store, email=email, password="feil-passord-her", now=now)),
    ]


def test_every_step_answers_the_same_for_registered_and_unknown(store, company, figure):
    now = utcnow()
    add_employer(store, email="ny@firma.no")  # registered, never activated
    active = add_employer(store, email="kari@firma.no")
    codes.request_code(store, email=active.email, purpose=codes.ACTIVATE, now=now - timedelta(minutes=5))
    codes.set_password_with_code(
        store,
        email=active.email,
        code=latest_code(store, active.email),
        password=PASSWORD,
        confirmation=PASSWORD,
        now=now - timedelta(minutes=5),
    )
    unknown = _steps(store, "ingen@firma.no", now)
    differing = 0
    for email in ("ny@firma.no", "kari@firma.no"):
        answers = _steps(store, email, now)
        differing += sum(a != b for a, b in zip(answers, unknown, strict=True))
        assert answers == unknown, (email, answers, unknown)
    figure(f"enumeration: {differing} differing answers over activation, reset and login steps")


def test_unknown_addresses_do_the_same_work(store, company, monkeypatch):
    """A hash for every password check and every new password, known address or not."""
    from services.accounts import passwords

    calls = []
    monkeypatch.setattr(passwords, "hash_password", lambda p, rounds: calls.append("hash") or "$2b$x")
    monkeypatch.setattr(passwords, "verify", lambda p, h: calls.append("verify") or False)
    with pytest.raises(PortalError):
        codes.set_password_with_code(
            store, email="ingen@firma.no", code="000000", password=PASSWORD, confirmation=PASSWORD
        )
    assert login.check_password(store, email="ingen@firma.no", password=PASSWORD) is None
    assert login.check_password(store, email="ikke en adresse", password=PASSWORD) is None
    assert calls == ["hash", "verify", "verify"]
