"""Stored records named by the values of several fields at once, read once for a file (no query per row).

Two uses: a contact has no unique field, but its customer, name and phone name one person (the twin rule's
identity, ``EntitySpec.identity``), so a re-imported contacts list can update the contacts it names; a payment
has no number at all, so a row with the contract, date and amount of a payment already recorded
(``EntitySpec.repeats``) is most likely the same payment imported again.

A row's key is its values parsed as the services parse them (references as the ids the file's texts resolve
to, in the actor's scope; names stripped; phones normalised as stored), so it matches what the twin rule
compares. The records are read by IN lists of the referenced ids the rows name (indexed:
``ix_contacts_customer_id``, ``ix_payments_contract_id``), :data:`IN_PART` at a time, narrowed by the texts
(a contact's name) of the rows naming them, in the actor's row scope: a record he may not read is never found.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from crm_core.bulk.rows import max_parameters
from crm_core.importing.lookups import IN_PART, Lookups
from crm_core.importing.reader import Table, cell_text
from crm_core.metadata import FieldType
from crm_core.services import values as val

Key = tuple[Any, ...]


class RecordIndex:
    """The module's stored records (in the actor's scope) by the values of ``names``, for the file's rows."""

    def __init__(self, s: Session, service: Any, names: tuple[str, ...], table: Table | None,
                 column_of: dict[str, int], lookups: Lookups | None, *, active_only: bool,
                 columns: Iterable[Any] | None = None, wanted: dict[int, list[set[str]]] | None = None,
                 blanks: bool = False):
        """``columns``: what to read of each record (default the whole record); ``active_only``: deactivated
        records are left out. ``wanted``: the referenced ids the rows name, each with the texts (per text
        field of ``names``, in order) the rows naming it give, when the caller knows them (a customer row's
        contact: the customer the row updates); else read from ``table``'s columns (``column_of``).
        ``blanks``: a part that is neither the reference nor a text (a contact's phone) may be blank or not in
        the file, and then names the active records of that reference and texts whatever that part (update by
        key: a contacts list without phones names the customer's active contact of that name, see :meth:`get`;
        the twin rule never matches a blank)."""
        self.names = names
        self.blanks = blanks
        self.fields = [service.spec.field(n) for n in names]
        self.records: dict[Key, list[Any]] = {}
        # (blanks) the records by the key's reference and texts alone (a contact by customer and name, whatever
        # his phone): what a row with a blank phone names
        self.loose: dict[Key, list[Any]] = {}
        self.firsts: set[Any] = set()  # the references of the records found: a row naming none is looked at no more
        model = service.model
        # The first field must be a reference (a contact's customer, a payment's contract): the records are read by
        # the ids the rows name, a part of them at a time, each part with the texts (a contact's name) the rows
        # naming those ids give, so what is read follows the file's pairs, not the product of its columns.
        ref, *rest = self.fields
        texts = [f for f in rest if f.type is FieldType.TEXT]
        if ref.type is not FieldType.REF:
            raise AssertionError(f"{service.spec.module}: {names} must start with a reference")
        if wanted is None:
            assert table is not None and lookups is not None
            wanted = _wanted(table, column_of, lookups, ref, texts, service.spec.module, names)
        base = select(*(columns or (model,))).where(service._scope_condition()).order_by(model.id)
        if getattr(model, "erased_at", None) is not None:
            base = base.where(model.erased_at.is_(None))  # an erased person's data is no longer his
        if active_only:
            base = base.where(model.is_active.is_(True))
        ids = sorted(wanted)
        # One statement, its lists as parameters (compiled once, not thousands of placeholders per part): on
        # PostgreSQL an array each (= ANY), elsewhere an expanding IN.
        postgresql = s.get_bind().dialect.name == "postgresql"
        stmt = base.where(_within(getattr(model, ref.name), "ids", Integer, postgresql),
                          *(_within(getattr(model, f.name), f"texts{k}", String, postgresql)
                            for k, f in enumerate(texts)))
        # SQLite binds each value of a list: a part's texts (the names of one customer's 33,000 rows) are split
        # to stay within the connection's limit (a margin for the scope's own values)
        room = None if postgresql else max(1, max_parameters(s) - IN_PART - 100)
        for i in range(0, len(ids), IN_PART):
            part = ids[i:i + IN_PART]
            lists = [sorted(set().union(*(wanted[rid][k] for rid in part))) for k in range(len(texts))]  # its rows'
            for given in _within_room(part, lists, room):
                for found in (s.execute(stmt, given) if columns else s.scalars(stmt, given)):
                    key = tuple(getattr(found, n) for n in names)
                    if all(v is not None or (blanks and k > 0 and self.fields[k].type is not FieldType.TEXT)
                           for k, v in enumerate(key)):
                        self.records.setdefault(key, []).append(found)
                        self.firsts.add(key[0])
                        if blanks:
                            self.loose.setdefault(self.loosened(key), []).append(found)

    def key_of(self, values: dict[str, Any], *, stored_only: bool = True) -> Key | None:
        """The row's key from its converted cells, parsed as the service parses them; None when a part is
        blank or not valid (the row's own checks report that), or (``stored_only``) when no stored record has
        its reference (then no record can have its key; a new row's key for the file's later rows: False)."""
        if values.get(self.names[0]) is None or (stored_only and values.get(self.names[0]) not in self.firsts):
            return None  # (most rows of a file of new records: their parts are not parsed)
        key = []
        for f in self.fields:
            value = values.get(f.name)
            if value is None and self.blanks and f is not self.fields[0] and f.type is not FieldType.TEXT:
                key.append(None)  # (blank: the records where it is blank)
                continue
            if value is None:
                return None
            if f.type is not FieldType.REF:
                try:
                    value = val.parse_value(f, value)
                except val.v.FieldProblem:
                    return None
                if value is None:
                    return None
            key.append(value)
        return tuple(key)

    def loosened(self, key: Key) -> Key:
        """``key`` with its parts that are neither the reference nor a text blank (a contact's phone)."""
        return tuple(v if k == 0 or self.fields[k].type is FieldType.TEXT else None for k, v in enumerate(key))

    def blank(self, key: Key | None) -> bool:
        """Whether ``key`` has a blank part (a contact named without his phone: see :meth:`get`)."""
        return key is not None and self.blanks and None in key[1:]

    def told_apart(self, records: list[Any]) -> bool:
        """Whether ``records`` (of one blank key) differ in the part left blank: the part would tell them apart."""
        return len({tuple(getattr(o, n) for n in self.names) for o in records}) > 1

    def get(self, key: Key | None) -> list[Any]:
        """The stored records with this key, in id order. A key with a blank part (``blanks``: a contact's
        phone left blank or not in the file) names the active records of its reference and texts whatever that
        part (the customer's active contacts of that name, whatever their phones: a clerk naming 张三 without
        his phone means the 张三 he has); none active: those where it is blank."""
        if key is None:
            return []
        if self.blank(key):
            active = [o for o in self.loose.get(key, []) if getattr(o, "is_active", True)]
            if active:
                return active
        return self.records.get(key, [])


