"""The login's second step on the real Home.py: every staff login asks for a code from the app, a
replayed or wrong code opens nothing, a recovery code opens once, and a staff user without an app
sets one up before any session starts."""

import pyotp

from services.access import CLI
from services.accounts import users
from tests.helpers import AUTHENTICATORS, app_code
from tests.pages.conftest import (
    activate,
    button,
    log_in,
    new_app,
    second_step,
    set_up_second_factor,
    texts,
)

CODE_FIELD = "Kode fra appen eller reservekode:"


def _password(email: str):
    """A fresh browser session past the password, at the second step."""
    at = new_app()
    inputs = {t.label: t for t in at.text_input}
    inputs["E-post"].input(email)
    inputs["Passord"].input("et-langt-passord")
    button(at, "Logg inn").click()
    return at.run()


def _logged_in(at) -> bool:
    return at.session_state["_session"] is not None if "_session" in at.session_state else False


def test_staff_give_a_code_after_the_password(app_store, figure):
    staff = [
        users.add_user(app_store, actor=CLI, email=f"stab{n}@forbund.no", name=f"Stab {n}", staff=True)
        for n in range(2)
    ]
    for person in staff:
        activate(app_store, person.email)
    recovery = set_up_second_factor_again(app_store, staff[1])

    asked, opened_wrongly, logins = 0, 0, 0
    used: list[tuple[str, str]] = []
    for person in staff * 2:
        at = _password(person.email)
        on_second_step = any(t.label == CODE_FIELD for t in at.text_input) and not _logged_in(at)
        asked += on_second_step
        code = app_code(person.email)
        second_step(at, code)
        assert not at.exception and _logged_in(at), texts(at)
        assert at.title[0].value == "Administrasjon"
        logins += 1
        used.append((person.email, code))

    # A code already used, a wrong code: each refused, no session.
    for email, code in [used[-1], (staff[0].email, "000000")]:
        at = second_step(_password(email), code)
        opened_wrongly += _logged_in(at)
        assert "feil eller allerede brukt" in texts(at)

    # A recovery code opens once.
    at = second_step(_password(staff[1].email), recovery[0])
    assert _logged_in(at)
    at = second_step(_password(staff[1].email), recovery[0])
    opened_wrongly += _logged_in(at)
    single_use = not _logged_in(at)
    figure(
        f"second factor: staff {asked}/{logins} logins asked for a code; {opened_wrongly} logins with a replayed "
        f"or wrong code; recovery codes {'single-use' if single_use else 'REUSABLE'}"
    )
    assert asked == logins == 4 and opened_wrongly == 0 and single_use


def set_up_second_factor_again(store, person) -> list[str]:
    """A fresh factor for `person`, for its recovery codes (the first set-up's were not kept)."""
    from services.accounts import second_factor

    second_factor.reset(store, actor=CLI, user_id=person.id)
    return set_up_second_factor(store, person.id, person.email)


def test_a_staff_user_without_an_app_sets_one_up_before_the_session_starts(app_store):
    person = users.add_user(app_store, actor=CLI, email="ny-stab@forbund.no", name="Ny Stab", staff=True)
    activate(app_store, person.email)
    from services.accounts import second_factor

    second_factor.reset(app_store, actor=CLI, user_id=person.id)
    AUTHENTICATORS.pop(person.email, None)
    at = log_in(new_app(), person.email)
    assert not _logged_in(at)
    assert at.title[0].value == "Innlogging i to trinn" and "krever innlogging i to trinn" in texts(at)
    assert [type(e).__name__ for e in at.main if type(e).__name__ == "Image"] == ["Image"]
    key = at.code[0].value.replace(" ", "")
    next(t for t in at.text_input if t.label.startswith("Koden appen viser")).input(pyotp.TOTP(key).now())
    button(at, "Bekreft").click()
    at.run()
    assert at.code, texts(at)
    recovery = at.code[0].value.split("\n")
    assert len(recovery) == 10 and "De vises bare nå" in texts(at)
    assert not _logged_in(at)
    button(at, "Jeg har tatt vare på reservekodene").click()
    at.run()
    assert _logged_in(at) and at.title[0].value == "Administrasjon"
    assert second_factor.is_enabled(app_store, user_id=person.id)


def test_an_employer_without_a_factor_is_not_asked(app_store):
    from services.accounts import companies

    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=[company.orgnr])
    activate(app_store, "kari@firma.no")
    at = log_in(new_app(), "kari@firma.no")
    assert _logged_in(at) and not any(t.label == CODE_FIELD for t in at.text_input)


def test_the_reset_form_asks_everyone_for_the_app_code(app_store):
    at = new_app()
    button(at, "Glemt passord").click()
    at.run()
    at.text_input(key="code_email").input("stab@forbund.no")
    button(at, "Send engangskode").click()
    at.run()
    assert any(t.label == "Kode fra autentiseringsappen eller reservekode:" for t in at.text_input)
