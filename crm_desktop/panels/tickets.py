"""The ticket workflow panel: assign, log, resolve, close, reopen; the processing log and notices."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from crm_desktop.background import run_in_background
from crm_desktop.panels.base import PanelBase, fill_table, make_table, translate, when

# Which actions a status allows (crm_core checks again).
ACTIONS_BY_STATUS = {
    "open": {"assign", "log", "resolve"},
    "in_progress": {"assign", "log", "resolve"},
    "resolved": {"log", "close", "reopen"},
    "closed": {"reopen"},
}


def load_ticket(session: Any, ticket_id: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The ticket, its processing log and its notices (runs in the background)."""
    tickets = session.tickets
    return tickets.get(ticket_id), tickets.log(ticket_id), tickets.notifications(ticket_id)


def load_engineers(session: Any) -> list[tuple[int, str]]:
    """Active users who may track tickets, as ``(id, name)`` (runs in the background)."""
    from crm_core.lists import Filter, ListQuery
    from crm_core.permissions import pickable_roles

    page = session.users.list(ListQuery(filters=(Filter("role", "in", pickable_roles("engineer")),
                                                 Filter("is_active", "eq", True)),
                                        sort=("name",), limit=500, include_inactive=False))
    return [(row["id"], row["name"]) for row in page.rows]


def deliver_notices(session: Any, ticket_id: int, lang: str) -> tuple[int, int, str]:
    """Send the ticket's queued notices now, when this computer can (runs in the background).

    Returns ``(sent, failed, why_not)``: ``why_not`` says why nothing was tried
    (no mail server set up, no SMTP password on this computer); the notice then
    stays queued for the mail job or an administrator.
    """
    from crm_core.errors import ConfigurationError

    try:
        report = session.mail.send_pending(ticket_id)
    except ConfigurationError as exc:
        return 0, 0, exc.text(lang)
    return report.sent, report.failed, ""


SYSTEM_KINDS = {"assign", "close", "notify"}  # log entries crm_core writes as "中文 / English"


def log_text(entry: dict[str, Any], lang: str) -> str:
    """A log entry's text; crm_core's own bilingual entries in the user's language only."""
    content = entry.get("content") or ""
    if entry.get("kind") in SYSTEM_KINDS and " / " in content:
        zh, en = content.split(" / ", 1)
        return zh if lang == "zh_CN" else en
    return content


def notice_status(code: str) -> str:
    """A notice's status in the user's language."""
    return {"queued": translate("Panels", "Queued"), "sending": translate("Panels", "Sending"),
            "sent": translate("Panels", "Sent"),
            "failed": translate("Panels", "Failed")}.get(code, code)


