"""One module's page in the main window: search, "show deactivated", filters, total, and the record grid.

Filters (:mod:`~crm_desktop.grid.filter_bar`), the column chooser with views remembered
per user (:mod:`~crm_desktop.grid.columns`) and the bulk actions and Delete key
(:mod:`~crm_desktop.grid.bulk_actions`) live in their own modules; this page wires them.

Every module uses this page (one mechanism, many modules). It knows nothing of
forms: opening a record goes through the ``open_form(module, record_id_or_None)``
hook the main window provides, and saved records come back through the
:class:`~crm_desktop.changes.ChangeBus`.

A page can be pinned to a subset (``fixed_filters``, e.g. one customer's contacts in
the customer 360° view): every query carries those filters, and "New" hands
``defaults`` to the hook as ``open_form(module, None, defaults=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QTableView, QToolButton, QVBoxLayout, QWidget)

from crm_core.i18n import Text
from crm_core.permissions import MODULE_NAMES
from crm_core.lists import Filter, ListQuery
from crm_core.permissions import pickable_roles
from crm_desktop.background import run_in_background
from crm_desktop.changes import ChangeBus
from crm_desktop.errors import present_error
from crm_desktop.grid.bulk_actions import BulkActions
from crm_desktop.grid.column_layout import ColumnSizes, ElidedTextTips, fit_columns
from crm_desktop.grid.columns import ColumnChooser
from crm_desktop.grid.dashboard_chip import DashboardChip
from crm_desktop.grid.display import DictionaryLabels
from crm_desktop.grid.empty_hint import EmptyHint
from crm_desktop.grid.filter_bar import FilterBar, filterable_fields, lists_users
from crm_desktop.grid.record_model import IdRole, RecordService, RecordTableModel
from crm_desktop.grid.record_actions import RecordActions
from crm_desktop.grid.saved_views import SavedViews
from crm_desktop.grid.record_view import FixedFilterService, fit_widths, setup_record_view  # noqa: F401
from crm_desktop.grid.transfer_tools import TransferTools

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

SEARCH_DELAY_MS = 300  # typing pauses shorter than this do not start a query

OpenForm = Callable[..., None]  #: ``open_form(module, record_id_or_None[, defaults=dict])``

# Customers are found through their search index (code, name, phone, e-mail), not through
# ``spec.search_fields``: the hint names what the index holds.
_INDEXED_SEARCH_HINT = {"customers": Text("编码/名称/电话/邮箱", "code/name/phone/Email")}


class ModulePage(QWidget):
    """The grid of one module with its search row.

    Keyboard: Ctrl+F search, F5 refresh, Ctrl+N new record, Enter (or double-click) or Ctrl+E
    opens, Delete deletes (grid focused); the record actions and their tool bar are
    :mod:`~crm_desktop.grid.record_actions`.
    """

    def __init__(self, service: RecordService, lang: str, labels: DictionaryLabels | None, *,
                 changes: ChangeBus, open_form: OpenForm, page_size: int = 100,
                 fixed_filters: Sequence[Filter] = (), defaults: Mapping[str, Any] | None = None,
                 actor: Any = None, services_lookup: Callable[[str], Any] | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None):
        """Build the page and start loading its first page of records.

        Args:
            service: the module's crm_core service.
            lang: "zh_CN" or "en".
            labels: dictionary labels (may arrive later: :meth:`set_dictionary_labels`).
            changes: the client's change bus; this page reloads on its module's changes.
            open_form: ``open_form(module, record_id_or_None)`` opens a record (None: a new one).
            page_size: rows fetched per page.
            fixed_filters: conditions every query of this page carries (a pinned subset).
            defaults: initial values of records created from this page ("New", Ctrl+N).
            actor: the signed-in user (``login``, ``role``); None: no bulk actions, Delete key
                or remembered views.
            services_lookup: ``services_lookup(module)`` -> a service; with it the page loads the
                users for the owner filter and "Assign owner"; None: no owner filter.
            settings: where the column chooser remembers views (default: the app's QSettings).
            parent: Qt parent.
        """
        super().__init__(parent)
        self._lang = lang
        self._open_form = open_form
        self._sized_columns = False
        self._defaults = dict(defaults) if defaults else None
        self._pinned = FixedFilterService(service, fixed_filters) if fixed_filters else None
        self.pinned_filters = tuple(fixed_filters)
        self.model = RecordTableModel(self._pinned or service, lang, labels, page_size=page_size,
                                      shown_fields_only=True, parent=self)
        self.module = self.model.spec.module
        self.setObjectName(f"page_{self.module}")

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(self._search_hint())
        self.search_edit.setMaximumWidth(360)
        self.include_inactive_check = QCheckBox(translate("ModulePage", "Show deactivated"), self)
        self.include_inactive_check.setObjectName("includeInactiveCheck")
        self.include_inactive_check.setChecked(True)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)  # "busy", no percentage
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(80, 10)
        self.busy_bar.setToolTip(translate("ModulePage", "Loading…"))
        self.busy_bar.hide()
        self.total_label = QLabel(self)
        self.total_label.setObjectName("totalLabel")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.include_inactive_check)
        self.filter_button = QToolButton(self)
        self.filter_button.setObjectName("filterButton")
        self.filter_button.setText(translate("GridTools", "Filters"))
        self.filter_button.setCheckable(True)
        self.filter_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        row.addWidget(self.filter_button)
        self.dashboard_chip = DashboardChip(self.model.spec, lang, self)
        row.addWidget(self.dashboard_chip)
        row.addStretch(1)
        row.addWidget(self.busy_bar)
        row.addWidget(self.total_label)

        pinned = [f.field for f in fixed_filters if f.op == "eq"]
        # The filter row is built when first needed (see filter_bar): most visits never open it.
        self._filter_fields = filterable_fields(self.model.spec, self.model.columns, pinned)
        self._filter_bar: FilterBar | None = None
        self._labels = labels
        self._users: list[tuple[Any, str, str]] | None = None
        self.bulk = BulkActions(self, service, actor.role if actor else "", lang,
                                announce=changes.announce) if actor is not None else None
        self.transfer = TransferTools(self, actor.role if actor else "", lang,
                                      services_lookup if actor is not None else None,
                                      announce=changes.announce, allow_import=not fixed_filters)

        self.view = QTableView(self)
        self.view.setObjectName("recordView")
        self.view.setModel(self.model)
        # One place hides the pinned columns: every model reset (columns set, reload) shows all sections
        # again. Connected after setModel, so it runs after the header's own reset.
        self.model.modelReset.connect(self._hide_pinned_columns)
        self._setup_view()
        self.record_actions = RecordActions(self, actor.role if actor else "", lang, signed_in=actor is not None)
        self._module_name = MODULE_NAMES[self.module](lang) if self.module in MODULE_NAMES else self.module
        self._empty_hint: EmptyHint | None = None  # built when first needed (see empty_hint)
        if actor is not None and settings is None:
            settings = QSettings("crm-desktop", "crm-desktop")  # as the login window and settings dialog
        self.columns = ColumnChooser(self.view, self.model, lang, settings=settings,
                                     login=actor.login if actor is not None else None, pinned=pinned,
                                     role=actor.role if actor is not None else "")
        restored_sort = self.columns.restore()
        self.views = SavedViews(self, settings, actor.login if actor is not None else None)
        row.insertWidget(row.indexOf(self.dashboard_chip), self.views.button)

        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 6)
        layout.addWidget(self.record_actions.toolbar)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)  # the filter row goes above the grid once built

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.include_inactive_check.toggled.connect(self._on_include_inactive_check_toggled)
        self.model.total_changed.connect(self._on_model_total_changed)
        self.model.loading_changed.connect(self._on_model_loading_changed)
        self.model.failed.connect(self._on_model_failed)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.model.modelReset.connect(self.record_actions.update_enabled)
        self.view.activated.connect(self._on_view_activated)
        self.filter_button.toggled.connect(self._on_filter_button_toggled)
        self.dashboard_chip.removed.connect(self._on_dashboard_chip_removed)
        changes.changed.connect(self._on_changes_changed)
        self._add_shortcuts()
        self._show_total(None)
        # Sorting is switched on last: QTableView asks the model to sort (= load) right then.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.columns.restore_sort(restored_sort)
        if not restored_sort:
            self.columns.show_default_sort()
        wants_users = lists_users(self._filter_fields) or (self.bulk is not None and self.bulk.assign_action)
        if services_lookup is not None and wants_users:
            run_in_background(_active_users, services_lookup("users"), done=self._on_users_loaded,
                              failed=self._on_users_failed)

    # -------------------------------------------------------------- setup

    @property
    def filter_bar(self) -> FilterBar:
        """The filter row (hidden until the Filters button shows it), built the first time it is needed.

        Its combos and date boxes took about 6 ms of the GUI thread when the page opened,
        for a row most visits never open.
        """
        if self._filter_bar is None:
            bar = self._filter_bar = FilterBar(self.model.spec, self._filter_fields, self._lang, self._labels, self)
            bar.hide()
            if self._users is not None:
                bar.set_users(self._users)
            self._layout.insertWidget(self._layout.indexOf(self.view), bar)
            bar.changed.connect(self._on_filter_bar_changed)
            bar.cleared.connect(self.dashboard_chip.drop)  # "Clear filters" clears everything
        return self._filter_bar

    def _bar_filters(self) -> tuple[Filter, ...]:
        """The filter row's conditions (none while it was never built)."""
        return tuple(self._filter_bar.filters()) if self._filter_bar is not None else ()

    def _setup_view(self) -> None:
        setup_record_view(self.view, QAbstractItemView.SelectionMode.ExtendedSelection)
        self.elided_tips = ElidedTextTips(self.view)  # a cut name or address reads whole in its tooltip

    def _add_shortcuts(self) -> None:
        # Window-wide, but only the visible page's shortcuts are live (Qt checks visibility).
        # New, refresh, open and delete are the record actions' shortcuts.
        shortcut = QShortcut(QKeySequence.StandardKey.Find, self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.focus_search)
        # The end of a long list without walking it: Ctrl+End, or the scroll bar dragged to the bottom.
        self.end_shortcut = QShortcut(QKeySequence("Ctrl+End"), self.view)
        self.end_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.end_shortcut.activated.connect(self.jump_to_end)
        self.view.verticalScrollBar().sliderReleased.connect(self._on_scroll_bar_slider_released)

    def jump_to_end(self) -> None:
        """Show the last records (read from the end of the list, not by paging through it)."""
        self.model.jump_to_end()
        self.view.scrollToBottom()

    def _on_scroll_bar_slider_released(self) -> None:
        bar = self.view.verticalScrollBar()
        if bar.value() >= bar.maximum():
            self.jump_to_end()

    def _search_hint(self) -> str:
        hint = _INDEXED_SEARCH_HINT.get(self.module)
        if hint is not None:
            fields = hint(self._lang)
        else:
            spec = self.model.spec
            fields = "/".join(spec.field(n).label(self._lang) for n in spec.search_fields)
        return translate("ModulePage", "Search %1…").replace("%1", fields)

    # ------------------------------------------------------------- actions

    def reload(self) -> None:
        """Fetch the records again (F5)."""
        self.model.reload()

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Ctrl+F)."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def open_new(self) -> None:
        """Open an empty form for a new record (Ctrl+N), pre-filled with the page's defaults."""
        if self._defaults:
            self._open_form(self.module, None, defaults=dict(self._defaults))
        else:
            self._open_form(self.module, None)

    def open_current(self) -> None:
        """Open the record under the cursor, if any."""
        index = self.view.currentIndex()
        if index.isValid():
            self._open_form(self.module, index.data(IdRole))

    def selected_ids(self) -> list[Any]:
        """Ids of the selected records in memory, top to bottom (for bulk actions)."""
        return [record.get("id") for record in self.selected_records()]

    def selected_row_count(self) -> int:
        """How many rows are selected, whether or not their records are still in memory."""
        return len({i.row() for i in self.view.selectionModel().selectedRows()})

    def selected_records(self) -> list[dict[str, Any]]:
        """The selected records still in memory, top to bottom.

        A selection stretched over a long scroll may include pages the grid has let go of
        (it keeps a window of pages): those rows are left out; callers compare with
        :meth:`selected_row_count` before acting on "the selection".
        """
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        found = []
        for r in rows:
            try:
                found.append(self.model.record_at(r))
            except IndexError:
                continue
        return found

    def delete_selected(self) -> None:
        """Delete key: confirm, then delete the selected records (only roles that may delete)."""
        if self.bulk is not None and self.bulk.may_delete:
            self.bulk.ask_delete()

    def show_filtered(self, filters: tuple[Filter, ...], *, search: str = "") -> None:
        """Show exactly the records matching ``filters`` (and ``search``): a dashboard click, a saved view.

        The filter bar shows the conditions it can, the "Filtered from the
        dashboard ✕" chip keeps the rest until removed. One reload.
        """
        self._search_timer.stop()
        self.search_edit.blockSignals(True)
        self.search_edit.setText(search)
        self.search_edit.blockSignals(False)
        self.dashboard_chip.hold(self.filter_bar.set_filters(filters))
        if self._bar_filters():
            self.filter_button.setChecked(True)  # let the user see (and change) what narrows the list
        self._show_filter_count()
        self.model.set_search_and_filters(search, self._bar_filters() + self.dashboard_chip.conditions)

    def set_dictionary_labels(self, labels: DictionaryLabels) -> None:
        """Show dictionary codes with the labels loaded by the main window."""
        self.model.set_dictionary_labels(labels)
        self._labels = labels
        if self._filter_bar is not None:
            self._filter_bar.set_dictionary_labels(labels)

    # --------------------------------------------------------------- slots

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()  # restarts: the query runs once typing pauses

    def _on_search_timer_timeout(self) -> None:
        self.model.set_search(self.search_edit.text())  # under 2 characters: no search

    def _on_filter_button_toggled(self, checked: bool) -> None:
        self.filter_bar.setVisible(checked)

    def _on_dashboard_chip_removed(self) -> None:
        self.filter_bar.clear()  # and reload (its changed signal), as "Clear filters" does

    def _on_filter_bar_changed(self) -> None:
        # The fixed filters are added by the service; the dashboard chip's stay until removed.
        self.model.set_filters(self._bar_filters() + self.dashboard_chip.conditions)
        self._show_filter_count()

    def _show_filter_count(self) -> None:
        count = len(self._bar_filters()) + len(self.dashboard_chip.conditions)
        text = translate("GridTools", "Filters")  # says how many are set, even while folded away
        self.filter_button.setText(f"{text} ({count})" if count else text)

    def _on_users_loaded(self, users: list[tuple[Any, str, str]]) -> None:
        self._users = users
        if self._filter_bar is not None:
            self._filter_bar.set_users(users)
        if self.bulk is not None:  # records are handed over only to those who may own them
            owners = pickable_roles("owner")
            self.bulk.set_users([(user_id, name) for user_id, name, role in users if role in owners])

    def _on_users_failed(self, exc: BaseException) -> None:
        present_error(self, exc, self._lang)

    def _on_include_inactive_check_toggled(self, checked: bool) -> None:
        self.model.set_include_inactive(checked)

    def _on_model_total_changed(self, total: int) -> None:
        self._show_total(total)
        self._show_empty_hint()

    @property
    def empty_hint(self) -> EmptyHint:
        """The hint over an empty grid, built the first time it is needed.

        Most grids are never empty; building it (two buttons with icons) when the page opens
        made the first page of a session block the GUI thread several ms longer.
        """
        if self._empty_hint is None:
            self._empty_hint = EmptyHint(self.view, self._module_name)
            self._empty_hint.new_button.clicked.connect(self.open_new)
            self._empty_hint.import_button.clicked.connect(self.transfer.open_import)
        return self._empty_hint

    def _show_empty_hint(self) -> None:
        model = self.model
        if model.total != 0 or model.loading:
            if self._empty_hint is not None:
                self._empty_hint.hide()
            return
        query = model.list_query()
        narrowed = bool(query.search or query.filters or not self.include_inactive_check.isChecked())
        actions = self.record_actions
        self.empty_hint.show_empty(narrowed=narrowed, may_create=actions.may_create,
                                   may_import=actions.import_action.isVisible())

    def _on_view_selection_changed(self, *_args: Any) -> None:
        self.record_actions.update_enabled()

    def _show_total(self, total: int | None) -> None:
        if total is None:
            self.total_label.setText("")
            return
        if not self.model.total_exact:  # an estimate until the exact count arrives
            figure = f"{total / 10000:g} 万" if self._lang == "zh_CN" and total >= 10000 else f"{total:,}"
            text = translate("ModulePage", "about %1 records").replace("%1", figure)
            self.total_label.setText(text.replace("万 条", "万条"))  # 约 18 万条
            return
        if total == 1:
            self.total_label.setText(translate("ModulePage", "1 record"))
        else:
            self.total_label.setText(translate("ModulePage", "%1 records").replace("%1", f"{total:,}"))

    def _on_model_loading_changed(self, loading: bool) -> None:
        self.busy_bar.setVisible(loading)
        self._show_empty_hint()

    def _on_model_failed(self, exc: BaseException) -> None:
        present_error(self, exc, self._lang)

    def _on_model_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._sized_columns:
            return
        # Once, on the first page: widths by column kind, within the grid's width, so that nobody
        # scrolls sideways to see the last column (see column_layout).
        self._sized_columns = True
        # A wide window: the less-used columns too, if they fit. The rows hold their values already
        # (read with every page while on the default columns): one fit, each column measured once.
        sizes = ColumnSizes(self.view, self.model)
        self.columns.widen_defaults(sizes)
        fit_columns(self.view, self.model, sizes)

    def _hide_pinned_columns(self) -> None:
        # Every row holds the same value there: the column says nothing.
        if not self.pinned_filters:
            return
        hidden = {self.model.column_of(p.field) for p in self.pinned_filters if p.op == "eq"}
        for column in range(self.model.columnCount()):
            self.view.setColumnHidden(column, column in hidden)

    def _on_view_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open_form(self.module, index.data(IdRole))

    def _on_changes_changed(self, module: str, record: object) -> None:
        if module != self.module:
            return
        if isinstance(record, dict) and self._pinned is not None and not self._pinned.matches(record):
            self.model.remove_record(record.get("id"))  # moved to another customer: not ours any more
            return
        if isinstance(record, dict) and self.model.apply_change(record):
            return
        self.model.reload()  # a new record, or several: the service decides where they belong


def _active_users(users_service: Any) -> list[tuple[Any, str, str]]:
    """``(id, name, role)`` of the active users, by name (runs in the background)."""
    page = users_service.list(ListQuery(sort=("name",), limit=500, include_inactive=False))
    return [(u["id"], u["name"], u["role"]) for u in page.rows]
