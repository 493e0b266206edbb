"""Innsendte lister det siste året: not built yet; the page exists so the navigation is complete."""
import streamlit as st

st.title("Innsendte lister det siste året")
st.info("Denne delen av portalen er ikke tatt i bruk ennå.")
