"""An e-mail address as the portal stores and compares it: one rule for users, contacts and logins."""

from __future__ import annotations

import re

from services import fields
from services.errors import InvalidInput

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str) -> str:
    email = fields.text(raw, field="e-post", most=fields.EMAIL, required=True).lower()
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"«{(raw or '').strip()}» er ikke en gyldig e-postadresse.")
    return email
