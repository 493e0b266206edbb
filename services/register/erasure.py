"""Erasing a member on request, within the law (GDPR art. 17, issue 26).

The union must keep a member's data for the retention times its settings say: a list's rows and
outcome `list_retention_months` after its period, a member `member_retention_months` after their
last job ended. Each night the sidecar deletes what has passed them (services/register/retention).
A request to be erased is answered from the same rules: before the last of those times the page
says what is kept, why, and from which day it can go; after it, everything that names the member
goes at once, with a report of what went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services import audit, localtime, periods, settings_store
from services.access import Actor
from services.db import Store, Tx
from services.errors import InvalidInput, NotFound
from services.reading import identity
from services.register import retention


@dataclass(frozen=True)
class Kept:
    """Something that names the member and must be kept until `until` (the first day it may go)."""

    what: str
    until: date


@dataclass(frozen=True)
class ErasurePlan:
    member_no: str
    kept: list[Kept]

    @property
    def allowed_from(self) -> date | None:
        """None when nothing holds the member back."""
        return max((k.until for k in self.kept), default=None)


@dataclass(frozen=True)
class Erased:
    member_no: str
    rows: dict[str, int]


def _months(store: Store, key: str) -> int:
    return int(settings_store.numeric(store, key))


def _keys(store: Store, member_id: int) -> tuple[str, str, list[str]]:
    """The member number, the fødselsnummer, and the person keys a list row about them carries."""
    found = store.row("SELECT member_no, national_id, birth_date, name FROM members WHERE id = ?", [member_id])
    if found is None:
        raise NotFound("Fant ikke medlemmet.")
    member_no, national_id, birth_date, name = found
    return member_no, national_id, identity.member_row_keys(national_id, birth_date, name)


def plan(store: Store, *, actor: Actor, member_id: int, today: date | None = None) -> ErasurePlan:
    """What keeps the member from being erased today, each with the day it may go."""
    actor.require_staff()
    today = today or localtime.today()
    member_no, national_id, keys = _keys(store, member_id)
    kept: list[Kept] = []
    member_months = _months(store, "member_retention_months")
    jobs = store.rows("SELECT valid_to FROM employments WHERE member_id = ?", [member_id])
    if not jobs:
        member_to = store.value("SELECT member_to FROM members WHERE id = ?", [member_id])
        if member_to is None:
            kept.append(Kept("Medlemskapet har ingen sluttdato", date.max))
        else:
            allowed = periods.add_months(periods.month_start(member_to), member_months + 1)
            kept.append(Kept("Medlemskapet", allowed))
    elif any(valid_to is None for (valid_to,) in jobs):
        kept.append(Kept("Personen er fortsatt ansatt i en bedrift med trekk", date.max))
    else:
        last_day = max(valid_to for (valid_to,) in jobs)
        # The night's run removes the member in the first month whose start, less the months,
        # is after the last working day (services/register/retention.py).
        allowed = periods.add_months(periods.month_start(last_day), member_months + 1)
        kept.append(Kept(f"Medlemskapet og ansettelsene ({member_months} måneder etter siste arbeidsdag)", allowed))
    list_months = _months(store, "list_retention_months")
    latest = None
    for key in keys:
        found = store.value(
            "SELECT max(coalesce(r.period, s.period)) FROM submission_rows r"
            " JOIN submissions s ON s.id = r.submission_id WHERE r.person_key = ?",
            [key],
        )
        if found is not None and (latest is None or found > latest):
            latest = found
    for column, value in (("member_id", member_id), ("national_id", national_id)):
        outcome = store.value(f"SELECT max(period) FROM reconciliation_items WHERE {column} = ?", [value])
        if outcome is not None and (latest is None or outcome > latest):
            latest = outcome
    if latest is not None:
        kept.append(
            Kept(
                f"Trekklister og avstemming til og med {periods.label(latest).lower()} ({list_months} måneder)",
                periods.add_months(periods.month_start(latest), list_months + 1),
            )
        )
    return ErasurePlan(member_no, [k for k in kept if k.until > today])


def erase(store: Store, *, actor: Actor, member_id: int, today: date | None = None) -> Erased:
    """Erase the member and everything that names them, or refuse with the day it may be done."""
    actor.require_staff()
    today = today or localtime.today()
    found = plan(store, actor=actor, member_id=member_id, today=today)
    if found.kept:
        held = max(found.kept, key=lambda k: k.until)
        when = "så lenge det gjelder" if held.until == date.max else f"før {held.until:%d.%m.%Y}"
        raise InvalidInput(f"Medlem {found.member_no} kan ikke slettes {when}: {held.what.lower()} må beholdes.")
    member_no, national_id, keys = _keys(store, member_id)

    def work(tx: Tx) -> Erased:
        rows: dict[str, int] = {}

        def delete(label: str, sql: str, params: list) -> None:
            rows[label] = rows.get(label, 0) + int(tx.value(f"SELECT count(*) {sql}", params))
            tx.execute(f"DELETE {sql}", params)

        for key in keys:
            delete("listerader", "FROM submission_rows WHERE person_key = ?", [key])
        # Outcomes name the member by id, or (a list row no member matched) by the number alone.
        for column, value in (("member_id", member_id), ("national_id", national_id)):
            delete(
                "svar fra bedriftene",
                f"FROM utrukket_answers WHERE item_id IN (SELECT id FROM reconciliation_items WHERE {column} = ?)",
                [value],
            )
            delete("avstemming", f"FROM reconciliation_items WHERE {column} = ?", [value])
        delete(
            "brev som nevner personen",
            "FROM letter_members WHERE employment_id IN (SELECT id FROM employments WHERE member_id = ?)",
            [member_id],
        )
        delete("rettelser", "FROM member_corrections WHERE member_id = ?", [member_id])
        delete("ansettelser", "FROM employments WHERE member_id = ?", [member_id])
        delete("medlem", "FROM members WHERE id = ?", [member_id])
        audit.record(tx, actor=actor, action="member.erase", target=member_no, detail=f"{sum(rows.values())} rader")
        return Erased(member_no, rows)

    erased = store.transaction(work)
    # Every list that named the member has passed its time (the plan says so): the night's run
    # would delete their files, with those of everyone else past it; here it runs now.
    purged = retention.purge(store, today=today)
    erased.rows["lister med filer som har passert lagringstiden (alle bedrifter)"] = purged["lists_purged"]
    return erased
