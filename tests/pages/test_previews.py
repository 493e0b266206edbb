"""The server's previews of chosen files (issue 25): let go when the file goes, when the session
ends and when idle; bounded per session and per server, with a Norwegian refusal."""

from __future__ import annotations

import threading
import time

import pytest

from pages.ui import previews
from pages.ui.previews import PreviewCache, ServerBusy, Sweeper, TooMuchForSession

MB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_preview_is_found_until_its_file_leaves_the_form():
    cache: PreviewCache[str] = PreviewCache()
    cache.hold("s1", "a.csv", "preview a", file_bytes=10, preview_bytes=20)
    cache.hold("s1", "b.csv", "preview b", file_bytes=10, preview_bytes=20)
    cache.hold("s2", "a.csv", "another session's a", file_bytes=10, preview_bytes=20)
    assert cache.get("s1", "a.csv") == "preview a" and cache.get("s2", "a.csv") == "another session's a"
    assert cache.keep_only("s1", ["b.csv"]) == 1
    assert cache.get("s1", "a.csv") is None and cache.get("s1", "b.csv") == "preview b"
    assert cache.get("s2", "a.csv") == "another session's a"
    assert cache.held_bytes() == 60 and cache.held_bytes("s1") == 30


def test_previews_not_shown_for_the_idle_time_are_let_go_and_those_shown_are_kept():
    clock = Clock()
    cache: PreviewCache[str] = PreviewCache(idle_seconds=300, clock=clock)
    cache.hold("s1", "old.csv", "old", file_bytes=1, preview_bytes=1)
    cache.hold("s1", "shown.csv", "shown", file_bytes=1, preview_bytes=1)
    clock.now += 200
    assert cache.get("s1", "shown.csv") == "shown"
    clock.now += 150
    assert cache.sweep(lambda session: True) == 1
    assert cache.keys("s1") == ["shown.csv"]


def test_the_previews_of_a_session_that_ended_are_let_go():
    cache: PreviewCache[str] = PreviewCache()
    for session in ("open", "closed"):
        cache.hold(session, "a.csv", session, file_bytes=1, preview_bytes=1)
    assert cache.sweep(lambda session: session == "open") == 1
    assert cache.keys("open") == ["a.csv"] and cache.keys("closed") == []


def test_one_session_holds_at_most_its_share_and_is_told_so_in_norwegian():
    cache: PreviewCache[str] = PreviewCache(session_bytes=100 * MB)
    with pytest.raises(TooMuchForSession) as refused:
        cache.check_room("s1", file_bytes=[60 * MB, 50 * MB])
    assert str(refused.value) == (
        "Filene du har valgt er til sammen større enn 100 MB. Send noen av dem nå og resten etterpå."
    )
    cache.check_room("s1", file_bytes=[60 * MB, 40 * MB])
    cache.hold("s1", "a", "a", file_bytes=60 * MB, preview_bytes=MB)
    with pytest.raises(TooMuchForSession):
        cache.hold("s1", "b", "b", file_bytes=50 * MB, preview_bytes=MB)
    # The same file read again (other columns) replaces its own preview: no double count.
    cache.hold("s1", "a", "a again", file_bytes=60 * MB, preview_bytes=MB)
    assert cache.get("s1", "a") == "a again" and cache.held_bytes("s1") == 61 * MB


def test_a_full_server_lets_idle_previews_go_first_and_then_refuses():
    clock = Clock()
    cache: PreviewCache[str] = PreviewCache(server_bytes=100 * MB, idle_seconds=300, clock=clock)
    cache.hold("s1", "a", "a", file_bytes=40 * MB, preview_bytes=10 * MB)
    clock.now += 400
    cache.hold("s2", "b", "b", file_bytes=40 * MB, preview_bytes=10 * MB)
    # s1's preview has been idle: it goes, and s3's fits.
    cache.hold("s3", "c", "c", file_bytes=40 * MB, preview_bytes=10 * MB)
    assert cache.keys("s1") == [] and cache.held_bytes() == 100 * MB
    with pytest.raises(ServerBusy) as refused:
        cache.hold("s4", "d", "d", file_bytes=1, preview_bytes=1)
    assert str(refused.value) == "Portalen har mye å gjøre akkurat nå — prøv igjen om litt."
    assert cache.get("s4", "d") is None


def test_sessions_holding_at_once_never_take_the_server_past_its_bound(figure):
    cache: PreviewCache[int] = PreviewCache(server_bytes=50 * MB)
    start = threading.Barrier(20)
    refused = []

    def clerk(n: int) -> None:
        start.wait()
        for k in range(5):
            try:
                cache.hold(f"s{n}", k, k, file_bytes=MB, preview_bytes=MB)
            except ServerBusy:
                refused.append((n, k))

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.held_bytes() == 50 * MB and len(refused) == 100 - 25
    figure(
        f"previews: 20 sessions × 5 files of 2 MB at once, {cache.held_bytes() // MB} MB held of 50 MB allowed,"
        f" {len(refused)} refused"
    )


def test_the_sweeper_lets_an_ended_session_go_without_any_page_running(monkeypatch):
    cache: PreviewCache[str] = PreviewCache()
    cache.hold("gone", "a.csv", "a", file_bytes=1, preview_bytes=1)
    given_back = threading.Event()
    monkeypatch.setattr(previews, "session_is_live", lambda session: False)
    sweeper = Sweeper(cache, after=given_back.set, every=0.05)
    sweeper.start()
    assert given_back.wait(timeout=10)
    deadline = time.monotonic() + 10
    while cache.keys("gone") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.keys("gone") == []
    sweeper.stop()


def test_the_sweeper_waits_without_time_sleep(monkeypatch):
    """A test elsewhere replaces time.sleep to count a service's waits: the server's sweeper,
    started by an earlier page test, must neither add to them nor spin."""
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)
    cache: PreviewCache[str] = PreviewCache()
    sweeper = Sweeper(cache, after=lambda: None, every=0.01)
    sweeper.start()
    time.sleep(0.5)  # replaced: returns at once
    threading.Event().wait(0.2)
    sweeper.stop()
    assert slept == [0.5]
