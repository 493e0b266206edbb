"""Downloads fetched when the browser asks for them, only for a session that is still live."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.ui.run import actor, settings
from services.accounts import sessions
from services.accounts.access import Actor
from services.db import Store, open_store
from services.errors import PortalError


class DownloadRefused(Exception):
    """A download asked for after its session ended or its access went: nothing is served."""


STALE_DOWNLOAD = (
    "Nedlastingen ble stoppet: økten er avsluttet eller tilgangen er endret siden siden ble vist. "
    "Last inn siden på nytt og logg inn igjen om nødvendig."
)
# Streamlit session id -> why a download was refused, shown on that session's next run.
_refused_downloads: dict[str, str] = {}


class _QuietRefusals(logging.Filter):
    """A refused download is expected, not a fault: no traceback in the server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, DownloadRefused):
                return False
            error = error.__cause__
        return True


logging.getLogger("streamlit.runtime.backend_operation_handler").addFilter(_QuietRefusals())


def guarded_download(fetch: Callable[[Store, Actor], bytes]) -> Callable[[], bytes]:
    """A download button's data, fetched when the browser asks for it: only for a session that
    is still live and a user who still has access (checked again by `fetch`'s service)."""
    portal_settings = settings()
    session = st.session_state.get("_session")
    session_id = session.id if session is not None else None
    user_id = actor().user_id
    ctx = get_script_run_ctx()
    streamlit_session = ctx.session_id if ctx else ""

    def data() -> bytes:
        db = open_store(portal_settings)
        current = sessions.actor_if_live(db, session_id=session_id, user_id=user_id)
        try:
            if current is None:
                reason = "no session" if not session_id else "session ended or user changed"
                raise DownloadRefused(reason)
            return fetch(db, current)
        except (DownloadRefused, PortalError) as refused:
            _refused_downloads[streamlit_session] = STALE_DOWNLOAD
            logging.getLogger("portal").info("download refused: %s (%s)", type(refused).__name__, refused)
            raise DownloadRefused("refused") from None

    return data


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_download(label: str, fetch: Callable[[Store, Actor], bytes], *, file_name: str, key: str) -> None:
    """An Excel export made when the browser asks for it, for a session still live."""
    st.download_button(
        label,
        data=guarded_download(fetch),
        file_name=file_name,
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key=key,
    )


def show_refused_downloads() -> None:
    """Say why a download on this page gave nothing (called every run)."""
    ctx = get_script_run_ctx()
    reason = _refused_downloads.pop(ctx.session_id, None) if ctx else None
    if reason:
        st.warning(reason, icon=":material/block:")
