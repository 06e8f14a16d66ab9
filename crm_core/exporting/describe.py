"""A grid query in words, for the "filters used" line of an exported file.

"筛选：客户状态 = 成交客户；跟进人 = 张三；搜索：星辰；排序：公司名称 ↓" tells
whoever reads the file later which subset and order it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crm_core.i18n import Text
from crm_core.lists import Filter, ListQuery
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.reports.cells import bool_text

_ALL = Text("筛选：无（全部记录）", "Filters: none (all records)")
_FILTERS = Text("筛选：", "Filters: ")
_SEARCH = Text("搜索：{text}", "Search: {text}")
_SORT = Text("排序：", "Sort: ")
_EMPTY = Text("为空", "is empty")
_NOT_EMPTY = Text("不为空", "is not empty")
_CONTAINS = Text("包含", "contains")
_OPS = {"eq": "=", "ne": "≠", "gte": "≥", "lte": "≤", "in": "∈"}

#: ``(reference field, ids) -> {id: name}``: names for reference filter values.
RefNames = Callable[[Field, set[int]], Mapping[int, str]]


def describe_query(spec: EntitySpec, query: ListQuery, lang: str, value_text: Callable[[Field, Any], str],
                   ref_names: RefNames) -> str:
    """The filters, search and sort of ``query`` in ``lang``, joined into one line."""
    sep = "; " if lang.startswith("en") else "；"
    filters = _filters(query)
    parts = []
    if filters:
        named = _names_for(spec, filters, ref_names)
        parts.append(_FILTERS(lang) + sep.join(_filter_text(spec, f, lang, value_text, named) for f in filters))
    if query.search:
        parts.append(_SEARCH.format(text=query.search.strip())(lang))
    if query.sort:
        parts.append(_SORT(lang) + ", ".join(_sort_text(spec, s, lang) for s in query.sort))
    return sep.join(parts) if parts else _ALL(lang)


def _filters(query: ListQuery) -> list[Filter]:
    if isinstance(query.filters, dict):
        return [Filter(k, "eq", v) for k, v in query.filters.items()]
    return list(query.filters)


def _names_for(spec: EntitySpec, filters: list[Filter], ref_names: RefNames) -> dict[str, Mapping[int, str]]:
    """Display names of the records that reference filters point at, per field."""
    out: dict[str, Mapping[int, str]] = {}
    for f in filters:
        field = spec.all_fields.get(f.field)
        if field is None or field.type is not FieldType.REF:
            continue
        values = f.value if isinstance(f.value, (list, tuple, set)) else [f.value]
        ids = {int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())}
        if ids:
            out[field.name] = ref_names(field, ids)
    return out


def _filter_text(spec: EntitySpec, f: Filter, lang: str, value_text: Callable[[Field, Any], str],
                 named: dict[str, Mapping[int, str]]) -> str:
    field = spec.all_fields.get(f.field)
    label = field.label(lang) if field else f.field

    def one(v: Any) -> str:
        if v is None:
            return _EMPTY(lang)
        if field is None:
            return str(v)
        if field.type is FieldType.REF:
            return named.get(field.name, {}).get(int(v) if str(v).isdigit() else v, f"#{v}")
        if field.type is FieldType.BOOL:
            return bool_text(v, lang)
        return value_text(field, v)

    if f.op == "is_null":
        return f"{label} {(_EMPTY if f.value else _NOT_EMPTY)(lang)}"
    if f.op == "contains":
        return f"{label} {_CONTAINS(lang)} “{f.value}”"
    if f.op == "between":
        low, high = f.value
        return f"{label} {'' if low is None else one(low)} ~ {'' if high is None else one(high)}".rstrip()
    if f.op == "in":
        return f"{label} ∈ {{{', '.join(one(v) for v in f.value)}}}"
    return f"{label} {_OPS.get(f.op, f.op)} {one(f.value)}"


def _sort_text(spec: EntitySpec, item: str, lang: str) -> str:
    field = spec.all_fields.get(item.lstrip("-"))
    label = field.label(lang) if field else item.lstrip("-")
    return f"{label} {'↓' if item.startswith('-') else '↑'}"

