"""Demo data for `make run` and for a person trying the portal."""

from __future__ import annotations

from datetime import date

import pyotp

from services import periods
from services.access import CLI, actor_for
from services.accounts import companies, second_factor, users
from services.accounts.passwords import hash_password
from services.db import Store, utcnow
from services.letters import letters
from services.letters import pdf as letter_pdf
from services.lists import submissions
from services.register import members

DEMO_PASSWORD = "demo-passord-2026"
DEMO_EMPLOYER = "lonn@demo.example"
DEMO_STAFF = "forbund@demo.example"
DEMO_NEW_USER = "ny@demo.example"
# The demo staff user's authenticator key: as public as the demo password, in a store that holds
# no real person (demo mode belongs to the store). Any authenticator app takes it, and so does
# «Demo: innboks», which shows the code it gives now.
DEMO_FACTOR_KEY = "TREKKLISTEPORTALDEMOFORBUNDETXYZ"
DEMO_COMPANIES = (
    ("910000004", "Help Forsikring AS"),
    ("920000002", "Nordsjø Service AS"),
    ("930000000", "Fjord Kjemi AS"),
)


def is_seeded(store: Store) -> bool:
    return store.value("SELECT 1 FROM users WHERE email = ?", [DEMO_EMPLOYER]) is not None


def seed(store: Store) -> bool:
    """Create the demo companies and users once; returns False when already there."""
    if is_seeded(store):
        return False
    for orgnr, name in DEMO_COMPANIES:
        companies.add_company(store, actor=CLI, orgnr=orgnr, name=name)
    users.add_user(
        store,
        actor=CLI,
        email=DEMO_EMPLOYER,
        name="Lønn Demo",
        company_orgnrs=[DEMO_COMPANIES[0][0], DEMO_COMPANIES[1][0]],
    )
    users.add_user(store, actor=CLI, email=DEMO_STAFF, name="Forbund Demo", staff=True)
    users.add_user(store, actor=CLI, email=DEMO_NEW_USER, name="Ny Demo", company_orgnrs=[DEMO_COMPANIES[2][0]])
    # The first two are ready to log in; the third shows activation by code.
    password_hash = hash_password(DEMO_PASSWORD, rounds=store.settings.bcrypt_rounds)
    store.transaction(
        lambda tx: tx.execute(
            "UPDATE users SET password_hash = ?, activated_at = ? WHERE email IN (?, ?)",
            [password_hash, utcnow(), DEMO_EMPLOYER, DEMO_STAFF],
        )
    )
    staff = users.find_by_email(store, email=DEMO_STAFF)
    assert staff is not None
    second_factor.set_up_with_secret(store, user_id=staff.id, secret=DEMO_FACTOR_KEY)
    _seed_register_and_lists(store)
    return True


def staff_code() -> str:
    """The code the demo staff user's app shows now."""
    return pyotp.TOTP(DEMO_FACTOR_KEY).now()


DEMO_MEMBERS = (
    ("5001", "14117925014", "Antonsen, Inger"),
    ("5002", "23060087180", "Lund, Magnus"),
    ("5003", "23070577607", "Andresen, Odd"),
    ("5004", "13100053955", "Berg, Martin"),
    ("5005", "06055236826", "Johannessen, Egil"),
)


def _seed_register_and_lists(store: Store) -> None:
    """Members at the first demo company, a list sent two months ago with one member
    missing (an utrukket to answer), and a start letter waiting to be downloaded."""
    company = companies.by_orgnr(store, actor=CLI, orgnr=DEMO_COMPANIES[0][0])
    for member_no, national_id, name in DEMO_MEMBERS:
        members.add_member(
            store,
            actor=CLI,
            member_no=member_no,
            national_id=national_id,
            name=name,
            company_id=company.id,
            valid_from=date(2020, 1, 1),
        )
    employer = actor_for(store, user_id=store.value("SELECT id FROM users WHERE email = ?", [DEMO_EMPLOYER]))
    lines = ["Fødselsnummer;Navn;Trekkgrunnlag;Trekk"]
    lines += [f"{nid};{name};40 000,00;520,00" for _, nid, name in DEMO_MEMBERS[:4]]
    lines.append("01028935230;Haugen, Aud;38 000,00;494,00")
    period = periods.add_months(periods.previous(date.today()), -1)
    submissions.submit(
        store,
        actor=employer,
        company_id=company.id,
        period=period,
        contact_email=DEMO_EMPLOYER,
        uploads=[submissions.Upload("lonn-demo.csv", ("\n".join(lines) + "\n").encode())],
    )
    letters.generate(
        store,
        actor=CLI,
        company_id=company.id,
        kind=letter_pdf.START,
        persons=[
            letter_pdf.LetterPerson(
                "Haugen, Aud", date(1989, 2, 1), periods.previous(date.today()), rate="1,3 % (maks 575 kr)"
            )
        ],
    )


def login_help() -> str:
    return (
        "Demo-innlogging:\n"
        f"  arbeidsgiver: {DEMO_EMPLOYER} / {DEMO_PASSWORD}  (to bedrifter)\n"
        f"  forbundet:    {DEMO_STAFF} / {DEMO_PASSWORD}, og koden fra appen (innlogging i to trinn):\n"
        f"                nøkkel {DEMO_FACTOR_KEY} i en autentiseringsapp, eller koden på «Demo: innboks»\n"
        f"  ny bruker:    {DEMO_NEW_USER} aktiveres med «Klikk her for å aktivere din brukerkonto»;\n"
        "                koden står under «Demo: innboks»."
    )
