"""Innlogging, with account activation and forgotten password by one-time code."""

import math
import time

import streamlit as st

from pages import ui
from services.accounts import codes
from services.errors import PortalError
from services.text import masked_email, plain

MODES = {
    codes.ACTIVATE: "Aktiver brukerkonto",
    codes.RESET: "Glemt passord",
}
RESEND_SECONDS = int(codes.RESEND_AFTER.total_seconds())
INTRO = (
    "Vi må verifisere din identitet før du kan velge ditt passord. "
    "Dette skjer ved at vi sender deg en engangskode på e-post."
)


def set_mode(mode: str | None) -> None:
    st.session_state["login_mode"] = mode
    st.session_state["login_step"] = "email"


def code_flow(mode: str) -> None:
    st.subheader(MODES[mode])
    if st.session_state.get("login_step") != "code":
        st.write(INTRO)
        with st.form("request_code"):
            email = st.text_input("E-post:", key="code_email")
            with st.container(horizontal=True):
                send = st.form_submit_button("Send engangskode", type="primary")
                cancel = st.form_submit_button("Avbryt")
        if cancel:
            set_mode(None)
            st.rerun()
        if send:
            request(mode, email)
            st.session_state["login_step"] = "code"
            st.rerun()
        return

    # One text, the same for every address: it names the address as typed, never whether it is known.
    email = st.session_state.get("code_for_email", "")
    st.info(
        f"Hvis {plain(masked_email(email))} er registrert hos oss, får du om kort tid en engangskode på e-post. "
        "Koden gjelder i 10 minutter. Fyll den inn i feltet under og velg ditt nye passord."
    )
    if codes.delivery_trouble(ui.store()):
        st.warning(
            "Vi har problemer med å sende e-post akkurat nå, så koden kan bli forsinket. "
            "Får du den ikke innen noen minutter, be om en ny kode litt senere."
        )
    with st.form("set_password"):
        code = st.text_input("Engangskode:", max_chars=6)
        password = st.text_input("Nytt passord:", type="password")
        confirmation = st.text_input("Bekreft nytt passord:", type="password")
        st.caption("Passordet må ha minst 10 tegn og kan ikke være e-postadressen.")
        second_code = ""
        if mode == codes.RESET:
            # Asked of everyone alike: the form says nothing about who has a second factor.
            second_code = st.text_input(
                "Kode fra autentiseringsappen eller reservekode:",
                max_chars=11,
                help="Bare hvis du har innlogging i to trinn. Forbundets ansatte har det alltid.",
            )
        with st.container(horizontal=True):
            submitted = st.form_submit_button("Sett nytt passord", type="primary")
            cancel = st.form_submit_button("Avbryt")
    new_code(mode, email)
    if cancel:
        set_mode(None)
        st.rerun()
    if submitted:
        try:
            codes.set_password_with_code(
                ui.store(),
                email=email,
                code=code,
                password=password,
                confirmation=confirmation,
                second_code=second_code,
            )
        except PortalError as problem:
            ui.show_error(problem)
            return
        set_mode(None)
        ui.flash("Passordet er satt. Du kan nå logge inn med e-post og passord.")
        st.rerun()


def request(mode: str, email: str) -> None:
    codes.request_code(ui.store(), email=email, purpose=mode, source=ui.source())
    # The widget's own key is dropped once the field is no longer drawn.
    st.session_state["code_for_email"] = email
    st.session_state["code_requested_at"] = time.monotonic()


def new_code(mode: str, email: str) -> None:
    """«Send ny kode», with the wait before it may be asked for shown: the same wait for every
    address, as the service's own limit is one code a minute."""
    wait = RESEND_SECONDS - (time.monotonic() - st.session_state.get("code_requested_at", 0.0))

    @st.fragment(run_every=1 if wait > 0 else None)
    def resend() -> None:
        left = math.ceil(RESEND_SECONDS - (time.monotonic() - st.session_state.get("code_requested_at", 0.0)))
        if left > 0:
            st.button(f"Send ny kode (om {left} s)", disabled=True, key="resend_waiting")
            return
        if st.button("Send ny kode", key="resend_code"):
            request(mode, email)
            st.rerun(scope="app")
        elif wait > 0:
            # The wait just ended: one run of the whole page stops the ticking.
            st.rerun(scope="app")

    resend()


mode = st.session_state.get("login_mode")
if mode in MODES:
    code_flow(mode)
else:
    ui.show_flash()
    st.write("Dersom det er første gang du logger deg på må du aktivere din brukerkonto.")
    st.button("Klikk her for å aktivere din brukerkonto", on_click=set_mode, args=(codes.ACTIVATE,), key="activate")
    if ui.login_form():
        st.rerun()
    st.button("Glemt passord", on_click=set_mode, args=(codes.RESET,), key="forgot")
