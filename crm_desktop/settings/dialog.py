"""The settings dialog: Users, Data dictionary, Custom fields, Mail and Backups for administrators, My account for everyone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from crm_core.permissions import Action, rights
from crm_desktop.settings.account_tab import AccountTab
from crm_desktop.settings.backup_tab import BackupTab
from crm_desktop.settings.custom_fields_tab import CustomFieldsTab
from crm_desktop.settings.dictionary_tab import DictionaryTab
from crm_desktop.settings.mail_tab import MailTab
from crm_desktop.settings.users_tab import UsersTab

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

SETTINGS_ORG = SETTINGS_APP = "crm-desktop"  # as the login window's QSettings


class SettingsDialog(QDialog):
    """Settings of the signed-in user; admin tabs only for roles that may administer users.

    Hiding the admin tabs is a courtesy: crm_core checks every call itself.

    Args:
        session: the signed-in :class:`~crm_core.session.CrmSession`.
        lang: "zh_CN" or "en".
        parent: the main window.
        settings: where client preferences are kept (tests pass a temporary file).

    Signals:
        language_chosen(str): the user picked an interface language (it is saved
            already); the main window switches to it at once.
        changed(str, object): users, dictionary entries or custom fields changed; the main
            window passes it on to its ChangeBus (``dialog.changed.connect(bus.announce)``)
            so that, e.g., grids pick up renamed dictionary labels.

    Attributes:
        users_tab, dictionary_tab, custom_fields_tab, mail_tab, backup_tab: None for non-admins. account_tab: always.
    """

    changed = Signal(str, object)
    language_chosen = Signal(str)

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None, *,
                 settings: QSettings | None = None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(translate("Settings", "Settings"))
        self.session, self.lang = session, lang
        self.settings = settings if settings is not None else QSettings(SETTINGS_ORG, SETTINGS_APP)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        self.users_tab: UsersTab | None = None
        self.dictionary_tab: DictionaryTab | None = None
        self.custom_fields_tab: CustomFieldsTab | None = None
        self.mail_tab: MailTab | None = None
        self.backup_tab: BackupTab | None = None
        if rights(session.actor.role).may("users", Action.ADMIN):
            self.users_tab = UsersTab(session, lang, self)
            self.tabs.addTab(self.users_tab, translate("Settings", "Users"))
            self.dictionary_tab = DictionaryTab(session, lang, self)
            self.tabs.addTab(self.dictionary_tab, translate("Settings", "Data dictionary"))
            self.custom_fields_tab = CustomFieldsTab(session, lang, self)
            self.tabs.addTab(self.custom_fields_tab, translate("Settings", "Custom fields"))
            self.mail_tab = MailTab(session, lang, self)
            self.tabs.addTab(self.mail_tab, translate("Settings", "Mail"))
            self.backup_tab = BackupTab(session, lang, self)
            self.tabs.addTab(self.backup_tab, translate("Settings", "Backups"))
        for tab in (self.users_tab, self.dictionary_tab, self.custom_fields_tab):
            if tab is not None:
                tab.changed.connect(self.changed)
        self.account_tab = AccountTab(session, lang, self.settings, self)
        self.account_tab.language_chosen.connect(self.language_chosen)
        self.tabs.addTab(self.account_tab, translate("Settings", "My account"))

        buttons = QDialogButtonBox(self)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(translate("Settings", "Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)

    def tab_titles(self) -> list[str]:
        """The titles of the tabs, in order (what the user sees)."""
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]
