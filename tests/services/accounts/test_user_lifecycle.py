"""Offboarding: deactivate, reactivate, take staff rights away, delete a user who did nothing."""

from datetime import date

import pytest

from services.access import CLI, Actor
from services.accounts import codes, login, sessions, users
from services.errors import AccessDenied, Conflict, InvalidInput
from tests.helpers import add_employer, latest_code, mail_count

PASSWORD = "et-langt-passord"


def active_user(store, email="kari@firma.no", staff=False):
    user = (
        users.add_user(store, actor=CLI, email=email, name="Stab", staff=True)
        if staff
        else add_employer(store, email=email)
    )
    codes.request_code(store, email=user.email, purpose=codes.ACTIVATE)
    codes.set_password_with_code(
        store, email=user.email, code=latest_code(store, user.email), password=PASSWORD, confirmation=PASSWORD
    )
    return user


def test_a_deactivated_user_is_logged_out_everywhere_and_refused(store, company):
    user = active_user(store)
    session = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(sessions.utcnow()))
    users.deactivate(store, actor=CLI, user_id=user.id)
    assert not sessions.is_live(store, session_id=session.id)
    assert sessions.actor_if_live(store, session_id=session.id, user_id=user.id) is None
    with pytest.raises(login.AccountDeactivated, match="deaktivert"):
        login.check_password(store, email=user.email, password=PASSWORD)
    assert login.check_password(store, email=user.email, password="feil-passord") is None
    assert users.employer_emails(store, company_id=company.id) == []
    before = store.value("SELECT count(*) FROM outbox")
    codes.request_code(store, email=user.email, purpose=codes.RESET)
    assert store.value("SELECT count(*) FROM outbox") == before
    users.reactivate(store, actor=CLI, user_id=user.id)
    assert login.check_password(store, email=user.email, password=PASSWORD) is not None
    actions = [r[0] for r in store.rows("SELECT action FROM audit_log WHERE action LIKE 'user.%' ORDER BY id")]
    assert actions == ["user.add", "user.deactivate", "user.reactivate"]


def test_staff_rights_go_at_once(store, company):
    staff = active_user(store, email="stab@forbund.no", staff=True)
    session = sessions.start(store, user_id=staff.id, cookie_expiry=sessions.expiry_for(sessions.utcnow()))
    users.remove_staff_rights(store, actor=CLI, user_id=staff.id)
    assert not sessions.is_live(store, session_id=session.id)
    now_actor = login.check_password(store, email=staff.email, password=PASSWORD)
    assert now_actor.role == "employer" and not now_actor.is_staff
    with pytest.raises(AccessDenied):
        users.all_users(store, actor=now_actor)


def test_only_a_user_who_never_acted_can_be_deleted(store, company):
    from tests.services.lists.test_submissions import csv_upload, send

    idle = add_employer(store, email="ny@firma.no")
    users.delete(store, actor=CLI, user_id=idle.id)
    assert users.find_by_email(store, email="ny@firma.no") is None
    sender = add_employer(store, email="lonn@firma.no")
    send(store, Actor(sender.id, sender.email, sender.role), company, [csv_upload()])
    with pytest.raises(Conflict, match="Deaktiver"):
        users.delete(store, actor=CLI, user_id=sender.id)


def test_a_user_who_only_downloaded_a_letter_is_kept(store, company):
    from services.letters import letters
    from services.letters.pdf import START, LetterPerson

    reader = add_employer(store, email="les@firma.no")
    person = LetterPerson("Bø, Øystein", date(2001, 11, 23), date(2026, 11, 1), rate="1,3 %")
    letter_id = letters.generate(store, actor=CLI, company_id=company.id, kind=START, persons=[person])
    letters.download(
        store, actor=Actor(reader.id, reader.email, reader.role), company_id=company.id, letter_id=letter_id
    )
    with pytest.raises(Conflict, match="lastet ned"):
        users.delete(store, actor=CLI, user_id=reader.id)
    assert users.find_by_email(store, email="les@firma.no") is not None


def test_employers_cannot_change_users(store, company):
    user = add_employer(store)
    other = add_employer(store, email="annen@firma.no")
    employer = Actor(user.id, user.email, user.role)
    for change in (users.deactivate, users.reactivate, users.remove_staff_rights, users.delete):
        with pytest.raises(AccessDenied):
            change(store, actor=employer, user_id=other.id)


def test_a_new_user_is_invited_and_can_be_invited_again(store, company):
    from tests.helpers import delivered_body

    user = add_employer(store, email="ny@firma.no")
    first = users.invite(store, actor=CLI, user_id=user.id)
    again = users.invite(store, actor=CLI, user_id=user.id)
    body = delivered_body(store, first)
    assert "aktivere din brukerkonto" in body and "http://portal.test" in body
    assert "Help Forsikring" not in body and again != first
    with pytest.raises(AccessDenied):
        users.invite(store, actor=Actor(user.id, user.email, user.role), user_id=user.id)
    active = active_user(store, email="kari@firma.no")
    with pytest.raises(InvalidInput, match="allerede aktivert"):
        users.invite(store, actor=CLI, user_id=active.id)


def test_a_fourth_invitation_in_a_day_asks_first(store, company):
    from services.errors import NeedsConfirmation

    user = add_employer(store, email="ny@firma.no")
    for _ in range(3):
        users.invite(store, actor=CLI, user_id=user.id)
    with pytest.raises(NeedsConfirmation, match="har fått 3 invitasjoner det siste døgnet, den siste"):
        users.invite(store, actor=CLI, user_id=user.id)
    assert mail_count(store, user.email) == 3
    users.invite(store, actor=CLI, user_id=user.id, confirmed=True)
    assert mail_count(store, user.email) == 4
    assert store.value("SELECT count(*) FROM audit_log WHERE action = 'user.invite.again'") == 1
