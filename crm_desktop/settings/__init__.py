"""The settings dialog: user accounts and data dictionary (admins), own password and language (everyone)."""

from crm_desktop.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
