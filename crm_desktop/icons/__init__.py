"""The client's one icon set: Lucide SVGs (ISC licence, see resources/notices), drawn in our colours.

``icon("plus")`` gives a :class:`QIcon` with a normal and a greyed (disabled) look at
the sizes toolbars, menus and the navigation use. The SVGs are package data found
through :mod:`importlib.resources`; their ``currentColor`` strokes are replaced by
the colour asked for, since QtSvg draws ``currentColor`` as black.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
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


def _pixmap(renderer: QSvgRenderer, width: int, height: int) -> QPixmap:
    pixmap = QPixmap(max(1, width), max(1, height))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    return pixmap


class _SvgIconEngine(QIconEngine):
    """Draws an SVG in one colour (greyed when disabled) at the size asked, the first time it is asked.

    Qt asks an icon for one or two sizes (a tool bar's, a menu's); drawing all
    :data:`SIZES` in both looks up front was 70 pixmaps for the first grid's seven
    icons, about 10 ms of the GUI thread as the page opened.
    """

    def __init__(self, source: str, colour: str):
        super().__init__()
        self._source, self._colour = source, colour
        self._renderers: dict[str, QSvgRenderer] = {}
        self._pixmaps: dict[tuple[int, int, bool], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:  # noqa: ARG002 - one state
        disabled = mode == QIcon.Mode.Disabled
        key = (size.width(), size.height(), disabled)
        found = self._pixmaps.get(key)
        if found is None:
            colour = DISABLED if disabled else self._colour
            renderer = self._renderers.get(colour)
            if renderer is None:
                renderer = self._renderers[colour] = _renderer(self._source, colour)
            found = self._pixmaps[key] = _pixmap(renderer, size.width(), size.height())
        return found

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        pixmap = QPixmap(self.pixmap(QSize(round(size.width() * scale), round(size.height() * scale)), mode, state))
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        size = QSize(round(rect.width() * scale), round(rect.height() * scale))
        painter.drawPixmap(rect, self.pixmap(size, mode, state))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: ARG002
        return size  # scalable: any size asked

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal,  # noqa: ARG002
                       state: QIcon.State = QIcon.State.Off) -> list[QSize]:
        return [QSize(s, s) for s in SIZES]

    def clone(self) -> QIconEngine:
        engine = _SvgIconEngine(self._source, self._colour)
        _CLONES.append(engine)  # Qt owns the copy; keep its Python half alive with it
        return engine


_CLONES: list[_SvgIconEngine] = []


@lru_cache(maxsize=128)
def icon(name: str, colour: str = INK) -> QIcon:
    """Icon ``name`` (a Lucide name such as "plus") in ``colour``, with a greyed disabled look.

    Drawn at each size the first time that size is shown (see :class:`_SvgIconEngine`).
    """
    engine = _SvgIconEngine(svg_text(name), colour)
    result = QIcon(engine)
    _ENGINES.append(engine)  # the icon is cached for the session: so is its engine
    return result


_ENGINES: list[_SvgIconEngine] = []


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
