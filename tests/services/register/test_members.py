from datetime import date

import pytest

from services.access import CLI, Actor
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput
from services.register import members
from tests import listfiles
from tests.helpers import add_employer

OLA = listfiles.make_fnr(date(1990, 1, 1))
KARI = listfiles.make_fnr(date(1975, 3, 9))


@pytest.fixture
def two_companies(store, company):
    return company, companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")


def register_csv(rows):
    lines = ["Medlemsnr;Fødselsnummer;Etternavn;Fornavn;Orgnr;Fra dato;Til dato;Sats"] + rows
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_import_reports_bad_rows_and_imports_the_rest(store, two_companies):
    data = register_csv(
        [
            f"1001;{OLA};Nordmann;Ola;910000004;01.01.2020;;ordinær",
            f"1002;{KARI};Ås;Kjersti;920000002;01.06.2021;;kombinert",
            f"1003;{listfiles.break_check_digit(OLA)};Feil;Nummer;910000004;01.01.2020;;",
            f"1004;{listfiles.make_fnr(date(1980, 5, 5))};Ukjent;Bedrift;930000000;01.01.2020;;",
        ]
    )
    report = members.import_register(store, actor=CLI, data=data, filename="register.csv")
    assert (report.imported, report.updated) == (2, 0)
    assert [line for line, _ in report.problems] == [4, 5]
    assert "ugyldig fødselsnummer" in report.problems[0][1] and "930000000" in report.problems[1][1]
    rows = members.register(store, actor=CLI)
    assert [(r.member_no, r.name, r.company, r.rate_class) for r in rows] == [
        ("1001", "Nordmann, Ola", "Help Forsikring AS", "ordinær"),
        ("1002", "Ås, Kjersti", "Nordsjø Service AS", "kombinert"),
    ]


def test_reimport_updates_by_member_number_and_records_a_move(store, two_companies):
    members.import_register(
        store, actor=CLI, data=register_csv([f"1001;{OLA};Nordmann;Ola;910000004;01.01.2020;;"]), filename="a.csv"
    )
    # A full export of the register: the employment it no longer has ends the day before the new one.
    report = members.import_register(
        store,
        actor=CLI,
        filename="b.csv",
        data=register_csv([f"1001;{OLA};Nordmann;Ola Johan;920000002;01.10.2026;;"]),
        full=True,
    )
    assert (report.imported, report.updated) == (0, 1)
    assert store.value("SELECT count(*) FROM members") == 1
    rows = members.register(store, actor=CLI)
    assert [(r.company, r.valid_from, r.valid_to) for r in rows] == [
        ("Help Forsikring AS", date(2020, 1, 1), date(2026, 9, 30)),
        ("Nordsjø Service AS", date(2026, 10, 1), None),
    ]
    assert rows[0].name == "Nordmann, Ola Johan"
    again = members.import_register(
        store, actor=CLI, filename="b.csv", data=register_csv([f"1001;{OLA};Nordmann;Ola Johan;920000002;01.10.2026;;"])
    )
    # The same file again changes nothing: it is counted as unchanged, not as updated.
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    assert store.value("SELECT count(*) FROM employments") == 2


def test_add_end_and_move_by_hand(store, two_companies):
    first, second = two_companies
    member_id = members.add_member(
        store,
        actor=CLI,
        member_no="2001",
        national_id=KARI,
        name="Ås, Kjersti",
        company_id=first.id,
        valid_from=date(2024, 1, 1),
    )
    members.move(store, actor=CLI, member_id=member_id, to_company_id=second.id, first_day=date(2026, 11, 16))
    members.end_employment(store, actor=CLI, member_id=member_id, company_id=second.id, last_day=date(2026, 12, 31))
    spans = store.rows("SELECT company_id, valid_from, valid_to FROM employments ORDER BY valid_from")
    assert spans == [
        (first.id, date(2024, 1, 1), date(2026, 11, 15)),
        (second.id, date(2026, 11, 16), date(2026, 12, 31)),
    ]
    with pytest.raises(InvalidInput):
        members.add_member(
            store,
            actor=CLI,
            member_no="2002",
            national_id="12345678901",
            name="X",
            company_id=first.id,
            valid_from=date(2024, 1, 1),
        )


def test_a_file_that_is_not_a_register(store, two_companies):
    with pytest.raises(InvalidInput, match="medlemsnummer"):
        members.import_register(store, actor=CLI, data=b"Vare;Pris\r\nSkrue;1\r\n", filename="x.csv")


