"""The login adapter: the login flow and the session are ours; streamlit-authenticator sits behind it.

The library does one thing here, what it does well: it draws the login form. Everything else is ours:
- the password check, attempts and lockout (`services.accounts.login`), handed to the library as
  its credential check; its credentials get one entry, without a hash, for the user the store has
  just accepted: no dict of every user's password hash is ever built;
- the second step: a user with a second factor (every staff user) gives a code before any
  session exists; a staff user without one sets it up first (`pending_second_factor`);
- the session (`services.accounts.sessions`) and its cookie: the server sets it, not a script
  (app.py), so it is HttpOnly and SameSite=Strict. The page hands the browser a one-minute,
  single-use handoff for the new session and sends it to `/portal/innlogging` (the `portal_goto`
  component); a cookie is only as good as the store says its session is;
- logging out: the session is revoked in the store, this browser session forgotten, and the
  browser sent to `/portal/utlogging`, which clears the cookie. The library's own cookie is never
  read or written, and its cookie component never drawn (`NoCookie`): a page with it reran once
  as the component loaded, and a click in that rerun was lost.

The few library internals this relies on are `SEAMS`; tests/pages/test_login_adapter.py checks
each against the installed library and fails naming its version when one moves.
"""

from __future__ import annotations

import importlib.metadata
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import streamlit as st
import streamlit.components.v1 as components
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError
from streamlit_authenticator.views import authentication_view

from pages.ui.run import settings, source, store
from pages.ui.widgets import flash
from services import access, audit
from services.access import Actor
from services.accounts import login, second_factor, sessions, users
from services.db import Store, utcnow

COOKIE_NAME = sessions.COOKIE_NAME
# The library's cookie: never written (expiry 0 days), so it never logs anyone in.
LIBRARY_COOKIE = "trekklisteportal_bibliotek"
LOGIN_FIELDS = {"Form name": "Innlogging", "Username": "E-post", "Password": "Passord", "Login": "Logg inn"}
LIBRARY_STATE = ("name", "username", "authentication_status", "email", "roles")
OURS = (
    "_session",
    "_actor",
    "_company_id",
    "_handoff",
    "_display_name",
    "_pending_factor",
    "_factor_passed",
    "_touched",
)

TESTED_VERSION = "0.4.2"
# Where the adapter reaches into the library: (what, dotted path from an Authenticate instance).
SEAMS = (
    ("the credential check it calls", "authentication_controller.authentication_model.check_credentials"),
    ("its credentials", "authentication_controller.authentication_model.credentials"),
)
_goto = components.declare_component("portal_goto", path=str(Path(__file__).parent / "goto"))
# Pages a login does not go back to: it goes to the start page instead.
NOT_AFTER_LOGIN = ("/logg-inn", "/to-trinn")


