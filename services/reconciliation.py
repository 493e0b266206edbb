"""Comparing a period's lists with the member register.

For company C and period P, every person on P's lists is matched with the
members registered at C during P: by national id, or, where a list has only
birth dates, by birth date and name (order, case and accents ignored). A
birth date shared by two members is matched by name, never guessed.

  utrukket: a member registered at C in P who is on none of P's lists
            (unless deducted in P by another company they also worked for then);
  unknown:  a person on the lists who is no registered member at C in P;
  anomaly:  an amount off the member's expected dues by more than the tolerance.

The outcome is recomputed whole and written as a difference, so sending the
same list twice changes nothing and a correction closes what it fixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from services import audit, mail, periods, settings_store, users
from services.access import Actor, require_company
from services.db import Store, utcnow
from services.errors import InvalidInput, NotFound

UTRUKKET, UNKNOWN, ANOMALY = "utrukket", "unknown", "anomaly"
STATUSES = {"ansatt": "Ansatt", "permittert": "Permittert", "sluttet": "Sluttet i bedrift", "annet": "Annet"}
NEW_UTRUKNE_SUBJECT = "Utrukne medlemmer i trekklisteportalen"


@dataclass
class Outcome:
    utrukne: int = 0
    unknown: int = 0
    anomalies: int = 0
    new_utrukne: int = 0
    closed: int = 0


PERSONS_SQL = """
WITH rows AS (
    SELECT coalesce(r.national_id, strftime(r.birth_date, '%Y-%m-%d') || '|' || coalesce(r.name_key, ''))
               AS person_key,
           r.national_id, r.birth_date, r.name, r.name_key, r.amount, r.basis, s.id AS sid
    FROM submission_rows r JOIN submissions s ON s.id = r.submission_id
    WHERE s.company_id = ? AND s.period = ?
), latest AS (
    -- A correction replaces what an earlier list said about the same person.
    SELECT person_key, max(sid) AS sid FROM rows GROUP BY person_key
)
SELECT rows.person_key, any_value(national_id), any_value(birth_date), any_value(name), any_value(name_key),
       sum(amount), sum(basis)
FROM rows JOIN latest ON latest.person_key = rows.person_key AND latest.sid = rows.sid
GROUP BY rows.person_key
"""

MEMBERS_SQL = """
SELECT DISTINCT m.id, m.member_no, m.national_id, m.birth_date, m.name, m.name_key, m.rate_class
FROM members m JOIN employments e ON e.member_id = m.id
WHERE e.company_id = ? AND e.valid_from <= ? AND (e.valid_to IS NULL OR e.valid_to >= ?)
"""

DEDUCTED_ELSEWHERE_SQL = """
SELECT DISTINCT m.id FROM members m
JOIN employments e ON e.member_id = m.id AND e.company_id <> ? AND e.valid_from <= ?
     AND (e.valid_to IS NULL OR e.valid_to >= ?)
JOIN submissions s ON s.company_id = e.company_id AND s.period = ?
JOIN submission_rows r ON r.submission_id = s.id
     AND (r.national_id = m.national_id OR (r.national_id IS NULL AND r.birth_date = m.birth_date
                                             AND r.name_key = m.name_key))
