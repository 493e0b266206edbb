"""The accounts tried as an attacker would (issue 21): a copy of the database, the lockout as an
oracle and as a weapon."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import jwt
import pyotp
import pytest

from services.access import CLI
from services.accounts import codes, login, second_factor, sessions, users
from services.db import utcnow
from tests.helpers import activate_account, add_employer, latest_code, mail_count

PASSWORD = "et-langt-passord"


def _activate(store, email, now=None):
    activate_account(store, email, PASSWORD, now=now)


def _tables(store) -> list[str]:
    return [
        name
        for (name,) in store.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]


def _copy(store) -> dict[str, list[tuple]]:
    """Every row of every table: what a backup, a replica or a read-only SQL bug gives away."""
    return {table: store.rows(f"SELECT * FROM {table}") for table in _tables(store)}


def _old_scheme_finds(stored: str) -> str | None:
    """The code behind a hash made without a key (the scheme before issue 21), by trying all."""
    salt, digest = stored.split("$", 1)
    for n in range(1_000_000):
        code = f"{n:06d}"
        if hashlib.sha256((salt + code).encode()).hexdigest() == digest:
            return code
    return None


@pytest.mark.slow
def test_a_copy_of_the_database_gives_no_code_and_no_session(store, company, settings, figure):
    staff = users.add_user(store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    _activate(store, staff.email, now=utcnow() - timedelta(minutes=5))
    enrolment = second_factor.begin_enrolment(store, user_id=staff.id, email=staff.email)
    second_factor.confirm_enrolment(
        store, actor=sessions.actor_for(store, user_id=staff.id), code=pyotp.TOTP(enrolment.key).now()
    )
    people = [add_employer(store, email=f"person{n}@firma.no") for n in range(3)]
    for person in [staff, *people]:
        codes.request_code(store, email=person.email, purpose=codes.RESET)
    mailed = {person.email: latest_code(store, person.email) for person in [staff, *people]}
    live = [sessions.start(store, user_id=staff.id, cookie_expiry=sessions.expiry_for(utcnow())) for _ in range(3)]

    copy = _copy(store)
    every_string = {value for rows in copy.values() for row in rows for value in row if isinstance(value, str)}
    assert not any(settings.secret_key in value or settings.cookie_key in value for value in every_string)

    # The codes: nothing to derive them from, and no keyless hash to try them against.
    columns = [
        c for (c,) in store.rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
    ]
    assert not [c for c in columns if "otp" in c or "secret" in c]
    live_codes = [r for r in store.rows("SELECT email, code_hash FROM access_codes WHERE used_at IS NULL")]
    derived = sum(_old_scheme_finds(stored) is not None for _, stored in live_codes)
    # The control: the mailed code does match its hash, with the server's key.
    from services.accounts import keys

    assert all(keys.code_matches(settings, mailed[email], stored) for email, stored in live_codes)
    # A second-factor secret in the copy is sealed: no authenticator code comes from it.
    sealed = store.value("SELECT sealed_secret FROM second_factors WHERE user_id = ?", [staff.id])
    with pytest.raises(Exception):  # noqa: B017 - any failure: a sealed token is not a base32 key
        pyotp.TOTP(sealed).now()

    # The sessions: each stored id, presented in a cookie signed even with the real cookie key.
    forged = 0
    for session_id, *_ in copy["sessions"]:
        token = jwt.encode({"sid": session_id, "exp": 2_000_000_000}, settings.cookie_key, algorithm="HS256")
        forged += sessions.from_cookie(store, token=token, cookie_key=settings.cookie_key) is not None
    assert all(
        sessions.from_cookie(
            store, token=sessions.cookie_token(s, cookie_key=settings.cookie_key), cookie_key=settings.cookie_key
        )
        for s in live
    )
    figure(
        f"database copy: {derived} of {len(live_codes)} codes derivable, "
        f"{forged} of {len(copy['sessions'])} sessions forgeable"
    )
    assert len(live_codes) == 4 and derived == 0
    assert len(copy["sessions"]) == 3 and forged == 0


def _wrong_login(store, email, source, now) -> str:
    try:
        result = login.check_password(store, email=email, password="feil-passord-her", source=source, now=now)
    except login.LoginRefused as refused:
        return f"{type(refused).__name__}: {refused}"
    return "None" if result is None else "Actor"


def test_the_lockout_answers_alike_for_every_kind_of_address(store, company, figure):
    now = utcnow()
    add_employer(store, email="ny@firma.no")  # registered, never activated
    active = add_employer(store, email="kari@firma.no")
    leaver = add_employer(store, email="jon@firma.no")
    for person in (active, leaver):
        _activate(store, person.email, now=now - timedelta(minutes=5))
    users.deactivate(store, actor=CLI, user_id=leaver.id)
    kinds = {
        "unknown": "ingen@firma.no",
        "inactive": "ny@firma.no",
        "active": active.email,
        "deactivated": leaver.email,
    }
    answers = {kind: [_wrong_login(store, email, "192.0.2.1", now) for _ in range(8)] for kind, email in kinds.items()}
    differing = sum(a != b for kind in kinds for a, b in zip(answers[kind], answers["unknown"], strict=True))
    figure(f"lockout oracle: {differing} differing answers over unknown / inactive / active / deactivated × 8 tries")
    assert differing == 0
    assert answers["unknown"][:4] == ["None"] * 4 and answers["unknown"][4].startswith("AccountLocked")


def test_a_code_request_writes_the_same_rows_for_every_kind_of_address(store, company, figure):
    now = utcnow()
    add_employer(store, email="ny@firma.no")
    active = add_employer(store, email="kari@firma.no")
    _activate(store, active.email, now=now - timedelta(minutes=5))
    tables = _tables(store)

    def written(email: str) -> dict[str, int]:
        before = {t: store.value(f"SELECT count(*) FROM {t}") for t in tables}
        codes.request_code(store, email=email, purpose=codes.RESET, now=now)
        after = {t: store.value(f"SELECT count(*) FROM {t}") for t in tables}
        return {t: after[t] - before[t] for t in tables if after[t] != before[t]}

    rows = {email: written(email) for email in ("ingen@firma.no", "ny@firma.no", active.email)}
    figure(
        "lockout oracle: request_code writes the same rows either way ("
        + ", ".join(f"{t} +{n}" for t, n in sorted(rows["ingen@firma.no"].items()))
        + ")"
    )
    assert rows["ingen@firma.no"] == rows["ny@firma.no"] == rows[active.email]
    assert rows[active.email] == {"access_codes": 1, "audit_log": 1, "outbox": 1}
    # Only the registered addresses get the mail (the active one had its activation code before).
    assert [mail_count(store, e) for e in ("ingen@firma.no", "ny@firma.no", active.email)] == [0, 1, 2]


@pytest.mark.slow
def test_a_flood_from_one_source_does_not_lock_the_owner_out(store, company, monkeypatch, figure):
    waited: list[float] = []
    monkeypatch.setattr(login.time, "sleep", waited.append)
    now = utcnow()
    owner = add_employer(store, email="kari@firma.no")
    _activate(store, owner.email, now=now - timedelta(minutes=5))
    refused = sum(_wrong_login(store, owner.email, "203.0.113.9", now).startswith("Account") for _ in range(500))
    waited.clear()
    assert login.check_password(store, email=owner.email, password=PASSWORD, source="198.51.100.4", now=now)
    alone = max(waited, default=0.0)
    # Many sources together slow the address down, never past MAX_DELAY, and never lock the owner out.
    for n in range(20):
        for _ in range(5):
            _wrong_login(store, owner.email, f"203.0.113.{100 + n}", now)
    waited.clear()
    assert login.check_password(store, email=owner.email, password=PASSWORD, source="198.51.100.4", now=now)
    spread = max(waited, default=0.0)
    figure(
        f"lockout weapon: 500 guesses from one source ({refused} refused), the owner logs in from another "
        f"in ≤ {alone:.1f} s extra; after 100 guesses from 20 sources in ≤ {spread:.1f} s extra"
    )
    assert refused == 496 and alone <= 1.0 and spread <= 1.0
    # The source is still locked out, and the owner got one mail that the account is being guessed at.
    assert _wrong_login(store, owner.email, "203.0.113.9", now).startswith("AccountLocked")
    alerts = store.value("SELECT count(*) FROM outbox WHERE to_addr = ? AND kind = 'login.alert'", [owner.email])
    assert alerts == 1


@pytest.mark.slow
def test_a_source_over_its_hourly_cap_is_refused_for_every_address(store, company):
    now = utcnow()
    owner = add_employer(store, email="kari@firma.no")
    _activate(store, owner.email, now=now - timedelta(minutes=5))
    for n in range(50):
        _wrong_login(store, f"gjett{n // 4}@firma.no", "203.0.113.9", now)
    assert _wrong_login(store, "annen@firma.no", "203.0.113.9", now).startswith("AccountLocked")
    with pytest.raises(login.AccountLocked):
        login.check_password(store, email=owner.email, password=PASSWORD, source="203.0.113.9", now=now)
    assert login.check_password(
        store, email=owner.email, password=PASSWORD, source="203.0.113.9", now=now + timedelta(hours=1, seconds=1)
    )


def test_code_requests_from_one_source_are_capped(store, company):
    now = utcnow()
    people = [add_employer(store, email=f"person{n}@firma.no") for n in range(25)]
    for person in people:
        codes.request_code(store, email=person.email, purpose=codes.ACTIVATE, source="203.0.113.9", now=now)
    assert sum(mail_count(store, p.email) for p in people) == 20
    codes.request_code(store, email=people[-1].email, purpose=codes.ACTIVATE, source="198.51.100.4", now=now)
    assert mail_count(store, people[-1].email) == 1


def test_the_key_is_needed_to_check_a_code(settings):
    from dataclasses import replace

    from services.accounts import keys

    stored = keys.hash_code(settings, "123456")
    assert keys.code_matches(settings, "123456", stored)
    assert not keys.code_matches(replace(settings, secret_key="x" * 64), "123456", stored)
    salt, digest = stored.split("$")
    assert digest != hmac.new(b"", (salt + "123456").encode(), hashlib.sha256).hexdigest()
