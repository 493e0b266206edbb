"""Columns remembered per company: a file the parser cannot read is mapped once by the clerk;
the next file with the same header row is read the same way without asking; staff reset it."""

import threading
from datetime import date
from decimal import Decimal

import pytest

from services import db
from services.access import CLI, Actor
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput
from services.lists import layouts, submissions
from services.reading.columns import AMOUNT, NAME, NATIONAL_ID
from services.reading.parsing import parse_bytes
from tests import listfiles
from tests.helpers import add_clerk, add_employer, other_company

TODAY = date(2026, 11, 20)
# Headers no payroll dictionary knows: «Ref» holds the fødselsnummer, «Kol B» the name, «Sum A» the amount.
HEADER = "Ref;Kol B;Sum A;Avd"


def odd_list(people: list[tuple[date, str, str]]) -> bytes:
    lines = ["Lønnsrapport fagforening", HEADER] + [
        f"{listfiles.make_fnr(born)};{name};{amount};12" for born, name, amount in people
    ]
    return ("\n".join(lines) + "\n").encode()


OCTOBER = odd_list([(date(1980, 1, 10), "Berg, Anne", "400,00"), (date(1981, 2, 11), "Hansen, Per", "410,00")])
NOVEMBER = odd_list([(date(1980, 1, 10), "Berg, Anne", "420,00")])
COLUMNS = {NATIONAL_ID: 0, NAME: 1, AMOUNT: 2}


@pytest.fixture
def world(store):
    company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    other_company(store)
    return company, add_clerk(store)


def test_a_file_mapped_once_is_read_by_itself_next_month(store, world):
    company, clerk = world
    # The parser alone finds the fødselsnummer by content, but takes «Avd» or nothing for the amount.
    alone = parse_bytes(NOVEMBER, "november.csv")
    assert not (alone.ok and [r.amount for r in alone.rows] == [Decimal("420.00")])
    [sheet] = layouts.preview(OCTOBER, "oktober.csv")
    assert sheet.rows[1][:3] == ["Ref", "Kol B", "Sum A"]
    read = layouts.remember(
        store,
        actor=clerk,
        company_id=company.id,
        data=OCTOBER,
        filename="oktober.csv",
        sheet=0,
        header_row=1,
        columns=COLUMNS,
    )
    assert [(r.name, r.amount) for r in read.rows] == [
        ("Berg, Anne", Decimal("400.00")),
        ("Hansen, Per", Decimal("410.00")),
    ]
    # Next month's file, same header: read with the company's columns, no question asked.
    receipt = submissions.submit(
        store,
        actor=clerk,
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email=clerk.email,
        uploads=[submissions.Upload("november.csv", NOVEMBER)],
        today=TODAY,
    )
    assert (receipt.persons, receipt.total) == (1, Decimal("420.00"))
    chosen = layouts.chosen_for(store, actor=clerk, company_id=company.id)
    again = parse_bytes(NOVEMBER, "november.csv", chosen)
    assert again.layout_used == "ref|kol b|sum a|avd"
    # Another header is not touched by the choice.
    other = listfiles.make_fnr(date(1990, 5, 5))
    plain_list = f"Fødselsnummer;Navn;Trekk\n{other};Vanlig, Liste;300,00\n".encode()
    assert parse_bytes(plain_list, "vanlig.csv", chosen).layout_used is None


def test_a_choice_that_reads_nothing_or_lacks_the_amount_is_refused(store, world):
    company, clerk = world
    with pytest.raises(InvalidInput, match="beløp"):
        layouts.remember(
            store,
            actor=clerk,
            company_id=company.id,
            data=OCTOBER,
            filename="o.csv",
            sheet=0,
            header_row=1,
            columns={NATIONAL_ID: 0, NAME: 1},
        )
    with pytest.raises(InvalidInput, match="én betydning"):
        layouts.remember(
            store,
            actor=clerk,
            company_id=company.id,
            data=OCTOBER,
            filename="o.csv",
            sheet=0,
            header_row=1,
            columns={NATIONAL_ID: 0, NAME: 0, AMOUNT: 2},
        )
    with pytest.raises(InvalidInput, match="ingen personer med beløp"):
        layouts.remember(
            store,
            actor=clerk,
            company_id=company.id,
            data=OCTOBER,
            filename="o.csv",
            sheet=0,
            header_row=1,
            columns={NATIONAL_ID: 1, NAME: 0, AMOUNT: 3},
        )
    assert layouts.chosen_for(store, actor=clerk, company_id=company.id) == []


def test_staff_see_and_reset_and_others_cannot(store, world):
    company, clerk = world
    layouts.remember(
        store,
        actor=clerk,
        company_id=company.id,
        data=OCTOBER,
        filename="o.csv",
        sheet=0,
        header_row=1,
        columns=COLUMNS,
    )
    [saved] = layouts.listed(store, actor=CLI, company_id=company.id)
    assert (saved.header_key, saved.columns, saved.header_row) == ("ref|kol b|sum a|avd", COLUMNS, 1)
    ola = add_employer(store, "ola@nordsjo.no", ["920000002"])
    outsider = Actor(ola.id, ola.email, ola.role)
    with pytest.raises(AccessDenied):
        layouts.listed(store, actor=outsider, company_id=company.id)
    with pytest.raises(AccessDenied):
        layouts.forget(store, actor=clerk, company_id=company.id, layout_id=saved.id)
    layouts.forget(store, actor=CLI, company_id=company.id, layout_id=saved.id)
    assert layouts.chosen_for(store, actor=clerk, company_id=company.id) == []


def test_two_clerks_saving_at_once_leave_one_choice(store, world):
    company, clerk = world
    settings = store.settings
    errors = []

    def save(n: int) -> None:
        try:
            mine = db.open_store(settings)
            layouts.remember(
                mine,
                actor=clerk,
                company_id=company.id,
                data=OCTOBER,
                filename=f"{n}.csv",
                sheet=0,
                header_row=1,
                columns=COLUMNS,
            )
        except Exception as problem:  # noqa: BLE001 - reported below
            errors.append(problem)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.value("SELECT count(*) FROM column_layouts WHERE company_id = ?", [company.id]) == 1
