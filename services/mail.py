"""The one way the portal sends mail.

Every mail goes into the `outbox` table first and is marked sent once the
provider accepts it; a failure leaves it queued for `retry_queued`. Logs name
the outbox id and kind, never the recipient or the body.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from services.config import Settings
from services.db import Store, utcnow

log = logging.getLogger(__name__)


class Provider(Protocol):
    def send(self, *, outbox_id: int, to: str, subject: str, body: str) -> None: ...


class EmlFileProvider:
    """Writes each mail as an .eml file; the default when no SendGrid key is set."""

    def __init__(self, settings: Settings):
        self.folder = settings.outbox_dir
        self.mail_from = settings.mail_from
        self.demo = settings.demo

    def send(self, *, outbox_id: int, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now().astimezone())
        message["Message-ID"] = make_msgid(domain="trekklisteportal")
        message.set_content(body)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{outbox_id:08d}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(message))
        temporary.replace(path)
        if self.demo:
            print(f"[demo-post] til {to}: {subject}  (se «Demo: innboks»)", flush=True)


class SendGridProvider:
    """The official SendGrid client, pointed at `SENDGRID_API_HOST`."""

    def __init__(self, settings: Settings):
        from sendgrid import SendGridAPIClient

        self.client = SendGridAPIClient(api_key=settings.sendgrid_api_key, host=settings.sendgrid_api_host)
        self.mail_from = settings.mail_from

    def send(self, *, outbox_id: int, to: str, subject: str, body: str) -> None:
        from sendgrid.helpers.mail import Mail

        message = Mail(from_email=self.mail_from, to_emails=to, subject=subject, plain_text_content=body)
        response = self.client.send(message)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"SendGrid svarte {response.status_code}")


def provider_for(settings: Settings) -> Provider:
    if settings.sendgrid_api_key:
        return SendGridProvider(settings)
    return EmlFileProvider(settings)


def enqueue(tx: Store, *, kind: str, to: str, subject: str, body: str) -> int:
    """Queue a mail inside the caller's transaction; deliver it after the commit."""
    return tx.value(
        "INSERT INTO outbox (kind, to_addr, subject, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        [kind, to, subject, body, utcnow()],
    )


def _describe(exc: Exception) -> str:
    # HTTP errors from the client carry the provider's answer; keep only the status.
    status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
    return f"{type(exc).__name__}{f' {status}' if status else ''}"


CLAIM_FOR = timedelta(minutes=2)


def _claim(store: Store, outbox_id: int, worker: str) -> tuple | None:
    """Take the mail for this worker, or None when it is sent or another worker has it."""
    now = utcnow()

    def work(tx: Store) -> tuple | None:
        found = tx.row(
            "SELECT to_addr, subject, body, kind FROM outbox WHERE id = ? AND status = 'queued'"
            " AND (claimed_until IS NULL OR claimed_until < ?)", [outbox_id, now])
        if found is not None:
            tx.execute("UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE id = ?",
                       [now + CLAIM_FOR, worker, outbox_id])
        return found

    return store.transaction(work)


def _record(store: Store, sql: str, params: list) -> None:
    store.transaction(lambda tx: tx.execute(sql, params))


def deliver(store: Store, *, outbox_ids: list[int], provider: Provider | None = None) -> int:
    """Try to hand the given queued mails to the provider; returns how many went."""
    provider = provider or provider_for(store.settings)
    worker = secrets.token_hex(8)
    sent = 0
    for outbox_id in outbox_ids:
        found = _claim(store, outbox_id, worker)
        if found is None:
            continue
        to, subject, body, kind = found
        try:
            provider.send(outbox_id=outbox_id, to=to, subject=subject, body=body)
        except Exception as exc:  # any provider failure leaves the mail queued for a retry
            error = _describe(exc)
            log.warning("mail %s (%s) not sent, left queued: %s", outbox_id, kind, error)
            _record(store, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, claimed_until = NULL,"
                           " claimed_by = NULL WHERE id = ?", [error, outbox_id])
            continue
        _record(store, "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL,"
                       " claimed_until = NULL WHERE id = ?", [utcnow(), outbox_id])
        sent += 1
    return sent


def send(store: Store, *, kind: str, to: str, subject: str, body: str) -> int:
    """Queue one mail and try to deliver it at once. Returns the outbox id."""
    outbox_id = store.transaction(lambda tx: enqueue(tx, kind=kind, to=to, subject=subject, body=body))
    deliver(store, outbox_ids=[outbox_id])
    return outbox_id


def retry_queued(store: Store, *, provider: Provider | None = None) -> int:
    ids = [r[0] for r in store.rows("SELECT id FROM outbox WHERE status = 'queued' ORDER BY id")]
    return deliver(store, outbox_ids=ids, provider=provider)


def recent(store: Store, *, limit: int = 50) -> list[dict]:
    """The newest mails, for the demo inbox only."""
    return store.dicts(
        "SELECT id, created_at, to_addr, subject, body, status FROM outbox ORDER BY id DESC LIMIT ?", [limit]
    )
