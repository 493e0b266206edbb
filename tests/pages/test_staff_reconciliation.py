"""Staff follow up a period: answers, handled, reopened, employment ended in the register."""

from datetime import date

from services import localtime, periods
from services.access import CLI, Actor
from services.accounts import companies, users
from services.lists import submissions
from services.register import answers, members
from tests import listfiles
from tests.pages.conftest import activate, button, log_in, new_app, texts


def test_staff_see_answers_and_end_an_employment(app_store):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    kari = users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    per = members.add_member(
        app_store,
        actor=CLI,
        member_no="1003",
        name="Hansen, Per",
        company_id=company.id,
        national_id=listfiles.make_fnr(date(1983, 2, 14)),
        valid_from=date(2020, 1, 1),
    )
    period = periods.previous(localtime.today())
    stranger = listfiles.make_fnr(date(1999, 9, 9))
    employer = Actor(kari.id, kari.email, kari.role)
    submissions.submit(
        app_store,
        actor=employer,
        company_id=company.id,
        period=period,
        contact_email="kari@firma.no",
        uploads=[submissions.Upload("l.csv", f"Fnr;Navn;Trekk\n{stranger};Ny, Person;390\n".encode())],
    )
    [item] = answers.utrukne(app_store, actor=employer, company_id=company.id, answered=False)
    # First «Permittert», then corrected to «Sluttet i bedrift» before the union handled it.
    answers.answer(app_store, actor=employer, company_id=company.id, answers={item.id: ("permittert", "")})
    answers.answer(app_store, actor=employer, company_id=company.id, answers={item.id: ("sluttet", "")})
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.switch_page("pages/staff/reconciliation.py")
    at.run()
    shown = texts(at)
    assert "Utrukne (1)" in shown and "**Hansen, Per** (14.02.1983), medlem 1003: Sluttet i bedrift" in shown
    [history] = [e for e in at.expander if e.label.startswith("Alle svar bedriften har gitt")]
    assert list(history.dataframe[0].value["Status"]) == ["Sluttet i bedrift", "Permittert"]
    assert "Ukjente på listen (1)" in shown and "Ny, Person" in shown
    button(at, "Avslutt ansettelsen i registeret").click()
    at.run()
    assert app_store.value("SELECT valid_to FROM employments WHERE member_id = ?", [per]) is not None
    button(at, "Merk behandlet").click()
    at.run()
    assert "behandlet" in texts(at)
    button(at, "Åpne igjen").click()
    at.run()
    assert "Ikke besvart" in texts(at)


def test_a_manual_list_offers_its_rows_to_be_keyed_in(app_store, tmp_path):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    scanned = listfiles.pdf(tmp_path / "skannet.pdf", ["Trekkliste", "Se vedlagt papirliste"])
    submissions.submit(
        app_store,
        actor=CLI,
        company_id=company.id,
        period=periods.previous(localtime.today()),
        contact_email="kari@firma.no",
        uploads=[submissions.Upload("skannet.pdf", scanned.read_bytes())],
    )
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.switch_page("pages/staff/reconciliation.py")
    at.run()
    assert "Til manuell behandling: **Help Forsikring AS**" in texts(at)
    assert [e.label for e in at.expander if e.label == "Skriv inn radene fra listen"]
    button(at, "Lagre radene").click()
    at.run()
    assert not at.exception
    assert "Skriv inn minst én rad før du lagrer." in texts(at)
    assert app_store.value("SELECT manual_done_at FROM submissions") is None
