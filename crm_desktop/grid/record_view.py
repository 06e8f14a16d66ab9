"""What every record list shares: its table look, and a service seen through fixed filters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from crm_core.lists import Count, Filter, ListQuery, Page
from crm_desktop.grid.record_model import RecordService


class FixedFilterService:
    """A module service seen through fixed filters: every list and count carries them.

    The grid's own filters and search still apply on top; the fixed ones cannot be
    replaced, so a page pinned to one customer never shows another's records.
    """

    def __init__(self, service: RecordService, filters: Sequence[Filter]):
        """Wrap ``service`` (``spec``, ``list``, ``count``); ``filters`` must all hold."""
        self._service = service
        self.filters = tuple(filters)
        self.spec = service.spec

    def _with_filters(self, query: ListQuery) -> ListQuery:
        return dataclasses.replace(query, filters=self.filters + tuple(query.filters))

    def list(self, query: ListQuery) -> Page:
        """One page of the matching records (fixed filters added)."""
        return self._service.list(self._with_filters(query))

    def count(self, query: ListQuery) -> int:
        """How many records match (fixed filters added)."""
        return self._service.count(self._with_filters(query))

    def quick_count(self, query: ListQuery) -> Count:
        """Exact when quick, else an estimate (fixed filters added); see the services' ``quick_count``."""
        quick = getattr(self._service, "quick_count", None)
        if quick is None:
            return Count(self.count(query), True)
        return quick(self._with_filters(query))

    def matches(self, record: Mapping[str, Any]) -> bool:
        """False when a saved record clearly falls outside the "eq" fixed filters."""
        return all(record.get(f.field) == f.value for f in self.filters if f.op == "eq" and f.field in record)


def setup_record_view(view: QTableView, selection: QAbstractItemView.SelectionMode) -> None:
    """The look and behaviour every record list shares (module pages, settings lists)."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()  # row numbers of a lazily paged list mean nothing
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    # Fitting a column to its contents (resizeColumnToContents) measures at most this many rows,
    # those on screen first, not every loaded row (a page of 100 blocked the GUI thread for most
    # of a second on a busy machine). The module grid's fit measures every row on screen
    # (column_layout.ColumnSizes).
    view.verticalHeader().setResizeContentsPrecision(20)
    view.horizontalHeader().setResizeContentsPrecision(20)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def fit_widths(wanted: Sequence[int], available: int, minimum: int | Sequence[int]) -> list[int]:
    """Column widths that fit ``available`` pixels: the widest columns give way first, none below its minimum.

    ``minimum`` is one width for all columns or one per column (the record's name may
    keep more room than an e-mail address). Narrow columns (codes, levels, dates) keep
    their full width; long text is cut with "…" (widen the column to read it whole).
    When even the minimums do not fit, the minimums are returned (the grid then
    scrolls sideways).
    """
    widths = list(wanted)
    floors = [minimum] * len(widths) if isinstance(minimum, int) else list(minimum)
    floors = [min(f, w) for f, w in zip(floors, widths, strict=True)]
    excess = sum(widths) - available
    while excess > 0:
        movable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not movable:
            break
        widest = max(widths[i] for i in movable)
        wide = [i for i in movable if widths[i] == widest]
        # Bring the widest columns down to the next width below them (or as far as needed).
        lower = [widths[i] for i in movable if widths[i] < widest] + [max(floors[i] for i in wide)]
        cut = max(1, min(widest - max(lower), -(-excess // len(wide))))
        for i in wide:
            widths[i] -= min(cut, widths[i] - floors[i])
        excess = sum(widths) - available
    return widths
