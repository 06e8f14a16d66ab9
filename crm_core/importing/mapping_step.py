"""The value-mapping step: an office's own words for dictionary values, each listed once.

A file says "IT/互联网" where our dictionary says "信息技术": instead of one
error per row, the wizard lists every distinct unknown value of each choice
column once; the user maps it to an entry (the answers travel as
``value_map``: field -> cell text -> code) or, as an administrator, adds it
to the dictionary there.
"""

from __future__ import annotations

import re
from typing import Any

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.importing.columns import Targets
from crm_core.importing.lookups import Lookups, fold
from crm_core.importing.model import UnknownValue
from crm_core.importing.reader import Table, cell_text
from crm_core.metadata import Field, FieldType
from crm_core.services.context import Context


def unknown_values(table: Table, mapping: dict[int, str], t: Targets, lookups: Lookups) -> list[UnknownValue]:
    """Distinct texts of the mapped choice columns that no choice (nor the user's mapping) covers, by field and first row."""
    found: dict[tuple[str, str], list[int]] = {}
    for col, name in mapping.items():
        if t.fields[name].type is not FieldType.CHOICE:
            continue
        known = lookups.choices.get(name, {})
        mapped = lookups.value_map.get(name, {})
        for i, row in enumerate(table.rows):
            cell = row[col] if col < len(row) else None
            if cell is None or not (text := cell_text(cell).strip()):
                continue
            key = fold(text)
            if key in known or key in mapped:
                continue
            seen = found.setdefault((name, key), [table.row_number(i), 0, text])  # type: ignore[list-item]
            seen[1] += 1
    return [UnknownValue(name, text, count, first, suggest(text, lookups.choice_items.get(name, []),
                                                          {c.code: c.aliases for c in t.fields[name].choices or ()}))
            for (name, _), (first, count, text) in found.items()]


# What offices add to a choice's own word: "A类", "A级", "B类客户", "零售业", "教育行业".
_SUFFIXES = ("类客户", "级客户", "行业", "客户", "类", "级", "业")
# A value saying what it is not ("不严重", "非金融", "无", "其他行业") is no guess for what it is.
_NEGATIONS = ("不", "非", "无", "未", "其他", "其它")


def suggest(text: str, items: list[tuple[str, str, str]], aliases: dict[str, tuple[str, ...]] | None = None) -> str | None:
    """The code of the one choice ``text`` most likely means, or None when none or several fit.

    A wrong preselection is worse than none, so only these count, in this order: the text is one
    of a fixed choice's ``aliases`` (重要客户 -> A); the text, or the text without a usual suffix
    (类, 级, 业, 行业, 客户 …), equals a choice's code or label (a label's note in brackets left
    out: "A（高价值）" is "A"); a word of the text is a choice's Latin code ("IT/互联网" -> it); the
    text starts with a Chinese label of two or more characters ("教育培训" -> 教育) and names no other
    choice after it ("现金支票" is no guess: 支票 is a choice too). A text that
    negates ("不严重", "非金融", "其他…") gets no guess, nor one a label merely appears in
    ("有限公司" is not 股份有限公司, "推广" not 展会推广, "单位" not 事业单位). A guess is only
    preselected and shown as one: the user confirms it.
    """
    key = fold(text)
    named = [code for code, words in (aliases or {}).items() if key in {fold(w) for w in words}]
    if len(named) == 1:
        return named[0]
    names = {code: {fold(n) for n in (code, zh, en, re.split(r"[（(]", zh)[0], re.split(r"[（(]", en)[0]) if n.strip()}
             for code, zh, en in items}
    exact = [code for code, ns in names.items() if key in ns]
    if len(exact) == 1:
        return exact[0]
    if key.startswith(_NEGATIONS):
        return None
    stem = next((key[:-len(s)] for s in _SUFFIXES if key.endswith(s) and len(key) > len(s)), key)
    exact = [code for code, ns in names.items() if stem in ns]
    if len(exact) == 1:
        return exact[0]
    words = set(re.split(r"[^0-9a-z]+", key)) - {""}
    coded = [code for code in names if fold(code) in words and len(code) >= 2]
    if len(coded) == 1:
        return coded[0]
    labels = {c: label for c, zh, _en in items
              if len(label := fold(re.split(r"[（(]", zh)[0])) >= 2 and not label.isascii()}
    leading = [code for code, label in labels.items() if key.startswith(label)]
    if len(leading) != 1:
        return None
    rest = key[len(labels[leading[0]]):]  # "现金支票" is a cheque, not cash: the rest names another choice
    return None if any(label in rest for label in labels.values()) else leading[0]


def add_dictionary_entry(ctx: Context, field: Field, label_zh: str, label_en: str | None) -> str:
    """Create a dictionary entry for a file's value through the dictionary service (its rights and rules)."""
    if field.type is not FieldType.CHOICE or not field.dictionary:
        raise ValidationError([FieldError(field.name, "fixed_choices", Text(
            f"{field.label.zh}：选项是固定的，不能添加", f"{field.label.en}: has fixed choices; none can be added"))])
    dictionary = ctx.services.dictionary
    label_zh = label_zh.strip()
    code = _code_for(label_en or label_zh, dictionary, field.dictionary)
    record: dict[str, Any] = dictionary.create({"category": field.dictionary, "code": code, "label_zh": label_zh,
                                                "label_en": (label_en or label_zh).strip()})
    return str(record["code"])


def _code_for(label: str, dictionary: Any, category: str) -> str:
    """A code for a new entry: the label's ASCII letters and digits, or "custom_<n>", unique in its category."""
    from crm_core.services.query import ListQuery

    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] or "custom"
    taken = {r["code"] for r in dictionary.list(ListQuery(filters={"category": category}, limit=500,  # type: ignore[arg-type]
                                                          include_inactive=True)).rows}
    code, n = base, 1
    while code in taken or code == "custom":
        n += 1
        code = f"{base}_{n}"
    return code
