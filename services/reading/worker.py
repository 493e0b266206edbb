"""The parse worker: a small fork server that reads uploaded files outside the portal process.

    python -m services.reading.worker SOCKET LIMITS_JSON

started by services.reading.sandbox, never by hand. The server imports the
readers once, then forks one child per connection; the child alone touches the
file's bytes, under hard limits (address space, CPU, no files written, no core
dump), and exits after one answer. The server never parses: it accepts, forks,
kills a child past the wall-clock limit, and tells the client how each child
ended. It exits when the client process closes its stdin.

Frames on the connection, each a type byte, a 4-byte length and JSON:
b"R" the child's answer, b"S" the server's note of how the child ended.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime

from services.reading.columns import ChosenLayout
from services.reading.files import read_tables
from services.reading.limits import MAX_FILE_BYTES, UnreadableFile
from services.reading.reading import read_list

HEADER_LIMIT = 64 * 1024
TICK_SECONDS = 0.1
WARM_UP_AFTER_IDLE_SECONDS = 1.0


def send_frame(conn: socket.socket, kind: bytes, payload: dict) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    conn.sendall(kind + struct.pack(">I", len(body)) + body)


def _cell(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return str(value)


def _answer(job: dict, data: bytes) -> dict:
    filename = str(job.get("filename") or "")
    if job.get("job") == "tables":
        try:
            kind, sheets = read_tables(data, filename)
        except UnreadableFile as problem:
            return {"error": str(problem)}
        return {
            "kind": kind,
            "sheets": [
                {"name": s.name, "lines": s.line_numbers, "rows": [[_cell(c) for c in row] for row in s.rows]}
                for s in sheets
            ],
        }
    chosen = [ChosenLayout.from_wire(c) for c in job.get("chosen") or []]
    return {"result": read_list(data, filename, chosen).to_wire()}


def _read_request(conn: socket.socket) -> tuple[dict, bytes]:
    buffer = bytearray()
    while b"\n" not in buffer:
        piece = conn.recv(65536)
        if not piece or len(buffer) > HEADER_LIMIT:
            raise ValueError("no request header")
        buffer += piece
    header, _, rest = bytes(buffer).partition(b"\n")
    data = bytearray(rest)
    while True:
        piece = conn.recv(1024 * 1024)
        if not piece:
            break
        data += piece
        if len(data) > MAX_FILE_BYTES + 1:
            break
    return json.loads(header), bytes(data)


def _apply_limits(limits: dict) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (int(limits["memory_bytes"]),) * 2)
    sys.dont_write_bytecode = True
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    # A second clock in case the server that would kill this child is itself gone.
    signal.alarm(int(limits["wall_seconds"]) + 5)


def answer_one(conn: socket.socket, limits: dict) -> None:
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        job, data = _read_request(conn)
    except (OSError, ValueError):
        return
    _apply_limits(limits)
    try:
        answer = _answer(job, data)
    except MemoryError:
        answer = {"failure": "limit", "reason": "memory"}
    except RecursionError:
        answer = {"failure": "limit", "reason": "recursion"}
    except BaseException as exc:  # noqa: BLE001 - an unnamed error is reported, never allowed to escape
        answer = {"failure": "unnamed", "reason": type(exc).__name__}
    del data
    try:
        send_frame(conn, b"R", answer)
    except MemoryError:
        send_frame(conn, b"R", {"failure": "limit", "reason": "memory"})


@dataclass
class _Running:
    conn: socket.socket
    started: float
    killed_for: str | None = None


def exit_status(status: int, killed_for: str | None) -> dict:
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status), "killed_for": killed_for}
    return {"exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, "killed_for": killed_for}


def serve(path: str, limits: dict) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    running: dict[int, _Running] = {}
    # A child's end wakes the loop at once, so its status is sent without waiting for a tick.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    # Children share the server's objects untouched: no collection walks (and copies) them.
    gc.freeze()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    warmed = False
    idle_since = time.monotonic()
    while True:
        readable, _, _ = select.select([listener, sys.stdin, wake_read], [], [], TICK_SECONDS)
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1024):
            break
        if wake_read in readable:
            os.read(wake_read, 4096)
        if listener in readable:
            conn, _ = listener.accept()
            pid = os.fork()
            if pid == 0:
                listener.close()
                os.close(wake_read)
                os.close(wake_write)
                try:
                    answer_one(conn, limits)
                finally:
                    os._exit(0)
            running[pid] = _Running(conn, time.monotonic())
        _reap(running)
        now = time.monotonic()
        for pid, child in running.items():
            if child.killed_for is None and now - child.started > limits["wall_seconds"]:
                child.killed_for = "wall"
                os.kill(pid, signal.SIGKILL)
        if readable or running:
            idle_since = now
        elif not warmed and now - idle_since > WARM_UP_AFTER_IDLE_SECONDS:
            # The PDF reader's imports are slow: pay them once, while nobody waits, not in each child.
            warmed = True
            import pdfplumber  # noqa: F401

            gc.freeze()
    for pid in running:
        os.kill(pid, signal.SIGKILL)
    listener.close()
    os.unlink(path)


def _reap(running: dict[int, _Running]) -> None:
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        child = running.pop(pid, None)
        if child is None:
            continue
        try:
            send_frame(child.conn, b"S", exit_status(status, child.killed_for))
        except OSError:
            pass
        child.conn.close()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(argv[0], json.loads(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
