"""«Drift» on «Administrasjon»: the six checks with their times, the backups taken, and «Ta
sikkerhetskopi nå»; every staff page warns while no backup is recent."""

from services import backup_keys
from services.access import CLI
from services.accounts import users
from tests.pages.conftest import activate, button, log_in, new_app, texts


def test_staff_see_the_checks_and_take_a_backup(app_store, tmp_path, monkeypatch):
    recipient = backup_keys.generate(tmp_path / "nokkel.txt")
    monkeypatch.setenv("PORTAL_BACKUP_DIR", str(tmp_path / "kopier"))
    monkeypatch.setenv("PORTAL_BACKUP_RECIPIENT", recipient)
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    assert not at.exception
    # As drawn: the Markdown escapes in the plain text are not shown.
    warnings = [str(w.value).replace("\\", "") for w in at.warning]
    assert any(w.startswith("Sikkerhetskopi: Ingen sikkerhetskopi er tatt.") for w in warnings), warnings

    at.switch_page("pages/staff/admin.py").run()
    assert not at.exception
    assert "Driftsstatus" in texts(at) and "Ingen sikkerhetskopi er tatt ennå." in texts(at)
    [checks] = [d.value for d in at.dataframe if "Sjekk" in d.value.columns]
    assert list(checks["Sjekk"]) == [
        "Database",
        "Databaseversjon",
        "Tidsstyrt jobb",
        "E-post",
        "Sikkerhetskopi",
        "Diskplass",
    ]
    assert set(checks["Status"]) <= {"I orden", "Feil"}
    assert checks.set_index("Sjekk").loc["Sikkerhetskopi", "Status"] == "Feil"

    button(at, "Ta sikkerhetskopi nå").click()
    at.run()
    assert not at.exception
    assert any(str(s.value).startswith("Sikkerhetskopien er tatt:") for s in at.success)
    assert len(list((tmp_path / "kopier").glob("trekkliste-*.age"))) == 1
    assert app_store.value("SELECT count(*) FROM audit_log WHERE action = 'backup.taken'") == 1
    [runs] = [d.value for d in at.dataframe if "Fil" in d.value.columns]
    assert list(runs["Resultat"]) == ["Fullført"]
    at.run()
    assert not any(str(w.value).replace("\\", "").startswith("Sikkerhetskopi:") for w in at.warning)
