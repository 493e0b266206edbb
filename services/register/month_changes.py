"""What changed on a company's lists since the period before: who is new, gone, or deducted another amount."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services import audit, periods
from services.access import Actor, require_company
from services.db import Store
from services.register.reconcile import persons_of


@dataclass
class Changes:
    new: list[tuple] = field(default_factory=list)
    gone: list[tuple] = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)


def changes_since_previous(store: Store, *, actor: Actor, company_id: int, period: date) -> Changes:
    """Who is new, gone, or deducted a different amount than in the period before."""
    require_company(store, actor=actor, company_id=company_id)
    audit.viewed(
        store, actor=actor, action="changes.view", company_id=company_id, target=f"periode {periods.short(period)}"
    )
    now = {r[0]: r for r in persons_of(store, company_id, period)}
    before = {r[0]: r for r in persons_of(store, company_id, periods.add_months(period, -1))}
    result = Changes()
    if not before:
        return result
    for key, row in now.items():
        if key not in before:
            result.new.append((row[2], row[3], row[5]))
        elif row[5] != before[key][5]:
            result.changed.append((row[2], row[3], before[key][5], row[5]))
    for key, row in before.items():
        if key not in now:
            result.gone.append((row[2], row[3], row[5]))
    return result
