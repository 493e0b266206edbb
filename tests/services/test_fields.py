"""Free-text fields are checked in the services: clear words for an empty field, a length limit each."""

from datetime import date

import pytest

from services import fields
from services.access import CLI
from services.accounts import companies, email_address, users
from services.errors import InvalidInput
from services.letters import letters
from services.lists import submissions
from services.register import answers, members
from tests import listfiles
from tests.helpers import add_employer


def test_empty_fields_are_named_in_plain_words(store):
    with pytest.raises(InvalidInput, match="^Fyll inn e-post.$"):
        email_address.normalise_email("  ")
    with pytest.raises(InvalidInput, match="^Fyll inn organisasjonsnummer.$"):
        companies.normalise_orgnr("")
    with pytest.raises(InvalidInput, match="^Fyll inn bedriftens navn.$"):
        companies.add_company(store, actor=CLI, orgnr="910000004", name=" ")
    with pytest.raises(InvalidInput, match="^Fyll inn navn.$"):
        users.add_user(store, actor=CLI, email="kari@firma.no", name="")


def test_every_free_text_field_has_a_length_limit_in_the_service(store, company):
    too_long = "x" * (fields.NAME + 1)
    with pytest.raises(InvalidInput, match="høyst 200 tegn"):
        companies.add_company(store, actor=CLI, orgnr="920000002", name=too_long)
    with pytest.raises(InvalidInput, match="høyst 200 tegn"):
        users.add_user(store, actor=CLI, email="kari@firma.no", name=too_long)
    with pytest.raises(InvalidInput, match="høyst 254 tegn"):
        email_address.normalise_email("a" * 250 + "@firma.no")
    with pytest.raises(InvalidInput, match="høyst 200 tegn"):
        members.add_member(
            store,
            actor=CLI,
            member_no="1",
            national_id=listfiles.make_fnr(date(1980, 1, 1)),
            name=too_long,
            company_id=company.id,
            valid_from=date(2020, 1, 1),
        )
    with pytest.raises(InvalidInput, match="høyst 200 tegn"):
        letters.upload(store, actor=CLI, company_id=company.id, subject=too_long, pdf=b"%PDF-1.4\n")
    employer = add_employer(store)
    csv = f"Fnr;Navn;Trekk\n{listfiles.make_fnr(date(1999, 9, 9))};Ny, Person;390,00\n".encode()
    with pytest.raises(InvalidInput, match="Merknaden kan ha høyst 2000 tegn \\(nå 5600\\)"):
        submissions.submit(
            store,
            actor=CLI,
            company_id=company.id,
            period=date(2026, 10, 1),
            contact_email=employer.email,
            remark="m" * 5600,
            uploads=[submissions.Upload("l.csv", csv)],
            today=date(2026, 11, 15),
        )
    assert store.value("SELECT count(*) FROM submissions") == 0
    members.add_member(
        store,
        actor=CLI,
        member_no="2",
        national_id=listfiles.make_fnr(date(1981, 1, 1)),
        name="Nordmann, Ola",
        company_id=company.id,
        valid_from=date(2020, 1, 1),
    )
    submissions.submit(
        store,
        actor=CLI,
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email=employer.email,
        uploads=[submissions.Upload("l.csv", csv)],
        today=date(2026, 11, 15),
    )
    [item] = answers.utrukne(store, actor=CLI, company_id=company.id, answered=False)
    with pytest.raises(InvalidInput, match="Kommentaren kan ha høyst 500 tegn"):
        answers.answer(store, actor=CLI, company_id=company.id, answers={item.id: ("annet", "k" * 501)})
    assert store.value("SELECT count(*) FROM reconciliation_items WHERE status IS NOT NULL") == 0
