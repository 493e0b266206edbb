"""Times as Norwegians read them: the store keeps naive UTC, people see Europe/Oslo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def oslo(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in Norwegian time."""
    return moment.replace(tzinfo=UTC).astimezone(OSLO)


def utc_start_of(day: date) -> datetime:
    """Midnight of a Norwegian day, as the store's naive UTC."""
    return datetime.combine(day, time.min, tzinfo=OSLO).astimezone(UTC).replace(tzinfo=None)


def shown(moment: datetime | None, *, with_time: bool = True) -> str:
    """'dd.mm.åååå tt:mm' in Norwegian time, or '' for nothing."""
    if moment is None:
        return ""
    return oslo(moment).strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def today() -> date:
    """Today's date in Norway (the UTC date is yesterday's for an hour or two after midnight)."""
    return datetime.now(UTC).astimezone(OSLO).date()
