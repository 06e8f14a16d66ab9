"""Start-up objects are left out of later garbage collections (they lived through 150-450 ms full passes)."""

from __future__ import annotations

import gc

from crm_desktop import heap
from crm_desktop.heap import freeze_startup_objects


def test_objects_alive_at_start_up_are_out_of_the_collectors_reach_and_later_ones_are_not(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", False)  # as in a new process
    gc.collect()
    try:
        before = gc.get_freeze_count()
        startup = [[] for _ in range(100)]  # tracked containers, as start-up builds
        freeze_startup_objects()
        assert gc.get_freeze_count() >= before + len(startup)
        later = [[] for _ in range(10)]
        assert any(obj is later for obj in gc.get_objects())  # still collected as usual
        assert not any(obj is startup for obj in gc.get_objects())
        frozen = gc.get_freeze_count()
        freeze_startup_objects()  # a second sign-in: nothing more is frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()  # the test process keeps collecting as before
