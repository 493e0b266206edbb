"""The KID an employer puts on the payment for a company's list of one month (issue 27).

Derived, not stored: the company's organisation number (9 digits), the month (YYMM) and a MOD10
check digit, 14 digits in all. Whoever reads a payment can tell the company and the month from
the KID alone, and a mistyped digit is caught by the check digit, as the banks check it.
`valid` also accepts the MOD11 KIDs other creditors use, for the bank files a union receives.
"""

from __future__ import annotations

from datetime import date

LENGTH = 14


def mod10(digits: str) -> str:
    """The MOD10 (Luhn) check digit of `digits`."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def mod11(digits: str) -> str | None:
    """The MOD11 check digit of `digits` (weights 2–7 from the right); None where there is none."""
    total = sum(int(char) * (2 + position % 6) for position, char in enumerate(reversed(digits)))
    check = 11 - total % 11
    if check == 11:
        return "0"
    return None if check == 10 else str(check)


def for_list(orgnr: str, period: date) -> str:
    """The KID for `orgnr`'s list of `period`."""
    if len(orgnr) != 9 or not orgnr.isdigit():
        raise ValueError(f"not an organisation number: {orgnr!r}")
    base = f"{orgnr}{period:%y%m}"
    return base + mod10(base)


def read(kid: str) -> tuple[str, date] | None:
    """The organisation number and month a KID of ours names, or None when it is not one."""
    digits = "".join(kid.split())
    if len(digits) != LENGTH or not digits.isdigit() or mod10(digits[:-1]) != digits[-1]:
        return None
    month = int(digits[11:13])
    if not 1 <= month <= 12:
        return None
    return digits[:9], date(2000 + int(digits[9:11]), month, 1)


def valid(kid: str) -> bool:
    """Whether a KID's last digit checks, by MOD10 or MOD11 (2 to 25 digits)."""
    digits = "".join(kid.split())
    if not 2 <= len(digits) <= 25 or not digits.isdigit():
        return False
    return digits[-1] in (mod10(digits[:-1]), mod11(digits[:-1]))


def account_number(raw: str) -> str | None:
    """A Norwegian bank account number (11 digits, MOD11), as '1234.56.78903', or None."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) != 11 or len(digits) != len(raw.replace(".", "").replace(" ", "")):
        return None
    if mod11(digits[:-1]) != digits[-1]:
        return None
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"
