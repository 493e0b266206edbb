"""The one way the portal sends mail.

Every mail goes into the `outbox` table first and is marked sent once the
provider accepts it; a failure leaves it queued for `retry_queued`. Logs name
the outbox id and kind, never the recipient or the body.

In the portal a courier thread delivers (`start_courier`), so no user waits
for the provider; the provider call has a timeout (`PORTAL_MAIL_TIMEOUT_SECONDS`).
Only the worker that holds a mail's claim may mark it sent. A mail with a
`deliver_by` (a one-time code) is dropped once that has passed. Bodies that
carry a code or personal data are emptied once sent; the metadata stays.

A code or a login alert is queued for every address alike (so a request cannot tell
who has an account); the courier drops one to an address no user has. A provider that
does not answer in time may still have sent the mail: its outcome is 'unknown', and a
code is then never sent again; other mails are tried again, carrying their outbox id to
the provider (`custom_args`), so the provider's log shows which deliveries are one mail.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import urllib.error
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from services import audit
from services.access import Actor
from services.config import Settings
from services.db import Store, Tx, utcnow
from services.errors import AccessDenied

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
        self.timeout = settings.mail_timeout_seconds

    def send(self, *, outbox_id: int, to: str, subject: str, body: str) -> None:
        from sendgrid.helpers.mail import CustomArg, Mail

        message = Mail(from_email=self.mail_from, to_emails=to, subject=subject, plain_text_content=body)
        # The same id on every try of one mail: a retry after a timeout shows in the provider's log as that mail.
        # (On the personalization: SendGrid's spec types the message-level custom_args as a string.)
        message.personalizations[0].add_custom_arg(CustomArg("outbox_id", str(outbox_id)))
        # The client's own send() has no timeout: a hanging provider would hold the courier for minutes.
        response = self.client.client.mail.send.post(request_body=message.get(), timeout=self.timeout)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"SendGrid svarte {response.status_code}")


def provider_for(settings: Settings) -> Provider:
    if settings.sendgrid_api_key:
        return SendGridProvider(settings)
    return EmlFileProvider(settings)


# Kinds whose body carries a one-time code or personal data (a receipt names the files).
PURGED_KINDS = ("code.", "receipt")
LOGIN_ALERT = "login.alert"
# Kinds queued for any address a visitor typed: sent only where a user has the address.
USERS_ONLY_KINDS = ("code.", LOGIN_ALERT)
# Kinds never sent twice: a code whose first mail may have gone is void, not repeated.
ONCE_ONLY_KINDS = ("code.",)


def is_timeout(exc: BaseException) -> bool:
    """Whether the provider may have taken the mail: it did not answer in time."""
    # socket.timeout is TimeoutError; urllib wraps one raised while connecting.
    if isinstance(exc, TimeoutError):
        return True
    return isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)


def enqueue(tx: Tx, *, kind: str, to: str, subject: str, body: str, deliver_by: datetime | None = None) -> int:
    """Queue a mail inside the caller's transaction; deliver it after the commit."""
    return tx.value(
        "INSERT INTO outbox (kind, to_addr, subject, body, created_at, deliver_by) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [kind, to, subject, body, utcnow(), deliver_by],
    )


def _describe(exc: Exception) -> str:
    # HTTP errors from the client carry the provider's answer; keep only the status.
    status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
    return f"{type(exc).__name__}{f' {status}' if status else ''}"


CLAIM_FOR = timedelta(minutes=2)


def _claim(store: Store, outbox_id: int, worker: str) -> tuple | None:
    """Take the mail for this worker, or None when it is sent or another worker has it."""
    now = utcnow()

    def work(tx: Tx) -> tuple | None:
        found = tx.row(
            "SELECT to_addr, subject, body, kind, deliver_by FROM outbox WHERE id = ? AND status = 'queued'"
            " AND (claimed_until IS NULL OR claimed_until < ?)",
            [outbox_id, now],
        )
        if found is None:
            return None
        if found[4] is not None and found[4] < now:
            # Too late to be of use (a code that has expired): dropped, never sent late.
            _end_unsent(tx, outbox_id, "expired", now)
            log.info(
                "mail %s (%s) dropped: not delivered in time", outbox_id, found[3], extra=_ids(outbox_id, found[3])
            )
            return None
        if found[3].startswith(USERS_ONLY_KINDS) and not tx.value(
            "SELECT 1 FROM users WHERE email = ? AND deactivated_at IS NULL", [found[0]]
        ):
            _end_unsent(tx, outbox_id, "dropped", now)
            log.info(
                "mail %s (%s) dropped: no user has the address", outbox_id, found[3], extra=_ids(outbox_id, found[3])
            )
            return None
        tx.execute(
            "UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE id = ?", [now + CLAIM_FOR, worker, outbox_id]
        )
        return found[:4]

    return store.transaction(work)


def _ids(outbox_id: int, kind: str) -> dict[str, object]:
    """The ids a mail's log line carries as fields of their own in the JSON log format."""
    return {"outbox_id": outbox_id, "mail_kind": kind}


def _end_unsent(tx: Tx, outbox_id: int, status: str, now: datetime) -> None:
    """The mail will never go ('expired', 'dropped'): its body, which may hold a code, goes too."""
    tx.execute("UPDATE outbox SET status = ?, body = '', body_purged_at = ? WHERE id = ?", [status, now, outbox_id])


