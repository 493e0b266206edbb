"""Settings kept in the store and changed by staff: dues rates and caps, tolerances, retention."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from services import audit, periods
from services.access import Actor
from services.db import Store, Tx
from services.errors import InvalidInput

KNOWN = {
    "anomaly_tolerance_kr": "kroner et beløp kan avvike fra forventet kontingent før det er et avvik",
    "list_retention_months": "måneder en listes rader og filer beholdes etter perioden",
    "member_retention_months": "måneder et medlem som har sluttet beholdes i registeret",
    "code_requests_per_day": "engangskoder én bruker kan be om per døgn",
    "wrong_codes_per_day": "feil engangskoder én bruker kan skrive per døgn før kodene stenges til neste døgn",
    "code_requests_per_hour": "engangskoder alle til sammen kan be om per time",
    "list_deadline_day": "dagen i måneden etter perioden da trekklisten senest skal være sendt (1–28)",
    "login_failures_per_source_hour": "mislykkede innlogginger fra ett sted (én adresse) per time før stedet sperres",
    "code_requests_per_source_hour": "engangskoder som kan bes om fra ett sted (én adresse) per time",
    "audit_retention_months": "måneder loggen over hvem som har gjort og sett hva, beholdes",
    "session_idle_minutes": "minutter uten bruk før en innlogging avsluttes",
    "second_factor_for_all": "1: alle brukere må ha innlogging i to trinn; 0: bare forbundets ansatte",
}


def numeric(store: Store, key: str) -> Decimal:
    """A setting's value (see KNOWN); the migrations insert every one."""
    return Decimal(store.value("SELECT value FROM portal_settings WHERE key = ?", [key]))


def _number(text: str, what: str) -> Decimal:
    cleaned = re.sub(r"(?i)\s|kr\.?$|%$|\u00a0", "", str(text)).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvalidInput(f"{what} må være et tall.") from exc
    if value < 0:
        raise InvalidInput(f"{what} kan ikke være negativ.")
    return value


def next_rate_change(today: date) -> date:
    """The next 1 January or 1 July: the first date a new rate may take effect."""
    return date(today.year, 7, 1) if today < date(today.year, 7, 1) else date(today.year + 1, 1, 1)


def rates_in_force(store: Store, period: date) -> dict[str, tuple[Decimal, Decimal | None]]:
    """Each rate class's percent and monthly cap in force in the period."""
    rates = {}
    for rate_class, percent, cap in store.rows(
        "SELECT rate_class, percent, monthly_cap FROM dues_rates WHERE valid_from <= ? ORDER BY valid_from", [period]
    ):
        rates[rate_class] = (percent, cap)
    return rates


def set_rate(
    store: Store, *, actor: Actor, rate_class: str, valid_from: date, percent: str, monthly_cap: str | None
) -> None:
    """A dues rate from a date: rates change on 1 January or 1 July."""
    actor.require_staff()
    if valid_from.day != 1 or valid_from.month not in (1, 7):
        raise InvalidInput("Satser endres 1. januar eller 1. juli.")
    rate_class = (rate_class or "").strip().lower()
    if not rate_class:
        raise InvalidInput("Oppgi satsklassen.")
    pct = _number(percent, "Prosentsatsen")
    cap = None if monthly_cap in (None, "") else _number(monthly_cap, "Makstrekket")

    def work(tx: Tx) -> None:
        tx.execute("DELETE FROM dues_rates WHERE rate_class = ? AND valid_from = ?", [rate_class, valid_from])
        tx.execute("INSERT INTO dues_rates VALUES (?, ?, ?, ?)", [rate_class, valid_from, pct, cap])
        audit.record(
            tx, actor=actor, action="settings.rate", target=rate_class, detail=f"{pct} % maks {cap} fra {valid_from}"
        )

    store.transaction(work)


def set_value(store: Store, *, actor: Actor, key: str, value: str) -> None:
    actor.require_staff()
    if key not in KNOWN:
        raise InvalidInput(f"Ukjent innstilling «{key}». Kjente: {', '.join(sorted(KNOWN))}.")
    number = _number(value, key)
    if key.endswith("_months") and number != number.to_integral_value():
        raise InvalidInput(f"{key} er et helt antall måneder.")
    if "_per_" in key and number != number.to_integral_value():
        raise InvalidInput(f"{key} er et helt tall.")
    if key == "second_factor_for_all" and number not in (0, 1):
        raise InvalidInput("second_factor_for_all er 1 (alle brukere) eller 0 (bare forbundets ansatte).")
    if key == "session_idle_minutes" and not 5 <= number <= 720:
        raise InvalidInput("session_idle_minutes er fra 5 til 720 minutter.")
    if key == "list_deadline_day" and (number != number.to_integral_value() or not 1 <= number <= 28):
        raise InvalidInput("Fristen er en dag i måneden fra 1 til 28.")

    def work(tx: Tx) -> None:
        tx.execute("UPDATE portal_settings SET value = ? WHERE key = ?", [str(number), key])
        audit.record(tx, actor=actor, action="settings.value", target=key, detail=str(number))

    store.transaction(work)


@dataclass(frozen=True)
class Rate:
    rate_class: str
    valid_from: date
    percent: Decimal
    monthly_cap: Decimal | None


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    meaning: str


def deadline(store: Store, period: date, *, day: int | None = None) -> date:
    """The last day a company's list for `period` is on time: the deadline day of the month after.
    `day`, when given, saves reading the setting again (a page of twelve periods reads it once)."""
    day = int(numeric(store, "list_deadline_day")) if day is None else day
    return periods.add_months(periods.month_start(period), 1).replace(day=day)


def overview(store: Store, *, actor: Actor) -> tuple[list[Rate], list[Setting]]:
    actor.require_staff()
    rates = store.records(
        Rate, "SELECT rate_class, valid_from, percent, monthly_cap FROM dues_rates ORDER BY rate_class, valid_from"
    )
    values = [
        Setting(k, v, KNOWN.get(k, "")) for k, v in store.rows("SELECT key, value FROM portal_settings ORDER BY key")
    ]
    return rates, values
