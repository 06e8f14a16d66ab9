"""Reminders while the program is open: what newly comes due on the 工作台 is announced.

:class:`ReminderWatcher` asks the workbench service for the user's lists every few
minutes (in the background, never on the GUI thread) and compares them with what
it saw before. The first look only takes note (the home page already shows it);
an item that appears later — a follow-up whose plan date has come, a ticket just
assigned, a license entering its last 30 days, a deal due this month — is a
reminder: :attr:`ReminderWatcher.reminded` carries it, the main window shows it
in the tray (when the desktop has one) and in the home page's reminder list.

The clock is injectable so tests move the day forward without waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from crm_desktop.background import run_in_background

POLL_MS = 5 * 60 * 1000


def _office_day() -> None:
    return None  # the service takes the office's today itself


def item_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """What makes a line the same line on the next look (its record and due day)."""
    return item["module"], item["record_id"], item.get("due")


class ReminderWatcher(QObject):
    """Polls ``workbench.agenda(today)`` and reports the lines not seen before.

    Signals:
        agenda_loaded(object): every poll's full agenda ``{section: [item, …]}``.
        reminded(object): the new lines (a non-empty list of item dicts), after the first look.
        failed(object): the exception of a failed poll (logged by the receiver; polling goes on).
    """

    agenda_loaded = Signal(object)
    reminded = Signal(object)
    failed = Signal(object)

    def __init__(self, workbench: Any, *, clock: Callable[[], dt.date | None] = _office_day,
                 interval_ms: int = POLL_MS, parent: QObject | None = None):
        """Watch ``workbench`` (the session's ``workbench`` service); ``clock`` gives today (None: the office's)."""
        super().__init__(parent)
        self._workbench = workbench
        self._clock = clock
        self._seen: set[tuple[Any, ...]] | None = None  # None until the first look
        self._busy = False
        self._again = False  # a look was asked for while one was under way
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Look now, then every interval."""
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        """No more polls; a poll under way is ignored when it comes back."""
        self._stopped = True
        self.timer.stop()

    def poll(self) -> None:
        """Ask for the agenda in the background; asked while a look is under way, look again once it ends.

        The look under way may have read the lists before the record that asked was saved:
        skipping the ask would leave that record unannounced until the next timer tick.
        """
        if self._stopped:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        run_in_background(self._workbench.agenda, self._clock(), done=self._on_agenda_done,
                          failed=self._on_agenda_failed)

    def _on_agenda_done(self, agenda: dict[str, list[dict[str, Any]]]) -> None:
        self._busy = False
        if self._stopped:
            return
        self._look_again_if_asked()
        items = [item for section in agenda.values() for item in section]
        keys = {item_key(item) for item in items}
        if self._seen is not None:
            new = [item for item in items if item_key(item) not in self._seen]
            if new:
                self.reminded.emit(new)
        self._seen = keys if self._seen is None else self._seen | keys
        self.agenda_loaded.emit(agenda)

    def _on_agenda_failed(self, exc: BaseException) -> None:
        self._busy = False
        if not self._stopped:
            self._look_again_if_asked()
            self.failed.emit(exc)

    def _look_again_if_asked(self) -> None:
        if self._again:
            self._again = False
            self.poll()  # in the background: this look's result is handled first
