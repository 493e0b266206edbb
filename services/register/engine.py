"""The reconciliation itself, with no database: who on a period's lists is which member,
and what the outcome is. `services.register.reconcile` reads the store, calls this, and
writes the difference.

  utrukket:      a member registered at the company in the period who is on none of its
                 lists (unless deducted in the period by another company they worked for then);
  unknown:       a person on the lists who is no registered member at the company;
  unidentified:  a row with neither a fødselsnummer nor a birth date: its amount was
                 deducted from someone, so staff see it;
  anomaly:       an amount off the member's expected dues by more than the tolerance; with two
                 jobs at once, deductions that together pass the monthly cap are an anomaly at
                 the employer whose list came later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services.reading.identity import is_identified
from services.reading.values import national_id_valid

UTRUKKET, UNKNOWN, ANOMALY, UNIDENTIFIED = "utrukket", "unknown", "anomaly", "unidentified"
FNR_TO_FIX = "fnr_to_fix"


@dataclass(frozen=True)
class ListedPerson:
    """One person on the period's lists, their rows summed."""

    key: str
    national_id: str | None
    birth_date: date | None
    name: str | None
    name_key: str | None
    amount: Decimal | None
    basis: Decimal | None
    # The latest list that names them: which of two employers' deductions came later.
    list_id: int | None = None


@dataclass(frozen=True)
class OtherDeduction:
    """What another company's latest list deducted from one of this company's members."""

    member_id: int
    list_id: int
    amount: Decimal | None


@dataclass(frozen=True)
class RegisteredMember:
    """A member registered at the company during the period."""

    id: int
    member_no: str
    national_id: str | None
    birth_date: date | None
    name: str
    name_key: str
    rate_class: str


@dataclass(frozen=True)
class Item:
    kind: str
    key: str
    member_id: int | None
    national_id: str | None
    birth_date: date | None
    name: str | None
    amount: Decimal | None
    expected: Decimal | None


@dataclass(frozen=True)
class Stored:
    """An item already in the store."""

    id: int
    closed_at: datetime | None


@dataclass
class Difference:
    inserts: list[Item]
    updates: list[tuple[int, Item]]
    closing: list[int]
    new_utrukne: int


Rates = Mapping[str, tuple[Decimal, Decimal | None]]


def match(persons: Iterable[ListedPerson], members: Iterable[RegisteredMember]) -> dict[str, int]:
    """Person key -> member id: by fødselsnummer, else by birth date and name (order, case and
    accents ignored). A birth date shared by two members is matched only by a full name, never guessed.
    A fødselsnummer that fails its check digits (a typo) falls back to birth date and name."""
    return match_with_fallbacks(persons, members)[0]


def match_with_fallbacks(
    persons: Iterable[ListedPerson], members: Iterable[RegisteredMember]
) -> tuple[dict[str, int], set[str]]:
    """The matches, and the keys matched by birth date and name despite a fødselsnummer on the row."""
    members = list(members)
    by_nid = {m.national_id: m.id for m in members if m.national_id}
    by_date_name: dict[tuple[date | None, str | None], int] = {(m.birth_date, m.name_key): m.id for m in members}
    by_date: dict[date | None, list[RegisteredMember]] = {}
    for m in members:
        by_date.setdefault(m.birth_date, []).append(m)
    matched: dict[str, int] = {}
    by_fallback: set[str] = set()
    for person in persons:
        if not is_identified(person.key):
            continue
        if person.national_id:
            if person.national_id in by_nid:
                matched[person.key] = by_nid[person.national_id]
                continue
            if national_id_valid(person.national_id):
                continue
            # A number with a typo: the person may still be known by birth date and name.
            found = by_date_name.get((person.birth_date, person.name_key))
            if found is not None:
                matched[person.key] = found
                by_fallback.add(person.key)
            continue
        if (person.birth_date, person.name_key) in by_date_name:
            matched[person.key] = by_date_name[(person.birth_date, person.name_key)]
            continue
        same_day = by_date.get(person.birth_date, [])
        # One member born that day, sharing a name with the row: the same person written differently.
        if len(same_day) == 1 and set((person.name_key or "").split()) & set(same_day[0].name_key.split()):
            matched[person.key] = same_day[0].id
    return matched, by_fallback


