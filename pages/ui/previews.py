"""What «Innsending» holds of the files a clerk has chosen, for the whole server, within bounds.

A preview of a 100 000-row list is tens of megabytes. Kept in each session's state, previews
stayed until the list was sent or the session ended, and nothing bounded how many a server held
(issue 25). Here they are held in one place for every session of the server:

- a preview is let go when its file leaves the form, when its session ends, and after
  `IDLE_SECONDS` without being shown (a clerk who comes back gets it read again);
- one session holds at most `SESSION_BYTES` of files, and the server at most `SERVER_BYTES` of
  files and previews together; past either, the file is refused with a Norwegian message.

The cache itself is plain Python; Streamlit is asked only which session runs and which are open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.ui import memory
from services.errors import PortalError

IDLE_SECONDS = 5 * 60
SESSION_BYTES = 100 * 1024 * 1024
SERVER_BYTES = 800 * 1024 * 1024
SWEEP_SECONDS = 30

P = TypeVar("P")


class TooMuchForSession(PortalError):
    """The files on one form are larger together than one session may hold."""


class ServerBusy(PortalError):
    """The server holds as much as it may of every session's files: this one must wait."""


def session_message(limit: int = SESSION_BYTES) -> str:
    return (
        f"Filene du har valgt er til sammen større enn {limit // (1024 * 1024)} MB."
        " Send noen av dem nå og resten etterpå."
    )


BUSY_MESSAGE = "Portalen har mye å gjøre akkurat nå — prøv igjen om litt."


@dataclass
class _Held(Generic[P]):
    preview: P
    file_bytes: int
    preview_bytes: int
    used: float

    @property
    def size(self) -> int:
        return self.file_bytes + self.preview_bytes


class PreviewCache(Generic[P]):
    """Previews by (session, key), with what each holds counted. Safe from any thread."""

    def __init__(
        self,
        *,
        session_bytes: int = SESSION_BYTES,
        server_bytes: int = SERVER_BYTES,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session_bytes = session_bytes
        self.server_bytes = server_bytes
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._held: dict[tuple[str, Hashable], _Held[P]] = {}
        self._lock = threading.Lock()

    def get(self, session: str, key: Hashable) -> P | None:
        with self._lock:
            held = self._held.get((session, key))
            if held is None:
                return None
            held.used = self._clock()
            return held.preview

    def check_room(self, session: str, *, file_bytes: Iterable[int]) -> None:
        """Refuses the files of one form larger together than a session may hold."""
        if sum(file_bytes) > self.session_bytes:
            raise TooMuchForSession(session_message(self.session_bytes))

    def hold(self, session: str, key: Hashable, preview: P, *, file_bytes: int, preview_bytes: int) -> None:
        """Keeps `preview`, or refuses it when the session or the server would hold too much."""
        entry = _Held(preview, file_bytes, preview_bytes, self._clock())
        with self._lock:
            self._drop_idle_locked()
            others = [h for (s, k), h in self._held.items() if (s, k) != (session, key)]
            mine = sum(h.file_bytes for (s, k), h in self._held.items() if s == session and k != key)
            if mine + file_bytes > self.session_bytes:
                raise TooMuchForSession(session_message(self.session_bytes))
            if sum(h.size for h in others) + entry.size > self.server_bytes:
                raise ServerBusy(BUSY_MESSAGE)
            self._held[(session, key)] = entry

    def keep_only(self, session: str, keys: Iterable[Hashable]) -> int:
        """Lets go of the session's previews whose files are no longer on its form; how many went."""
        kept = set(keys)
        with self._lock:
            gone = [(s, k) for (s, k) in self._held if s == session and k not in kept]
            for entry in gone:
                del self._held[entry]
        return len(gone)

    def sweep(self, live_sessions: Callable[[str], bool]) -> int:
        """Lets go of previews not shown for `idle_seconds` and of sessions that ended; how many went."""
        with self._lock:
            gone = self._drop_idle_locked()
            ended = [(s, k) for (s, k) in self._held if not live_sessions(s)]
            for entry in ended:
                del self._held[entry]
        return gone + len(ended)

    def held_bytes(self, session: str | None = None) -> int:
        with self._lock:
            return sum(h.size for (s, _), h in self._held.items() if session is None or s == session)

    def keys(self, session: str) -> list[Hashable]:
        with self._lock:
            return [k for (s, k) in self._held if s == session]

    def clear(self) -> None:
        with self._lock:
            self._held.clear()

    def _drop_idle_locked(self) -> int:
        now = self._clock()
        idle = [entry for entry, h in self._held.items() if now - h.used > self.idle_seconds]
        for entry in idle:
            del self._held[entry]
        return len(idle)


def session_is_live(session_id: str) -> bool:
    """Whether Streamlit still has the session (a closed tab's ends a little after it closed)."""
    try:
        from streamlit.runtime import Runtime

        return Runtime.instance().is_active_session(session_id)
    except RuntimeError:
        return True  # no server (AppTest): the test's one session lives as long as the test


class Sweeper:
    """A daemon thread that sweeps a cache every `SWEEP_SECONDS`, started by the first preview, so
    a server nobody uses lets its previews go too. `after` runs when something went."""

    def __init__(self, cache: PreviewCache, *, after: Callable[[], None], every: float = SWEEP_SECONDS) -> None:
        self._cache, self._after, self._every = cache, after, every
        self._started = threading.Lock()
        self._stopped = threading.Event()

    def start(self) -> None:
        if self._started.acquire(blocking=False):
            threading.Thread(target=self._loop, name="preview-sweeper", daemon=True).start()

    def _loop(self) -> None:
        # An event's wait, not time.sleep: a test that replaces time.sleep to count a service's
        # waits must not count this thread's, nor set it spinning.
        while not self._stopped.wait(self._every):
            if self._cache.sweep(session_is_live):
                self._after()

    def stop(self) -> None:
        self._stopped.set()


def current_session() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


# The server's one cache: every session of this process.
SHARED: PreviewCache = PreviewCache()
SWEEPER = Sweeper(SHARED, after=memory.give_back)
