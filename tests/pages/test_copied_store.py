"""A pilot store made as `make run` makes it (the demo data), copied into PostgreSQL with
`copy-store`: the portal started on the copy shows staff the same companies, lists, letters,
reconciliation and register as the pilot did (issue 15)."""

import secrets

from services import db, demo, mail
from services.config import load_settings
from services.store_copy import copy_store
from tests.pages.conftest import log_in, new_app, texts

PAGES = {
    "Innkomne lister": "pages/staff/incoming.py",
    "Medlemsregister": "pages/staff/members.py",
    "Avstemming": "pages/staff/reconciliation.py",
    "Brev til bedrifter": "pages/staff/letters.py",
}


def _seen(monkeypatch, database_url: str | None) -> dict[str, str]:
    """What the demo's staff user sees on each page, tables included, with the store on one engine."""
    if database_url:
        monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
        monkeypatch.setenv("PORTAL_FILE_STORE", "database")
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    seen = {}
    for label, page in PAGES.items():
        at.switch_page(page)
        at.run()
        assert not at.exception, (label, at.exception)
        tables = "\n".join(frame.value.to_string() for frame in at.dataframe)
        seen[label] = texts(at) + "\n" + tables
    mail.stop_couriers()
    db.close_all()
    return seen


def test_the_portal_on_the_copy_shows_what_the_pilot_showed(tmp_path, monkeypatch, postgres_settings):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "pilot"))
    monkeypatch.setenv("PORTAL_COOKIE_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("PORTAL_DEMO", "1")
    monkeypatch.setenv("PORTAL_SIDECAR", "0")
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    pilot = db.open_store(load_settings())
    demo.seed(pilot)
    pilot.execute("UPDATE users SET declaration_version = '1'")
    copy_store(pilot, to=postgres_settings.database_url, files="database")
    db.close_all()

    on_pilot = _seen(monkeypatch, None)
    on_copy = _seen(monkeypatch, postgres_settings.database_url)
    assert "Help Forsikring AS" in on_pilot["Innkomne lister"]
    for label in PAGES:
        assert on_copy[label] == on_pilot[label], label
