"""Actions on the selected rows of a module grid: assign owner, change status, deactivate, delete.

Each action asks what it needs in a small non-blocking dialog, then runs as ONE
background job. All-or-nothing services (``bulk_update``, ``change_status_many``)
report the failing row through ``FieldError.row``, which is named by its record
here; deactivate and delete go record by record and report each failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMenu, QMessageBox,
                               QPushButton, QWidget)

from crm_core.permissions import Action, Scope, rights
from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


def _versions(records: list[dict[str, Any]]) -> dict[int, int]:
    """{id: version} of the records as the grid shows them: a record changed since is a conflict."""
    return {r["id"]: r["version"] for r in records}


class BulkDialog(QDialog):
    """Asks for a choice (combo) and/or a text (reason, note) for a bulk action."""

    def __init__(self, title: str, parent: QWidget, *, choices: Sequence[tuple[Any, str]] | None = None,
                 choice_label: str = "", text_label: str = "", text_required: bool = False):
        """A dialog with an optional combo of ``(value, label)`` and an optional line of text."""
        super().__init__(parent)
        self.setObjectName("bulkDialog")
        self.setWindowTitle(title)
        self._text_required = text_required
        form = QFormLayout(self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("bulkChoice")
        for value, label in choices or ():
            self.combo.addItem(label, value)
        if choices is not None:
            form.addRow(choice_label, self.combo)
        else:
            self.combo.hide()
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("bulkText")
        self.text_edit.setMaxLength(200)
        if text_label:
            form.addRow(text_label, self.text_edit)
        else:
            self.text_edit.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.text_edit.textChanged.connect(self._on_text_edit_text_changed)
        self._on_text_edit_text_changed(self.text_edit.text())
        self.setMinimumWidth(360)

    def _on_text_edit_text_changed(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()) or not self._text_required)


class BulkActions(QObject):
    """The "Selected rows" menu of a page and the Delete key's work.

    ``page`` must offer ``selected_records()``, ``model``, ``reload()`` and ``module``.
    """

    def __init__(self, page: Any, service: Any, role: str, lang: str, *,
                 announce: Callable[[str, Any], None] | None = None):
        """Create the actions the role may use on ``page`` (none when it may not update)."""
        super().__init__(page)
        self._page, self._service, self._lang = page, service, lang
        self._announce = announce
        self._users: list[tuple[Any, str]] = []
        spec = service.spec
        role_rights = rights(role)
        self.may_update = role_rights.may(spec.module, Action.UPDATE)
        self.may_delete = role_rights.may(spec.module, Action.DELETE)
        self.button = QPushButton(translate("GridTools", "Bulk actions"), page)  # a menu button
        self.button.setObjectName("bulkButton")
        self.button.setToolTip(translate("GridTools", "Act on the selected rows"))
        menu = QMenu(self.button)
        menu.setObjectName("bulkMenu")
        self.assign_action = self.status_action = self.deactivate_action = None
        if self.may_update and spec.owner_field and role_rights.scope is Scope.ALL:
            self.assign_action = self._add(menu, translate("GridTools", "Assign owner…"), "assignOwnerAction",
                                           self.ask_assign)
        status = spec.all_fields.get("status")
        if self.may_update and status is not None and status.choices and hasattr(service, "change_status_many"):
            self.status_action = self._add(menu, translate("GridTools", "Change status…"), "changeStatusAction",
                                           self.ask_status)
        if self.may_update:
            self.deactivate_action = self._add(menu, translate("GridTools", "Deactivate…"), "deactivateAction",
                                               self.ask_deactivate)
        self.button.setMenu(menu)
        self.button.setVisible(self.may_update)
        self.dialog: BulkDialog | None = None

    @staticmethod
    def _add(menu: QMenu, text: str, name: str, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, menu)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def set_users(self, users: Sequence[tuple[Any, str]]) -> None:
        """The users one may assign records to, as ``(id, name)``."""
        self._users = list(users)

    # ------------------------------------------------------------- asking

    def _selection(self) -> list[dict[str, Any]]:
        records = self._page.selected_records()
        selected = getattr(self._page, "selected_row_count", lambda: len(records))()
        if records and len(records) < selected:
            # Some selected rows were scrolled far away and let go of: acting on "the selection"
            # would silently skip them.
            box = QMessageBox(QMessageBox.Icon.Information, translate("GridTools", "Selection too large"),
                              translate("GridTools", "Only %1 of the %2 selected rows are still loaded. Select "
                                                     "fewer rows, or use a filter and select them on one screen.")
                              .replace("%1", str(len(records))).replace("%2", str(selected)),
                              QMessageBox.StandardButton.Ok, self._page)
            box.setObjectName("selectionTooLargeBox")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return []
        if not records:
            box = QMessageBox(QMessageBox.Icon.Information, translate("GridTools", "No rows selected"),
                              translate("GridTools", "Select one or more rows first."),
                              QMessageBox.StandardButton.Ok, self._page)
            box.setObjectName("noSelectionBox")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        return records

    def _ask(self, dialog: BulkDialog, on_ok: Callable[[BulkDialog], None]) -> BulkDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_ok(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def ask_assign(self) -> BulkDialog | None:
        """Ask for the new owner of the selected records, then assign them all."""
        records = self._selection()
        if not records:
            return None
        dialog = BulkDialog(translate("GridTools", "Assign %1 records").replace("%1", str(len(records))), self._page,
                            choices=self._users, choice_label=translate("GridTools", "New owner:"))
        owner = self._service.spec.owner_field
        return self._ask(dialog, lambda d: self._run(records, self._service.bulk_update,
                                                     _versions(records), {owner: d.combo.currentData()}))

    def ask_status(self) -> BulkDialog | None:
        """Ask for the new status (and a note) of the selected records, then change them all."""
        records = self._selection()
        if not records:
            return None
        field = self._service.spec.field("status")
        choices = [(c.code, c.label(self._lang)) for c in field.choices]
        dialog = BulkDialog(translate("GridTools", "Change the status of %1 records").replace("%1", str(len(records))),
                            self._page, choices=choices, choice_label=translate("GridTools", "New status:"),
                            text_label=translate("GridTools", "Note:"))
        return self._ask(dialog, lambda d: self._run(
            records, lambda ids, status, note: self._service.change_status_many(ids, status, note=note),
            _versions(records), d.combo.currentData(), d.text_edit.text().strip() or None))

    def ask_deactivate(self) -> BulkDialog | None:
        """Ask for a reason, then deactivate each selected record (failures reported per row)."""
        records = self._selection()
        if not records:
            return None
        dialog = BulkDialog(translate("GridTools", "Deactivate %1 records").replace("%1", str(len(records))),
                            self._page, text_label=translate("GridTools", "Reason:"), text_required=True)
        service = self._service
        return self._ask(dialog, lambda d: self._run_each(
            records, lambda r, reason=d.text_edit.text().strip(): service.deactivate(
                r["id"], reason, version=r["version"])))

    def ask_delete(self) -> QMessageBox | None:
        """Confirm, then delete the selected records (records still in use stay, with the reason)."""
        if not self.may_delete:
            return None
        records = self._selection()
        if not records:
            return None
        title = self._service.spec.title_field
        if len(records) == 1:
            text = translate("GridTools", "Delete “%1”?").replace("%1", str(records[0].get(title) or ""))
        else:
            text = translate("GridTools", "Delete %1 records?").replace("%1", str(len(records)))
        box = QMessageBox(QMessageBox.Icon.Question, translate("GridTools", "Delete"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self._page)
        box.setObjectName("deleteConfirmBox")
        box.setInformativeText(translate("GridTools", "This cannot be undone."))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        service = self._service
        box.accepted.connect(lambda: self._run_each(
            records, lambda r: service.delete(r["id"], version=r["version"]), removes=True))
        box.open()
        return box

    # ------------------------------------------------------------ running

    def _run(self, records: list[dict[str, Any]], fn: Callable[..., Any], *args: Any) -> None:
        run_in_background(fn, *args, done=self._on_job_done,
                          failed=lambda exc: self._on_job_failed(records, exc))

    def _run_each(self, records: list[dict[str, Any]], fn: Callable[[dict[str, Any]], Any], *,
                  removes: bool = False) -> None:
        def work() -> list[tuple[dict[str, Any], BaseException | None]]:
            results = []
            for record in records:
                try:
                    fn(record)
                except Exception as exc:  # noqa: BLE001 - reported row by row on the GUI thread
                    results.append((record, exc))
                else:
                    results.append((record, None))
            return results

        run_in_background(work, done=lambda results: self._on_each_done(results, removes),
                          failed=self._on_job_failed_plain)

    def _name(self, record: dict[str, Any]) -> str:
        return str(record.get(self._service.spec.title_field) or record.get("id"))

    def _finish(self) -> None:
        # The change bus reloads this page and every other grid of the module (360° views too).
        if self._announce is not None:
            self._announce(self._service.spec.module, None)
        else:
            self._page.reload()

    def _sep(self) -> str:
        return ": " if self._lang.startswith("en") else "："

    # --------------------------------------------------------------- slots

    def _on_job_done(self, _result: Any) -> None:
        self._finish()

    def _on_job_failed_plain(self, exc: BaseException) -> None:
        present_error(self._page, exc, self._lang)

    def _on_job_failed(self, records: list[dict[str, Any]], exc: BaseException) -> None:
        errors = getattr(exc, "errors", None)
        if not errors or all(e.row is None for e in errors):
            present_error(self._page, exc, self._lang)
            return
        lines = []
        for err in errors:
            who = self._name(records[err.row]) if err.row is not None and 0 <= err.row < len(records) else ""
            lines.append(f"• {who}{self._sep()}{err.message(self._lang)}" if who else f"• {err.message(self._lang)}")
        self._show_failures(translate("GridTools", "Nothing was changed:"), lines)

    def _on_each_done(self, results: list[tuple[dict[str, Any], BaseException | None]], removes: bool) -> None:
        failures = [(r, e) for r, e in results if e is not None]
        if removes:
            for record, exc in results:
                if exc is None:
                    self._page.model.remove_record(record["id"])
        from crm_core.errors import CrmError

        bugs = [e for _r, e in failures if not isinstance(e, CrmError)]
        if bugs or (len(results) == 1 and failures):
            # A bug gets the crash dialog; a single record its own message box (e.g. "still in use").
            present_error(self._page, bugs[0] if bugs else failures[0][1], self._lang)
        elif failures:
            lines = [f"• {self._name(r)}{self._sep()}{e.text(self._lang)}" for r, e in failures]
            self._show_failures(translate("GridTools", "%1 of %2 records could not be changed:")
                                .replace("%1", str(len(failures))).replace("%2", str(len(results))), lines)
        if len(failures) < len(results):
            self._finish()

    def _show_failures(self, text: str, lines: list[str]) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, translate("GridTools", "Some records were not changed"), text,
                          QMessageBox.StandardButton.Ok, self._page)
        box.setObjectName("bulkFailuresBox")
        box.setInformativeText("\n".join(lines))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
