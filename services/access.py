"""Who is acting, and what they may reach.

Every service that touches a company's data takes the acting user and calls
`require_company` itself; pages are never trusted to have checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.db import Store
from services.errors import AccessDenied, NotFound

EMPLOYER = "employer"
STAFF = "staff"
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    email: str
    role: str
    # The login session acting, where there is one: views are audited once per session.
    session_id: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        return self.role in (STAFF, SYSTEM)

    def require_staff(self) -> None:
        if not self.is_staff:
            raise AccessDenied("Bare forbundets ansatte har tilgang til dette.")


# Operations run from the command line by the union's operators.
CLI = Actor(user_id=None, email="cli", role=SYSTEM)


def actor_for(
    store: Store, *, user_id: int | None = None, email: str | None = None, session_id: str | None = None
) -> Actor:
    """The one place a user becomes an Actor: as the store knows them now (email and role), by id or e-mail."""
    if (user_id is None) == (email is None):
        raise ValueError("actor_for needs a user id or an e-mail address, not both")
    found = store.row(
        "SELECT id, email, role FROM users WHERE " + ("id = ?" if user_id is not None else "email = ?"),
        [user_id if user_id is not None else (email or "").strip().lower()],
    )
    if found is None:
        raise NotFound("Brukeren finnes ikke.")
    return Actor(user_id=found[0], email=found[1], role=found[2], session_id=session_id)


def anonymous(*, session_id: str | None) -> Actor:
    """A visitor who has not logged in (activation, a forgotten password), known by the browser session."""
    return Actor(user_id=None, email="anonym", role="anonymous", session_id=session_id)


def may_see_company(store: Store, *, actor: Actor, company_id: int) -> bool:
    if actor.is_staff:
        return store.value("SELECT 1 FROM companies WHERE id = ?", [company_id]) is not None
    return (
        store.value(
            "SELECT 1 FROM user_companies WHERE user_id = ? AND company_id = ?",
            [actor.user_id, company_id],
        )
        is not None
    )


def require_company(store: Store, *, actor: Actor, company_id: int) -> None:
    # One message for "no such company" and "not yours", so ids cannot be probed.
    if not may_see_company(store, actor=actor, company_id=company_id):
        raise AccessDenied("Du har ikke tilgang til denne bedriften.")
