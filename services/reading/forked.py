"""A parse worker forked from a one-shot command, for `python -m services.parsing`.

The portal keeps a fork server (services.reading.sandbox) so that no page waits for
the readers' imports. A command that reads a few files and exits has nobody to
keep it warm: starting that server would import the readers twice, one
interpreter after the other. Here the command imports them itself and forks one
child per file; the child is the same as the server's (services.reading.worker
.answer_one): it alone touches the bytes, under the same hard limits, and this
process kills it at the wall-clock limit.
"""

from __future__ import annotations

import os
import signal
import socket
from dataclasses import asdict

from services.config import ParseLimits
from services.reading import worker
from services.reading.sandbox import Outcome, outcome_of, read_frames, send_request


class ForkedWorker:
    """The `run` of services.reading.sandbox.ParseWorkers, a child forked from this process per file."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits

    def run(self, job: str, filename: str, data: bytes, *, options: dict | None = None) -> Outcome:
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            ours.close()
            try:
                worker.answer_one(theirs, asdict(self.limits))
            finally:
                os._exit(0)
        theirs.close()
        killed_for, answer = None, None
        ours.settimeout(self.limits.wall_seconds)
        try:
            send_request(ours, job, filename, data, options)
            answer, _ = read_frames(ours)
        except TimeoutError:
            killed_for = "wall"
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # the child's exit status says what happened
        finally:
            ours.close()
        _, status = os.waitpid(pid, 0)
        return outcome_of(answer, worker.exit_status(status, killed_for))
