"""Employments, not one employer per member: two jobs at once, moves only when said, full snapshots."""

from datetime import date
from decimal import Decimal

import pytest

from services.access import CLI, actor_for
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput
from services.lists import submissions
from services.register import members, reconcile, review
from tests import listfiles
from tests.helpers import add_employer
from tests.services.register.test_members import register_csv
from tests.services.register.test_reconciliation import nid_list

P = date(2026, 10, 1)
TODAY = date(2026, 11, 20)
SIRI = listfiles.make_fnr(date(1988, 4, 4))
ODD = listfiles.make_fnr(date(1966, 6, 6))
# Someone else on a list, so that a list that does not name the member is still a list.
OTHER = (listfiles.make_fnr(date(1999, 9, 9)), "Ny, Person", "30 000,00", "390,00")


@pytest.fixture
def two(store, company):
    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
    return {
        "a": company,
        "b": other,
        "a_user": add_employer(store, "kari@firma.no", ["910000004"]),
        "b_user": add_employer(store, "lonn@nordsjo.no", ["920000002"]),
    }


def send(store, user, company, rows):
    return submissions.submit(
        store,
        actor=CLI,
        company_id=company.id,
        period=P,
        contact_email=user.email,
        uploads=[nid_list(rows)],
        today=TODAY,
    )


def utrukne(store, company):
    return [i.name for i in review.report(store, actor=CLI, company_id=company.id, period=P).utrukne]


def employments(store):
    return store.rows(
        "SELECT m.member_no, c.orgnr, e.valid_from, e.valid_to FROM employments e"
        " JOIN members m ON m.id = e.member_id JOIN companies c ON c.id = e.company_id ORDER BY 1, 2, 3"
    )


def test_a_member_with_two_jobs_is_two_employments_and_each_employer_owes_its_deduction(store, two):
    data = register_csv(
        [
            f"2001;{SIRI};Dahl;Siri;910000004;01.01.2024;;",
            f"2001;{SIRI};Dahl;Siri;920000002;01.03.2025;;",
        ]
    )
    report = members.import_register(store, actor=CLI, data=data, filename="register.csv")
    assert (report.imported, report.updated, report.problems) == (1, 0, [])
    assert employments(store) == [
        ("2001", "910000004", date(2024, 1, 1), None),
        ("2001", "920000002", date(2025, 3, 1), None),
    ]
    # Deducted at A only: B is still asked, A's deduction does not stand for B's pay.
    send(store, two["a_user"], two["a"], [(SIRI, "Dahl, Siri", "20 000,00", "260,00")])
    send(store, two["b_user"], two["b"], [OTHER])
    assert utrukne(store, two["a"]) == []
    assert utrukne(store, two["b"]) == ["Dahl, Siri"]


def test_a_later_start_elsewhere_is_a_second_job_unless_the_file_is_the_whole_register(store, two):
    members.import_register(
        store, actor=CLI, data=register_csv([f"2002;{ODD};Moe;Odd;910000004;01.01.2020;;"]), filename="a.csv"
    )
    later = register_csv([f"2002;{ODD};Moe;Odd;920000002;16.10.2026;;"])
    members.import_register(store, actor=CLI, data=later, filename="b.csv")
    assert employments(store) == [
        ("2002", "910000004", date(2020, 1, 1), None),
        ("2002", "920000002", date(2026, 10, 16), None),
    ]
    members.import_register(store, actor=CLI, data=later, filename="b.csv", full=True, today=TODAY)
    assert employments(store) == [
        ("2002", "910000004", date(2020, 1, 1), date(2026, 10, 15)),
        ("2002", "920000002", date(2026, 10, 16), None),
    ]
    # A move within the month: B's deduction stands for the month at A.
    send(store, two["b_user"], two["b"], [(ODD, "Moe, Odd", "40 000,00", "520,00")])
    send(store, two["a_user"], two["a"], [OTHER])
    assert utrukne(store, two["a"]) == []


