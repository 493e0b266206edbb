"""Memory given back to the machine once a large preview is let go.

A 100 000-row list's preview is tens of megabytes of small Python objects. Freed, they go back
to the C allocator, which keeps the pages for the process (glibc trims only the top of its heap):
the server stayed about 100 MB larger after the first large file was removed. `malloc_trim`
hands every free page back. Called only when a preview is dropped, not on every run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable


def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim  # glibc only; other C libraries return memory themselves
    except (OSError, AttributeError):
        return None


_TRIM = _trim()


def give_back() -> None:
    # The portal turns off Streamlit's full collection after each run (issue 23): a dropped
    # preview's tables sit in reference cycles, freed only by a full collection, made here.
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)
