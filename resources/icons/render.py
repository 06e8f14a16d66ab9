"""Render the application icon's PNG and ICO from its SVG (run after editing the SVG; the outputs are committed).

    python resources/icons/render.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels, as PNG bytes (Qt's SVG renderer)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(HERE / "crm-desktop.svg")).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def main() -> int:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage painting needs it)
    (HERE / "crm-desktop.png").write_bytes(render(256))
    images = [Image.open(io.BytesIO(render(size))) for size in SIZES]
    images[-1].save(HERE / "crm-desktop.ico", sizes=[(s, s) for s in SIZES], append_images=images[:-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
