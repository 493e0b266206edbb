"""«Registrer trekk i portalen»: the expected members with last period's amounts, sent as an
ordinary list (parsed, stored, reconciled), statuses for those not deducted recorded with it,
and the Excel template read back unchanged by the parser."""

from datetime import date
from decimal import Decimal

import pytest

from services.access import CLI, Actor
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput
from services.lists import portal_list
from services.lists.portal_list import MemberLine, NewPerson
from services.reading.parsing import parse_bytes
from services.register import answers
from tests import listfiles
from tests.helpers import add_clerk, add_employer, add_members, other_company, send_list

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
TODAY = date(2026, 11, 20)
PEOPLE = [("Berg, Anne", date(1980, 1, 10)), ("Hansen, Per", date(1981, 2, 11)), ("Lie, Tone", date(1982, 3, 12))]


@pytest.fixture
def world(store):
    company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    other_company(store)
    add_members(store, company.id, [(str(500 + n), name, born) for n, (name, born) in enumerate(PEOPLE)])
    kari = add_clerk(store)
    september = "Fnr;Navn;Trekk\n" + "".join(
        f"{listfiles.make_fnr(born)};{name};{400 + 10 * n},00\n" for n, (name, born) in enumerate(PEOPLE[:2])
    )
    send_list(
        store,
        actor=kari,
        company_id=company.id,
        period=SEPTEMBER,
        text=september,
        today=TODAY,
        filename="september.csv",
    )
    return company, kari


def test_the_expected_members_with_last_periods_amounts(store, world):
    company, clerk = world
    found = portal_list.expected(store, actor=clerk, company_id=company.id, period=OCTOBER)
    assert [(m.name, m.birth_date, m.member_no, m.last_amount) for m in found] == [
        ("Berg, Anne", date(1980, 1, 10), "500", Decimal("400.00")),
        ("Hansen, Per", date(1981, 2, 11), "501", Decimal("410.00")),
        ("Lie, Tone", date(1982, 3, 12), "502", None),
    ]
    # Nothing on the record carries a fødselsnummer.
    assert not any(listfiles.make_fnr(born) in repr(found) for _, born in PEOPLE)


def test_sent_in_the_portal_is_stored_and_reconciled_like_an_upload(store, world):
    company, clerk = world
    found = {m.name: m for m in portal_list.expected(store, actor=clerk, company_id=company.id, period=OCTOBER)}
    newcomer = listfiles.make_fnr(date(1999, 9, 9))
    receipt = portal_list.submit(
        store,
        actor=clerk,
        company_id=company.id,
        period=OCTOBER,
        contact_email=clerk.email,
        members=[
            MemberLine(found["Berg, Anne"].member_id, Decimal("400.00")),
            MemberLine(found["Hansen, Per"].member_id, Decimal("450.50")),
            MemberLine(found["Lie, Tone"].member_id, None, "permittert"),
        ],
        new_people=[NewPerson(newcomer, "Ny, Nina", Decimal("380"))],
        today=TODAY,
    )
    assert (receipt.persons, receipt.total) == (3, Decimal("1230.50"))
    assert receipt.file_names == ["registrert-i-portalen-2026-10.xlsx"]
    stored = store.rows(
        "SELECT r.national_id, r.name, r.amount FROM submission_rows r WHERE r.submission_id = ? ORDER BY r.line",
        [receipt.submission_id],
    )
    assert [(n, a) for _, n, a in stored] == [
        ("Berg, Anne", Decimal("400.00")),
        ("Hansen, Per", Decimal("450.50")),
        ("Ny, Nina", Decimal("380.00")),
    ]
    assert stored[0][0] == listfiles.make_fnr(PEOPLE[0][1]) and stored[2][0] == newcomer
    # Lie was not deducted: an utrukket item, already answered «Permittert» by the clerk.
    [lie] = [u for u in answers.utrukne(store, actor=clerk, company_id=company.id, answered=True)]
    assert (lie.name, lie.status, lie.period) == ("Lie, Tone", "permittert", OCTOBER)
    open_october = answers.utrukne_page(store, actor=clerk, company_id=company.id, period=OCTOBER, show=answers.OPEN)
    assert open_october.total == 0
    assert [g.status for g in answers.history(store, actor=clerk, company_id=company.id)] == ["permittert"]


