import pytest

from services.access import CLI, Actor, require_company
from services.accounts import companies, users
from services.errors import AccessDenied, Conflict, InvalidInput, NotFound


def test_orgnr_is_checked_with_its_check_digit(store):
    with pytest.raises(InvalidInput, match="ikke gyldig"):
        companies.add_company(store, actor=CLI, orgnr="910000005", name="Feil AS")
    with pytest.raises(InvalidInput, match="ni sifre"):
        companies.add_company(store, actor=CLI, orgnr="12345", name="Kort AS")
    company = companies.add_company(store, actor=CLI, orgnr="910 000 004", name="Riktig AS")
    assert company.orgnr == "910000004"
    with pytest.raises(Conflict):
        companies.add_company(store, actor=CLI, orgnr="910000004", name="Igjen AS")


def test_add_user_with_companies_and_duplicate_email(store, company):
    user = users.add_user(store, actor=CLI, email=" Kari@Firma.NO ", name="Kari", company_orgnrs=["910000004"])
    assert user.email == "kari@firma.no" and user.role == "employer"
    with pytest.raises(Conflict):
        users.add_user(store, actor=CLI, email="kari@firma.no", name="Kari igjen")
    with pytest.raises(NotFound):
        users.add_user(store, actor=CLI, email="ola@firma.no", name="Ola", company_orgnrs=["920000002"])
    # nothing of the refused user was written
    assert users.find_by_email(store, email="ola@firma.no") is None


def test_company_access_follows_grants(store, company):
    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Annen AS")
    user = users.add_user(store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    actor = Actor(user.id, user.email, user.role)
    assert [c.name for c in companies.for_user(store, actor=actor)] == ["Help Forsikring AS"]
    with pytest.raises(AccessDenied):
        require_company(store, actor=actor, company_id=other.id)
    with pytest.raises(AccessDenied):
        companies.get(store, actor=actor, company_id=other.id)
    users.grant(store, actor=CLI, email="kari@firma.no", orgnr="920000002")
    assert len(companies.for_user(store, actor=actor)) == 2
    users.revoke(store, actor=CLI, email="kari@firma.no", orgnr="910000004")
    assert [c.name for c in companies.for_user(store, actor=actor)] == ["Annen AS"]
    actions = [r[0] for r in store.rows("SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("access.grant") == 2 and "access.revoke" in actions


def test_employers_cannot_administer(store, company):
    user = users.add_user(store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    actor = Actor(user.id, user.email, user.role)
    with pytest.raises(AccessDenied):
        companies.add_company(store, actor=actor, orgnr="920000002", name="X")
    with pytest.raises(AccessDenied):
        users.grant(store, actor=actor, email="kari@firma.no", orgnr="910000004")
    with pytest.raises(AccessDenied):
        users.overview(store, actor=actor)


def test_granting_access_twice_says_so(store):
    from services.access import CLI
    from services.accounts import companies, users

    companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(store, actor=CLI, email="kari@firma.no", name="Kari")
    assert users.grant(store, actor=CLI, email="kari@firma.no", orgnr="910000004") is True
    assert users.grant(store, actor=CLI, email="kari@firma.no", orgnr="910000004") is False
    assert users.revoke(store, actor=CLI, email="kari@firma.no", orgnr="910000004") is True
    assert users.revoke(store, actor=CLI, email="kari@firma.no", orgnr="910000004") is False


def test_staff_edit_a_company(store, company):
    from datetime import date

    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
    edited = companies.update_company(
        store,
        actor=CLI,
        company_id=company.id,
        name="  Help Forsikring ASA ",
        orgnr="910 000 004",
        contact_emails="Lonn@Help.no,\nokonomi@help.no, lonn@help.no",
        active_from=date(2026, 3, 17),
    )
    assert (edited.name, edited.contact_emails, edited.active_from) == (
        "Help Forsikring ASA",
        ["lonn@help.no", "okonomi@help.no"],
        date(2026, 3, 1),
    )
    assert companies.details(store, actor=CLI, company_id=company.id) == edited
    assert companies.start_period(store, company_id=company.id) == date(2026, 3, 1)
    with pytest.raises(Conflict, match="En annen bedrift"):
        companies.update_company(store, actor=CLI, company_id=company.id, name="X", orgnr=other.orgnr)
    with pytest.raises(InvalidInput, match="Fyll inn bedriftens navn"):
        companies.update_company(store, actor=CLI, company_id=company.id, name=" ", orgnr=company.orgnr)
    with pytest.raises(InvalidInput, match="høyst 200 tegn"):
        companies.update_company(store, actor=CLI, company_id=company.id, name="A" * 201, orgnr=company.orgnr)
    employer = users.add_user(store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=[company.orgnr])
    with pytest.raises(AccessDenied):
        companies.update_company(
            store,
            actor=Actor(employer.id, employer.email, "employer"),
            company_id=company.id,
            name="Mitt AS",
            orgnr=company.orgnr,
        )
    assert store.value("SELECT name FROM companies WHERE id = ?", [company.id]) == "Help Forsikring ASA"


def test_staff_edit_a_user_and_set_their_companies(store, company):
    from services.accounts import sessions
    from services.db import utcnow

    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
    kari = users.add_user(store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=[company.orgnr])
    users.add_user(store, actor=CLI, email="ola@firma.no", name="Ola")
    live = sessions.start(store, user_id=kari.id, cookie_expiry=sessions.expiry_for(utcnow()))
    edited = users.update_user(
        store, actor=CLI, user_id=kari.id, name="Kari Nordmann", email="Kari.N@Firma.no", company_ids=[other.id]
    )
    assert (edited.name, edited.email) == ("Kari Nordmann", "kari.n@firma.no")
    assert [c.name for c in companies.for_user(store, actor=Actor(kari.id, edited.email, "employer"))] == [
        "Nordsjø Service AS"
    ]
    # Logged in under the old address: that session ends.
    assert not sessions.is_live(store, session_id=live.id)
    with pytest.raises(Conflict, match="allerede registrert"):
        users.update_user(store, actor=CLI, user_id=kari.id, name="Kari", email="ola@firma.no")
    with pytest.raises(NotFound):
        users.update_user(store, actor=CLI, user_id=kari.id, name="Kari", email="kari.n@firma.no", company_ids=[999])
    # Nothing of a refused edit was written.
    assert [c.name for c in companies.for_user(store, actor=Actor(kari.id, edited.email, "employer"))] == [
        "Nordsjø Service AS"
    ]
    actions = [r[0] for r in store.rows("SELECT action FROM audit_log WHERE target = 'kari.n@firma.no' ORDER BY id")]
    assert actions == ["user.update", "access.grant", "access.revoke"]
