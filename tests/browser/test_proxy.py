"""The reverse proxy shipped in deploy/: TLS and the security headers, on real responses,
with the portal still working through it in a real browser."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS, EMPLOYER, STAFF, go, log_in, wait_for_login_cookie  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
CADDY = shutil.which("caddy")
HEADERS = (
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
)


@pytest.fixture(scope="module")
def proxy(portal, tmp_path_factory):
    if CADDY is None:
        message = "caddy finnes ikke: proxytesten kjøres IKKE (apt-get install caddy)."
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path_factory.mktemp("caddy")
    env = dict(
        os.environ,
        PORTAL_HOST=f"localhost:{port}",
        PORTAL_UPSTREAM=portal.removeprefix("http://"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        HOME=str(home),
    )
    log = (home / "caddy.log").open("w")
    server = subprocess.Popen(
        [CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"https://localhost:{port}"
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2, context=insecure)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("caddy did not start:\n" + (home / "caddy.log").read_text()) from None
                time.sleep(0.2)
        yield url, insecure
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


def test_the_proxy_adds_tls_and_the_security_headers(proxy, browser, figure):
    url, insecure = proxy
    page = urllib.request.urlopen(url + "/", timeout=10, context=insecure)
    assert page.status == 200
    missing = [h for h in HEADERS if not page.headers.get(h)]
    csp = page.headers["Content-Security-Policy"]
    figure(
        f"proxy headers: {len(HEADERS) - len(missing)}/{len(HEADERS)} on {url}/ over TLS "
        f"({page.fp.raw._sock.version() if hasattr(page.fp, 'raw') else 'TLS'})"
    )
    assert missing == []
    assert "frame-ancestors 'none'" in csp and page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    assert page.headers.get("Server") is None

    # And the portal works behind it: Streamlit's scripts, its websocket and the login cookie's frame.
    context = browser.new_context(ignore_https_errors=True, locale="nb-NO")
    try:
        tab = context.new_page()
        blocked = []
        tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        tab.goto(url)
        tab.get_by_text("Innlogging").first.wait_for()
        log_in(tab, EMPLOYER)
        expect(tab.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
        cookie = wait_for_login_cookie(tab)[0]
        figure(
            f"login cookie over HTTPS: Secure {cookie['secure']}, HttpOnly {cookie['httpOnly']}, "
            f"SameSite {cookie['sameSite']}"
        )
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        # Staff, with the second step, and «Oversikt» with its chart (Vega): still nothing blocked.
        staff_tab = browser.new_context(ignore_https_errors=True, locale="nb-NO").new_page()
        staff_tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        staff_tab.goto(url)
        staff_tab.get_by_text("Innlogging").first.wait_for()
        log_in(staff_tab, STAFF)
        go(staff_tab, "Oversikt")
        expect(
            staff_tab.locator("[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg").first
        ).to_be_visible()
        staff_tab.context.close()
        assert blocked == [], blocked
    finally:
        context.close()


def _inline_script_hashes(index_html: Path) -> set[str]:
    import base64
    import hashlib
    import re

    text = index_html.read_text(encoding="utf-8")
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", text, re.S)
    }


def test_the_policy_names_exactly_the_inline_scripts_the_installed_pages_have():
    """The Caddyfile allows an inline script by its hash, not 'unsafe-inline': when an upgrade of
    Streamlit or of the cookie component changes one, this names it."""
    import extra_streamlit_components
    import streamlit

    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    page, component = re.findall(r'Content-Security-Policy "([^"]+)"', caddyfile)
    streamlit_page = Path(streamlit.__file__).parent / "static" / "index.html"
    cookie_page = (
        Path(extra_streamlit_components.__file__).parent / "CookieManager" / "frontend" / "build" / "index.html"
    )
    assert "'unsafe-inline'" not in page.split("script-src", 1)[1].split(";")[0]
    assert set(re.findall(r"'sha256-[^']+'", page)) == _inline_script_hashes(streamlit_page), streamlit.__version__
    assert set(re.findall(r"'sha256-[^']+'", component)) == _inline_script_hashes(cookie_page)
