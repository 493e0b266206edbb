"""Who a person on a list is: the one definition the parser, the store and the reconciliation share.

A fødselsnummer (or D-number) names a person. Without one, a birth date and the
name compared without order, case or accents ('Ås, Kjersti' is 'kjersti as').
A row with neither is *unidentified*: it is kept, counted and shown to staff
with its amount, never dropped, never matched to a member by guesswork.
"""

from __future__ import annotations

from datetime import date

from services.reading.values import fold

UNIDENTIFIED_PREFIX = "u|"


def name_key(name: str | None) -> str:
    """A name compared without order, case or accents."""
    return " ".join(sorted(fold(name or "").split()))


def person_key(national_id: str | None, birth_date: date | None, name: str | None) -> str:
    """The person a list row is about, as one string: stored with the row when it is written."""
    if national_id:
        return national_id
    if birth_date is not None:
        return f"{birth_date:%Y-%m-%d}|{name_key(name)}"
    return UNIDENTIFIED_PREFIX + name_key(name)


def member_row_keys(national_id: str, birth_date: date | None, name: str) -> list[str]:
    """The person keys a list row about a registered member can carry: the fødselsnummer, and for
    a row without one, the birth date and name. Each looked up by equality, never an OR of keys."""
    keys = {person_key(national_id, None, name)}
    if birth_date is not None:
        keys.add(person_key(None, birth_date, name))
    return sorted(keys)


# `person_key` in SQL, for a list row `r` and a member `m`, both of which store national_id,
# birth_date and name_key: a row is about the member by the fødselsnummer, or, for a row without
# one, by birth date and name. Two conditions, each an equality a hash join can use: a query joins
# on each and takes the UNION ALL, never one join on an OR of keys computed in SQL (that made
# «Registrer trekk» take a minute for a large company, and a whole period twenty).
ROW_OF_MEMBER_BY_NATIONAL_ID = "r.national_id = m.national_id"
ROW_OF_MEMBER_BY_BIRTH_AND_NAME = "r.national_id IS NULL AND r.birth_date = m.birth_date AND r.name_key = m.name_key"


def is_identified(key: str) -> bool:
    return not key.startswith(UNIDENTIFIED_PREFIX)
