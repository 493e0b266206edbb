"""The reconciliation's matching and difference, with no database."""

from datetime import date, datetime
from decimal import Decimal

from services.reading.identity import name_key, person_key
from services.register.engine import (
    ANOMALY,
    UNIDENTIFIED,
    UNKNOWN,
    UTRUKKET,
    ListedPerson,
    RegisteredMember,
    Stored,
    difference,
    match,
    outcome,
)

RATES = {"ordinær": (Decimal("1.3"), Decimal("575"))}


def listed(name, *, nid=None, born=None, amount="500.00", basis=None):
    return ListedPerson(
        person_key(nid, born, name),
        nid,
        born,
        name,
        name_key(name),
        None if amount is None else Decimal(amount),
        None if basis is None else Decimal(basis),
    )


def member(member_id, name, *, nid=None, born=None):
    return RegisteredMember(member_id, str(1000 + member_id), nid, born, name, name_key(name), "ordinær")


ANNE = member(1, "Berg, Anne", nid="01018012345", born=date(1980, 1, 1))
PER = member(2, "Hansen, Per", born=date(1983, 2, 14))
TWIN_A = member(3, "Lie, Tone", born=date(1990, 5, 5))
TWIN_B = member(4, "Lie, Kari", born=date(1990, 5, 5))


def run(persons, members, elsewhere=frozenset()):
    return outcome(
        persons=persons, members=members, deducted_elsewhere=set(elsewhere), rates=RATES, tolerance=Decimal("1")
    )


def test_match_by_number_then_by_birth_date_and_name_in_any_order():
    persons = [listed("Anne Berg", nid="01018012345"), listed("per hansen", born=date(1983, 2, 14))]
    assert match(persons, [ANNE, PER]) == {"01018012345": 1, persons[1].key: 2}


def test_a_shared_birth_date_is_never_guessed():
    persons = [listed("Lie", born=date(1990, 5, 5)), listed("Tone Lie", born=date(1990, 5, 5))]
    assert match(persons, [TWIN_A, TWIN_B]) == {persons[1].key: 3}


def test_utrukket_unknown_and_an_anomaly():
    persons = [listed("Berg, Anne", nid="01018012345", amount="900.00"), listed("Ny, Person", nid="02029012345")]
    items = run(persons, [ANNE, PER])
    assert set(items) == {(UTRUKKET, "m:2"), (UNKNOWN, "02029012345"), (ANOMALY, "m:1")}
    assert items[(ANOMALY, "m:1")].expected == Decimal("575")


def test_a_member_deducted_at_another_company_is_not_utrukket():
    assert (UTRUKKET, "m:2") not in run([], [PER], elsewhere={2})


def test_a_row_with_no_identity_is_shown_to_staff_with_its_amount_never_dropped():
    nobody = listed("Ukjent Person", amount="520.00")
    items = run([nobody], [])
    assert list(items) == [(UNIDENTIFIED, nobody.key)]
    assert items[(UNIDENTIFIED, nobody.key)].amount == Decimal("520.00")
    assert match([nobody], [member(9, "Ukjent Person")]) == {}


def test_the_difference_is_idempotent_and_closes_what_a_correction_fixes():
    wanted = run([], [ANNE, PER])
    first = difference(wanted, {})
    assert len(first.inserts) == 2 and first.new_utrukne == 2 and first.closing == []
    stored = {identity: Stored(n, None) for n, identity in enumerate(wanted, start=10)}
    again = difference(wanted, stored)
    assert again.inserts == [] and again.new_utrukne == 0 and len(again.updates) == 2
    corrected = run([listed("Berg, Anne", nid="01018012345")], [ANNE, PER])
    fixed = difference(corrected, stored)
    assert fixed.closing == [stored[(UTRUKKET, "m:1")].id] and fixed.inserts == []
    reopened = difference(wanted, {**stored, (UTRUKKET, "m:1"): Stored(10, datetime(2026, 11, 1))})
    assert reopened.new_utrukne == 1


def test_a_number_with_a_typo_is_matched_by_birth_date_and_name_and_flagged():
    from services.register.engine import FNR_TO_FIX

    anne = member(1, "Berg, Anne", nid="17118012345", born=date(1980, 11, 17))
    typo = listed("Anne Berg", nid="17118012346", born=date(1980, 11, 17))
    items = run([typo], [anne])
    assert set(items) == {(FNR_TO_FIX, "m:1")}
    assert items[(FNR_TO_FIX, "m:1")].national_id == "17118012346"


def test_two_employers_past_the_cap_together_are_an_anomaly_at_the_later_one():
    from dataclasses import replace

    from services.register.engine import OtherDeduction

    anne_here = replace(listed("Berg, Anne", nid=ANNE.national_id, amount="520.00", basis="40000"), list_id=7)

    def with_other(list_id):
        return outcome(
            persons=[anne_here],
            members=[ANNE],
            deducted_elsewhere=set(),
            rates=RATES,
            tolerance=Decimal("1"),
            other_deductions=[OtherDeduction(ANNE.id, list_id, Decimal("520.00"))],
        )

    # The other employer's list came first (id 3 < 7): only 55 kr is left under the 575 kr cap here.
    later_here = with_other(3)
    assert later_here[(ANOMALY, "m:1")].expected == Decimal("55.00")
    # The other list came later (id 9): the anomaly is theirs, not ours.
    assert with_other(9) == {}
    # Alone, 520 kr of a 40 000 kr basis is right.
    assert run([anne_here], [ANNE]) == {}
