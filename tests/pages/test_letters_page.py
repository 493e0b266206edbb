"""The employer's letter page: order, paging and the banner."""

from datetime import datetime, timedelta

from services.access import CLI
from services.accounts import companies, users
from services.letters import letters
from tests.pages.conftest import activate, button, log_in, new_app, texts

PDF = b"%PDF-1.4\n% stand-in\n"


def test_letters_page_order_and_paging(app_store):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    other = companies.add_company(app_store, actor=CLI, orgnr="920000002", name="Annen AS")
    users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    activate(app_store, "kari@firma.no")
    now = datetime.now()
    for n in range(25):
        letters.upload(
            app_store,
            actor=CLI,
            company_id=company.id,
            subject=f"Brev {n:02d}",
            pdf=PDF,
            now=now - timedelta(days=25 - n),
        )
    letters.upload(app_store, actor=CLI, company_id=other.id, subject="Annen bedrifts brev", pdf=PDF)

    at = log_in(new_app(), "kari@firma.no")
    at.switch_page("pages/employer/letters.py")
    at.run()
    shown = texts(at)
    assert "Brev er tilgjengelige i seks måneder fra de ble opprettet." in shown
    assert "Side 1 av 3" in shown
    labels = [b.label for b in at.get("download_button")]
    assert labels == [f"Brev {n:02d}" for n in range(24, 14, -1)]
    assert "Annen bedrifts brev" not in shown
    button(at, "Neste side").click()
    at.run()
    assert [b.label for b in at.get("download_button")] == [f"Brev {n:02d}" for n in range(14, 4, -1)]
    button(at, "Neste side").click()
    at.run()
    assert "Side 3 av 3" in texts(at)
    assert [b.label for b in at.get("download_button")] == [f"Brev {n:02d}" for n in range(4, -1, -1)]
