"""Settings → Data dictionary (admins only): pick a category, then manage its entries."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from crm_core.lists import Filter
from crm_desktop.settings.list_tab import RecordListTab

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

# The labels people read; the internal code stays in the form (records store it, nobody reads it).
ENTRY_COLUMNS = ("label_zh", "label_en", "sort_order", "is_active", "deactivated_reason")


class DictionaryTab(RecordListTab):
    """Entries of one dictionary category, in display order.

    Deleting an entry that records use is refused by crm_core (``InUse``, with
    the advice to deactivate it); deactivated entries stay readable on old records.
    """

    def __init__(self, session: Any, lang: str, parent: QWidget | None = None):
        super().__init__(session.dictionary, session, lang, ENTRY_COLUMNS, parent)
        self.setObjectName("dictionaryTab")
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("categoryCombo")
        self.category_combo.setMinimumWidth(200)
        for choice in self.service.spec.field("category").choices:
            self.category_combo.addItem(choice.label(lang), choice.code)
        caption = QLabel(translate("Settings", "&Category:"), self)
        caption.setBuddy(self.category_combo)
        self.top_row.addWidget(caption)
        self.top_row.addWidget(self.category_combo)
        self.top_row.addStretch(1)
        self.new_button = self._button("newButton", translate("Settings", "&New entry…"))
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.finish_buttons([self.new_button])
        self._apply_category()
        self.category_combo.currentIndexChanged.connect(self._on_category_combo_current_index_changed)
        self.start()

    @property
    def category(self) -> str:
        """The code of the category shown."""
        return self.category_combo.currentData()

    def set_category(self, code: str) -> None:
        """Show the entries of category ``code``."""
        self.category_combo.setCurrentIndex(self.category_combo.findData(code))

    def start(self) -> None:
        """Load the entries in their display order (the "Order" column, ascending)."""
        self.view.horizontalHeader().setSortIndicator(self.model.column_of("sort_order"), Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)

    def update_extra_buttons(self, record: dict[str, Any] | None) -> None:
        """New needs an idle tab."""
        self.new_button.setEnabled(not self.busy)

    def _apply_category(self) -> None:
        # Sorted by the entries' own order, as pickers offer them.
        self.model.set_filters((Filter("category", "eq", self.category),))

    # -------------------------------------------------------------- slots

    def _on_category_combo_current_index_changed(self, _index: int) -> None:
        self.show_status("")
        self._apply_category()  # reloads

    def _on_new_button_clicked(self) -> None:
        self.open_form(None, {"category": self.category})
