"""Per-run state for the pages: the store's cursor, the settings, who is acting, which company."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.ui import brief
from services import access
from services.access import Actor
from services.accounts import companies
from services.accounts.sources import client_source
from services.config import Settings
from services.db import Store, open_store


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


def company() -> companies.Company:
    """The company the employer acts for on this run (after `require_company`)."""
    return st.session_state["_company"]


def viewer() -> Actor:
    """Whoever looks at this page: the logged-in user, or an anonymous visitor of this browser session."""
    if st.session_state.get("_actor"):
        return st.session_state["_actor"]
    ctx = get_script_run_ctx()
    return access.anonymous(session_id=ctx.session_id if ctx else None)


def choose_company(options: list[companies.Company]) -> companies.Company:
    """The company the employer acts for: the one the URL names (`?bedrift=ORGNR`), if the user
    may act for it, else the one chosen earlier in this session, else the first. The URL is kept
    naming it, so a reload or a new tab stays with the same company. Checked on every run
    against `options`, the companies the user has access to now."""
    by_orgnr = {c.orgnr: c for c in options}
    asked = st.query_params.get("bedrift")
    if asked in by_orgnr:
        chosen = by_orgnr[asked]
    else:
        if asked:
            brief.keep("_company_refused", asked)
        earlier = st.session_state.get("_company_id")
        chosen = next((c for c in options if c.id == earlier), options[0])
    st.session_state["_company_id"] = chosen.id
    st.session_state["_company"] = chosen
    if asked != chosen.orgnr:
        st.query_params["bedrift"] = chosen.orgnr
    return chosen


def refused_company() -> str | None:
    """The org nr a URL asked for that the user may not act for, just now."""
    return brief.kept("_company_refused")


def source() -> str:
    """The client's address, as the trusted proxy (PORTAL_TRUSTED_PROXIES) names it: failed logins
    and code requests are counted per source."""
    peer = st.context.ip_address
    forwarded = st.context.headers.get_all("X-Forwarded-For")
    # Outside a browser's request (AppTest) there is no peer and no header.
    return client_source(
        peer if isinstance(peer, str) else None,
        [h for h in forwarded if isinstance(h, str)] if isinstance(forwarded, list) else [],
        settings().trusted_proxies,
    )
