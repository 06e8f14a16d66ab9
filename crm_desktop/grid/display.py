"""How one field value of a record reads in a grid cell, in the user's language.

Pure functions over crm_core metadata and plain record dicts: no Qt, no database,
so they are cheap to call from ``data()`` and easy to test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType

#: ``{(dictionary category, code): label}``, as built by :func:`dictionary_labels`.
DictionaryLabels = Mapping[tuple[str, str], Text]

#: Columns whose values line up on the decimal point.
NUMERIC_TYPES = frozenset({FieldType.MONEY, FieldType.INTEGER})

_BOOL_TEXT = {True: Text("是", "Yes"), False: Text("否", "No")}
_DEACTIVATED = Text("已失效：{reason}", "Deactivated: {reason}")


def dictionary_labels(entries: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Text]:
    """Turn ``DictionaryService.entries()`` records into the label mapping the grid reads.

    Inactive entries are kept on purpose: old records still hold their codes and
    must keep showing a label rather than a bare code.

    Args:
        entries: dictionary records with ``category``, ``code``, ``label_zh``, ``label_en``.

    Returns:
        ``{(category, code): Text(label_zh, label_en)}``.
    """
    return {(e["category"], e["code"]): Text(e["label_zh"], e["label_en"]) for e in entries}


def display_text(field: Field, record: Mapping[str, Any], lang: str,
                 labels: DictionaryLabels | None = None) -> str:
    """The text a grid cell shows for ``field`` of ``record``.

    Args:
        field: the column's field description.
        record: a plain record from a service (may carry ``<ref>_display`` and ``_masked``).
        lang: "zh_CN" or "en".
        labels: dictionary labels for dictionary-backed choice fields.

    Returns:
        The formatted value; an empty string for an empty value.
    """
    name = field.name
    value = record.get(name)
    if field.type is FieldType.REF:
        # The service resolves names (scoped to what the actor may see); never show a bare id.
        shown = record.get(f"{name}_display")
        return "" if shown is None else str(shown)
    if value is None:
        return ""
    if name in (record.get("_masked") or ()):
        return str(value)  # already masked by the service: show exactly that
    return format_value(field, value, lang, labels)


def format_value(field: Field, value: Any, lang: str, labels: DictionaryLabels | None = None) -> str:
    """Format a non-empty ``value`` of ``field`` for display (see :func:`display_text`)."""
    kind = field.type
    if kind is FieldType.CHOICE:
        return choice_label(field, value, lang, labels)
    if kind is FieldType.MONEY:
        return format_money(value)
    if kind is FieldType.BOOL:
        return _BOOL_TEXT[bool(value)](lang)
    if kind is FieldType.DATETIME and isinstance(value, dt.datetime):
        return format_datetime(value)
    if kind is FieldType.DATE and isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    if kind is FieldType.MULTILINE:
        text = " ".join(text.split())  # one grid line; the form shows the full text
    return text


def choice_label(field: Field, code: Any, lang: str, labels: DictionaryLabels | None = None) -> str:
    """Label of a choice code: fixed choices first, else the dictionary; the code if unknown."""
    if field.choices is not None:
        return str(field.choice_label(code, lang))
    if field.dictionary and labels:
        label = labels.get((field.dictionary, code))
        if label is not None:
            return label(lang)
    return str(code)


def format_money(value: Any) -> str:
    """``12345.6`` -> ``12,345.60`` (exact: Decimal, never float rounding)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        return f"{amount:,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def format_datetime(value: dt.datetime) -> str:
    """An aware timestamp in the computer's local time, to the minute; naive ones are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)  # crm_core only hands out UTC
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def deactivated_tooltip(record: Mapping[str, Any], lang: str) -> str | None:
    """Tooltip for a deactivated record, naming the reason; None for an active one."""
    if record.get("is_active", True):
        return None
    return _DEACTIVATED.format(reason=record.get("deactivated_reason") or "")(lang)
