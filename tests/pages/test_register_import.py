"""«Medlemsregister»: a register imported twice, then a full register that ends what it no longer
has: the preview names whom before anything changes, and counts only real changes as updated."""

from datetime import date

from services.access import CLI
from services.accounts import companies, users
from tests import listfiles
from tests.pages.conftest import activate, button, log_in, new_app, texts

OLA, KARI, PER = (listfiles.make_fnr(date(1980 + n, 1 + n, 1 + n)) for n in range(3))


def register(rows: list[str]) -> bytes:
    lines = ["Medlemsnr;Fødselsnummer;Etternavn;Fornavn;Orgnr;Fra dato;Til dato;Sats", *rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


FIRST = [
    f"1001;{OLA};Nordmann;Ola;910000004;01.01.2020;;",
    f"1002;{KARI};Ås;Kari;910000004;01.01.2021;;",
    f"1003;{PER};Hansen;Per;910000004;01.01.2022;;",
]
# Kari changes her name, Ola is as before, Per is gone from the union's register.
FULL = [f"1001;{OLA};Nordmann;Ola;910000004;01.01.2020;;", f"1002;{KARI};Ås;Kari Marie;910000004;01.01.2021;;"]


def test_a_full_import_names_whom_it_ends_and_counts_real_changes(app_store):
    companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.switch_page("pages/staff/members.py")
    at.run()
    at.file_uploader[0].set_value([("register.csv", register(FIRST), "text/csv")])
    at.run()
    button(at, "Importer").click()
    at.run()
    assert "3 nye medlemmer, 0 oppdatert, 0 uendret." in texts(at)

    at.file_uploader[0].set_value([("fullt.csv", register(FULL), "text/csv")])
    at.checkbox(key="import_full").check()
    at.run()
    button(at, "Importer").click()
    at.run()
    assert "Fullstendig register: 0 nye, 1 oppdaterte og 1 uendrede medlemmer; 1 ansettelse og 1 medlemskap" in texts(
        at
    )
    ending = at.dataframe[0].value
    assert list(ending["Navn"]) == ["Hansen, Per", "Hansen, Per"]
    assert list(ending["Avsluttes"]) == ["Ansettelse i Help Forsikring AS", "Medlemskap"]
    assert app_store.value("SELECT count(*) FROM members WHERE member_to IS NOT NULL") == 0

    button(at, "Bekreft fullstendig import").click()
    at.run()
    assert "0 nye, 1 oppdatert, 1 uendret, 1 ansettelser og 1 medlemskap avsluttet." in texts(at)
    assert app_store.value("SELECT member_no FROM members WHERE member_to IS NOT NULL") == "1003"
