"""What the screenshot scripts share: waiting until a window has settled."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication


def settle(app: QApplication, done: Callable[[], bool], *, rounds: int = 600) -> None:
    """Process events until ``done()`` (background work included)."""
    from crm_desktop.background import wait_for_all

    for _ in range(rounds):
        wait_for_all()
        app.processEvents()
        if done():
            for _ in range(3):  # layout requests posted by the last updates
                app.processEvents()
            return
    raise RuntimeError("the window did not settle")
