"""Entry point of the ``crm-desktop`` command: language, translations, the sign-in window.

After a successful sign-in the main window opens; "Sign out" brings the
sign-in window back, closing the main window ends the program. Only Qt and
the login window are imported up front; crm_core (SQLAlchemy) is loaded in
the background once the window is on screen.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "ui" / "translations"
LANGUAGES = ("zh_CN", "en")



def detect_language(requested: str | None = None) -> str:
    """``requested`` if given, else the choice saved in the settings dialog, else zh_CN on a Chinese system, else en."""
    if requested:
        return requested
    saved = QSettings("crm-desktop", "crm-desktop").value("ui/language")
    if saved in LANGUAGES:
        return str(saved)
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def _lrelease() -> str | None:
    beside_python = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside_python) if beside_python.exists() else shutil.which("pyside6-lrelease")


def compiled_catalogue(lang: str, cache_dir: Path | None = None) -> Path | None:
    """The ``.qm`` of ``lang``: shipped next to the ``.ts``, or compiled now with pyside6-lrelease.

    ``.qm`` files are build products (git ignores them). A development checkout
    compiles the ``.ts`` once into ``cache_dir`` (default: the user cache dir);
    that is a short subprocess run before any window exists, so it holds up no
    interaction.

    Returns:
        The catalogue to load, or None (no catalogue, no tool): the interface stays English.
    """
    source = TRANSLATIONS / f"crm_desktop_{lang}.ts"
    shipped = source.with_suffix(".qm")
    if shipped.exists() and (not source.exists() or shipped.stat().st_mtime >= source.stat().st_mtime):
        return shipped
    if not source.exists():
        return None
    if cache_dir is None:
        import platformdirs

        cache_dir = Path(platformdirs.user_cache_dir("crm-desktop", "crm-desktop"))
    cached = cache_dir / shipped.name
    if cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime:
        return cached
    tool = _lrelease()
    if tool is None:
        log.warning("pyside6-lrelease not found; the interface stays in English")
        return None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([tool, "-silent", str(source), "-qm", str(cached)], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not compile %s: %s", source, exc)
        return None
    return cached


def install_translators(app: QCoreApplication, lang: str, cache_dir: Path | None = None) -> list[QTranslator]:
    """Install Qt's own and CRM Desktop's catalogues for ``lang`` (parented to ``app``); returns them.

    Args:
        app: the application.
        lang: "zh_CN" or "en" (English needs no catalogue).
        cache_dir: where a development checkout's catalogue is compiled (see :func:`compiled_catalogue`).
    """
    installed: list[QTranslator] = []
    if lang.startswith("en"):
        return installed
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) or \
            qt_own.load(f"qt_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    catalogue = compiled_catalogue(lang, cache_dir)
    ours = QTranslator(app)
    if catalogue is not None and ours.load(str(catalogue)):
        app.installTranslator(ours)
        installed.append(ours)
    return installed


_installed: list[QTranslator] = []  # this program's translators, swapped by a language switch


def switch_translators(lang: str, cache_dir: Path | None = None) -> None:
    """Replace the translators installed by this function (or :func:`main`) with those of ``lang``."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
        translator.deleteLater()
    _installed[:] = install_translators(app, lang, cache_dir)


def build_login(lang: str, profiles: dict[str, Any] | None = None, default_profile: str | None = None,
                settings: QSettings | None = None, quit: Callable[[int], None] = QCoreApplication.exit):
    """The sign-in window, wired to open the main window (testable without ``exec``).

    After sign-in the :class:`~crm_desktop.main_window.MainWindow` opens and is
    kept as ``window.main_window``; when it closes, ``quit(0)`` ends the program,
    or on "Sign out" a new sign-in window (built the same way) is shown.

    Args:
        lang, profiles, default_profile, settings: as for :class:`~crm_desktop.login.LoginWindow`.
        quit: called with the exit code when the user is done (tests pass a recorder).

    Returns:
        The :class:`~crm_desktop.login.LoginWindow`, not yet shown.
    """
    from crm_desktop.login import LoginWindow

    window = LoginWindow(lang, profiles, default_profile, settings)

    def again(language: str) -> Any:
        return build_login(language, profiles, default_profile, settings, quit)

    window.signed_in.connect(lambda session: _on_login_window_signed_in(window, session, lang, again, quit))
    window.rejected.connect(lambda: quit(0))
    return window


def _on_login_window_signed_in(window: Any, session: Any, lang: str, again: Callable[[str], Any],
                               quit: Callable[[int], None]) -> None:
    from crm_desktop.daily_backup import start_daily_backup

    window.main_window = _open_main_window(session, lang, again, quit)  # kept alive, reachable for tests
    # The embedded database has no server job: an administrator's first sign-in of the day backs it up.
    start_daily_backup(session, window.main_window.show_backup_result)


def _open_main_window(session: Any, lang: str, again: Callable[[str], Any], quit: Callable[[int], None],
                      geometry: Any = None) -> Any:
    from crm_desktop.main_window import MainWindow

    main_window = MainWindow(session, lang)
    if geometry is not None:
        main_window.restoreGeometry(geometry)
    main_window.closed.connect(lambda sign_out: _on_main_window_closed(main_window, sign_out, lang, again, quit))
    main_window.language_switched.connect(
        lambda new_lang: _on_main_window_language_switched(main_window, session, new_lang, again, quit))
    main_window.show()
    return main_window


def _on_main_window_language_switched(old: Any, session: Any, lang: str, again: Callable[[str], Any],
                                      quit: Callable[[int], None]) -> None:
    """Rebuild the main window in ``lang`` on the same session (nothing to sign in again)."""
    switch_translators(lang)
    new = _open_main_window(session, lang, again, quit, old.saveGeometry())
    old.successor = new  # the old window object stays referenced, and tests find the new one
    old.hand_over()


def _on_main_window_closed(main_window: Any, sign_out: bool, lang: str, again: Callable[[str], Any],
                           quit: Callable[[int], None]) -> None:
    if not sign_out:
        quit(0)
        return
    login = again(lang)
    main_window.login_window = login  # the old window object stays referenced until the program ends
    login.show()


def main(argv: list[str] | None = None) -> int:
    """Start the desktop client; returns the exit code."""
    parser = argparse.ArgumentParser(prog="crm-desktop", description="CRM Desktop")
    parser.add_argument("--lang", choices=LANGUAGES, help="interface language (default: from the system)")
    args, qt_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)

    from crm_desktop.errors import install_excepthook, setup_logging

    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("CRM Desktop")
    app.setOrganizationName("crm-desktop")
    from crm_desktop.style import apply_style

    apply_style(app)  # one style sheet and the program icon for every window
    app.setQuitOnLastWindowClosed(False)  # the end is decided explicitly (sign-in done / cancelled)
    lang = detect_language(args.lang or os.environ.get("CRM_LANG"))
    switch_translators(lang)  # parented to the app: they live as long as it does
    install_excepthook(lang)
    window = build_login(lang)
    window.show()
    code = app.exec()
    from crm_desktop.background import wait_for_all

    wait_for_all(10_000)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
