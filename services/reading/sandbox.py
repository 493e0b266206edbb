"""The portal's side of the parse worker: send a file's bytes, get a result back.

An uploaded file is untrusted. The portal process never reads one itself: it
hands the bytes to services.reading.worker, a fork server whose children each
read one file under hard limits (PORTAL_PARSE_* settings). When a child dies,
runs out of memory or time, the user gets a Norwegian message, nothing is
stored, and the next parse gets a fresh child: other users never notice.
"""

from __future__ import annotations

import atexit
import json
import logging
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from services.config import PROJECT_ROOT, ParseLimits, load_parse_limits
from services.reading.columns import ChosenLayout
from services.reading.result import ParseResult

log = logging.getLogger("portal.parse")

TOO_COMPLEX = (
    "Filen er for stor eller for sammensatt til å leses. Lagre den på nytt som .xlsx eller .csv og prøv igjen."
)
BROKEN = "Filen kunne ikke leses; den ser ut til å være skadet. Lagre den på nytt som .xlsx eller .csv og prøv igjen."
STARTUP_SECONDS = 60
# Signals a child gets for going past a limit: the CPU limit (XCPU, then KILL), the backup
# alarm, and an abort when the Rust reader cannot allocate under the memory limit.
LIMIT_SIGNALS = {signal.SIGXCPU, signal.SIGKILL, signal.SIGALRM, signal.SIGABRT}


