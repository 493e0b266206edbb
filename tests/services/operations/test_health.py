"""`python -m services.cli health`: six checks, one line each, exit code 0 only when all are fine;
each of a stale sidecar, stuck mail, an old backup and a store that is gone makes it 1. The store
is the suite's, so `make test-postgres` checks PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services import db, mail, sidecar
from services.cli import main as cli
from services.db import utcnow
from services.operations import health
from tests.services.operations.conftest import fill


@pytest.fixture
def running(store, settings, tmp_path, backup_key, monkeypatch):
    """The store as a running portal leaves it: the sidecar has run and taken the night's backup.
    The command reads the same settings from its environment."""
    import dataclasses

    recipient, _ = backup_key
    fill(store)
    store.settings = dataclasses.replace(
        settings, backup_dir=tmp_path / "kopier", backup_recipient=recipient, min_free_disk_mb=1
    )
    sidecar.run_once(store)
    env = {
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_DATABASE_URL": settings.database_url or "",
        "PORTAL_FILE_STORE": settings.file_store,
        "PORTAL_BACKUP_DIR": str(tmp_path / "kopier"),
        "PORTAL_BACKUP_RECIPIENT": recipient,
        "PORTAL_MIN_FREE_DISK_MB": "1",
        "PORTAL_DEMO": "0",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return store


def _health(capsys) -> tuple[int, str]:
    code = cli(["health"])
    return code, capsys.readouterr().out


def _failing(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith("FEIL")]


def test_health_passes_and_each_fault_fails_it(running, settings, tmp_path, capsys, monkeypatch, figure):
    def change(sql: str, params: list) -> None:
        # The command closes the process's connections as it ends: each change opens the store again.
        db.open_store(settings).execute(sql, params)

    code, out = _health(capsys)
    lines = out.strip().splitlines()
    assert code == 0, out
    assert [line.split()[1] for line in lines] == list(health.NAMES)
    assert all(line.startswith("OK") for line in lines)

    exits = {}
    change("UPDATE heartbeats SET beat_at = ?", [utcnow() - timedelta(minutes=31)])
    code, out = _health(capsys)
    exits["sidecar stale"] = code
    assert _failing(out) == ["sidecar"]
    change("UPDATE heartbeats SET beat_at = ?", [utcnow()])

    queued = db.open_store(settings).transaction(
        lambda tx: mail.enqueue(tx, kind="test", to="a@b.no", subject="s", body="b")
    )
    change("UPDATE outbox SET created_at = ? WHERE id = ?", [utcnow() - timedelta(minutes=61), queued])
    code, out = _health(capsys)
    exits["mail stuck"] = code
    assert _failing(out) == ["e-post"] and "grense 60 min" in out
    change("UPDATE outbox SET status = 'sent' WHERE id = ?", [queued])

    change("UPDATE backup_runs SET finished_at = ?", [utcnow() - timedelta(hours=27)])
    code, out = _health(capsys)
    exits["backup old"] = code
    assert _failing(out) == ["sikkerhetskopi"]
    change("UPDATE backup_runs SET finished_at = ?", [utcnow()])
    assert _health(capsys)[0] == 0

    if settings.database_url:
        monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url.replace("/portal_", "/borte_"))
    else:
        monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "tom-mappe"))
    code, out = _health(capsys)
    exits["store gone"] = code
    assert _failing(out)[:5] == list(health.NAMES[:5]) and "Databasen svarer ikke" in out

    assert exits == dict.fromkeys(exits, 1)
    figure(f"health: 6/6 checks; each of {', '.join(exits)} makes it exit 1")


def test_the_portal_answers_the_check_on_its_own_machine_only(running):
    from starlette.requests import Request

    import app

    def ask(client: str, headers: list[tuple[bytes, bytes]]):
        scope = {"type": "http", "method": "GET", "path": "/portal/helse", "query_string": b"", "headers": headers}
        return app.health_check(Request({**scope, "client": (client, 40000)}))

    answer = ask("127.0.0.1", [])
    assert answer.status_code == 200 and answer.body.decode().count("OK") == 6
    assert ask("10.0.0.7", []).status_code == 404
    assert ask("127.0.0.1", [(b"x-forwarded-for", b"203.0.113.9")]).status_code == 404
    running.execute("UPDATE heartbeats SET beat_at = ?", [utcnow() - timedelta(hours=2)])
    assert ask("127.0.0.1", []).status_code == 503
