"""The one module of `services` that imports streamlit: per-run state for the
pages, and the glue between streamlit-authenticator and the store.

streamlit-authenticator draws the login form and keeps the signed cookie;
the store decides: passwords and lockout (`services.accounts.login`), sessions
(`services.accounts.sessions`). Its credentials are built from the store each run,
never from a file, and it gets no `api_key` (that would send mail through a
third-party service).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

import jwt
import pandas as pd
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit_authenticator.utilities.exceptions import LoginError

from services import audit
from services.accounts import companies, login, sessions, users
from services.accounts.access import Actor
from services.config import Settings
from services.db import Store, open_store, utcnow
from services.errors import PortalError
from services.export import safe_text
from services.text import plain

COOKIE_NAME = "trekklisteportal_innlogging"
COOKIE_DAYS = sessions.LIFETIME.total_seconds() / 86400
LOGIN_FIELDS = {"Form name": "Innlogging", "Username": "E-post", "Password": "Passord", "Login": "Logg inn"}
AUTH_KEYS = ("name", "username", "authentication_status", "email", "roles")


def begin_run(settings: Settings) -> Store:
    """A fresh cursor for this script run, reachable by the pages through `store()`."""
    st.session_state["_store"] = open_store(settings)
    st.session_state["_settings"] = settings
    return st.session_state["_store"]


def store() -> Store:
    return st.session_state["_store"]


def settings() -> Settings:
    return st.session_state["_settings"]


def actor() -> Actor:
    return st.session_state["_actor"]


def current_company_id() -> int | None:
    return st.session_state.get("_company_id")


def require_company() -> int:
    """The chosen company, or a note and the end of the page when the user has none."""
    company_id = current_company_id()
    if company_id is None:
        st.info("Du har ikke tilgang til noen bedrift ennå. Ta kontakt med forbundet.")
        st.stop()
    return company_id


class DownloadRefused(Exception):
    """A download asked for after its session ended or its access went: nothing is served."""


STALE_DOWNLOAD = (
    "Nedlastingen ble stoppet: økten er avsluttet eller tilgangen er endret siden siden ble vist. "
    "Last inn siden på nytt og logg inn igjen om nødvendig."
)
# Streamlit session id -> why a download was refused, shown on that session's next run.
_refused_downloads: dict[str, str] = {}


class _QuietRefusals(logging.Filter):
    """A refused download is expected, not a fault: no traceback in the server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, DownloadRefused):
                return False
            error = error.__cause__
        return True


logging.getLogger("streamlit.runtime.backend_operation_handler").addFilter(_QuietRefusals())


def guarded_download(fetch: Callable[[Store, Actor], bytes]) -> Callable[[], bytes]:
    """A download button's data, fetched when the browser asks for it: only for a session that
    is still live and a user who still has access (checked again by `fetch`'s service)."""
    portal_settings = settings()
    session_id = st.session_state.get("_session_id")
    user_id = actor().user_id
    ctx = get_script_run_ctx()
    streamlit_session = ctx.session_id if ctx else ""

    def data() -> bytes:
        db = open_store(portal_settings)
        current = sessions.actor_if_live(db, session_id=session_id, user_id=user_id)
        try:
            if current is None:
                reason = "no session" if not session_id else "session ended or user changed"
                raise DownloadRefused(reason)
            return fetch(db, current)
        except (DownloadRefused, PortalError) as refused:
            _refused_downloads[streamlit_session] = STALE_DOWNLOAD
            logging.getLogger("portal").info("download refused: %s (%s)", type(refused).__name__, refused)
            raise DownloadRefused("refused") from None

    return data


def page_buttons(
    key: str, page_number: int, pages_total: int, *, back: str = "Forrige side", forward: str = "Neste side"
) -> None:
    """Buttons to the previous and next page of a list paged in the database; the page is kept in `key`."""
    left, right = st.columns(2)
    if left.button(back, disabled=page_number == 0, key=f"{key}_back"):
        st.session_state[key] = page_number - 1
        st.rerun()
    if right.button(forward, disabled=page_number >= pages_total - 1, key=f"{key}_forward"):
        st.session_state[key] = page_number + 1
        st.rerun()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_download(label: str, fetch: Callable[[Store, Actor], bytes], *, file_name: str, key: str) -> None:
    """An Excel export made when the browser asks for it, for a session still live."""
    st.download_button(
        label,
        data=guarded_download(fetch),
        file_name=file_name,
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key=key,
    )


def show_refused_downloads() -> None:
    """Say why a download on this page gave nothing (called every run)."""
    ctx = get_script_run_ctx()
    reason = _refused_downloads.pop(ctx.session_id, None) if ctx else None
    if reason:
        st.warning(reason, icon=":material/block:")


FLASH_SECONDS = 5.0


def flash(message: str) -> None:
    """A message for the next page shown. It stays a few seconds, not one run: the login
    cookie component asks for an extra rerun that would otherwise swallow it."""
    st.session_state["_flash"] = (message, time.monotonic() + FLASH_SECONDS)


def show_flash() -> None:
    found = st.session_state.get("_flash")
    if not found:
        return
    message, until = found
    if time.monotonic() > until:
        del st.session_state["_flash"]
        return
    st.success(message)


def viewer() -> Actor:
    """Whoever looks at this page: the logged-in user, or an anonymous visitor of this browser session."""
    if st.session_state.get("_actor"):
        return st.session_state["_actor"]
    ctx = get_script_run_ctx()
    return Actor(user_id=None, email="anonym", role="anonymous", session_id=ctx.session_id if ctx else None)


