"""Export columns: a grid column's header and its values as the grid shows them, but typed.

The grid shows choice codes as labels, references by name, masked values as
masked and booleans as 是/否; an export does the same so that what a user
exports is what he saw. Numbers, money and dates stay numbers and dates so
spreadsheets can sum and sort them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.reports.cells import bool_text
from crm_core.reports.model import Kind

#: ``{(dictionary category, code): label}``
DictionaryLabels = Mapping[tuple[str, str], Text]

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

    def value(self, record: Mapping[str, Any]) -> Any:
        """The cell value for ``record``: typed for numbers and dates, the grid's words otherwise."""
        f = self.field
        if f.type is FieldType.REF:
            return record.get(f"{f.name}_display")
        value = record.get(f.name)
        if value is None:
            return None
        if f.name in (record.get("_masked") or ()):
            return str(value)  # masked by the service: exactly as on screen
        if f.type is FieldType.CHOICE:
            return self._choice_label(value)
        if f.type is FieldType.BOOL:
            return bool_text(value, self.lang)
        if self.kind is Kind.TEXT:
            return str(value)
        return value

    def _choice_label(self, code: Any) -> str:
        f = self.field
        if f.choices is not None:
            return str(f.choice_label(code, self.lang))
        label = self.labels.get((f.dictionary or "", code))
        return label(self.lang) if label is not None else str(code)


def dictionary_labels(entries: list[Mapping[str, Any]]) -> dict[tuple[str, str], Text]:
    """Dictionary records as labels; inactive entries kept, old records still hold their codes."""
    return {(e["category"], e["code"]): Text(e["label_zh"], e["label_en"]) for e in entries}


def export_columns(spec: EntitySpec, names: list[str] | None, lang: str,
                   labels: DictionaryLabels) -> list[ExportColumn]:
    """The columns for field ``names`` (None: the module's default grid columns), in that order.

    Raises:
        ValidationError: a name is not a field of the module, or none is given.
    """
    fields = list(spec.grid_fields) if names is None else [_field(spec, n) for n in names]
    if not fields:
        raise ValidationError([FieldError("columns", "required", Text(
            "导出：请至少选择一列", "Export: choose at least one column"))])
    return [ExportColumn(f, f.label(lang), _KINDS.get(f.type, Kind.TEXT), lang, labels) for f in fields]


def _field(spec: EntitySpec, name: str) -> Field:
    try:
        return spec.field(name)
    except KeyError:
        raise ValidationError([FieldError("columns", "unknown_field", Text(
            f"导出：未知列“{name}”", f"Export: unknown column '{name}'"))]) from None
