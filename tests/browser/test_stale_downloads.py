"""Download buttons on a page drawn before a logout or a password reset serve nothing."""

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, INJECTOR, STAFF, STALE_STAFF, go, log_in, open_context, settle
from tests.browser.test_accounts import set_password_by_code


def _served(page, button) -> int:
    """1 if clicking the button delivers a file within a few seconds, else 0."""
    try:
        with page.expect_download(timeout=4000):
            button.click()
    except PlaywrightTimeout:
        return 0
    return 1


def _new_page(browser, portal):
    context = open_context(browser, accept_downloads=True)
    page = context.new_page()
    page.goto(portal)
    page.get_by_text("Innlogging").first.wait_for()
    return context, page


def test_stale_downloads_serve_nothing(browser, portal, mailbox, figure):
    served = 0
    # 1. A letter, after the same login was ended from another tab.
    context, letters_tab = _new_page(browser, portal)
    try:
        log_in(letters_tab, INJECTOR)
        go(letters_tab, "Brev fra forbundet")
        letter = letters_tab.get_by_role("button").filter(has_text="Brev")
        expect(letter.first).to_be_visible()
        other_tab = context.new_page()
        other_tab.goto(portal)
        settle(other_tab)
        expect(other_tab.get_by_role("button", name="Logg ut")).to_be_visible()
        other_tab.get_by_role("button", name="Logg ut").click()
        expect(other_tab.get_by_text("Du er logget ut.")).to_be_visible()
        served += _served(letters_tab, letter.first)
        letters_tab.screenshot(path=str(ARTIFACTS / "stale-letter.png"), full_page=True)
    finally:
        context.close()

    # 2. An original list file with national ids, after the staff user's password was reset elsewhere.
    context, staff_page = _new_page(browser, portal)
    reset_context, reset_page = _new_page(browser, portal)
    try:
        log_in(staff_page, STALE_STAFF)
        go(staff_page, "Innkomne lister")
        original = staff_page.get_by_role("button").filter(has_text=".csv")
        expect(original.first).to_be_visible()
        # The button works while the session lives: the check is not simply "never".
        assert _served(staff_page, original.first) == 1
        settle(staff_page)
        set_password_by_code(reset_page, mailbox, STALE_STAFF, "Glemt passord", "et-helt-nytt-passord")
        served += _served(staff_page, original.first)
        staff_page.screenshot(path=str(ARTIFACTS / "stale-original.png"), full_page=True)
    finally:
        context.close()
        reset_context.close()
    figure(f"stale download: {served} files served after logout or password reset")
    assert served == 0


def test_a_downloaded_file_is_not_served_again_at_its_media_url(browser, portal, figure):
    """A personal-data download's bytes leave Streamlit's media store once fetched: the URL, asked
    again with the login cookie or without it, serves nothing."""
    from tests.browser.conftest import download_by_click

    urls: list[str] = []
    context, staff_page = _new_page(browser, portal)
    try:
        log_in(staff_page, STAFF)
        go(staff_page, "Innkomne lister")
        original = staff_page.get_by_role("button").filter(has_text=".csv").first
        expect(original).to_be_visible()
        for _ in range(2):
            download = download_by_click(staff_page, original)
            assert download.path() is not None and download.failure() is None
            urls.append(download.url)
        with_cookie = [staff_page.request.get(url).status for url in urls]
        bare = browser.new_context()
        try:
            without_cookie = [bare.request.get(url).status for url in urls]
        finally:
            bare.close()
    finally:
        context.close()
    served = sum(status == 200 for status in with_cookie + without_cookie)
    figure(f"media after download: {served} of {len(urls) * 2} URLs served (with and without the login cookie)")
    assert all("/media/" in url for url in urls)
    assert served == 0, (with_cookie, without_cookie)
