"""Counters of failures in a window, kept in `login_throttle` by scope and subject: a login's
address from a source ('pair'), an address ('address'), a source ('source'), a user's second
step ('factor'). One row a counter; a failure after the window starts a new one."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.db import Tx


def count(tx: Tx, scope: str, subject: str, window: timedelta, now: datetime) -> tuple[int, datetime | None]:
    """Failures in the window, and the counter's lock."""
    found = tx.row(
        "SELECT failures, window_start, locked_until FROM login_throttle WHERE scope = ? AND subject = ?",
        [scope, subject],
    )
    if found is None:
        return 0, None
    failures, started, locked_until = found
    return (failures if started > now - window else 0), locked_until


def bump(tx: Tx, scope: str, subject: str, window: timedelta, now: datetime) -> None:
    """One more failure; the first after the window has passed starts the count again."""
    tx.execute(
        "INSERT INTO login_throttle (scope, subject, window_start, failures) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (scope, subject) DO UPDATE SET"
        " failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END,"
        " window_start = CASE WHEN login_throttle.window_start <= ? THEN ? ELSE login_throttle.window_start END",
        [scope, subject, now, now - window, now - window, now],
    )


def take_back(tx: Tx, scope: str, subject: str) -> None:
    """One failure fewer: a try counted before its check turned out right."""
    tx.execute(
        "UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE scope = ? AND subject = ?",
        [scope, subject],
    )


def clear(tx: Tx, scope: str, subject: str) -> None:
    tx.execute("UPDATE login_throttle SET failures = 0 WHERE scope = ? AND subject = ?", [scope, subject])
