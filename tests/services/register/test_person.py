"""One person across employers and months (issue 26): found by staff, shown complete, audited."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from services import periods
from services.access import CLI, Actor
from services.accounts import companies, users
from services.errors import AccessDenied, InvalidInput
from services.lists import submissions
from services.register import answers, members, person
from tests import listfiles
from tests.helpers import add_clerk
from tests.services.register.test_members import register_csv
from tests.services.register.test_reconciliation import nid_list

SIRI = listfiles.make_fnr(date(1988, 4, 4))
OTHER = listfiles.make_fnr(date(1999, 9, 9))
FIRST = date(2025, 1, 1)
MONTHS = [periods.add_months(FIRST, n) for n in range(14)]
TODAY = date(2026, 3, 20)
A, B, C = "910000004", "920000002", "930000000"


def staff(store) -> Actor:
    user = users.add_user(store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    # A session of its own: a read is audited once per session and target, across the whole run.
    return Actor(user.id, user.email, user.role, session_id=secrets.token_hex(8))


@pytest.fixture
def siri(store, company):
    """Siri over fourteen months: a job at A (January to September, a month left off in May), a
    second job at B from March, a move to C in October, and a correction for January sent with
    C's February list. Returns the clerks by orgnr and her member id."""
    companies.add_company(store, actor=CLI, orgnr=B, name="Nordsjø Service AS")
    companies.add_company(store, actor=CLI, orgnr=C, name="Fjord Kjemi AS")
    register = register_csv(
        [
            f"2001;{SIRI};Dahl;Siri;{A};01.01.2025;30.09.2025;",
            f"2001;{SIRI};Dahl;Siri;{B};01.03.2025;;",
            f"2001;{SIRI};Dahl;Siri;{C};01.10.2025;;",
            f"2002;{OTHER};Annen;Person;{A};01.01.2025;;",
        ]
    )
    members.import_register(store, actor=CLI, data=register, filename="register.csv")
    clerks = {orgnr: add_clerk(store, f"lonn@{orgnr}.no", [orgnr]) for orgnr in (A, B, C)}
    ids = {c.orgnr: c.id for c in companies.all_companies(store, actor=CLI)}
    siri_row = (SIRI, "Dahl, Siri", "20 000,00", "260,00")
    other_row = (OTHER, "Annen, Person", "20 000,00", "260,00")
    for month in MONTHS:
        sends = []
        if month <= date(2025, 9, 1):
            sends.append((A, [other_row] if month == date(2025, 5, 1) else [siri_row, other_row]))
        if month >= date(2025, 3, 1):
            sends.append((B, [siri_row]))
        if month >= date(2025, 10, 1):
            rows = [siri_row]
            if month == MONTHS[-1]:
                rows.append((SIRI, "Dahl, Siri", "20 000,00", "-50,00"))  # a refund for January
            sends.append((C, rows))
        for orgnr, rows in sends:
            submissions.submit(
                store,
                actor=clerks[orgnr],
                company_id=ids[orgnr],
                period=month,
                contact_email=clerks[orgnr].email,
                uploads=[nid_list(rows)],
                today=TODAY,
                # The same amounts every month: the same file, and the clerk says it is right.
                confirm_earlier_copies=True,
            )
    member_id = store.value("SELECT id FROM members WHERE member_no = '2001'")
    may = store.value(
        "SELECT id FROM reconciliation_items WHERE member_id = ? AND kind = 'utrukket' AND company_id = ?",
        [member_id, ids[A]],
    )
    answers.answer(store, actor=clerks[A], company_id=ids[A], answers={may: ("permittert", "")})
    answers.answer(store, actor=clerks[A], company_id=ids[A], answers={may: ("annet", "Permisjon uten lønn")})
    return {"clerks": clerks, "member_id": member_id, "ids": ids}


def test_a_member_with_two_jobs_a_move_and_a_correction_is_shown_complete(store, siri, figure):
    seen = person.history(store, actor=staff(store), member_id=siri["member_id"])
    assert seen.member.member_no == "2001" and seen.member.name == "Dahl, Siri"
    assert [(j.company, j.valid_from, j.valid_to) for j in seen.jobs] == [
        ("Help Forsikring AS", date(2025, 1, 1), date(2025, 9, 30)),
        ("Nordsjø Service AS", date(2025, 3, 1), None),
        ("Fjord Kjemi AS", date(2025, 10, 1), None),
    ]
    assert [m.period for m in seen.months] == sorted(MONTHS, reverse=True)
    shown = [r for m in seen.months for r in m.rows]
    in_store = store.value(
        "SELECT count(*) FROM submission_rows r JOIN submissions s ON s.id = r.submission_id WHERE r.national_id = ?",
        [SIRI],
    )
    assert len(shown) == in_store == 8 + 12 + 5 + 1
    # The refund in February's list counts for January, beside January's own deduction.
    january_2026 = next(m for m in seen.months if m.period == date(2026, 1, 1))
    assert sorted(r.amount for r in january_2026.rows) == [-50, 260, 260]
    assert [r.correction for r in january_2026.rows if r.amount < 0] == [True]
    # May at A: not deducted, and the employer's two answers, the first kept.
    may = next(m for m in seen.months if m.period == date(2025, 5, 1))
    utrukket = [o for o in may.outcomes if o.kind == "utrukket"]
    assert [o.company for o in utrukket] == ["Help Forsikring AS"]
    assert [(a.status, a.comment) for a in utrukket[0].answers] == [
        ("permittert", None),
        ("annet", "Permisjon uten lønn"),
    ]
    assert all(a.answered_by == "lonn@910000004.no" for a in utrukket[0].answers)
    outcomes_in_store = store.value(
        "SELECT count(*) FROM reconciliation_items WHERE member_id = ?", [siri["member_id"]]
    )
    shown_outcomes = sum(len(m.outcomes) for m in seen.months)
    assert shown_outcomes == outcomes_in_store
    missing = in_store - len(shown) + outcomes_in_store - shown_outcomes
    figure(
        f"person page: a member with two jobs, a move and a correction over {len(seen.months)} months shown"
        f" complete ({len(shown)} list rows, {shown_outcomes} outcomes, {missing} missing)"
    )


