"""Union-scale figures for `make bench`: 2 000 companies, 60 000 members, 12 months of lists.

The store is filled in bulk (the services would take an hour to send 24 000 lists one by one);
what is measured then goes through the real services. Statement counts come from counting the
store's calls while one operation runs: a set-based operation issues the same number however
many rows it touches.
"""

from __future__ import annotations

import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from services import db, periods
from services.access import CLI
from services.accounts import companies
from services.lists import submissions
from services.reading.identity import name_key
from services.register import answers, reconcile, retention
from tests import listfiles
from tests.conftest import make_settings

COMPANIES = 2000
MEMBERS_EACH = 30
MONTHS = 12
LAST = date(2026, 10, 1)
TODAY = date(2026, 11, 20)


def born(n: int) -> date:
    return date(1950 + n % 50, 1 + n % 12, 1 + n % 28)


def fnr(n: int) -> str:
    # 16 800 birth dates, each shared by at most four members, twenty individual numbers apart.
    return listfiles.make_fnr(born(n), 20 * (n // 16_800))


def newcomer(n: int) -> str:
    """Someone born this century: on no register of the union store."""
    return listfiles.make_fnr(date(2001 + n % 20, 1 + n // 20 % 12, 1 + n // 240 % 28), 600)


def name(n: int) -> str:
    return f"Etternavn{n}, Fornavn{n}"


@contextmanager
def counting() -> Iterator[list[int]]:
    """How many statements the store runs while the block runs."""
    count = [0]
    originals = {m: getattr(db.Store, m) for m in ("execute", "rows", "row")}

    def wrap(method: Callable) -> Callable:
        def counted(self, *args, **kwargs):
            count[0] += 1
            return method(self, *args, **kwargs)

        return counted

    for method_name, method in originals.items():
        setattr(db.Store, method_name, wrap(method))
    try:
        yield count
    finally:
        for method_name, method in originals.items():
            setattr(db.Store, method_name, method)


def fill(store: db.Store, *, months: int = MONTHS) -> list[int]:
    """The union: companies, members with one employment each, a list a month from every company,
    each leaving out two of its members. Returns the company ids."""
    now = datetime(2026, 11, 1)
    periods_filled = [periods.add_months(LAST, -n) for n in range(months)]

    def work(tx: db.Tx) -> list[int]:
        tx.bulk_insert(
            "companies",
            ("orgnr", "name", "created_at"),
            [(listfiles.make_orgnr(c + 10), f"Bedrift {c} AS", now) for c in range(COMPANIES)],
        )
        ids = [r[0] for r in tx.rows("SELECT id FROM companies ORDER BY id")]
        total = COMPANIES * MEMBERS_EACH
        people = [(str(100_000 + n), fnr(n), name(n)) for n in range(total)]
        tx.bulk_insert(
            "members",
            ("member_no", "national_id", "birth_date", "name", "name_key", "rate_class", "created_at", "updated_at"),
            [(no, nid, born(n), nm, name_key(nm), "ordinær", now, now) for n, (no, nid, nm) in enumerate(people)],
        )
        member_ids = [r[0] for r in tx.rows("SELECT id FROM members ORDER BY id")]
        tx.bulk_insert(
            "employments",
            ("member_id", "company_id", "valid_from", "created_at"),
            [(m, ids[n % COMPANIES], date(2020, 1, 1), now) for n, m in enumerate(member_ids)],
        )
        for month in periods_filled:
            tx.bulk_insert(
                "submissions",
                ("company_id", "period", "contact_email", "submitted_by", "submitted_at", "person_count", "total"),
                [(c, month, "lonn@firma.no", None, now, MEMBERS_EACH - 2, Decimal("14560.00")) for c in ids],
            )
            sent = tx.rows("SELECT id, company_id FROM submissions WHERE period = ?", [month])
            tx.bulk_insert(
                "stored_files",
                ("stored_name", "sha256", "size_bytes", "created_at", "submission_id", "original_name", "kind"),
                [(secrets.token_hex(16), "0" * 64, 0, now, s, "liste.csv", "csv") for s, _ in sent],
            )
            file_of = {r[0]: r[1] for r in tx.rows("SELECT submission_id, id FROM stored_files WHERE kind = 'csv'")}
            by_company = {company_id: (s, file_of[s]) for s, company_id in sent}
            rows = []
            for n in range(total):
                if n // COMPANIES in (0, 1):
                    continue  # two members of every company are not on its lists
                nid, nm = people[n][1], people[n][2]
                submission_id, file_id = by_company[ids[n % COMPANIES]]
                rows.append(
                    (
                        submission_id,
                        file_id,
                        n,
                        nid,
                        born(n),
                        nm,
                        None,
                        Decimal("40000.00"),
                        Decimal("520.00"),
                        name_key(nm),
                        nid,
                        None,
                    )
                )
            # A list's rows arrive together, as the portal writes them.
            rows.sort(key=lambda row: row[0])
            tx.bulk_insert("submission_rows", submissions.ROW_COLUMNS, rows)
        return ids

    return store.transaction(work)


def hire(store: db.Store, company_id: int, staff: list[tuple[str, str, str]], now: datetime) -> None:
    """Members (member no, national id, name) added in bulk, each employed at the company since 2020.
    The member numbers are new and of one length: the employments go in by their range."""
    numbers = [no for no, _, _ in staff]

    def work(tx: db.Tx) -> None:
        tx.bulk_insert(
            "members",
            ("member_no", "national_id", "name", "name_key", "rate_class", "created_at", "updated_at"),
            [(no, nid, nm, name_key(nm), "ordinær", now, now) for no, nid, nm in staff],
        )
        tx.execute(
            "INSERT INTO employments (member_id, company_id, valid_from, created_at)"
            " SELECT id, ?, DATE '2020-01-01', ? FROM members WHERE member_no BETWEEN ? AND ?",
            [company_id, now, min(numbers), max(numbers)],
        )

    store.transaction(work)


def median_time(work: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def submit_times(store: db.Store, company_id: int, uploads: dict[str, submissions.Upload]) -> dict[str, float]:
    return {
        label: median_time(
            lambda upload=upload: submissions.submit(
                store,
                actor=CLI,
                company_id=company_id,
                period=LAST,
                contact_email="lonn@firma.no",
                uploads=[upload],
                today=TODAY,
                confirm_earlier_copies=True,
            )
        )
        for label, upload in uploads.items()
    }


def list_upload(people: list[tuple[str, str]], file_name: str) -> submissions.Upload:
    lines = ["Fødselsnummer;Navn;Trekk"] + [f"{nid};{nm};520,00" for nid, nm in people]
    return submissions.Upload(file_name, ("\n".join(lines) + "\n").encode())


def run(
    folder: Path,
    *,
    database_urls: dict[str, str] | None = None,
    also: Callable[[db.Store], dict[str, float]] | None = None,
) -> dict[str, float]:
    """The union-scale figures on DuckDB, or on PostgreSQL when `database_urls` names an empty
    database for "empty" and for "union". `also` measures more on the filled union store (before
    the purge empties it). Returns the figures by name."""
    urls = database_urls or {}
    newcomers = [(newcomer(n), f"Ny{n}, Person{n}") for n in range(6000)]
    uploads = {
        "20-row list": list_upload(newcomers[:20], "20.csv"),
        "6 000-row list": list_upload(newcomers, "6000.csv"),
    }

    empty = db.open_store(
        make_settings(folder / "empty", cookie_key=secrets.token_urlsafe(48), database_url=urls.get("empty"))
    )
    small = companies.add_company(empty, actor=CLI, orgnr="910000004", name="Tom AS")
    on_empty = submit_times(empty, small.id, uploads)
    db.close_all()

    store = db.open_store(
        make_settings(folder / "union", cookie_key=secrets.token_urlsafe(48), database_url=urls.get("union"))
    )
    started = time.perf_counter()
    ids = fill(store)
    if store.engine == "postgres":
        # A year of lists arrived in seconds: gather the statistics autovacuum keeps on a server
        # that has been running, so the figures are those of a union at work, not of a fresh load.
        store.execute("ANALYZE")
    rows = store.value("SELECT count(*) FROM submission_rows")
    print(
        f"union-scale store: {COMPANIES} companies, {store.value('SELECT count(*) FROM members')} members,"
        f" {MONTHS} months, {rows} list rows (filled in {time.perf_counter() - started:.0f} s)"
    )

    start = time.perf_counter()
    run_ = reconcile.reconcile_period(store, actor=CLI, period=LAST)
    whole_period = time.perf_counter() - start
    print(
        f"{'reconcile one period for every company (goal: under 60 s)':<62} {whole_period:8.1f} s"
        f" ({run_.companies} companies, {run_.new_utrukne} utrukne)"
    )

    on_union = submit_times(store, ids[-1], uploads)
    figures = {"reconcile whole period": whole_period, **{f"submit {k}": v for k, v in on_union.items()}}
    if also is not None:
        figures.update(also(store))
    for label in uploads:
        ratio = on_union[label] / on_empty[label]
        print(
            f"{'submit + reconcile, ' + label:<40} empty store {on_empty[label]:6.3f} s,"
            f" union store {on_union[label]:6.3f} s: {ratio:4.1f}x (goal: at most 1.5x)"
        )

    # A large company whose list names 36 of its 500 members: 464 utrukne, answered at once.
    large = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(5000), name="Stor AS")
    now = datetime(2026, 11, 1)
    staff = [(str(500_000 + n), newcomer(3000 + n), f"Stor{n}, Ansatt{n}") for n in range(500)]

    hire(store, large.id, staff, now)
    submit_times(store, large.id, {"": list_upload([(nid, nm) for _, nid, nm in staff[:36]], "stor.csv")})
    open_items = [
        r[0]
        for r in store.rows(
            "SELECT id FROM reconciliation_items WHERE company_id = ? AND kind = 'utrukket' AND closed_at IS NULL",
            [large.id],
        )
    ]
    with counting() as few:
        answers.answer(store, actor=CLI, company_id=large.id, answers={open_items[0]: ("permittert", "")})
    with counting() as lots:
        start = time.perf_counter()
        answers.answer(
            store, actor=CLI, company_id=large.id, answers={i: ("annet", "Sluttet før perioden") for i in open_items}
        )
        took = time.perf_counter() - start
    print(
        f"{'answer utrukne at once (goal: a constant number of statements)':<62}"
        f" 1 answer: {few[0]} statements; {len(open_items)} answers: {lots[0]} statements ({took:.2f} s)"
    )

    with counting() as purge:
        start = time.perf_counter()
        done = retention.purge(store, today=date(2029, 1, 15))
        took = time.perf_counter() - start
    print(
        f"{'retention purge (goal: a constant number of statements)':<62}"
        f" {done['lists_purged']} lists: {purge[0]} statements ({took:.1f} s)"
    )
    db.close_all()
    return figures
