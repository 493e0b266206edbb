"""«Administrasjon»: staff edit a company and a user."""

from services.access import CLI
from services.accounts import companies, users
from tests.pages.conftest import activate, button, log_in, new_app, texts


def test_staff_edit_a_company_and_a_user(app_store):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    other = companies.add_company(app_store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
    kari = users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=[company.orgnr])
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.selectbox(key="edit_company_id").select(company.id)
    at.run()
    [name] = [t for t in at.text_input if t.label == "Navn" and t.value == "Help Forsikring AS"]
    name.input("Help Forsikring ASA")
    [contacts] = [t for t in at.text_area if t.label.startswith("Kontaktadresser")]
    contacts.input("okonomi@help.no")
    button(at, "Lagre bedrift").click()
    at.run()
    assert not at.exception
    assert "Help Forsikring ASA er lagret." in texts(at)
    assert app_store.row("SELECT name, contact_emails FROM companies WHERE id = ?", [company.id]) == (
        "Help Forsikring ASA",
        "okonomi@help.no",
    )

    at.selectbox(key="edit_user_id").select(kari.id)
    at.run()
    [access] = [m for m in at.multiselect if m.label == "Bedrifter brukeren har tilgang til"]
    access.select(other.id)
    button(at, "Lagre bruker").click()
    at.run()
    assert not at.exception
    assert "Kari (kari" in texts(at) and "firma.no) er lagret." in texts(at)
    assert users.company_ids(app_store, actor=CLI, user_id=kari.id) == [company.id, other.id]


def test_a_saved_message_naming_a_company_is_plain_text(app_store):
    from services.text import plain

    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.selectbox(key="edit_company_id").select(company.id)
    at.run()
    payload = "Ny [klikk](http://evil.test/lenke) **fet** AS"
    [name] = [t for t in at.text_input if t.label == "Navn" and t.value == "Help Forsikring AS"]
    name.input(payload)
    button(at, "Lagre bedrift").click()
    at.run()
    [saved] = [s.value for s in at.success if "er lagret" in s.value]
    assert saved == plain(f"{payload} er lagret.")


def test_staff_see_and_reset_a_companys_own_columns(app_store):
    from services.access import Actor
    from services.lists import layouts
    from tests.services.lists.test_layouts import COLUMNS, OCTOBER

    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    kari = users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=[company.orgnr])
    layouts.remember(
        app_store,
        actor=Actor(kari.id, kari.email, kari.role),
        company_id=company.id,
        data=OCTOBER,
        filename="oktober.csv",
        sheet=0,
        header_row=1,
        columns=COLUMNS,
    )
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    at.selectbox(key="edit_company_id").select(company.id)
    at.run()
    shown = texts(at)
    assert "Fødselsnummer\\: kolonne A, Navn\\: kolonne B, Beløp (trekk)\\: kolonne C" in shown
    assert "Valgt av Kari" in shown
    [reset] = [b for b in at.button if b.label == "Nullstill"]
    reset.click()
    at.run()
    assert "Kolonnevalget er nullstilt." in texts(at)
    assert app_store.value("SELECT count(*) FROM column_layouts") == 0


def test_a_registered_company_is_in_the_table_with_the_message(app_store):
    """The table above the form shows the new company in the same run as «… er registrert»."""
    companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    activate(app_store, "stab@forbund.no")
    at = log_in(new_app(), "stab@forbund.no")
    # The form «Ny bedrift»: the first fields so labelled on the page.
    orgnr = next(t for t in at.text_input if t.label == "Organisasjonsnummer")
    name = next(t for t in at.text_input if t.label == "Navn")
    orgnr.input("920000002")
    name.input("Nordsjø Service AS")
    button(at, "Registrer bedrift").click()
    at.run()
    assert "Nordsjø Service AS er registrert." in texts(at)
    assert list(at.dataframe[0].value["Navn"]) == ["Help Forsikring AS", "Nordsjø Service AS"]
