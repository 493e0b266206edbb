"""Browser tests: the real server (`streamlit run app.py`) driven by Playwright
in Debian's Chromium, mail going to the SendGrid stand-in.

Without Chromium the tests are skipped with a loud message; with
PORTAL_REQUIRE_BROWSER=1 (CI) a missing Chromium fails the run instead.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

from services import db, localtime
from services.access import CLI, Actor
from services.accounts import codes, companies, declaration, users
from services.db import utcnow
from tests import listfiles
from tests.conftest import SENDGRID_SPEC, make_settings
from tests.helpers import AUTHENTICATORS, app_code, latest_code, set_up_app
from tests.sendgrid_standin import SendGridStandIn

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "et-langt-passord"
# The server secret of the portal the suite runs: the seed seals the staff users' second factors with it.
SECRET_KEY = secrets.token_urlsafe(48)
TIMEOUT_MS = 20_000

# Users the suite needs, seeded before the server starts (it then holds the file).
EMPLOYER = "kari@firma.no"  # active, two companies, declaration accepted
NEWCOMER = "ola@firma.no"  # not activated: the activation flow
FORGETFUL = "per@firma.no"  # active: the forgotten-password flow
LOCKED = "lise@firma.no"  # active: the lockout flow
LEAVER = "jon@firma.no"  # active: the logout flow
STAFF = "stab@forbund.no"
STALE_STAFF = "stab2@forbund.no"  # active staff: a password reset ends an open page's downloads
KEYBOARD = "tast@firma.no"  # active, one company with one utrukket member: the keyboard-only month
LARGE_LIST = "stor@firma.no"  # active, one company of its own: a 100 000-row list sent from the page
INJECTOR = "injeksjon@firma.no"  # active, one company whose every free text is Markdown and HTML
# A link, an image, emphasis, raw HTML and a Streamlit directive: none may render anywhere.
PAYLOAD = "[klikk her](http://evil.test/lenke) ![](http://evil.test/bilde.png) **fet** <b>html</b> :red[rød]"
# Every page of each role, by its title in the navigation (the checks that visit them all).
EMPLOYER_PAGES = [
    "Hjem",
    "Innsending",
    "Registrer trekk",
    "Innsendte lister det siste året",
    "Brev fra forbundet",
    "Utrukne",
]
STAFF_PAGES = [
    "Administrasjon",
    "Oversikt",
    "Innkomne lister",
    "Medlemsregister",
    "Person",
    "Avstemming",
    "Brev til bedrifter",
]
HEATMAP_NAME = "Kartbedrift"
HEATMAP_COMPANIES = 40
# The running portal's process, for tests that check it survived what they did.
SERVER: dict[str, subprocess.Popen] = {}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    message = "Chromium finnes ikke: nettlesertestene kjøres IKKE (apt-get install chromium)."
    if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(message)
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=message))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(data_dir: Path, **engine: str) -> None:
    store = db.open_store(make_settings(data_dir, secret_key=SECRET_KEY, **engine))
    try:
        companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
        companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
        companies.add_company(store, actor=CLI, orgnr="930000000", name="Fjord Kjemi AS")
        # Forty companies for the heat-map's sizes: one, three and forty of them found by a search.
        for n in range(1, HEATMAP_COMPANIES + 1):
            name = f"{HEATMAP_NAME}{' Tre' if n <= 3 else ''} {n:02d} AS"
            companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(3000 + n), name=name)
        users.add_user(
            store, actor=CLI, email=EMPLOYER, name="Kari Nordmann", company_orgnrs=["910000004", "920000002"]
        )
        keyboard_company = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(4000), name="Tastatur AS")
        users.add_user(store, actor=CLI, email=KEYBOARD, name="Tove Tast", company_orgnrs=[keyboard_company.orgnr])
        large = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(4100), name="Stor Liste AS")
        users.add_user(store, actor=CLI, email=LARGE_LIST, name="Stine Stor", company_orgnrs=[large.orgnr])
        for email in (NEWCOMER, FORGETFUL, LOCKED, LEAVER):
            users.add_user(
                store, actor=CLI, email=email, name=email.split("@")[0].title(), company_orgnrs=["930000000"]
            )
        users.add_user(store, actor=CLI, email=STAFF, name="Stab", staff=True)
        users.add_user(store, actor=CLI, email=STALE_STAFF, name="Stab To", staff=True)
        # Activated a while ago, so the per-minute code limit does not hold back the flows.
        earlier = utcnow() - timedelta(minutes=5)
        for email in (EMPLOYER, KEYBOARD, LARGE_LIST, FORGETFUL, LOCKED, LEAVER, STAFF, STALE_STAFF):
            codes.request_code(store, email=email, purpose=codes.ACTIVATE, now=earlier)
            codes.set_password_with_code(
                store,
                email=email,
                code=latest_code(store, email),
                password=PASSWORD,
                confirmation=PASSWORD,
                now=earlier,
            )
            user_id, role = store.row("SELECT id, role FROM users WHERE email = ?", [email])
            declaration.accept(store, actor=Actor(user_id, email, role), accepted=True)
            if role == "staff":
                set_up_app(store, user_id, email)
        _seed_utrukne(store)
        _seed_keyboard(store, keyboard_company.id)
        _seed_injection(store)
        _seed_transfer(store)
    finally:
        db.close_all()


UTRUKNE = ["Berg, Anne", "Hansen, Per", "Lie, Tone", "Vik, Geir"]


def _seed_utrukne(store) -> None:
    """Four members at Nordsjø Service AS, none on last month's list: four utrukne to answer."""
    company = companies.by_orgnr(store, actor=CLI, orgnr="920000002")
    _left_off_last_month(
        store,
        company_id=company.id,
        email=EMPLOYER,
        members=[(str(7000 + n), name, date(1980 + n, 1 + n, 10 + n)) for n, name in enumerate(UTRUKNE)],
        listed=(date(1999, 9, 9), "Ny, Person", "390,00"),
        file_name="nordsjo.csv",
    )


