"""Python's garbage collections: only in the GUI thread, and short.

Where: Python's automatic collector runs on whichever thread allocates at that moment. On a
worker thread (a page read, an export) it freed closed windows' Qt objects there, in the
middle of the GUI thread's own Qt work: a segfault (seen when a window was closed while the
work bench's background reads ran). :func:`collect_in_gui_thread` turns the automatic
collector off and runs the same collections from a timer of the GUI thread instead.

How long: a full collection walks every tracked object of the process. After sign-in that is
some 130,000 objects (Qt wrappers, SQLAlchemy's mappers and compiled statements, the modules'
metadata), all alive until the program ends, and walking them took 150-450 ms on the 2-core
test machines; :func:`freeze_startup_objects` leaves them out.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

COLLECT_EVERY_MS = 500  # how often the GUI thread looks whether a collection is due


class GuiThreadCollector(QObject):
    """The automatic collector's work, done by the GUI thread: every :data:`COLLECT_EVERY_MS` the generation
    the interpreter would have collected by now (its thresholds, :func:`gc.get_threshold`), if any."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("guiThreadCollector")
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_EVERY_MS)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        self._timer.start()

    def collect_due(self) -> None:
        counts, limits = gc.get_count(), gc.get_threshold()
        if counts[0] <= limits[0]:
            return
        generation = 2 if counts[2] > limits[2] else 1 if counts[1] > limits[1] else 0
        gc.collect(generation)

    def stop(self) -> None:
        """The automatic collector back (what the program had before)."""
        self._timer.stop()
        gc.enable()


def collect_in_gui_thread() -> GuiThreadCollector:
    """Collect garbage only in the GUI thread from now on (once per process; the application must exist)."""
    app = QCoreApplication.instance()
    found = app.findChild(GuiThreadCollector, "guiThreadCollector")
    return found if found is not None else GuiThreadCollector(app)


_frozen = False  # once per process: a later main window (sign out and in again) adds nothing lasting


def freeze_startup_objects() -> None:
    """Leave every object alive now out of all later garbage collections (:func:`gc.freeze`).

    Called once the first main window is up: what start-up built stays for the whole
    session, so no collection needs to look at it again. Later collections walk only what
    was made since (a grid's pages, open forms). Reference counting still frees frozen
    objects; only a reference cycle among them would be kept (start-up leaves none: a
    collection right after sign-in finds nothing to free). Only the first call freezes:
    by a second sign-in, closed windows may be garbage waiting for a collection.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
