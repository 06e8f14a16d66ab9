""""Is this already here?" while the user types: a warning with a link to the existing record.

Watches the fields the module's ``similar`` compares (a customer's name, phone and
credit code; a contact's customer, name and phone). When typing pauses it asks crm_core
in the background and shows what it found above the form's buttons; a click on a match
opens that record. crm_core decides what counts as the same (and refuses a contact
twin on save); this is the early warning.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from crm_desktop.background import run_in_background

translate = QCoreApplication.translate

WATCHED = {"customers": ("name", "phone", "credit_code"), "contacts": ("customer_id", "name", "phone")}
DELAY_MS = 400
HINT_STYLE = ("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c36c;"
              " border-radius: 3px; padding: 6px 8px; }")


class DuplicateHint(QObject):
    """Warns about likely duplicates of the record a :class:`RecordForm` is editing.

    Args:
        form: the record form (``service``, ``editors``, ``record_id``, ``lang``).
        label: where the warning is shown (hidden while there is nothing to say).
        open_record: ``(module, record_id)`` -> opens that record.

    Signals:
        checked(list): the matches of the last look-up (tests wait for it).
    """

    checked = Signal(list)

    def __init__(self, form: Any, label: QLabel, open_record: Callable[[str, int], None]):
        super().__init__(form)
        self._form, self.label, self._open_record = form, label, open_record
        self._request = 0
        self.matches: list[dict[str, Any]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        label.setObjectName("duplicateHint")
        label.setStyleSheet(HINT_STYLE)
        label.setWordWrap(True)
        label.linkActivated.connect(self._on_label_link_activated)
        label.hide()
        for name in WATCHED.get(form.spec.module, ()):
            if name in form.editors:
                form.editors[name].edited.connect(self._timer.start)

    @staticmethod
    def applies(service: Any) -> bool:
        """Whether the module has a duplicate look-up."""
        return service.spec.module in WATCHED and hasattr(service, "similar")

    def check_now(self) -> None:
        """Look up duplicates of what the form holds now (what the timer does when typing pauses)."""
        form = self._form
        values = {n: form.editors[n].value() for n in WATCHED[form.spec.module] if n in form.editors}
        self._request += 1
        request = self._request
        work = functools.partial(form.service.similar, values, exclude_id=form.record_id)
        run_in_background(work, done=lambda found: self._on_similar_done(request, found),
                          failed=lambda _exc: self._on_similar_done(request, []))

    def _on_similar_done(self, request: int, found: list[dict[str, Any]]) -> None:
        if not shiboken6.isValid(self) or request != self._request:
            return  # the user typed on meanwhile: a newer answer is coming
        self.matches = list(found)
        self.label.setText(self._text(found))
        self.label.setVisible(bool(found))
        self.checked.emit(self.matches)

    def _text(self, found: list[dict[str, Any]]) -> str:
        if not found:
            return ""
        fields = {"name": translate("Duplicates", "same name"), "phone": translate("Duplicates", "same phone"),
                  "credit_code": translate("Duplicates", "same credit code")}
        lines = []
        zh = self._form.lang == "zh_CN"
        for match in found:
            title = html.escape(str(match.get("name") or ""))
            if match.get("code"):
                code = html.escape(str(match["code"]))
                title += f"（{code}）" if zh else f" ({code})"
            why = ("、" if zh else ", ").join(fields[m] for m in match.get("matched", ()) if m in fields)
            owner = match.get("owner_id_display")
            extra = translate("Duplicates", ", owner %1").replace("%1", html.escape(str(owner))) if owner else ""
            lines.append(f"<a href='{int(match['id'])}'>{title}</a> — {why}{extra}")
        head = (translate("Duplicates", "This customer may already exist:") if self._form.spec.module == "customers"
                else translate("Duplicates", "This contact is already there:"))
        return f"{head}<br>" + "<br>".join(lines) + "<br>" + translate(
            "Duplicates", "Click one to open it instead of adding it twice.")

    def _on_label_link_activated(self, link: str) -> None:
        self._open_record(self._form.spec.module, int(link))


def attach(form: Any) -> DuplicateHint | None:
    """A :class:`DuplicateHint` for ``form`` when its module has a look-up (its label still to be placed).

    A click on a match opens that record in a form of its own, over this one.
    """
    if not DuplicateHint.applies(form.service):
        return None

    def open_record(module: str, record_id: int) -> None:
        from PySide6.QtCore import Qt

        other = type(form)(form._services_lookup(module), services_lookup=form._services_lookup, lang=form.lang,
                           labels=form.labels, record_id=record_id, parent=form)
        other.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        other.saved.connect(lambda _record: form.duplicate_hint and form.duplicate_hint.check_now())
        other.show()

    return DuplicateHint(form, QLabel(form), open_record)
