"""Utrukne answers: paged and filtered for a large company, changeable until the union has
handled them, every answer kept."""

from datetime import date

import pytest

from services.access import CLI, Actor
from services.accounts import companies
from services.errors import AccessDenied, Conflict
from services.register import answers, worklist
from tests import listfiles
from tests.helpers import add_clerk, add_employer, add_members, other_company, send_list

P = date(2026, 10, 1)
TODAY = date(2026, 11, 20)


@pytest.fixture
def company(store):
    """Twelve members at Help Forsikring AS, none on October's list: twelve utrukne."""
    help_ = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    other_company(store)
    add_members(
        store,
        help_.id,
        [(f"10{n:02}", f"{'Berg' if n % 2 else 'Dahl'}{n:02}, Anne", date(1970 + n, 1, 1)) for n in range(12)],
    )
    sender = add_clerk(store)
    newcomer = listfiles.make_fnr(date(1999, 9, 9))
    send_list(
        store, actor=sender, company_id=help_.id, period=P, text=f"Fnr;Navn;Trekk\n{newcomer};Ny;1\n", today=TODAY
    )
    return help_, sender


def test_a_page_at_a_time_with_filters(store, company):
    help_, kari = company
    first = answers.utrukne_page(store, actor=kari, company_id=help_.id, page_size=5)
    assert (first.total, len(first.items), first.open_total, first.periods) == (12, 5, 12, [P])
    last = answers.utrukne_page(store, actor=kari, company_id=help_.id, page=2, page_size=5)
    assert len(last.items) == 2
    names = [
        u.name
        for u in first.items
        + answers.utrukne_page(store, actor=kari, company_id=help_.id, page=1, page_size=5).items
        + last.items
    ]
    assert len(set(names)) == 12
    berg = answers.utrukne_page(store, actor=kari, company_id=help_.id, search="berg")
    assert berg.total == 6 and all(u.name.startswith("Berg") for u in berg.items)
    answers.answer(store, actor=kari, company_id=help_.id, answers={first.items[0].id: ("ansatt", "")})
    assert answers.utrukne_page(store, actor=kari, company_id=help_.id, show=answers.OPEN).total == 11
    answered = answers.utrukne_page(store, actor=kari, company_id=help_.id, show=answers.ANSWERED)
    assert [u.id for u in answered.items] == [first.items[0].id] and answered.open_total == 11
    # Open ones first: the answered one sinks to the end of the whole list.
    everything = answers.utrukne_page(store, actor=kari, company_id=help_.id, page_size=12)
    assert everything.items[-1].id == first.items[0].id
    assert answers.utrukne_page(store, actor=kari, company_id=help_.id, period=date(2026, 9, 1)).total == 0


def test_an_answer_changed_keeps_the_one_before(store, company):
    help_, kari = company
    item = answers.utrukne_page(store, actor=kari, company_id=help_.id).items[0]
    assert answers.answer(store, actor=kari, company_id=help_.id, answers={item.id: ("permittert", "")}) == 1
    # The same answer again is no new answer.
    assert answers.answer(store, actor=kari, company_id=help_.id, answers={item.id: ("permittert", "")}) == 0
    assert answers.answer(store, actor=kari, company_id=help_.id, answers={item.id: ("annet", "Sykmeldt")}) == 1
    [now] = [u for u in answers.utrukne(store, actor=kari, company_id=help_.id, answered=True)]
    assert (now.status, now.comment) == ("annet", "Sykmeldt")
    given = answers.history(store, actor=kari, company_id=help_.id)
    assert [(g.status, g.comment) for g in given] == [("annet", "Sykmeldt"), ("permittert", None)]
    kari_name = store.value("SELECT name FROM users WHERE id = ?", [kari.user_id])
    assert {g.answered_by for g in given} == {kari_name} and given[0].answered_at >= given[1].answered_at
    assert all(g.item_id == item.id and g.name == item.name for g in given)


def test_an_answer_the_union_has_handled_stands(store, company):
    help_, kari = company
    item, other = answers.utrukne_page(store, actor=kari, company_id=help_.id).items[:2]
    answers.answer(store, actor=kari, company_id=help_.id, answers={item.id: ("sluttet", "")})
    worklist.mark_handled(store, actor=CLI, item_ids=[item.id, other.id])
    with pytest.raises(Conflict, match="allerede behandlet"):
        answers.answer(store, actor=kari, company_id=help_.id, answers={item.id: ("ansatt", "")})
    # Nothing of a refused send is written, not even the other member's answer in it.
    with pytest.raises(Conflict):
        answers.answer(
            store, actor=kari, company_id=help_.id, answers={item.id: ("ansatt", ""), other.id: ("ansatt", "")}
        )
    assert [g.status for g in answers.history(store, actor=kari, company_id=help_.id)] == ["sluttet"]
    shown = {u.id: u for u in answers.utrukne_page(store, actor=kari, company_id=help_.id).items}
    assert shown[item.id].settled and not shown[other.id].settled
    # A member the union handled before any answer may still be answered once.
    assert answers.answer(store, actor=kari, company_id=help_.id, answers={other.id: ("ansatt", "")}) == 1


def test_another_company_sees_neither_list_nor_history(store, company):
    help_, _ = company
    ola = add_employer(store, "ola@nordsjo.no", ["920000002"])
    outsider = Actor(ola.id, ola.email, ola.role)
    with pytest.raises(AccessDenied):
        answers.utrukne_page(store, actor=outsider, company_id=help_.id)
    with pytest.raises(AccessDenied):
        answers.history(store, actor=outsider, company_id=help_.id)
