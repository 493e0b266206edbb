"""Small helpers the tests share."""

from __future__ import annotations

import email
import email.policy
import re

from services.accounts import users
from services.accounts.access import CLI


def add_employer(store, email="kari@firma.no", orgnrs=("910000004",)):
    return users.add_user(store, actor=CLI, email=email, name="Kari Nordmann", company_orgnrs=list(orgnrs))


def delivered_body(store, outbox_id: int) -> str:
    """A mail's text as delivered (the .eml the local provider wrote): the outbox keeps no
    body with a code or personal data once it is sent."""
    from services import mail

    mail.wait_for_courier(store.settings)
    path = store.settings.outbox_dir / f"{outbox_id:08d}.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_content()


def latest_code(store, email: str) -> str:
    outbox_id = store.value(
        "SELECT id FROM outbox WHERE to_addr = ? AND kind LIKE 'code.%' ORDER BY id DESC LIMIT 1", [email]
    )
    return re.search(r"Engangskoden din er: (\d{6})", delivered_body(store, outbox_id)).group(1)


def mail_count(store, email: str) -> int:
    return store.value("SELECT count(*) FROM outbox WHERE to_addr = ?", [email])
