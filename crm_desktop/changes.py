"""The one change signal of the client (Anki's ``OpChanges`` idea, kept small).

A form that saved a record announces it here; every screen showing that module
decides itself how to catch up (apply the record in place, or reload). No
screen reaches into another screen's widgets.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal


class ChangeBus(QObject):
    """Broadcasts "records of a module changed".

    Signals:
        changed(str, object): the module key ("customers") and the saved record
            (a plain dict from the service), or None when several records or an
            unknown set changed (bulk actions, imports, deletes): listeners reload.
    """

    changed = Signal(str, object)

    def announce(self, module: str, record: dict[str, Any] | None = None) -> None:
        """Tell every listener that ``module`` changed (``record``: the saved one, if just one)."""
        self.changed.emit(module, record)
