"""Waiting helpers shared by the GUI tests."""

from __future__ import annotations

# Background work on a busy 2-core machine (PostgreSQL too) can take a few seconds.
WAIT = 20_000


def wait_loaded(qtbot, page) -> None:
    """Until a module page's first load (rows and total) is over."""
    qtbot.waitUntil(lambda: page.model.total is not None and not page.model.loading, timeout=WAIT)
