"""Innlogging i to trinn: after a right password, the code from the authenticator app (or a
recovery code); a staff user without an app sets one up first. No session exists until then."""

import streamlit as st

from pages import ui
from pages.ui.factor import enrol
from services.access import Actor
from services.accounts import second_factor
from services.errors import PortalError

pending = ui.pending_second_factor()
if pending is None:
    st.switch_page("pages/login.py")
step, user_id, email, role = pending
st.title("Innlogging i to trinn")


def done() -> None:
    ui.second_factor_passed(user_id)
    st.rerun()


if step == "enrol":
    st.info(
        "Forbundet krever innlogging i to trinn for brukeren din: i tillegg til passordet skriver du en kode "
        "fra en app på telefonen. Sett det opp nå; det tar et par minutter."
    )
    enrol(Actor(user_id=user_id, email=email, role=role), on_done=done)
else:
    st.write(
        "Åpne autentiseringsappen på telefonen og skriv inn den sekssifrede koden den viser for "
        "trekklisteportalen. Har du ikke telefonen, kan du bruke en av reservekodene dine."
    )
    with st.form("second_factor"):
        code = st.text_input("Kode fra appen eller reservekode:", max_chars=11)
        with st.container(horizontal=True):
            confirm = st.form_submit_button("Bekreft", type="primary")
            cancel = st.form_submit_button("Avbryt")
    if cancel:
        ui.cancel_login()
        st.rerun()
    if confirm:
        try:
            second_factor.verify_login(ui.store(), user_id=user_id, code=code)
        except PortalError as problem:
            ui.show_error(problem)
        else:
            done()
    st.caption(
        "Har du mistet telefonen og reservekodene? Ta kontakt med forbundet, som kan nullstille "
        "innloggingen i to trinn for deg."
    )
