"""WCAG 2.1 A and AA, the level Norwegian rules set for web solutions: axe-core on every page and
state of both roles, logged out too (its rules include a name for every button, field and link);
and the employer's month done with the keyboard alone."""

from __future__ import annotations

from datetime import date

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from services import localtime, periods
from tests import listfiles
from tests.browser.conftest import (
    AUTHENTICATORS,
    EMPLOYER,
    EMPLOYER_PAGES,
    KEYBOARD,
    KEYBOARD_UTRUKKET,
    PASSWORD,
    STAFF,
    STAFF_PAGES,
    go,
    log_in,
    open_context,
    settle,
)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE = Axe()


def violations(page) -> list[str]:
    """Each rule broken on the page as drawn now, with (some of) the elements that break it and why."""
    settle(page)
    found = AXE.run(page, options=WCAG_21_AA).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): "
        + "; ".join(
            f"{n['target'][-1]} «{' '.join(n.get('failureSummary', '').split())[:200]}»" for n in v["nodes"][:4]
        )
        for v in found
    ]


def test_every_page_and_state_meets_wcag_21_aa(browser, portal, tmp_path, figure):
    found: dict[str, list[str]] = {}
    context = open_context(browser)
    try:
        page = context.new_page()
        page.goto(portal)
        expect(page.get_by_role("button", name="Logg inn")).to_be_visible()
        found["innlogging"] = violations(page)
        page.get_by_role("button", name="Glemt passord").click()
        expect(page.get_by_role("button", name="Send engangskode")).to_be_visible()
        found["glemt passord"] = violations(page)
        page.get_by_role("button", name="Avbryt").click()
        settle(page)
        page.get_by_label("E-post").fill(EMPLOYER)
        page.get_by_label("Passord").fill("feil-passord-her")
        page.get_by_role("button", name="Logg inn").click()
        expect(page.get_by_text("Feil e-post eller passord")).to_be_visible()
        found["innlogging, feil passord"] = violations(page)
        log_in(page, EMPLOYER)
        for name in EMPLOYER_PAGES:
            go(page, name)
            found[name] = violations(page)
        go(page, "Innsending")
        listed = listfiles.text(
            tmp_path / "liste.csv", ["Fnr;Navn;Trekk", f"{listfiles.make_fnr(date(1990, 1, 1))};Nordmann, Ola;624,00"]
        )
        page.locator("input[type=file]").set_input_files(str(listed))
        expect(page.get_by_text("1 personer · sum 624,00\u00a0kr")).to_be_visible()
        found["innsending med en fil"] = violations(page)
        page.get_by_role("combobox", name="Bedrift").first.click()
        page.wait_for_timeout(300)
        found["bedriftsvalg (åpent)"] = violations(page)
        page.keyboard.press("Escape")
    finally:
        context.close()

    context = open_context(browser)
    try:
        page = context.new_page()
        page.goto(portal)
        settle(page)
        page.get_by_label("E-post").fill(STAFF)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        expect(page.get_by_label("Kode fra appen eller reservekode:")).to_be_visible()
        found["innlogging, andre trinn"] = violations(page)
        page.goto(portal)
        log_in(page, STAFF)
        for name in STAFF_PAGES:
            go(page, name)
            found[name] = violations(page)
        go(page, "Administrasjon")
        for tab in ("Brukere og tilgang", "Satser og innstillinger", "Logg", "Drift"):
            page.get_by_role("tab", name=tab, exact=True).first.click()
            settle(page)
            found[f"Administrasjon, {tab}"] = violations(page)
    finally:
        context.close()

    broken = {where: rules for where, rules in found.items() if rules}
    for where, rules in broken.items():
        print(where)
        for rule in rules:
            print("   ", rule)
    pages = len(EMPLOYER_PAGES) + len(STAFF_PAGES) + 1
    figure(
        f"accessibility: {sum(len(r) for r in broken.values())} axe violations (WCAG 2.1 A/AA) "
        f"over {pages} pages and {len(found) - pages + 1} states"
    )
    assert not broken


def focus_by_tab(page, target, *, most: int = 80) -> None:
    """Tab (only) until `target` has the focus, as a keyboard user moves through the page."""
    settle(page)
    target.first.wait_for()
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.first.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"):
            return
    raise AssertionError(f"{target} never got the focus by Tab")


def test_the_employers_month_by_keyboard_alone(browser, portal, tmp_path, figure):
    """Log in, choose the period, add a file, send, answer an utrukket: no mouse, every step."""
    steps: list[str] = []
    context = open_context(browser)
    try:
        page = context.new_page()
        page.goto(portal)
        focus_by_tab(page, page.get_by_label("E-post"))
        page.keyboard.type(KEYBOARD)
        focus_by_tab(page, page.get_by_label("Passord"))
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        assert KEYBOARD not in AUTHENTICATORS  # an employer without a second factor: no code step
        expect(page.get_by_role("heading", name="Tastatur AS").first).to_be_visible()
        steps.append("logg inn")

        focus_by_tab(page, page.get_by_role("link", name="Innsending", exact=True))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()
        period = periods.add_months(periods.previous(localtime.today()), -1)
        focus_by_tab(page, page.get_by_role("combobox", name="Velg måned"))
        page.keyboard.type(periods.MONTHS[period.month - 1].capitalize())
        page.keyboard.press("Enter")
        settle(page)
        if period.year != periods.previous(localtime.today()).year:
            focus_by_tab(page, page.get_by_role("combobox", name="År"))
            page.keyboard.type(str(period.year))
            page.keyboard.press("Enter")
            settle(page)
        expect(page.get_by_role("combobox", name="Velg måned")).to_have_value(
            periods.MONTHS[period.month - 1].capitalize()
        )
        steps.append("velg periode")

        listed = listfiles.text(
            tmp_path / "tastatur.csv",
            ["Fnr;Navn;Trekk", f"{listfiles.make_fnr(date(1988, 8, 18))};Annen, Person;410,00"],
        )
        focus_by_tab(page, page.get_by_role("button", name="Last opp"))
        # Space presses a focused button (Enter did not open the file dialog from this one).
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(listed))
        expect(page.get_by_text("1 personer · sum 410,00\u00a0kr")).to_be_visible()
        steps.append("legg til fil")

        focus_by_tab(page, page.get_by_role("button", name="Send inn"))
        page.keyboard.press("Enter")
        expect(page.get_by_text("Trekklisten for Tastatur AS")).to_be_visible()
        steps.append("send inn")

        focus_by_tab(page, page.get_by_role("link", name="Utrukne", exact=True))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Utrukne").first).to_be_visible()
        grid = page.locator("[data-testid=stDataFrame]").first
        expect(grid).to_contain_text(KEYBOARD_UTRUKKET)
        # Into the table (its canvas takes the focus), down to a row's «Status» (the fourth column),
        # open it with Enter, type the choice and take it with Enter.
        focus_by_tab(page, grid.locator("[data-testid=data-grid-canvas]"))
        page.keyboard.press("ArrowDown")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        expect(page.get_by_role("option", name="Ansatt", exact=True)).to_be_visible()
        page.keyboard.type("Ansatt")
        page.keyboard.press("Enter")
        settle(page)
        expect(grid).to_contain_text("Ansatt")
        focus_by_tab(page, page.get_by_role("button", name="Send status"))
        page.keyboard.press("Enter")
        expect(page.get_by_text("Status er sendt for 1 medlem.")).to_be_visible()
        steps.append("svar for en utrukket")
    finally:
        context.close()
    figure(f"keyboard-only month: {len(steps)}/5 steps ({', '.join(steps)})")
    assert len(steps) == 5
