"""What cells are matched against, fetched once per import (not one query per row).

Choices by code or zh/en label, references by something a user can type
(customer code or exact company name, user login or name, a record's title),
and the keys that make a row a duplicate of a record already in the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, bindparam, select, true
from sqlalchemy.orm import Session

from crm_core import validation as v
from crm_core.metadata import EntitySpec, Field, FieldType
from crm_core.models import Customer, DictionaryEntry, User
from crm_core.services import search_index

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# How a grid (and so an export) shows a customer: "北京星辰软件有限公司 (C20261122001)"; the
# full-width brackets of earlier versions' exports are read too.
_NAME_WITH_CODE = re.compile(r"^(?P<name>.*)[（(](?P<code>[^（）()]+)[）)]$")


def fold(text: str) -> str:
    """Case- and width-insensitive form for matching what users type (labels, logins)."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def company_key(name: str) -> str:
    """Company names that differ only in case, width, spaces or punctuation are the same company.

    The key stored (and indexed) as ``customers.name_key`` by every path that writes a customer.
    """
    return search_index.name_key(name)


def phone_key(phone: str) -> str:
    """The digits of a phone number in its normalised form (the raw digits if it cannot be normalised)."""
    try:
        phone = v.normalize_phone(phone)
    except v.FieldProblem:
        pass
    return _NOT_DIGIT.sub("", phone)


_NOT_DIGIT = re.compile(r"\D")


@dataclass
class RefIndex:
    """Ids of one referenced module's records by the texts that name them (in the actor's scope)."""

    by_key: dict[str, set[int]] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)  # unique keys (customer codes, logins)
    active: dict[int, bool] = field(default_factory=dict)  # every id in scope -> whether it is active
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # users: id -> (role, name), for Field.pick

    def add(self, text: str | None, record_id: int) -> None:
        if text:
            self.by_key.setdefault(fold(text), set()).add(record_id)

    def find(self, text: str) -> set[int]:
        """Ids the text names: a unique key first, then the title, then "title（code）" as a grid shows it."""
        key = fold(text)
        if key in self.by_code:
            return {self.by_code[key]}
        ids = self.by_key.get(key)
        if ids:
            return ids
        m = _NAME_WITH_CODE.match(text.strip())
        if m and fold(m["code"]) in self.by_code:
            return {self.by_code[fold(m["code"])]}
        return set()


class Lookups:
    """Prefetched choices, references and duplicate keys for importing into one module."""

    def __init__(self, s: Session, services: Any, spec: EntitySpec, fields: list[Field],
                 value_map: dict[str, dict[str, str]] | None = None, ref_texts: dict[str, set[str]] | None = None,
                 key_texts: dict[str, set[str]] | None = None):
        """``ref_texts``: per referenced module, the distinct texts the file's reference cells hold; only the
        records those texts can name are read (none when not given). ``key_texts``: per duplicate key field
        (:func:`key_fields`), the distinct texts of the file's column; only records with those keys are read."""
        self.module = spec.module
        # The user's answers in the value-mapping step: field -> folded cell text -> choice code.
        self.value_map = {name: {fold(k): v for k, v in m.items()} for name, m in (value_map or {}).items()}
        self.choices: dict[str, dict[str, str]] = {}
        self.choice_items: dict[str, list[tuple[str, str, str]]] = {}  # field -> [(code, zh, en)]
        self.refs: dict[str, RefIndex] = {}
        self._load_choices(s, fields)
        for f in fields:
            if f.type is FieldType.REF and f.ref and f.ref not in self.refs:
                self.refs[f.ref] = _ref_index(s, services[f.ref], (ref_texts or {}).get(f.ref, set()))
        self.existing: dict[str, set[str]] = existing_keys(s, spec, key_texts or {})

    def choice_labels(self, name: str, lang: str) -> list[str]:
        """The labels of a choice field in ``lang``, in display order."""
        return [en if lang.startswith("en") else zh for _, zh, en in self.choice_items.get(name, [])]

    def _load_choices(self, s: Session, fields: list[Field]) -> None:
        categories = {f.dictionary for f in fields if f.type is FieldType.CHOICE and f.dictionary}
        entries = s.execute(select(DictionaryEntry.category, DictionaryEntry.code, DictionaryEntry.label_zh,
                                   DictionaryEntry.label_en).where(DictionaryEntry.category.in_(categories),
                                                                   DictionaryEntry.is_active.is_(True))
                            .order_by(DictionaryEntry.sort_order, DictionaryEntry.id)).all() if categories else []
        for f in fields:
            if f.type is not FieldType.CHOICE:
                continue
            if f.choices is not None:
                items = [(c.code, c.label.zh, c.label.en) for c in f.choices]
            else:
                items = [(code, zh, en) for cat, code, zh, en in entries if cat == f.dictionary]
            table: dict[str, str] = {}
            for code, zh, en in items:
                for text in (en, zh, code):  # the code wins over a label that happens to equal another code
                    table[fold(text)] = code
            self.choices[f.name] = table
            self.choice_items[f.name] = items


