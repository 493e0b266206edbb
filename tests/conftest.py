"""Shared fixtures: a fresh temporary store per test, the real SendGrid client
pointed at a local stand-in that checks every request against SendGrid's spec."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

# Cheap password hashes for the suite (production keeps bcrypt's cost of 12); the portal
# processes the browser tests start inherit it.
os.environ.setdefault("PORTAL_BCRYPT_ROUNDS", "4")

from services import db  # noqa: E402
from services.access import CLI
from services.config import Settings
from tests import log_scan
from tests.sendgrid_standin import SendGridStandIn

# The union's shared material beside the clone (samples and the parser's scorer); only the
# sample tests use it. SendGrid's OpenAPI description is kept here, in tests/specs/.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SENDGRID_SPEC = Path(__file__).resolve().parent / "specs" / "sendgrid_mail_v3.json"


def make_settings(data_dir: Path, **overrides) -> Settings:
    values = dict(
        data_dir=data_dir,
        cookie_key=secrets.token_urlsafe(48),
        secret_key=secrets.token_urlsafe(48),
        demo=False,
        base_url="http://portal.test",
        mail_from="trekkliste@forbundet.test",
        sendgrid_api_key=None,
        sendgrid_api_host="http://127.0.0.1:9",
        bcrypt_rounds=int(os.environ["PORTAL_BCRYPT_ROUNDS"]),
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL for the session (tests/postgres.py); each test makes its own database."""
    from tests import postgres

    if not postgres.available():
        if os.environ.get("PORTAL_REQUIRE_POSTGRES") == "1":
            pytest.fail(postgres.MISSING)
        pytest.skip(postgres.MISSING)
    running = postgres.start()
    yield running
    db.close_all()
    running.stop()


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_settings(tmp_path: Path, postgres_server) -> Settings:
    """Settings for a store on a new, empty PostgreSQL database."""
    import psycopg

    name = f"portal_{next(_databases)}"
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://portal@/{name}?host={postgres_server.folder}&port={postgres_server.port}"
    yield make_settings(tmp_path / "data", database_url=url)
    db.close_all()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """One store with every migration applied, made once: each test starts from a copy."""
    made = make_settings(tmp_path_factory.mktemp("template") / "data")
    db.open_store(made)
    db.close_all()
    return made.db_path


@pytest.fixture
def settings(tmp_path: Path, migrated_database: Path, request) -> Settings:
    if os.environ.get("PORTAL_TEST_ENGINE") == "postgres":
        # The services suite on PostgreSQL: `make test-postgres`, the second half of `make test`.
        return request.getfixturevalue("postgres_settings")
    made = make_settings(tmp_path / "data")
    made.data_dir.mkdir(parents=True)
    shutil.copyfile(migrated_database, made.db_path)
    return made


@pytest.fixture
def store(settings: Settings):
    yield db.open_store(settings)
    db.close_all()


@pytest.fixture
def sendgrid():
    with SendGridStandIn(SENDGRID_SPEC) as standin:
        yield standin


@pytest.fixture
def sendgrid_store(tmp_path: Path, sendgrid: SendGridStandIn):
    settings = make_settings(tmp_path / "data", sendgrid_api_key="SG.test-key", sendgrid_api_host=sendgrid.url)
    yield db.open_store(settings)
    db.close_all()


@pytest.fixture
def company(store):
    from services.accounts import companies

    return companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")


_FIGURES: list[str] = []
# Where the run's logs go: this process's, in the JSON format, and the browser tests' portals'.
RUN_LOGS = "PORTAL_TEST_LOG_DIR"
_RUN_LOG_HANDLER: list[logging.Handler] = []
_ENGINE = "postgres" if os.environ.get("PORTAL_TEST_ENGINE") == "postgres" else "duckdb"


def pytest_configure(config):
    from services.logs import JsonFormatter

    folder = Path(os.environ.get(RUN_LOGS) or tempfile.mkdtemp(prefix="portal-run-logs-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[RUN_LOGS] = str(folder)
    handler = logging.FileHandler(folder / f"pytest-{_ENGINE}-{os.getpid()}.jsonl", encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    _RUN_LOG_HANDLER.append(handler)
    log_scan.record_issued_codes()


def pytest_sessionfinish(session, exitstatus):
    """Every line the run logged, read for national ids and the codes the portal made: one is a
    failure of the run, whatever the tests said."""
    for handler in _RUN_LOG_HANDLER:
        handler.flush()
    found = log_scan.scan(Path(os.environ[RUN_LOGS]), log_scan.ISSUED_CODES)
    prefix = "[PostgreSQL] " if _ENGINE == "postgres" else ""
    _FIGURES.append(
        f"{prefix}logs: {len(found.national_ids)} national ids, {len(found.codes)} codes in {found.lines} lines"
        f" of a whole test run ({len(log_scan.ISSUED_CODES)} codes made)"
    )
    if found.national_ids or found.codes:
        _FIGURES.extend(f"  FEIL: {where}" for where in found.national_ids + found.codes)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config, items):
    """Markers by what a test stands on: its folder, or the PostgreSQL server among its fixtures."""
    for item in items:
        path = str(item.fspath)
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        elif "/tests/pages/" in path:
            item.add_marker(pytest.mark.pages)
        if {"postgres_server", "postgres_settings"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def figure():
    """Report a figure an issue asks the suite to print: listed in the summary of every run,
    whatever pytest captured."""
    if os.environ.get("PORTAL_TEST_ENGINE") == "postgres":
        return lambda line: _FIGURES.append(f"[PostgreSQL] {line}")
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.write_sep("=", "tall fra testene")
        for line in _FIGURES:
            terminalreporter.write_line(line)
    """Say how many browser tests really ran, so a skipped suite cannot pass unnoticed."""
    counts = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        counts[outcome] = sum(
            1
            for report in terminalreporter.stats.get(outcome, [])
            if "tests/browser/" in getattr(report, "nodeid", "")
            and getattr(report, "when", "call") in ("call", "setup")
            and not (outcome == "passed" and report.when == "setup")
        )
    if not any(counts.values()):
        return
    terminalreporter.write_sep("=", "nettlesertester (Chromium)")
    terminalreporter.write_line(
        f"kjørt: {counts['passed'] + counts['failed']}  bestått: {counts['passed']}  "
        f"feilet: {counts['failed'] + counts['error']}  hoppet over: {counts['skipped']}"
    )
    if counts["skipped"]:
        terminalreporter.write_line(
            "ADVARSEL: nettlesertestene ble IKKE kjørt. Installer Chromium: apt-get install chromium",
            red=True,
            bold=True,
        )
