"""The overview of who has sent what, and reminders: by staff, and once by the sidecar."""

import threading
from datetime import date, datetime, timedelta

import pytest

from services import db, settings_store
from services.access import CLI, actor_for
from services.accounts import companies, users
from services.errors import AccessDenied, InvalidInput
from services.lists import coverage, reminders, submissions
from tests import listfiles
from tests.helpers import add_employer

TODAY = date(2026, 11, 20)  # October's deadline (the 15th) has passed, November's has not
OCTOBER, SEPTEMBER, AUGUST = date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1)


def csv(rows=1):
    lines = ["Fnr;Navn;Trekk"] + [
        f"{listfiles.make_fnr(date(1980, 1, 1 + n))};Navn{n}, Ola;520,00" for n in range(rows)
    ]
    return submissions.Upload("liste.csv", ("\n".join(lines) + "\n").encode())


def send(store, company, period, at, upload=None):
    submissions.submit(
        store,
        actor=CLI,
        company_id=company.id,
        period=period,
        contact_email="lonn@firma.no",
        uploads=[upload or csv()],
        today=at.date(),
        now=at,
        confirm_earlier_copies=True,
    )


@pytest.fixture
def union(store):
    made = {
        name: companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(n), name=name)
        for n, name in enumerate(("Alfa AS", "Beta AS", "Gamma AS"))
    }
    # Staff set when each started sending through the portal.
    for company in made.values():
        companies.update_company(
            store,
            actor=CLI,
            company_id=company.id,
            name=company.name,
            orgnr=company.orgnr,
            active_from=date(2026, 1, 1),
        )
    add_employer(store, "lonn@alfa.no", [made["Alfa AS"].orgnr])
    add_employer(store, "lonn@beta.no", [made["Beta AS"].orgnr])
    return made


def test_each_cell_has_the_status_of_what_came_and_when(store, union):
    alfa, beta = union["Alfa AS"], union["Beta AS"]
    send(store, alfa, OCTOBER, datetime(2026, 11, 10, 9))  # on time
    send(store, alfa, SEPTEMBER, datetime(2026, 10, 20, 9))  # after the 15th: late
    send(store, beta, OCTOBER, datetime(2026, 11, 3, 9))
    send(store, beta, OCTOBER, datetime(2026, 11, 4, 9), csv(2))  # sent again: corrected
    send(store, beta, SEPTEMBER, datetime(2026, 10, 14, 9), submissions.Upload("skannet.pdf", _scanned()))
    found = coverage.coverage(store, actor=CLI, today=TODAY)
    assert found.periods[-1] == OCTOBER and len(found.periods) == 12
    cells = {(c.name, cell.period): cell.status for c in found.companies for cell in c.cells}
    assert cells[("Alfa AS", OCTOBER)] == coverage.ON_TIME
    assert cells[("Alfa AS", SEPTEMBER)] == coverage.LATE
    assert cells[("Alfa AS", AUGUST)] == coverage.MISSING
    assert cells[("Beta AS", OCTOBER)] == coverage.CORRECTED
    assert cells[("Beta AS", SEPTEMBER)] == coverage.MANUAL
    # Before the company was in the portal, nothing was due.
    assert cells[("Gamma AS", date(2025, 12, 1))] == coverage.NOT_DUE
    assert cells[("Gamma AS", OCTOBER)] == coverage.MISSING
    # Most missing first; counts over all companies.
    assert [c.name for c in found.companies] == ["Gamma AS", "Alfa AS", "Beta AS"]
    assert found.counts[OCTOBER] == {
        coverage.ON_TIME: 1,
        coverage.LATE: 0,
        coverage.CORRECTED: 1,
        coverage.MANUAL: 0,
        coverage.MISSING: 1,
        coverage.NOT_DUE: 0,
    }
    assert [c.name for c in coverage.coverage(store, actor=CLI, today=TODAY, search="bet").companies] == ["Beta AS"]
    with pytest.raises(AccessDenied):
        coverage.coverage(store, actor=actor_for(store, email="lonn@alfa.no"), today=TODAY)