"""


def _expected(rate: tuple[Decimal, Decimal | None] | None, basis: Decimal | None) -> Decimal | None:
    if rate is None:
        return None
    percent, cap = rate
    if basis is None:
        return cap
    expected = (Decimal(basis) * Decimal(percent) / 100).quantize(Decimal("0.01"))
    return min(expected, cap) if cap is not None else expected


def tolerance(store: Store) -> Decimal:
    return Decimal(store.value("SELECT value FROM portal_settings WHERE key = 'anomaly_tolerance_kr'") or "0")


def _match(persons: list[tuple], members: list[tuple]) -> dict[str, int]:
    """person_key -> member id."""
    by_nid = {m[2]: m[0] for m in members}
    by_date_name = {(m[3], m[5]): m[0] for m in members}
    by_date: dict[date, list[tuple]] = {}
    for m in members:
        by_date.setdefault(m[3], []).append(m)
    matched: dict[str, int] = {}
    for key, nid, born, _, name_key, _, _ in persons:
        if nid:
            if nid in by_nid:
                matched[key] = by_nid[nid]
            continue
        if (born, name_key) in by_date_name:
            matched[key] = by_date_name[(born, name_key)]
            continue
        same_day = by_date.get(born, [])
        # One member born that day, sharing a name with the row: the same person written differently.
        if len(same_day) == 1 and set((name_key or "").split()) & set(same_day[0][5].split()):
            matched[key] = same_day[0][0]
    return matched


def reconcile(tx: Store, *, company_id: int, period: date, now: datetime | None = None) -> Outcome:
    """Recompute the outcome for the company and period inside the caller's transaction."""
    now = now or utcnow()
    last = periods.month_end(period)
    persons = tx.rows(PERSONS_SQL, [company_id, period])
    members = tx.rows(MEMBERS_SQL, [company_id, last, period])
    matched = _match(persons, members)
    matched_members = set(matched.values())
    elsewhere = {r[0] for r in tx.rows(DEDUCTED_ELSEWHERE_SQL, [company_id, last, period, period])}
    limit = tolerance(tx)
    rates = settings_store.rates_in_force(tx, period)
    member_by_id = {m[0]: m for m in members}

    wanted: dict[tuple[str, str], dict] = {}
    for m in members:
        if m[0] not in matched_members and m[0] not in elsewhere:
            wanted[(UTRUKKET, f"m:{m[0]}")] = dict(
                member_id=m[0], national_id=m[2], birth_date=m[3], name=m[4], amount=None, expected=None
            )
    for key, nid, born, name, _, amount, basis in persons:
        member_id = matched.get(key)
        if member_id is None:
            wanted[(UNKNOWN, key)] = dict(
                member_id=None, national_id=nid, birth_date=born, name=name, amount=amount, expected=None
            )
            continue
        expected = _expected(rates.get(member_by_id[member_id][6]), basis)
        if expected is None or amount is None:
            continue
        off = abs(Decimal(amount) - expected)
        if (basis is not None and off > limit) or (basis is None and Decimal(amount) > expected + limit):
            wanted[(ANOMALY, f"m:{member_id}")] = dict(
                member_id=member_id,
                national_id=nid,
                birth_date=born,
                name=member_by_id[member_id][4],
                amount=amount,
                expected=expected,
            )

    existing = {
        (r[1], r[2]): (r[0], r[3])
        for r in tx.rows(
            "SELECT id, kind, item_key, closed_at FROM reconciliation_items WHERE company_id = ? AND period = ?",
            [company_id, period],
        )
    }
    outcome = Outcome()
    inserts, updates = [], []
    for (kind, key), item in wanted.items():
        found = existing.get((kind, key))
        if found is None:
            inserts.append(dict(company_id=company_id, period=period, kind=kind, item_key=key, created_at=now, **item))
            outcome.new_utrukne += kind == UTRUKKET
        else:
            item_id, closed_at = found
            updates.append(dict(id=item_id, amount=item["amount"], expected=item["expected"]))
            outcome.new_utrukne += kind == UTRUKKET and closed_at is not None
    closing = [
        item_id
        for (kind, key), (item_id, closed_at) in existing.items()
        if (kind, key) not in wanted and closed_at is None
    ]
    _write(tx, inserts, updates, closing, now)
    outcome.closed = len(closing)
    kinds = [kind for kind, _ in wanted]
    outcome.utrukne, outcome.unknown, outcome.anomalies = (
        kinds.count(UTRUKKET),
        kinds.count(UNKNOWN),
        kinds.count(ANOMALY),
    )
    return outcome


ITEM_COLUMNS = [
    "company_id",
    "period",
    "kind",
    "item_key",
    "member_id",
    "national_id",
    "birth_date",
    "name",
    "amount",
    "expected",
    "created_at",
]


