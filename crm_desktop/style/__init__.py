"""The client's one style sheet and app icon, applied once to the whole application.

The sheet (``office.qss``, package data) styles what every screen shares: the
module list, tool bars, the home page's boxes, the empty-list hint. Colours match
the icon set (:mod:`crm_desktop.icons`). Screens keep only the small local looks of
:mod:`crm_desktop.forms.styles` (error text, required marks).
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QApplication

from crm_desktop.icons import app_icon


def style_sheet() -> str:
    """The text of ``office.qss``."""
    return resources.files(__name__).joinpath("office.qss").read_text(encoding="utf-8")


def apply_style(app: QApplication) -> None:
    """Give ``app`` the office style sheet and the program icon (windows and the tray inherit it)."""
    app.setStyleSheet(style_sheet())
    app.setWindowIcon(app_icon())
