"""Small helpers the tests share."""
from __future__ import annotations

import re

from services import users
from services.access import CLI


def add_employer(store, email="kari@firma.no", orgnrs=("910000004",)):
    return users.add_user(store, actor=CLI, email=email, name="Kari Nordmann", company_orgnrs=list(orgnrs))


def latest_code(store, email: str) -> str:
    body = store.value(
        "SELECT body FROM outbox WHERE to_addr = ? AND kind LIKE 'code.%' ORDER BY id DESC LIMIT 1", [email]
    )
    return re.search(r"Engangskoden din er: (\d{6})", body).group(1)


def mail_count(store, email: str) -> int:
    return store.value("SELECT count(*) FROM outbox WHERE to_addr = ?", [email])
