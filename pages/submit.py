"""Send inn trekkliste: not built yet; the page exists so the navigation is complete."""
import streamlit as st

st.title("Send inn trekkliste")
st.info("Denne delen av portalen er ikke tatt i bruk ennå.")
