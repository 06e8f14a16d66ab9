"""The "Import…" and "Export…" buttons of a module page, shown to roles with the right.

Hiding a button is a courtesy: crm_core checks the IMPORT / EXPORT right again on
every call. The dialogs live in :mod:`crm_desktop.transfer` and are imported on
first use, so opening a page stays quick.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QToolButton

from crm_core.lists import ListQuery
from crm_core.permissions import Action, rights

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


def visible_columns(page: Any) -> list[str]:
    """Field names of the page's shown columns, in their on-screen (dragged) order."""
    header = page.view.horizontalHeader()
    logical = (header.logicalIndex(visual) for visual in range(header.count()))
    return [page.model.columns[i] for i in logical if not header.isSectionHidden(i)]


def all_columns(page: Any) -> list[str]:
    """Every column the page's column chooser offers (a pinned column excluded)."""
    return [field.name for field in page.columns.candidates]


def export_query(page: Any) -> ListQuery:
    """The page's current query (filters, search, sort) plus the conditions it is pinned to."""
    query = page.model.list_query()
    if page.pinned_filters:
        query = dataclasses.replace(query, filters=tuple(page.pinned_filters) + tuple(query.filters))
    return query


class TransferTools(QObject):
    """Creates the two tool buttons of ``page`` and opens the wizard / dialog from them.

    Attributes:
        import_button / export_button: the buttons (hidden without the right).
        wizard / export_dialog: the dialog opened last, if any.
    """

    def __init__(self, page: Any, role: str, lang: str, services_lookup: Callable[[str], Any] | None, *,
                 announce: Callable[[str, Any], None], allow_import: bool = True):
        """Buttons for ``page`` as seen by a user of ``role``.

        Args:
            page: the module page (``module``, ``model``, ``view``, ``columns``, ``pinned_filters``).
            role: the signed-in user's role.
            lang: "zh_CN" or "en".
            services_lookup: ``services_lookup("imports")`` / ``("exports")`` give the session's services;
                None: no buttons.
            announce: the change bus's ``announce``, called after an import or an undo.
            allow_import: False for a page pinned to a subset (an import would not respect the pin).
        """
        super().__init__(page)
        self._page, self._lang, self._lookup, self._announce = page, lang, services_lookup, announce
        may = rights(role).may
        self.import_button = self._button("importButton", translate("GridTools", "Import…"),
                                          translate("GridTools", "Add records from an Excel or CSV file"))
        self.export_button = self._button("exportButton", translate("GridTools", "Export…"),
                                          translate("GridTools", "Save this list, as filtered and sorted, "
                                                                 "as Excel, CSV or PDF"))
        has_services = services_lookup is not None
        self.import_button.setVisible(has_services and allow_import and may(page.module, Action.IMPORT))
        self.export_button.setVisible(has_services and may(page.module, Action.EXPORT))
        self.import_button.clicked.connect(self.open_import)
        self.export_button.clicked.connect(self.open_export)
        self.wizard: Any = None
        self.export_dialog: Any = None

    def _button(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton(self._page)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def open_import(self) -> Any:
        """Open the import wizard for the page's module; returns it."""
        from crm_desktop.transfer import ImportWizard

        self._drop(self.wizard)
        self.wizard = ImportWizard(self._lookup("imports"), self._lang, self._page.module,
                                   announce=self._announce, parent=self._page)
        self.wizard.open()
        return self.wizard

    def open_export(self) -> Any:
        """Open the export dialog for the page as it is now; returns it."""
        from crm_desktop.transfer import ExportDialog

        self._drop(self.export_dialog)
        page = self._page
        self.export_dialog = ExportDialog(self._lookup("exports"), page.module, export_query(page), self._lang,
                                          visible_columns=visible_columns(page), all_columns=all_columns(page),
                                          total=page.model.total, parent=page)
        self.export_dialog.open()
        return self.export_dialog

    @staticmethod
    def _drop(dialog: Any) -> None:
        """Let go of the dialog opened before (closed by now, or left open behind the new one)."""
        if dialog is not None and not dialog.isVisible():
            dialog.deleteLater()
