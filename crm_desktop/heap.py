"""Keep Python's full garbage collections short: they stop the GUI thread too.

A full collection walks every tracked object of the process. After sign-in that is some
130,000 objects (Qt wrappers, SQLAlchemy's mappers and compiled statements, the modules'
metadata), all alive until the program ends, and walking them took 150-450 ms on the
2-core test machines. It runs on whichever thread allocates at that moment; on a worker
thread it holds the interpreter lock, so the GUI thread waits just the same.
"""

from __future__ import annotations

import gc


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