class TicketPanel(PanelBase):
    """Workflow actions and history of ONE ticket.

    Args:
        session: a crm_core session (``tickets``, ``users``).
        ticket_id: the ticket shown.
        lang: "zh_CN" or "en", for crm_core's messages.
    """

    module = "tickets"

    def __init__(self, session: Any, ticket_id: int, lang: str, parent: QWidget | None = None):
        super().__init__(session, ticket_id, lang, parent)
        self.setObjectName("ticketPanel")
        self.ticket: dict[str, Any] | None = None
        self.log_rows: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []

        actions = QGroupBox(translate("Panels", "Processing steps"), self)
        grid = QGridLayout(actions)
        self.engineer_combo = QComboBox(actions)
        self.engineer_combo.setObjectName("engineerCombo")
        self.engineer_combo.setMinimumContentsLength(12)
        self.assign_button = QPushButton(translate("Panels", "Assign engineer"), actions)
        self.log_edit = QLineEdit(actions)
        self.log_edit.setPlaceholderText(translate("Panels", "What was done, e.g. called the customer"))
        self.log_button = QPushButton(translate("Panels", "Add log entry"), actions)
        self.result_edit = QLineEdit(actions)
        self.result_edit.setPlaceholderText(translate("Panels", "How the problem was solved (required)"))
        self.resolve_button = QPushButton(translate("Panels", "Resolve"), actions)
        self.satisfaction_combo = QComboBox(actions)
        self.satisfaction_combo.addItem(translate("Panels", "Not rated"), None)
        for score in range(5, 0, -1):
            self.satisfaction_combo.addItem(translate("Panels", "%1 – %2").replace("%1", str(score))
                                            .replace("%2", self._score_label(score)), score)
        self.close_button = QPushButton(translate("Panels", "Close ticket"), actions)
        self.reason_edit = QLineEdit(actions)
        self.reason_edit.setPlaceholderText(translate("Panels", "Why the ticket is reopened (required)"))
        self.reopen_button = QPushButton(translate("Panels", "Reopen"), actions)
        self._rows = {
            "assign": (translate("Panels", "Engineer:"), self.engineer_combo, self.assign_button),
            "log": (translate("Panels", "Log entry:"), self.log_edit, self.log_button),
            "resolve": (translate("Panels", "Result:"), self.result_edit, self.resolve_button),
            "close": (translate("Panels", "Satisfaction:"), self.satisfaction_combo, self.close_button),
            "reopen": (translate("Panels", "Reason:"), self.reason_edit, self.reopen_button),
        }
        self._row_labels: dict[str, QLabel] = {}
        for r, (key, (text, editor, button)) in enumerate(self._rows.items()):
            label = QLabel(text, actions)
            label.setBuddy(editor)
            self._row_labels[key] = label
            grid.addWidget(label, r, 0)
            grid.addWidget(editor, r, 1)
            grid.addWidget(button, r, 2)
        grid.setColumnStretch(1, 1)
        self.status_label = QLabel(actions)
        self.status_label.setObjectName("ticketStatus")
        grid.addWidget(self.status_label, len(self._rows), 0, 1, 3)
        self.assign_button.clicked.connect(self._on_assign_button_clicked)
        self.log_button.clicked.connect(self._on_log_button_clicked)
        self.log_edit.returnPressed.connect(self._on_log_button_clicked)
        self.resolve_button.clicked.connect(self._on_resolve_button_clicked)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_button_clicked)

        self.log_table = make_table(self, [translate("Panels", "Time"), translate("Panels", "By"),
                                           translate("Panels", "Step")], "logTable")
        self.notice_table = make_table(self, [translate("Panels", "Recipient"), translate("Panels", "Status"),
                                              translate("Panels", "Time")], "noticeTable")
        self.log_table.setMinimumHeight(170)
        self.notice_table.setMinimumHeight(90)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(actions)
        layout.addWidget(self.view_only_label)
        layout.addWidget(self.message_label)
        layout.addWidget(QLabel(translate("Panels", "<b>Processing log</b>"), self))
        layout.addWidget(self.log_table, 2)
        layout.addWidget(QLabel(translate("Panels", "<b>Notices to the submitter</b>"), self))
        layout.addWidget(self.notice_table, 1)
        self.update_actions()
        self.reload()
        run_in_background(load_engineers, session, done=self._on_engineers_done, failed=self._on_engineers_failed)

    @staticmethod
    def _score_label(score: int) -> str:
        return {5: translate("Panels", "very satisfied"), 4: translate("Panels", "satisfied"),
                3: translate("Panels", "neutral"), 2: translate("Panels", "dissatisfied"),
                1: translate("Panels", "very dissatisfied")}[score]

    # ----------------------------------------------------------- interface

    def reload(self, emit: bool = False) -> None:
        """Load the ticket, its log and its notices again."""
        self.set_busy(True)
        run_in_background(load_ticket, self.session, self.record_id,
                          done=lambda result: self._on_load_done(result, emit), failed=self._on_job_failed)

    def update_actions(self) -> None:
        """Show the actions of the ticket's status; none while busy or for a deactivated ticket."""
        ticket = self.ticket or {}
        acts = ticket.get("is_active", True) and self.may_act
        allowed = ACTIONS_BY_STATUS.get(ticket.get("status"), set()) if acts else set()
        for key, (_text, editor, button) in self._rows.items():
            for widget in (self._row_labels.get(key), editor, button):
                if widget is not None:
                    widget.setVisible(key in allowed)
                    widget.setEnabled(not self.busy)
        self.assign_button.setEnabled(not self.busy and self.engineer_combo.count() > 0)

    def assign(self) -> None:
        """Assign the chosen engineer."""
        engineer_id = self.engineer_combo.currentData()
        if engineer_id is None or self.ticket is None:
            self.show_message(translate("Panels", "Choose an engineer first."))
            return
        version = self.ticket["version"]
        self.run(lambda: self.session.tickets.assign(self.record_id, engineer_id, version=version),
                 done=lambda _r: None)

    # --------------------------------------------------------------- slots

    def _on_load_done(self, result: tuple, emit: bool) -> None:
        if not shiboken6.isValid(self):
            return
        self.ticket, self.log_rows, self.notices = result
        self.set_busy(False)
        status = next((label for code, label in (("open", translate("Panels", "Open")),
                                                 ("in_progress", translate("Panels", "In progress")),
                                                 ("resolved", translate("Panels", "Resolved")),
                                                 ("closed", translate("Panels", "Closed")))
                       if code == self.ticket.get("status")), self.ticket.get("status") or "")
        engineer = self.ticket.get("engineer_id_display") or translate("Panels", "nobody yet")
        self.status_label.setText(translate("Panels", "Status: %1 · Engineer: %2")
                                  .replace("%1", status).replace("%2", str(engineer)))
        fill_table(self.log_table, [[when(e["at"]), e.get("by") or "", log_text(e, self.lang)] for e in self.log_rows],
                   [e["id"] for e in self.log_rows])
        fill_table(self.notice_table, [[n.get("recipient") or "", notice_status(n["status"]),
                                        when(n.get("sent_at") or n.get("created_at"))] for n in self.notices],
                   [n["id"] for n in self.notices])
        for row, notice in enumerate(self.notices):
            if notice.get("error"):
                self.notice_table.item(row, 1).setToolTip(notice["error"])
        self.log_table.scrollToBottom()
        self.update_actions()
        self.loaded.emit()
        if emit:
            self.changed.emit(self.ticket)

    def _on_engineers_done(self, engineers: list[tuple[int, str]]) -> None:
        if not shiboken6.isValid(self):
            return
        self.engineer_combo.clear()
        for user_id, name in engineers:
            self.engineer_combo.addItem(name, user_id)
        self.update_actions()

    def _on_engineers_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.engineer_combo.setToolTip(translate("Panels", "The list of engineers could not be loaded."))
        self.update_actions()

    def _on_assign_button_clicked(self) -> None:
        self.assign()

    def _on_log_button_clicked(self) -> None:
        text = self.log_edit.text()
        self.run(self.session.tickets.add_log, self.record_id, text, done=lambda _r: self.log_edit.clear())

    def _on_resolve_button_clicked(self) -> None:
        if self.ticket is None:
            return
        text, version = self.result_edit.text(), self.ticket["version"]
        self.run(lambda: self.session.tickets.resolve(self.record_id, text, version=version),
                 done=self._on_resolved)

    def _on_resolved(self, _ticket: Any) -> None:
        self.result_edit.clear()
        run_in_background(deliver_notices, self.session, self.record_id, self.lang,
                          done=self._on_delivered, failed=self._on_delivery_failed)

    def _on_delivered(self, outcome: tuple[int, int, str]) -> None:
        if not shiboken6.isValid(self):
            return
        sent, failed, why_not = outcome
        if why_not:
            self.show_message(why_not, error=False)
        elif failed:
            self.show_message(translate("Panels", "The submitter could not be notified; see the notices below."))
        elif sent:
            self.show_message(translate("Panels", "The submitter was notified by e-mail."), error=False)
        if sent or failed:
            self.reload()

    def _on_delivery_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        reason = exc.text(self.lang) if hasattr(exc, "text") else str(exc)
        self.show_message(translate("Panels", "The notice stays queued: %1").replace("%1", reason))

    def _on_close_button_clicked(self) -> None:
        if self.ticket is None:
            return
        score, version = self.satisfaction_combo.currentData(), self.ticket["version"]
        self.run(lambda: self.session.tickets.close(self.record_id, version=version, satisfaction=score),
                 done=lambda _r: None)

    def _on_reopen_button_clicked(self) -> None:
        if self.ticket is None:
            return
        text, version = self.reason_edit.text(), self.ticket["version"]
        self.run(lambda: self.session.tickets.reopen(self.record_id, text, version=version),
                 done=lambda _r: self.reason_edit.clear())
