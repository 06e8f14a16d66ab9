"""The managers' dashboard (管理看板), and a salesperson's personal one: tiles and charts for a period.

The figures come from ``session.dashboard.load`` in the background; the page
only lays them out. A tile or a chart category that has a grid target opens
that module's grid filtered to exactly the records counted, through the
``open_filtered(module, filters)`` hook the main window provides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QScrollArea, QToolButton,
                               QVBoxLayout, QWidget)

from crm_core.permissions import MODULE_NAMES
from crm_core.reports.model import Dashboard, GridTarget
from crm_desktop.background import run_in_background
from crm_desktop.dashboard.charts import ChartPanel
from crm_desktop.dashboard.funnel import FunnelPanel
from crm_desktop.dashboard.period import PeriodSelector, previous_range
from crm_desktop.dashboard.tiles import TILE_STYLE, TileCard
from crm_desktop.errors import present_error

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate

TILE_COLUMNS = 4
CHART_COLUMNS = 2
OpenFiltered = Callable[[str, tuple[Any, ...]], Any]


class DashboardPage(QWidget):
    """Tiles and charts of one period, reloaded when the period changes (F5: the refresh button).

    Signals:
        loaded(): a period's figures are on screen.
    """

    loaded = Signal()

    def __init__(self, service: Any, lang: str, *, open_filtered: OpenFiltered, openable: Collection[str],
                 today: dt.date | None = None, funnel: Callable[[], list[dict[str, Any]]] | None = None,
                 parent: QWidget | None = None):
        """Build the page and start loading the last 12 months' figures.

        Args:
            service: ``session.dashboard`` (``load(date_from, date_to)`` -> :class:`Dashboard`).
            lang: "zh_CN" or "en".
            open_filtered: ``open_filtered(module, filters)`` shows a module's grid with those filters.
            openable: modules whose grid the user may open (others' tiles are not clickable).
            today: the reference day of the named periods (default: the workstation's today).
            funnel: ``session.opportunities.funnel`` for roles that read opportunities; None: no funnel.
            parent: Qt parent.
        """
        super().__init__(parent)
        self.setObjectName("page_dashboard")
        self._service = service
        self._lang = lang
        self._open_filtered = open_filtered
        self._openable = frozenset(openable)
        self._funnel = funnel
        self.funnel_panel: FunnelPanel | None = None
        self.previous: dict[str, Any] = {}
        self._generation = 0
        self._loading = False
        self.dashboard: Dashboard | None = None
        self.tiles: dict[str, TileCard] = {}
        self.charts: list[ChartPanel] = []
        self.setStyleSheet(TILE_STYLE)

        self.period = PeriodSelector(today or dt.date.today(), self)
        self.title_label = QLabel(MODULE_NAMES["dashboard"](lang), self)
        self.title_label.setObjectName("dashboardTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.scope_label = QLabel(self)
        self.scope_label.setObjectName("scopeLabel")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(80, 10)
        self.busy_bar.setToolTip(translate("Dashboard", "Loading…"))
        self.busy_bar.hide()
        self.refresh_button = QToolButton(self)
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setText(translate("Dashboard", "Refresh"))
        self.refresh_button.setShortcut(Qt.Key.Key_F5)

        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addSpacing(12)
        header.addWidget(self.scope_label)
        header.addStretch(1)
        header.addWidget(self.busy_bar)
        header.addWidget(self.period)
        header.addWidget(self.refresh_button)

        body = QWidget(self)
        body.setObjectName("dashboardBody")
        self._tile_grid = QGridLayout()
        self._tile_grid.setSpacing(10)
        self._chart_grid = QGridLayout()
        self._chart_grid.setSpacing(10)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(self._tile_grid)
        body_layout.addSpacing(6)
        body_layout.addLayout(self._chart_grid)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)

        self.period.changed.connect(self._on_period_changed)
        self.refresh_button.clicked.connect(self.reload)
        self.reload()

    @property
    def loading(self) -> bool:
        """True while figures are being fetched."""
        return self._loading

    def reload(self) -> None:
        """Fetch the chosen period's figures again (in the background)."""
        self._generation += 1
        self._set_loading(True)
        # The chart categories (statuses, severities) come in the page's language.
        run_in_background(_load_all, self._service, self._funnel, *self.period.range(), self._lang,
                          done=partial(self._on_load_done, self._generation),
                          failed=partial(self._on_load_failed, self._generation))

    def _show(self, loaded: tuple[Dashboard, dict[str, Any], list[dict[str, Any]] | None]) -> None:
        dashboard, self.previous, funnel = loaded
        self.dashboard = dashboard
        scope = (translate("Dashboard", "My customers") if dashboard.personal
                 else translate("Dashboard", "All customers"))
        self.scope_label.setText(f"{scope} · {dashboard.date_from.isoformat()} – {dashboard.date_to.isoformat()}")
        _clear(self._tile_grid)
        _clear(self._chart_grid)
        self.tiles = {}
        for n, tile in enumerate(dashboard.tiles):
            card = TileCard(tile, self._lang, self._may_open(tile.target), self)
            card.clicked.connect(self._on_target_clicked)
            self._tile_grid.addWidget(card, n // TILE_COLUMNS, n % TILE_COLUMNS)
            self.tiles[tile.key] = card
            if tile.key in self.previous:
                card.show_previous(self.previous[tile.key])
        self.charts = []
        for n, item in enumerate(dashboard.charts):
            targets = [t if self._may_open(t) else None for t in item.targets]
            panel = ChartPanel(item.chart, self._lang, targets, self)
            panel.target_clicked.connect(self._on_target_clicked)
            self._chart_grid.addWidget(panel, n // CHART_COLUMNS, n % CHART_COLUMNS)
            self.charts.append(panel)
        self.funnel_panel = None
        if funnel is not None:  # beside the charts: a stage is clicked like a bar
            self.funnel_panel = FunnelPanel(funnel, self._lang, "opportunities" in self._openable, self)
            self.funnel_panel.target_clicked.connect(self._on_target_clicked)
            n = len(self.charts)
            self._chart_grid.addWidget(self.funnel_panel, n // CHART_COLUMNS, n % CHART_COLUMNS)

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self.busy_bar.setVisible(loading)

    def _may_open(self, target: GridTarget | None) -> bool:
        return target is not None and target.module in self._openable

    # --------------------------------------------------------------- slots

    def _on_period_changed(self, _first: dt.date, _last: dt.date) -> None:
        self.reload()

    def _on_load_done(self, generation: int, dashboard: tuple[Dashboard, dict[str, Any], Any]) -> None:
        if generation != self._generation:
            return  # an older period's answer: the newer one is on its way
        self._set_loading(False)
        self._show(dashboard)
        self.loaded.emit()

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        present_error(self, exc, self._lang)

    def _on_target_clicked(self, target: GridTarget) -> None:
        self._open_filtered(target.module, tuple(target.filters))


def _load_all(service: Any, funnel: Callable[[], list[dict[str, Any]]] | None, first: dt.date, last: dt.date,
              lang: str) -> tuple[Dashboard, dict[str, Any], list[dict[str, Any]] | None]:
    """The period's dashboard, the previous period's tile values (the trends) and the funnel (background)."""
    dashboard = service.load(first, last, lang=lang)
    previous = service.period_tiles(*previous_range(first, last)) if hasattr(service, "period_tiles") else {}
    return dashboard, previous, funnel() if funnel is not None else None


def _clear(grid: QGridLayout) -> None:
    """Remove and delete a grid's widgets (a new period brings new cards)."""
    while grid.count():
        item = grid.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