KEYBOARD_UTRUKKET = "Holm, Siri"


def _seed_keyboard(store, company_id: int) -> None:
    """One member at Tastatur AS whom last month's list left out: one utrukket to answer by keyboard."""
    _left_off_last_month(
        store,
        company_id=company_id,
        email=KEYBOARD,
        members=[("7200", KEYBOARD_UTRUKKET, date(1977, 7, 17))],
        listed=(date(1988, 8, 18), "Annen, Person", "410,00"),
        file_name="tastatur.csv",
    )


def _left_off_last_month(
    store,
    *,
    company_id: int,
    email: str,
    members: list[tuple[str, str, date]],
    listed: tuple[date, str, str],
    file_name: str,
) -> None:
    """`members` (member no, name, birth date) registered at the company, and last month's list,
    sent by `email`, naming only someone else (`listed`: birth date, name, amount): each an utrukket."""
    from services import periods
    from services.lists import submissions
    from services.register import members as register

    for member_no, name, born in members:
        register.add_member(
            store,
            actor=CLI,
            member_no=member_no,
            name=name,
            company_id=company_id,
            national_id=listfiles.make_fnr(born),
            valid_from=date(2020, 1, 1),
        )
    sender = store.row("SELECT id, email, role FROM users WHERE email = ?", [email])
    born, name, amount = listed
    body = f"Fnr;Navn;Trekk\n{listfiles.make_fnr(born)};{name};{amount}\n".encode()
    submissions.submit(
        store,
        actor=Actor(*sender),
        company_id=company_id,
        period=periods.previous(localtime.today()),
        contact_email=email,
        uploads=[submissions.Upload(file_name, body)],
    )


TRANSFERRED = ("Dahl, Frida", "7100")


def _seed_transfer(store) -> None:
    """A member registered at Fjord Kjemi AS, who will turn up on another company's list."""
    from services.register import members

    company = companies.by_orgnr(store, actor=CLI, orgnr="930000000")
    members.add_member(
        store,
        actor=CLI,
        member_no=TRANSFERRED[1],
        name=TRANSFERRED[0],
        company_id=company.id,
        national_id=transferred_fnr(),
        valid_from=date(2020, 1, 1),
    )


def transferred_fnr() -> str:
    from tests import listfiles

    return listfiles.make_fnr(date(1986, 6, 16))


