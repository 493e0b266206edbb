"""Demo data for `make run` and for a person trying the portal."""
from __future__ import annotations

from services import companies, users
from services.access import CLI
from services.db import Store, utcnow
from services.passwords import hash_password

DEMO_PASSWORD = "demo-passord-2026"
DEMO_EMPLOYER = "lonn@demo.example"
DEMO_STAFF = "forbund@demo.example"
DEMO_NEW_USER = "ny@demo.example"
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
        store, actor=CLI, email=DEMO_EMPLOYER, name="Lønn Demo",
        company_orgnrs=[DEMO_COMPANIES[0][0], DEMO_COMPANIES[1][0]],
    )
    users.add_user(store, actor=CLI, email=DEMO_STAFF, name="Forbund Demo", staff=True)
    users.add_user(store, actor=CLI, email=DEMO_NEW_USER, name="Ny Demo", company_orgnrs=[DEMO_COMPANIES[2][0]])
    # The first two are ready to log in; the third shows activation by code.
    password_hash = hash_password(DEMO_PASSWORD)
    store.transaction(
        lambda tx: tx.execute(
            "UPDATE users SET password_hash = ?, activated_at = ? WHERE email IN (?, ?)",
            [password_hash, utcnow(), DEMO_EMPLOYER, DEMO_STAFF],
        )
    )
    return True


def login_help() -> str:
    return (
        "Demo-innlogging:\n"
        f"  arbeidsgiver: {DEMO_EMPLOYER} / {DEMO_PASSWORD}  (to bedrifter)\n"
        f"  forbundet:    {DEMO_STAFF} / {DEMO_PASSWORD}\n"
        f"  ny bruker:    {DEMO_NEW_USER} aktiveres med «Klikk her for å aktivere din brukerkonto»;\n"
        "                koden står under «Demo: innboks»."
    )
