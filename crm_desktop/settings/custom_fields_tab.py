"""Settings → Custom fields (admins only): extra fields of customers and contacts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from crm_desktop.settings.list_tab import RecordListTab

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

FIELD_COLUMNS = ("module", "label_zh", "label_en", "field_type", "required", "sort_order", "is_active",
                 "deactivated_reason")


class CustomFieldsTab(RecordListTab):
    """Definitions of custom fields, edited through the generic record form.

    crm_core refuses to delete a definition that records have values for
    (``InUse``: deactivate it instead) and to change its key, module or type.
    """

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None):
        super().__init__(session.custom_fields, session, lang, FIELD_COLUMNS, parent)
        self.setObjectName("customFieldsTab")
        self.new_button = self._button("newButton", translate("Settings", "&New field…"))
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.finish_buttons([self.new_button])
        self.start()

    def update_extra_buttons(self, record: dict[str, Any] | None) -> None:
        """New needs an idle tab."""
        self.new_button.setEnabled(not self.busy)

    def _on_new_button_clicked(self) -> None:
        self.open_form(None, {"module": "customers", "field_type": "text"})
