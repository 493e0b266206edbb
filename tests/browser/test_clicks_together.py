"""Every click counts when many come at once (issue 23): 20 clerks, each in a browser of their own,
log in, open «Innsending», choose their list and click «Send inn» while the page is still busy
with the file (its preview run) or before the file has arrived, all at the same time on one
server. Each click must arrive: a receipt on every page, a receipt mail to every clerk, every
list stored."""

from __future__ import annotations

import time
from datetime import date

from services import db
from services.access import CLI
from services.accounts import companies
from tests import listfiles
from tests.browser.conftest import IDLE, PASSWORD, SECRET_KEY, TIMEOUT_MS, _engine, running_portal
from tests.conftest import make_settings
from tests.helpers import active_clerks

CLERKS = 20
RUNNING = "() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'running'"
SENT = "er sendt inn for"


def _seed(data_dir, engine: dict[str, str]) -> list[tuple[str, str]]:
    store = db.open_store(make_settings(data_dir, secret_key=SECRET_KEY, **engine))
    try:
        clerks = []
        for n in range(CLERKS):
            company = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(300 + n), name=f"Klikk {n} AS")
            clerks.append((f"lonn{n}@klikk{n}.no", company.orgnr))
        active_clerks(store, clerks, PASSWORD)
        return clerks
    finally:
        db.close_all()


# Long enough that the run that reads it is still going when the clerk clicks.
ROWS = 3000


def _list_file(folder, n: int):
    people = [
        (listfiles.make_fnr(date(1950 + k % 50, 1 + k // 50 % 12, 1 + k // 600), 100 + n), f"Person{k}, Klikk{n}")
        for k in range(ROWS)
    ]
    return listfiles.text(
        folder / f"trekk-{n}.csv", ["Fødselsnummer;Navn;Trekk"] + [f"{fnr};{name};500,00" for fnr, name in people]
    )


def _every_page(pages, what) -> None:
    for page in pages:
        what(page)


def _wait_all(pages, text: str, seconds: float = 60) -> list[bool]:
    deadline = time.monotonic() + seconds
    shown = [False] * len(pages)
    while time.monotonic() < deadline and not all(shown):
        for n, page in enumerate(pages):
            if not shown[n] and page.get_by_text(text).count():
                shown[n] = True
        time.sleep(0.1)
    return shown


def test_twenty_clerks_click_send_during_the_preview_run(tmp_path, mailbox, figure, request, browser):
    data_dir = tmp_path / "data"
    engine = _engine(request, "clicks_together")
    clerks = _seed(data_dir, engine)
    server_env = {f"PORTAL_{name.upper()}": value for name, value in engine.items()}
    files = [_list_file(tmp_path, n) for n in range(CLERKS)]
    receipts_before = {email: len(mailbox.mails_to(email)) for email, _ in clerks}
    with running_portal(data_dir, mailbox, PORTAL_SIDECAR="0", **server_env) as url:
        contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in clerks]
        try:
            pages = [context.new_page() for context in contexts]
            for page in pages:
                page.set_default_timeout(TIMEOUT_MS * 3)
            _every_page(pages, lambda page: page.goto(url))
            for page, (email, _) in zip(pages, clerks, strict=True):
                page.get_by_role("button", name="Logg inn").wait_for()
                page.get_by_label("E-post").fill(email)
                page.get_by_label("Passord").fill(PASSWORD)
            # Twenty clicks on «Logg inn» within a moment, each page's first and only one.
            _every_page(pages, lambda page: page.get_by_role("button", name="Logg inn").click())
            logged_in = _wait_all(pages, "Innlogget som")
            for page in pages:
                page.wait_for_selector(IDLE)
            _every_page(pages, lambda page: page.get_by_role("link", name="Innsending", exact=True).first.click())
            opened = _wait_all(pages, "Send inn trekkliste")
            # Half the clerks click «Send inn» as soon as the page starts reading their file: the
            # click lands in that run, the others' runs going on too. The other half click at once,
            # while the file is still on its way: the button waits for it (greyed out, a person sees
            # why), where a click once found no file and vanished without a word.
            during_runs = before_file = 0
            for n, (page, file) in enumerate(zip(pages, files, strict=True)):
                page.locator("input[type=file]").set_input_files(str(file))
                send = page.get_by_role("button", name="Send inn")
                if n % 2:
                    before_file += send.is_disabled()
                else:
                    page.wait_for_function(RUNNING)
                    during_runs += page.locator(IDLE).count() == 0
                send.click()
            receipts = _wait_all(pages, SENT, seconds=120)
            unsent = [
                " | ".join(page.locator("[data-testid=stAlert]").all_inner_texts())[:200] or "no message"
                for page, sent in zip(pages, receipts, strict=True)
                if not sent
            ]
        finally:
            for context in contexts:
                context.close()
    mailed = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mailed = sum(
            any(m["subject"].startswith("Kvittering") for m in mailbox.mails_to(email)[receipts_before[email] :])
            for email, _ in clerks
        )
        if mailed == CLERKS:
            break
        time.sleep(0.2)
    store = db.open_store(make_settings(data_dir, secret_key=SECRET_KEY, **engine))
    try:
        stored = store.value("SELECT count(DISTINCT company_id) FROM submissions")
    finally:
        db.close_all()
    lost = (CLERKS - sum(logged_in)) + (CLERKS - sum(opened)) + (CLERKS - sum(receipts))
    figure(
        f"lost clicks: {lost} of {3 * CLERKS} during reruns ({CLERKS} browsers at once: «Logg inn», «Innsending»,"
        f" «Send inn», {during_runs} of those while the page ran, {before_file} before the file had arrived);"
        f" uploads arrived: {stored}/{CLERKS} lists stored,"
        f" {mailed}/{CLERKS} receipts mailed"
    )
    assert lost == 0 and stored == CLERKS and mailed == CLERKS, unsent
