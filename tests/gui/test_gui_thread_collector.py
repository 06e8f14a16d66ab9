"""Garbage is collected by the GUI thread only (crm_desktop.heap.collect_in_gui_thread).

Python's automatic collector runs on whichever thread allocates; on a worker thread it freed a
closed window's Qt objects there, in the middle of the GUI thread's Qt work (a segfault).
"""

from __future__ import annotations

import gc
import threading
import weakref

from crm_desktop.heap import GuiThreadCollector, collect_in_gui_thread


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_a_worker_threads_garbage_is_collected_by_the_gui_thread_only(qtbot):
    collections: list[str] = []

    def note(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append(threading.current_thread().name)

    gc.enable()  # as in the program before the collector starts (the GUI tests' fixture turned it off)
    collector = collect_in_gui_thread()
    gc.callbacks.append(note)
    try:
        assert not gc.isenabled()
        assert collect_in_gui_thread() is collector  # once per process
        last: list[weakref.ref] = []

        def work() -> None:  # far more allocations than the first generation's threshold (700)
            for _ in range(20):
                nodes = [_Node() for _ in range(1000)]
                last[:] = [weakref.ref(nodes[-1])]
                del nodes

        worker = threading.Thread(target=work, name="worker")
        worker.start()
        worker.join()
        assert "worker" not in collections  # the worker never collected
        assert last[0]() is not None  # its cyclic garbage waits for the GUI thread
        qtbot.waitUntil(lambda: last[0]() is None, timeout=5000)
        assert collections and set(collections) == {threading.main_thread().name}
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        collector.deleteLater()
        gc.disable()  # the fixture's state for the rest of this test


def test_the_collector_collects_the_generation_that_is_due(qtbot, monkeypatch):
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation) or 0)
    collector = GuiThreadCollector(None)
    try:
        for counts, expected in (((10, 0, 0), []), ((701, 3, 0), [0]), ((701, 11, 0), [1]), ((701, 11, 11), [2])):
            collected.clear()
            monkeypatch.setattr(gc, "get_count", lambda c=counts: c)
            monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
            collector.collect_due()
            assert collected == expected, counts
    finally:
        collector.stop()
        gc.disable()
