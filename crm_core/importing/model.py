"""Plain results of the importer: what a file holds, what a check found, what an import did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text


@dataclass(frozen=True)
class ImportSource:
    """A file opened for import: its format, encoding, sheet, header row, size and first rows as text."""

    path: Path
    format: str  # "xlsx" | "csv"
    encoding: str | None  # CSV only: "utf-8", "utf-8-sig", "gb18030"
    headers: list[str]
    row_count: int  # data rows, blank lines not counted
    preview: list[list[str]]
    header_row: int = 1  # 1-based spreadsheet row of the headers (found, or as the user chose)
    sheet: str | None = None  # the sheet read (xlsx)
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook (xlsx)
    top_rows: list[list[str]] = field(default_factory=list)  # the sheet's first rows, to pick another header row


@dataclass(frozen=True)
class RowError:
    """One problem in the file.

    Attributes:
        row: spreadsheet row number (the header is row 1).
        column: 0-based source column, None when the problem is the row as a whole.
        field: the field the column maps to, when there is one.
        message: what is wrong, naming the column and the value.
    """

    row: int
    column: int | None
    field: str | None
    message: Text


@dataclass(frozen=True, slots=True)  # (slots: a 100,000-row preview holds as many)
class RowUpdate:
    """A row naming an existing record by its key (the customer code; a contact by customer, name and
    phone): what importing it would change.

    Attributes:
        key: how the file names the record: its code or number; a contact's customer and phone
            ("北京星辰软件有限公司、13812345678"), beside ``title``, his name; ``key_en`` the same in English
            ("北京星辰软件有限公司, 13812345678"; None: as ``key``).
        version: the record's version when the file was checked; the import refuses the row
            (a conflict) if someone saved the record since.
        changes: field -> (stored value, value from the file), only fields that differ; the stored value
            as the actor reads it (an ID number masked for a role that may not read it).
        custom: custom field key -> raw value from the file.
        custom_changes: ``custom.<key>`` (the target's name, as the wizard labels it) -> (stored text,
            text from the file), only custom fields that differ, parsed by the custom-field rules.
        module: None for the import's own module; the companion's ("contacts") for the contact a row that
            updates a customer gives (``changes`` by the contact's own field names).
        new: that contact is not on the customer yet and is created (``record_id`` and ``version`` 0,
            ``changes`` field -> (None, value given)).
    """

    row: int
    record_id: int
    version: int
    key: str
    title: str
    changes: dict[str, tuple[Any, Any]]
    custom: dict[str, Any] = field(default_factory=dict)
    custom_changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    module: str | None = None
    new: bool = False
    key_en: str | None = None


@dataclass(frozen=True)
class UnknownValue:
    """A value of a choice column that is none of the field's choices, listed once for the value-mapping step.

    ``suggestion``: the code of the choice the value most likely means ("A类" -> "A", "零售业" -> 零售),
    preselected for the user to confirm; None when no choice stands out.
    """

    field: str
    text: str
    count: int
    first_row: int
    suggestion: str | None = None


@dataclass(frozen=True)
class ImportCheck:
    """Result of a dry run over every row (``updates``: rows that change existing records, for the preview;
    ``companions``: the contacts given on those rows, each updated or (``new``) created on its customer)."""

    total_rows: int
    valid_rows: int
    errors: list[RowError] = field(default_factory=list)
    updates: list[RowUpdate] = field(default_factory=list)
    companions: list[RowUpdate] = field(default_factory=list)
    # the sheet and header row the rows were read from (the error report reads its rows from the same)
    sheet: str | None = None
    header_row: int | None = None

    @property
    def creates(self) -> int:
        """How many new records the import would create."""
        return self.valid_rows - len(self.updates)

    @property
    def bad_rows(self) -> list[int]:
        """Spreadsheet row numbers with at least one problem, in order."""
        return sorted({e.row for e in self.errors})


@dataclass(frozen=True)
class ImportResult:
    """A committed import: its batch (for undo), how many rows went in and which were left out."""

    batch_id: int
    created: int
    skipped: int
    errors: list[RowError] = field(default_factory=list)
    updated: int = 0
    companions: int = 0  # records of the companion module created with them (a customer's contacts)
    companions_updated: int = 0  # existing contacts updated from rows that update their customers
    sheet: str | None = None  # the sheet and header row read (the error report reads its rows from the same)
    header_row: int | None = None


class ImportRejected(ValidationError):
    """The file has bad rows and the user did not choose to import only the valid ones; nothing was written.

    ``check`` holds every problem (the same as a dry run reports).
    """

    def __init__(self, check: ImportCheck):
        self.check = check
        bad = len(check.bad_rows)
        summary = FieldError("file", "bad_rows", Text(
            f"文件中有 {bad} 行有错误，未导入任何数据。", f"{bad} rows of the file have errors; nothing was imported."))
        super().__init__([summary, *(FieldError(e.field, "row", e.message, row=e.row) for e in check.errors)])
