"""The operators' command line, run as a separate process like ops would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Slow (the command line as processes): not in `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """The command line's main() in this process, as ops would run it: its environment,
    its exit code, what it prints (test_the_command_line_as_a_process runs the real thing)."""
    from services import cli as command_line

    base = dict(PORTAL_DATA_DIR=str(tmp_path / "data"), PORTAL_COOKIE_KEY=secrets.token_urlsafe(48), PORTAL_DEMO="0")

    def run(*args, demo: bool = False):
        env = dict(base, PORTAL_DEMO="1", PORTAL_DATA_DIR=base["PORTAL_DATA_DIR"] + "-demo") if demo else base
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        try:
            code = command_line.main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def test_the_command_line_as_a_process(tmp_path):
    env = dict(os.environ, PORTAL_DATA_DIR=str(tmp_path / "data"), PORTAL_DEMO="0")
    env.pop("PORTAL_COOKIE_KEY", None)
    # The command line sets no cookies: it needs no cookie key.
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_registering_companies_users_and_access(cli):
    assert cli("init").returncode == 0
    assert cli("add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS").returncode == 0
    assert cli("add-company", "--orgnr", "920000002", "--name", "Nordsjø Service AS").returncode == 0
    done = cli(
        "add-user", "--email", "kari@firma.no", "--name", "Kari", "--company", "910000004", "--company", "920000002"
    )
    assert done.returncode == 0, done.stderr
    assert cli("add-user", "--email", "stab@forbund.no", "--name", "Stab", "--staff").returncode == 0
    assert cli("revoke", "--email", "kari@firma.no", "--company", "920000002").returncode == 0
    assert cli("grant", "--email", "kari@firma.no", "--company", "920000002").returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("add-company", "--orgnr", "910000005", "--name", "X"), "ikke gyldig"),
        (("add-user", "--email", "a@b.no", "--name", "A", "--company", "930000000"), "Ingen bedrift"),
        (("add-user", "--email", "ikke-epost", "--name", "A"), "gyldig e-postadresse"),
        (("grant", "--email", "ukjent@b.no", "--company", "910000004"), "Ingen bruker"),
    ],
)
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
    # Demo data only ever goes into a demo store (see test_demo_guard).
    first = cli("seed-demo", demo=True)
    assert first.returncode == 0 and "Demodata lagt inn" in first.stdout
    assert "lonn@demo.example" in first.stdout
    second = cli("seed-demo", demo=True)
    assert second.returncode == 0 and "fantes fra før" in second.stdout
    refused = cli("seed-demo")
    assert refused.returncode == 2 and "demodatabase" in refused.stderr


def test_import_submit_and_reconciliation_json(cli, tmp_path):
    import json
    from datetime import date

    from services import periods
    from tests import listfiles

    ola, per = listfiles.make_fnr(date(1990, 1, 1)), listfiles.make_fnr(date(1983, 2, 14))
    stranger = listfiles.make_fnr(date(1999, 9, 9))
    cli("add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS")
    cli("add-user", "--email", "kari@firma.no", "--name", "Kari", "--company", "910000004")
    register = tmp_path / "register.csv"
    register.write_text(
        "Medlemsnr;Fødselsnummer;Navn;Orgnr;Fra\n"
        f"1001;{ola};Nordmann, Ola;910000004;01.01.2020\n"
        f"1003;{per};Hansen, Per;910000004;01.01.2020\n"
        f"1009;12345678901;Feil, Nummer;910000004;01.01.2020\n",
        encoding="utf-8",
    )
    imported = cli("import-members", str(register))
    assert imported.returncode == 0 and "2 nye medlemmer" in imported.stdout and "linje 4" in imported.stdout
    period = periods.previous(date.today())
    listfile = tmp_path / "liste.csv"
    listfile.write_text(f"Fnr;Navn;Trekk\n{ola};Nordmann, Ola;520,00\n{stranger};Ny, Person;390,00\n")
    sent = cli(
        "submit", "--company", "910000004", "--period", f"{period:%Y-%m}", str(listfile), "--as", "kari@firma.no"
    )
    assert sent.returncode == 0, sent.stderr
    assert "Utrukne 1, ukjente 1" in sent.stdout
    result = cli("reconciliation", "--company", "910000004", "--period", f"{period:%Y-%m}", "--json")
    assert json.loads(result.stdout) == {
        "utrukne": [{"member_no": "1003", "birth_date": "1983-02-14", "name": "Hansen, Per"}],
        "unknown": [{"national_id": stranger, "birth_date": "1999-09-09", "name": "Ny, Person", "amount": 390.0}],
        "anomalies": [],
        "uidentifisert": [],
        "fnr_to_fix": [],
        "manual": [],
        "corrections": [],
    }
    bad = cli("submit", "--company", "910000004", "--period", "2026-13", str(listfile))
    assert bad.returncode != 0 and "ÅÅÅÅ-MM" in bad.stderr


def test_end_and_move_a_member(cli, tmp_path):
    from datetime import date

    from tests import listfiles

    cli("add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS")
    cli("add-company", "--orgnr", "920000002", "--name", "Nordsjø Service AS")
    register = tmp_path / "register.csv"
    register.write_text(
        f"Medlemsnr;Fødselsnummer;Navn;Orgnr;Fra\n1001;{listfiles.make_fnr(date(1990, 1, 1))};"
        "Nordmann, Ola;910000004;01.01.2020\n",
        encoding="utf-8",
    )
    assert cli("import-members", str(register)).returncode == 0
    moved = cli("move-member", "--member", "1001", "--to", "920000002", "--first-day", "2026-10-16")
    assert moved.returncode == 0 and "Nordsjø Service AS fra 16.10.2026" in moved.stdout
    ended = cli("end-member", "--member", "1001", "--company", "920000002", "--last-day", "2026-12-31")
    assert ended.returncode == 0 and "avsluttet 31.12.2026" in ended.stdout
    unknown = cli("end-member", "--member", "9999", "--company", "920000002", "--last-day", "2026-12-31")
    assert unknown.returncode == 2 and "Ingen medlem med medlemsnummer 9999" in unknown.stderr


def test_a_full_register_import_is_shown_before_it_is_done(cli, tmp_path):
    from datetime import date

    from tests import listfiles

    cli("add-company", "--orgnr", "910000004", "--name", "Help Forsikring AS")
    ola, per = listfiles.make_fnr(date(1990, 1, 1)), listfiles.make_fnr(date(1983, 2, 14))
    both = tmp_path / "register.csv"
    both.write_text(
        f"Medlemsnr;Fødselsnummer;Navn;Orgnr;Fra\n1001;{ola};Nordmann, Ola;910000004;01.01.2020\n"
        f"1003;{per};Hansen, Per;910000004;01.01.2020\n",
        encoding="utf-8",
    )
    assert cli("import-members", str(both)).returncode == 0
    only_ola = tmp_path / "full.csv"
    only_ola.write_text(f"Medlemsnr;Fødselsnummer;Navn;Orgnr;Fra\n1001;{ola};Nordmann, Ola;910000004;01.01.2020\n")
    shown = cli("import-members", "--full", str(only_ola))
    assert shown.returncode == 0
    assert "1 ansettelser og 1 medlemskap ville blitt avsluttet" in shown.stdout and "--yes" in shown.stdout
    done = cli("import-members", "--full", "--yes", str(only_ola))
    assert done.returncode == 0 and "1 ansettelser og 1 medlemskap avsluttet" in done.stdout
    again = cli("import-members", "--full", "--yes", str(only_ola))
    assert "0 ansettelser og 0 medlemskap avsluttet" in again.stdout
