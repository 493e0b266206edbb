"""At least 2 000 hostile inputs through the real worker: none may crash it, go past a limit,
or fail without a named Norwegian error (`make fuzz` runs 10 000)."""

import os

import pytest

from tests import fuzz

# Slow (2 000 hostile files through the parse worker): not in `make test-fast`.
pytestmark = pytest.mark.slow


def test_parser_fuzz(capsys, figure):
    count = int(os.environ.get("PORTAL_FUZZ_COUNT", "2000"))
    report = fuzz.run(count=count, seed=int(os.environ.get("PORTAL_FUZZ_SEED", "20261130")))
    figure(report.line)
    with capsys.disabled():
        for path in report.kept:
            print("\n  kept:", path)
    assert report.inputs == count >= 2000
    assert report.clean, report.kept