def test_every_line_is_checked_before_anything_is_written(store, world):
    company, clerk = world
    found = portal_list.expected(store, actor=clerk, company_id=company.id, period=OCTOBER)
    lists_before = store.value("SELECT count(*) FROM submissions")
    with pytest.raises(InvalidInput) as refused:
        portal_list.submit(
            store,
            actor=clerk,
            company_id=company.id,
            period=OCTOBER,
            contact_email=clerk.email,
            members=[
                MemberLine(found[0].member_id, Decimal("400")),
                MemberLine(found[1].member_id, None),
                MemberLine(found[2].member_id, None, "annet", ""),
            ],
            new_people=[NewPerson("12345678901", "Feil, Nummer", Decimal("100"))],
            today=TODAY,
        )
    message = str(refused.value)
    assert "Hansen, Per: fyll inn beløp" in message
    assert "Lie, Tone: skriv en kommentar" in message
    assert "Feil, Nummer: fødselsnummeret må ha 11 sifre og være gyldig" in message
    assert store.value("SELECT count(*) FROM submissions") == lists_before
    with pytest.raises(InvalidInput, match="minst én person"):
        portal_list.submit(
            store,
            actor=clerk,
            company_id=company.id,
            period=OCTOBER,
            contact_email=clerk.email,
            members=[MemberLine(m.member_id, None, "sluttet") for m in found],
            new_people=[],
            today=TODAY,
        )
    with pytest.raises(InvalidInput, match="ikke et tall"):
        portal_list.amount_of("fire hundre", who="Berg, Anne")
    assert portal_list.amount_of("620,50 kr", who="x") == Decimal("620.50")
    assert portal_list.amount_of("", who="x") is None


def test_the_template_is_read_back_unchanged(store, world):
    company, clerk = world
    data = portal_list.template(store, actor=clerk, company_id=company.id, period=OCTOBER)
    # One download, one record of it.
    assert store.rows("SELECT action FROM audit_log WHERE action LIKE 'portal_list.%'") == [("portal_list.template",)]
    result = parse_bytes(data, "mal.xlsx")
    assert result.ok, result.error
    read = [(r.birth_date, r.name, r.amount) for r in result.rows]
    assert read == [
        (date(1980, 1, 10), "Berg, Anne", Decimal("400.00")),
        (date(1981, 2, 11), "Hansen, Per", Decimal("410.00")),
        (date(1982, 3, 12), "Lie, Tone", None),
    ]


def test_another_company_cannot_see_or_send(store, world):
    company, _ = world
    ola = add_employer(store, "ola@nordsjo.no", ["920000002"])
    outsider = Actor(ola.id, ola.email, ola.role)
    with pytest.raises(AccessDenied):
        portal_list.expected(store, actor=outsider, company_id=company.id, period=OCTOBER)
    with pytest.raises(AccessDenied):
        portal_list.template(store, actor=outsider, company_id=company.id, period=OCTOBER)
    with pytest.raises(AccessDenied):
        portal_list.submit(
            store,
            actor=outsider,
            company_id=company.id,
            period=OCTOBER,
            contact_email=ola.email,
            members=[],
            new_people=[NewPerson(listfiles.make_fnr(date(1999, 9, 9)), "Ny", Decimal("1"))],
            today=TODAY,
        )


def test_a_member_listed_by_birth_date_and_name_gets_the_amount_too(store, world):
    company, clerk = world
    # September again, with no fødselsnummer for Lie: birth date and the name in another order.
    text = "Fødselsdato;Navn;Trekk\n12.03.1982;Tone Lie;455,00\n"
    send_list(store, actor=clerk, company_id=company.id, period=SEPTEMBER, text=text, today=TODAY, filename="b.csv")
    found = {
        m.name: m.last_amount for m in portal_list.expected(store, actor=clerk, company_id=company.id, period=OCTOBER)
    }
    assert found == {"Berg, Anne": Decimal("400.00"), "Hansen, Per": Decimal("410.00"), "Lie, Tone": Decimal("455.00")}
