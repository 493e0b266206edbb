"""Brev fra forbundet: not built yet; the page exists so the navigation is complete."""
import streamlit as st

st.title("Brev fra forbundet")
st.info("Denne delen av portalen er ikke tatt i bruk ennå.")
