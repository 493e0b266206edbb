"""Per-run state for the pages: the store's cursor, the settings, who is acting, which company."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.accounts import access, companies
from services.accounts.access import Actor
from services.config import Settings
from services.db import Store, open_store
from services.text import plain


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


def viewer() -> Actor:
    """Whoever looks at this page: the logged-in user, or an anonymous visitor of this browser session."""
    if st.session_state.get("_actor"):
        return st.session_state["_actor"]
    ctx = get_script_run_ctx()
    return access.anonymous(session_id=ctx.session_id if ctx else None)


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
