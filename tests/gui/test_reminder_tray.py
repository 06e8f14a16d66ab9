"""Reminders while the program is open: a tray message (where the desktop has a tray) and the 工作台's list."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from crm_core.services.codes import office_today
from tests.gui.helpers import WAIT


@pytest.fixture
def tray_messages(monkeypatch):
    """A desktop with a tray; the messages it is asked to show, as ``(title, text)``."""
    shown = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "show", lambda self: None)  # offscreen has no tray to show it in
    monkeypatch.setattr(QSystemTrayIcon, "showMessage",
                        lambda self, title, text, *args: shown.append((title, text)))
    return shown


def _due_today(session, customer, step):
    at = dt.datetime.combine(office_today() - dt.timedelta(days=3), dt.time(9)).astimezone()
    return session.followups.create({"customer_id": customer["id"], "method": "phone", "content": "电话沟通",
                                     "at": at, "next_step": step, "next_due_on": office_today(),
                                     "user_id": session.actor.user_id})


def _first_look(qtbot, window):
    """The home page's first look (it only takes note of what is already due)."""
    qtbot.waitUntil(lambda: window.desk.page.updated_label.text() != "", timeout=WAIT)


def _look_again(qtbot, window):
    with qtbot.waitSignal(window.desk.watcher.agenda_loaded, timeout=WAIT):
        window.desk.refresh()


@pytest.mark.parametrize(("lang", "title", "more"), [("en", "Now due", "and 1 more"), ("zh_CN", "到期提醒", "另有 1 项")])
def test_a_follow_up_coming_due_is_announced_in_the_tray_once(qtbot, login, make_customer, open_main, tray_messages,
                                                              request, lang, title, more):
    if lang == "zh_CN":
        request.getfixturevalue("zh_catalogue")
    sales = login("sales1")
    customer = make_customer("南京金陵电子有限公司", owner_id=sales.actor.user_id)
    _due_today(sales, customer, "上午已到期的回访")  # due before the program opened: on the list, not announced
    window = open_main(sales, lang=lang, home=True)
    assert window.desk.tray is not None
    _first_look(qtbot, window)
    assert tray_messages == []
    _due_today(sales, customer, "寄送合同")
    _look_again(qtbot, window)
    assert len(tray_messages) == 1
    shown_title, text = tray_messages[0]
    assert shown_title == title and text.startswith("寄送合同 — 南京金陵电子有限公司")
    home = window.desk.page
    assert home.reminders.isVisible() and home.reminders.count() == 1
    _look_again(qtbot, window)  # the next look (every 5 minutes): nothing new to say
    assert len(tray_messages) == 1 and home.reminders.count() == 1
    _due_today(sales, customer, "确认合同条款")
    _due_today(sales, customer, "催收尾款")
    _look_again(qtbot, window)
    assert len(tray_messages) == 2 and tray_messages[1][0] == title
    assert tray_messages[1][1].splitlines()[1] == more  # two at once: one message, the second counted
    assert home.reminders.count() == 3


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # the window comes to the front
def test_a_click_on_the_tray_message_shows_the_home_page(qtbot, login, make_customer, open_main, tray_messages):
    sales = login("sales1")
    window = open_main(sales, lang="en")  # on a module page
    assert window.stack.currentWidget() is not window.desk.page
    window.desk.tray.messageClicked.emit()
    assert window.stack.currentWidget() is window.desk.page


def test_without_a_tray_reminders_stay_in_the_program(qtbot, login, make_customer, open_main, monkeypatch):
    shown = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, *args: shown.append(args))
    sales = login("sales1")
    customer = make_customer("南京金陵电子有限公司", owner_id=sales.actor.user_id)
    window = open_main(sales, lang="en", home=True)
    assert window.desk.tray is None
    _first_look(qtbot, window)
    _due_today(sales, customer, "寄送合同")
    with qtbot.waitSignal(window.desk.watcher.reminded, timeout=WAIT):
        window.desk.refresh()
    assert shown == []
    home = window.desk.page
    assert home.reminders.isVisible() and home.reminders.tree.topLevelItem(0).text(1) == "寄送合同"
    assert "1 new item(s) due" in window.statusBar().currentMessage()


def test_a_look_asked_for_while_one_is_under_way_is_not_lost(qtbot, login, make_customer):
    """A follow-up saved while the 5-minute look is under way is announced when that look ends, not 5 minutes later."""
    import threading

    from crm_desktop.home.reminders import ReminderWatcher

    sales = login("sales1")
    customer = make_customer("南京金陵电子有限公司", owner_id=sales.actor.user_id)
    read, release = threading.Event(), threading.Event()

    class SlowWorkbench:  # the look has read the lists and is still on its way back
        def agenda(self, today):
            lists = sales.workbench.agenda(today)
            read.set()
            release.wait(WAIT / 1000)
            return lists

    watcher = ReminderWatcher(SlowWorkbench(), interval_ms=3_600_000)
    with qtbot.waitSignal(watcher.agenda_loaded, timeout=WAIT):
        release.set()
        watcher.poll()  # the first look: takes note
    read.clear()
    release.clear()
    try:
        watcher.poll()  # the timer's look
        assert read.wait(WAIT / 1000)
        _due_today(sales, customer, "寄送合同")
        watcher.poll()  # the saved record asks for a look (the window's refresh)
    finally:
        release.set()
    with qtbot.waitSignal(watcher.reminded, timeout=WAIT) as signal:
        pass
    assert [item["title"] for item in signal.args[0]] == ["寄送合同"]
    with qtbot.waitSignal(watcher.agenda_loaded, timeout=WAIT):
        watcher.poll()
    watcher.stop()
