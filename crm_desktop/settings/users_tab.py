"""Settings → Users (admins only): the user accounts with New / Edit / Reset password / Deactivate / Delete."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QWidget

from crm_desktop.settings.list_tab import RecordListTab
from crm_desktop.settings.user_dialogs import NewUserDialog, ResetPasswordDialog

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

# The reason shows why an account is off without hovering over it.
USER_COLUMNS = ("login", "name", "role", "phone", "is_active", "last_login_at", "deactivated_reason")


class UsersTab(RecordListTab):
    """The user list of an administrator.

    Deleting an account that records refer to is refused by crm_core (``InUse``); the tab
    asks before the confirmation and offers 停用 (deactivate) right there.

    Attributes:
        new_dialog / reset_dialog: the last such dialog opened.
    """

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None):
        super().__init__(session.users, session, lang, USER_COLUMNS, parent)
        self.setObjectName("usersTab")
        self.new_dialog: NewUserDialog | None = None
        self.reset_dialog: ResetPasswordDialog | None = None
        self.new_button = self._button("newButton", translate("Settings", "&New user…"))
        self.reset_button = self._button("resetPasswordButton", translate("Settings", "&Reset password…"))
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.finish_buttons([self.new_button], [self.reset_button])
        self.start()

    def update_extra_buttons(self, record: dict[str, Any] | None) -> None:
        """Reset password needs an active, selected account; New only needs an idle tab."""
        self.new_button.setEnabled(not self.busy)
        self.reset_button.setEnabled(bool(record and record.get("is_active", True)))

    def in_use_hint(self) -> str:
        """Deactivating an account: what happens to it."""
        return translate("Settings", "Deactivate the account instead: the records stay as they are, and it can no "
                                     "longer sign in.")

    def title_of(self, record: dict[str, Any]) -> str:
        """Users are named "name (login)" in questions."""
        return f"{record.get('name')} ({record.get('login')})"

    # -------------------------------------------------------------- slots

    def _on_new_button_clicked(self) -> None:
        dialog = NewUserDialog(self.service, self.lang, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._on_new_dialog_created)
        self.new_dialog = dialog
        dialog.open()

    def _on_new_dialog_created(self, record: dict[str, Any]) -> None:
        self.model.reload()
        self.changed.emit("users", record)
        self.show_status(translate("Settings", "User “%1” was created.").replace("%1", self.title_of(record)))

    def _on_reset_button_clicked(self) -> None:
        record = self.current_record()
        if record is None:
            return
        dialog = ResetPasswordDialog(self.service, record, self.lang, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.password_set.connect(lambda: self._on_reset_dialog_password_set(record))
        self.reset_dialog = dialog
        dialog.open()

    def _on_reset_dialog_password_set(self, record: dict[str, Any]) -> None:
        self.show_status(translate("Settings", "The password of %1 was reset.").replace("%1", self.title_of(record)))
