"""The translate function of the transfer screens (one context: "Transfer")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate
