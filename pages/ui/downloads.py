"""Downloads fetched when the browser asks for them, only for a session that is still live, and
served for that download only: Streamlit keeps a download's bytes at its `/media` URL until the
session ends, so a personal-data download is taken out of Streamlit's media store as soon as the
browser has fetched it (`FETCHES`), when the page runs again, or after `SERVED_FOR` at the latest."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.ui.run import actor, settings
from services.access import Actor
from services.accounts import sessions
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


# How long made bytes wait for the browser to fetch them, at most.
SERVED_FOR = 60.0
# A rerun drops bytes not fetched once they are this old: the click that made them also reruns the page.
RERUN_GRACE = 5.0
# Streamlit's download button fetches the URL twice: a check that it answers, then the download.
FETCHES = 2
# Streamlit media file id -> [the Streamlit session whose download made it, when, fetches left].
_served_once: dict[str, list] = {}
_served_once_lock = threading.Lock()
_installed = threading.Lock()


def _media_manager():
    try:
        from streamlit.runtime import Runtime

        return Runtime.instance().media_file_mgr
    except RuntimeError:
        return None  # no server (AppTest): nothing is served anywhere


def _forget_media(file_id: str) -> None:
    with _served_once_lock:
        if _served_once.pop(file_id, None) is None:
            return
    manager = _media_manager()
    if manager is not None:
        manager._storage.delete_file(file_id)


def _serve_once() -> None:
    """Teach the running server's media store to serve a guarded download's bytes once (installed once)."""
    manager = _media_manager()
    if manager is None or not _installed.acquire(blocking=False):
        return
    storage, made = manager._storage, manager.execute_deferred
    read = storage.get_file

    def execute_deferred(placeholder: str) -> str:
        entry = manager._deferred_callables.get(placeholder)
        url = made(placeholder)
        if entry is not None and getattr(entry["callable"], "served_once", None) is not None:
            file_id = os.path.splitext(url.rsplit("/", 1)[-1])[0]
            with _served_once_lock:
                _served_once[file_id] = [entry["callable"].served_once, time.monotonic(), FETCHES]
            threading.Timer(SERVED_FOR, _forget_media, [file_id]).start()
        return url

    def get_file(filename: str):
        found = read(filename)
        file_id = os.path.splitext(filename)[0]
        # The media route asks by "id.ext"; get_url asks by the bare id while the URL is made.
        if filename != file_id:
            with _served_once_lock:
                entry = _served_once.get(file_id)
                if entry is not None:
                    entry[2] -= 1
                last = entry is not None and entry[2] <= 0
            if last:
                _forget_media(file_id)
        return found

    manager.execute_deferred = execute_deferred
    storage.get_file = get_file


def forget_unfetched_downloads() -> None:
    """The page runs again: bytes made for this session's downloads and not fetched are dropped."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    now = time.monotonic()
    with _served_once_lock:
        mine = [
            file_id
            for file_id, (session, made, _) in _served_once.items()
            if session == ctx.session_id and now - made > RERUN_GRACE
        ]
    for file_id in mine:
        _forget_media(file_id)


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

    _serve_once()
    data.served_once = streamlit_session  # type: ignore[attr-defined]
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
    """Say why a download on this page gave nothing (called every run); drop what was not fetched."""
    forget_unfetched_downloads()
    ctx = get_script_run_ctx()
    reason = _refused_downloads.pop(ctx.session_id, None) if ctx else None
    if reason:
        st.warning(reason, icon=":material/block:")
