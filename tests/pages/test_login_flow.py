import pytest

from services.access import CLI
from services.accounts import companies, users
from services.text import masked_email, plain
from tests.helpers import latest_code, mail_count
from tests.pages.conftest import PASSWORD, activate, button, log_in, new_app, texts


@pytest.fixture
def employer(app_store):
    companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    companies.add_company(app_store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
    companies.add_company(app_store, actor=CLI, orgnr="930000000", name="Fjord Kjemi AS")
    return users.add_user(
        app_store, actor=CLI, email="kari@firma.no", name="Kari Nordmann", company_orgnrs=["910000004", "920000002"]
    )


def test_activation_declaration_and_login_through_the_pages(app_store, employer):
    at = new_app()
    assert "Innlogging" in texts(at)
    button(at, "Klikk her for å aktivere din brukerkonto").click()
    at.run()
    assert "Aktiver brukerkonto" in texts(at)
    at.text_input(key="code_email").input("kari@firma.no")
    button(at, "Send engangskode").click()
    at.run()
    assert "Fyll den inn i feltet under" in texts(at)
    fields = {t.label: t for t in at.text_input}
    fields["Engangskode:"].input(latest_code(app_store, "kari@firma.no"))
    fields["Nytt passord:"].input(PASSWORD)
    fields["Bekreft nytt passord:"].input(PASSWORD)
    button(at, "Sett nytt passord").click()
    at.run()
    assert "Passordet er satt" in texts(at)

    log_in(at, "kari@firma.no")
    assert not at.exception
    assert "Taushetserklæring" in texts(at)
    assert not [b for b in at.button if b.label == "Innsending"]
    button(at, "Ok").click()
    at.run()
    assert "Du må krysse av" in texts(at)
    at.checkbox[0].check()
    button(at, "Ok").click()
    at.run()
    assert "Help Forsikring AS" in texts(at)


def test_wrong_password_is_refused(app_store, employer):
    activate(app_store, employer.email)
    at = log_in(new_app(), employer.email, "feil-passord")
    assert "Feil e-post eller passord." in texts(at)


def test_lockout_is_shown_and_survives_a_new_session(app_store, employer):
    activate(app_store, employer.email)
    at = new_app()
    for _ in range(5):
        at = log_in(at, employer.email, "feil-passord")
    assert "midlertidig sperret" in texts(at)
    fresh = log_in(new_app(), employer.email, PASSWORD)
    assert "midlertidig sperret" in texts(fresh)
    assert "Help Forsikring AS" not in texts(fresh)


def test_unknown_address_gets_the_same_answer(app_store, employer):
    answers = []
    for address in ("kari@firma.no", "ukjent@firma.no"):
        at = new_app()
        button(at, "Glemt passord").click()
        at.run()
        assert "Glemt passord" in texts(at)
        at.text_input(key="code_email").input(address)
        button(at, "Send engangskode").click()
        at.run()
        # The address as typed is shown masked; beyond that, not a character differs.
        masked = plain(masked_email(address))
        answers.append([e.value.replace(masked, "ADRESSE") for e in at.info])
    assert answers[0] == answers[1] and "ADRESSE" in answers[0][0]
    assert mail_count(app_store, "ukjent@firma.no") == 0


def test_company_switcher_lists_only_granted_companies_and_holds(app_store, employer):
    activate(app_store, employer.email)
    at = log_in(new_app(), employer.email)
    switcher = at.selectbox(key="_company_choice")
    names = list(switcher.options)
    assert names == ["Help Forsikring AS (910000004)", "Nordsjø Service AS (920000002)"]
    assert "Om det ikke er mulig å velge andre bedrifter" in texts(at)
    assert at.query_params["bedrift"] == "910000004"
    switcher.select_index(1)
    at.run()
    assert at.title[0].value == "Nordsjø Service AS"
    # The URL names the company now: a reload keeps it.
    assert at.query_params["bedrift"] == "920000002"
    assert "**Nordsjø Service AS** · org.nr. 920000002" in texts(at)
    at.run()
    assert at.title[0].value == "Nordsjø Service AS"


def test_the_company_in_the_url_is_chosen_in_a_new_session(app_store, employer):
    activate(app_store, employer.email)
    at = new_app()
    at.query_params["bedrift"] = "920000002"
    at = log_in(at, employer.email)
    assert at.title[0].value == "Nordsjø Service AS"
    assert at.selectbox(key="_company_choice").value == app_store.value(
        "SELECT id FROM companies WHERE orgnr = '920000002'"
    )


def test_a_company_in_the_url_without_access_is_refused_and_named(app_store, employer):
    activate(app_store, employer.email)
    at = new_app()
    at.query_params["bedrift"] = "930000000"  # Fjord Kjemi AS: not Kari's
    at = log_in(at, employer.email)
    assert "Du har ikke tilgang til bedriften med organisasjonsnummer 930000000" in texts(at)
    assert "Fjord Kjemi" not in texts(at)
    assert at.title[0].value == "Help Forsikring AS"
    assert at.query_params["bedrift"] == "910000004"


def test_single_company_is_just_shown(app_store, employer):
    users.revoke(app_store, actor=CLI, email=employer.email, orgnr="920000002")
    activate(app_store, employer.email)
    at = log_in(new_app(), employer.email)
    assert not [s for s in at.selectbox if s.key == "_company_choice"]
    assert "**Help Forsikring AS** · org.nr. 910000004" in texts(at)


def test_employer_cannot_open_the_staff_page(app_store, employer):
    activate(app_store, employer.email)
    at = log_in(new_app(), employer.email)
    # The page is not registered for an employer, so there is nothing to open.
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        at.switch_page("pages/staff/admin.py")
    known = str(refused.value).split("Known pages")[1]
    # The staff page's address only forwards an employer to the start page; its script is not registered.
    assert "pages/employer/home.py" in known and "pages/staff/" not in known
    at.run()
    assert at.title[0].value == "Help Forsikring AS"


def test_staff_sees_administration(app_store, employer):
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    assert at.title[0].value == "Administrasjon"
    assert not at.exception


def test_logout_ends_the_session_in_the_store(app_store, employer):
    activate(app_store, employer.email)
    at = log_in(new_app(), employer.email)
    assert app_store.value("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 1
    at.button(key="portal_logout").click()
    at.run()
    assert "Du er logget ut." in texts(at)
    assert "Innlogging" in texts(at)
    assert app_store.value("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 0


def test_a_new_code_once_the_minute_has_passed(app_store, employer):
    at = new_app()
    button(at, "Klikk her for å aktivere din brukerkonto").click()
    at.run()
    at.text_input(key="code_email").input("kari@firma.no")
    button(at, "Send engangskode").click()
    at.run()
    assert "Hvis k\\*\\*\\*\\@" in texts(at)
    waiting = at.button(key="resend_waiting")
    assert waiting.disabled and waiting.label.startswith("Send ny kode (om ")
    # A minute later (for the page and for the store's own limit): the button sends a new code.
    at.session_state["code_requested_at"] -= 61
    app_store.execute("UPDATE access_codes SET created_at = created_at - INTERVAL '2 minutes'")
    at.run()
    assert not at.button(key="resend_code").disabled
    at.button(key="resend_code").click()
    at.run()
    assert app_store.value("SELECT count(*) FROM outbox WHERE to_addr = 'kari@firma.no'") == 2
    assert at.button(key="resend_waiting").disabled
