import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from services import db, mail, sidecar
from services.access import CLI
from services.letters import letters

# Slow (starts the sidecar as a process): not in `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% stand-in\n"


def test_run_once_expires_letters_retries_mail_and_sweeps_files(store, company, settings, caplog):
    old = letters.upload(
        store, actor=CLI, company_id=company.id, subject="Gammelt", pdf=PDF, now=datetime(2026, 5, 27, 12, 0)
    )
    fresh = letters.upload(
        store, actor=CLI, company_id=company.id, subject="Nytt", pdf=PDF, now=datetime(2026, 11, 1, 12, 0)
    )
    queued = store.transaction(lambda tx: mail.enqueue(tx, kind="test", to="a@b.no", subject="s", body="b"))
    caplog.set_level(logging.INFO, logger="sidecar")
    counts = sidecar.run_once(store, today=date(2026, 11, 28))
    assert counts == {
        "letters_expired": 1,
        "mail_sent": 1,
        "files_swept": 0,
        "lists_purged": 0,
        "members_removed": 0,
        "reminders_sent": 0,
        # No backup folder in these settings: tests/services/operations take backups.
        "backups_taken": 0,
    }
    assert store.value("SELECT beat_at FROM heartbeats WHERE name = 'sidecar'") is not None
    assert store.value("SELECT expired_at IS NOT NULL FROM letters WHERE id = ?", [old])
    assert store.value("SELECT expired_at IS NULL FROM letters WHERE id = ?", [fresh])
    assert store.value("SELECT status FROM outbox WHERE id = ?", [queued]) == "sent"
    lines = [r.getMessage() for r in caplog.records if r.name == "sidecar"]
    assert len(lines) == 1 and "letters expired 1" in lines[0] and "mail sent 1" in lines[0]


class SlowProvider:
    def __init__(self):
        self.sent = []
        self.lock = threading.Lock()

    def send(self, *, outbox_id, to, subject, body):
        time.sleep(0.02)
        with self.lock:
            self.sent.append(outbox_id)


def test_two_workers_at_once_never_send_a_mail_twice(store, settings):
    ids = [
        store.transaction(lambda tx, n=n: mail.enqueue(tx, kind="test", to=f"{n}@b.no", subject="s", body="b"))
        for n in range(30)
    ]
    provider = SlowProvider()
    workers = [
        threading.Thread(target=lambda: mail.retry_queued(db.open_store(settings), provider=provider)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(provider.sent) == ids
    assert store.value("SELECT count(*) FROM outbox WHERE status = 'sent'") == 30


def _env(data_dir):
    return dict(
        os.environ,
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_COOKIE_KEY=secrets.token_urlsafe(48),
        PORTAL_SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_DEMO="0",
    )


def test_command_once_runs_and_exits(tmp_path):
    data_dir = tmp_path / "data"
    from tests.conftest import make_settings

    store = db.open_store(make_settings(data_dir))
    store.transaction(lambda tx: mail.enqueue(tx, kind="test", to="a@b.no", subject="s", body="b"))
    db.close_all()
    done = subprocess.run(
        [sys.executable, "-m", "services.sidecar", "--once"],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "sidecar run: letters expired 0, mail sent 1, files swept 0, lists purged 0, members removed 0" in done.stderr
    )
    assert len(list((data_dir / "outbox").glob("*.eml"))) == 1


def test_a_second_process_is_refused_while_the_store_is_held(tmp_path):
    data_dir = tmp_path / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, '.');"
            "from services.config import load_settings; from services.db import open_store;"
            "open_store(load_settings()); print('ready', flush=True); time.sleep(30)",
        ],
        cwd=ROOT,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        done = subprocess.run(
            [sys.executable, "-m", "services.sidecar", "--once"],
            cwd=ROOT,
            env=_env(data_dir),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert "i bruk av en annen prosess" in done.stderr and "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()


def test_one_sidecar_at_work_at_a_time(store, settings):
    """Another sidecar at work (on PostgreSQL: in any process, on any machine) means this run does
    nothing; once it is done, the next run works. Runs on both engines (make test-postgres)."""
    from services import db, sidecar

    other = db.open_store(settings)
    with other.exclusive("sidecar") as held:
        assert held
        assert sidecar.run_once(db.open_store(settings)) == {"skipped": 1}
    done = sidecar.run_once(db.open_store(settings))
    assert "skipped" not in done and "letters_expired" in done
