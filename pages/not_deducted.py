"""Utrukne: not built yet; the page exists so the navigation is complete."""
import streamlit as st

st.title("Utrukne")
st.info("Denne delen av portalen er ikke tatt i bruk ennå.")
