"""The frame around every page: the union's logo and name, the company the employer acts for
(chosen at the top right, kept in the URL), who is logged in, «Logg ut», and Norwegian for
Streamlit's own widget texts."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import streamlit as st
import streamlit.components.v1 as components

from pages.ui.login import display_name, request_logout
from pages.ui.run import choose_company
from services.access import Actor
from services.accounts.companies import Company
from services.config import Settings
from services.text import plain

HERE = Path(__file__).parent
_norsk = components.declare_component("portal_norsk", path=str(HERE / "norsk"))


def dress(settings: Settings) -> None:
    """The look, the logo and the translation of Streamlit's texts: first thing on every run."""
    st.html(HERE / "look.css")
    st.logo(settings.union_logo or name_logo(settings.union_name), size="large")
    _norsk(key="portal_norsk", default=None)


def name_logo(union_name: str) -> str:
    """The union's name drawn as an SVG, for a portal not given a logo file."""
    width = 14 + 11 * len(union_name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="32" viewBox="0 0 {width} 32">'
        f'<rect width="{width}" height="32" rx="4" fill="#b3001b"/>'
        f'<text x="7" y="22" font-family="DejaVu Sans, Arial, sans-serif" font-size="17" font-weight="bold"'
        f' fill="#ffffff">{escape(union_name)}</text></svg>'
    )


def top_bar(*, settings: Settings, user: Actor, companies: list[Company]) -> Company | None:
    """The bar above every page of a logged-in user. Returns the company the employer acts for."""
    chosen = choose_company(companies) if companies else None
    with st.container(key="portal_top_bar"):
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            if chosen is not None:
                st.markdown(f"**{plain(chosen.name)}** · org.nr. {chosen.orgnr}")
            else:
                st.markdown(f"**{plain(settings.union_name)}** · trekklisteportalen")
            st.caption(f"Innlogget som {plain(display_name() or user.email)}")
        with right:
            switch, leave = st.columns([3, 1], vertical_alignment="center")
            if len(companies) > 1:
                _switcher(switch, companies, chosen)
            leave.button("Logg ut", on_click=request_logout, key="portal_logout")
    return chosen


def _switcher(where, companies: list[Company], chosen: Company | None) -> None:
    by_id = {c.id: c for c in companies}
    st.session_state["_company_choice"] = chosen.id if chosen else companies[0].id

    def switched() -> None:
        company = by_id[st.session_state["_company_choice"]]
        st.session_state["_company_id"] = company.id
        st.query_params["bedrift"] = company.orgnr

    where.selectbox(
        "Bedrift",
        list(by_id),
        format_func=lambda company_id: f"{by_id[company_id].name} ({by_id[company_id].orgnr})",
        key="_company_choice",
        on_change=switched,
        label_visibility="collapsed",
        help="Om det ikke er mulig å velge andre bedrifter, ta kontakt med forbundet for å registrere riktig tilgang.",
        placeholder="Velg …",
    )
