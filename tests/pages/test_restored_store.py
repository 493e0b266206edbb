"""A pilot store (the demo data) backed up, and the backup restored into a new data folder: the
portal started on the restored store shows staff the same companies, lists, letters,
reconciliation and register as the pilot did (issue 22). The server secret travels beside the
backup, never in it: the restored portal is given the same PORTAL_SECRET_KEY, or every
authenticator would have to be set up again."""

import secrets

from services import db, demo, mail
from services.backup_keys import DEMO_IDENTITY_FILE
from services.cli import main as cli
from services.config import load_settings
from services.operations import backup
from tests.pages.test_copied_store import _seen


def test_the_portal_on_a_restored_backup_shows_what_the_pilot_showed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "pilot"))
    monkeypatch.setenv("PORTAL_COOKIE_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("PORTAL_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("PORTAL_DEMO", "1")
    monkeypatch.setenv("PORTAL_SIDECAR", "0")
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    pilot = db.open_store(load_settings())
    demo.seed(pilot)
    pilot.execute("UPDATE users SET declaration_version = '1'")
    before = _seen(monkeypatch, None)
    taken = backup.take(db.open_store(load_settings()), directory=tmp_path / "kopier")
    mail.stop_couriers()
    db.close_all()

    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "gjenopprettet"))
    key = tmp_path / "pilot" / DEMO_IDENTITY_FILE
    assert cli(["restore", str(taken.path), "--key", str(key)]) == 0
    assert "Gjenopprettet" in capsys.readouterr().out
    after = _seen(monkeypatch, None)
    assert after == before
    assert "Help Forsikring AS" in after["Innkomne lister"]
