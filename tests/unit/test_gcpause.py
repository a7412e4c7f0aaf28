"""The GC pause: back to normal on the way out, with survivors frozen only in one-shot processes."""

from __future__ import annotations

import gc

import pytest

from designer import gcpause
from designer.gcpause import paused_gc


def test_a_long_lived_process_keeps_its_collector_as_it_was() -> None:
    frozen = gc.get_freeze_count()
    with paused_gc():
        assert not gc.isenabled()
        kept = [[i] for i in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == frozen and len(kept) == 1000


def test_a_one_shot_process_freezes_the_survivors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_freeze_on_exit", True)  # what `design`'s entry point declares
    frozen = gc.get_freeze_count()
    try:
        with paused_gc():
            kept = [[i] for i in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()  # this test process is long-lived: give the objects back to the collector