def _seed_injection(store) -> None:
    """Every free-text field a user fills in, filled with Markdown and HTML."""
    from datetime import date

    from services import periods
    from services.letters import letters
    from services.lists import submissions
    from services.register import answers, members
    from tests import listfiles

    company = companies.add_company(store, actor=CLI, orgnr="974760673", name=f"Zeta {PAYLOAD} AS")
    users.add_user(store, actor=CLI, email=INJECTOR, name=f"Inger {PAYLOAD}", company_orgnrs=[company.orgnr])
    earlier = utcnow() - timedelta(minutes=5)
    codes.request_code(store, email=INJECTOR, purpose=codes.ACTIVATE, now=earlier)
    codes.set_password_with_code(
        store, email=INJECTOR, code=latest_code(store, INJECTOR), password=PASSWORD, confirmation=PASSWORD, now=earlier
    )
    user_id, role = store.row("SELECT id, role FROM users WHERE email = ?", [INJECTOR])
    injector = Actor(user_id, INJECTOR, role)
    declaration.accept(store, actor=injector, accepted=True)
    for n in range(2):
        members.add_member(
            store,
            actor=CLI,
            member_no=f"88{n}",
            name=f"Medlem{n}, {PAYLOAD}",
            company_id=company.id,
            national_id=listfiles.make_fnr(date(1970 + n, 5, 5)),
            valid_from=date(2020, 1, 1),
        )
    stranger = listfiles.make_fnr(date(1991, 4, 4))
    rows = f"Fnr;Navn;Trekk\n{stranger};Ukjent, {PAYLOAD};390,00\n".encode()
    submissions.submit(
        store,
        actor=injector,
        company_id=company.id,
        period=periods.previous(localtime.today()),
        contact_email=INJECTOR,
        remark=f"Merknad {PAYLOAD}",
        uploads=[submissions.Upload("liste [x](http://evil.test/fil).csv", rows)],
    )
    first, *_ = answers.utrukne(store, actor=injector, company_id=company.id, answered=False)
    answers.answer(store, actor=injector, company_id=company.id, answers={first.id: ("annet", PAYLOAD)})
    staff_id = store.value("SELECT id FROM users WHERE email = ?", [STAFF])
    letters.upload(
        store, actor=Actor(staff_id, STAFF, "staff"), company_id=company.id, subject=f"Brev {PAYLOAD}", pdf=_tiny_pdf()
    )


def _tiny_pdf() -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=10)
    document.cell(0, 6, "Brev")
    return bytes(document.output())


@pytest.fixture(scope="session")
def mailbox():
    with SendGridStandIn(SENDGRID_SPEC) as standin:
        yield standin
    assert standin.invalid == [], "the portal sent SendGrid a request body outside its spec"


@contextmanager
def running_portal(data_dir: Path, mailbox: SendGridStandIn, **env_extra: str) -> Iterator[str]:
    """`streamlit run app.py` on a free port with its data under `data_dir`; the URL while it runs.
    The server's log must end without a traceback."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = dict(
        os.environ,
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_COOKIE_KEY=secrets.token_urlsafe(48),
        PORTAL_SECRET_KEY=SECRET_KEY,
        PORTAL_DEMO="0",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        SENDGRID_API_KEY="SG.browser-test",
        SENDGRID_API_HOST=mailbox.url,
        # As a union's log collector reads them; the run's log check reads them too.
        PORTAL_LOG_FORMAT="json",
    )
    # The caller's settings win (servers that must share a cookie key, say).
    env.update(env_extra)
    log_path = data_dir.parent / f"server-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the portal did not start:\n" + log_path.read_text())
            time.sleep(0.2)
        SERVER[url] = server
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        run_logs = os.environ.get("PORTAL_TEST_LOG_DIR")
        if run_logs:
            shutil.copyfile(log_path, Path(run_logs) / f"portal-{secrets.token_hex(4)}-{log_path.name}")
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


def _engine(request, database: str = "browser_suite") -> dict[str, str]:
    """The store's settings for the browser suite: the DuckDB file, or under
    PORTAL_TEST_ENGINE=postgres (`make test-postgres`) a database of that name on the throwaway
    PostgreSQL, with the files in it, as a hosted union runs the portal."""
    if os.environ.get("PORTAL_TEST_ENGINE") != "postgres":
        return {}
    import psycopg

    server = request.getfixturevalue("postgres_server")
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    return {
        "database_url": f"postgresql://portal@/{database}?host={server.folder}&port={server.port}",
        "file_store": "database",
    }


@pytest.fixture(scope="session")
def portal(tmp_path_factory, mailbox, request):
    data_dir = tmp_path_factory.mktemp("portal") / "data"
    engine = _engine(request)
    _seed(data_dir, **engine)
    server_env = {f"PORTAL_{name.upper()}": value for name, value in engine.items()}
    with running_portal(data_dir, mailbox, **server_env) as url:
        SERVER["process"] = SERVER[url]
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # A cold server imports pandas and friends on its first page: give assertions time.
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def open_context(browser, **options):
    """A browser context as a Norwegian clerk's desktop has it: a wide window, Norwegian locale."""
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO", **options)


