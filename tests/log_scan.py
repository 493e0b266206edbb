"""A whole test run's logs, read for what must never be in a log line: a national id, a one-time
code, a recovery code (issue 22). The suite's own process logs to a file in the run's log folder
in the JSON format; each portal the browser tests start adds its log there when it stops."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from stdnum.no import fodselsnummer

# Codes the portal made during the run: those made in this process are recorded as they are made,
# those the browser tests' portals mailed as the SendGrid stand-in receives them.
ISSUED_CODES: set[str] = set()
CODE_IN_MAIL = re.compile(r"Engangskoden din er: (\d{6})")
# Eleven digits (or six and five with a space between) not part of a longer number or a decimal.
NATIONAL_ID = re.compile(r"(?<![\d.,:])(\d{6}) ?(\d{5})(?![\d])")
SIX_DIGITS = re.compile(r"(?<![\d.,:])(\d{6})(?![\d])")
RECOVERY = re.compile(r"\b([a-z2-7]{5}-[a-z2-7]{5})\b", re.IGNORECASE)


@dataclass
class Findings:
    lines: int = 0
    national_ids: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def record_issued_codes() -> None:
    """Wrap the portal's code makers so every code made in this process is known."""
    from services.accounts import codes, second_factor

    made, recovery = codes.new_code, second_factor._new_recovery_code

    def new_code() -> str:
        code = made()
        ISSUED_CODES.add(code)
        return code

    def new_recovery_code() -> str:
        code = recovery()
        ISSUED_CODES.add(code)
        return code

    codes.new_code = new_code
    second_factor._new_recovery_code = new_recovery_code


def scan(folder: Path, codes: set[str]) -> Findings:
    found = Findings()
    for path in sorted(folder.glob("*")):
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                found.lines += 1
                for first, second in NATIONAL_ID.findall(line):
                    if fodselsnummer.is_valid(first + second):
                        found.national_ids.append(f"{path.name}: {first[:2]}…")
                for candidate in SIX_DIGITS.findall(line) + RECOVERY.findall(line):
                    if candidate in codes:
                        found.codes.append(f"{path.name}: {candidate[:2]}…")
    return found