def test_a_full_snapshot_is_previewed_then_ends_what_it_no_longer_has(store, two):
    members.import_register(
        store,
        actor=CLI,
        data=register_csv(
            [f"2001;{SIRI};Dahl;Siri;910000004;01.01.2024;;", f"2002;{ODD};Moe;Odd;910000004;01.01.2020;;"]
        ),
        filename="first.csv",
    )
    snapshot = register_csv([f"2001;{SIRI};Dahl;Siri;910000004;01.01.2024;;"])
    before = employments(store)
    preview = members.import_register(
        store, actor=CLI, data=snapshot, filename="full.csv", full=True, preview=True, today=TODAY
    )
    assert (preview.preview, preview.ended_employments, preview.ended_memberships) == (True, 1, 1)
    # Whom it ends, named before anything is changed; Siri, in the file as she was, is unchanged.
    assert [(e.member_no, e.name, e.company, e.ends) for e in preview.ending] == [
        ("2002", "Moe, Odd", "Help Forsikring AS", date(2026, 11, 19)),
        ("2002", "Moe, Odd", None, date(2026, 11, 19)),
    ]
    assert (preview.imported, preview.updated, preview.unchanged) == (0, 0, 1)
    assert employments(store) == before
    assert store.value("SELECT count(*) FROM members WHERE member_to IS NOT NULL") == 0
    assert store.value("SELECT count(*) FROM audit_log WHERE action = 'members.import'") == 1

    done = members.import_register(store, actor=CLI, data=snapshot, filename="full.csv", full=True, today=TODAY)
    assert (done.preview, done.ended_employments, done.ended_memberships) == (False, 1, 1)
    assert store.value("SELECT member_to FROM members WHERE member_no = '2002'") == date(2026, 11, 19)
    # Odd left the union: no dues expected from him for a later month, so he is no utrukket.
    december = date(2026, 12, 1)
    submissions.submit(
        store,
        actor=CLI,
        company_id=two["a"].id,
        period=december,
        contact_email=two["a_user"].email,
        uploads=[nid_list([(SIRI, "Dahl, Siri", "20 000,00", "260,00")])],
        today=date(2027, 1, 5),
    )
    report = review.report(store, actor=CLI, company_id=two["a"].id, period=december)
    assert [i.name for i in report.utrukne] == []
    # Imported again, he is a member again.
    members.import_register(
        store, actor=CLI, data=register_csv([f"2002;{ODD};Moe;Odd;910000004;01.12.2026;;"]), filename="back.csv"
    )
    assert store.value("SELECT member_to FROM members WHERE member_no = '2002'") is None


def test_a_full_snapshot_with_no_usable_rows_changes_nothing(store, two):
    members.import_register(
        store, actor=CLI, data=register_csv([f"2002;{ODD};Moe;Odd;910000004;01.01.2020;;"]), filename="a.csv"
    )
    with pytest.raises(InvalidInput, match="Ingenting er endret"):
        members.import_register(
            store,
            actor=CLI,
            data=register_csv([f"2009;{SIRI};Dahl;Siri;999999999;01.01.2024;;"]),
            filename="x",
            full=True,
        )
    assert store.value("SELECT count(*) FROM employments WHERE valid_to IS NOT NULL") == 0


def test_a_period_is_reconciled_again_for_every_company_after_a_register_import(store, two):
    send(store, two["a_user"], two["a"], [OTHER])
    send(store, two["b_user"], two["b"], [OTHER])
    assert utrukne(store, two["a"]) == [] and utrukne(store, two["b"]) == []
    # The register learns of Siri's two jobs after the lists came in.
    members.import_register(
        store,
        actor=CLI,
        data=register_csv(
            [f"2001;{SIRI};Dahl;Siri;910000004;01.01.2024;;", f"2001;{SIRI};Dahl;Siri;920000002;01.03.2025;;"]
        ),
        filename="register.csv",
    )
    with pytest.raises(AccessDenied):
        reconcile.reconcile_period(store, actor=actor_for(store, user_id=two["a_user"].id), period=P)
    run = reconcile.reconcile_period(store, actor=CLI, period=P, batch=1)
    assert (run.companies, run.new_utrukne) == (2, 2)
    assert utrukne(store, two["a"]) == ["Dahl, Siri"] and utrukne(store, two["b"]) == ["Dahl, Siri"]
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'") == 2
    again = reconcile.reconcile_period(store, actor=CLI, period=P)
    assert (again.companies, again.new_utrukne) == (2, 0)