IN_PART = 500  # values per IN list


def ref_texts(rows: list[list[Any]], columns: dict[int, str]) -> dict[str, set[str]]:
    """Per referenced module, the distinct non-empty texts of the columns (column -> module) in ``rows``.

    A text holding NUL names no record (no stored text holds one: PostgreSQL cannot store it and the
    services refuse control characters), and PostgreSQL refuses it as a parameter: it is left out of the
    look-ups; its row is reported for the character.
    """
    from crm_core.importing.reader import cell_text

    out: dict[str, set[str]] = {}
    for col, module in columns.items():
        texts = out.setdefault(module, set())
        for r in rows:
            if col < len(r) and r[col] is not None and (text := cell_text(r[col]).strip()) and "\x00" not in text:
                texts.add(text)
    return out


def _variants(texts: set[str], *, codes: bool) -> list[str]:
    """The stored spellings a typed text can match (:meth:`RefIndex.find` decides among what they fetch).

    Stored texts are stripped (the services strip them) but not otherwise normalised: the typed text, its
    NFKC form, its case variants and Chinese and ASCII brackets both ways; "名称（编码）" adds the code.
    """
    out: set[str] = set()
    for text in texts:
        forms = {text, unicodedata.normalize("NFKC", text).strip()}
        if codes and (m := _NAME_WITH_CODE.match(text)):
            forms.add(m["code"].strip())
        for form in list(forms):
            forms |= {form.lower(), form.upper(), form.title(),
                      form.replace("(", "（").replace(")", "）"), form.replace("（", "(").replace("）", ")")}
        out |= forms
    return sorted(t for t in out if t)


def _ref_index(s: Session, target: Any, texts: set[str]) -> RefIndex:
    """The target module's records (in the actor's scope) that the file's texts can name, read by
    those texts in chunks of IN lists (indexed columns), so what is read follows the file, not the database.

    Users (logins and names) are few and read whole; their role and name serve Field.pick.
    """
    index = RefIndex()
    model = target.model
    if model is User:
        for rid, login, name, active, role in s.execute(select(User.id, User.login, User.name, User.is_active,
                                                               User.role).where(target._scope_condition())):
            index.by_code[fold(login)] = rid
            index.add(name, rid)
            index.active[rid] = active
            index.people[rid] = (role, name)
        return index
    if not texts:
        return index
    if model is Customer:
        names = _variants(texts, codes=True)
        for column in (Customer.code, Customer.name):  # one indexed look-up each (an OR of the two may scan)
            for i in range(0, len(names), IN_PART):
                for rid, code, name, active in s.execute(
                        select(Customer.id, Customer.code, Customer.name, Customer.is_active)
                        .where(column.in_(names[i:i + IN_PART]), target._scope_condition())):
                    index.by_code[fold(code)] = rid
                    index.add(name, rid)
                    index.active[rid] = active
        return index
    title = getattr(model, target.spec.title_field)
    flag = getattr(model, "is_active", None)
    columns = (model.id, title) if flag is None else (model.id, title, flag)
    if isinstance(title.type, String):
        names = _variants(texts, codes=False)
        conditions = [title.in_(names[i:i + IN_PART]) for i in range(0, len(names), IN_PART)]
    else:  # a title that is no text (a date): what it may name is not known from the texts
        conditions = [true()]
    for condition in conditions:
        for rid, text, *active in s.execute(select(*columns).where(condition, target._scope_condition())):
            index.add(str(text), rid)
            index.active[rid] = active[0] if active else True
    if "number" in target.spec.unique:  # contracts, tickets: the number is unique, typed as is
        index.by_code = {k: next(iter(ids)) for k, ids in index.by_key.items() if len(ids) == 1}
    return index


