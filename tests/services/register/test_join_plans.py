"""Who a list row is about is joined by equality on stored keys (services/reading/identity.py), so
each query can be a hash join: the plans of «Registrer trekk»'s last amounts, the deductions by
other employers, and the companies a list's reconciliation reaches. The old join on an OR of
computed keys is planned as a nested loop, which is what made «Registrer trekk» take a minute at
union scale: the check below tells them apart. On PostgreSQL nested loops are switched off for the
EXPLAIN, so a join that can only be a nested loop shows as one."""

from __future__ import annotations

import json
from datetime import date

from services.lists.portal_list import LAST_AMOUNTS_SQL
from services.register.reconcile import DEPENDENTS_SQL, OTHER_DEDUCTIONS_SQL
from tests import listfiles
from tests.helpers import add_clerk, add_members, send_list

OLD_LAST_AMOUNTS_SQL = """
SELECT m.id, r.amount, s.id FROM members m
JOIN submission_rows r ON r.person_key IN (m.national_id, CAST(m.birth_date AS VARCHAR) || '|' || m.name_key)
JOIN submissions s ON s.id = r.submission_id
WHERE s.company_id = ? AND s.period = ? AND r.period IS NULL AND s.purged_at IS NULL
  AND m.id IN (SELECT unnest(?::INTEGER[]))
"""
# Join operators by the names the engines print (DuckDB writes them «Hash Join» or HASH_JOIN by
# version), lower case: an equality join, and the kinds that compare every pair of rows.
EQUALITY = ("hash join", "hash_join", "merge join")
NESTED = (
    "nested loop",
    "nested_loop",
    "nl join",
    "nl_join",
    "piecewise merge",
    "piecewise_merge",
    "cross product",
    "cross_product",
)
PERIOD, LAST = date(2026, 10, 1), date(2026, 10, 31)


def _literal(value) -> str:
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, date):
        return f"DATE '{value:%Y-%m-%d}'"
    return str(int(value))


def _inline(sql: str, params: list) -> str:
    """The statement with its parameters as literals: PostgreSQL plans no EXPLAIN of bound ones."""
    parts = sql.split("?")
    assert len(parts) == len(params) + 1
    return "".join(part + (_literal(params[n]) if n < len(params) else "") for n, part in enumerate(parts))


def _plan(store, sql: str, params: list) -> str:
    statement = _inline(sql, params)
    if store.engine == "duckdb":
        return "\n".join(str(value) for row in store.rows("EXPLAIN " + statement) for value in row)

    def explain(tx) -> str:
        tx.execute("SET LOCAL enable_nestloop = off")
        return json.dumps(tx.rows("EXPLAIN (FORMAT JSON) " + statement))

    return store.transaction(explain)


def _joins(plan: str) -> tuple[int, int]:
    lowered = plan.lower()
    return sum(lowered.count(kind) for kind in EQUALITY), sum(lowered.count(kind) for kind in NESTED)


def test_the_person_joins_are_hash_joins(store, company, figure):
    people = [(str(800 + n), f"Medlem{n}, Ola", date(1970, 1 + n % 12, 1 + n)) for n in range(12)]
    add_members(store, company.id, people)
    clerk = add_clerk(store)
    text = "Fnr;Navn;Trekk\n" + "".join(f"{listfiles.make_fnr(born)};{name};500,00\n" for _, name, born in people[:8])
    receipt = send_list(store, actor=clerk, company_id=company.id, period=PERIOD, text=text, today=date(2026, 11, 10))
    ids = [r[0] for r in store.rows("SELECT id FROM members ORDER BY id")]
    queries = {
        "last amounts": (LAST_AMOUNTS_SQL, [company.id, PERIOD, ids]),
        "deducted elsewhere": (OTHER_DEDUCTIONS_SQL, [company.id, LAST, PERIOD, PERIOD, ids] * 2),
        "dependents": (DEPENDENTS_SQL, [receipt.submission_id, company.id, LAST, PERIOD, PERIOD]),
    }
    hashed = []
    for name, (sql, params) in queries.items():
        joins, nested = _joins(_plan(store, sql, params))
        assert joins >= 1 and nested == 0, (name, _plan(store, sql, params))
        hashed.append(name)
    # The check tells the two kinds apart: the join on an OR of computed keys is a nested loop.
    assert _joins(_plan(store, OLD_LAST_AMOUNTS_SQL, [company.id, PERIOD, ids]))[1] >= 1
    figure(f"join plans: {len(hashed)}/3 hash joins ({', '.join(hashed)}); the old OR join: a nested loop")
