"""The import wizard (批量导入): file → column mapping → check (dry run) → import, with undo.

It only drives ``session.imports`` (crm_core.importing.service.ImportService);
the rules — what is a valid row, all-or-nothing, undo as one unit, the IMPORT
right — live there. Every call runs in the background; the steps are in
:mod:`import_file_page`, :mod:`import_mapping_page`, :mod:`import_check_page`
and :mod:`import_run_page`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget, QWizard

from crm_core.permissions import MODULE_NAMES
from crm_desktop.background import run_in_background
from crm_desktop.transfer.import_check_page import CheckPage
from crm_desktop.transfer.import_file_page import FilePage
from crm_desktop.transfer.import_mapping_page import MappingPage
from crm_desktop.transfer.import_run_page import RunPage
from crm_desktop.transfer.texts import translate

Announce = Callable[[str, Any], None]  #: ``announce(module, None)``: the module's records changed


class ImportWizard(QWizard):
    """Four steps; the state they share lives here (plain values from crm_core).

    Attributes:
        module: the module imported into.
        source: the :class:`ImportSource` of the file read (None until read).
        fields: the module's importable fields.
        auto_mapping: the mapping crm_core suggested for the file's headers.
        mapping: the mapping the user confirmed.
        value_map: the user's answers in the value-mapping step (field -> value in the file -> code).
        declined: the (field, value) pairs whose suggested choice the user turned down ("leave as an error"):
            not preselected again when the value step is shown anew.
        check: the last :class:`ImportCheck` (None until checked).
        result: the :class:`ImportResult` (None until imported).
    """

    FILE, MAPPING, CHECK, RUN = range(4)

    def __init__(self, imports: Any, lang: str, module: str, *, announce: Announce, parent: QWidget | None = None):
        """A wizard importing into ``module`` (the user may choose another he may import into).

        Args:
            imports: the session's ImportService (``session.imports``).
            lang: "zh_CN" or "en" for crm_core's messages and field labels.
            module: the module preselected (the grid the wizard was opened from).
            announce: called with ``(module, None)`` after an import or an undo.
            parent: Qt parent.
        """
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.imports, self.lang, self.module, self.announce = imports, lang, module, announce
        self.source: Any = None
        self.fields: list[Any] = []
        self.keys: tuple[str, ...] = ()  # the fields a row may name an existing record by (none: no updates)
        self.auto_mapping: dict[int, str | None] = {}
        self.mapping: dict[int, str | None] = {}
        self.value_map: dict[str, dict[str, str]] = {}
        self.declined: set[tuple[str, str]] = set()
        self.check: Any = None
        self.result: Any = None
        self.setWindowTitle(translate("Transfer", "Import %1").replace("%1", MODULE_NAMES[module](lang)))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, translate("Transfer", "Import"))
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.run_page = RunPage(self)
        for page_id, page in ((self.FILE, self.file_page), (self.MAPPING, self.mapping_page),
                              (self.CHECK, self.check_page), (self.RUN, self.run_page)):
            self.setPage(page_id, page)
        self.resize(820, 560)
        run_in_background(imports.modules, done=self._on_modules_loaded, failed=lambda _exc: None)

    def reject(self) -> None:
        """Cancel (or Esc) while the import runs stops the import instead of leaving it behind."""
        for page in (self.check_page, self.run_page):
            if page.task.running:
                page.task.cancel()
                return
        super().reject()

    def _on_modules_loaded(self, modules: list[str]) -> None:
        # Failure is harmless: the preselected module stays the only choice, and
        # crm_core checks the right again on every call.
        if modules:
            self.file_page.set_modules(modules)