def expected_dues(rate: tuple[Decimal, Decimal | None] | None, basis: Decimal | None) -> Decimal | None:
    if rate is None:
        return None
    percent, cap = rate
    if basis is None:
        return cap
    expected = (Decimal(basis) * Decimal(percent) / 100).quantize(Decimal("0.01"))
    return min(expected, cap) if cap is not None else expected


def dues_expected(rate: tuple[Decimal, Decimal | None] | None) -> bool:
    """Whether the member's rate class pays dues at all (a class without dues expects 0 kr)."""
    return rate is not None and (rate[0] > 0 or (rate[1] or 0) > 0)


def outcome(
    *,
    persons: list[ListedPerson],
    members: list[RegisteredMember],
    deducted_elsewhere: set[int],
    rates: Rates,
    tolerance: Decimal,
    awaiting_manual_list: bool = False,
    other_deductions: Iterable[OtherDeduction] = (),
) -> dict[tuple[str, str], Item]:
    """Every item the period should have for the company, keyed by (kind, key).

    While a list of the period waits for manual handling (a scanned PDF), nobody is
    utrukket yet: the members may well be on that list.
    """
    matched, by_fallback = match_with_fallbacks(persons, members)
    member_by_id = {m.id: m for m in members}
    others = list(other_deductions)
    # Listed at 0 kr where dues are expected: not deducted, so the employer is asked why (Permittert?).
    listed_at_zero = {
        member_id
        for person in persons
        if (member_id := matched.get(person.key)) is not None
        and person.amount is not None
        and person.amount == 0
        and dues_expected(rates.get(member_by_id[member_id].rate_class))
    }
    matched_members = set(matched.values()) - listed_at_zero
    wanted: dict[tuple[str, str], Item] = {}
    for m in members:
        if awaiting_manual_list:
            break
        if m.id not in matched_members and m.id not in deducted_elsewhere:
            wanted[(UTRUKKET, f"m:{m.id}")] = Item(
                UTRUKKET, f"m:{m.id}", m.id, m.national_id, m.birth_date, m.name, None, None
            )
    for person in persons:
        if not is_identified(person.key):
            wanted[(UNIDENTIFIED, person.key)] = Item(
                UNIDENTIFIED, person.key, None, None, None, person.name, person.amount, None
            )
            continue
        member_id = matched.get(person.key)
        if member_id is None:
            wanted[(UNKNOWN, person.key)] = Item(
                UNKNOWN, person.key, None, person.national_id, person.birth_date, person.name, person.amount, None
            )
            continue
        member = member_by_id[member_id]
        if person.key in by_fallback:
            wanted[(FNR_TO_FIX, f"m:{member_id}")] = Item(
                FNR_TO_FIX,
                f"m:{member_id}",
                member_id,
                person.national_id,
                person.birth_date,
                member.name,
                person.amount,
                None,
            )
        rate = rates.get(member.rate_class)
        expected = expected_dues(rate, person.basis)
        if expected is None or person.amount is None:
            continue
        cap = rate[1] if rate else None
        before = sum(
            (
                Decimal(d.amount)
                for d in others
                if d.member_id == member_id and d.amount and (person.list_id is None or d.list_id < person.list_id)
            ),
            Decimal("0"),
        )
        if cap is not None and before > 0:
            # Another employer deducted first this month: only what is left under the cap is owed here.
            expected = min(expected, max(Decimal(cap) - before, Decimal("0")))
        amount = Decimal(person.amount)
        off = abs(amount - expected)
        if (person.basis is not None and off > tolerance) or (person.basis is None and amount > expected + tolerance):
            wanted[(ANOMALY, f"m:{member_id}")] = Item(
                ANOMALY,
                f"m:{member_id}",
                member_id,
                person.national_id,
                person.birth_date,
                member.name,
                person.amount,
                expected,
            )
    return wanted


def difference(wanted: Mapping[tuple[str, str], Item], existing: Mapping[tuple[str, str], Stored]) -> Difference:
    """What to write so the store holds exactly `wanted`: sending the same list twice changes
    nothing, and a correction closes what it fixes."""
    inserts, updates, new_utrukne = [], [], 0
    for identity, item in wanted.items():
        found = existing.get(identity)
        if found is None:
            inserts.append(item)
            new_utrukne += item.kind == UTRUKKET
        else:
            updates.append((found.id, item))
            new_utrukne += item.kind == UTRUKKET and found.closed_at is not None
    closing = [
        stored.id for identity, stored in existing.items() if identity not in wanted and stored.closed_at is None
    ]
    return Difference(inserts, updates, closing, new_utrukne)
