"""Start the parse worker before a short command has loaded the rest of itself.

`python -m services.parsing` reads one file and exits: started first, the worker's
imports run while the command's own run, instead of after them. The sandbox then
takes this worker over (`services.lists.sandbox.workers`). Kept small on purpose.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from services.config import PROJECT_ROOT, ParseLimits, load_parse_limits

started: tuple[subprocess.Popen, str, ParseLimits] | None = None


def spawn_server(limits: ParseLimits) -> tuple[subprocess.Popen, str]:
    """Start the fork server without waiting for it: it says «ready» once its readers are loaded."""
    folder = tempfile.mkdtemp(prefix="portal-parse-")
    server = subprocess.Popen(
        [sys.executable, "-m", "services.lists.worker", str(Path(folder) / "parse.sock"), json.dumps(asdict(limits))],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    return server, folder


def spawn_worker() -> None:
    global started
    limits = load_parse_limits()
    started = (*spawn_server(limits), limits)
