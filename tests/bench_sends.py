"""Sends at once on the union-scale store, for `make bench` (issue 23): the deadline day, when many
employers send in the same minute. Each sender is a thread with its own store cursor, as each
user's script run is in the portal; they start together and each sends its company's real list
(its registered members, two left out) for the month after the filled year."""

from __future__ import annotations

import statistics
import threading
import time
import traceback
from datetime import date

from services import db
from services.access import CLI
from services.lists import submissions
from tests import bench_union

SEND_PERIOD = date(2026, 11, 1)


def _lists(store: db.Store, count: int) -> list[tuple[int, submissions.Upload]]:
    """`count` companies that have not sent for SEND_PERIOD, each with a list of its members."""
    companies = [
        r[0]
        for r in store.rows(
            "SELECT c.id FROM companies c WHERE NOT EXISTS (SELECT 1 FROM submissions s"
            " WHERE s.company_id = c.id AND s.period = ?) AND c.name LIKE 'Bedrift %' ORDER BY c.id LIMIT ?",
            [SEND_PERIOD, count],
        )
    ]
    lists = []
    for company_id in companies:
        people = store.rows(
            "SELECT m.national_id, m.name FROM employments e JOIN members m ON m.id = e.member_id"
            " WHERE e.company_id = ? ORDER BY m.id",
            [company_id],
        )
        lists.append((company_id, bench_union.list_upload(people[2:], f"trekk-{company_id}.csv")))
    return lists


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sends_at_once(store: db.Store, count: int) -> dict[str, float]:
    """`count` lists sent together: how long each send took from the common start, and how many
    were stored. Prints one line; returns the figures."""
    lists = _lists(store, count)
    before = store.value("SELECT count(*) FROM submissions WHERE period = ?", [SEND_PERIOD])
    start_line = threading.Barrier(len(lists))
    took: list[float] = []
    errors: list[str] = []

    def send(company_id: int, upload: submissions.Upload) -> None:
        own = db.open_store(store.settings)
        start_line.wait()
        started = time.perf_counter()
        try:
            submissions.submit(
                own,
                actor=CLI,
                company_id=company_id,
                period=SEND_PERIOD,
                contact_email="lonn@firma.no",
                uploads=[upload],
                today=bench_union.TODAY,
            )
            took.append(time.perf_counter() - started)
        except Exception:  # noqa: BLE001 - a failed send is a figure here, not the end of the bench
            errors.append(traceback.format_exc(limit=2))

    threads = [threading.Thread(target=send, args=item) for item in lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = store.value("SELECT count(*) FROM submissions WHERE period = ?", [SEND_PERIOD]) - before
    p50 = statistics.median(took) if took else float("nan")
    p95 = percentile(took, 0.95) if took else float("nan")
    label = f"{len(lists)} sends at once ({store.engine})"
    print(
        f"{label:<40} {len(errors)} errors, {stored}/{len(lists)} lists stored,"
        f" send p50 {p50:.2f} s, p95 {p95:.2f} s (goal: p95 at most 3 s)"
    )
    for error in errors[:3]:
        print("  " + error.strip().replace("\n", "\n  "))
    return {f"{len(lists)} sends at once, p95": p95}
