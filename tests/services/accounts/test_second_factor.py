from datetime import timedelta

import pyotp
import pytest

from services import settings_store
from services.access import CLI, actor_for
from services.accounts import codes, second_factor, sessions, users
from services.db import utcnow
from services.errors import AccessDenied, Conflict, InvalidInput
from tests.helpers import activate_account, add_employer, latest_code

PASSWORD = "et-langt-passord"


def _staff(store, email="stab@forbund.no"):
    user = users.add_user(store, actor=CLI, email=email, name="Stab", staff=True)
    activate_account(store, email, PASSWORD, now=utcnow() - timedelta(minutes=5))
    return user


def _enrol(store, user, now=None):
    now = now or utcnow()
    enrolment = second_factor.begin_enrolment(store, user_id=user.id, email=user.email, now=now)
    totp = pyotp.TOTP(enrolment.key)
    recovery = second_factor.confirm_enrolment(
        store, actor=actor_for(store, user_id=user.id), code=totp.at(now), now=now
    )
    return totp, recovery


def test_enrolment_shows_a_qr_code_and_needs_a_first_code(store, company):
    staff = _staff(store)
    assert second_factor.needed_at_login(store, user_id=staff.id, role=staff.role) == "enrol"
    enrolment = second_factor.begin_enrolment(store, user_id=staff.id, email=staff.email)
    assert enrolment.qr_png.startswith(b"\x89PNG") and enrolment.uri.startswith("otpauth://totp/")
    assert enrolment.key not in store.value("SELECT sealed_secret FROM second_factors")
    with pytest.raises(InvalidInput, match="stemmer ikke"):
        second_factor.confirm_enrolment(store, actor=actor_for(store, user_id=staff.id), code="000000")
    assert not second_factor.is_enabled(store, user_id=staff.id)
    recovery = second_factor.confirm_enrolment(
        store, actor=actor_for(store, user_id=staff.id), code=pyotp.TOTP(enrolment.key).now()
    )
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert second_factor.needed_at_login(store, user_id=staff.id, role=staff.role) == "code"
    with pytest.raises(Conflict):
        second_factor.begin_enrolment(store, user_id=staff.id, email=staff.email)


def test_a_code_is_good_once_and_a_recovery_code_once(store, company):
    staff = _staff(store)
    start = utcnow()
    totp, recovery = _enrol(store, staff, now=start)
    later = start + timedelta(seconds=60)
    code = totp.at(later)
    second_factor.verify_login(store, user_id=staff.id, code=code, now=later)
    with pytest.raises(InvalidInput, match="allerede brukt"):
        second_factor.verify_login(store, user_id=staff.id, code=code, now=later)
    # An older step than the one used is refused too; the next one is taken.
    with pytest.raises(InvalidInput):
        second_factor.verify_login(store, user_id=staff.id, code=totp.at(later - timedelta(seconds=30)), now=later)
    second_factor.verify_login(store, user_id=staff.id, code=totp.at(later + timedelta(seconds=30)), now=later)
    second_factor.verify_login(store, user_id=staff.id, code=recovery[0].upper(), now=later)
    with pytest.raises(InvalidInput):
        second_factor.verify_login(store, user_id=staff.id, code=recovery[0], now=later)
    assert second_factor.own_status(store, actor=actor_for(store, user_id=staff.id)).recovery_codes_left == 9


def test_five_wrong_codes_stop_the_second_step_for_15_minutes(store, company):
    staff = _staff(store)
    start = utcnow()
    totp, _ = _enrol(store, staff, now=start)
    later = start + timedelta(minutes=1)
    for _ in range(5):
        with pytest.raises(InvalidInput, match="feil"):
            second_factor.verify_login(store, user_id=staff.id, code="000000", now=later)
    with pytest.raises(InvalidInput, match="For mange"):
        second_factor.verify_login(store, user_id=staff.id, code=totp.at(later), now=later)
    after = later + timedelta(minutes=16)
    second_factor.verify_login(store, user_id=staff.id, code=totp.at(after), now=after)


