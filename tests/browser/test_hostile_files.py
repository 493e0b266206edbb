"""Hostile files on «Innsending»: a clear message for the sender, nothing felt by anyone else."""

import random
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from tests import fuzz, listfiles
from tests.browser.conftest import ARTIFACTS, EMPLOYER, SERVER, go, log_in, open_context, settle

WALL_LIMIT_MS = 60_000


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _submission_page(context, portal):
    page = context.new_page()
    page.goto(portal)
    page.get_by_text("Innlogging").first.wait_for()
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    go(page, "Innsending")
    expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()
    return page


def test_dimension_bomb_and_truncated_ods_while_another_session_works(browser, portal, tmp_path):
    rng = random.Random(9)
    bomb = tmp_path / "bombe.xlsx"
    bomb.write_bytes(fuzz.dimension_bomb(rng)[1])
    ods_seed = next(data for name, data in fuzz.seeds() if name.endswith(".ods"))
    truncated = tmp_path / "kuttet.ods"
    truncated.write_bytes(ods_seed[: len(ods_seed) // 2])
    good = listfiles.xlsx(
        tmp_path / "god.xlsx",
        {
            "Ark1": [
                ["Fnr", "Navn", "Trekk"],
                [listfiles.make_fnr(date(1990, 1, 1)), "Nordmann, Ola", 624.0],
                [listfiles.make_fnr(date(1975, 3, 9)), "Ås, Kjersti", 676.01],
            ]
        },
    )
    server = SERVER["process"]

    hostile_context = open_context(browser)
    other_context = open_context(browser)
    try:
        hostile = _submission_page(hostile_context, portal)
        other = _submission_page(other_context, portal)
        # Measured once both sessions have the page: what a cold server loads is not the files' doing.
        before = _rss_mb(server.pid)
        # Both at once: the hostile files first, the other user's list right behind them.
        hostile.locator("input[type=file]").set_input_files([str(bomb), str(truncated)])
        other.locator("input[type=file]").set_input_files(str(good))

        expect(hostile.get_by_text("høyst 500 kolonner er tillatt")).to_be_visible(timeout=WALL_LIMIT_MS)
        expect(hostile.get_by_text("er skadet eller ufullstendig")).to_be_visible(timeout=WALL_LIMIT_MS)
        expect(other.get_by_text("2 personer · sum 1\u00a0300,01\u00a0kr")).to_be_visible()
        settle(hostile)
        hostile.get_by_role("button", name="Send inn").click()
        expect(hostile.get_by_text("Listen kan ikke sendes inn")).to_be_visible()
        # The other session goes on as if nothing happened.
        go(other, "Innsendte lister det siste året")
        expect(other.get_by_text("Det er ikke mulig å laste ned filene")).to_be_visible()
        assert server.poll() is None, "the portal process died"
        assert _rss_mb(server.pid) < before + 200, "the portal process grew on a hostile file"
    finally:
        for made, label in ((hostile_context, "hostile"), (other_context, "other")):
            for page in made.pages:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"test_hostile_files-{label}.png"), full_page=True)
            made.close()
