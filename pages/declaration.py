"""Taushetserklæring: accepted once per version before anything else is reachable."""

import streamlit as st

from pages import ui
from services.accounts import declaration
from services.errors import PortalError

st.title(declaration.TITLE)
st.write("Første gang du logger inn i portalen må du godkjenne taushetserklæringen.")
for paragraph in declaration.paragraphs(ui.settings().union_name):
    st.write(paragraph)
st.markdown("Referanser:  \n" + "  \n".join(f"[{title}]({url})" for title, url in declaration.REFERENCES))
with st.form("declaration"):
    accepted = st.checkbox(declaration.CHECKBOX_LABEL)
    submitted = st.form_submit_button("Ok", type="primary")
if submitted:
    try:
        declaration.accept(ui.store(), actor=ui.actor(), accepted=accepted)
    except PortalError as problem:
        ui.show_error(problem)
    else:
        st.rerun()
