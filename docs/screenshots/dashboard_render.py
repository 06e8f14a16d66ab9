"""Render the dashboard (zh_CN and en) and the reports page (zh_CN) of a manager to PNG.

Run from the repository root (needs a CJK font, e.g. fonts-noto-cjk)::

    QT_QPA_PLATFORM=offscreen python docs/screenshots/dashboard_render.py

Writes dashboard_zh.png, dashboard_en.png and reports_zh.png next to this
script, over a throw-away embedded database filled with demo data
(``crm_core.demo.generate``, 300 customers). The Chinese catalogue is the
shared .ts plus the not yet merged ``ui/translations/pending_*.tsv`` strings.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

OUT = Path(__file__).resolve().parent
ROOT = OUT.parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="crm-shots-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.update(CRM_DATA_DIR=str(TMP / "data"), CRM_CONFIG=str(TMP / "config.toml"), CRM_LOG_DIR=str(TMP / "logs"))

from PySide6.QtCore import QLibraryInfo, QTranslator  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from settling import settle  # noqa: E402

TRANSLATIONS = ROOT / "ui" / "translations"




def zh_catalogue() -> Path:
    """The shared zh_CN .ts with every pending_*.tsv string added, compiled to a .qm."""
    from crm_desktop.__main__ import _lrelease

    tree = ET.parse(TRANSLATIONS / "crm_desktop_zh_CN.ts")
    contexts = {c.findtext("name"): c for c in tree.getroot().iter("context")}
    for tsv in sorted(TRANSLATIONS.glob("pending_*.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            if line.count("\t") != 2:
                continue
            name, source, translation = line.split("\t")
            context = contexts.get(name)
            if context is None:
                context = contexts[name] = ET.SubElement(tree.getroot(), "context")
                ET.SubElement(context, "name").text = name
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = source
            ET.SubElement(message, "translation").text = translation
    merged, compiled = TMP / "merged_zh_CN.ts", TMP / "merged_zh_CN.qm"
    tree.write(merged, encoding="utf-8", xml_declaration=True)
    subprocess.run([_lrelease(), "-silent", str(merged), "-qm", str(compiled)], check=True)
    return compiled


def install(app: QApplication, lang: str) -> list[QTranslator]:
    """Qt's own and our catalogue for ``lang`` (none for English)."""
    if lang == "en":
        return []
    qt_own, ours = QTranslator(app), QTranslator(app)
    qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    ours.load(str(zh_catalogue()))
    for translator in (qt_own, ours):
        app.installTranslator(translator)
    return [qt_own, ours]


def main() -> None:
    app = QApplication([])
    from crm_core import Profile, open_database
    from crm_core.demo import demo_users, generate
    from crm_core.session import connect
    from crm_desktop.main_window import MainWindow

    profile = Profile(path=str(TMP / "crm.sqlite3"))
    db = open_database(profile)
    generate(db, customers=300)
    manager = demo_users(db)["manager"][0][0]
    db.dispose()
    for lang, shots in (("zh_CN", ("dashboard", "reports")), ("en", ("dashboard",))):
        translators = install(app, lang)
        window = MainWindow(connect(profile, manager, "demo1234"), lang)
        window.resize(1440, 980)
        window.show()
        suffix = "zh" if lang == "zh_CN" else "en"
        if "dashboard" in shots:
            page = window.show_view("dashboard")
            page.period.choose("this_year")
            settle(app, lambda: page.dashboard is not None and not page.loading
                   and page.dashboard.date_from == dt.date.today().replace(month=1, day=1))
            window.grab().save(str(OUT / f"dashboard_{suffix}.png"))
        if "reports" in shots:
            page = window.show_view("reports")
            settle(app, lambda: page.report_list.count() > 0)
            page.choose("customers")
            settle(app, lambda: page.report is not None and page.operation is None)
            window.grab().save(str(OUT / f"reports_{suffix}.png"))
        window.close()
        for t in translators:
            app.removeTranslator(t)


if __name__ == "__main__":
    main()
