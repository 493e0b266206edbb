"""The staff worklist: across companies and periods, paged, acted on many at once; transfers hinted."""

from datetime import date

import pytest

from services.access import CLI
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput
from services.register import answers, worklist
from tests import listfiles
from tests.helpers import add_clerk, add_members, other_company, send_list

P = date(2026, 10, 1)
TODAY = date(2026, 11, 15)


@pytest.fixture
def two(store):
    a = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    b = other_company(store)
    add_members(store, a.id, [(f"10{n}", f"Medlem{n}, A", date(1970 + n, 1, 1)) for n in range(3)])
    add_members(store, a.id, [("200", "Flytter, Frida", date(1988, 8, 8))])
    moved = listfiles.make_fnr(date(1988, 8, 8))
    sender_a, sender_b = (
        add_clerk(store, "kari@firma.no", ["910000004"]),
        add_clerk(store, "ola@nordsjo.no", ["920000002"]),
    )
    for sender, company, rows in (
        (sender_a, a, f"Fnr;Navn;Trekk\n{listfiles.make_fnr(date(1999, 9, 9))};Ny, Person;390,00\n"),
        (sender_b, b, f"Fnr;Navn;Trekk\n{moved};Flytter, Frida;500,00\n"),
    ):
        send_list(store, actor=sender, company_id=company.id, period=P, text=rows, today=TODAY)
    return a, b, sender_a


def test_open_items_across_companies_with_counts_and_paging(store, two):
    a, b, _ = two
    page = worklist.search(store, actor=CLI)
    assert page.total == 6 and page.counts["utrukket"] == 4 and page.counts["unknown"] == 2
    assert {i.company_name for i in page.items} == {"Help Forsikring AS", "Nordsjø Service AS"}
    only_b = worklist.search(store, actor=CLI, company_id=b.id, kinds=["unknown"])
    assert [i.name for i in only_b.items] == ["Flytter, Frida"]
    paged = worklist.search(store, actor=CLI, page=1, page_size=4)
    assert len(paged.items) == 2 and paged.total == 6


def test_a_transfer_is_hinted_and_moved_in_one_step(store, two):
    a, b, _ = two
    [frida] = worklist.search(store, actor=CLI, company_id=b.id, kinds=["unknown"]).items
    assert frida.transfer_from == "Help Forsikring AS"
    assert worklist.move_here(store, actor=CLI, item_id=frida.id) == "Help Forsikring AS"
    # She is a member at B from the period: no longer unknown there, no longer expected at A.
    assert worklist.search(store, actor=CLI, company_id=b.id).total == 0
    assert "Flytter, Frida" not in [i.name for i in worklist.search(store, actor=CLI, company_id=a.id).items]


def test_bulk_handled_reopened_and_employments_ended(store, two):
    a, _, sender_a = two
    utrukne = worklist.search(store, actor=CLI, company_id=a.id, kinds=["utrukket"]).items
    ids = [i.id for i in utrukne]
    assert worklist.mark_handled(store, actor=CLI, item_ids=ids[:3]) == 3
    assert worklist.search(store, actor=CLI, company_id=a.id, kinds=["utrukket"]).total == 1
    assert worklist.search(store, actor=CLI, company_id=a.id, status=worklist.HANDLED).total == 3
    assert worklist.reopen(store, actor=CLI, item_ids=ids[:1]) == 1
    answers.answer(store, actor=sender_a, company_id=a.id, answers={ids[1]: ("sluttet", "")})
    assert worklist.end_employments(store, actor=CLI, item_ids=ids) == 1
    with pytest.raises(InvalidInput):
        worklist.mark_handled(store, actor=CLI, item_ids=[])


def test_employers_have_no_worklist(store, two):
    _, _, sender_a = two
    with pytest.raises(AccessDenied):
        worklist.search(store, actor=sender_a)
    with pytest.raises(AccessDenied):
        worklist.mark_handled(store, actor=sender_a, item_ids=[1])