def _scanned():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return listfiles.pdf(Path(folder) / "s.pdf", ["Trekkliste", "Se papirliste"]).read_bytes()


def test_staff_remind_a_company_of_a_missing_list(store, union):
    alfa, gamma = union["Alfa AS"], union["Gamma AS"]
    staff = actor_for(store, user_id=users.add_user(store, actor=CLI, email="s@forbund.no", name="S", staff=True).id)
    assert reminders.send(store, actor=staff, company_id=alfa.id, period=OCTOBER) == 1
    body = store.value("SELECT body FROM outbox WHERE kind = 'reminder'")
    assert "Alfa AS" in body and "oktober 2026" in body and "15.11.2026" in body
    with pytest.raises(InvalidInput, match="ingen aktive brukere"):
        reminders.send(store, actor=staff, company_id=gamma.id, period=OCTOBER)
    send(store, alfa, SEPTEMBER, datetime(2026, 10, 10, 9))
    with pytest.raises(InvalidInput, match="allerede sendt"):
        reminders.send(store, actor=staff, company_id=alfa.id, period=SEPTEMBER)
    with pytest.raises(AccessDenied):
        reminders.send(store, actor=actor_for(store, email="lonn@alfa.no"), company_id=alfa.id, period=OCTOBER)
    cell = next(c for c in coverage.coverage(store, actor=CLI, today=TODAY).companies if c.name == "Alfa AS").cells[-1]
    assert cell.status == coverage.MISSING and cell.reminded is not None
    assert store.value("SELECT count(*) FROM audit_log WHERE action = 'reminder.send'") == 1


def test_a_second_reminder_for_the_same_period_asks_first(store, union):
    from services.errors import NeedsConfirmation

    alfa = union["Alfa AS"]
    staff = actor_for(store, user_id=users.add_user(store, actor=CLI, email="s@forbund.no", name="S", staff=True).id)
    first = datetime(2026, 11, 20, 9, 30)
    reminders.send(store, actor=staff, company_id=alfa.id, period=OCTOBER, now=first)
    with pytest.raises(NeedsConfirmation, match="fikk en påminnelse for oktober 2026 20.11.2026 10:30"):
        reminders.send(store, actor=staff, company_id=alfa.id, period=OCTOBER, now=first + timedelta(hours=1))
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'reminder'") == 1
    reminders.send(
        store, actor=staff, company_id=alfa.id, period=OCTOBER, confirmed=True, now=first + timedelta(hours=1)
    )
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'reminder'") == 2
    assert store.value("SELECT count(*) FROM audit_log WHERE action = 'reminder.again'") == 1


def test_the_sidecar_reminds_once_per_company_and_period_the_day_after_the_deadline(store, union, settings):
    alfa = union["Alfa AS"]
    send(store, union["Beta AS"], OCTOBER, datetime(2026, 11, 10, 9))
    # On the deadline itself nobody is reminded of October (September's reminder is due, though).
    assert reminders.due_period(store, date(2026, 11, 15)) == SEPTEMBER
    assert reminders.due_period(store, date(2026, 11, 16)) == OCTOBER
    # Two sidecars at once, twice over: one reminder for Alfa (Beta sent, Gamma has no users).
    db.close_all()

    def run():
        reminders.send_due(db.open_store(settings), today=date(2026, 11, 16))

    workers = [threading.Thread(target=run) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    store = db.open_store(settings)
    assert store.rows("SELECT company_id, period, auto_key, mails FROM reminders") == [(alfa.id, OCTOBER, "auto", 1)]
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'reminder'") == 1
    assert reminders.send_due(store, today=date(2026, 11, 30)) == 0
    # A later deadline setting moves the day.
    settings_store.set_value(store, actor=CLI, key="list_deadline_day", value="20")
    assert reminders.due_period(store, date(2026, 11, 16)) == SEPTEMBER
    with pytest.raises(InvalidInput, match="1 til 28"):
        settings_store.set_value(store, actor=CLI, key="list_deadline_day", value="31")
