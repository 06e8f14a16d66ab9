"""Module-specific action panels shown under a record form's fields.

* tickets: :class:`~crm_desktop.panels.tickets.TicketPanel` (workflow, processing log, notices)
* licenses: :class:`~crm_desktop.panels.licenses.LicenseMachinesPanel` (machines and seats)
* contracts: :class:`~crm_desktop.panels.attachments.AttachmentsPanel` (files)

Each panel shows ONE record, calls crm_core only through
:func:`crm_desktop.background.run_in_background`, and emits ``changed(dict)``
with the record as stored after each action (its version moved on).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

# module -> (python module, class name); imported only when a form needs one.
PANELS = {
    "tickets": ("crm_desktop.panels.tickets", "TicketPanel"),
    "licenses": ("crm_desktop.panels.licenses", "LicenseMachinesPanel"),
    "contracts": ("crm_desktop.panels.attachments", "AttachmentsPanel"),
}


class ServicesSession:
    """A session-like object over a ``module -> service`` lookup (what a RecordForm holds)."""

    def __init__(self, services_lookup: Callable[[str], Any]):
        self._lookup = services_lookup

    def __getattr__(self, module: str) -> Any:
        if module.startswith("_"):
            raise AttributeError(module)
        return self._lookup(module)


def panel_for(module: str, session: Any, record_id: int, lang: str, parent: QWidget | None = None) -> QWidget | None:
    """The action panel of ``module``'s record ``record_id``; None for modules without one.

    ``session`` is a crm_core session, or a ``module -> service`` callable.
    """
    if module not in PANELS:
        return None
    if callable(session) and not hasattr(session, "tickets"):
        session = ServicesSession(session)
    path, name = PANELS[module]
    cls = getattr(importlib.import_module(path), name)
    return cls(session, record_id, lang, parent=parent)
