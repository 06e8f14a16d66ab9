"""The client's one icon set: Lucide SVGs (ISC licence, see resources/notices), drawn in our colours.

``icon("plus")`` gives a :class:`QIcon` with a normal and a greyed (disabled) look at
the sizes toolbars, menus and the navigation use. The SVGs are package data found
through :mod:`importlib.resources`; their ``currentColor`` strokes are replaced by
the colour asked for, since QtSvg draws ``currentColor`` as black.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

INK = "#2b3a55"  # the icons' normal stroke: the style sheet's text blue-grey
ACCENT = "#1f6fd1"  # the "New" action and the home page stand out a little
DISABLED = "#a7adb8"
SIZES = (16, 20, 24, 32, 48)

# What each action / module is drawn with (one place: the same picture means the same thing).
MODULE_ICONS = {
    "home": "house", "customers": "building-2", "contacts": "contact", "contracts": "file-text",
    "payments": "banknote", "products": "package", "licenses": "key-round",
    "tickets": "message-square-warning", "submitters": "user-round", "followups": "calendar-check",
    "needs": "lightbulb", "opportunities": "target", "dashboard": "chart-column", "reports": "file-spreadsheet",
}


def svg_text(name: str) -> str:
    """The SVG source of icon ``name`` (FileNotFoundError for an icon not shipped)."""
    return resources.files(__name__).joinpath(f"{name}.svg").read_text(encoding="utf-8")


def _renderer(source: str, colour: str) -> QSvgRenderer:
    return QSvgRenderer(QByteArray(source.replace("currentColor", colour).encode("utf-8")))


def _pixmap(renderer: QSvgRenderer, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@lru_cache(maxsize=128)
def icon(name: str, colour: str = INK) -> QIcon:
    """Icon ``name`` (a Lucide name such as "plus") in ``colour``, with a greyed disabled look."""
    source = svg_text(name)
    # Parsed once per colour, drawn at every size (the first grid page of a session draws seven icons).
    normal, disabled = _renderer(source, colour), _renderer(source, DISABLED)
    result = QIcon()
    for size in SIZES:
        result.addPixmap(_pixmap(normal, size), QIcon.Mode.Normal)
        result.addPixmap(_pixmap(disabled, size), QIcon.Mode.Disabled)
    return result


def module_icon(module: str) -> QIcon:
    """The navigation icon of a module ("customers", …) or page ("home", "dashboard", "reports")."""
    return icon(MODULE_ICONS.get(module, "inbox"))


def app_icon() -> QIcon:
    """The program's window and tray icon: the one the desktop entry and the installers show
    (``resources/icons/``, packaged by the build; :func:`crm_desktop.assets.app_icon_bytes`)."""
    from crm_desktop import assets

    pixmap = QPixmap()
    pixmap.loadFromData(assets.app_icon_bytes(), "PNG")
    return QIcon(pixmap)