def _write(tx: Store, inserts: list[dict], updates: list[dict], closing: list[int], now: datetime) -> None:
    """Apply the difference in a few set-based statements, not one per item."""
    if inserts:
        frame = pd.DataFrame(inserts, columns=ITEM_COLUMNS)
        frame["amount"] = frame["amount"].astype("float64")
        frame["expected"] = frame["expected"].astype("float64")
        tx.cur.register("new_items", frame)
        try:
            tx.execute(
                f"INSERT INTO reconciliation_items ({', '.join(ITEM_COLUMNS)})"
                " SELECT company_id, CAST(period AS DATE), kind, item_key, CAST(member_id AS INTEGER), national_id,"
                " CAST(birth_date AS DATE), name, CAST(amount AS DECIMAL(14,2)), CAST(expected AS DECIMAL(14,2)),"
                " CAST(created_at AS TIMESTAMP) FROM new_items"
            )
        finally:
            tx.cur.unregister("new_items")
    if updates:
        frame = pd.DataFrame(updates, columns=["id", "amount", "expected"]).astype(
            {"amount": "float64", "expected": "float64"}
        )
        tx.cur.register("changed_items", frame)
        try:
            tx.execute(
                "UPDATE reconciliation_items SET amount = CAST(c.amount AS DECIMAL(14,2)),"
                " expected = CAST(c.expected AS DECIMAL(14,2)), closed_at = NULL"
                " FROM changed_items c WHERE reconciliation_items.id = c.id"
            )
        finally:
            tx.cur.unregister("changed_items")
    if closing:
        tx.execute(
            "UPDATE reconciliation_items SET closed_at = ? WHERE id IN (SELECT unnest(?::INTEGER[]))", [now, closing]
        )


def notify_new_utrukne(tx: Store, *, company_id: int, company_name: str) -> list[int]:
    """One mail to each of the company's users; no names, only where to look."""
    body = (
        f"Det er registrert utrukne medlemmer for {company_name} i trekklisteportalen: medlemmer forbundet har "
        "registrert hos dere, men som ikke står på trekklisten.\n\n"
        f"Gi status for hvert medlem under «Utrukne»: {tx.settings.base_url}\n"
    )
    return [
        mail.enqueue(tx, kind="utrukne.new", to=email, subject=NEW_UTRUKNE_SUBJECT, body=body)
        for email in users.employer_emails(tx, company_id=company_id)
    ]


@dataclass(frozen=True)
class Utrukket:
    id: int
    birth_date: date | None
    name: str
    period: date
    status: str | None
    comment: str | None
    answered_by: str | None
    answered_at: datetime | None


def utrukne(store: Store, *, actor: Actor, company_id: int, answered: bool) -> list[Utrukket]:
    """The company's open utrukne (answered=False) or those answered and not yet closed."""
    require_company(store, actor=actor, company_id=company_id)
    rows = store.rows(
        "SELECT i.id, i.birth_date, i.name, i.period, i.status, i.comment, u.name, i.answered_at"
        " FROM reconciliation_items i LEFT JOIN users u ON u.id = i.answered_by"
        " WHERE i.company_id = ? AND i.kind = 'utrukket' AND i.closed_at IS NULL AND (i.status IS NOT NULL) = ?"
        " ORDER BY i.period DESC, i.name",
        [company_id, answered],
    )
    audit.viewed(
        store, actor=actor, action="utrukne.view", company_id=company_id, target="answered" if answered else "open"
    )
    return [Utrukket(*r) for r in rows]


def open_count(store: Store, *, actor: Actor, company_id: int) -> int:
    """How many utrukne wait for the employer's answer (a count, no personal data)."""
    require_company(store, actor=actor, company_id=company_id)
    return store.value(
        "SELECT count(*) FROM reconciliation_items WHERE company_id = ? AND kind = 'utrukket'"
        " AND closed_at IS NULL AND status IS NULL",
        [company_id],
    )


