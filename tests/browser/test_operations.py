"""«Drift» in the browser, on a portal set up for nightly backups: its sidecar took the night's
backup as it started, the six checks are drawn in a table a person can read, and «Ta
sikkerhetskopi nå» writes another encrypted file."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from services import backup_keys
from tests.browser.conftest import STAFF, _seed, go, log_in, running_portal, settle
from tests.helpers import AUTHENTICATORS, USED_STEPS


def test_staff_read_the_checks_and_take_a_backup(tmp_path, mailbox, context):
    recipient = backup_keys.generate(tmp_path / "forbundets-nokkel.txt")
    data_dir = tmp_path / "data"
    # This portal's store gives the staff user an authenticator of its own; the suite's shared portal
    # keeps the one it has, so the tests after this one log in there as before.
    kept = dict(AUTHENTICATORS), dict(USED_STEPS)
    try:
        _seed(data_dir)
        _check(tmp_path, data_dir, recipient, mailbox, context)
    finally:
        AUTHENTICATORS.clear()
        AUTHENTICATORS.update(kept[0])
        USED_STEPS.clear()
        USED_STEPS.update(kept[1])


def _check(tmp_path, data_dir, recipient, mailbox, context) -> None:
    backups = tmp_path / "kopier"
    env = {"PORTAL_BACKUP_DIR": str(backups), "PORTAL_BACKUP_RECIPIENT": recipient, "PORTAL_MIN_FREE_DISK_MB": "1"}
    with running_portal(data_dir, mailbox, **env) as url:
        page = context.new_page()
        page.goto(url)  # the first page starts the portal's timed work
        deadline = time.monotonic() + 30
        while not list(backups.glob("trekkliste-*.age")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(backups.glob("trekkliste-*.age"))) == 1, "the sidecar took no backup as the portal started"
        log_in(page, STAFF)
        go(page, "Administrasjon")
        page.get_by_role("tab", name="Drift", exact=True).click()
        settle(page)
        expect(page.get_by_role("heading", name="Driftsstatus")).to_be_visible()
        table = page.locator("[data-testid=stDataFrame]").filter(has=page.get_by_text("Sjekk", exact=True)).first
        expect(table).to_be_visible()
        drawn = table.locator("[role=gridcell]").all_inner_texts()
        for label in ("Database", "Databaseversjon", "Tidsstyrt jobb", "E-post", "Sikkerhetskopi", "Diskplass"):
            assert label in drawn, drawn
        assert drawn.count("I orden") == 6, drawn
        box = table.bounding_box()
        assert box is not None and box["height"] >= 6 * 35 and box["width"] >= 600
        page.get_by_role("button", name="Ta sikkerhetskopi nå").click()
        expect(page.get_by_text("Sikkerhetskopien er tatt:")).to_be_visible()
        assert len(list(backups.glob("trekkliste-*.age"))) == 2
