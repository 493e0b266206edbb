"""The operators' command line, run as a separate process like ops would."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path):
    env = dict(os.environ, PORTAL_DATA_DIR=str(tmp_path / "data"), PORTAL_COOKIE_KEY=secrets.token_urlsafe(48),
               PORTAL_DEMO="0")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    return run


def test_registering_companies_users_and_access(cli):
    assert cli("init").returncode == 0
    assert cli("add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS").returncode == 0
    assert cli("add-company", "--orgnr", "920000002", "--name", "Nordsjø Service AS").returncode == 0
    done = cli("add-user", "--email", "kari@firma.no", "--name", "Kari", "--company", "910000004",
               "--company", "920000002")
    assert done.returncode == 0, done.stderr
    assert cli("add-user", "--email", "stab@forbund.no", "--name", "Stab", "--staff").returncode == 0
    assert cli("revoke", "--email", "kari@firma.no", "--company", "920000002").returncode == 0
    assert cli("grant", "--email", "kari@firma.no", "--company", "920000002").returncode == 0


@pytest.mark.parametrize("args, message", [
    (("add-company", "--orgnr", "910000005", "--name", "X"), "ikke gyldig"),
    (("add-user", "--email", "a@b.no", "--name", "A", "--company", "930000000"), "Ingen bedrift"),
    (("add-user", "--email", "ikke-epost", "--name", "A"), "gyldig e-postadresse"),
    (("grant", "--email", "ukjent@b.no", "--company", "910000004"), "Ingen bruker"),
])
def test_bad_input_fails_with_a_clear_message(cli, args, message):
    cli("add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS")
    result = cli(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_duplicate_email_is_refused(cli):
    assert cli("add-user", "--email", "kari@firma.no", "--name", "Kari").returncode == 0
    again = cli("add-user", "--email", "KARI@firma.no", "--name", "Kari")
    assert again.returncode != 0 and "allerede registrert" in again.stderr


def test_seed_demo_once(cli):
    first = cli("seed-demo")
    assert first.returncode == 0 and "Demodata lagt inn" in first.stdout
    assert "lonn@demo.example" in first.stdout
    second = cli("seed-demo")
    assert second.returncode == 0 and "fantes fra før" in second.stdout
