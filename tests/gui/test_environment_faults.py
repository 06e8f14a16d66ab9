"""A busy or vanished database is told to the user, typed data stays; closing cancels work (issue 11, 16-17)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox

from crm_core import DatabaseBusy, DatabaseUnavailable, Text
from crm_desktop.background import run_in_background
from crm_desktop.forms import RecordForm
from crm_desktop.grid import dictionary_labels
from tests.gui.helpers import WAIT

BUSY = Text("数据库正忙：序列化冲突。您输入的内容已保留，请稍后重试。",
            "The database is busy: serialization failure. What you typed is kept; please try again in a moment.")


class FlakyService:
    """The customers service, but ``update`` first meets ``faults`` environment faults."""

    def __init__(self, real, faults):
        self._real, self.faults, self.calls = real, list(faults), 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def update(self, *args, **kwargs):
        self.calls += 1
        if self.faults:
            raise self.faults.pop(0)
        return self._real.update(*args, **kwargs)


@pytest.fixture
def quick_retries(monkeypatch):
    import crm_core.retry

    monkeypatch.setattr(crm_core.retry, "DELAYS", (0.0, 0.0))


@pytest.fixture
def edit_form(qtbot, admin, make_customer, quick_retries):
    customer = make_customer("杭州云帆网络科技有限公司")

    def _open(faults):
        service = FlakyService(admin.customers, faults)
        form = RecordForm(service, services_lookup=lambda m: getattr(admin, m), lang="en",
                          labels=dictionary_labels(admin.dictionary.entries()), record_id=customer["id"])
        qtbot.addWidget(form)
        with qtbot.waitSignal(form.loaded, timeout=WAIT):
            form.show()
        form.editors["name"].set_value("杭州云帆科技集团")
        return form, service, customer
    return _open


def _boxes(widget, name):
    return [b for b in widget.findChildren(QMessageBox, name) if b.isVisible()]


def test_a_database_busy_after_every_retry_is_a_warning_and_the_typed_text_stays(qtbot, admin, edit_form):
    form, service, customer = edit_form([DatabaseBusy(BUSY) for _ in range(3)])

    form.save()
    qtbot.waitUntil(lambda: not form.busy, timeout=WAIT)

    [box] = _boxes(form, "errorBox")
    assert box.windowTitle() == "Database busy" and "What you typed is kept" in box.text()
    assert "Tried 3 times" in box.informativeText()
    assert _boxes(form, "crashDialog") == []
    assert form.isVisible() and form.editors["name"].value() == "杭州云帆科技集团"
    assert service.calls == 3
    assert admin.customers.get(customer["id"])["name"] == "杭州云帆网络科技有限公司"


def test_a_save_that_met_a_busy_database_once_is_retried_and_saved(qtbot, admin, edit_form):
    form, service, customer = edit_form([DatabaseBusy(BUSY)])

    with qtbot.waitSignal(form.saved, timeout=WAIT):
        form.save()

    assert service.calls == 2
    assert admin.customers.get(customer["id"])["name"] == "杭州云帆科技集团"


def test_a_lost_connection_during_commit_is_not_repeated_and_is_shown_as_unavailable(qtbot, admin, edit_form):
    lost = DatabaseUnavailable(Text("数据库暂时无法访问。", "The database is unavailable."), retry_safe=False)
    form, service, _customer = edit_form([lost])

    form.save()
    qtbot.waitUntil(lambda: not form.busy, timeout=WAIT)

    [box] = _boxes(form, "errorBox")
    assert box.windowTitle() == "Database unavailable" and service.calls == 1
    assert form.editors["name"].value() == "杭州云帆科技集团"


# ------------------------------------------------------------------ shutdown

def test_closing_the_main_window_cancels_work_and_closes_the_session_only_after_it(qtbot, admin, open_main,
                                                                                  monkeypatch):
    window = open_main(admin, "en")
    events: list[str] = []
    release, started = threading.Event(), threading.Event()

    def slow_query(*, progress):
        started.set()
        while not progress.cancelled:  # a long export, say, checking for Cancel between pages
            release.wait(0.01)
        events.append("cancel seen")
        release.wait(WAIT / 1000)  # the page in flight still uses the engine
        events.append("job ended")

    real_close = admin.close
    monkeypatch.setattr(admin, "close", lambda: (events.append("session closed"), real_close()))
    operation = run_in_background(slow_query, progress=lambda done, total: None)
    qtbot.waitUntil(started.is_set, timeout=WAIT)  # running, not queued behind the window's own loads

    with qtbot.waitSignal(window.closed, timeout=WAIT):
        window.close()  # returns at once: the GUI thread does not wait for the job

    assert not window.isVisible() and "session closed" not in events
    with qtbot.waitSignal(operation.finished, timeout=WAIT):
        release.set()
    # The window's own page loads may end later still: the session closes after the last of them.
    qtbot.waitUntil(lambda: "session closed" in events, timeout=WAIT)
    assert events == ["cancel seen", "job ended", "session closed"]


def test_program_end_cancels_running_work_then_closes_the_sessions(qtbot):
    from crm_desktop.background import shutdown, when_idle

    started, seen = threading.Event(), []

    def export(*, progress):
        started.set()
        while not progress.cancelled:
            threading.Event().wait(0.01)
        seen.append("job ended")

    run_in_background(export, progress=lambda done, total: None)
    qtbot.waitUntil(started.is_set, timeout=WAIT)
    when_idle(lambda: seen.append("session closed"))

    assert shutdown(WAIT)
    assert seen == ["job ended", "session closed"]
