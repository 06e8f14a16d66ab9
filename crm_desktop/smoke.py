"""``crm-desktop --smoke-test OUT_DIR``: drive the real windows once, to prove an installed build works.

Signs in through the sign-in window (login ``CRM_SMOKE_LOGIN``, default ``admin``;
password ``CRM_SMOKE_PASSWORD``), opens the customers grid, exports it to
``OUT_DIR/customers.pdf`` through the export dialog (only the save-file dialog
is answered by this driver) and closes the main window: exit status 0. Any
failure writes ``OUT_DIR/smoke-failed.txt`` and exits with 1, a time-out with 3.
Used by CI on the Linux bundle and by installer/smoke_test.py on Windows.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

POLL_MS = 100
TIME_LIMIT_S = 240


class SmokeTest(QObject):
    """Steps run one after another from a polling timer; each returns True when it is done."""

    def __init__(self, login_window: Any, out_dir: Path, quit: Callable[[int], None]):
        super().__init__(login_window)
        self.window = login_window
        self.out_dir = out_dir
        self.quit = quit
        self.started = time.monotonic()
        self.report: dict[str, Any] = {"language": login_window.lang}
        self.main_window: Any = None
        self.page: Any = None
        self.dialog: Any = None
        self.steps = [self._sign_in, self._signed_in, self._customers_loaded, self._export, self._exported,
                      self._close]
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.timer.start()

    def _on_timer_timeout(self) -> None:
        if time.monotonic() - self.started > TIME_LIMIT_S:
            self._fail(f"time-out in step {self.steps[0].__name__}", code=3)
            return
        try:
            if self.steps and self.steps[0]():
                self.report[self.steps.pop(0).__name__.strip("_")] = round(time.monotonic() - self.started, 1)
        except Exception as exc:  # noqa: BLE001 - a smoke test reports whatever broke
            self._fail(f"{type(exc).__name__} in step {self.steps[0].__name__}: {exc}")
            return
        if not self.steps:
            self.timer.stop()

    def _fail(self, reason: str, code: int = 1) -> None:
        self.timer.stop()
        message = self.window.message
        (self.out_dir / "smoke-failed.txt").write_text(f"{reason}\nsign-in message: {message}\n", encoding="utf-8")
        self.quit(code)

    # ---------------------------------------------------------------- steps

    def _sign_in(self) -> bool:
        if self.window.busy:
            return False
        self.window.ui.loginEdit.setText(os.environ.get("CRM_SMOKE_LOGIN", "admin"))
        self.window.ui.passwordEdit.setText(os.environ.get("CRM_SMOKE_PASSWORD", ""))
        self.window.ui.signInButton.click()
        return True

    def _signed_in(self) -> bool:
        self.main_window = getattr(self.window, "main_window", None)
        if self.main_window is None and not self.window.busy and self.window.isVisible() \
                and time.monotonic() - self.started > 5:
            raise RuntimeError(f"still on the sign-in window: {self.window.message}")
        return self.main_window is not None

    def _customers_loaded(self) -> bool:
        if self.page is None:
            self.page = self.main_window.show_module("customers")
        model = self.page.model
        if model.total is None or model.loading:
            return False
        if model.total == 0:
            raise RuntimeError("the customers grid is empty")
        self.report["customers"] = model.total
        return True

    def _export(self) -> bool:
        from crm_desktop.transfer import file_dialogs

        target = self.out_dir / "customers.pdf"
        file_dialogs.choose_save_path = lambda *_args: str(target)  # the one dialog this driver answers
        self.page.transfer.export_button.click()
        self.dialog = self.page.transfer.export_dialog
        self.dialog.format_buttons["pdf"].setChecked(True)
        self.dialog.export_button.click()
        return True

    def _exported(self) -> bool:
        if self.dialog.running:
            return False
        target = self.out_dir / "customers.pdf"
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            raise RuntimeError(f"no PDF written: {self.dialog.result_label.text()}")
        self.report["pdf"] = str(target)
        self.report["export_message"] = self.dialog.result_label.text()
        self.dialog.close()
        return True

    def _close(self) -> bool:
        (self.out_dir / "smoke.json").write_text(json.dumps(self.report, ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
        self.main_window.close()  # the program's own way out: quit(0)
        return True


def start(login_window: Any, out_dir: str | Path) -> SmokeTest:
    """Attach the driver to the (shown) sign-in window and start it."""
    test = SmokeTest(login_window, Path(out_dir), QCoreApplication.exit)
    test.start()
    return test
