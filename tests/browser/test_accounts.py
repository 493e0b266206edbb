"""Accounts as a person uses them, in a real browser against the real server."""

import secrets
import time
from urllib.parse import urlparse

import jwt
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    EMPLOYER,
    FORGETFUL,
    LEAVER,
    LOCKED,
    NEWCOMER,
    PASSWORD,
    code_from,
    go,
    log_in,
    settle,
    wait_for_login_cookie,
)
from tests.helpers import AUTHENTICATORS, app_code


def wait_for_mail(mailbox, email, count, page):
    for _ in range(100):
        if len(mailbox.mails_to(email)) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no mail to {email}")


def set_password_by_code(page, mailbox, email, link_text, password):
    page.get_by_role("button", name=link_text).click()
    page.get_by_label("E-post:").fill(email)
    before = len(mailbox.mails_to(email))
    page.get_by_role("button", name="Send engangskode").click()
    expect(page.get_by_text("Fyll den inn i feltet under")).to_be_visible()
    wait_for_mail(mailbox, email, before + 1, page)
    page.get_by_label("Engangskode:").fill(code_from(mailbox, email))
    page.get_by_label("Nytt passord:", exact=True).fill(password)
    page.get_by_label("Bekreft nytt passord:").fill(password)
    if email in AUTHENTICATORS and link_text == "Glemt passord":
        # A mailbox alone does not reset a password that has a second factor beside it.
        page.get_by_role("textbox", name="Kode fra autentiseringsappen eller reservekode:").fill(app_code(email))
    page.get_by_role("button", name="Sett nytt passord").click()
    expect(page.get_by_text("Passordet er satt")).to_be_visible()


def test_activation_with_mailed_code_then_declaration_then_login(page, mailbox):
    set_password_by_code(page, mailbox, NEWCOMER, "Klikk her for å aktivere din brukerkonto", "ola-sitt-passord")
    log_in(page, NEWCOMER, "ola-sitt-passord")
    expect(page.get_by_role("heading", name="Taushetserklæring").first).to_be_visible()
    expect(page.get_by_role("link", name="Straffeloven kapittel 21")).to_have_attribute(
        "href", "https://lovdata.no/dokument/NL/lov/2005-05-20-28/KAPITTEL_2-6"
    )
    expect(page.get_by_role("link", name="Innsending")).to_have_count(0)
    page.get_by_text("Jeg har gjort meg kjent med, og aksepterer taushetserklæringen.").click()
    page.get_by_role("button", name="Ok").click()
    expect(page.get_by_role("heading", name="Fjord Kjemi AS").first).to_be_visible()


def test_forgotten_password(page, mailbox):
    set_password_by_code(page, mailbox, FORGETFUL, "Glemt passord", "per-sitt-nye-passord")
    log_in(page, FORGETFUL, PASSWORD)
    expect(page.get_by_text("Feil e-post eller passord.")).to_be_visible()
    log_in(page, FORGETFUL, "per-sitt-nye-passord")
    expect(page.get_by_role("heading", name="Fjord Kjemi AS").first).to_be_visible()


def test_company_switch_holds_across_pages(page):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    page.get_by_role("combobox", name="Bedrift").click()
    options = page.get_by_role("option")
    expect(options).to_have_text(["Help Forsikring AS (910000004)", "Nordsjø Service AS (920000002)"])
    page.get_by_role("option", name="Nordsjø Service AS").click()
    expect(page.get_by_role("heading", name="Nordsjø Service AS").first).to_be_visible()
    go(page, "Innsending")
    expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()
    go(page, "Hjem")
    expect(page.get_by_role("heading", name="Nordsjø Service AS").first).to_be_visible()


def test_login_survives_a_reload_by_its_cookie(page, figure):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    cookie = wait_for_login_cookie(page)[0]
    # Set by the server, not by a script: the page's own JavaScript cannot read it.
    readable = page.evaluate("document.cookie")
    figure(
        f"login cookie: HttpOnly {cookie['httpOnly']}, SameSite {cookie['sameSite']}, "
        f"readable from document.cookie {'trekklisteportal_innlogging' in readable}"
    )
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "trekklisteportal_innlogging" not in readable
    page.reload()
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()


def test_logout_then_the_old_cookie_is_rejected(page, context, browser, portal):
    log_in(page, LEAVER)
    expect(page.get_by_role("heading", name="Fjord Kjemi AS").first).to_be_visible()
    copied = wait_for_login_cookie(page)
    # While the session lives, the copied cookie alone logs another browser in.
    before = browser.new_context()
    try:
        before.add_cookies(copied)
        copy = before.new_page()
        copy.goto(portal)
        expect(copy.get_by_role("heading", name="Fjord Kjemi AS").first).to_be_visible()
    finally:
        before.close()
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_text("Du er logget ut.")).to_be_visible()
    # It stays long enough to be read, not one run (a rerun may follow at once).
    settle(page)
    page.wait_for_timeout(1500)
    expect(page.get_by_text("Du er logget ut.")).to_be_visible()

    thief = browser.new_context()
    try:
        thief.add_cookies(copied)
        stolen = thief.new_page()
        stolen.goto(portal)
        expect(stolen.get_by_role("heading", name="Innlogging").first).to_be_visible()
        stolen.wait_for_timeout(1000)
        expect(stolen.get_by_role("heading", name="Fjord Kjemi AS")).to_have_count(0)
    finally:
        thief.close()


def test_lockout_after_five_wrong_passwords(page, context, portal):
    for _ in range(4):
        # A fresh page each time, so each answer shown is the answer to this try.
        page.goto(portal)
        log_in(page, LOCKED, "feil-passord-her")
        expect(page.get_by_text("Feil e-post eller passord.")).to_be_visible()
    page.goto(portal)
    log_in(page, LOCKED, "feil-passord-her")
    expect(page.get_by_text("midlertidig sperret")).to_be_visible()
    other = context.browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(portal)
        log_in(fresh, LOCKED, PASSWORD)
        expect(fresh.get_by_text("midlertidig sperret")).to_be_visible()
    finally:
        other.close()


def test_employer_opening_the_staff_page_url_gets_nothing(page, portal):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    wait_for_login_cookie(page)
    page.goto(portal + "/administrasjon")
    # Logged in by the cookie, and shown the default page instead.
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    expect(page.get_by_role("heading", name="Administrasjon")).to_have_count(0)
    expect(page.get_by_role("button", name="Registrer bruker")).to_have_count(0)


@pytest.mark.parametrize(
    "claims",
    [
        # The library's own kind of cookie, and ours naming a session id: both signed with a stranger's key.
        {"username": EMPLOYER, "exp_date": time.time() + 3600},
        {"sid": secrets.token_urlsafe(24), "exp": int(time.time()) + 3600},
    ],
    ids=["library-claims", "session-claims"],
)
def test_a_cookie_signed_with_another_key_does_not_log_in(browser, portal, claims):
    forged = jwt.encode(claims, secrets.token_urlsafe(48), algorithm="HS256")
    visitor = browser.new_context()
    try:
        visitor.add_cookies(
            [{"name": "trekklisteportal_innlogging", "value": forged, "domain": urlparse(portal).hostname, "path": "/"}]
        )
        page = visitor.new_page()
        page.goto(portal)
        expect(page.get_by_role("heading", name="Innlogging").first).to_be_visible()
        settle(page)
        expect(page.get_by_role("heading", name="Help Forsikring AS")).to_have_count(0)
        expect(page.get_by_role("button", name="Logg ut")).to_have_count(0)
    finally:
        visitor.close()