def test_staff_find_a_member_by_number_fodselsnummer_birth_date_or_name(store, siri):
    actor = staff(store)
    for query in ("2001", SIRI, f"{SIRI[:6]} {SIRI[6:]}", "04.04.1988", "siri dahl", "Dahl, Siri", "DAHL"):
        found = person.search(store, actor=actor, query=query)
        assert [h.member_no for h in found.hits] == ["2001"], query
    assert person.search(store, actor=actor, query="Nobody Here").total == 0
    with pytest.raises(InvalidInput, match="minst to tegn"):
        person.search(store, actor=actor, query=" x ")
    with pytest.raises(InvalidInput, match="er ikke en dato"):
        person.search(store, actor=actor, query="31.02.1988")


def test_a_search_and_a_page_are_audited_without_a_whole_fodselsnummer(store, siri):
    actor = staff(store)
    person.search(store, actor=actor, query=SIRI)
    person.search(store, actor=actor, query=SIRI)  # the same search again in the session: once
    person.history(store, actor=actor, member_id=siri["member_id"])
    logged = store.rows(
        "SELECT action, target FROM audit_log WHERE action LIKE 'person.%' ORDER BY id",
    )
    assert logged == [("person.search", SIRI[:6] + "*****"), ("person.view", "2001")]
    assert not store.value("SELECT count(*) FROM audit_log WHERE target LIKE ? OR detail LIKE ?", [f"%{SIRI}%"] * 2)


def test_an_employer_cannot_search_or_open_a_person(store, siri):
    clerk = siri["clerks"][A]
    with pytest.raises(AccessDenied):
        person.search(store, actor=clerk, query="2001")
    with pytest.raises(AccessDenied):
        person.history(store, actor=clerk, member_id=siri["member_id"])


def test_search_is_paged_in_the_database(store, company):
    rows = [
        f"{3000 + n};{listfiles.make_fnr(date(1970, 1, 1 + n % 28), n)};Hansen;Per{n};910000004;01.01.2025;;"
        for n in range(60)
    ]
    members.import_register(store, actor=CLI, data=register_csv(rows), filename="register.csv")
    actor = staff(store)
    first = person.search(store, actor=actor, query="hansen", page_size=25)
    last = person.search(store, actor=actor, query="hansen", page=2, page_size=25)
    assert (first.total, first.pages, len(first.hits), len(last.hits)) == (60, 3, 25, 10)
    assert not {h.member_id for h in first.hits} & {h.member_id for h in last.hits}


def test_who_has_looked_a_member_up_and_how_far_one_user_reached(store, siri, figure):
    from services import localtime
    from services.reports import access_report

    first = staff(store)
    other_user = users.add_user(store, actor=CLI, email="stab2@forbund.no", name="Stab To", staff=True)
    second = Actor(other_user.id, other_user.email, other_user.role, session_id=secrets.token_hex(8))
    other_member = store.value("SELECT id FROM members WHERE member_no = '2002'")
    person.history(store, actor=first, member_id=siri["member_id"])
    person.history(store, actor=first, member_id=siri["member_id"])  # the same session: one read
    access_report.excel(store, actor=first, member_id=siri["member_id"])
    person.history(store, actor=second, member_id=siri["member_id"])
    person.history(store, actor=first, member_id=other_member)
    seen = person.lookups(store, actor=first, member_no="2001")
    assert sorted((s.user, s.action) for s in seen) == [
        ("stab2@forbund.no", "person.view"),
        ("stab@forbund.no", "person.report"),
        ("stab@forbund.no", "person.view"),
    ]
    today = localtime.today()
    reach = person.persons_looked_up(store, actor=second, user_id=first.user_id, start=today, end=today)
    assert reach == ["2001", "2002"]
    assert (
        person.persons_looked_up(
            store, actor=second, user_id=first.user_id, start=date(2020, 1, 1), end=date(2020, 1, 31)
        )
        == []
    )
    with pytest.raises(AccessDenied):
        person.lookups(store, actor=siri["clerks"][A], member_no="2001")
    figure(
        f"who has seen: {len(seen)} reads by {len({s.user for s in seen})} users found for one person;"
        f" one user's reach over a day: {len(reach)} persons (person pages and reports; list and worklist"
        " reads are logged per company)"
    )
