"""Past one process (issue 15): two portal servers, each with a data folder of its own as if on
two machines, on one PostgreSQL with the files in the database. A clerk sends a list through one;
staff see it, and download the original, through the other; the sidecar and a staff command run
beside them all the while."""

import subprocess
import sys
from datetime import date

from playwright.sync_api import expect

from services import db
from services.access import CLI, Actor
from services.accounts import codes, companies, declaration, users
from tests import listfiles
from tests.browser.conftest import (
    PASSWORD,
    ROOT,
    SECRET_KEY,
    download_by_click,
    go,
    log_in,
    open_context,
    running_portal,
    settle,
)
from tests.conftest import make_settings
from tests.helpers import latest_code, set_up_app

# Its own staff address: the suite keeps one authenticator app per address (tests.helpers).
CLERK, STAFF = "lonn@fjell.no", "stab@fjell-forbund.no"


def _seed(settings) -> None:
    store = db.open_store(settings)
    companies.add_company(store, actor=CLI, orgnr="940000009", name="Fjell Drift AS")
    users.add_user(store, actor=CLI, email=CLERK, name="Lønn Fjell", company_orgnrs=["940000009"])
    users.add_user(store, actor=CLI, email=STAFF, name="Stab", staff=True)
    for email in (CLERK, STAFF):
        codes.request_code(store, email=email, purpose=codes.ACTIVATE)
        codes.set_password_with_code(
            store, email=email, code=latest_code(store, email), password=PASSWORD, confirmation=PASSWORD
        )
        user_id, role = store.row("SELECT id, role FROM users WHERE email = ?", [email])
        declaration.accept(store, actor=Actor(user_id, email, role), accepted=True)
        if role == "staff":
            set_up_app(store, user_id, email)
    db.close_all()


def _command(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_two_servers_on_one_postgresql(browser, postgres_settings, mailbox, tmp_path):
    import os

    url = postgres_settings.database_url
    _seed(make_settings(tmp_path / "seed", database_url=url, secret_key=SECRET_KEY))
    shared = {"PORTAL_DATABASE_URL": url, "PORTAL_FILE_STORE": "database", "PORTAL_SIDECAR": "0"}
    with (
        running_portal(tmp_path / "machine-a" / "data", mailbox, **shared) as first,
        running_portal(tmp_path / "machine-b" / "data", mailbox, **shared) as second,
    ):
        beside = dict(os.environ, PORTAL_DATA_DIR=str(tmp_path / "operator" / "data"), **shared)
        beside.pop("SENDGRID_API_KEY", None)
        clerk_context = open_context(browser)
        staff_context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="nb-NO", accept_downloads=True
        )
        try:
            clerk = clerk_context.new_page()
            clerk.goto(first)
            log_in(clerk, CLERK)
            expect(clerk.get_by_role("heading", name="Fjell Drift AS").first).to_be_visible()
            go(clerk, "Innsending")
            listed = listfiles.text(
                tmp_path / "fjell.csv",
                ["Fødselsnummer;Navn;Trekk", f"{listfiles.make_fnr(date(1977, 7, 7))};Fjell, Frode;455,00"],
            )
            clerk.locator("input[type=file]").set_input_files(str(listed))
            settle(clerk)
            # The sidecar and a staff command, beside both servers, on the same database.
            sidecar = subprocess.Popen([sys.executable, "-m", "services.sidecar", "--once"], cwd=ROOT, env=beside)
            added = _command(
                beside, "services.cli", "add-company", "--orgnr", "974760673", "--name", "Ny Under Drift AS"
            )
            clerk.get_by_role("button", name="Send inn").click()
            expect(clerk.get_by_text("Trekklisten for Fjell Drift AS (940000009) er sendt inn for")).to_be_visible()
            assert sidecar.wait(timeout=120) == 0
            assert added.returncode == 0, added.stderr

            staff = staff_context.new_page()
            staff.goto(second)
            log_in(staff, STAFF)
            expect(staff.get_by_role("heading", name="Administrasjon").first).to_be_visible()
            go(staff, "Innkomne lister")
            expect(staff.get_by_text("Fjell Drift AS").first).to_be_visible()
            # The original, stored in the database by the first server, served by the second.
            original = download_by_click(staff, staff.get_by_role("button", name="fjell.csv"))
            assert open(original.path(), "rb").read() == listed.read_bytes()
        finally:
            clerk_context.close()
            staff_context.close()
    store = db.open_store(make_settings(tmp_path / "check", database_url=url))
    assert store.value("SELECT count(*) FROM submissions") == 1
    assert store.value("SELECT count(*) FROM stored_file_contents") == 1
    assert store.value("SELECT name FROM companies WHERE orgnr = '974760673'") == "Ny Under Drift AS"
    db.close_all()
