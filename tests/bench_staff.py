"""Every staff page's script run (AppTest) on the demo store and at union scale, for `make bench`.

The union-scale store (2 000 companies, 60 000 members, 24 months of lists) takes a while to
fill, so it is built once and kept under the data dir (`data/bench/`, git-ignored); delete that
folder to build it again.
"""

from __future__ import annotations

import os
import secrets
import statistics
import time
from pathlib import Path

from services import db, demo, mail
from services.accounts import codes, declaration, users
from services.accounts.access import CLI, Actor
from services.config import load_settings
from services.register import reconcile
from tests import bench_union
from tests.helpers import latest_code
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


def _environment(data_dir: Path, *, demo_mode: bool, cookie_key: str) -> None:
    os.environ.update(
        PORTAL_DATA_DIR=str(data_dir),
        PORTAL_COOKIE_KEY=cookie_key,
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


def _page_times(email: str, password: str, repeat: int = 5) -> dict[str, float]:
    at = log_in(new_app(), email, password)
    times = {}
    for label, page in PAGES.items():
        at.switch_page(page)
        at.run()  # the first run of a page, as a user opening it
        if page == PAGES["Brev til bedrifter"]:
            # With a company chosen: its letters and its register changes since the last letters.
            at.selectbox[0].select(at.selectbox[0].options[-1])
            at.run()
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{label}: {at.exception[0].message}")
        times[label] = statistics.median(runs)
    mail.stop_couriers()
    db.close_all()
    return times


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
    at_scale = _page_times(STAFF, PASSWORD)
    print(f"{'staff page (script run, median of 5)':<40} {'demo':>8} {'union scale':>12}  goal {GOAL} s")
    for label in PAGES:
        verdict = "ok" if at_scale[label] <= GOAL else "OVER"
        print(f"{label:<40} {on_demo[label]:7.3f}s {at_scale[label]:11.3f}s  {verdict}")
