"""The 历史 tab of the 360° view: status changes (客户状态变更记录) and, for roles that may read
the operation log, the customer's audit entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from crm_core.metadata import EntitySpec, FieldType
from crm_desktop.grid.display import DictionaryLabels, format_datetime, format_value

translate = QCoreApplication.translate


def _action_names() -> dict[str, str]:
    return {"create": translate("Customer360", "Created"), "update": translate("Customer360", "Edited"),
            "status": translate("Customer360", "Status changed"),
            "deactivate": translate("Customer360", "Deactivated"),
            "reactivate": translate("Customer360", "Reactivated"), "share": translate("Customer360", "Shared"),
            "unshare": translate("Customer360", "Sharing ended"), "erase": translate("Customer360", "Erased")}


class HistoryPanel(QWidget):
    """Two read-only tables: the status history (oldest first) and the audit entries (newest first)."""

    def __init__(self, spec: EntitySpec, lang: str, *, show_audit: bool, parent: QWidget | None = None):
        """``spec``: the customers' metadata (labels); ``show_audit``: the role may read the log."""
        super().__init__(parent)
        self._spec, self._lang = spec, lang
        self.labels: DictionaryLabels = {}  # dictionary labels for choice values in the log
        self.status_table = self._table("statusHistoryTable", [
            translate("Customer360", "When"), translate("Customer360", "From"), translate("Customer360", "To"),
            translate("Customer360", "By"), translate("Customer360", "Contract number"),
            translate("Customer360", "Note")])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(QLabel("<b>" + translate("Customer360", "Status changes") + "</b>", self))
        layout.addWidget(self.status_table, 1)
        self.audit_table: QTableWidget | None = None
        if show_audit:
            self.audit_table = self._table("auditTable", [
                translate("Customer360", "When"), translate("Customer360", "By"),
                translate("Customer360", "Action"), translate("Customer360", "Changes")])
            layout.addWidget(QLabel("<b>" + translate("Customer360", "Operation log") + "</b>", self))
            layout.addWidget(self.audit_table, 1)

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return table

    def set_history(self, history: Mapping[str, Any]) -> None:
        """Show ``{"status": [...], "audit": [...] | None}`` as loaded by ``load_history``."""
        status_field = self._spec.field("status")
        rows = [[format_datetime(c["changed_at"]) if c.get("changed_at") else "",
                 status_field.choice_label(c["from_status"], self._lang) if c.get("from_status") else "—",
                 status_field.choice_label(c["to_status"], self._lang) or "",
                 c.get("changed_by") or "", c.get("contract_number") or "", c.get("note") or ""]
                for c in history.get("status") or ()]
        self._fill(self.status_table, rows)
        if self.audit_table is not None and history.get("audit") is not None:
            names = _action_names()
            self._fill(self.audit_table, [[format_datetime(e["at"]) if e.get("at") else "",
                                           e.get("actor_login") or "", names.get(e["action"], e["action"]),
                                           self._changes_text(e.get("before"), e.get("after"))]
                                          for e in history["audit"]])

    def _changes_text(self, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
        before, after = before or {}, after or {}
        zh = not self._lang.startswith("en")
        parts = []
        for name in dict.fromkeys([*before, *after]):
            old, new = before.get(name), after.get(name)
            if old == new or name in ("version", "updated_at", "search_text"):
                continue
            try:
                field = self._spec.field(name)
            except KeyError:
                label = translate("Customer360", "Contract number") if name == "contract_number" else name
                parts.append(f"{label}{'：' if zh else ': '}{self._value(None, old)} → {self._value(None, new)}")
                continue
            parts.append(f"{field.label(self._lang)}{'：' if zh else ': '}"
                         f"{self._value(field, old)} → {self._value(field, new)}")
        return ("；" if zh else "; ").join(parts)

    def _value(self, field: Any, value: Any) -> str:
        """A logged value as people read it: choice labels, money, dates; "—" for empty."""
        if value is None or value == "":
            return "—"
        if field is None:
            return str(value)
        if field.type is FieldType.REF:
            return f"#{value}"  # the log keeps ids; the name may have changed since
        try:
            return format_value(field, value, self._lang, self.labels)
        except (TypeError, ValueError):
            return str(value)

    @staticmethod
    def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setToolTip(str(value))
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        for c in range(table.columnCount() - 1):
            table.setColumnWidth(c, min(260, table.columnWidth(c) + 12))
