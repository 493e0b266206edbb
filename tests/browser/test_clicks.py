"""Every click counts (issue 23): a clerk opens the portal and clicks «Logg inn» the moment the
form is there, without waiting for anything a test helper would wait for. The login page once
reran as streamlit-authenticator's cookie component loaded, and a click in that rerun was lost;
nothing on it reruns by itself now. Each of several browsers logs in on its first click."""

from __future__ import annotations

import time

from tests.browser.conftest import EMPLOYER, PASSWORD, TIMEOUT_MS, open_context

BROWSERS = 8
# Counts the script runs the page makes: each time the app's script state becomes «running».
COUNT_RUNS = """
window.portalRuns = 0;
new MutationObserver(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    if (state === 'running' && window.portalLastState !== 'running') window.portalRuns += 1;
    window.portalLastState = state;
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""


def test_the_login_page_does_not_rerun_by_itself(browser, portal, figure):
    """The window a click was lost in: a run the page makes by itself once it is drawn."""
    context = open_context(browser)
    try:
        context.add_init_script(COUNT_RUNS)
        page = context.new_page()
        page.goto(portal)
        page.get_by_role("button", name="Logg inn").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(4000)  # what loads after the form (components) has loaded
        runs = page.evaluate("window.portalRuns")
    finally:
        context.close()
    figure(f"login page: {runs} script run(s) after opening it, {runs - 1} by itself")
    assert runs == 1


def _first_click_logs_in(browser, portal) -> bool:
    context = open_context(browser)
    try:
        page = context.new_page()
        page.goto(portal)
        button = page.get_by_role("button", name="Logg inn")
        button.wait_for(timeout=TIMEOUT_MS)
        page.get_by_label("E-post").fill(EMPLOYER)
        page.get_by_label("Passord").fill(PASSWORD)
        button.click()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if page.get_by_text("Innlogget som").count():
                return True
            page.wait_for_timeout(100)
        return False
    finally:
        context.close()


def test_the_first_click_on_logg_inn_counts(browser, portal, figure):
    lost = sum(not _first_click_logs_in(browser, portal) for _ in range(BROWSERS))
    figure(f"lost clicks: {lost} of {BROWSERS} on «Logg inn» clicked as soon as the form is drawn")
    assert lost == 0
