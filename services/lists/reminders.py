"""Reminders to companies that have not sent their list for a period.

Staff send one from «Oversikt» whenever they see fit; the sidecar sends one by itself the day
after the deadline (`list_deadline_day` of the month after the period), once per company and
period. The mail names the company and the month, nothing about anyone on a list.
"""

from __future__ import annotations

from datetime import date, datetime

from services import audit, mail, periods, settings_store
from services.access import Actor
from services.accounts import companies, users
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput, NeedsConfirmation
from services.localtime import oslo, shown

AUTOMATIC = "auto"
SUBJECT = "Påminnelse: trekklisten for {month} er ikke mottatt"


def _body(company_name: str, period: date, deadline: date, base_url: str) -> str:
    return (
        f"Forbundet har ikke mottatt trekklisten for {company_name} for {periods.label(period).lower()}. "
        f"Fristen var {deadline:%d.%m.%Y}.\n\n"
        f"Send listen i trekklisteportalen: {base_url}\n\n"
        "Har dere sendt den på annen måte, eller hadde dere ingen medlemmer å trekke, kan dere svare på "
        "denne e-posten.\n"
    )


def _remind(
    tx: Tx, *, company_id: int, company_name: str, period: date, actor: Actor | None, at: datetime
) -> list[int]:
    """Mail the company's users and record the reminder; returns the mails' outbox ids."""
    deadline = settings_store.deadline(tx, period)
    subject = SUBJECT.format(month=periods.label(period).lower())
    body = _body(company_name, period, deadline, tx.settings.base_url)
    contacts = tx.value("SELECT contact_emails FROM companies WHERE id = ?", [company_id]) or ""
    addresses = dict.fromkeys([*users.employer_emails(tx, company_id=company_id), *filter(None, contacts.split(","))])
    ids = [mail.enqueue(tx, kind="reminder", to=email, subject=subject, body=body) for email in addresses]
    tx.execute(
        "INSERT INTO reminders (company_id, period, auto_key, sent_at, sent_by, mails) VALUES (?, ?, ?, ?, ?, ?)",
        [company_id, period, AUTOMATIC if actor is None else None, at, actor.user_id if actor else None, len(ids)],
    )
    audit.record(
        tx,
        actor=actor,
        action="reminder.send" if actor else "reminder.automatic",
        company_id=company_id,
        target=f"periode {periods.short(period)}",
        detail=f"{len(ids)} e-poster",
        at=at,
    )
    return ids


def send(
    store: Store, *, actor: Actor, company_id: int, period: date, confirmed: bool = False, now: datetime | None = None
) -> int:
    """Staff remind a company of a missing list. Returns how many addresses were mailed.
    A second reminder for the same company and period needs `confirmed`: NeedsConfirmation says
    when the last one went."""
    actor.require_staff()
    company = companies.get(store, actor=actor, company_id=company_id)
    period = periods.month_start(period)
    if store.value("SELECT 1 FROM submissions WHERE company_id = ? AND period = ? LIMIT 1", [company_id, period]):
        raise InvalidInput(f"{company.name} har allerede sendt listen for {periods.label(period).lower()}.")
    if not users.employer_emails(store, company_id=company_id):
        raise InvalidInput(f"{company.name} har ingen aktive brukere å sende påminnelsen til.")
    now = now or utcnow()

    def work(tx: Tx) -> list[int]:
        last = tx.value("SELECT max(sent_at) FROM reminders WHERE company_id = ? AND period = ?", [company_id, period])
        if last is not None and not confirmed:
            raise NeedsConfirmation(
                f"{company.name} fikk en påminnelse for {periods.label(period).lower()} {shown(last)}. "
                "Vil du sende en til?"
            )
        if last is not None:
            audit.record(tx, actor=actor, action="reminder.again", company_id=company_id, detail=shown(last), at=now)
        return _remind(tx, company_id=company_id, company_name=company.name, period=period, actor=actor, at=now)

    ids = store.transaction(work)
    mail.dispatch(store, outbox_ids=ids)
    return len(ids)


def due_period(store: Store, today: date) -> date:
    """The latest period whose deadline has passed by `today`."""
    period = periods.previous(today)
    return period if today > settings_store.deadline(store, period) else periods.add_months(period, -1)


def send_due(store: Store, *, today: date | None = None, now: datetime | None = None) -> int:
    """The sidecar's automatic reminders: the day after the deadline, one per company and period,
    to companies with users that have sent nothing for it. Returns how many companies."""
    now = now or utcnow()
    today = today or oslo(now).date()
    period = due_period(store, today)
    last_day = periods.month_end(period)

    outbox: list[int] = []

    def work(tx: Tx) -> int:
        outbox.clear()
        due = tx.rows(
            f"SELECT c.id, c.name FROM {companies.COMPANIES_WITH_START}"
            f" WHERE {companies.START_SQL} <= ?"
            " AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.company_id = c.id AND s.period = ?)"
            " AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.company_id = c.id AND r.period = ?"
            "                 AND r.auto_key = ?)"
            " AND EXISTS (SELECT 1 FROM user_companies uc JOIN users u ON u.id = uc.user_id"
            "             WHERE uc.company_id = c.id AND u.role = 'employer' AND u.deactivated_at IS NULL)"
            " ORDER BY c.id",
            [last_day, period, period, AUTOMATIC],
        )
        for company_id, name in due:
            outbox.extend(_remind(tx, company_id=company_id, company_name=name, period=period, actor=None, at=now))
        return len(due)

    count = store.transaction(work)
    mail.dispatch(store, outbox_ids=outbox)
    return count


def sent(store: Store, *, since: date) -> dict[tuple[int, date], datetime]:
    """When each company was last reminded of each period from `since` on."""
    rows = store.rows(
        "SELECT company_id, period, max(sent_at) FROM reminders WHERE period >= ? GROUP BY company_id, period",
        [since],
    )
    return {(company_id, period): at for company_id, period, at in rows}
