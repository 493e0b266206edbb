"""The reverse proxy shipped in deploy/: TLS and the security headers, on real responses,
with the portal still working through it in a real browser."""

import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS, EMPLOYER, log_in  # noqa: F401

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
        assert blocked == [], blocked
    finally:
        context.close()
