"""A value kept in the session for a few seconds, not for one run: a rerun that follows at once
(a component's, a page switch) would otherwise swallow a message meant for the page shown next."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

SECONDS = 5.0


def keep(name: str, value: Any) -> None:
    st.session_state[name] = (value, time.monotonic() + SECONDS)


def kept(name: str) -> Any:
    """The value kept under `name`, or None once its few seconds are over (then it is gone)."""
    found = st.session_state.get(name)
    if found is None or time.monotonic() > found[1]:
        st.session_state.pop(name, None)
        return None
    return found[0]