def table(data, **options):
    """st.dataframe, with every text cell that a spreadsheet would read as a formula written as
    text: the table's own «download as CSV» must not carry a formula a user typed."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_text)
    return st.dataframe(safe, **options)


def show_error(error: PortalError) -> None:
    st.error(plain(str(error)), icon=":material/error:")


def _credentials(db: Store) -> dict:
    return {
        "usernames": {
            email: {"email": email, "name": name, "password": password_hash, "roles": [role]}
            for email, name, role, password_hash in users.credentials(db)
        }
    }


def authenticator() -> stauth.Authenticate:
    """Built once per run: its cookie component may be drawn only once per run."""
    if st.session_state.get("_auth_run") is not st.session_state["_store"]:
        db = store()
        auth = stauth.Authenticate(
            _credentials(db),
            COOKIE_NAME,
            settings().cookie_key,
            cookie_expiry_days=COOKIE_DAYS,
            auto_hash=False,
            login_sleep_time=0,
        )
        model = auth.authentication_controller.authentication_model

        def check_credentials(username: str, password: str) -> bool:
            # Lockout and attempts live in the store, not in the credentials dict.
            return login.check_password(db, email=username, password=password) is not None

        model.check_credentials = check_credentials
        st.session_state["_auth"] = auth
        st.session_state["_auth_run"] = st.session_state["_store"]
    return st.session_state["_auth"]


def _forget_login() -> None:
    for key in AUTH_KEYS:
        st.session_state[key] = None
    for key in ("_actor", "_session_id", "_company_id"):
        st.session_state.pop(key, None)


def _end_login(auth: stauth.Authenticate) -> None:
    """Clear the browser's login; the library then ignores the cookie for this session."""
    if st.session_state.get("authentication_status"):
        auth.logout(location="unrendered")
    st.session_state["logout"] = True
    _forget_login()


def _cookie_token(email: str, cookie_expiry: float) -> str:
    # The same claims streamlit-authenticator signs, so it accepts the cookie.
    return jwt.encode({"username": email, "exp_date": cookie_expiry}, settings().cookie_key, algorithm="HS256")


def authenticate() -> Actor | None:
    """Run every script run, before navigation: who is logged in, if anyone."""
    db = store()
    auth = authenticator()
    if st.session_state.pop("_logout_requested", False):
        session_id = st.session_state.get("_session_id")
        if session_id:
            sessions.revoke(db, session_id=session_id)
        if st.session_state.get("_actor"):
            db.transaction(lambda tx: audit.record(tx, actor=st.session_state["_actor"], action="logout"))
        _end_login(auth)
        flash("Du er logget ut.")
        return None

    if not st.session_state.get("authentication_status"):
        token = st.context.cookies.get(COOKIE_NAME)
        if token and not st.session_state.get("logout"):
            live = sessions.from_cookie(db, token=token, cookie_key=settings().cookie_key)
            if live is None:
                # Forged, expired or logged out: make the library ignore it too.
                st.session_state["logout"] = True
            else:
                st.session_state["_session_id"] = live.id
        try:
            auth.login(location="unrendered")
        except LoginError:
            _end_login(auth)
            return None

    if not st.session_state.get("authentication_status"):
        return None

    email = st.session_state["username"]
    if "_session_id" not in st.session_state:
        user = users.find_by_email(db, email=email)
        if user is None:
            _end_login(auth)
            return None
        expiry = st.session_state.pop("_login_expiry", None) or sessions.expiry_for(utcnow())
        st.session_state["_session_id"] = sessions.start(db, user_id=user.id, cookie_expiry=expiry).id
        # Drawn again in the run after the login's rerun: the library's own
        # drawing may have been dropped by that rerun before the browser ran it.
        auth.cookie_controller.cookie_model.cookie_manager.set(
            COOKIE_NAME,
            _cookie_token(email, expiry),
            key="set-after-login",
            expires_at=datetime.fromtimestamp(expiry),
        )
    if not sessions.is_live(db, session_id=st.session_state["_session_id"]):
        _end_login(auth)
        flash("Økten er avsluttet. Logg inn på nytt.")
        return None
    if "_actor" not in st.session_state:
        user = users.find_by_email(db, email=email)
        if user is None:
            _end_login(auth)
            return None
        st.session_state["_actor"] = Actor(
            user_id=user.id, email=user.email, role=user.role, session_id=st.session_state["_session_id"]
        )
    return st.session_state["_actor"]


def login_form() -> bool:
    """Draw the login form; True once the user has logged in with it."""
    auth = authenticator()
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
    if status:
        st.session_state["_login_expiry"] = auth.cookie_controller.cookie_model.exp_date
        return True
    return False


def request_logout() -> None:
    st.session_state["_logout_requested"] = True


def choose_company(options: list[companies.Company]) -> int | None:
    """The company switcher at the top of the sidebar, over the user's companies; the choice holds for the session."""
    with st.sidebar:
        if len(options) == 1:
            st.session_state["_company_id"] = options[0].id
            st.markdown(f"**{plain(options[0].name)}**")
        else:
            ids = [c.id for c in options]
            names = {c.id: c.name for c in options}
            if st.session_state.get("_company_id") not in ids:
                st.session_state["_company_id"] = ids[0]
            st.selectbox(
                "Bedrift",
                ids,
                format_func=lambda company_id: names[company_id],
                key="_company_choice",
                index=ids.index(st.session_state["_company_id"]),
                on_change=lambda: st.session_state.update(_company_id=st.session_state["_company_choice"]),
            )
        st.caption(
            "Om det ikke er mulig å velge andre bedrifter, ta kontakt med forbundet for å registrere riktig tilgang."
        )
    return st.session_state.get("_company_id")
