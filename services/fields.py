"""Free text from users, checked the same way everywhere: present when it must be, never too long.

The widgets show the same limits, but the services hold them: a page, the command line or a
crafted request gets the same answer.
"""

from __future__ import annotations

from services.errors import InvalidInput

NAME = 200  # a person's or a company's name
SUBJECT = 200  # a letter's subject
EMAIL = 254  # the longest address SMTP carries
COMMENT = 500  # an answer's comment
REMARK = 2000  # a list's remark to the union


def text(value: str | None, *, field: str, most: int, required: bool = False) -> str:
    """`value` stripped; «Fyll inn …» when required and empty, «… kan ha høyst N tegn» when too long."""
    found = (value or "").strip()
    if required and not found:
        raise InvalidInput(f"Fyll inn {field}.")
    if len(found) > most:
        raise InvalidInput(f"{field[0].upper()}{field[1:]} kan ha høyst {most} tegn (nå {len(found)}).")
    return found
