"""Named views of a module grid (我的视图): columns, sort, filters and search saved under a name.

A view is what the user set up on a page — the columns in their order, the
sort, the filter bar's conditions, the search text and "show deactivated" —
kept per user and module in QSettings
(``views/<login>/<module>/saved/<name>`` as JSON), and applied again with one
click from the page's "Views" button.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Signal
from PySide6.QtWidgets import QInputDialog, QMenu, QToolButton

from crm_core.lists import Filter

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

MAX_NAME = 40


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        return dt.datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "date" in value:
        return dt.date.fromisoformat(value["date"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def encode_view(state: dict[str, Any]) -> str:
    """A page state (see :meth:`SavedViews.current`) as JSON."""
    filters = [[f.field, f.op, _encode(f.value)] for f in state["filters"]]
    return json.dumps({**state, "filters": filters}, ensure_ascii=False)


def decode_view(text: str) -> dict[str, Any]:
    data = json.loads(text)
    data["filters"] = tuple(Filter(field, op, _decode(value)) for field, op, value in data.get("filters", []))
    return data


class SavedViews(QObject):
    """The "Views" button of a module page: apply, save and delete named views.

    Args:
        page: the :class:`~crm_desktop.grid.grid_view.ModulePage`.
        settings: where views are kept; None (no signed-in user): no button.
        login: the signed-in user's login.

    Signals:
        applied(str): a view was applied (its name).
    """

    applied = Signal(str)

    def __init__(self, page: Any, settings: QSettings | None, login: str | None):
        super().__init__(page)
        self._page = page
        self._settings = settings if login else None
        self._key = f"views/{login}/{page.module}/saved"
        self.button = QToolButton(page)
        self.button.setObjectName("viewsButton")
        self.button.setText(translate("GridTools", "Views"))
        self.button.setToolTip(translate("GridTools", "Save the columns, sort, filters and search of this list "
                                                      "under a name, and bring them back with one click"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setVisible(self._settings is not None)
        self.menu = QMenu(self.button)
        self.menu.setObjectName("viewsMenu")
        self.menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.button.setMenu(self.menu)

    # ------------------------------------------------------------ interface

    def names(self) -> list[str]:
        """The saved views, by name."""
        if self._settings is None:
            return []
        self._settings.beginGroup(self._key)
        try:
            return sorted(self._settings.childKeys())
        finally:
            self._settings.endGroup()

    def current(self) -> dict[str, Any]:
        """What the page shows now, as a view."""
        page = self._page
        query = page.model.list_query()
        return {"columns": list(page.model.columns), "sort": query.sort[0] if query.sort else "",
                "filters": tuple(page.filter_bar.filters()) + tuple(page.dashboard_chip.conditions),
                "search": page.search_edit.text(), "include_inactive": page.include_inactive_check.isChecked()}

    def save(self, name: str) -> bool:
        """Keep the page's current view as ``name`` (replacing one of that name); False for a blank name."""
        name = " ".join(name.split())[:MAX_NAME]
        if not name or self._settings is None:
            return False
        self._settings.setValue(f"{self._key}/{name}", encode_view(self.current()))
        self._settings.sync()
        return True

    def delete(self, name: str) -> None:
        if self._settings is not None:
            self._settings.remove(f"{self._key}/{name}")
            self._settings.sync()

    def apply(self, name: str) -> bool:
        """Show the view ``name`` on the page; False when it is gone."""
        text = self._settings.value(f"{self._key}/{name}") if self._settings is not None else None
        if not isinstance(text, str):
            return False
        view = decode_view(text)
        page = self._page
        page.columns.show_columns(view.get("columns") or [])
        page.include_inactive_check.blockSignals(True)
        page.include_inactive_check.setChecked(bool(view.get("include_inactive", True)))
        page.include_inactive_check.blockSignals(False)
        page.model.set_include_inactive(bool(view.get("include_inactive", True)), reload=False)
        page.columns.sort_by(view.get("sort") or "", reload=False)
        page.show_filtered(view["filters"], search=view.get("search") or "")
        self.applied.emit(name)
        return True

    def ask_and_save(self) -> None:
        """Ask for a name (the dialog), then save."""
        name, ok = QInputDialog.getText(self._page, translate("GridTools", "Save view"),
                                        translate("GridTools", "Name of this view:"))
        if ok:
            self.save(name)

    # --------------------------------------------------------------- slots

    def _on_menu_about_to_show(self) -> None:
        self.menu.clear()
        names = self.names()
        for name in names:
            self.menu.addAction(name).triggered.connect(lambda _checked=False, n=name: self.apply(n))
        if names:
            self.menu.addSeparator()
        save = self.menu.addAction(translate("GridTools", "Save current view…"))
        save.setObjectName("saveViewAction")
        save.triggered.connect(self.ask_and_save)
        if names:
            delete = self.menu.addMenu(translate("GridTools", "Delete view"))
            for name in names:
                delete.addAction(name).triggered.connect(lambda _checked=False, n=name: self.delete(n))
