"""What every staff page says when the backups are not being taken (issue 22)."""

from __future__ import annotations

import time

import streamlit as st

from services.access import Actor
from services.db import Store
from services.operations import health
from services.text import plain

# Read once in five minutes per session, not on every rerun: one query, but every rerun is many.
RECHECK_SECONDS = 300


def backup_warning(store: Store, user: Actor) -> None:
    kept = st.session_state.get("_backup_warning")
    if kept is None or time.monotonic() - kept[0] > RECHECK_SECONDS:
        kept = (time.monotonic(), health.backup_warning(store, actor=user))
        st.session_state["_backup_warning"] = kept
    if kept[1]:
        st.warning(
            plain("Sikkerhetskopi: " + kept[1]) + " Se «Drift» under «Administrasjon».", icon=":material/backup:"
        )
