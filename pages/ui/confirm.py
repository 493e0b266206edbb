"""A step the service wants asked for again on purpose (NeedsConfirmation): its question, with
«Send likevel» and «Avbryt», kept across the rerun that shows it."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from services.errors import NeedsConfirmation
from services.text import plain


def pending(key: str, subject: object) -> bool:
    return st.session_state.get(f"_ask_{key}") == subject


def confirmed(key: str, subject: object) -> bool:
    """While a question about `subject` is pending: show it; True once «Send likevel» is clicked."""
    if not pending(key, subject):
        return False
    st.warning(plain(st.session_state.get(f"_ask_{key}_text", "")))
    yes, no = st.columns(2)
    if no.button("Avbryt", key=f"{key}_no"):
        settle(key)
        st.rerun()
    return yes.button("Send likevel", key=f"{key}_yes")


def ask(key: str, subject: object, question: NeedsConfirmation) -> NoReturn:
    st.session_state[f"_ask_{key}"] = subject
    st.session_state[f"_ask_{key}_text"] = str(question)
    st.rerun()


def settle(key: str) -> None:
    st.session_state.pop(f"_ask_{key}", None)
    st.session_state.pop(f"_ask_{key}_text", None)
