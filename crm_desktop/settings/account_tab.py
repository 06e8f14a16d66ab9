"""Settings → My account (everyone): change one's own password, and the interface language."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crm_desktop.background import run_in_background
from crm_desktop.errors import present_error
from crm_desktop.forms.record_form import ERROR_STYLE
from crm_desktop.settings.fields import FieldForm, mismatch_message, password_edit

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

LANGUAGE_KEY = "ui/language"
# Interface languages: code and its name written in that language (so anyone finds his own).
LANGUAGES = (("zh_CN", "简体中文"), ("en", "English"))
# crm_core names the password fields of change_password like this; the rows here are shorter.
_FIELD_ALIASES = {"old_password": "old", "new_password": "new", "password": "new"}


class AccountTab(QWidget):
    """The signed-in user's own settings.

    Args:
        session: the signed-in :class:`~crm_core.session.CrmSession`.
        lang: the current interface language.
        settings: where the language choice is kept (``ui/language``).

    Signals:
        language_chosen(str): another interface language was chosen (and saved).
    """

    language_chosen = Signal(str)

    def __init__(self, session: Any, lang: str, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("accountTab")
        self.session, self.lang, self.settings = session, lang, settings
        self.busy = False

        password_box = QGroupBox(translate("Settings", "Change my password"), self)
        self.fields = FieldForm(password_box)
        self.fields.add("old", translate("Settings", "Current password"), password_edit(self), required=True)
        self.fields.add("new", translate("Settings", "New password"), password_edit(self), required=True)
        self.fields.add("new2", translate("Settings", "New password again"), password_edit(self), required=True)
        self.fields.widgets["new"].setToolTip(translate("Settings", "At least 8 characters, letters and digits"))
        self.change_button = QPushButton(translate("Settings", "&Change password"), password_box)
        self.change_button.setObjectName("changePasswordButton")
        self.password_status = QLabel(password_box)
        self.password_status.setObjectName("passwordStatus")
        self.password_status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.change_button)
        row.addWidget(self.password_status, 1)
        box_layout = QVBoxLayout(password_box)
        box_layout.addWidget(self.fields)
        box_layout.addLayout(row)

        language_box = QGroupBox(translate("Settings", "Interface language"), self)
        self.language_combo = QComboBox(language_box)
        self.language_combo.setObjectName("languageCombo")
        for code, name in LANGUAGES:
            self.language_combo.addItem(name, code)
        stored = settings.value(LANGUAGE_KEY, lang)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(stored)))
        note = QLabel(translate("Settings", "The window switches to the chosen language at once; what you "
                                            "have typed in open forms is kept only if you save it first."),
                      language_box)
        note.setObjectName("languageNote")
        note.setWordWrap(True)
        language_layout = QVBoxLayout(language_box)
        language_layout.addWidget(self.language_combo)
        language_layout.addWidget(note)

        layout = QVBoxLayout(self)
        for box in (password_box, language_box):
            # A password is a short line: fields across the whole dialog would look empty and lost.
            box.setMinimumWidth(520)
            box.setMaximumWidth(600)
            layout.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

        self.change_button.clicked.connect(self._on_change_button_clicked)
        self.language_combo.currentIndexChanged.connect(self._on_language_combo_current_index_changed)

    def change_password(self) -> None:
        """Check the new password was typed twice alike, then change it in the background."""
        if self.busy:
            return
        self.fields.clear_errors()
        widgets = self.fields.widgets
        if widgets["new"].text() != widgets["new2"].text():
            self.fields.set_error("new2", mismatch_message())
            return
        self.busy = True
        self.change_button.setEnabled(False)
        self._set_status(translate("Settings", "Saving…"))
        run_in_background(self.session.change_password, widgets["old"].text(), widgets["new"].text(),
                          done=self._on_change_done, failed=self._on_change_failed)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.password_status.setStyleSheet(ERROR_STYLE if error else "")
        self.password_status.setText(text)

    # -------------------------------------------------------------- slots

    def _on_change_button_clicked(self) -> None:
        self.change_password()

    def _on_change_done(self, _result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        self.change_button.setEnabled(True)
        for edit in self.fields.widgets.values():
            edit.clear()  # a password does not stay on screen once used
        self._set_status(translate("Settings", "Your password was changed."))

    def _on_change_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from crm_core.errors import ValidationError

        self.busy = False
        self.change_button.setEnabled(True)
        self._set_status("")
        if isinstance(exc, ValidationError):
            self._set_status("\n".join(self.fields.show_validation(exc, self.lang, _FIELD_ALIASES)), error=True)
            return
        present_error(self, exc, self.lang)

    def _on_language_combo_current_index_changed(self, _index: int) -> None:
        lang = self.language_combo.currentData()
        self.settings.setValue(LANGUAGE_KEY, lang)
        self.settings.sync()
        self.language_chosen.emit(lang)
