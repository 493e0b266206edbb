import secrets
import time
from datetime import timedelta

import jwt
import pytest

from services.accounts import sessions
from services.db import utcnow
from tests.helpers import add_employer


@pytest.fixture
def user(store, company):
    return add_employer(store)


def cookie(session_id, expiry, key):
    return jwt.encode({"sid": session_id, "exp": int(expiry)}, key, algorithm="HS256")


def test_cookie_of_a_live_session_is_accepted(store, settings, user):
    expiry = sessions.expiry_for(utcnow())
    started = sessions.start(store, user_id=user.id, cookie_expiry=expiry)
    found = sessions.from_cookie(
        store, token=sessions.cookie_token(started, cookie_key=settings.cookie_key), cookie_key=settings.cookie_key
    )
    assert found == started


def test_cookie_signed_with_another_key_is_rejected(store, settings, user):
    expiry = sessions.expiry_for(utcnow())
    started = sessions.start(store, user_id=user.id, cookie_expiry=expiry)
    forged = cookie(started.id, expiry, secrets.token_urlsafe(48))
    assert sessions.from_cookie(store, token=forged, cookie_key=settings.cookie_key) is None
    assert sessions.from_cookie(store, token="not-a-jwt", cookie_key=settings.cookie_key) is None


def test_logout_makes_a_copied_cookie_worthless(store, settings, user):
    expiry = sessions.expiry_for(utcnow())
    started = sessions.start(store, user_id=user.id, cookie_expiry=expiry)
    copied = cookie(started.id, expiry, settings.cookie_key)
    sessions.revoke(store, session_id=started.id)
    assert sessions.from_cookie(store, token=copied, cookie_key=settings.cookie_key) is None
    assert not sessions.is_live(store, session_id=started.id)


def test_a_cookie_for_a_session_never_started_is_rejected(store, settings, user):
    # Right key, but no session in the store: minted, not issued.
    minted = cookie(secrets.token_urlsafe(24), sessions.expiry_for(utcnow()), settings.cookie_key)
    assert sessions.from_cookie(store, token=minted, cookie_key=settings.cookie_key) is None


def test_sessions_last_at_most_12_hours(store, settings, user):
    start = utcnow()
    far = sessions.expiry_for(start) + 30 * 86400
    started = sessions.start(store, user_id=user.id, cookie_expiry=far, now=start)
    # In use all day: a page drawn every twenty minutes.
    for minutes in range(20, 12 * 60, 20):
        sessions.touch(store, session_id=started.id, now=start + timedelta(minutes=minutes))
    assert sessions.is_live(store, session_id=started.id, now=start + timedelta(hours=11, minutes=59))
    assert not sessions.is_live(store, session_id=started.id, now=start + timedelta(hours=12, seconds=1))


def test_a_session_left_idle_ends_after_the_idle_limit(store, settings, user):
    from services import settings_store
    from services.access import CLI

    start = utcnow()
    started = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(start), now=start)
    assert sessions.is_live(store, session_id=started.id, now=start + timedelta(minutes=29))
    sessions.touch(store, session_id=started.id, now=start + timedelta(minutes=29))
    assert sessions.is_live(store, session_id=started.id, now=start + timedelta(minutes=58))
    assert not sessions.is_live(store, session_id=started.id, now=start + timedelta(minutes=59, seconds=1))
    # A touch after the limit does not bring it back.
    sessions.touch(store, session_id=started.id, now=start + timedelta(minutes=60))
    assert not sessions.is_live(store, session_id=started.id, now=start + timedelta(minutes=60))
    settings_store.set_value(store, actor=CLI, key="session_idle_minutes", value="120")
    assert sessions.is_live(store, session_id=started.id, now=start + timedelta(minutes=60))


def test_staff_see_and_end_a_users_open_sessions(store, settings, user):
    from services.access import CLI
    from services.errors import AccessDenied

    first = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(utcnow()), source="10.0.0.7")
    second = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(utcnow()), source="10.0.0.8")
    sessions.revoke(store, session_id=second.id)
    shown = sessions.open_sessions(store, actor=CLI, user_id=user.id)
    assert [s.source for s in shown] == ["10.0.0.7"]
    with pytest.raises(AccessDenied):
        sessions.open_sessions(store, actor=sessions.actor_for(store, user_id=user.id), user_id=user.id)
    assert sessions.end_sessions(store, actor=CLI, user_id=user.id) == 1
    assert not sessions.is_live(store, session_id=first.id)
    assert store.value("SELECT detail FROM audit_log WHERE action = 'sessions.end'") == "1"


def test_a_cookie_of_the_old_kind_or_past_its_expiry_is_rejected(store, settings, user):
    expiry = sessions.expiry_for(utcnow())
    started = sessions.start(store, user_id=user.id, cookie_expiry=expiry)
    # streamlit-authenticator's own claims, signed with the right key: names no session.
    old_kind = jwt.encode({"username": user.email, "exp_date": expiry}, settings.cookie_key, algorithm="HS256")
    assert sessions.from_cookie(store, token=old_kind, cookie_key=settings.cookie_key) is None
    expired = cookie(started.id, time.time() - 60, settings.cookie_key)
    assert sessions.from_cookie(store, token=expired, cookie_key=settings.cookie_key) is None
    assert sessions.from_cookie(
        store, token=cookie(started.id, expiry, settings.cookie_key), cookie_key=settings.cookie_key
    )


def test_a_handoff_sets_the_cookie_once_for_a_live_session(store, settings, user):
    started = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(utcnow()))
    handoff = sessions.handoff_token(started, cookie_key=settings.cookie_key, next_path="/innsending")
    # A handoff is not a login cookie, and a login cookie is not a handoff.
    assert sessions.from_cookie(store, token=handoff, cookie_key=settings.cookie_key) is None
    cookie_value = sessions.cookie_token(started, cookie_key=settings.cookie_key)
    assert sessions.take_handoff(store, token=cookie_value, cookie_key=settings.cookie_key) is None
    taken = sessions.take_handoff(store, token=handoff, cookie_key=settings.cookie_key)
    assert taken == (started, "/innsending")
    assert sessions.take_handoff(store, token=handoff, cookie_key=settings.cookie_key) is None
    # Another site, another key, an ended session: nothing.
    other = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(utcnow()))
    away = sessions.handoff_token(other, cookie_key=settings.cookie_key, next_path="//evil.test/x")
    assert sessions.take_handoff(store, token=away, cookie_key=settings.cookie_key) == (other, "/")
    third = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(utcnow()))
    assert (
        sessions.take_handoff(
            store, token=sessions.handoff_token(third, cookie_key="x" * 48), cookie_key=settings.cookie_key
        )
        is None
    )
    sessions.revoke(store, session_id=third.id)
    assert (
        sessions.take_handoff(
            store, token=sessions.handoff_token(third, cookie_key=settings.cookie_key), cookie_key=settings.cookie_key
        )
        is None
    )
    late = sessions.start(store, user_id=user.id, cookie_expiry=sessions.expiry_for(utcnow()))
    stale = sessions.handoff_token(late, cookie_key=settings.cookie_key)
    assert (
        sessions.take_handoff(store, token=stale, cookie_key=settings.cookie_key, now=utcnow() + timedelta(minutes=31))
        is None
    )
