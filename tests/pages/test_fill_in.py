"""«Registrer trekk i portalen» as a page: the expected members with last period's amounts,
edited, a person added, one marked not deducted, sent; stored and reconciled like an upload."""

from datetime import date
from decimal import Decimal

import pytest

from services import localtime, periods
from services.access import CLI, Actor
from services.accounts import companies, users
from services.lists import submissions
from services.register import members
from tests import listfiles
from tests.pages.conftest import activate, button, log_in, new_app, texts

PEOPLE = [("Berg, Anne", date(1980, 1, 10)), ("Hansen, Per", date(1981, 2, 11)), ("Lie, Tone", date(1982, 3, 12))]
THIS = periods.previous(localtime.today())
BEFORE = periods.add_months(THIS, -1)


@pytest.fixture
def at(app_store):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    user = users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    for n, (name, born) in enumerate(PEOPLE):
        members.add_member(
            app_store,
            actor=CLI,
            member_no=str(500 + n),
            name=name,
            company_id=company.id,
            national_id=listfiles.make_fnr(born),
            valid_from=date(2020, 1, 1),
        )
    rows = "".join(f"{listfiles.make_fnr(born)};{name};{400 + 10 * n},00\n" for n, (name, born) in enumerate(PEOPLE))
    submissions.submit(
        app_store,
        actor=Actor(user.id, user.email, user.role),
        company_id=company.id,
        period=BEFORE,
        contact_email=user.email,
        uploads=[submissions.Upload("forrige.csv", f"Fnr;Navn;Trekk\n{rows}".encode())],
    )
    activate(app_store, "kari@firma.no")
    app = log_in(new_app(), "kari@firma.no")
    app.switch_page("pages/employer/fill_in.py")
    return app.run()


def test_a_list_filled_in_and_sent(at, app_store):
    assert not at.exception
    [members_table, new_table] = at.data_editor
    shown = members_table.value
    assert list(shown["Navn"]) == [name for name, _ in PEOPLE]
    assert list(shown["Beløp"]) == ["400,00", "410,00", "420,00"]
    # Member number, name and birth date; never a fødselsnummer.
    assert not any(listfiles.make_fnr(born) in shown.to_string() for _, born in PEOPLE)
    assert "3 personer · sum 1\u00a0230,00\u00a0kr" in texts(at)
    newcomer = listfiles.make_fnr(date(1999, 9, 9))
    at.session_state[members_table.key] = {
        "edited_rows": {1: {"Beløp": 450.5}, 2: {"Trukket?": "Permittert"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.session_state[new_table.key] = {
        "edited_rows": {},
        "added_rows": [{"Fødselsnummer": newcomer, "Navn": "Ny, Nina", "Beløp": 380.0}],
        "deleted_rows": [],
    }
    at.run()
    assert "3 personer · sum 1\u00a0230,50\u00a0kr" in texts(at)
    button(at, "Send inn").click()
    at.run()
    assert not at.exception
    assert "Trekklisten for Help Forsikring AS (910000004) er sendt inn for" in texts(at)
    latest = app_store.value("SELECT max(id) FROM submissions")
    rows = app_store.rows("SELECT name, amount FROM submission_rows WHERE submission_id = ? ORDER BY line", [latest])
    assert rows == [
        ("Berg, Anne", Decimal("400.00")),
        ("Hansen, Per", Decimal("450.50")),
        ("Ny, Nina", Decimal("380.00")),
    ]
    assert app_store.row(
        "SELECT name, status FROM reconciliation_items WHERE kind = 'utrukket' AND period = ?", [THIS]
    ) == ("Lie, Tone", "permittert")
    assert app_store.value("SELECT count(*) FROM outbox WHERE kind = 'receipt'") == 2


def test_a_missing_amount_is_named_and_nothing_sent(at, app_store):
    [members_table, _] = at.data_editor
    at.session_state[members_table.key] = {"edited_rows": {0: {"Beløp": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    lists = app_store.value("SELECT count(*) FROM submissions")
    button(at, "Send inn").click()
    at.run()
    # Shown as plain text: the colon is escaped for Markdown.
    assert "Berg, Anne\\: fyll inn beløp, eller velg hvorfor medlemmet ikke er trukket." in texts(at)
    assert app_store.value("SELECT count(*) FROM submissions") == lists
