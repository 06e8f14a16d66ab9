"""The record actions of a module page: 新建 / 编辑 / 删除 / 刷新 / 导入 / 导出.

One set of :class:`QAction` per page, shown three ways: the page's tool bar (icon and
text), the grid's right-click menu and the main window's "Records" menu. Each action
is enabled by the role's rights and the selection, and its shortcut is written in its
tooltip and menus. Hiding or greying an action is a courtesy: crm_core checks every
right again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from crm_core.permissions import MODULE_NAMES, Action, rights
from crm_desktop.icons import ACCENT, icon

# Called by this name so that pyside6-lupdate finds every string with its context.
translate = QCoreApplication.translate


def with_shortcut(tip: str, action: QAction) -> str:
    """``tip`` followed by the action's shortcut as the user types it, e.g. "New record (Ctrl+N)"."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{tip} ({keys})" if keys else tip


class RecordActions(QObject):
    """The actions of ``page`` as seen by a user of ``role``.

    ``page`` offers ``module``, ``view``, ``model``, ``open_new()``, ``open_current()``,
    ``delete_selected()``, ``reload()``, ``bulk`` (or None) and ``transfer``.

    Attributes:
        new_action, edit_action, delete_action, refresh_action, import_action, export_action.
        toolbar: the page's tool bar holding them.
    """

    def __init__(self, page: Any, role: str, lang: str, *, signed_in: bool = True):
        """Create the actions; ``signed_in`` False (no actor): only opening and refreshing."""
        super().__init__(page)
        self._page = page
        may = rights(role).may if signed_in else (lambda _m, a: a is Action.READ)
        module = page.module
        self.may_create = may(module, Action.CREATE)
        self.may_update = may(module, Action.UPDATE)
        self.may_delete = page.bulk is not None and page.bulk.may_delete
        name = MODULE_NAMES[module](lang) if module in MODULE_NAMES else module

        self.new_action = self._action("newAction", "plus", translate("RecordActions", "&New"),
                                       QKeySequence.StandardKey.New, page.open_new, colour=ACCENT)
        if self.may_create:
            self.new_action.setToolTip(with_shortcut(
                translate("RecordActions", "Add a new record to %1").replace("%1", name), self.new_action))
        else:
            self.new_action.setToolTip(translate("RecordActions", "Your role may not add records to %1")
                                       .replace("%1", name))
        if self.may_update:
            self.edit_action = self._action("editAction", "pencil", translate("RecordActions", "&Edit"),
                                            QKeySequence("Ctrl+E"), page.open_current)
            edit_tip = translate("RecordActions", "Open the selected record to change it")
        else:  # a role that may only read opens the record to look at it
            self.edit_action = self._action("editAction", "eye", translate("RecordActions", "&View"),
                                            QKeySequence("Ctrl+E"), page.open_current)
            edit_tip = translate("RecordActions", "Open the selected record")
        self.edit_action.setToolTip(with_shortcut(edit_tip, self.edit_action) + " / "
                                    + translate("RecordActions", "double-click"))
        self.delete_action = self._action("deleteAction", "trash-2", translate("RecordActions", "&Delete"),
                                          QKeySequence(Qt.Key.Key_Delete), page.delete_selected)
        # Delete only while the grid has the focus: in the search box the key deletes text.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        page.view.addAction(self.delete_action)
        self.delete_action.setToolTip(
            with_shortcut(translate("RecordActions", "Delete the selected records"), self.delete_action)
            if self.may_delete else translate("RecordActions", "Your role may not delete records of %1")
            .replace("%1", name))
        self.refresh_action = self._action("refreshAction", "refresh-cw", translate("RecordActions", "&Refresh"),
                                           QKeySequence(Qt.Key.Key_F5), page.reload)
        self.refresh_action.setToolTip(with_shortcut(translate("RecordActions", "Load the list again"),
                                                     self.refresh_action))
        transfer = page.transfer
        self.import_action = self._action("importAction", "upload", translate("RecordActions", "&Import…"),
                                          QKeySequence("Ctrl+I"), transfer.open_import)
        self.import_action.setToolTip(with_shortcut(transfer.import_button.toolTip(), self.import_action))
        self.import_action.setVisible(transfer.import_button.isVisibleTo(page))
        self.export_action = self._action("exportAction", "download", translate("RecordActions", "E&xport…"),
                                          QKeySequence("Ctrl+Shift+E"), transfer.open_export)
        self.export_action.setToolTip(with_shortcut(transfer.export_button.toolTip(), self.export_action))
        self.export_action.setVisible(transfer.export_button.isVisibleTo(page))
        for action in (self.new_action, self.edit_action, self.refresh_action, self.import_action,
                       self.export_action):
            page.addAction(action)  # live while the page is shown (Qt checks visibility)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

        self.toolbar = QToolBar(page)
        self.toolbar.setObjectName("recordToolBar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.addActions([self.new_action, self.edit_action, self.delete_action])
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.refresh_action)
        separator = self.toolbar.addSeparator()
        # The import / export buttons stay the page's own (their dialogs hang off them).
        shown = []
        for button, picture in ((transfer.import_button, "upload"), (transfer.export_button, "download")):
            button.setIcon(icon(picture))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            visible = button.isVisibleTo(page)
            self.toolbar.addWidget(button).setVisible(visible)
            shown.append(visible)
        separator.setVisible(any(shown))
        if page.bulk is not None:
            page.bulk.button.setIcon(icon("list-checks"))
            visible = page.bulk.button.isVisibleTo(page)  # before the tool bar adopts (and hides) it
            self.toolbar.addSeparator().setVisible(visible)
            self.toolbar.addWidget(page.bulk.button).setVisible(visible)

        page.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        page.view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        self.menu: QMenu | None = None
        self.update_enabled()

    def _action(self, name: str, picture: str, text: str, keys: Any, slot: Callable[[], Any], *,
                colour: str | None = None) -> QAction:
        action = QAction(icon(picture, colour) if colour else icon(picture), text, self._page)
        action.setObjectName(name)
        action.setShortcut(keys)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def actions(self) -> list[QAction | None]:
        """The actions in menu order, None for a separator (for the main window's "Records" menu)."""
        return [self.new_action, self.edit_action, self.delete_action, None, self.refresh_action, None,
                self.import_action, self.export_action]

    def update_enabled(self) -> None:
        """Grey out what the role or the selection does not allow (called when the selection changes)."""
        selected = len(self._page.view.selectionModel().selectedRows()) if self._page.view.selectionModel() else 0
        self.new_action.setEnabled(self.may_create)
        self.edit_action.setEnabled(selected == 1)
        self.delete_action.setEnabled(self.may_delete and selected > 0)

    def context_menu(self) -> QMenu:
        """The right-click menu of the grid: the record actions, then the bulk actions the role may use."""
        menu = QMenu(self._page.view)
        menu.setObjectName("recordContextMenu")
        for action in self.actions():
            if action is None:
                menu.addSeparator()
            elif action.isVisible():
                menu.addAction(action)
        bulk = self._page.bulk
        extra = [a for a in (getattr(bulk, "assign_action", None), getattr(bulk, "status_action", None),
                             getattr(bulk, "deactivate_action", None)) if a is not None] if bulk else []
        if extra and bulk.may_update:
            menu.addSeparator()
            menu.addActions(extra)
        return menu

    def _on_view_custom_context_menu_requested(self, pos: QPoint) -> None:
        view = self._page.view
        index = view.indexAt(pos)
        if index.isValid() and not view.selectionModel().isRowSelected(index.row(), index.parent()):
            view.selectRow(index.row())  # right-click acts on the row under the mouse, as in Excel
        self.update_enabled()
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.context_menu()
        self.menu.popup(view.viewport().mapToGlobal(pos))


def add_to_menu(menu: QMenu, actions: list[QAction | None]) -> None:
    """Fill ``menu`` with ``actions`` (None: a separator), skipping hidden ones."""
    menu.clear()
    for action in actions:
        if action is None:
            menu.addSeparator()
        elif action.isVisible():
            menu.addAction(action)


def page_widget(widget: QWidget | None) -> Any:
    """``widget`` if it carries record actions (a module page), else None."""
    return widget if widget is not None and hasattr(widget, "record_actions") else None