def test_a_lost_phone_is_reset_by_another_staff_user(store, company):
    staff = _staff(store)
    other = _staff(store, email="stab2@forbund.no")
    _enrol(store, staff)
    session = sessions.start(store, user_id=staff.id, cookie_expiry=sessions.expiry_for(utcnow()))
    with pytest.raises(InvalidInput, match="En annen"):
        second_factor.reset(store, actor=actor_for(store, user_id=staff.id), user_id=staff.id)
    employer = add_employer(store)
    with pytest.raises(AccessDenied):
        second_factor.reset(store, actor=actor_for(store, user_id=employer.id), user_id=staff.id)
    second_factor.reset(store, actor=actor_for(store, user_id=other.id), user_id=staff.id)
    assert second_factor.needed_at_login(store, user_id=staff.id, role=staff.role) == "enrol"
    assert not sessions.is_live(store, session_id=session.id)
    assert store.row("SELECT actor_label, target FROM audit_log WHERE action = 'second_factor.reset'") == (
        other.email,
        staff.email,
    )


def test_a_mailed_code_alone_does_not_reset_a_staff_password(store, company):
    staff = _staff(store)
    start = utcnow()
    totp, recovery = _enrol(store, staff, now=start)
    later = start + timedelta(minutes=2)
    codes.request_code(store, email=staff.email, purpose=codes.RESET, now=later)
    mailed = latest_code(store, staff.email)
    with pytest.raises(InvalidInput, match="autentiseringsappen"):
        codes.set_password_with_code(
            store, email=staff.email, code=mailed, password="nytt-passord-1", confirmation="nytt-passord-1", now=later
        )
    codes.set_password_with_code(
        store,
        email=staff.email,
        code=mailed,
        password="nytt-passord-1",
        confirmation="nytt-passord-1",
        second_code=recovery[3],
        now=later,
    )
    assert (
        store.value("SELECT count(*) FROM audit_log WHERE action = 'password.set' AND target = ?", [staff.email]) == 2
    )


def test_employers_may_turn_it_on_and_off_and_the_union_may_require_it(store, company):
    employer = add_employer(store)
    assert second_factor.needed_at_login(store, user_id=employer.id, role=employer.role) is None
    totp, _ = _enrol(store, employer, now=utcnow() - timedelta(minutes=1))
    assert second_factor.needed_at_login(store, user_id=employer.id, role=employer.role) == "code"
    second_factor.turn_off_own(store, actor=actor_for(store, user_id=employer.id), code=totp.now())
    assert second_factor.needed_at_login(store, user_id=employer.id, role=employer.role) is None
    settings_store.set_value(store, actor=CLI, key="second_factor_for_all", value="1")
    assert second_factor.needed_at_login(store, user_id=employer.id, role=employer.role) == "enrol"
    with pytest.raises(InvalidInput):
        settings_store.set_value(store, actor=CLI, key="second_factor_for_all", value="2")


def test_staff_see_who_has_it(store, company):
    staff = _staff(store)
    employer = add_employer(store)
    _enrol(store, staff)
    shown = second_factor.statuses(store, actor=CLI)
    assert set(shown) == {staff.id} and shown[staff.id].recovery_codes_left == 10
    with pytest.raises(AccessDenied):
        second_factor.statuses(store, actor=actor_for(store, user_id=employer.id))


def test_a_secret_sealed_with_another_server_secret_opens_nothing(store, company, settings):
    from dataclasses import replace

    from services.accounts import keys

    sealed = keys.seal(settings, "JBSWY3DPEHPK3PXP")
    assert keys.unseal(settings, sealed) == "JBSWY3DPEHPK3PXP"
    assert keys.unseal(replace(settings, secret_key="y" * 64), sealed) is None