class NoCookie:
    """The library's cookie controller, for a portal whose cookie the server sets (app.py): it
    reads and writes nothing, and above all draws nothing. The library's own draws a cookie
    component that reruns the page as its frame loads, and a click on «Logg inn» during that
    rerun was lost (issue 23)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def get_cookie(self) -> None:
        return None

    def set_cookie(self) -> None:
        pass

    def delete_cookie(self) -> None:
        pass


# Where the library makes its cookie controller (a seam: tests/pages/test_login_adapter.py).
authentication_view.CookieController = NoCookie  # type: ignore[misc, assignment]


def library_version() -> str:
    return importlib.metadata.version("streamlit-authenticator")


def _authenticator(db: Store) -> stauth.Authenticate:
    """Built once per run, with `NoCookie` for its cookie controller."""
    if st.session_state.get("_auth_run") is db:
        return st.session_state["_auth"]
    auth = stauth.Authenticate(
        {"usernames": {}},
        LIBRARY_COOKIE,
        settings().cookie_key,
        cookie_expiry_days=0,
        auto_hash=False,
        login_sleep_time=0,
    )
    model = auth.authentication_controller.authentication_model

    def check_credentials(username: str, password: str) -> bool:
        # Attempts and lockout live in the store; LoginRefused (locked) goes up to the form.
        actor = login.check_password(db, email=username, password=password, source=source())
        if actor is None:
            return False
        user = users.find_by_email(db, email=actor.email)
        model.credentials["usernames"][username] = {
            "email": actor.email,
            "name": user.name if user else actor.email,
            "roles": [actor.role],
        }
        return True

    model.check_credentials = check_credentials
    st.session_state["_auth"] = auth
    st.session_state["_auth_run"] = db
    return auth


def _forget() -> None:
    for key in LIBRARY_STATE:
        st.session_state[key] = None
    for key in OURS:
        st.session_state.pop(key, None)


def go_to(url: str) -> None:
    """Send the whole page on to one of the portal's own routes (the cookie's)."""
    _goto(url=url, key="portal_goto", default=None)


def _current_path() -> str:
    url = st.context.url
    path = urlparse(url).path if isinstance(url, str) else "/"
    return "/" if path in NOT_AFTER_LOGIN else path or "/"


def _from_form(db: Store) -> sessions.Session | None:
    """A session for the user the login form has just accepted, and the cookie to write for it."""
    if not st.session_state.get("authentication_status") or not st.session_state.get("username"):
        return None
    user = users.find_by_email(db, email=st.session_state["username"])
    if user is None:
        return None
    pending = st.session_state.get("_pending_factor")
    if pending is not None and pending[1] == user.id:
        # The second step under way (a set-up showing its recovery codes) is finished as it began.
        return None
    if st.session_state.get("_factor_passed") != user.id:
        step = second_factor.needed_at_login(db, user_id=user.id, role=user.role)
        if step is not None:
            # No session until the second step is done: the password alone opens nothing.
            st.session_state["_pending_factor"] = (step, user.id, user.email, user.role)
            return None
    st.session_state.pop("_pending_factor", None)
    expiry = sessions.expiry_for(utcnow())
    session = sessions.start(db, user_id=user.id, cookie_expiry=expiry, source=source())
    st.session_state["_handoff"] = sessions.handoff_token(
        session, cookie_key=settings().cookie_key, next_path=_current_path()
    )
    st.session_state["_display_name"] = user.name
    return session


def _from_cookie(db: Store) -> sessions.Session | None:
    """The live session the browser's cookie names. The cookies are those the browser sent when this
    browser session began: after a logout the old one is still there, and the store refuses it."""
    token = st.context.cookies.get(COOKIE_NAME)
    if not token or token == st.session_state.get("_refused_cookie"):
        return None
    session = sessions.from_cookie(db, token=token, cookie_key=settings().cookie_key)
    if session is None:
        st.session_state["_refused_cookie"] = token
    return session


def authenticate() -> Actor | None:
    """Run every script run, before navigation: who is logged in, if anyone."""
    db = store()
    if st.session_state.pop("_logout_requested", False):
        session = st.session_state.get("_session")
        if session is not None:
            sessions.revoke(db, session_id=session.id)
        if st.session_state.get("_actor"):
            db.transaction(lambda tx: audit.record(tx, actor=st.session_state["_actor"], action="logout"))
        _forget()
        flash("Du er logget ut.")
        go_to("/portal/utlogging")
        return None

    session = st.session_state.get("_session") or _from_form(db) or _from_cookie(db)
    if session is None:
        return None
    if not sessions.is_live(db, session_id=session.id):
        _forget()
        flash("Økten er avsluttet. Logg inn på nytt.")
        return None
    st.session_state["_session"] = session
    # The session's last use is written once a minute at most: not a write transaction per rerun.
    if time.monotonic() - st.session_state.get("_touched", 0.0) > sessions.TOUCH_EVERY.total_seconds():
        sessions.touch(db, session_id=session.id)
        st.session_state["_touched"] = time.monotonic()
    if "_handoff" in st.session_state:
        # Drawn every run until the page has gone on: a run cut short by a rerun may have dropped
        # it before the browser ran it; drawn again with the same key it is the same element.
        go_to("/portal/innlogging?t=" + quote(st.session_state["_handoff"]))
    if "_actor" not in st.session_state:
        current = access.actor_for(db, user_id=session.user_id, session_id=session.id)
        st.session_state["_actor"] = current
        if "_display_name" not in st.session_state:
            user = users.find_by_email(db, email=current.email)
            st.session_state["_display_name"] = user.name if user else current.email
    return st.session_state["_actor"]


def display_name() -> str:
    """The logged-in user's name, for the header."""
    return st.session_state.get("_display_name") or ""


def login_form() -> bool:
    """Draw the login form; True once the user has logged in with it."""
    auth = _authenticator(store())
    try:
        auth.login(location="main", fields=LOGIN_FIELDS)
    except login.LoginRefused as refused:
        st.session_state["authentication_status"] = None
        st.error(str(refused), icon=":material/lock:")
        return False
    except LoginError:
        st.session_state["authentication_status"] = None
        st.error("Innloggingen feilet. Prøv igjen.")
        return False
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error("Feil e-post eller passord.")
        return False
    return bool(status)


def request_logout() -> None:
    st.session_state["_logout_requested"] = True


def pending_second_factor() -> tuple[str, int, str, str] | None:
    """After a right password: ('code' or 'enrol', user id, e-mail, role) until the second step is done."""
    return st.session_state.get("_pending_factor")


def second_factor_passed(user_id: int) -> None:
    """The second step is done: the next run starts the session."""
    st.session_state["_factor_passed"] = user_id
    st.session_state.pop("_pending_factor", None)


def cancel_login() -> None:
    """Back to the login form from the second step; nothing was started."""
    _forget()
