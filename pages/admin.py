"""Administrasjon for the union's staff: companies, users and their access, the audit log."""
import pandas as pd
import streamlit as st

from services import audit, companies, ui, users
from services.errors import PortalError

store, actor = ui.store(), ui.actor()
st.title("Administrasjon")
tab_companies, tab_users, tab_log = st.tabs(["Bedrifter", "Brukere og tilgang", "Logg"])

with tab_companies:
    rows = [{"Organisasjonsnummer": c.orgnr, "Navn": c.name} for c in companies.all_companies(store, actor=actor)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    with st.form("add_company", clear_on_submit=True):
        st.subheader("Ny bedrift")
        orgnr = st.text_input("Organisasjonsnummer")
        name = st.text_input("Navn")
        if st.form_submit_button("Registrer bedrift"):
            try:
                company = companies.add_company(store, actor=actor, orgnr=orgnr, name=name)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success(f"{company.name} er registrert.")

with tab_users:
    st.dataframe(pd.DataFrame(users.overview(store, actor=actor)), hide_index=True, width="stretch")
    company_choices = {f"{c.name} ({c.orgnr})": c.orgnr for c in companies.all_companies(store, actor=actor)}
    with st.form("add_user", clear_on_submit=True):
        st.subheader("Ny bruker")
        email = st.text_input("E-post")
        name = st.text_input("Navn")
        chosen = st.multiselect("Tilgang til bedrifter", list(company_choices))
        staff = st.checkbox("Ansatt i forbundet")
        if st.form_submit_button("Registrer bruker"):
            try:
                user = users.add_user(
                    store, actor=actor, email=email, name=name, staff=staff,
                    company_orgnrs=[company_choices[c] for c in chosen],
                )
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success(f"{user.email} er registrert og kan aktivere kontoen med engangskode.")
    with st.form("access"):
        st.subheader("Endre tilgang")
        email = st.text_input("Brukerens e-post")
        company_label = st.selectbox("Bedrift", list(company_choices))
        left, right = st.columns(2)
        give = left.form_submit_button("Gi tilgang")
        take = right.form_submit_button("Fjern tilgang")
        if (give or take) and company_label:
            change = users.grant if give else users.revoke
            try:
                change(store, actor=actor, email=email, orgnr=company_choices[company_label])
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success("Tilgangen er endret.")

with tab_log:
    entries = audit.entries(store, actor=actor)
    st.dataframe(pd.DataFrame(entries), hide_index=True, width="stretch")
