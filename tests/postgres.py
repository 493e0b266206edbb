"""A throwaway PostgreSQL for the tests: `initdb` into a temporary folder, `pg_ctl start` on a
free port with its socket in that folder, stopped at the end (issue 15).

Debian's `postgresql` package puts the programs under /usr/lib/postgresql/<version>/bin. The
server refuses to run as root, so under root it runs as the `postgres` user the package creates.
Without the programs the tests that need it are skipped with a loud reason, unless
PORTAL_REQUIRE_POSTGRES=1 (CI), where that is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MISSING = "PostgreSQL finnes ikke: testene mot PostgreSQL kjøres IKKE (apt-get install postgresql)."


def _program(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return _program("initdb") is not None and _program("pg_ctl") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    folder: Path
    port: int
    as_user: list[str]

    def dsn(self, database: str = "postgres") -> str:
        return f"host={self.folder} port={self.port} user=portal dbname={database}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, _program("pg_ctl") or "pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """A new cluster in a folder of its own (pytest's are closed to other users), running; the
    caller stops it, which removes the folder."""
    initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise RuntimeError(MISSING)
    folder = Path(tempfile.mkdtemp(prefix="portal-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        # The server will not run as root; the package's own user owns the folder instead.
        shutil.chown(folder, user="postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    done = subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "portal", "--auth=trust", "--encoding=UTF8", "--no-sync"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()[-300:]}")
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start"],
        capture_output=True,
        check=True,
    )
    return Server(folder, port, as_user)