@pytest.mark.parametrize("first", ["a", "b"])
def test_two_deductions_past_the_monthly_cap_are_an_anomaly_at_the_later_employer(store, two, first):
    members.import_register(
        store,
        actor=CLI,
        data=register_csv(
            [f"2001;{SIRI};Dahl;Siri;910000004;01.01.2024;;", f"2001;{SIRI};Dahl;Siri;920000002;01.03.2025;;"]
        ),
        filename="register.csv",
    )
    later = "b" if first == "a" else "a"
    # 1,3 % of 40 000 kr is 520 kr at each job: 1 040 kr together, past the 575 kr cap.
    for which in (first, later):
        send(store, two[f"{which}_user"], two[which], [(SIRI, "Dahl, Siri", "40 000,00", "520,00")])

    def anomalies(which):
        report = review.report(store, actor=CLI, company_id=two[which].id, period=P)
        return [(i.name, i.amount, i.expected) for i in report.anomalies]

    assert anomalies(first) == []
    assert anomalies(later) == [("Dahl, Siri", Decimal("520.00"), Decimal("55.00"))]
    assert utrukne(store, two["a"]) == [] and utrukne(store, two["b"]) == []


def test_membership_has_its_own_start_and_end_in_the_register(store, two):
    data = (
        "Medlemsnr;Fødselsnummer;Navn;Orgnr;Ansatt fra;Innmeldt;Utmeldt\r\n"
        f"2001;{SIRI};Dahl, Siri;910000004;01.01.2020;01.11.2026;\r\n"
        f"2002;{ODD};Moe, Odd;910000004;01.01.2020;01.01.2020;30.09.2026\r\n"
        f"2003;{listfiles.make_fnr(date(1977, 7, 7))};Lund, Eva;910000004;01.01.2020;;\r\n"
    ).encode()
    report = members.import_register(store, actor=CLI, data=data, filename="register.csv")
    assert report.problems == []
    assert store.rows("SELECT member_no, name, member_from, member_to FROM members ORDER BY 1") == [
        ("2001", "Dahl, Siri", date(2026, 11, 1), None),
        ("2002", "Moe, Odd", date(2020, 1, 1), date(2026, 9, 30)),
        ("2003", "Lund, Eva", None, None),
    ]
    # October: Siri joins the union only in November, Odd left in September: only Eva is owed.
    send(store, two["a_user"], two["a"], [OTHER])
    assert utrukne(store, two["a"]) == ["Lund, Eva"]


@pytest.mark.parametrize("deducted_at", ["old", "new"])
@pytest.mark.parametrize("first", ["old", "new"])
def test_a_move_within_the_month_has_one_answer_whatever_list_comes_first(store, two, deducted_at, first, figure):
    """Odd moves from one employer to the other on the 16th; one of them deducts him for the month.
    Neither list order nor the direction of the move changes the answer (issue 25): the employer
    that did not deduct him is not asked about him, the month being paid."""
    old, new = (two["a"], two["a_user"]), (two["b"], two["b_user"])
    members.import_register(
        store,
        actor=CLI,
        data=register_csv(
            [
                f"2002;{ODD};Moe;Odd;{old[0].orgnr};01.01.2020;15.10.2026;",
                f"2002;{ODD};Moe;Odd;{new[0].orgnr};16.10.2026;;",
            ]
        ),
        filename="flytting.csv",
    )
    lists = {
        "old": (old, [(ODD, "Moe, Odd", "40 000,00", "520,00")] if deducted_at == "old" else [OTHER]),
        "new": (new, [(ODD, "Moe, Odd", "40 000,00", "520,00")] if deducted_at == "new" else [OTHER]),
    }
    for side in (first, "new" if first == "old" else "old"):
        (company, user), rows = lists[side]
        send(store, user, company, rows)
    asked = utrukne(store, old[0]) + utrukne(store, new[0])
    figure(f"arrival order: moved, deducted at the {deducted_at} employer, {first} list first: {len(asked)} asked")
    assert asked == []
