"""Small helpers the tests share."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from datetime import date

from services.access import CLI, Actor
from services.accounts import companies, users


def add_employer(store, email="kari@firma.no", orgnrs=("910000004",)):
    return users.add_user(store, actor=CLI, email=email, name="Kari Nordmann", company_orgnrs=list(orgnrs))


def add_clerk(store, email="kari@firma.no", orgnrs=("910000004",)) -> Actor:
    """A payroll clerk with access to `orgnrs`, as the acting user."""
    user = add_employer(store, email, orgnrs)
    return Actor(user.id, user.email, user.role)


def other_company(store) -> companies.Company:
    """The company beside the `company` fixture's (Help Forsikring AS): whose data must stay its own."""
    return companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")


def add_members(store, company_id: int, people: Iterable[tuple[str, str, date]]) -> None:
    """Members (member no, name, birth date) employed at the company since 2020, each with a
    fødselsnummer made from the birth date."""
    from services.register import members
    from tests import listfiles

    for member_no, name, born in people:
        members.add_member(
            store,
            actor=CLI,
            member_no=member_no,
            name=name,
            company_id=company_id,
            national_id=listfiles.make_fnr(born),
            valid_from=date(2020, 1, 1),
        )


def send_list(store, *, actor, company_id: int, period: date, text: str, today: date, filename: str = "l.csv"):
    """A list sent as a csv file with `text` as its content; returns the receipt."""
    from services.lists import submissions

    return submissions.submit(
        store,
        actor=actor,
        company_id=company_id,
        period=period,
        contact_email=actor.email,
        uploads=[submissions.Upload(filename, text.encode())],
        today=today,
    )


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


def activate_account(store, email: str, password: str = "et-langt-passord", now=None) -> None:
    """The account activated as its owner does it: a mailed code, then a password."""
    from services.accounts import codes

    codes.request_code(store, email=email, purpose=codes.ACTIVATE, now=now)
    codes.set_password_with_code(
        store, email=email, code=latest_code(store, email), password=password, confirmation=password, now=now
    )


def mail_count(store, email: str) -> int:
    """Mails to the address that went or will go: a code asked for an address no user has is
    queued all the same (the request cannot tell), and dropped."""
    from services import mail

    mail.wait_for_courier(store.settings)
    return store.value("SELECT count(*) FROM outbox WHERE to_addr = ? AND status <> 'dropped'", [email])


# Each second factor's authenticator app, as the tests hold it, and the newest time step each has
# given: a code is good once, so the next login takes the next step (the demo staff user's key is
# known, as `make run` prints it).
def _demo_authenticator() -> dict:
    import pyotp

    from services import demo

    return {demo.DEMO_STAFF: pyotp.TOTP(demo.DEMO_FACTOR_KEY)}


AUTHENTICATORS: dict = _demo_authenticator()
USED_STEPS: dict[str, int] = {}


def app_code(email: str) -> str:
    """The code the user's app shows for a step not used yet: this one or the next (the drift allowed)."""
    import time

    while True:
        now = int(time.time()) // 30
        step = max(now, USED_STEPS.get(email, 0) + 1)
        if step <= now + 1:
            USED_STEPS[email] = step
            return AUTHENTICATORS[email].at(step * 30)
        time.sleep(1)


def set_up_app(store, user_id: int, email: str, role: str = "staff") -> list[str]:
    """The user's authenticator set up, as the enrolment page does it; returns the recovery codes."""
    import time

    import pyotp

    from services.access import Actor
    from services.accounts import second_factor

    enrolment = second_factor.begin_enrolment(store, user_id=user_id, email=email)
    AUTHENTICATORS[email] = pyotp.TOTP(enrolment.key)
    USED_STEPS[email] = int(time.time()) // 30
    code = AUTHENTICATORS[email].at(USED_STEPS[email] * 30)
    return second_factor.confirm_enrolment(store, actor=Actor(user_id, email, role), code=code)


def active_clerks(store, clerks: list[tuple[str, str]], password: str) -> list[Actor]:
    """Clerks (e-mail, org nr of their company), each activated with `password` and with the
    declaration accepted: ready to log in, as the acting users. Many at once: the code caps are for
    people, not a seed."""
    from datetime import timedelta

    from services import settings_store
    from services.accounts import codes, declaration
    from services.db import utcnow

    settings_store.set_value(store, actor=CLI, key="code_requests_per_hour", value=str(10 * len(clerks) + 100))
    earlier = utcnow() - timedelta(minutes=5)
    actors = []
    for n, (address, orgnr) in enumerate(clerks):
        user = users.add_user(store, actor=CLI, email=address, name=f"Lønn {n}", company_orgnrs=[orgnr])
        codes.request_code(store, email=address, purpose=codes.ACTIVATE, source=f"seed-{n}", now=earlier)
        code = latest_code(store, address)
        codes.set_password_with_code(
            store, email=address, code=code, password=password, confirmation=password, now=earlier
        )
        actor = Actor(user.id, address, user.role)
        declaration.accept(store, actor=actor, accepted=True)
        actors.append(actor)
    return actors
