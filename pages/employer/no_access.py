"""For a user with no company to act for: what to do, and nothing else."""

import streamlit as st

st.title("Ingen tilgang")
st.info(
    "Du har ikke tilgang til noen bedrift i trekklisteportalen. Ta kontakt med forbundet for å få "
    "registrert riktig tilgang."
)