def answer(
    store: Store, *, actor: Actor, company_id: int, answers: dict[int, tuple[str, str]], now: datetime | None = None
) -> int:
    """Record the employer's status for each utrukket: {item id: (status, comment)}."""
    require_company(store, actor=actor, company_id=company_id)
    if not answers:
        raise InvalidInput("Velg status for minst ett medlem før du sender.")
    for status, comment in answers.values():
        if status not in STATUSES:
            raise InvalidInput("Velg en status: Ansatt, Permittert, Sluttet i bedrift eller Annet.")
        if status == "annet" and not (comment or "").strip():
            raise InvalidInput("Skriv en kommentar når du velger «Annet».")
    now = now or utcnow()

    def work(tx: Store) -> int:
        for item_id, (status, comment) in answers.items():
            found = tx.value(
                "SELECT 1 FROM reconciliation_items WHERE id = ? AND company_id = ? AND kind = 'utrukket'"
                " AND closed_at IS NULL",
                [item_id, company_id],
            )
            if found is None:
                raise NotFound("Medlemmet står ikke lenger som utrukket.")
            tx.execute(
                "UPDATE reconciliation_items SET status = ?, comment = ?, answered_by = ?, answered_at = ?"
                " WHERE id = ?",
                [status, (comment or "").strip() or None, actor.user_id, now, item_id],
            )
        audit.record(tx, actor=actor, action="utrukne.answer", company_id=company_id, detail=f"{len(answers)} svar")
        return len(answers)

    return store.transaction(work)


def _staff_update(store: Store, *, actor: Actor, item_id: int, assignments: str, params: list, action: str) -> None:
    actor.require_staff()

    def work(tx: Store) -> None:
        company_id = tx.value("SELECT company_id FROM reconciliation_items WHERE id = ?", [item_id])
        if company_id is None:
            raise NotFound("Finnes ikke.")
        tx.execute(f"UPDATE reconciliation_items SET {assignments} WHERE id = ?", params + [item_id])
        audit.record(tx, actor=actor, action=action, company_id=company_id, target=str(item_id))

    store.transaction(work)


def reopen(store: Store, *, actor: Actor, item_id: int) -> None:
    """Staff send an answered utrukket back to the employer."""
    _staff_update(
        store,
        actor=actor,
        item_id=item_id,
        action="utrukne.reopen",
        params=[],
        assignments="status = NULL, comment = NULL, answered_by = NULL, answered_at = NULL,"
        " handled_at = NULL, handled_by = NULL",
    )


def mark_handled(store: Store, *, actor: Actor, item_id: int) -> None:
    _staff_update(
        store,
        actor=actor,
        item_id=item_id,
        action="reconciliation.handled",
        assignments="handled_at = ?, handled_by = ?",
        params=[utcnow(), actor.user_id],
    )


def report(store: Store, *, actor: Actor, company_id: int, period: date) -> dict:
    """The outcome for staff and the CLI: open utrukne, unknown persons and anomalies."""
    actor.require_staff()
    items = store.dicts(
        "SELECT i.id, i.kind, m.member_no, i.national_id, i.birth_date, i.name, i.amount, i.expected, i.status,"
        " i.comment, i.handled_at, i.member_id FROM reconciliation_items i LEFT JOIN members m ON m.id = i.member_id"
        " WHERE i.company_id = ? AND i.period = ? AND i.closed_at IS NULL ORDER BY i.kind, i.name",
        [company_id, period],
    )
    audit.viewed(
        store,
        actor=actor,
        action="reconciliation.view",
        company_id=company_id,
        target=f"periode {periods.short(period)}",
    )
    return {
        "utrukne": [i for i in items if i["kind"] == UTRUKKET],
        "unknown": [i for i in items if i["kind"] == UNKNOWN],
        "anomalies": [i for i in items if i["kind"] == ANOMALY],
    }


def as_json(report_: dict) -> dict:
    def day(value):
        return value.isoformat() if value else None

    return {
        "utrukne": [
            {"member_no": i["member_no"], "birth_date": day(i["birth_date"]), "name": i["name"]}
            for i in report_["utrukne"]
        ],
        "unknown": [
            {
                "national_id": i["national_id"],
                "birth_date": day(i["birth_date"]),
                "name": i["name"],
                "amount": None if i["amount"] is None else float(i["amount"]),
            }
            for i in report_["unknown"]
        ],
        "anomalies": [
            {"member_no": i["member_no"], "amount": float(i["amount"]), "expected": float(i["expected"])}
            for i in report_["anomalies"]
        ],
    }


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
    now = {r[0]: r for r in store.rows(PERSONS_SQL, [company_id, period])}
    before = {r[0]: r for r in store.rows(PERSONS_SQL, [company_id, periods.add_months(period, -1)])}
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
