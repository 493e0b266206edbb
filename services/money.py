"""Amounts the Norwegian way: '12 345,60 kr'."""

from __future__ import annotations

from decimal import Decimal


def kr(value: Decimal | float | int) -> str:
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{'-' if value < 0 else ''}{grouped},{cents}\u00a0kr"