def _spawn_server(limits: ParseLimits) -> tuple[subprocess.Popen, str]:
    """Start the fork server without waiting for it: it says «ready» once its readers are loaded."""
    folder = tempfile.mkdtemp(prefix="portal-parse-")
    server = subprocess.Popen(
        [sys.executable, "-m", "services.reading.worker", str(Path(folder) / "parse.sock"), json.dumps(asdict(limits))],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    return server, folder


class WorkerUnavailable(Exception):
    """The fork server could not be started or reached."""


@dataclass(frozen=True)
class Outcome:
    """What came back for one file: the worker's answer, or why there is none."""

    answer: dict | None
    failure: str | None = None  # "limit", "crash", "unnamed"
    detail: str = ""


@dataclass(frozen=True)
class Tables:
    kind: str
    sheets: list[tuple[str, list[list], list[int]]]


def _read_exactly(conn: socket.socket, count: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < count:
        piece = conn.recv(min(count - len(buffer), 1024 * 1024))
        if not piece:
            return None
        buffer += piece
    return bytes(buffer)


class Pool(Protocol):
    """Whatever reads a file in a limited child: the portal's fork server, or a command's own fork."""

    def run(self, job: str, filename: str, data: bytes, *, options: dict | None = None) -> Outcome: ...


class ParseWorkers:
    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self._slots = threading.BoundedSemaphore(limits.workers)
        self._lock = threading.Lock()
        self._server: subprocess.Popen | None = None
        self._folder: str | None = None
        self._ready = False

    @property
    def _socket_path(self) -> str:
        assert self._folder is not None
        return str(Path(self._folder) / "parse.sock")

    def _start(self) -> None:
        self._stop_server()
        self._server, self._folder = _spawn_server(self.limits)
        self._ready = False

    def _await_ready(self) -> None:
        assert self._server is not None and self._server.stdout is not None
        if self._server.stdout.readline().strip() != b"ready":
            self._stop_server()
            raise WorkerUnavailable("the parse worker did not start")
        self._ready = True

    def _ensure_server(self) -> str:
        with self._lock:
            if self._server is None or self._server.poll() is not None:
                self._start()
            if not self._ready:
                self._await_ready()
            return self._socket_path

    def _stop_server(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                if server.stdin:
                    server.stdin.close()
                server.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                server.kill()
                server.wait()
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def close(self) -> None:
        with self._lock:
            self._stop_server()

    def _connect(self) -> socket.socket:
        for _ in range(2):
            path = self._ensure_server()
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(path)
                return conn
            except (FileNotFoundError, ConnectionRefusedError):
                conn.close()
                with self._lock:
                    self._stop_server()
        raise WorkerUnavailable("the parse worker does not answer")

    def run(self, job: str, filename: str, data: bytes, *, options: dict | None = None) -> Outcome:
        with self._slots:
            conn = self._connect()
            # The server kills a child at the wall limit; this is for a server that cannot.
            conn.settimeout(self.limits.wall_seconds + STARTUP_SECONDS)
            try:
                send_request(conn, job, filename, data, options)
                return receive(conn)
            except TimeoutError:
                with self._lock:
                    self._stop_server()
                return Outcome(None, "limit", "no answer within the wall limit")
            except OSError as exc:
                return Outcome(None, "crash", f"connection: {exc.__class__.__name__}")
            finally:
                conn.close()


def send_request(conn: socket.socket, job: str, filename: str, data: bytes, options: dict | None) -> None:
    """A job for a child (services.reading.worker reads it): one line of JSON, the file's bytes, end."""
    header = json.dumps({"job": job, "filename": filename, **(options or {})}, ensure_ascii=False).encode("utf-8")
    conn.sendall(header + b"\n" + data)
    conn.shutdown(socket.SHUT_WR)


def receive(conn: socket.socket) -> Outcome:
    """The child's answer, or, when it gave none, the server's note of how it ended."""
    return outcome_of(*read_frames(conn))


def read_frames(conn: socket.socket) -> tuple[dict | None, dict | None]:
    """The child's answer (frame R) and the server's note of how the child ended (frame S), as far as sent."""
    status = None
    while True:
        head = _read_exactly(conn, 5)
        if head is None:
            return None, status
        kind, length = head[:1], struct.unpack(">I", head[1:])[0]
        body = _read_exactly(conn, length)
        if body is None:
            return None, status
        payload = json.loads(body)
        if kind == b"R":
            return payload, status
        status = payload


def outcome_of(answer: dict | None, status: dict | None) -> Outcome:
    if answer is None:
        return ended(status)
    if "failure" in answer:
        return Outcome(None, answer["failure"], answer.get("reason", ""))
    return Outcome(answer)


def ended(status: dict | None) -> Outcome:
    """Why a child that gave no answer gave none, from its exit status (services.reading.worker.status)."""
    if status is None:
        return Outcome(None, "crash", "no status")
    if "signal" in status:
        number = status["signal"]
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        failure = "limit" if number in LIMIT_SIGNALS or status.get("killed_for") else "crash"
        return Outcome(None, failure, f"{name}{' (' + status['killed_for'] + ')' if status.get('killed_for') else ''}")
    return Outcome(None, "crash", f"exit {status.get('exit')}")


_workers: ParseWorkers | None = None
_workers_lock = threading.Lock()


def workers() -> ParseWorkers:
    global _workers
    with _workers_lock:
        if _workers is None:
            _workers = ParseWorkers(load_parse_limits())
            atexit.register(_workers.close)
        return _workers


def _failed(filename: str, data: bytes, outcome: Outcome) -> str:
    # Only the kind of failure and the size: a file name may carry a person's name.
    log.warning(
        "parse worker gave no result: %s %s (%d bytes, %s)",
        outcome.failure,
        outcome.detail,
        len(data),
        Path(filename).suffix.lower()[:8] or "no extension",
    )
    return TOO_COMPLEX if outcome.failure == "limit" else BROKEN


def parse(
    data: bytes, filename: str, *, pool: Pool | None = None, chosen: list[ChosenLayout] | None = None
) -> ParseResult:
    """The list in the file, read by a worker; `chosen`: the layouts the company's clerks picked."""
    name = Path(filename).name
    options = {"chosen": [c.to_wire() for c in chosen]} if chosen else None
    try:
        outcome = (pool or workers()).run("list", name, data, options=options)
    except WorkerUnavailable:
        log.error("parse worker unavailable")
        return ParseResult(name, False, "Filen kan ikke leses akkurat nå. Prøv igjen om litt.", failure="crash")
    if outcome.answer is None:
        return ParseResult(name, False, _failed(name, data, outcome), failure=outcome.failure)
    return ParseResult.from_wire(outcome.answer["result"])


def _cell(value):
    if isinstance(value, dict):
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return date.fromisoformat(value["date"])
    return value


class TablesUnreadable(Exception):
    """The file has no tables to read; the message is for the user (Norwegian)."""


def read_tables(data: bytes, filename: str, *, pool: Pool | None = None) -> Tables:
    """The file's sheets as rows of cells, read by the worker (for the member register)."""
    name = Path(filename).name
    try:
        outcome = (pool or workers()).run("tables", name, data)
    except WorkerUnavailable as exc:
        raise TablesUnreadable("Filen kan ikke leses akkurat nå. Prøv igjen om litt.") from exc
    if outcome.answer is None:
        raise TablesUnreadable(_failed(name, data, outcome))
    if "error" in outcome.answer:
        raise TablesUnreadable(outcome.answer["error"])
    return Tables(
        outcome.answer["kind"],
        [
            (sheet["name"], [[_cell(c) for c in row] for row in sheet["rows"]], sheet["lines"])
            for sheet in outcome.answer["sheets"]
        ],
    )
