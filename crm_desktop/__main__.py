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
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from crm_desktop import assets

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

log = logging.getLogger(__name__)
LANGUAGES = ("zh_CN", "en")



def detect_language(requested: str | None = None) -> str:
    """``requested`` (``--lang``, ``CRM_LANG``) if given, else the choice saved in Settings, else the system's."""
    if requested:
        return requested
    saved = QSettings("crm-desktop", "crm-desktop").value("ui/language")
    if saved in LANGUAGES:
        return str(saved)
    return system_language()


def system_language(locale: QLocale | None = None) -> str:
    """zh_CN when the system's first user-interface language is Chinese, else en.

    The UI languages follow ``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG`` on Linux and the
    display language on Windows (Traditional Chinese gets zh_CN: closer than English).
    """
    names = (locale or QLocale.system()).uiLanguages()
    if names and QLocale(names[0]).language() == QLocale.Language.Chinese:
        return "zh_CN"
    return "en"


def compiled_catalogue(lang: str, cache_dir: Path | None = None) -> Path | None:
    """A source checkout's compiled catalogue of ``lang`` (see :func:`crm_desktop.assets.compile_source_catalogue`)."""
    return assets.compile_source_catalogue(lang, cache_dir)


_lrelease = assets.lrelease  # the screenshot scripts compile their catalogues with it


def install_translators(app: QCoreApplication, lang: str, cache_dir: Path | None = None) -> list[QTranslator]:
    """Install Qt's own and CRM Desktop's catalogues for ``lang`` (parented to ``app``); returns them.

    Args:
        app: the application.
        lang: "zh_CN" or "en" (English needs no catalogue).
        cache_dir: where a source checkout's catalogue is compiled (see :func:`crm_desktop.assets.catalogue`).
    """
    installed: list[QTranslator] = []
    if lang.startswith("en"):
        return installed
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) or \
            qt_own.load(f"qt_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    ours = QTranslator(app)
    with assets.catalogue(lang, cache_dir) as catalogue:
        loaded = catalogue is not None and ours.load(str(catalogue))
    if loaded:
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("no %s catalogue for CRM Desktop; the interface stays in English", lang)
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
    # What start-up built lives as long as the program: full garbage collections skip it from now on.
    from crm_desktop.heap import freeze_startup_objects

    QTimer.singleShot(0, freeze_startup_objects)
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
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="interface language (default: the one chosen in Settings, else the system's)")
    parser.add_argument("--smoke-test", metavar="OUT_DIR",
                        help="sign in, open the customers grid, export it to OUT_DIR/customers.pdf, quit "
                             "(checks an installation; see crm_desktop/smoke.py)")
    args, qt_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)

    from crm_desktop.errors import install_excepthook, setup_logging

    if args.smoke_test:  # the check keeps out of the user's own preferences (Windows' registry excepted)
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(Path(args.smoke_test) / "settings"))
    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("CRM Desktop")
    app.setOrganizationName("crm-desktop")
    app.setDesktopFileName("crm-desktop")  # Wayland/X11 match the window to the installed .desktop entry
    from crm_desktop.style import apply_style

    apply_style(app)  # one style sheet and the program icon for every window
    app.setQuitOnLastWindowClosed(False)  # the end is decided explicitly (sign-in done / cancelled)
    from crm_desktop.heap import collect_in_gui_thread

    collect_in_gui_thread()  # never on a worker thread: it would free closed windows' Qt objects there
    lang = detect_language(args.lang or os.environ.get("CRM_LANG"))
    switch_translators(lang)  # parented to the app: they live as long as it does
    install_excepthook(lang)
    login_settings = None
    if args.smoke_test:  # not even the remembered login name
        login_settings = QSettings(str(Path(args.smoke_test) / "login.ini"), QSettings.Format.IniFormat)
    window = build_login(lang, settings=login_settings)
    window.show()
    if args.smoke_test:
        from crm_desktop import smoke

        smoke.start(window, args.smoke_test)
    code = app.exec()
    from crm_desktop.background import shutdown

    shutdown(10_000)  # the windows are gone: cancel what still runs, close the sessions once it ended
    return code


if __name__ == "__main__":
    raise SystemExit(main())
