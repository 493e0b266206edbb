"""«Brev til bedrifter»: a template letter previewed before it is made."""

from services.access import CLI
from services.accounts import companies, users
from tests.pages.conftest import activate, button, log_in, new_app, texts


def test_a_template_letter_is_previewed_and_nothing_is_sent(app_store):
    companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.switch_page("pages/staff/letters.py")
    at.run()
    at.selectbox[0].select("Help Forsikring AS (910000004)")
    at.run()
    [pasted] = [t for t in at.text_area if t.label.startswith("Eller lim inn")]
    pasted.input("Bø, Øystein;23.11.2001;12.2026;1,3 %")
    button(at, "Forhåndsvis").click()
    at.run()
    assert not at.exception
    assert "Forhåndsvisning: brevet er ikke sendt." in texts(at)
    assert len(at.get("image")) == 1
    assert app_store.value("SELECT count(*) FROM letters") == 0
    button(at, "Lag brev").click()
    at.run()
    assert app_store.value("SELECT count(*) FROM letters") == 1
