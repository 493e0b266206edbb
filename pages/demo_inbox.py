"""Demo only: the outbox, so a person trying the portal can read a code without a terminal."""

import streamlit as st

from pages import ui
from services import demo, mail
from services.localtime import shown
from services.text import plain

st.title("Demo: innboks")
st.caption("Finnes bare i demomodus. Her vises e-postene portalen har sendt, nyeste først.")
st.info(
    f"Koden fra autentiseringsappen til {demo.DEMO_STAFF} akkurat nå: {demo.staff_code()} "
    f"(nøkkelen er {demo.DEMO_FACTOR_KEY}; koden skifter hvert 30. sekund og kan brukes én gang)."
)
messages = mail.recent(ui.store(), actor=ui.viewer())
if not messages:
    st.info("Ingen e-post er sendt ennå.")
for message in messages:
    with st.expander(f"{shown(message.created_at)} · til {plain(message.to)} · {plain(message.subject)}"):
        st.text(message.body or "(innholdet er slettet etter sending)")
