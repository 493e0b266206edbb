"""The parser's own fødselsnummer check against python-stdnum's, number for number."""

from __future__ import annotations

import random

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

from services.reading import values


def _stdnum_facts(number: str):
    try:
        born = fodselsnummer.get_birth_date(number)
    except ValidationError:
        born = None
    return fodselsnummer.is_valid(number), born


def _numbers() -> list[str]:
    """Numbers of every shape: plain, D- (day + 40), H- (month + 40) and FH-numbers, every century
    range of the individual number, impossible dates, right and wrong check digits."""
    pick = random.Random(20261207)
    out = []
    for _ in range(6000):
        day = pick.choice([pick.randint(1, 31), pick.randint(41, 71), pick.randint(80, 99), 0, 32])
        month = pick.choice([pick.randint(1, 12), pick.randint(41, 52), 0, 13])
        base = f"{day:02d}{month:02d}{pick.randint(0, 99):02d}{pick.randint(0, 999):03d}"
        first = (11 - sum(w * int(n) for w, n in zip(values.FIRST_WEIGHTS, base, strict=True))) % 11
        if first == 10:
            out.append(base + "00")
            continue
        second = (11 - sum(w * int(n) for w, n in zip(values.SECOND_WEIGHTS, base + str(first), strict=True))) % 11
        right = base + str(first) + str(second % 10)
        out += [right, right[:10] + str((int(right[10]) + 1) % 10), right[:9] + str((first + 3) % 10) + right[10]]
    out += ["".join(pick.choice("0123456789") for _ in range(11)) for _ in range(4000)]
    return out


def test_the_parser_reads_a_fodselsnummer_as_python_stdnum_does(figure):
    numbers = _numbers()
    differ = [n for n in numbers if values._national_id_facts(n) != _stdnum_facts(n)]
    valid = sum(1 for n in numbers if values.national_id_valid(n))
    figure(f"fødselsnummer: {len(numbers)} numbers, {valid} valid, {len(differ)} read otherwise than python-stdnum")
    assert valid > 500
    assert differ == []


def test_a_number_with_other_characters_is_not_valid():
    assert values._national_id_facts("0101901234٣") == (False, None)
    assert values._national_id_facts("0101901234") == (False, None)
