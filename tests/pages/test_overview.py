"""«Oversikt»: the heat-map of who has sent what, and a reminder sent from it."""

from services.access import CLI
from services.accounts import companies, users
from tests.pages.conftest import activate, button, log_in, new_app, texts


def test_a_missing_company_is_reminded_from_the_overview(app_store):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    app_store.transaction(lambda tx: tx.execute("UPDATE companies SET created_at = TIMESTAMP '2024-01-01 08:00:00'"))
    users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=[company.orgnr])
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.switch_page("pages/staff/overview.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Oversikt" and "Fristen er den 15." in texts(at)
    at.selectbox(key="overview_company_choice").select(company.id)
    at.run()
    assert "Help Forsikring AS (910000004)" in texts(at)
    button(at, "Send påminnelse").click()
    at.run()
    assert not at.exception
    assert "er sendt til 1 e-postadresse i Help Forsikring AS" in texts(at)
    assert app_store.value("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND to_addr = 'kari@firma.no'") == 1
