"""What a record form does when someone else saved the record first (mixed into RecordForm).

crm_core raises ConcurrencyConflict with the record as it is now. Nothing the
user typed is lost: a record deactivated meanwhile turns the form read-only
with the typed values still on screen; identical changes need no decision;
otherwise the conflict dialog shows both versions field by field and the
user reloads, overwrites or keeps a mix.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from crm_desktop.forms.conflict_dialog import ConflictDialog, differing_rows
from crm_desktop.forms.editors import editor_text
from crm_desktop.forms.styles import ERROR_STYLE
from crm_desktop.grid.display import format_datetime

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


class ConflictHandling:
    """The conflict part of :class:`~crm_desktop.forms.record_form.RecordForm`."""

    def _show_conflict(self, exc: Any) -> None:
        current = exc.current
        if not current.get("is_active", True):
            # Deactivated meanwhile: nothing can be saved; what was typed stays on screen to copy.
            self._set_read_only(True, current.get("deactivated_reason"))
            self.message_label.setStyleSheet(ERROR_STYLE)
            self.message_label.setText(translate("RecordForm", "Someone deactivated this record meanwhile; "
                                                               "your changes cannot be saved."))
            return
        rows = differing_rows([self.spec.field(n) for n in self.editable_fields()], self.editors, current,
                              set(self.changes()), self.lang, self.labels)
        if not rows:  # they saved what the user typed: nothing to decide, nothing to write
            self._apply_record(current)
            self.saved.emit(current)
            self._closing = True
            self.accept()
            return
        updated_at = current.get("updated_at")
        dialog = ConflictDialog(rows, message=exc.message(self.lang),
                                saved_by=str(current.get("updated_by_id_display") or "?"),
                                saved_at=format_datetime(updated_at) if updated_at else "?", parent=self)
        if self.conflict_dialog is not None:
            self.conflict_dialog.deleteLater()  # an earlier conflict's dialog (a child of the form)
        dialog.resolved.connect(lambda action, values: self._on_conflict_dialog_resolved(current, action, values))
        self.conflict_dialog = dialog
        dialog.open()
        self.conflict_shown.emit(dialog)

    def _on_conflict_dialog_resolved(self, current: dict[str, Any], action: str, values: dict[str, Any]) -> None:
        if action == "reload":
            self._apply_record(current)
            self.loaded.emit(current)
            return
        self._rebase(current, values)
        self.save()

    def _rebase(self, current: dict[str, Any], chosen: dict[str, Any]) -> None:
        """Take ``current`` as the base, then put back what the user typed (or ``chosen`` per field)."""
        typed = {n: (self.editors[n].value(), editor_text(self.editors[n])) for n in self.editable_fields()}
        self._apply_record(current)
        for name, (value, text) in typed.items():
            target = chosen.get(name, value)
            if target != self.editors[name].value():
                self._set_editor(name, target, text if target == value else current.get(f"{name}_display"))
