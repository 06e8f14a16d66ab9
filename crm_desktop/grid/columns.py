"""The column chooser of a module grid, and the view (columns + sort) remembered per user.

Right-clicking the header offers every field a user may want as a column
(business fields and the default system columns) as checkable entries; a new
user starts with the module's default columns
(:func:`~crm_desktop.grid.column_layout.default_columns`, fitting a 1366 px
screen; on a wider window the module's less-used columns too, where they fit:
:meth:`ColumnChooser.widen_defaults`). The chosen columns and the sort are kept in QSettings under
``views/<login>/<module>/columns`` and ``views/<login>/<module>/sort`` and
restored when the page opens again.

A column the role reads masked (an engineer's customer phone numbers) offers
no sorting: a click on its heading does nothing and its tooltip says why
(the service would refuse the sort). Nor does a column whose sort no index
serves at scale (the module's ``offered_sorts`` in crm_core leave it out: its
``grid_sorts``, plus 创建时间 where the service sorts it as the id).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView

from crm_core.metadata import EntitySpec, Field
from crm_core.permissions import sees
from crm_desktop.grid.column_layout import ColumnSizes, default_columns, fit_columns, room_for
from crm_desktop.grid.record_model import RecordTableModel

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

MIN_WIDTH, MAX_WIDTH = 70, 280  # a column shown from the menu: what it holds, within these


def masked_fields(spec: EntitySpec, role: str) -> frozenset[str]:
    """Fields ``role`` reads masked (the services refuse to sort or filter by them); none without a role."""
    if not role:
        return frozenset()
    return frozenset(n for n, f in spec.all_fields.items() if f.sensitive and not sees(role, f.sensitive))


class ColumnChooser(QObject):
    """Header context menu choosing the columns of ``view``; remembers them and the sort."""

    def __init__(self, view: QTableView, model: RecordTableModel, lang: str, *,
                 settings: QSettings | None = None, login: str | None = None, pinned: Iterable[str] = (),
                 role: str = ""):
        """Attach to ``view``'s header.

        Args:
            view: the grid (its horizontal header gets the context menu).
            model: the grid's model (:meth:`RecordTableModel.set_columns`).
            lang: "zh_CN" or "en" for the field labels.
            settings: where views are remembered; None: nothing is remembered.
            login: the signed-in user's login (part of the settings key).
            pinned: fields never offered (a page pinned to one customer hides its column).
            role: the signed-in user's role: the columns it reads masked cannot be sorted by.
        """
        super().__init__(view)
        self._view, self._model, self._lang = view, model, lang
        self._settings = settings if login else None
        spec = model.spec
        skip = set(pinned)
        system = [f for f in spec.grid_fields if f not in spec.fields]  # created_at: a default column
        self.candidates: list[Field] = [f for f in (*spec.fields, *system) if f.name not in skip]
        self._key = f"views/{login}/{spec.module}"
        self.menu: QMenu | None = None
        self.on_defaults = True  # the module's default columns, not the user's own choice (widen_defaults)
        masked = masked_fields(spec, role)
        offered = spec.offered_sorts  # grid_sorts, and 创建时间 where it sorts as the id
        unindexed = frozenset() if offered is None else frozenset(spec.all_fields) - offered
        self.unsortable = masked | unindexed
        model.set_unsortable(sorted(masked), unindexed=sorted(unindexed))
        header = view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_custom_context_menu_requested)

    # ------------------------------------------------------------- columns

    def set_shown(self, name: str, shown: bool) -> None:
        """Show or hide the column of field ``name`` (the last column stays), and remember it."""
        current = set(self._model.columns)
        if shown:
            current.add(name)
        elif len(current) > 1:
            current.discard(name)
        self._apply([f.name for f in self.candidates if f.name in current])
        self._set_on_defaults(False)
        self._save("columns", self._model.columns)

    def show_columns(self, names: list[str]) -> None:
        """Show these fields as columns, in this order (unknown ones are skipped), and remember them."""
        known = {f.name for f in self.candidates}
        wanted = [n for n in names if n in known]
        if wanted:
            self._apply(wanted)
            self._set_on_defaults(False)
            self._save("columns", self._model.columns)

    def sort_by(self, sort: str, *, reload: bool = True) -> None:
        """Sort by ``sort`` ("-field" descending, "" the default order), arrow and memory included."""
        name = sort.lstrip("-")
        if name and (name not in self._model.columns or name in self.unsortable):
            sort = ""
        self._model.set_sort(sort, reload=reload)
        self._show_sort(sort or None)
        self._save("sort", sort)

    def _set_on_defaults(self, on: bool) -> None:
        """On the module's default columns (or not): its less-used fields are read with every page
        while it is, so that :meth:`widen_defaults` shows them without reading a page again."""
        self.on_defaults = on
        known = {f.name for f in self.candidates}
        self._model.set_keep_fields([n for n in self._model.spec.secondary_columns if n in known] if on else ())

    def _apply(self, names: list[str], *, measure_new: bool = True) -> None:
        header = self._view.horizontalHeader()
        widths = {f: header.sectionSize(i) for i, f in enumerate(self._model.columns)}
        self._model.set_columns(names)  # a model reset: the header forgets the widths
        for column, name in enumerate(self._model.columns):
            if name in widths:
                header.resizeSection(column, widths[name])
            elif measure_new:  # newly shown: fit what it holds, within the grid's bounds
                self._view.resizeColumnToContents(column)
                header.resizeSection(column, max(MIN_WIDTH, min(MAX_WIDTH, header.sectionSize(column) + 12)))
        self._show_current_sort()

    def _show_current_sort(self) -> None:
        """The arrow on the list's real order: the model's sort, else the default one (if shown)."""
        sort = self._model.list_query().sort
        self._show_sort(sort[0] if sort else None)
        if not sort:
            self.show_default_sort()

    def _show_sort(self, sort: str | None) -> None:
        """Put the header's sort arrow on the sorted field (if shown) without reloading."""
        header = self._view.horizontalHeader()
        column = self._model.column_of(sort.lstrip("-")) if sort else -1
        order = Qt.SortOrder.DescendingOrder if sort and sort.startswith("-") else Qt.SortOrder.AscendingOrder
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)
        if header.isVisible():  # a page not yet shown paints its arrow when it is
            header.viewport().update()

    def build_menu(self) -> QMenu:
        """The checkable column list (also what the header's right-click shows)."""
        menu = QMenu(self._view)
        menu.setObjectName("columnMenu")
        title = menu.addAction(translate("GridTools", "Columns shown:"))
        title.setEnabled(False)
        shown = set(self._model.columns)
        for field in self.candidates:
            action = QAction(field.label(self._lang), menu)
            action.setObjectName(f"column_{field.name}")
            action.setCheckable(True)
            action.setChecked(field.name in shown)
            action.setEnabled(not (field.name in shown and len(shown) == 1))
            action.toggled.connect(lambda checked, n=field.name: self.set_shown(n, checked))
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction(translate("GridTools", "Default columns"))
        reset.setObjectName("defaultColumnsAction")
        reset.triggered.connect(self.reset)
        self.menu = menu
        return menu

    def reset(self) -> None:
        """Back to the module's default columns; forget the remembered ones."""
        known = {f.name for f in self.candidates}
        self._set_on_defaults(True)  # first: a page read again for these columns brings the less-used ones too
        self._apply([n for n in default_columns(self._model.spec) if n in known])
        if self._settings is not None:
            self._settings.remove(f"{self._key}/columns")
        sizes = ColumnSizes(self._view, self._model)
        if self.widen_defaults(sizes):
            fit_columns(self._view, self._model, sizes)

    def widen_defaults(self, sizes: ColumnSizes | None = None) -> bool:
        """On the default columns, add the module's less-used ones where the window has room for them.

        Never when the user chose his own columns (or a view). Nothing is remembered: a
        narrower window next time gets the narrow defaults. The shown columns are measured
        once (``sizes``, which the caller may reuse to fit them); the rows in memory already
        hold the added fields (:meth:`_set_on_defaults`), so no page is read for them.
        Returns True if columns were added (their widths are left to the caller's fit).
        """
        if not self.on_defaults:
            return False
        sizes = sizes or ColumnSizes(self._view, self._model)
        known = {f.name for f in self.candidates}
        shown = set(self._model.columns)
        extra: list[str] = []
        for name in self._model.spec.secondary_columns:  # in the module's order, as many as fit
            if name in known and name not in shown and room_for(sizes, [*extra, name]):
                extra.append(name)
        if not extra:
            return False
        self._apply([n for n in default_columns(self._model.spec, wide=True) if n in shown or n in extra],
                    measure_new=False)
        return True

    # ------------------------------------------------------------- settings

    def restore(self) -> str | None:
        """Apply the remembered columns (else the defaults); returns the remembered sort ("-field" descending) or None.

        A pinned field keeps its column (the page hides it); nothing is loaded yet.
        """
        known = {f.name for f in self.candidates}
        names = self._settings.value(f"{self._key}/columns") if self._settings is not None else None
        if isinstance(names, str):
            names = [names]  # QSettings gives a one-element list back as a plain string
        wanted = [n for n in names if n in known] if isinstance(names, list) else []
        self._set_on_defaults(not wanted)
        self._model.set_columns(wanted or default_columns(self._model.spec))
        if self._settings is None:
            return None
        sort = self._settings.value(f"{self._key}/sort")
        shown = isinstance(sort, str) and sort.lstrip("-") in self._model.columns
        return sort if shown and sort.lstrip("-") not in self.unsortable else None

    def restore_sort(self, sort: str | None) -> None:
        """Sort by the remembered ``sort`` (if any), then remember the user's sorting from now on."""
        header = self._view.horizontalHeader()
        if sort:
            column = self._model.column_of(sort.lstrip("-"))
            order = Qt.SortOrder.DescendingOrder if sort.startswith("-") else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(column, order)  # the view asks the model to sort (reload)
        header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)

    def show_default_sort(self) -> None:
        """Show the arrow of the service's default order, so the list's order is never a mystery.

        The default "-id" (newest first) is shown on the creation time when that column is shown
        (clicking it then lists the oldest first). Display only: nothing reloads.
        """
        sort = self._model.spec.default_sort
        if sort.lstrip("-") == "id":
            sort = sort.replace("id", "created_at")
        if sort.lstrip("-") in self._model.columns:
            self._show_sort(sort)

    def _save(self, what: str, value: object) -> None:
        if self._settings is not None:
            self._settings.setValue(f"{self._key}/{what}", value)
            self._settings.sync()

    # --------------------------------------------------------------- slots

    def _on_header_custom_context_menu_requested(self, pos: QPoint) -> None:
        menu = self.build_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self._view.horizontalHeader().mapToGlobal(pos))

    def _on_header_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if 0 <= column < self._model.columnCount() and not self._model.sortable(column):
            self._show_current_sort()  # a masked column: the model did not sort; the arrow stays where it was
            return
        if 0 <= column < self._model.columnCount():
            name = self._model.field_at(column).name
            self._save("sort", f"-{name}" if order == Qt.SortOrder.DescendingOrder else name)
        else:
            self._save("sort", "")
