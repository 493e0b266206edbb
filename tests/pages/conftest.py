"""AppTest fixtures: the real Home.py on a temporary store."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages.ui import previews
from services import db, mail
from services.access import Actor
from services.accounts import codes, declaration
from services.config import load_settings
from tests.helpers import AUTHENTICATORS, app_code, latest_code, set_up_app

# The session id Streamlit's AppTest gives every app it runs.
APPTEST_SESSION = "test session id"
HOME = str(Path(__file__).resolve().parents[2] / "Home.py")
PASSWORD = "et-langt-passord"


@pytest.fixture
def app_store(tmp_path, monkeypatch, request):
    if os.environ.get("PORTAL_TEST_ENGINE") == "postgres":
        # The pages on PostgreSQL too (make test-postgres).
        monkeypatch.setenv("PORTAL_DATABASE_URL", request.getfixturevalue("postgres_settings").database_url)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PORTAL_COOKIE_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("PORTAL_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("PORTAL_DEMO", "0")
    # The tests run the timed work themselves; a background loop would race them.
    monkeypatch.setenv("PORTAL_SIDECAR", "0")
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    # Every AppTest runs as Streamlit's one "test session id": previews held for the server by
    # one test's page must not be found by the next's.
    previews.SHARED.clear()
    yield db.open_store(load_settings())
    previews.SHARED.clear()
    # Home.py starts the mail courier, as the portal does; let it finish before the store closes.
    mail.stop_couriers()
    db.close_all()


def new_app() -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=30)
    at.run()
    return at


def activate(store, email: str, password: str = PASSWORD, accept_declaration: bool = True) -> None:
    codes.request_code(store, email=email, purpose=codes.ACTIVATE)
    codes.set_password_with_code(
        store, email=email, code=latest_code(store, email), password=password, confirmation=password
    )
    user_id, role = store.row("SELECT id, role FROM users WHERE email = ?", [email])
    if accept_declaration:
        declaration.accept(store, actor=Actor(user_id, email, role), accepted=True)
    if role == "staff":
        set_up_second_factor(store, user_id, email)


def set_up_second_factor(store, user_id: int, email: str) -> list[str]:
    return set_up_app(store, user_id, email)


def log_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    inputs = {t.label: t for t in at.text_input}
    inputs["E-post"].input(email)
    inputs["Passord"].input(password)
    next(b for b in at.button if b.label == "Logg inn").click()
    at.run()
    if email in AUTHENTICATORS and any(t.label == "Kode fra appen eller reservekode:" for t in at.text_input):
        second_step(at, app_code(email))
    return at


def second_step(at: AppTest, code: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Kode fra appen eller reservekode:").input(code)
    next(b for b in at.button if b.label == "Bekreft").click()
    return at.run()


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "success", "error", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)
