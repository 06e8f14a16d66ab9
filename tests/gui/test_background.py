"""Background work: runs off the GUI thread, delivers results and errors on it, can be cancelled."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread

from crm_desktop.background import Cancelled, Progress, run_in_background


def test_result_arrives_on_the_gui_thread(qtbot):
    seen = {}

    def work(x):
        seen["worker"] = threading.current_thread() is threading.main_thread()
        return x * 2

    def done(result):
        seen["gui"] = QThread.currentThread() is qtbot_app_thread()
        seen["result"] = result

    def qtbot_app_thread():
        from PySide6.QtWidgets import QApplication
        return QApplication.instance().thread()

    run_in_background(work, 21, done=done)
    qtbot.waitUntil(lambda: "result" in seen, timeout=10_000)
    assert seen == {"worker": False, "gui": True, "result": 42}


def test_errors_are_delivered_not_raised_in_the_worker(qtbot):
    errors = []
    run_in_background(lambda: 1 / 0, failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)


def test_long_work_reports_progress_and_stops_when_cancelled(qtbot):
    log = []

    def long_work(*, progress):
        for i in range(1000):
            progress.report(i, 1000)
            if i == 5:
                # hold on until the GUI thread has pressed Cancel (bounded)
                for _ in range(1000):
                    if progress.cancelled:
                        break
                    time.sleep(0.01)
        return "complete"

    ops = []

    def on_progress(done, total):
        log.append(("progress", done))
        if done >= 3:
            ops[0].cancel()  # the user presses Cancel

    ops.append(run_in_background(long_work, done=lambda r: log.append(("done", r)), progress=on_progress,
                                 finished=lambda: log.append(("finished", None))))
    op = ops[0]
    qtbot.waitUntil(lambda: ("finished", None) in log, timeout=10_000)
    assert not [e for e in log if e[0] == "done"]
    assert max(d for kind, d in log if kind == "progress") < 1000
    with pytest.raises(Cancelled):
        Progress(op).check()
