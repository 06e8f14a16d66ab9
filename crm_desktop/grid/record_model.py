"""The one table model every module grid uses: a lazily paged view of a service's records.

Rows come from ``service.list(ListQuery)`` one keyset page at a time (never all
rows); the total comes from ``service.count`` separately. Memory stays bounded:
only the most recently used pages keep their records (see
:mod:`crm_desktop.grid.page_window`); the others are read again when the user
scrolls back to them, and :meth:`RecordTableModel.jump_to_end` reads the last
page from the end of the list without walking it. Every call runs through
:func:`crm_desktop.background.run_in_background` and its result is applied on the
GUI thread. A generation counter drops results that belong to a query the user
has since replaced (a newer reload, sort, search or filter).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt,
                            Signal)
from PySide6.QtGui import QBrush, QGuiApplication, QPalette

from crm_core.metadata import EntitySpec, Field
from crm_core.lists import Filter, ListQuery, Page
from crm_desktop.background import run_in_background
from crm_desktop.grid.display import NUMERIC_TYPES, DictionaryLabels, deactivated_tooltip, display_text
from crm_desktop.grid.page_window import Fetch, PageWindow

try:  # the C++ side may be deleted by a parent view while a page is still on its way
    from shiboken6 import isValid as _qt_alive
except ImportError:  # pragma: no cover - shiboken6 ships with PySide6
    def _qt_alive(obj: object) -> bool:
        return True

AnyIndex = QModelIndex | QPersistentModelIndex

# Custom roles: views, delegates and forms read records through these, never through columns.
RecordRole = Qt.ItemDataRole.UserRole + 1  #: the whole record dict of the row
IdRole = Qt.ItemDataRole.UserRole + 2  #: the record's id
FieldRole = Qt.ItemDataRole.UserRole + 3  #: the column's :class:`~crm_core.metadata.Field`
ValueRole = Qt.ItemDataRole.UserRole + 4  #: the raw (unformatted, possibly masked) value

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

MIN_SEARCH = 2  # what crm_core accepts; shorter texts mean "no search", not an error
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# data() runs for every role of every cell the view paints (seven per cell, thousands per
# screen), so it compares plain ints: a PySide enum attribute costs a Python call each time.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_RECORD, _ID, _FIELD, _VALUE = int(RecordRole), int(IdRole), int(FieldRole), int(ValueRole)
_ASKED_BY_DELEGATE = frozenset(int(r) for r in (  # the delegate asks; this model has nothing for them
    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.SizeHintRole))


class RecordService(Protocol):
    """What the model needs from a service (every crm_core ``EntityService`` fits)."""

    spec: EntitySpec

    def list(self, query: ListQuery) -> Page: ...

    def count(self, query: ListQuery) -> int: ...


class RecordTableModel(QAbstractTableModel):
    """Read-only, lazily paged rows of one module, columns from its metadata.

    Columns are dynamic (a column chooser sets them), so instead of column
    constants use :meth:`column_of` and the custom roles.

    Signals:
        total_changed(int): the number of matching records, after each (re)count.
        loading_changed(bool): True while a page or the count of the current query is on its way.
        failed(object): the exception of a failed list/count of the current query.
    """

    total_changed = Signal(int)
    loading_changed = Signal(bool)
    failed = Signal(object)

    def __init__(self, service: RecordService, language: str = "zh_CN",
                 labels: DictionaryLabels | None = None, *, page_size: int = 100, max_pages: int = 30,
                 shown_fields_only: bool = False, keep_fields: Sequence[str] = (),
                 parent: QObject | None = None):
        """Create an empty model; call :meth:`reload` to fetch the first page.

        Args:
            service: a module service (``.spec``, ``.list``, ``.count``).
            language: "zh_CN" or "en" for headers and labels.
            labels: dictionary labels ``{(category, code): Text}``, loaded by the caller
                in the background (see :func:`crm_desktop.grid.display.dictionary_labels`).
            page_size: rows per page (crm_core caps it at 500).
            max_pages: pages whose records stay in memory (the most recently used ones).
            shown_fields_only: read only the shown columns' fields (:meth:`page_fields`), not every
                field of each record (a module page: issue 9, item 5; a settings list reads all).
            keep_fields: with ``shown_fields_only``, fields read with every row besides the shown
                columns (a delegate's or an action's needs); the record's title and the system
                fields (id, version...) always are.
            parent: Qt parent.
        """
        super().__init__(parent)
        self._service = service
        self._spec = service.spec
        self._language = language
        self._labels: DictionaryLabels = labels or {}
        self._page_size = page_size
        self._columns: list[Field] = list(self._spec.grid_fields)
        self._max_pages = max_pages
        self._window = PageWindow(page_size, max_pages)
        self._texts: dict[int, list[str]] = {}  # row -> its cells' texts, for the rows painted (see data())
        self._counted = False
        self._total_exact = True
        self._total: int | None = None
        self._generation = 0
        self._pending = 0  # requests of the current generation still running
        self._loading_shown = False  # what loading_changed last said
        self._error_reported = False  # one failed() per query: list and count often fail alike
        self._sort: tuple[str, ...] = ()
        self._search: str | None = None
        self._filters: tuple[Filter, ...] = ()
        self._include_inactive = True
        self._unsortable: frozenset[str] = frozenset()
        self._unindexed: frozenset[str] = frozenset()
        self._shown_fields_only = shown_fields_only
        self._keep_fields = tuple(keep_fields)
        self._held_keep = self._keep_fields  # the keep_fields every row in memory was read with

    # ------------------------------------------------------------ properties

    @property
    def spec(self) -> EntitySpec:
        """The module's metadata."""
        return self._spec

    @property
    def total(self) -> int | None:
        """Matching records in the database (None until counted; see :attr:`total_exact`)."""
        return self._total

    @property
    def total_exact(self) -> bool:
        """False while :attr:`total` is an estimate (a big list; the exact count follows)."""
        return self._total_exact

    @property
    def loading(self) -> bool:
        """True while the current query still has a request on its way."""
        return self._pending > 0

    @property
    def language(self) -> str:
        """"zh_CN" or "en": the headers' and labels' language."""
        return self._language

    @property
    def columns(self) -> list[str]:
        """Field names of the columns, in order."""
        return [f.name for f in self._columns]

    def column_of(self, name: str) -> int:
        """Column number of field ``name``, -1 if not shown."""
        return next((i for i, f in enumerate(self._columns) if f.name == name), -1)

    def field_at(self, column: int) -> Field:
        """The field shown in ``column``."""
        return self._columns[column]

    # --------------------------------------------------------- configuration

    def set_columns(self, names: Sequence[str]) -> None:
        """Show these fields as columns (column chooser); KeyError for an unknown name."""
        fields = [self._spec.field(n) for n in names]
        # What pages were read with until now (earlier pages: more, or stale).
        before = self._read_fields()
        self.beginResetModel()
        self._columns = fields
        self._forget_texts()
        # Rows read without a column just shown are read again when painted (only those on screen),
        # shown as they were meanwhile: the view keeps its place and its rows.
        if not self._covers(before) and self._window.rows:
            self._window.mark_stale()
        self.endResetModel()

    def set_keep_fields(self, names: Sequence[str]) -> None:
        """Read these fields with every page from now on, besides the shown columns (see ``keep_fields``).

        Rows already read keep what they hold (without the fields added now); nothing is read
        again until a column needs it (:meth:`set_columns`). A page grid on its
        default columns keeps the module's less-used fields, so that showing them when the
        window has room reads nothing (:meth:`~crm_desktop.grid.columns.ColumnChooser.widen_defaults`).
        """
        self._keep_fields = tuple(names)
        self._held_keep = tuple(n for n in self._held_keep if n in self._keep_fields)

    def page_fields(self) -> tuple[str, ...] | None:
        """The fields each page is read with: the shown columns, the record's title and ``keep_fields``.

        The service adds the system fields (id, version, active flag) and the sort's columns.
        None (every field) unless the model was made with ``shown_fields_only``.
        """
        if not self._shown_fields_only:
            return None
        names = [*self.columns, self._spec.title_field, *self._keep_fields]
        return tuple(dict.fromkeys(names))

    def _read_fields(self) -> tuple[str, ...] | None:
        """The fields every row in memory holds (None: all): :meth:`page_fields` less the
        ``keep_fields`` added since the rows were read."""
        if not self._shown_fields_only:
            return None
        return tuple(dict.fromkeys([*self.columns, self._spec.title_field, *self._held_keep]))

    def set_unsortable(self, names: Sequence[str], *, unindexed: Sequence[str] = ()) -> None:
        """Fields the list cannot be sorted by: :meth:`sort` ignores them.

        ``names``: those the role reads masked (the service refuses such a sort; this spares
        the user a click that can only end in a refusal). ``unindexed``: those no index
        sorts (the module's ``offered_sorts`` leave them out): at scale such a sort reads every
        record. Their headings say why in their tooltips.
        """
        self._unindexed = frozenset(unindexed) - frozenset(names)
        self._unsortable = frozenset(names) | self._unindexed
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    def sortable(self, column: int) -> bool:
        """True when the list can be sorted by ``column`` (False for a field the role reads masked)."""
        return 0 <= column < len(self._columns) and self._columns[column].name not in self._unsortable

    def set_language(self, language: str) -> None:
        """Switch headers and labels to ``language`` ("zh_CN" / "en") without reloading."""
        self._language = language
        self._forget_texts()
        self._refresh_all()

    def set_dictionary_labels(self, labels: DictionaryLabels) -> None:
        """Use freshly loaded dictionary labels (e.g. after an admin edited the dictionary)."""
        self._labels = labels
        self._forget_texts()
        self._refresh_all()

    def set_search(self, text: str) -> None:
        """Search for ``text`` and reload; under 2 characters clears the search."""
        term = (text or "").strip()
        search = term if len(term) >= MIN_SEARCH else None
        if search != self._search:
            self._search = search
            self.reload()

    def set_filters(self, filters: tuple[Filter, ...]) -> None:
        """Replace the filters (all must hold) and reload."""
        self._filters = tuple(filters)
        self.reload()

    def set_search_and_filters(self, text: str, filters: tuple[Filter, ...]) -> None:
        """Replace the search and the filters together and reload once (a dashboard click-through)."""
        term = (text or "").strip()
        self._search = term if len(term) >= MIN_SEARCH else None
        self._filters = tuple(filters)
        self.reload()

    def set_include_inactive(self, include: bool, *, reload: bool = True) -> None:
        """Also list deactivated records (the default) or hide them; reloads unless told not to."""
        if include != self._include_inactive:
            self._include_inactive = include
            if reload:
                self.reload()

    def set_sort(self, sort: str, *, reload: bool = True) -> None:
        """Sort by field ``sort`` ("-field" descending; "" the service's default order)."""
        self._sort = (sort,) if sort else ()
        if reload:
            self.reload()

    def list_query(self, after: tuple[Any, ...] | None = None) -> ListQuery:
        """The service query for the current sort, search and filters."""
        return ListQuery(filters=self._filters, search=self._search, sort=self._sort, after=after,
                         limit=self._page_size, include_inactive=self._include_inactive)

    # -------------------------------------------------------------- loading

    def reload(self) -> None:
        """Drop the rows and fetch the first page and the total again.

        Results of earlier requests still on their way are discarded when they arrive.
        """
        self._generation += 1
        self.beginResetModel()
        self._window = PageWindow(self._page_size, self._max_pages)
        self._held_keep = self._keep_fields  # every page from now on is read with them
        self._forget_texts()
        self._counted = False  # the total shown is the previous query's until the new count arrives
        self.endResetModel()
        self._error_reported = False
        # Older requests no longer count; no loading_changed flicker when a reload replaces one.
        self._pending = 0
        self._request_page(self._window.first_fetch())
        self._request_count()

    def jump_to_end(self) -> bool:
        """Make every row reachable and read the last page from the end (no walk through the list).

        Needs the total; rows between what was read are placeholders until shown.

        Returns:
            True if the last page was asked for (False: total unknown, or all rows already reached).
        """
        w = self._window
        if self._total is None or not self._counted or w.whole or w.done or self._total <= len(w.rows):
            return False
        self.beginInsertRows(QModelIndex(), len(w.rows), self._total - 1)
        w.reach_all(self._total)
        self.endInsertRows()
        f = w.fetch_for(self._total - 1)
        if f is not None:
            self._request_page(f)
        return True

    @property
    def rows_in_memory(self) -> int:
        """How many records the model holds (bounded by ``max_pages`` pages)."""
        return self._window.loaded_rows()

    def _covers(self, fields: tuple[str, ...] | None) -> bool:
        """True when rows read with ``fields`` hold every field the grid now needs."""
        wanted = self.page_fields()
        return fields is None or (wanted is not None and set(wanted) <= set(fields))

    def _request_page(self, f: Fetch) -> None:
        # Only the columns shown (issue 9, item 5): list_query() itself stays the whole query
        # (an export or a saved view takes it).
        query = replace(self.list_query(f.after), limit=f.limit, before=f.before, offset=f.offset,
                        fields=self.page_fields())
        self._start(self._service.list, query, functools.partial(self._on_list_succeeded, f, query.fields),
                    page=True)

    def _request_count(self) -> None:
        # An exact count when it is quick, else an estimate at once and the exact figure after it.
        quick = getattr(self._service, "quick_count", None)
        self._start(quick or self._service.count, self.list_query(), self._on_count_succeeded, page=False)

    def _start(self, fn: Any, query: ListQuery, done: Any, *, page: bool) -> None:
        gen = self._generation
        self._pending += 1
        self._update_loading()
        # The generation is bound now, so a late answer can be recognised as stale.
        run_in_background(fn, query, done=lambda result: done(gen, result),
                          failed=functools.partial(self._on_request_errored, gen, page),
                          finished=functools.partial(self._on_request_finished, gen))

    def _current(self, gen: int) -> bool:
        return _qt_alive(self) and gen == self._generation

    def _on_list_succeeded(self, f: Fetch, fields: tuple[str, ...] | None, gen: int, page: Page) -> None:
        if not self._current(gen):
            return
        w = self._window
        if not self._covers(fields):  # a column was shown meanwhile: read it with that (still pending)
            self._request_page(f)
            return
        start = f.page * w.page_size
        n = min(len(page.rows), max(0, len(w.rows) - start)) if w.whole else len(page.rows)
        extra = max(0, start + n - len(w.rows))
        if extra:
            self.beginInsertRows(QModelIndex(), len(w.rows), len(w.rows) + extra - 1)
        w.place(f, page.rows, page.next_cursor, page.prev_cursor)
        self._forget_texts(start, n)
        if extra:
            self.endInsertRows()
        if n > extra and self._columns:
            self.dataChanged.emit(self.index(start, 0), self.index(start + n - extra - 1, len(self._columns) - 1))
        for first, count in w.drop_far():  # memory stays bounded: far pages are read again when shown
            self._forget_texts(first, count)
            if self._columns:
                self.dataChanged.emit(self.index(first, 0), self.index(first + count - 1, len(self._columns) - 1))

    def _on_count_succeeded(self, gen: int, total: Any) -> None:
        if not self._current(gen):
            return
        exact = getattr(total, "exact", True)
        self._total, self._counted = int(getattr(total, "value", total)), exact
        self._total_exact = exact
        self.total_changed.emit(self._total)
        if not exact:
            self._start(self._service.count, self.list_query(), self._on_count_succeeded, page=False)

    def _on_request_errored(self, gen: int, page: bool, exc: BaseException) -> None:
        if not self._current(gen):
            return
        if page:
            # No further pages of this query: a view would otherwise ask again on every
            # scroll and repeat the error. Refresh (reload) tries again.
            self._window.done = True
        if not self._error_reported:
            self._error_reported = True
            self.failed.emit(exc)

    def _on_request_finished(self, gen: int) -> None:
        if self._current(gen):
            self._pending = max(0, self._pending - 1)
            self._update_loading()

    def _update_loading(self) -> None:
        if self.loading != self._loading_shown:
            self._loading_shown = self.loading
            self.loading_changed.emit(self._loading_shown)

    # ------------------------------------------------------ Qt model overrides

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Rows loaded so far (a table: no children)."""
        return 0 if parent.isValid() else len(self._window.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of shown fields."""
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        """True while the service said there is a next page (and the end was not read from the end)."""
        return not parent.isValid() and self._window.can_fetch_more()

    def fetchMore(self, parent: AnyIndex) -> None:
        """Ask for the next page in the background (once: views call this repeatedly)."""
        if parent.isValid():
            return
        f = self._window.next_fetch()
        if f is not None:
            self._request_page(f)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the service sort by ``column`` and reload; column -1 restores the default order.

        A column the role reads masked (:meth:`set_unsortable`) changes nothing.
        """
        if 0 <= column < len(self._columns) and not self.sortable(column):
            return
        if 0 <= column < len(self._columns):
            name = self._columns[column].name
            self._sort = (f"-{name}" if order == Qt.SortOrder.DescendingOrder else name,)
        else:
            self._sort = ()
        self.reload()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Field labels in the model's language; None for rows and other roles."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        field = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return field.label(self._language)
        if role == Qt.ItemDataRole.TextAlignmentRole and field.type in NUMERIC_TYPES:
            return _RIGHT
        if role == FieldRole:
            return field
        if role == Qt.ItemDataRole.ToolTipRole and field.name in self._unindexed:
            return translate("GridTools", "The list cannot be sorted by %1: with many records that would read "
                                          "every one of them. Use the filters or the search to narrow the "
                                          "list.").replace("%1", field.label(self._language))
        if role == Qt.ItemDataRole.ToolTipRole and field.name in self._unsortable:
            return translate("GridTools", "%1 is shown masked for your role, so the list cannot be sorted "
                                          "by it.").replace("%1", field.label(self._language))
        return None

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        """Cell text, alignment, greyed look and tooltip of deactivated rows, and the custom roles."""
        if role in _ASKED_BY_DELEGATE:
            return None
        row, column = index.row(), index.column()  # -1 for an invalid index
        rows = self._window.rows
        if not (0 <= row < len(rows) and 0 <= column < len(self._columns)):
            return None
        if role == _DISPLAY:
            if self._window.stale:  # a column was shown: this row's page is read again with it
                f = self._window.refresh_for(row)
                if f is not None:
                    self._request_page(f)
            texts = self._texts.get(row)
            if texts is None:
                record = rows[row]
                if record is None:  # not in memory (dropped, or not read yet): ask for its page, show it empty
                    f = self._window.fetch_for(row)
                    if f is not None:
                        self._request_page(f)
                    return None
                texts = self._texts[row] = self._display_texts(record)
            self._window.used(row)
            return texts[column]
        record = rows[row]
        if record is None:
            return None
        if role == _ALIGNMENT:
            return _RIGHT if self._columns[column].type in NUMERIC_TYPES else None
        if role == _FOREGROUND:
            return None if record.get("is_active", True) else _greyed()
        if role == _TOOLTIP:
            return deactivated_tooltip(record, self._language)
        if role == _RECORD:
            return record
        if role == _ID:
            return record.get("id")
        if role == _FIELD:
            return self._columns[column]
        if role == _VALUE:
            return record.get(self._columns[column].name)
        return None

    def column_texts(self, column: int, first: int, last: int) -> list[str]:
        """The texts of ``column`` in rows ``first``..``last`` that are in memory, as painted.

        For measuring a column (:class:`~crm_desktop.grid.column_layout.ColumnSizes`): no index
        per cell, and a row not in memory is skipped, not asked for.
        """
        rows, texts = self._window.rows, self._texts
        out = []
        for row in range(max(0, first), min(last, len(rows) - 1) + 1):
            cells = texts.get(row)
            if cells is None:
                record = rows[row]
                if record is None:
                    continue
                cells = texts[row] = self._display_texts(record)
            out.append(cells[column])
        return out

    # flags(): QAbstractTableModel's own answer (selectable, enabled, no children) is the one
    # wanted: records change through forms and services, never by editing a cell. Not
    # overriding it spares a Python call per painted cell.

    def _display_texts(self, record: dict[str, Any]) -> list[str]:
        """The texts of one row's cells, made once and kept while the row stays in memory unchanged."""
        lang, labels = self._language, self._labels
        return [display_text(field, record, lang, labels) for field in self._columns]

    def _forget_texts(self, first: int = 0, count: int | None = None) -> None:
        """Drop the kept cell texts of ``count`` rows from ``first`` (all rows by default)."""
        if count is None:
            self._texts.clear()
        else:
            for row in range(first, first + count):
                self._texts.pop(row, None)

    # -------------------------------------------------------------- records

    def record_at(self, row: int) -> dict[str, Any]:
        """The record shown in ``row``; IndexError outside the rows in memory."""
        rows = self._window.rows
        if not 0 <= row < len(rows) or rows[row] is None:
            raise IndexError(row)
        return rows[row]

    def row_of(self, record_id: Any) -> int | None:
        """Row of the record with ``record_id`` among the rows in memory, None if not there."""
        return self._window.by_id.get(record_id)

    def apply_change(self, record: dict[str, Any]) -> bool:
        """Show a record a service just returned (after a save) in place of its old row.

        A record deactivated while inactive ones are hidden leaves the grid. A record
        not loaded here (new, or on a later page) is left to the next reload.

        Returns:
            True if a loaded row was replaced or removed.
        """
        row = self.row_of(record.get("id"))
        if row is None:
            return False
        if not self._include_inactive and not record.get("is_active", True):
            self.remove_record(record.get("id"))
            return True
        self._window.rows[row] = record
        self._forget_texts(row, 1)
        if self._columns:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))
        return True

    def remove_record(self, record_id: Any) -> bool:
        """Take a deleted (or now hidden) record out of the loaded rows; True if it was there."""
        row = self.row_of(record_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        self._window.remove(row)
        self._forget_texts()  # the rows below moved up
        self.endRemoveRows()
        if self._total is not None:
            self._total = max(0, self._total - 1)
            self.total_changed.emit(self._total)
        return True

    def _refresh_all(self) -> None:
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._window.rows and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._window.rows) - 1, len(self._columns) - 1))


def _greyed() -> QBrush:
    """The palette's disabled-text colour, so deactivated rows follow the user's theme."""
    return QBrush(QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
