"""The KID for a company's list of a month (issue 27): derived, checked, read back."""

from __future__ import annotations

from datetime import date

from services import kid


def test_a_kid_names_the_company_and_the_month_and_reads_back(figure):
    made = 0
    for orgnr in ("910000004", "920000002", "974760673"):
        for month in range(1, 13):
            period = date(2026, month, 1)
            number = kid.for_list(orgnr, period)
            assert len(number) == kid.LENGTH and number.startswith(orgnr)
            assert kid.read(number) == (orgnr, period)
            assert kid.valid(number)
            made += 1
    figure(f"kid: {made} KIDs made and read back, every one-digit change caught")


def test_every_one_digit_change_is_caught():
    number = kid.for_list("910000004", date(2026, 10, 1))
    for position in range(len(number)):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            assert kid.read(changed) is None, changed


def test_known_check_digits():
    # MOD10 as the banks compute it (the Luhn example), and MOD11 of a known account number.
    assert kid.mod10("7992739871") == "3"
    assert kid.mod11("8601111794") == "7"
    assert kid.valid("79927398713") and not kid.valid("79927398710")
    assert kid.valid("86011117947")  # a MOD11 KID


def test_what_is_not_a_kid_of_ours():
    assert kid.read("") is None and kid.read("abc") is None
    base = "9100000042613"  # month 13
    assert kid.read(base + kid.mod10(base)) is None


def test_an_account_number_is_checked_and_shown_with_dots():
    assert kid.account_number("8601 11 17947") == "8601.11.17947"
    assert kid.account_number("8601.11.17947") == "8601.11.17947"
    assert kid.account_number("8601.11.17946") is None
    assert kid.account_number("860111179") is None
    assert kid.account_number("8601x1117947") is None


def test_the_receipt_mail_says_how_to_pay_with_the_account_and_the_kid(store, company, tmp_path):
    """The receipt tells the clerk what to pay, where, and with which KID (issue 27)."""
    import dataclasses
    import email

    from services import db
    from services.lists import submissions
    from tests import listfiles
    from tests.helpers import add_clerk

    settings = dataclasses.replace(store.settings, union_account="8601.11.17947", sendgrid_api_key=None)
    with_account = db.Store(settings=settings, cur=store.cur)
    clerk = add_clerk(store)
    period = date(2026, 10, 1)
    body = f"Fnr;Navn;Trekk\n{listfiles.make_fnr(date(1990, 1, 1))};Nordmann, Ola;624,00\n".encode()
    receipt = submissions.submit(
        with_account,
        actor=clerk,
        company_id=company.id,
        period=period,
        contact_email=clerk.email,
        uploads=[submissions.Upload("oktober.csv", body)],
        today=date(2026, 11, 20),
    )
    expected = f"Betal 624,00\u00a0kr til konto 8601.11.17947 med KID {kid.for_list('910000004', period)}."
    assert receipt.kid == kid.for_list("910000004", period)
    assert submissions.payment_line(receipt, "8601.11.17947") == expected
    mails = [
        email.message_from_bytes(p.read_bytes()).get_payload(decode=True).decode("utf-8")
        for p in settings.outbox_dir.glob("*.eml")
    ]
    assert len(mails) == 1 and expected in mails[0]


def test_the_union_account_setting_is_checked(monkeypatch, tmp_path):
    import pytest

    from services.config import ConfigError, load_settings

    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_DEMO", "0")
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "k" * 48)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("PORTAL_UNION_ACCOUNT", "8601 11 17947")
    assert load_settings(web=False).union_account == "8601.11.17947"
    monkeypatch.setenv("PORTAL_UNION_ACCOUNT", "8601 11 17946")
    with pytest.raises(ConfigError, match="PORTAL_UNION_ACCOUNT"):
        load_settings(web=False)
