"""The parse worker a one-shot command forks for itself: the same child, the same limits, the same messages."""

import os
import signal
import threading
from pathlib import Path

import pytest

from services.config import ParseLimits
from services.reading.forked import ForkedWorker
from services.reading.sandbox import BROKEN, TOO_COMPLEX, parse
from tests import listfiles
from tests.services.reading.test_parsing import assert_people, standard_rows
from tests.services.reading.test_sandbox import big_csv

# Slow (each test forks readers, some up to their limits): not in `make test-fast`.
pytestmark = pytest.mark.slow


def _children() -> list[int]:
    """This process's child processes, from /proc (the test process has threads; any may have forked)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(entry.name))
    return found


def test_a_list_is_read_by_a_child_that_is_gone_afterwards(tmp_path):
    before = set(_children())
    good = listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": standard_rows()}).read_bytes()
    assert_people(parse(good, "liste.xlsx", pool=ForkedWorker(ParseLimits())))
    assert set(_children()) - before == set()


@pytest.mark.parametrize("limit", [dict(memory_bytes=130 * 1024 * 1024), dict(cpu_seconds=1), dict(wall_seconds=1)])
def test_a_file_past_a_limit_gets_the_same_clear_message(limit):
    result = parse(big_csv(), "stor.csv", pool=ForkedWorker(ParseLimits(**limit)))
    assert not result.ok and result.failure == "limit"
    assert result.error == TOO_COMPLEX


def test_a_child_killed_from_outside_is_a_crash_not_an_exception():
    before = set(_children())
    found = {}

    def kill_the_child():
        for _ in range(500):
            new = set(_children()) - before
            if new:
                os.kill(new.pop(), signal.SIGSEGV)
                found["killed"] = True
                return
            threading.Event().wait(0.01)

    killer = threading.Thread(target=kill_the_child)
    killer.start()
    result = parse(big_csv(), "stor.csv", pool=ForkedWorker(ParseLimits(wall_seconds=30)))
    killer.join()
    assert found.get("killed")
    assert not result.ok and result.failure == "crash" and result.error == BROKEN
