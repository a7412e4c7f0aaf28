"""A pause of Python's cyclic garbage collector around allocation-heavy, cycle-free work.

Loading a large design allocates millions of small objects; each allocation burst triggers full
collections that find nothing (the data has no reference cycles) and cost half the load time.

In a one-shot process (the `design` command: `short_lived_process()`) the survivors are also frozen
on the way out (`gc.freeze`): later collections (ordering, rendering, reports) would otherwise walk
the whole loaded design again for nothing, a quarter of `design graph`'s time on 10,000 components.
Freezing is process-wide and keeps any cyclic garbage made in the block (an exception's traceback
cycle) for good, so long-lived callers (tests, programs embedding designer) do not get it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze_on_exit = False


def short_lived_process() -> None:
    """Declare this process one-shot: paused blocks freeze their survivors (see the module docstring)."""
    global _freeze_on_exit
    _freeze_on_exit = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the duration of the block (restored even on error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if _freeze_on_exit:
                gc.freeze()
            gc.enable()