@pytest.fixture
def context(browser, request):
    made = open_context(browser)
    made.set_default_timeout(TIMEOUT_MS)
    yield made
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for n, page in enumerate(made.pages):
        suffix = "" if n == 0 else f"-{n}"
        page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
    made.close()


@pytest.fixture
def page(context, portal):
    opened = context.new_page()
    opened.goto(portal)
    opened.get_by_text("Innlogging").first.wait_for()
    settle(opened)
    return opened


def wait_for_mails(mailbox: SendGridStandIn, email: str, count: int, seconds: float = 15) -> list[dict]:
    """The mails to `email` once there are `count`: the portal's courier delivers after the page answers."""
    deadline = time.monotonic() + seconds
    while len(mailbox.mails_to(email)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return mailbox.mails_to(email)


def code_from(mailbox: SendGridStandIn, email: str) -> str:
    body = mailbox.mails_to(email)[-1]
    return re.search(r"Engangskoden din er: (\d{6})", body["content"][0]["value"]).group(1)


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def settle(page) -> None:
    """Wait until the app is idle, including any rerun a component asks for once its frame has
    loaded (the login page has none now: tests/browser/test_clicks.py)."""
    for _ in range(3):
        page.wait_for_selector(IDLE)
        page.wait_for_timeout(200)
    page.wait_for_selector(IDLE)


# What the login form answers when it lets nobody in.
REFUSED = re.compile("Feil e-post eller passord|midlertidig sperret|deaktivert|Innloggingen feilet")


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """The login form, and for a user with an authenticator app the second step with its code;
    then, for a login that went through, the trip by /portal/innlogging, where the server sets
    the cookie, until the page is back (a click during that reload would be lost)."""
    settle(page)
    before = _login_cookie(page)
    # Marks this document: the one the browser comes back to after the cookie route is another.
    page.evaluate("window.portalBeforeLogin = true")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    if email in AUTHENTICATORS and password == PASSWORD:
        second_step(page, app_code(email))
    for _ in range(150):
        if _login_cookie(page) not in (None, before):
            page.wait_for_function("() => window.portalBeforeLogin === undefined")
            page.wait_for_load_state()
            settle(page)
            return
        if page.get_by_text(REFUSED).count():
            return
        page.wait_for_timeout(100)


def _login_cookie(page) -> str | None:
    found = [c["value"] for c in page.context.cookies() if c["name"] == "trekklisteportal_innlogging"]
    return found[0] if found else None


def second_step(page, code: str) -> None:
    field = page.get_by_label("Kode fra appen eller reservekode:")
    field.wait_for()
    settle(page)
    field.fill(code)
    page.get_by_role("button", name="Bekreft").click()
    settle(page)


def wait_for_login_cookie(page) -> list[dict]:
    """The login cookie, once the browser has stored it (the component sets it after the run)."""
    for _ in range(100):
        found = [c for c in page.context.cookies() if c["name"] == "trekklisteportal_innlogging"]
        if found:
            return found
        page.wait_for_timeout(100)
    raise AssertionError("the browser got no login cookie")


def download_by_click(page, target, *, tries: int = 3, timeout_ms: int = 10_000):
    """Click what starts a download and return the download.

    A click sent while a rerun replaces the button's deferred file id is lost: the browser may
    then keep the button in its loading state. A person would click again, or reload the page
    when the button stays greyed out, and so does this (the locator finds it again)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        settle(page)
        try:
            with page.expect_download(timeout=timeout_ms) as pending:
                target.click(timeout=timeout_ms)
            return pending.value
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            if target.count() and target.is_disabled():
                page.reload()
    raise AssertionError("unreachable")


def open_expander(page, label: str, *, tries: int = 3) -> None:
    """Open the expander whose label holds `label`. A click that arrives while a rerun draws the
    page again can be lost (once in CI, after «Send status»): a person would click again, and so
    does this."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    details = page.locator("[data-testid=stExpander] details", has_text=label).first
    for _ in range(tries):
        settle(page)
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        try:
            page.locator("[data-testid=stExpander] details[open]", has_text=label).first.wait_for(timeout=5_000)
            settle(page)
            if details.get_attribute("open") is not None:
                return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the expander «{label}» did not open")


def go(page, name: str) -> None:
    """Open a page from the navigation at the top, once the app is idle."""
    settle(page)
    page.get_by_role("link", name=name, exact=True).first.click()
    settle(page)