def _record(store: Store, sql: str, params: list) -> bool:
    """Run an update that names the claim; False when another worker holds it by now."""
    return store.transaction(lambda tx: tx.value(sql + " RETURNING id", params)) is not None


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
            if is_timeout(exc) and kind.startswith(ONCE_ONLY_KINDS):
                log.warning(
                    "mail %s (%s) timed out; it may have gone, so it is not sent again",
                    outbox_id,
                    kind,
                    extra=_ids(outbox_id, kind),
                )
                _record(
                    store,
                    "UPDATE outbox SET status = 'unknown', attempts = attempts + 1, last_error = ?, body = '',"
                    " body_purged_at = ?, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                    [error, utcnow(), outbox_id, worker],
                )
                continue
            if is_timeout(exc):
                error += " (kan være levert)"
            log.warning("mail %s (%s) not sent, left queued: %s", outbox_id, kind, error, extra=_ids(outbox_id, kind))
            _record(
                store,
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, claimed_until = NULL,"
                " claimed_by = NULL WHERE id = ? AND claimed_by = ?",
                [error, outbox_id, worker],
            )
            continue
        now = utcnow()
        purge = kind.startswith(PURGED_KINDS)
        if not _record(
            store,
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL, claimed_until = NULL,"
            " body = CASE WHEN ? THEN '' ELSE body END,"
            " body_purged_at = CASE WHEN ? THEN ? ELSE body_purged_at END"
            " WHERE id = ? AND claimed_by = ? AND status = 'queued'",
            [now, purge, purge, now, outbox_id, worker],
        ):
            log.warning(
                "mail %s (%s) sent, but its claim had passed to another worker",
                outbox_id,
                kind,
                extra=_ids(outbox_id, kind),
            )
            continue
        sent += 1
    return sent


def send(store: Store, *, kind: str, to: str, subject: str, body: str) -> int:
    """Queue one mail and have it delivered. Returns the outbox id."""
    outbox_id = store.transaction(lambda tx: enqueue(tx, kind=kind, to=to, subject=subject, body=body))
    dispatch(store, outbox_ids=[outbox_id])
    return outbox_id


class _Courier:
    """Delivers queued mail from its own thread, so the request that queued it returns at once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue: queue.Queue[list[int] | None] = queue.Queue()
        self.idle = threading.Event()
        self.idle.set()
        self.thread = threading.Thread(target=self._run, name="mail-courier", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from services.db import open_store

        while True:
            ids = self.queue.get()
            if ids is None:
                self.queue.task_done()
                self.idle.set()
                return
            try:
                deliver(open_store(self.settings), outbox_ids=ids)
            except Exception:  # a failed delivery stays queued for the sidecar's retry
                log.exception("mail courier failed; the mail stays queued")
            finally:
                self.queue.task_done()
                if self.queue.unfinished_tasks == 0:
                    self.idle.set()

    def put(self, ids: list[int] | None) -> None:
        self.idle.clear()
        self.queue.put(ids)


_couriers: dict[str, _Courier] = {}
_couriers_lock = threading.Lock()


def start_courier(settings: Settings) -> None:
    """From now on this process delivers in the background (the portal calls this at start)."""
    with _couriers_lock:
        key = str(settings.db_path.resolve())
        if key not in _couriers or not _couriers[key].thread.is_alive():
            _couriers[key] = _Courier(settings)


def stop_couriers(timeout: float = 30) -> None:
    """Deliver what is handed over, then end every courier (a clean exit, tests)."""
    with _couriers_lock:
        couriers = list(_couriers.values())
        _couriers.clear()
    for courier in couriers:
        courier.put(None)
        courier.thread.join(timeout)


def wait_for_courier(settings: Settings, timeout: float = 30) -> bool:
    """True once every mail handed to the courier has been tried (tests, a clean exit)."""
    courier = _couriers.get(str(settings.db_path.resolve()))
    return courier is None or courier.idle.wait(timeout)


def dispatch(store: Store, *, outbox_ids: list[int]) -> None:
    """Deliver after a commit: by the courier where one runs, else here and now (the command line)."""
    if not outbox_ids:
        return
    courier = _couriers.get(str(store.settings.db_path.resolve()))
    if courier is not None and courier.thread.is_alive():
        courier.put(list(outbox_ids))
    else:
        deliver(store, outbox_ids=outbox_ids)


def delivery_trouble(store: Store, *, now: datetime | None = None) -> bool:
    """Whether the provider has been failing lately: for an honest word on the page, about
    the service as a whole, never about one address."""
    now = now or utcnow()
    last = store.row(
        "SELECT last_error IS NOT NULL, status FROM outbox WHERE attempts > 0 AND created_at > ?"
        " ORDER BY id DESC LIMIT 1",
        [now - timedelta(minutes=15)],
    )
    return last is not None and bool(last[0]) and last[1] == "queued"


def is_queued(store: Store, *, outbox_ids: list[int]) -> bool:
    """Whether any of these mails still waits for the provider."""
    if not outbox_ids:
        return False
    return bool(
        store.value(
            "SELECT count(*) FROM outbox WHERE status = 'queued' AND id IN (SELECT unnest(?::BIGINT[]))",
            [list(outbox_ids)],
        )
    )


def retry_queued(store: Store, *, provider: Provider | None = None) -> int:
    ids = [r[0] for r in store.rows("SELECT id FROM outbox WHERE status = 'queued' ORDER BY id")]
    return deliver(store, outbox_ids=ids, provider=provider)


@dataclass(frozen=True)
class SentMail:
    id: int
    created_at: datetime
    to: str
    subject: str
    body: str | None
    status: str


def recent(store: Store, *, actor: Actor, limit: int = 50) -> list[SentMail]:
    """The newest mails, for the demo inbox only: a demo store holds no real person's mail."""
    if not store.settings.demo:
        raise AccessDenied("Innboksen finnes bare i demomodus.")
    audit.viewed(store, actor=actor, action="mail.recent.view")
    return [
        SentMail(*r)
        for r in store.rows(
            "SELECT id, created_at, to_addr, subject, body, status FROM outbox ORDER BY id DESC LIMIT ?", [limit]
        )
    ]