def _wanted(table: Table, column_of: dict[str, int], lookups: Lookups, ref: Any, texts: list[Any], module: str,
            names: tuple[str, ...]) -> dict[int, list[set[str]]]:
    """The referenced ids the table's rows name (their texts resolved in the actor's scope), each with the texts
    of ``texts`` the rows naming it give; rows with a blank part name no stored record."""
    index = lookups.refs.get(ref.ref or "")
    if index is None:
        raise AssertionError(f"{module}: {names} must start with a reference")
    cols = [column_of[f.name] for f in texts]
    ref_col = column_of[ref.name]
    wanted: dict[int, list[set[str]]] = {}
    found_of: dict[str, set[int]] = {}
    for r in table.rows:
        cell = r[ref_col] if ref_col < len(r) else None
        if cell is None:
            continue
        text = cell_text(cell).strip()
        ids = found_of.get(text)
        if ids is None:
            ids = found_of[text] = index.find(text) if text and "\x00" not in text else set()
        if not ids:
            continue
        given = [cell_text(r[col]).strip() if col < len(r) and r[col] is not None else "" for col in cols]
        if not all(given) or any("\x00" in t for t in given):
            continue  # a blank part: the row names no stored record
        for rid in ids:
            sets = wanted.setdefault(rid, [set() for _ in cols])
            for k, t in enumerate(given):
                sets[k].add(t)
    return wanted