def test_only_staff_see_or_change_the_register(store, two_companies):
    from services.access import Actor

    user = add_employer(store)
    employer = Actor(user.id, user.email, user.role)
    with pytest.raises(AccessDenied):
        members.register(store, actor=employer)
    with pytest.raises(AccessDenied):
        members.import_register(store, actor=employer, data=register_csv([]), filename="x.csv")


def test_adding_by_hand_never_overwrites_and_a_move_needs_another_company(store, two_companies):
    from services.errors import Conflict

    a, b = two_companies
    first = members.add_member(
        store,
        actor=CLI,
        member_no="1001",
        national_id=OLA,
        name="Nordmann, Ola",
        company_id=a.id,
        valid_from=date(2020, 1, 1),
    )
    with pytest.raises(Conflict, match="allerede registrert på Nordmann, Ola"):
        members.add_member(
            store,
            actor=CLI,
            member_no="1001",
            national_id=listfiles.make_fnr(date(1977, 7, 7)),
            name="Annen, Person",
            company_id=b.id,
            valid_from=date(2026, 1, 1),
        )
    with pytest.raises(Conflict, match="medlemsnummer 1001"):
        members.add_member(
            store,
            actor=CLI,
            member_no="2002",
            national_id=OLA,
            name="Nordmann, Ola",
            company_id=b.id,
            valid_from=date(2026, 1, 1),
        )
    with pytest.raises(Conflict, match="allerede ansatt"):
        members.move(store, actor=CLI, member_id=first, to_company_id=a.id, first_day=date(2026, 10, 1))
    assert store.value("SELECT name FROM members WHERE member_no = '1001'") == "Nordmann, Ola"
    assert store.value("SELECT count(*) FROM employments") == 1


def test_the_register_is_filtered_and_paged_in_the_database(store, two_companies):
    first, second = two_companies
    rows = [
        f"{2000 + n};{listfiles.make_fnr(date(1960 + n, 1, 1))};Medlem{n:02d};Ola;910000004;01.01.2020;;"
        for n in range(25)
    ]
    rows.append(f"3000;{listfiles.make_fnr(date(1990, 6, 6))};Ås;Kjersti;920000002;01.01.2020;31.12.2025;")
    members.import_register(store, actor=CLI, data=register_csv(rows), filename="register.csv")
    page = members.register_page(store, actor=CLI, page_size=10)
    assert (page.total, page.pages, len(page.entries)) == (26, 3, 10)
    last = members.register_page(store, actor=CLI, page_size=10, page=9)
    assert (last.page, len(last.entries)) == (2, 6)
    assert [e.name for e in members.register_page(store, actor=CLI, search="kjersti").entries] == ["Ås, Kjersti"]
    assert members.register_page(store, actor=CLI, search="nordsjø").total == 1
    assert members.register_page(store, actor=CLI, search="2003").entries[0].member_no == "2003"
    assert members.register_page(store, actor=CLI, company_id=second.id).total == 1
    assert members.register_page(store, actor=CLI, only_current=True).total == 25
    with pytest.raises(AccessDenied):
        members.register_page(store, actor=Actor(None, "x@firma.no", "employer"))


def test_an_import_reports_a_fodselsnummer_owned_by_another_member_by_line(store, two_companies):
    members.import_register(
        store, actor=CLI, data=register_csv([f"1001;{OLA};Nordmann;Ola;910000004;01.01.2020;;"]), filename="a.csv"
    )
    report = members.import_register(
        store,
        actor=CLI,
        filename="b.csv",
        data=register_csv(
            [
                f"1005;{OLA};Nordmann;Ola;920000002;01.01.2021;;",  # Ola again, under another number
                f"1002;{KARI};Ås;Kjersti;920000002;01.06.2021;;",
                f"1003;{KARI};Ås;Kjersti;910000004;01.06.2021;;",  # the same person twice in the file
            ]
        ),
    )
    assert (report.imported, report.updated) == (1, 0)
    assert [(line, message.split(":")[0]) for line, message in report.problems] == [
        (2, "Medlem 1005"),
        (4, "Medlem 1003"),
    ]
    assert "tilhører medlem 1001 (Nordmann, Ola)" in report.problems[0][1]
    assert store.rows("SELECT member_no FROM members ORDER BY 1") == [("1001",), ("1002",)]
