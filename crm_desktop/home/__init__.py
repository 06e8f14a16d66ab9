"""The 工作台 (home) page and the reminders while the program is open."""

from crm_desktop.home.page import HomePage
from crm_desktop.home.reminders import ReminderWatcher

__all__ = ["HomePage", "ReminderWatcher"]