def _within_room(ids: list[int], lists: list[list[str]], room: int | None) -> Iterable[dict[str, Any]]:
    """The parameters of the statement for ``ids`` and its text ``lists``, as one set, or (``room``: how many
    values the lists may bind together) as several sets, each list split so that their parts fit: every
    combination of the parts once (the conditions are ANDed: no pair is read twice)."""
    if room is None or sum(map(len, lists)) <= room:
        yield {"ids": ids, **{f"texts{k}": texts for k, texts in enumerate(lists)}}
        return
    size = max(1, room // max(1, len(lists)))
    for parts in itertools.product(*([texts[j:j + size] for j in range(0, len(texts), size)] for texts in lists)):
        yield {"ids": ids, **{f"texts{k}": texts for k, texts in enumerate(parts)}}


def _within(column: Any, name: str, kind: Any, postgresql: bool) -> Any:
    """``column`` among the values of parameter ``name`` (a list)."""
    if postgresql:
        return column == func.any(bindparam(name, type_=ARRAY(kind)))
    return column.in_(bindparam(name, expanding=True))


def repeats_stored(s: Session, service: Any, names: tuple[str, ...], records: list[dict[str, Any]],
                   mine: set[int], batch_id: int) -> list[tuple[int, Any]]:
    """(position, stored record's ``names`` values) of each of ``records`` (full new states) whose ``names``
    values are all an active stored record's in the actor's scope (a payment's contract, date and amount) that
    is neither one of ``mine`` (ids just written) nor an earlier chunk's of import ``batch_id`` (repeats within
    one file are allowed). Run in the import's write transaction with the first field's records locked (the
    contracts, by the module's rules that read other rows): two imports of one sheet at once are serialised,
    the second sees the first's payments."""
    from crm_core.models import ImportBatchRecord

    model = service.model
    cols = [getattr(model, n) for n in names]
    keys = [tuple(r.get(n) for n in names) for r in records]
    wanted = {k for k in keys if all(v is not None for v in k)}
    refs = sorted({k[0] for k in wanted})
    found: dict[Key, set[int]] = {}
    for i in range(0, len(refs), IN_PART):  # (a contract's payments: a few hundred at most, compared here)
        stmt = select(model.id, *cols).where(cols[0].in_(refs[i:i + IN_PART]), model.is_active.is_(True),
                                             service._scope_condition())
        for rid, *key in s.execute(stmt):
            if rid not in mine and tuple(key) in wanted:
                found.setdefault(tuple(key), set()).add(rid)
    if found:  # those an earlier chunk of this import wrote are the file's own repeats
        ids = sorted(set().union(*found.values()))
        ours: set[int] = set()
        for i in range(0, len(ids), IN_PART):
            ours.update(s.scalars(select(ImportBatchRecord.record_id).where(
                ImportBatchRecord.batch_id == batch_id, ImportBatchRecord.module.is_(None),
                ImportBatchRecord.record_id.in_(ids[i:i + IN_PART]))))
        found = {k: rids for k, rids in found.items() if rids - ours}
    return [(i, k) for i, k in enumerate(keys) if k in found]
