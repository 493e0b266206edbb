from datetime import date
from decimal import Decimal

import pytest

from services import settings_store
from services.access import CLI, Actor
from services.errors import AccessDenied, InvalidInput
from services.register.engine import expected_dues as _expected
from services.settings_store import rates_in_force


def test_a_new_rate_from_1_january_applies_from_that_period(store):
    settings_store.set_rate(
        store, actor=CLI, rate_class="ordinær", valid_from=date(2027, 1, 1), percent="1,35", monthly_cap="590"
    )
    assert _expected(rates_in_force(store, date(2026, 12, 1))["ordinær"], Decimal("50000")) == Decimal("575.00")
    assert _expected(rates_in_force(store, date(2027, 1, 1))["ordinær"], Decimal("40000")) == Decimal("540.00")
    assert _expected(rates_in_force(store, date(2027, 1, 1))["ordinær"], Decimal("50000")) == Decimal("590")
    with pytest.raises(InvalidInput, match="1. januar eller 1. juli"):
        settings_store.set_rate(
            store, actor=CLI, rate_class="ordinær", valid_from=date(2027, 3, 1), percent="1", monthly_cap=None
        )


def test_values_are_checked_and_staff_only(store):
    settings_store.set_value(store, actor=CLI, key="anomaly_tolerance_kr", value="2,50")
    assert store.value("SELECT value FROM portal_settings WHERE key = 'anomaly_tolerance_kr'") == "2.50"
    with pytest.raises(InvalidInput, match="Ukjent"):
        settings_store.set_value(store, actor=CLI, key="nope", value="1")
    with pytest.raises(InvalidInput, match="helt antall"):
        settings_store.set_value(store, actor=CLI, key="list_retention_months", value="1.5")
    with pytest.raises(AccessDenied):
        settings_store.set_value(store, actor=Actor(1, "a@b.no", "employer"), key="anomaly_tolerance_kr", value="1")
    assert {v.key for v in settings_store.overview(store, actor=CLI)[1]} >= set(settings_store.KNOWN)


def test_rates_accept_kroner_and_percent_signs_and_default_to_the_next_change(store):
    from datetime import date

    from services import settings_store
    from services.access import CLI

    settings_store.set_rate(
        store, actor=CLI, rate_class="ordinær", valid_from=date(2027, 7, 1), percent="1,47 %", monthly_cap="590 kr"
    )
    assert store.row("SELECT percent, monthly_cap FROM dues_rates WHERE valid_from = '2027-07-01'") == (
        Decimal("1.47"),
        Decimal("590"),
    )
    assert settings_store.next_rate_change(date(2026, 11, 30)) == date(2027, 1, 1)
    assert settings_store.next_rate_change(date(2027, 3, 2)) == date(2027, 7, 1)
