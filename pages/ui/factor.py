"""Setting up the second factor (an authenticator app): the QR code and the key, a first code,
then the recovery codes, shown once. Used in the login's second step and on the employer's page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.ui.run import store
from pages.ui.widgets import show_error
from services.access import Actor
from services.accounts import second_factor
from services.errors import PortalError

APPS = "for eksempel Microsoft Authenticator, Google Authenticator eller FreeOTP"


def enrol(actor: Actor, *, on_done: Callable[[], None]) -> None:
    """The whole setup on one page; `on_done` runs once the user has kept the recovery codes."""
    if st.session_state.get("_recovery_codes") is not None:
        if kept_recovery_codes(key="factor_done"):
            on_done()
        return
    enrolment = st.session_state.get("_enrolment")
    if enrolment is None or enrolment[0] != actor.user_id:
        try:
            started = second_factor.begin_enrolment(store(), user_id=actor.user_id or 0, email=actor.email)
        except PortalError as problem:
            show_error(problem)
            return
        enrolment = (actor.user_id, started)
        st.session_state["_enrolment"] = enrolment
    made = enrolment[1]
    st.write(
        f"Installer en autentiseringsapp på telefonen ({APPS}). Skann QR-koden med appen, "
        "eller skriv inn nøkkelen under for hånd."
    )
    st.image(made.qr_png, width=220, caption="QR-kode for trekklisteportalen")
    st.write("Nøkkel:")
    st.code(made.key_in_groups, language=None)
    with st.form("factor_enrol"):
        code = st.text_input("Koden appen viser (seks sifre):", max_chars=6)
        if st.form_submit_button("Bekreft", type="primary"):
            try:
                codes = second_factor.confirm_enrolment(store(), actor=actor, code=code)
            except PortalError as problem:
                show_error(problem)
            else:
                st.session_state["_recovery_codes"] = codes
                st.rerun()


def kept_recovery_codes(*, key: str) -> bool:
    """The recovery codes just made, until the user says they are kept; True then, and the set-up's
    state is gone with them (a later set-up starts afresh)."""
    recovery_codes(st.session_state["_recovery_codes"])
    if not st.button("Jeg har tatt vare på reservekodene", type="primary", key=key):
        return False
    for name in ("_recovery_codes", "_enrolment", "_factor_setup"):
        st.session_state.pop(name, None)
    return True


def recovery_codes(codes: list[str]) -> None:
    st.success("Innlogging i to trinn er slått på.")
    st.write(
        "Dette er reservekodene dine. Hver kode kan brukes én gang i stedet for koden fra appen, "
        "for eksempel om du mister telefonen. Skriv dem ut eller skriv dem ned, og oppbevar dem trygt. "
        "De vises bare nå."
    )
    st.code("\n".join(codes), language=None)


def own_factor(actor: Actor) -> None:
    """The user's own second factor: turn it on, make new recovery codes, or turn it off where allowed."""
    db = store()
    status = second_factor.own_status(db, actor=actor)
    required = second_factor.is_required(db, role=actor.role)
    if st.session_state.get("_recovery_codes") is not None and status.enabled:
        if kept_recovery_codes(key="factor_codes_kept"):
            st.rerun()
        return
    if not status.enabled:
        if st.session_state.get("_factor_setup"):
            enrol(actor, on_done=st.rerun)
            return
        st.write(
            "Med innlogging i to trinn skriver du en kode fra en app på telefonen i tillegg til passordet. "
            "Da kommer ingen inn med passordet alene, heller ikke med tilgang til e-posten din."
        )
        if st.button("Slå på innlogging i to trinn", key="factor_on"):
            st.session_state["_factor_setup"] = True
            st.rerun()
        return
    st.write(f"Innlogging i to trinn er slått på. Ubrukte reservekoder: {status.recovery_codes_left}.")
    with st.form("factor_manage"):
        code = st.text_input("Kode fra appen:", max_chars=11)
        with st.container(horizontal=True):
            renew = st.form_submit_button("Lag nye reservekoder")
            off = st.form_submit_button("Slå av innlogging i to trinn", disabled=required)
    if required:
        st.caption("Forbundet krever innlogging i to trinn for brukeren din.")
    try:
        if renew:
            st.session_state["_recovery_codes"] = second_factor.new_recovery_codes(db, actor=actor, code=code)
            st.rerun()
        if off:
            second_factor.turn_off_own(db, actor=actor, code=code)
            st.rerun()
    except PortalError as problem:
        show_error(problem)
