"""The generic record form of every module, generated from the module's :class:`EntitySpec`.

One row per business field (system fields are the service's business), with the
field's editor, a red * on required labels and room for the field's error under
it. Loading and saving run in the background. On save, a new record sends every
filled field to ``create``; an existing one sends only what changed to
``update`` with the version it was read at. crm_core's answers decide what the
user sees: field errors under their fields (nothing typed is cleared), the
conflict dialog when someone else saved first, read-only with the reason for a
deactivated record, and the error presenter for everything else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGridLayout, QLabel, QLineEdit, QMessageBox,
                               QScrollArea, QSplitter, QVBoxLayout, QWidget)

from crm_core.metadata import Field, FieldType
from crm_desktop.background import run_in_background
from crm_core.lists import Filter
from crm_desktop.forms.conflict_dialog import ConflictDialog
from crm_desktop.forms.duplicate_hint import attach as attach_duplicate_hint
from crm_desktop.forms.editors import make_editor
from crm_desktop.forms.form_conflicts import ConflictHandling
from crm_desktop.forms.form_layout import (SYSTEM_FIELD_STYLE, FieldGrid, error_label, field_cell, field_label, is_wide,
                                          show_as_system_field)
from crm_desktop.forms.styles import BANNER_STYLE, ERROR_STYLE, REQUIRED_MARK  # noqa: F401 - others import them here
from crm_desktop.grid.display import DictionaryLabels
from crm_desktop.panels import PANELS

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate



class RecordForm(ConflictHandling, QDialog):
    """Create or edit one record of ``service``'s module.

    Args:
        service: the module's service (``spec``, ``get``, ``create``, ``update``).
        services_lookup: ``module -> service``, for reference pickers
            (e.g. ``lambda m: getattr(session, m)``).
        lang: "zh_CN" or "en", for labels and crm_core's messages.
        labels: dictionary labels (:func:`crm_desktop.grid.dictionary_labels`).
        record_id: the record to edit; None for a new one.
        defaults: initial values of a new record (``<ref>_display`` names references).
        parent: the window the form belongs to.

    Signals:
        saved(object): a new version of the record is stored: after a successful save, and
            after an action of the form's panel (resolve a ticket, add a machine ...), so that
            whoever opened the form announces it and the grids behind it show the change.
        loaded(object): the record, once loaded (or reloaded after a conflict).
        conflict_shown(object): the conflict dialog, once open.
    """

    saved = Signal(object)
    loaded = Signal(object)
    conflict_shown = Signal(object)

    def __init__(self, service: Any, *, services_lookup: Callable[[str], Any], lang: str,
                 labels: DictionaryLabels | None, record_id: int | None = None,
                 defaults: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.spec, self.lang, self.labels = service, service.spec, lang, labels or {}
        self.record_id = record_id
        self.record: dict[str, Any] | None = None
        self.busy = False
        self.read_only = False
        self.last_sent: dict[str, Any] | None = None  # what the last save handed to the service
        self.conflict_dialog: ConflictDialog | None = None
        self.discard_box: QMessageBox | None = None
        self._original: dict[str, Any] = {}
        self._closing = False
        self._services_lookup, self.panel = services_lookup, None  # panel: crm_desktop.panels, once loaded
        self.setObjectName("recordForm")
        self.setWindowTitle(self._title())
        # A role that may only look gets a read-only form, not a Save that is refused afterwards.
        may = getattr(service, "may", None)
        self.view_only = may is not None and not may("create" if record_id is None else "update")

        self.banner = QLabel(self)
        self.banner.setObjectName("inactiveBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.form_widget = QWidget(self)
        self.form_widget.setStyleSheet(SYSTEM_FIELD_STYLE)
        outer = QVBoxLayout(self.form_widget)
        grid = QGridLayout()
        outer.addLayout(grid)
        outer.addStretch(1)  # spare height goes below the fields, not between them
        placer = FieldGrid(grid, len(self.spec.fields))
        self.editors: dict[str, Any] = {}
        self.field_labels: dict[str, QLabel] = {}
        self.field_cells: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        for field in self.spec.fields:
            self._add_row(placer, field, services_lookup)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form_widget)
        # The workflow panel (ticket processing, license machines, contract files) sits beside the
        # fields, full height, so that its buttons are on screen without scrolling.
        self.side_pane: QWidget | None = None
        main: QWidget = scroll
        if self.spec.module in PANELS and record_id is not None:  # a panel acts on a saved record
            self.side_pane = QWidget(self)
            self.side_pane.setObjectName("sidePane")
            QVBoxLayout(self.side_pane).setContentsMargins(0, 0, 0, 0)
            main = QSplitter(Qt.Orientation.Horizontal, self)
            main.setChildrenCollapsible(False)
            main.addWidget(scroll)
            main.addWidget(self.side_pane)
            main.setStretchFactor(0, 3)
            main.setStretchFactor(1, 2)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(translate("RecordForm", "&Save"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setToolTip(translate("RecordForm", "Save (Ctrl+S)"))
        self.save_button.setDefault(True)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        close.setText(translate("RecordForm", "Close"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, activated=self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(main, 1)
        self.duplicate_hint = attach_duplicate_hint(self)  # "already here?" as the user types
        if self.duplicate_hint is not None:
            layout.addWidget(self.duplicate_hint.label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        hint = self.form_widget.sizeHint()
        # Tall enough for the fields and a few error lines without a scroll bar, within a 1366×768 screen.
        width = max(640 if placer.pairs == 1 else 900, hint.width() + 60)
        self.resize(min(1300, width + (460 if self.side_pane is not None else 0)), min(700, hint.height() + 160))
        if isinstance(main, QSplitter):  # the panel gets room for its tables, the fields keep theirs
            main.setSizes([self.width() * 55 // 100, self.width() * 45 // 100])

        if record_id is None:
            self._start_new(defaults or {})
        else:
            self._set_busy(True, translate("RecordForm", "Loading…"))
            run_in_background(service.get, record_id, done=self._on_load_done, failed=self._on_load_failed)

    # ------------------------------------------------------------ building

    def _add_row(self, placer: FieldGrid, field: Field, services_lookup: Callable[[str], Any]) -> None:
        editor = make_editor(field, lang=self.lang, labels=self.labels, services_lookup=services_lookup,
                             parent=self.form_widget)
        editor.setObjectName(f"{field.name}Editor")
        editor.edited.connect(self._on_editor_edited)
        label, error = field_label(field, self.lang, editor, self.form_widget), error_label(field, self.form_widget)
        cell = field_cell(editor, error, self.form_widget)
        shown = not field.read_only or show_as_system_field(field, editor, label, cell,
                                                            new_record=self.record_id is None)
        if shown:  # a left-out field leaves no hole in the grid
            placer.add(label, cell, wide=is_wide(field))
        self.editors[field.name], self.field_labels[field.name] = editor, label
        self.field_cells[field.name] = cell
        self.error_labels[field.name] = error

    def _title(self) -> str:
        module = self.spec.label(self.lang)
        if self.record_id is None:
            return translate("RecordForm", "New %1").replace("%1", module.lower() if self.lang == "en" else module)
        name = (self.record or {}).get(self.spec.title_field) or f"#{self.record_id}"
        return translate("RecordForm", "%1: %2").replace("%1", module).replace("%2", str(name))

    # ----------------------------------------------------------- interface

    def editable_fields(self) -> list[str]:
        """Fields the user may change now (not read-only, not masked, record active)."""
        if self.read_only:
            return []
        masked = set((self.record or {}).get("_masked") or ())
        return [f.name for f in self.spec.fields if not f.read_only and f.name not in masked]

    def values(self) -> dict[str, Any]:
        """The editable fields' current values, as they would be sent."""
        return {name: self.editors[name].value() for name in self.editable_fields()}

    def changes(self) -> dict[str, Any]:
        """Editable fields whose value differs from the loaded (or initial) one."""
        return {n: v for n, v in self.values().items() if v != self._original.get(n)}

    def is_dirty(self) -> bool:
        """True when the user changed something not yet saved."""
        return bool(self.changes())

    def field_error(self, name: str) -> str:
        """The error shown under field ``name`` ("" when none)."""
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    def save(self) -> None:
        """Save in the background: ``create`` for a new record, ``update`` of the changes otherwise."""
        if self.busy or self.read_only or (self.record_id is not None and self.record is None):
            return
        self._set_field_errors({}, [])
        if self.record is None:
            self.last_sent = {n: v for n, v in self.values().items() if v is not None}
            job = functools.partial(self.service.create, dict(self.last_sent))
        else:
            self.last_sent = self.changes()
            if not self.last_sent:
                self._closing = True
                self.accept()  # nothing changed: nothing to write, no new version
                return
            job = functools.partial(self.service.update, self.record["id"], dict(self.last_sent),
                                    version=self.record["version"])
        self._set_busy(True, translate("RecordForm", "Saving…"))
        run_in_background(job, done=self._on_save_done, failed=self._on_save_failed)

    def reject(self) -> None:
        """Esc / Close: closes at once unless there are unsaved changes, then asks first."""
        if self.busy and self.record is not None:
            return  # a save is under way: its answer needs this form
        if self._closing or self.read_only or not self.is_dirty():
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, translate("RecordForm", "Unsaved changes"),
                          translate("RecordForm", "Close the form and discard your changes?"),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Discard).setText(translate("RecordForm", "&Discard changes"))
        box.button(QMessageBox.StandardButton.Cancel).setText(translate("RecordForm", "&Keep editing"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(self._on_discard_box_button_clicked)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.discard_box = box
        box.open()

    # ------------------------------------------------------------- records

    def _start_new(self, defaults: dict[str, Any]) -> None:
        if self.view_only:
            self._set_read_only(False)
        for name, value in defaults.items():
            if name in self.editors:
                self._set_editor(name, value, defaults.get(f"{name}_display"))
        self._narrow_references()
        self._original = self.values()

    def _apply_record(self, record: dict[str, Any]) -> None:
        """Show ``record``; it becomes the base that changes are measured against."""
        self.record = record
        self.record_id = record["id"]
        masked = set(record.get("_masked") or ())
        for field in self.spec.fields:
            self._set_editor(field.name, record.get(field.name), record.get(f"{field.name}_display"))
            editor = self.editors[field.name]
            if field.name in masked:
                editor.setToolTip(translate("RecordForm", "Hidden for your role: only part of the value is shown, "
                                                          "and it cannot be changed here."))
            if isinstance(editor, QLineEdit):
                editor.setPlaceholderText("")
        self._set_read_only(not record.get("is_active", True), record.get("deactivated_reason"))
        self._narrow_references()
        self.setWindowTitle(self._title())
        self._original = self.values()

    def _narrow_references(self) -> None:
        """Offer only the form's customer's records in its other pickers (e.g. a payment's contract)."""
        if "customer_id" not in self.editors:
            return
        customer_id = self.editors["customer_id"].value()
        narrowed = (Filter("customer_id", "eq", customer_id),) if customer_id is not None else ()
        for field in self.spec.fields:
            if field.type is FieldType.REF and field.ref not in (None, "customers", "users"):
                target = self._services_lookup(field.ref).spec
                if "customer_id" in target.all_fields:
                    self.editors[field.name].set_filters(narrowed)

    def _set_editor(self, name: str, value: Any, display: str | None = None) -> None:
        editor = self.editors[name]
        if self.spec.field(name).type is FieldType.REF:
            editor.set_value(value, display)
        else:
            editor.set_value(value)

    def _set_read_only(self, read_only: bool, reason: str | None = None) -> None:
        deactivated, read_only = read_only, read_only or self.view_only
        self.read_only = read_only
        masked = set((self.record or {}).get("_masked") or ())
        for field in self.spec.fields:
            self.editors[field.name].set_read_only(read_only or field.read_only or field.name in masked)
        self.save_button.setEnabled(not read_only and not self.busy)
        self.save_button.setVisible(not self.view_only)
        self.banner.setVisible(read_only)
        if deactivated:
            self.banner.setText(translate("RecordForm", "This record is deactivated and read-only. Reason: %1")
                                .replace("%1", reason or translate("RecordForm", "(none given)")))
        elif read_only:
            self.banner.setText(translate("RecordForm", "Your role may view this record but not change it."))

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.form_widget.setEnabled(not busy)
        self.save_button.setEnabled(not busy and not self.read_only)
        self.message_label.setStyleSheet("")
        self.message_label.setText(message)

    def _set_field_errors(self, errors: dict[str, list[str]], general: list[str]) -> None:
        for name, label in self.error_labels.items():
            label.setText("\n".join(errors.get(name, [])))
            label.setVisible(name in errors)
        self.message_label.setStyleSheet(ERROR_STYLE if general else "")
        self.message_label.setText("\n".join(general))
        first = next((f.name for f in self.spec.fields if f.name in errors), None)
        if first:
            self.editors[first].setFocus()

    # --------------------------------------------------------------- slots

    def _on_editor_edited(self) -> None:
        sender = self.sender()
        for name, editor in self.editors.items():
            if editor is sender and not self.error_labels[name].isHidden():
                self.error_labels[name].hide()  # the user is fixing it; the next save re-checks
        if sender is self.editors.get("customer_id"):
            self._narrow_references()

    def _on_load_done(self, record: dict[str, Any]) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self._apply_record(record)
        if self.panel is None:  # the module's action panel (tickets, licenses, contracts) under the fields
            from crm_desktop.panels import panel_for

            self.panel = panel_for(self.spec.module, self._services_lookup, record["id"], self.lang, self.side_pane)
            if self.panel is not None and self.side_pane is not None:
                self.side_pane.layout().addWidget(self.panel, 1)
                self.panel.changed.connect(self._on_panel_changed)
        self.loaded.emit(record)

    def _on_panel_changed(self, record: dict[str, Any]) -> None:
        if not shiboken6.isValid(self):
            return
        if not self.busy:
            self._rebase(record, {})  # the panel moved the version on; what the user typed stays
        self.saved.emit(record)  # the grids behind the form show the change

    def _on_load_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_desktop.errors import present_error

        self._set_busy(False)
        self.form_widget.setEnabled(False)
        self.save_button.setEnabled(False)
        present_error(self, exc, self.lang)

    def _on_save_done(self, record: dict[str, Any]) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self._apply_record(record)
        self.saved.emit(record)
        self._closing = True
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_core.errors import ConcurrencyConflict, RecordInactive, ValidationError

        self._set_busy(False)
        if isinstance(exc, ValidationError):
            by_field: dict[str, list[str]] = {}
            general: list[str] = []
            for err in exc.errors:
                if err.field in self.editors:
                    by_field.setdefault(err.field, []).append(err.message(self.lang))
                else:
                    general.append(err.message(self.lang))
            self._set_field_errors(by_field, general)
            return
        if isinstance(exc, ConcurrencyConflict) and exc.current is not None:
            self._show_conflict(exc)
            return
        if isinstance(exc, RecordInactive):
            self._set_read_only(True, exc.reason)  # what was typed stays on screen
        from crm_desktop.errors import present_error

        present_error(self, exc, self.lang)

    def _on_discard_box_button_clicked(self, button: Any) -> None:
        box = self.discard_box
        if box is not None and button is box.button(QMessageBox.StandardButton.Discard):
            self._closing = True
            super().reject()
