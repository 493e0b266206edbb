"""Innlogging, with account activation and forgotten password by one-time code."""

import streamlit as st

from pages import ui
from services.accounts import codes
from services.errors import PortalError

MODES = {
    codes.ACTIVATE: "Aktiver brukerkonto",
    codes.RESET: "Glemt passord",
}
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
            left, right = st.columns(2)
            send = left.form_submit_button("Send engangskode", type="primary")
            cancel = right.form_submit_button("Avbryt")
        if cancel:
            set_mode(None)
            st.rerun()
        if send:
            answer = codes.request_code(ui.store(), email=email, purpose=mode)
            st.session_state["login_step"] = "code"
            # The widget's own key is dropped once the field is no longer drawn.
            st.session_state["code_for_email"] = email
            st.session_state["code_answer"] = answer
            st.rerun()
        return

    st.write("Du vil om kort tid motta en engangskode på e-post. Fyll denne inn i feltet under.")
    st.info(st.session_state.get("code_answer", codes.CODE_REQUESTED_MESSAGE))
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
        left, right = st.columns(2)
        submitted = left.form_submit_button("Sett nytt passord", type="primary")
        cancel = right.form_submit_button("Avbryt")
    if cancel:
        set_mode(None)
        st.rerun()
    if submitted:
        try:
            codes.set_password_with_code(
                ui.store(),
                email=st.session_state.get("code_for_email", ""),
                code=code,
                password=password,
                confirmation=confirmation,
            )
        except PortalError as problem:
            ui.show_error(problem)
            return
        set_mode(None)
        ui.flash("Passordet er satt. Du kan nå logge inn med e-post og passord.")
        st.rerun()


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
