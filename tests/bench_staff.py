"""Every staff page's script run (AppTest) on the demo store and at union scale, for `make bench`.

The union-scale store (2 000 companies, 60 000 members, 24 months of lists) takes a while to
fill, so it is built once and kept under the data dir (`data/bench/`, git-ignored); delete that
folder to build it again.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from services import db, demo, mail
from services.access import CLI, Actor
from services.accounts import codes, declaration, users
from services.config import load_settings
from services.register import reconcile
from tests import bench_union
from tests.helpers import active_clerks, latest_code
from tests.pages.conftest import log_in, new_app

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "data" / "bench" / "union-24-months"
STAFF = "bench@forbundet.no"
PASSWORD = "et-langt-benkpassord"
PAGES = {
    "Administrasjon": "pages/staff/admin.py",
    "Oversikt": "pages/staff/overview.py",
    "Innkomne lister": "pages/staff/incoming.py",
    "Medlemsregister": "pages/staff/members.py",
    "Avstemming": "pages/staff/reconciliation.py",
    "Brev til bedrifter": "pages/staff/letters.py",
}
GOAL = 0.3
# An employer at a large company with 500 open utrukne (issue 14): «Utrukne» in one table.
CLERK = "bench-lonn@stor.no"
UTRUKNE_OPEN = 500
# The union's largest employer (issue 23): 5 800 members, all on last month's list, for
# «Registrer trekk» (every member with last month's amount) and «Brev til bedrifter».
LARGEST_CLERK = "bench-lonn@storst.no"
LARGEST = 5800


def _environment(data_dir: Path, *, demo_mode: bool, cookie_key: str) -> None:
    os.environ.update(
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_COOKIE_KEY=cookie_key,
        PORTAL_SECRET_KEY=cookie_key[::-1],
        PORTAL_DEMO="1" if demo_mode else "0",
        PORTAL_SIDECAR="0",
    )
    os.environ.pop("SENDGRID_API_KEY", None)


def _union_store() -> None:
    """Fill the cached union store once, with a staff user who may log in."""
    if (CACHE / "ready").exists():
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    store = db.open_store(load_settings())
    started = time.perf_counter()
    bench_union.fill(store, months=24)
    # The worklist has work: the last period reconciled for every company (two utrukne each).
    reconcile.reconcile_period(store, actor=CLI, period=bench_union.LAST)
    user = users.add_user(store, actor=CLI, email=STAFF, name="Benk Stab", staff=True)
    codes.request_code(store, email=STAFF, purpose=codes.ACTIVATE)
    codes.set_password_with_code(
        store, email=STAFF, code=latest_code(store, STAFF), password=PASSWORD, confirmation=PASSWORD
    )
    declaration.accept(store, actor=Actor(user.id, STAFF, "staff"), accepted=True)
    rows = store.value("SELECT count(*) FROM submission_rows")
    mail.stop_couriers()
    db.close_all()
    (CACHE / "ready").write_text(f"{rows} list rows, filled in {time.perf_counter() - started:.0f} s\n")


def _large_employer() -> None:
    """Once, in the cached store: a company of 500 members whose list names none of them, and
    a clerk for it."""
    marker = CACHE / "utrukne-ready"
    if marker.exists():
        return
    from datetime import datetime

    from services.accounts import companies
    from services.lists import submissions
    from tests import listfiles

    store = db.open_store(load_settings())
    large = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(7000), name="Stor Utrukne AS")
    now = datetime(2026, 11, 1)
    staff = [
        (str(700_000 + n), bench_union.newcomer(4000 + n), f"Utrukket{n:03}, Ansatt{n}") for n in range(UTRUKNE_OPEN)
    ]

    bench_union.hire(store, large.id, staff, now)
    [actor] = active_clerks(store, [(CLERK, large.orgnr)], PASSWORD)
    outsider = bench_union.list_upload([(bench_union.newcomer(9000), "Ny, Person")], "stor.csv")
    submissions.submit(
        store,
        actor=actor,
        company_id=large.id,
        period=bench_union.LAST,
        contact_email=CLERK,
        uploads=[outsider],
        today=bench_union.TODAY,
    )
    mail.stop_couriers()
    db.close_all()
    marker.write_text(f"{UTRUKNE_OPEN} open utrukne at Stor Utrukne AS\n")


def _largest_employer() -> None:
    """Once, in the cached store: a company of LARGEST members, each on its list for the last
    period (with an amount, as «Registrer trekk» fills in), and a clerk for it."""
    marker = CACHE / "largest-ready"
    if marker.exists():
        return
    from datetime import datetime
    from decimal import Decimal

    from services.accounts import companies
    from services.lists import submissions
    from tests import listfiles

    store = db.open_store(load_settings())
    largest = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(7001), name="Største Arbeidsgiver AS")
    now = datetime(2026, 11, 1)
    staff = [(str(800_000 + n), bench_union.newcomer(5000 + n), f"Ansatt{n:04}, Største{n}") for n in range(LARGEST)]

    bench_union.hire(store, largest.id, staff, now)
    [actor] = active_clerks(store, [(LARGEST_CLERK, largest.orgnr)], PASSWORD)
    every_one = bench_union.list_upload([(nid, nm) for _, nid, nm in staff], "storst.csv")
    submissions.submit(
        store,
        actor=actor,
        company_id=largest.id,
        period=bench_union.LAST,
        contact_email=LARGEST_CLERK,
        uploads=[every_one],
        today=bench_union.TODAY,
    )
    on_list = store.value(
        "SELECT count(*) FROM submission_rows r JOIN submissions s ON s.id = r.submission_id"
        " WHERE s.company_id = ? AND r.amount = ?",
        [largest.id, Decimal("520.00")],
    )
    mail.stop_couriers()
    db.close_all()
    marker.write_text(f"{LARGEST} members at Største Arbeidsgiver AS, {on_list} on its last list\n")


def script_run_time(at, label: str, repeat: int = 5) -> float:
    """The median of `repeat` script runs of the page `at` has open; a page that fails is no figure."""
    took = bench_union.median_time(at.run, repeat)
    if at.exception:
        raise RuntimeError(f"{label}: {at.exception[0].message}")
    return took


def _utrukne_time(repeat: int = 5) -> float:
    at = log_in(new_app(), CLERK, PASSWORD)
    at.switch_page("pages/employer/not_deducted.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"Utrukne: {at.exception[0].message}")
    shown = len(at.data_editor[0].value)
    took = script_run_time(at, "Utrukne", repeat)
    mail.stop_couriers()
    db.close_all()
    print(
        f"«Utrukne» with {UTRUKNE_OPEN} open items ({shown} a page): {took:.3f} s a run"
        f" (median of {repeat}; goal {GOAL} s): {'ok' if took <= GOAL else 'OVER'}"
    )
    return took


def _fill_in_time(repeat: int = 5) -> float:
    """«Registrer trekk» for the clerk of the largest company: every expected member with last
    period's amount, matched by the stored person keys (issue 23)."""
    at = log_in(new_app(), LARGEST_CLERK, PASSWORD)
    at.switch_page("pages/employer/fill_in.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"Registrer trekk: {at.exception[0].message}")
    shown = len(at.data_editor[0].value)
    filled = int((at.data_editor[0].value["Beløp"] != "").sum())
    took = script_run_time(at, "Registrer trekk", repeat)
    mail.stop_couriers()
    db.close_all()
    print(
        f"«Registrer trekk» for a company with {LARGEST} members ({shown} rows, {filled} with last month's"
        f" amount): {took:.3f} s a run"
        f" (median of {repeat}; goal {GOAL} s): {'ok' if took <= GOAL else 'OVER'}"
    )
    return took


def _large_company_letters_time(repeat: int = 5) -> float:
    """«Brev til bedrifter» for the largest company: a start letter pending for each new member."""
    at = log_in(new_app(), STAFF, PASSWORD)
    at.switch_page(PAGES["Brev til bedrifter"])
    at.run()
    at.selectbox[0].select(next(o for o in at.selectbox[0].options if "Største" in o))
    at.run()
    took = script_run_time(at, "Brev til bedrifter", repeat)
    mail.stop_couriers()
    db.close_all()
    print(
        f"«Brev til bedrifter» for a company with {LARGEST} members: {took:.3f} s a run"
        f" (median of {repeat}; goal {GOAL} s): {'ok' if took <= GOAL else 'OVER'}"
    )
    return took


def _page_times(email: str, password: str, repeat: int = 5) -> dict[str, float]:
    at = log_in(new_app(), email, password)
    times = {}
    for label, page in PAGES.items():
        at.switch_page(page)
        at.run()  # the first run of a page, as a user opening it
        if page == PAGES["Brev til bedrifter"]:
            # With a company chosen: its letters and its register changes since the last letters.
            # The last ordinary company: not the 500-member one added for «Utrukne» below.
            ordinary = [o for o in at.selectbox[0].options if "Stor Utrukne" not in o and "Største" not in o]
            at.selectbox[0].select(ordinary[-1])
            at.run()
        times[label] = script_run_time(at, label, repeat)
    mail.stop_couriers()
    db.close_all()
    return times


def _second_factor_for(email: str) -> None:
    """Staff log in with a second factor; the kept store's was sealed with an earlier run's key."""
    from services.accounts import second_factor
    from tests.helpers import set_up_app

    store = db.open_store(load_settings())
    user_id = store.value("SELECT id FROM users WHERE email = ?", [email])
    second_factor.reset(store, actor=CLI, user_id=user_id)
    set_up_app(store, user_id, email)
    db.close_all()


def run(folder: Path) -> None:
    key = secrets.token_urlsafe(48)
    _environment(folder / "demo", demo_mode=True, cookie_key=key)
    demo_store = db.open_store(load_settings())
    demo.seed(demo_store)
    staff_id = demo_store.value("SELECT id FROM users WHERE email = ?", [demo.DEMO_STAFF])
    declaration.accept(demo_store, actor=Actor(staff_id, demo.DEMO_STAFF, "staff"), accepted=True)
    on_demo = _page_times(demo.DEMO_STAFF, demo.DEMO_PASSWORD)

    _environment(CACHE, demo_mode=False, cookie_key=key)
    _union_store()
    print(f"union-scale store for the staff pages: {(CACHE / 'ready').read_text().strip()} (kept under data/bench)")
    _second_factor_for(STAFF)
    at_scale = _page_times(STAFF, PASSWORD)
    print(f"{'staff page (script run, median of 5)':<40} {'demo':>8} {'union scale':>12}  goal {GOAL} s")
    for label in PAGES:
        verdict = "ok" if at_scale[label] <= GOAL else "OVER"
        print(f"{label:<40} {on_demo[label]:7.3f}s {at_scale[label]:11.3f}s  {verdict}")
    _large_employer()
    _largest_employer()
    _utrukne_time()
    _fill_in_time()
    _large_company_letters_time()