def row_keys(spec: EntitySpec, values: dict[str, Any]) -> dict[str, str]:
    """The duplicate keys of a row (field name -> key), from the cell texts of the mapped fields.

    In :func:`key_fields` order; a field whose value is blank or gives an empty key has none.
    """
    keys: dict[str, str] = {}
    for name, key_of in _key_functions(spec):
        value = values.get(name)
        if value is not None and (key := key_of(value)):
            keys[name] = key
    return keys


def _fold_key(value: Any) -> str | None:
    return fold(str(value)) if value != "" else None


def _company_key(value: Any) -> str | None:
    return company_key(str(value)) if value else None


def _phone_key(value: Any) -> str | None:
    return phone_key(str(value)) if value else None


def _unique_then(special: Any) -> Any:
    """A customer's name or phone that is also a unique field: its own key when given, else the folded text."""
    return lambda value: special(value) if value else _fold_key(value)


_KEY_FUNCTIONS: dict[int, tuple[EntitySpec, list[tuple[str, Any]]]] = {}


def _key_functions(spec: EntitySpec) -> list[tuple[str, Any]]:
    """(field, value -> key or None) per duplicate key field of the module, in :func:`key_fields` order;
    worked out once per spec (a file's every row asks)."""
    entry = _KEY_FUNCTIONS.get(id(spec))
    if entry is None or entry[0] is not spec:
        specials = {"name": _company_key, "phone": _phone_key} if spec.module == "customers" else {}
        functions: dict[str, Any] = {name: _fold_key for name in spec.unique}
        for name, special in specials.items():
            functions[name] = _unique_then(special) if name in functions else special
        entry = _KEY_FUNCTIONS[id(spec)] = (spec, list(functions.items()))
    return entry[1]


def key_fields(spec: EntitySpec) -> list[str]:
    """The fields whose value makes a row a duplicate of a record already in the database."""
    return list(spec.unique) + (["name", "phone"] if spec.module == "customers" else [])


def existing_keys(s: Session, spec: EntitySpec, texts: dict[str, set[str]]) -> dict[str, set[str]]:
    """The duplicate keys already in the database (across all records, not only the actor's) that the
    file's texts (field -> distinct cell texts) can have; records with other keys are not read.

    Each field is looked up by its own index with IN lists (:data:`IN_PART` values): unique fields (codes,
    numbers) by their spellings, a customer's name by its key (``ix_customers_name_key``), his phone by its
    normalised form (``ix_customers_phone``; the services store phones normalised). Which fetched record
    counts is decided by :func:`row_keys`, the same rule as before.
    """
    model = spec.model
    names = key_fields(spec)
    out: dict[str, set[str]] = {n: set() for n in names}
    key_functions = dict(_key_functions(spec))
    for name in names:
        given = {t for t in texts.get(name, ()) if t}
        if not given:
            continue
        key_of_value = key_functions[name]
        wanted = {k for t in given if (k := key_of_value(t))}
        if spec.module == "customers" and name == "name":
            column, values = Customer.name_key, sorted(wanted)  # (the name's key is company_key)
        elif spec.module == "customers" and name == "phone":
            column, values = model.phone, sorted({f for t in given for f in _phone_forms(t)})
        else:
            column, values = getattr(model, name), _variants(given, codes=False)
        # one statement per field with an expanding parameter: compiled once and cached, not rebuilt per part
        stmt = select(getattr(model, name)).where(column.in_(bindparam("values", expanding=True)))
        for i in range(0, len(values), IN_PART):
            for (stored,) in s.execute(stmt, {"values": values[i:i + IN_PART]}):
                key = key_of_value(stored) if stored is not None else None
                if key in wanted:
                    out[name].add(key)
    return out


def _phone_forms(text: str) -> set[str]:
    """How a typed phone number may be stored: normalised (as the services store it), or as typed."""
    forms = {text.strip(), unicodedata.normalize("NFKC", text).strip()}
    for form in list(forms):
        try:
            forms.add(v.normalize_phone(form))
        except v.FieldProblem:
            pass
    return {f for f in forms if f}
