"""The union-scale figures side by side: DuckDB and a throwaway PostgreSQL (issue 15), for
`make bench`. The same store is filled on both (2 000 companies, 12 months of lists); on each,
a list is sent and reconciled against an empty store and the union store, and the staff's
worklist pages («Avstemming», «Oversikt») are timed as script runs (AppTest), and 20 and 50
employers send their lists at the same moment (`bench_sends`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from services import db
from services.access import CLI, Actor
from services.accounts import codes, declaration, users
from services.register import person
from tests import bench_sends, bench_union, postgres
from tests.bench_staff import script_run_time
from tests.helpers import latest_code, set_up_app
from tests.pages.conftest import log_in, new_app

STAFF = "bench-pg@forbundet.no"
PASSWORD = "et-langt-benkpassord"
PAGES = {"Avstemming": "pages/staff/reconciliation.py", "Oversikt": "pages/staff/overview.py"}


def _pages(folder: Path, database_url: str | None):
    """A measure of the staff pages on the filled union store, for `bench_union.run(also=…)`."""

    def measure(store: db.Store) -> dict[str, float]:
        user = users.add_user(store, actor=CLI, email=STAFF, name="Benk Stab", staff=True)
        codes.request_code(store, email=STAFF, purpose=codes.ACTIVATE)
        codes.set_password_with_code(
            store, email=STAFF, code=latest_code(store, STAFF), password=PASSWORD, confirmation=PASSWORD
        )
        declaration.accept(store, actor=Actor(user.id, STAFF, "staff"), accepted=True)
        # Staff log in with a second factor: without one the login ends on its enrolment page.
        set_up_app(store, user.id, STAFF)
        os.environ.update(
            PORTAL_DATA_DIR=str(store.settings.data_dir),
            PORTAL_COOKIE_KEY=secrets.token_urlsafe(48),
            # The key the staff user's second factor was sealed with, whatever a bench before set.
            PORTAL_SECRET_KEY=store.settings.secret_key,
            PORTAL_DEMO="0",
            PORTAL_SIDECAR="0",
        )
        if database_url:
            os.environ["PORTAL_DATABASE_URL"] = database_url
        else:
            os.environ.pop("PORTAL_DATABASE_URL", None)
        at = log_in(new_app(), STAFF, PASSWORD)
        times = {}
        for count in (20, 50):
            times.update(bench_sends.sends_at_once(store, count))
        for label, page in PAGES.items():
            at.switch_page(page)
            at.run()
            times[f"page {label}"] = script_run_time(at, label)
        # «Person» for one member of the union store: twelve months of lists (issue 26).
        member_id = store.value("SELECT id FROM members WHERE member_no = '130000'")
        staff = Actor(user.id, STAFF, "staff")
        took = bench_union.median_time(lambda: person.history(store, actor=staff, member_id=member_id), repeat=5)
        months = len(person.history(store, actor=staff, member_id=member_id).months)
        print(f"person page: one member, {months} months of lists, at union scale {took:.3f} s (goal: at most 0.3 s)")
        times["person page"] = took
        os.environ.pop("PORTAL_DATABASE_URL", None)
        return times

    return measure


def _copy_peak(data_dir: Path, url: str) -> tuple[float, float]:
    """`copy-store` of one DuckDB store into an empty PostgreSQL database, as its own process:
    (its peak memory, the store's size), in MB."""
    import subprocess
    import sys

    db.close_all()
    size_mb = sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file()) / 1e6
    env = dict(os.environ, PORTAL_DATA_DIR=str(data_dir), PORTAL_DEMO="0")
    env.pop("PORTAL_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF_COMMAND, "copy-store", "--to", url],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.rsplit("PEAK ", 1)[1]) / 1024, size_mb


def _copy_store_memory(stores: Path, urls: dict[str, str]) -> None:
    """The union-scale store and the nearly empty one copied: memory flat in the store's size
    (issue 23) shows as the same peak for both."""
    big_peak, big_size = _copy_peak(stores / "union", urls["copy"])
    small_peak, small_size = _copy_peak(stores / "empty", urls["copy_empty"])
    print(
        f"copy-store: peak memory {big_peak:.0f} MB for a store of {big_size:.0f} MB"
        f" ({small_peak:.0f} MB for a store of {small_size:.1f} MB)"
    )


# The command line run in a process of its own that prints its own peak resident memory (KiB).
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across exec, so a child started by a
# large parent (this bench holds the union-scale store) reports the parent's peak as its own.
PEAK_OF_COMMAND = (
    "import sys\n"
    "from services.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
    "print('PEAK', int(status['VmHWM'].split()[0]))\n"
    "sys.exit(code)\n"
)


def run(folder: Path) -> None:
    if not postgres.available():
        print(postgres.MISSING)
        return
    import psycopg

    print("DuckDB:")
    duck = bench_union.run(folder / "duckdb", also=_pages(folder, None))
    server = postgres.start()
    try:
        urls = {}
        with psycopg.connect(server.dsn(), autocommit=True) as admin:
            for name in ("empty", "union", "copy", "copy_empty"):
                admin.execute(f"CREATE DATABASE bench_{name}")
                urls[name] = f"postgresql://portal@/bench_{name}?host={server.folder}&port={server.port}"
        _copy_store_memory(folder / "duckdb", urls)
        print("\nPostgreSQL:")
        pg = bench_union.run(folder / "postgres", database_urls=urls, also=_pages(folder, urls["union"]))
    finally:
        db.close_all()
        server.stop()
    print(f"\n{'union scale, same store (seconds)':<44} {'DuckDB':>9} {'PostgreSQL':>11}")
    for name in duck:
        print(f"{name:<44} {duck[name]:9.3f} {pg.get(name, float('nan')):11.3f}")
