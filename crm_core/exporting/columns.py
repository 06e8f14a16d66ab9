"""Export columns: a grid column's header and its values as the grid shows them, but typed.

The grid shows choice codes as labels, references by name, masked values as
masked and booleans as 是/否; an export does the same so that what a user
exports is what he saw. Numbers, money and dates stay numbers and dates so
spreadsheets can sum and sort them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field as dc_field
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.reports.cells import bool_text
from crm_core.reports.model import Kind

#: ``{(dictionary category, code): label}``
DictionaryLabels = Mapping[tuple[str, str], Text]
Record = Mapping[str, Any]

#: Column name prefix of a custom field ("custom.budget"); "custom.*" stands for all of them.
CUSTOM_PREFIX = "custom."
ALL_CUSTOM = "custom.*"

_KINDS = {FieldType.INTEGER: Kind.INTEGER, FieldType.MONEY: Kind.MONEY,
          FieldType.DATE: Kind.DATE, FieldType.DATETIME: Kind.DATETIME}


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: its field, its header in the reader's language, how its cells are typed."""

    field: Field
    header: str
    kind: Kind
    lang: str
    labels: DictionaryLabels
    custom: bool = False  # a custom field: its value is record["custom"][name], stored as text
    get: Callable[[Record], Any] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "get", self._getter())

    def value(self, record: Record) -> Any:
        """The cell value for ``record``: typed for numbers and dates, the grid's words otherwise."""
        return self.get(record)

    def _getter(self) -> Callable[[Record], Any]:
        """One small function per column: called for every cell of an export, so it decides nothing per cell.

        A masked value is a string in the record; every getter passes strings it
        does not know through unchanged, so masked values come out as on screen.
        """
        f = self.field
        if self.custom:
            return self._custom_getter()
        name = f.name
        if f.type is FieldType.REF:
            display = f"{name}_display"
            return lambda r: r.get(display)
        if f.type is FieldType.CHOICE or f.type is FieldType.BOOL:
            words = self.words()
            return lambda r: None if (v := r.get(name)) is None else words.get(v, v)
        if self.kind is Kind.TEXT:
            return lambda r: v if (v := r.get(name)) is None or v.__class__ is str else str(v)
        return lambda r: r.get(name)

    def words(self) -> dict[Any, str]:
        """Stored value -> the word the grid shows, for choice and boolean fields."""
        f = self.field
        if f.type is FieldType.BOOL:
            return {True: bool_text(True, self.lang), False: bool_text(False, self.lang)}
        if f.choices is not None:
            return {c.code: c.label(self.lang) for c in f.choices}
        return {code: label(self.lang) for (category, code), label in self.labels.items()
                if category == (f.dictionary or "")}

    def _custom_getter(self) -> Callable[[Record], Any]:
        """Custom values are stored as canonical text: typed back so numbers and dates stay numbers and dates."""
        key, t = self.field.name, self.field.type
        words = self.words() if t is FieldType.CHOICE else {}
        parse = _CUSTOM_PARSERS.get(t)

        def get(record: Record) -> Any:
            value = (record.get("custom") or {}).get(key)
            if value is None or value == "":
                return None
            if parse is not None:
                try:
                    return parse(value)
                except (ValueError, InvalidOperation):
                    return value
            return words.get(value, value)

        return get


_CUSTOM_PARSERS: dict[FieldType, Callable[[str], Any]] = {
    FieldType.INTEGER: int, FieldType.MONEY: Decimal, FieldType.DATE: dt.date.fromisoformat}


def dictionary_labels(entries: list[Mapping[str, Any]]) -> dict[tuple[str, str], Text]:
    """Dictionary records as labels; inactive entries kept, old records still hold their codes."""
    return {(e["category"], e["code"]): Text(e["label_zh"], e["label_en"]) for e in entries}


def export_columns(spec: EntitySpec, names: list[str] | None, lang: str, labels: DictionaryLabels,
                   custom: list[Field] | tuple[Field, ...] = ()) -> list[ExportColumn]:
    """The columns for field ``names`` (None: the module's default grid columns, then its custom fields).

    ``custom`` are the module's active custom fields (``as_field`` of their
    definitions); a name "custom.<key>" picks one, "custom.*" all of them.

    Raises:
        ValidationError: a name is not a field of the module, or none is given.
    """
    by_key = {f.name: f for f in custom}
    if names is None:
        names = [f.name for f in spec.grid_fields] + [ALL_CUSTOM]
    out: list[ExportColumn] = []
    for name in names:
        if name == ALL_CUSTOM:
            out += [_column(f, lang, labels, custom=True) for f in custom]
        elif name.startswith(CUSTOM_PREFIX):
            f = by_key.get(name[len(CUSTOM_PREFIX):])
            if f is None:
                raise _unknown(name)
            out.append(_column(f, lang, labels, custom=True))
        else:
            out.append(_column(_field(spec, name), lang, labels))
    if not out:
        raise ValidationError([FieldError("columns", "required", Text(
            "导出：请至少选择一列", "Export: choose at least one column"))])
    return out


def _column(f: Field, lang: str, labels: DictionaryLabels, *, custom: bool = False) -> ExportColumn:
    return ExportColumn(f, f.label(lang), _KINDS.get(f.type, Kind.TEXT), lang, labels, custom)


def _field(spec: EntitySpec, name: str) -> Field:
    try:
        return spec.field(name)
    except KeyError:
        raise _unknown(name) from None


def _unknown(name: str) -> ValidationError:
    return ValidationError([FieldError("columns", "unknown_field", Text(
        f"导出：未知列“{name}”", f"Export: unknown column '{name}'"))])
