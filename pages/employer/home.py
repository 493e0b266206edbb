"""The employer's start page: the chosen company and what waits for it."""

import streamlit as st

from pages import ui
from pages.ui.factor import own_factor
from services import periods
from services.accounts import companies
from services.errors import PortalError
from services.letters import letters
from services.lists import submissions
from services.register import answers
from services.text import plain

company_id = ui.require_company()
try:
    company = companies.get(ui.store(), actor=ui.actor(), company_id=company_id)
except PortalError as problem:
    ui.show_error(problem)
    st.stop()

st.title(plain(company.name))
st.caption(
    f"Organisasjonsnummer {company.orgnr}. Om det ikke er mulig å velge andre bedrifter, "
    "ta kontakt med forbundet for å registrere riktig tilgang."
)
last = submissions.last_period(ui.store(), actor=ui.actor(), company_id=company.id)
st.write(f"Siste innsendte periode: **{periods.label(last) if last else 'ingen ennå'}**")
open_utrukne = answers.open_count(ui.store(), actor=ui.actor(), company_id=company.id)
unread = letters.unread(ui.store(), actor=ui.actor(), company_id=company.id)
if open_utrukne:
    st.warning(
        f"{open_utrukne} utrukket medlem venter på status."
        if open_utrukne == 1
        else f"{open_utrukne} utrukne medlemmer venter på status."
    )
if unread:
    st.info(f"{unread} brev fra forbundet er ikke lastet ned.")
st.write("Legg til fagforeningsfilene, velg periode og send inn.")
st.page_link("pages/employer/submit.py", label="Send inn trekkliste", icon=":material/upload_file:")
st.page_link("pages/employer/fill_in.py", label="Registrer trekk i portalen", icon=":material/edit_note:")
st.page_link("pages/employer/history.py", label="Innsendte lister det siste året", icon=":material/history:")
st.page_link("pages/employer/letters.py", label="Brev fra forbundet", icon=":material/mail:")
st.page_link("pages/employer/not_deducted.py", label="Utrukne", icon=":material/person_alert:")
with st.expander("Innlogging i to trinn"):
    own_factor(ui.actor())
