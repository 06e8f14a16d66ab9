"""BulkWriter: many new records of one module per statement, with what the services derive.

See :mod:`crm_core.bulk` for the API contract.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from crm_core.bulk.rows import insert_rows, reserve_ids, update_rows
from crm_core.db.base import utcnow
from crm_core.db.engine import Database
from crm_core.errors import ErrorCollector, FieldError, RecordInactive, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import FieldType
from crm_core.models import AuditEntry, Contract, CustomerStatusChange, CustomFieldValue, Submitter
from crm_core.permissions import Action
from crm_core.services.codes import reserve_codes
from crm_core.services.values import mask, parse_value, to_plain
from crm_core.services.context import Actor
from crm_core.services.guards import BULK_REFS, WriteGuardsMixin, rules_with_others_later
from crm_core.validation import FieldProblem
from crm_core.services.registry import Services

DEFAULT_CHUNK = 5000
# Codes the services generate on insert: module -> (column, prefix).
CODES = {"customers": ("code", "C"), "tickets": ("number", "T")}
# Status a new record starts in whatever the caller sends (the services' _before_insert).
INITIAL_STATUS = {"customers": "prospect", "tickets": "open"}
STAMPS = ("created_at", "updated_at")
# Values to_plain leaves as they are (a snapshot's values of only these types need no conversion).
_PLAIN_TYPES = frozenset({str, type(None), int, bool, float})
# Field types whose values are not text once parsed (what the rules that read other rows compare).
_TYPED = frozenset({FieldType.INTEGER, FieldType.MONEY, FieldType.DATE, FieldType.DATETIME, FieldType.BOOL,
                    FieldType.REF})


@dataclass(frozen=True)
class Chunk:
    """One committed chunk: the new ids in input order, their versions, and the caller's source label."""

    module: str
    ids: list[int]
    versions: list[int]
    source: str | None
    done: int  # rows written so far in this call, this chunk included


# Modules whose system fields are looked up in the database when written (payments' customer, tickets' store):
# staged without ids, numbered inside the write transaction.
LOOKED_UP = frozenset({"payments", "tickets"})


@dataclass
class Block:
    """Ids and codes (per day) reserved ahead by :meth:`BulkWriter.reserve`, handed out in order."""

    ids: list[int]
    codes: dict[dt.date, list[str]]
    used: int = 0
    codes_used: dict[dt.date, int] = field(default_factory=dict)

    def take_ids(self, n: int) -> list[int]:
        if self.used + n > len(self.ids):
            raise ValueError(f"{n} ids wanted, {len(self.ids) - self.used} left in the block")
        self.used += n
        return self.ids[self.used - n:self.used]

    def take_codes(self, days: dict[dt.date, int]) -> dict[dt.date, list[str]] | None:
        """``days[day]`` codes of each day, or None (nothing taken) when the block lacks some (a day it was not
        reserved for: an import running past midnight, or rows given their own ``created_at``)."""
        if any(self.codes_used.get(d, 0) + n > len(self.codes.get(d, ())) for d, n in days.items()):
            return None
        out = {}
        for d, n in days.items():
            first = self.codes_used.get(d, 0)
            out[d], self.codes_used[d] = self.codes[d][first:first + n], first + n
        return out


@dataclass
class Staged:
    """Rows of one module made ready by :meth:`BulkWriter.stage`; ``ids`` None until they are numbered."""

    module: str
    rows: list[dict[str, Any]]
    search: bool
    now: dt.datetime | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    customs: list[dict[int, str | None]] = field(default_factory=list)
    ids: list[int] | None = None
    grams: list[tuple[Any, ...]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)
    audit: list[tuple[int | None, Any, Any]] = field(default_factory=list)


class RowView:
    """A stored row read as a record: its columns as attributes (what the services' update checks read of
    the record they change), an unknown name an AttributeError as on the model."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]):
        self._d = d

    def __getattr__(self, name: str) -> Any:
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class StagedUpdate:
    """Updates of one module checked by :meth:`BulkWriter.stage_update`, in input order (rows that change
    nothing included: they are written as nothing, keeping their version)."""

    module: str
    ids: list[int]
    versions: list[int]  # as read when staged: the write refuses a record no longer at it
    changed: list[dict[str, Any]]  # field -> new value, only fields whose value changes
    customs: list[dict[int, str | None]]  # definition id -> new text, only values that change
    stored: list[dict[int, str | None]]  # the records' stored custom values (present rows only)
    rows: list[dict[str, Any]]  # the stored rows


def _move_sqlite_sequence(s: Session, table: str, last: int) -> None:
    """SQLite: the table's AUTOINCREMENT counter moved to ``last`` (in the caller's write transaction), so that
    no insert by anyone hands out the ids up to it."""
    moved = s.execute(text("UPDATE sqlite_sequence SET seq = :last WHERE name = :t AND seq < :last")
                      .bindparams(t=table, last=last)).rowcount
    if not moved and s.scalar(text("SELECT count(*) FROM sqlite_sequence WHERE name = :t").bindparams(t=table)) == 0:
        s.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :last)").bindparams(t=table, last=last))


def chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


class BulkWriter:
    """Writes plain rows as new records of a module, acting as ``actor``."""

    def __init__(self, db: Database, actor: Actor, *, source: str | None = None, chunk_size: int = DEFAULT_CHUNK):
        self.db, self.actor, self.source, self.chunk_size = db, actor, source, chunk_size
        self.services = Services(db, actor)
        self._plans: dict[str, Any] = {}  # per module: what the audit snapshot holds

    # ------------------------------------------------------------------ public

    def insert(self, module: str, rows: Iterable[dict[str, Any]], *, validate: bool = False, search: bool = True,
               on_chunk: Callable[[Chunk], None] | None = None) -> list[int]:
        """Create records, one short transaction per chunk; returns the new ids in input order."""
        self.services[module]._require(Action.CREATE)
        out: list[int] = []
        for batch in chunks(rows, self.chunk_size):
            with self.db.unit_of_work(write=True) as s:
                ids = self.insert_in(s, module, batch, validate=validate, search=search)
                s.commit()
            out += ids
            if on_chunk is not None:
                on_chunk(Chunk(module, ids, [1] * len(ids), self.source, len(out)))
        return out

    def insert_in(self, s: Session, module: str, rows: list[dict[str, Any]], *, validate: bool = False,
                  search: bool = True) -> list[int]:
        """:meth:`insert` inside the caller's transaction (no rights check, no commit)."""
        return self.write_staged(s, self.stage(s, module, rows, validate=validate, search=search))

    def reserve(self, counts: dict[str, int]) -> dict[str, Block]:
        """Ids (and codes, for the modules that have them, dated today) for ``counts[module]`` new records,
        reserved in a short write transaction of their own, for :meth:`stage` to use outside any write
        transaction. Never handed out to anyone else (PostgreSQL: the table's sequence; SQLite: the
        table's ``sqlite_sequence`` moved past them). What a caller does not use stays a gap. Payments and
        tickets get no block: their rows are numbered where they are written (:data:`LOOKED_UP`)."""
        out: dict[str, Block] = {}
        day = utcnow().astimezone().date()
        with self.db.unit_of_work(write=True) as s:
            for module, n in counts.items():
                if n <= 0 or module in LOOKED_UP:  # numbered inside the write transaction (stage), never ahead
                    continue
                table = self.services[module].model.__table__
                ids = reserve_ids(s, table, n)
                if s.get_bind().dialect.name == "sqlite":
                    _move_sqlite_sequence(s, table.name, ids[-1])
                codes = reserve_codes(s, CODES[module][1], {day: n}) if module in CODES else {}
                out[module] = Block(ids, codes)
            s.commit()
        return out

    def stage(self, s: Session, module: str, rows: list[dict[str, Any]], *, validate: bool = False,
              search: bool = True, block: Block | None = None) -> Staged:
        """Everything of :meth:`insert_in` that writes nothing: the rows parsed (``validate``) or trusted with the
        module's defaults, their custom values checked, and, given a ``block`` of reserved ids and codes (and a
        module whose system fields need no look-up), also ids, codes, search entries, grams, the statements'
        rows and the audit snapshots. ``s`` may be a read unit of work. Raises ``ValidationError`` as
        :meth:`insert` does; :meth:`write_staged` writes the result inside the caller's write transaction."""
        st = Staged(module, rows, search)
        if not rows:
            return st
        svc = self.services[module]
        st.now = now = utcnow()
        s.info.setdefault("bulk_custom_definitions", {})  # custom field definitions: one query per module
        with rules_with_others_later(s):  # decided by write_staged over all the rows, under its locks
            checked = [self._full(s, svc, r, validate, i) for i, r in enumerate(rows)]
        st.records = [full for full, _ in checked]
        st.customs = [custom for _, custom in checked]
        uid = self.actor.user_id
        for rec, given in zip(st.records, rows, strict=True):
            rec["created_at"] = given.get("created_at") or now
            rec["updated_at"] = given.get("updated_at") or rec["created_at"]
            rec["created_by_id"] = rec["updated_by_id"] = uid
            rec["version"] = 1
        if block is not None and module not in LOOKED_UP and block.used + len(rows) <= len(block.ids):
            codes = block.take_codes(self._days(st.records)) if module in CODES else {}
            if codes is not None:
                self._number(s, st, block.take_ids(len(rows)), codes)
        return st

    def write_staged(self, s: Session, st: Staged) -> list[int]:
        """Write a :meth:`stage` result inside the caller's transaction (ids and codes reserved here when the
        stage had none), after the module's rules that read other rows (``_rules_with_others``) have passed over
        all its rows under their locks; returns the new ids in input order.

        Raises:
            ValidationError: a row refused by those rules (``row`` = its position), nothing written.
        """
        if not st.records:
            return []
        module, records = st.module, st.records
        svc = self.services[module]
        table = svc.model.__table__
        # The module's rules that read other rows (a payment within what its contract has outstanding), over
        # the whole chunk, each row seeing the earlier ones as written, against the state locked now (the
        # contracts FOR UPDATE, in id order; SQLite's write lock): as one create after another would decide them.
        refused = svc._rules_with_others(s, self._typed(svc, records))
        if refused:
            raise ValidationError(refused)
        if s.get_bind().dialect.name == "sqlite" and len(records) > 1000:
            # Big writes touch index pages all over the file: a larger page cache for this connection
            # (SQLite's default is 2 MB) saves re-reading them. Memory, not durability: 64 MB, as
            # 128 MB took a 100k-row import to 446 MB (target <= 400 MB), with no speed gained.
            s.connection().exec_driver_sql("PRAGMA cache_size = -65536")
        if st.ids is None:
            self._number(s, st, reserve_ids(s, table, len(records)), None)
        ids, uid = st.ids, self.actor.user_id
        insert_rows(s, table, st.columns, st.values)
        self._custom_in(s, ids, st.customs)
        if module == "customers":
            from crm_core.models import CustomerSearchGram

            insert_rows(s, CustomerSearchGram.__table__, ("gram", "kind", "customer_id"), st.grams)
            insert_rows(s, CustomerStatusChange.__table__, ("customer_id", "from_status", "to_status", "changed_at",
                                                            "changed_by_id"),
                        [(r["id"], None, "prospect", r["created_at"], uid) for r in records])
        if st.search and module == "contacts":  # only added: their grams, not their customers' rebuilt
            from crm_core.services import search_index

            search_index.add_contacts(s, sorted({r["customer_id"] for r in records}), ids)
        self._audit_in(s, module, st.audit, "create", st.now)
        return ids

    def update_in(self, s: Session, module: str, items: list[tuple[int, int, dict[str, Any]]]) -> list[int]:
        """Update many records inside the caller's write transaction: :meth:`stage_update` then
        :meth:`write_update` (no rights check, no commit). Returns the records' versions after it."""
        return self.write_update(s, self.stage_update(s, module, items))

    def stage_update(self, s: Session, module: str, items: list[tuple[int, int, dict[str, Any]]]) -> StagedUpdate:
        """Check updates ``(record id, version shown, changes)`` as ``EntityService.update`` checks them, writing
        nothing (``s`` may be a read unit of work): the records read in the actor's scope in one query per
        thousand, each change through the service's own :meth:`_checked_update` (parsing, read-only and masked
        fields, required, choices, references, uniqueness, the module's rules, custom fields) against its
        stored row and custom values, then the module's rules that read other rows over all of them at once,
        each seeing the earlier ones as written (no lock: :meth:`write_update` decides them again under its
        lock). ``changes`` may hold ``"custom": {key: value}``.

        Raises:
            ValidationError: every problem of every row, ``row`` = its position in ``items``; a record missing,
                out of scope or no longer at its version has the code ``conflict``.
        """
        svc = self.services[module]
        with rules_with_others_later(s):  # run below over all the rows at once, as write_update runs them
            return self._stage_update(s, svc, module, items)

    def _stage_update(self, s: Session, svc: Any, module: str,
                      items: list[tuple[int, int, dict[str, Any]]]) -> StagedUpdate:
        table = svc.model.__table__
        ids = [rid for rid, _, _ in items]
        rows: dict[int, dict[str, Any]] = {}
        for part in chunks(ids, 1000):
            rows.update((r["id"], dict(r)) for r in s.execute(
                select(table).where(table.c.id.in_(part), svc._scope_condition())).mappings())
        stored = self._stored_custom(s, svc, ids) if any("custom" in c for _, _, c in items) else {}
        s.info.setdefault("bulk_custom_definitions", {})  # custom field definitions: one query per module
        s.info.setdefault(BULK_REFS, {})  # each referenced record looked up once (guards._check_ref)
        st = StagedUpdate(module, [], [], [], [], [], [])
        errors: list[FieldError] = []
        seen: set[int] = set()
        at: list[int] = []  # each staged row's position in items
        for i, (rid, version, changes) in enumerate(items):
            row = rows.get(rid)
            if row is None or row["version"] != version or rid in seen:  # (a second change of one record: stale)
                errors.append(FieldError(None, "conflict", self._conflict_text(svc, rid, row), row=i))
                continue
            mine = stored.get(rid, {})
            try:
                changed, custom = svc._checked_update(s, RowView(row), dict(changes), stored_custom=mine)
            except ValidationError as exc:
                errors += [FieldError(e.field, e.code, e.message, row=i) for e in exc.errors]
                continue
            except RecordInactive as exc:
                errors.append(FieldError(None, "inactive", exc.message, row=i))
                continue
            seen.add(rid)
            st.ids.append(rid)
            st.versions.append(version)
            st.changed.append(changed)
            st.customs.append({d: v for d, v in custom.items() if mine.get(d) != v})
            st.stored.append(mine)
            st.rows.append(row)
            at.append(i)
        # The module's rules that read other rows, over the rows that passed, each seeing the earlier ones as
        # written; no lock taken here (write_update runs them again once it holds the records locked).
        errors += [FieldError(e.field, e.code, e.message, row=at[e.row])
                   for e in svc._rules_with_others(s, self._new_states(st), lock=False)]
        if errors:
            raise ValidationError(sorted(errors, key=lambda e: e.row))
        return st

    def _typed(self, svc: Any, records: list[dict[str, Any]]) -> list[tuple[None, dict[str, Any]]]:
        """New records as ``_rules_with_others`` reads them: trusted rows (``validate=False``) may give numbers,
        dates and references as text (written as the database reads them); those are parsed here."""
        if type(svc)._rules_with_others is WriteGuardsMixin._rules_with_others:
            return []  # the module has no such rules
        typed = [(f.name, f) for f in svc.spec.fields if f.type in _TYPED]
        out: list[tuple[None, dict[str, Any]]] = []
        for i, r in enumerate(records):
            text = [(name, f) for name, f in typed if type(r.get(name)) is str]
            if text:
                r = dict(r)
                for name, f in text:
                    try:
                        r[name] = parse_value(f, r[name])
                    except FieldProblem as exc:
                        raise ValidationError([FieldError(name, exc.code, Text(
                            f"{f.label.zh}：{exc.zh}", f"{f.label.en}: {exc.en}"), row=i)]) from None
            out.append((None, r))
        return out

    @staticmethod
    def _new_states(st: StagedUpdate) -> list[tuple[RowView, dict[str, Any]]]:
        """(the stored record, its full state after the change) of each staged row, for _rules_with_others."""
        return [(RowView(row), {**row, **changed}) for row, changed in zip(st.rows, st.changed, strict=True)]

    def write_update(self, s: Session, st: StagedUpdate) -> list[int]:
        """Write a :meth:`stage_update` result inside the caller's write transaction: the records locked
        (PostgreSQL ``FOR NO KEY UPDATE``; SQLite's write lock) and refused as a conflict if any is no longer at
        the version staged, the module's rules that read other rows (``_rules_with_others``) decided again
        against the locked state, then one UPDATE per set of changed fields, the custom values, the derived data
        (the module's ``_after_update_many``: customers' search index for those whose searched fields
        changed, contacts' for the customers they join or leave), and one "update" audit entry per changed
        record with the fields' values before and after, as the service writes them. A row that changes
        nothing writes nothing (its version stays). Returns the versions after, in order."""
        if not st.ids:
            return []
        svc = self.services[st.module]
        table = svc.model.__table__
        svc._lock_before_records(s, st.ids, st.changed)  # their parents first (contacts: their customers)
        now = {}
        for part in chunks(sorted(st.ids), 1000):  # in id order, as every writer locks (not the file's order)
            now.update(s.execute(select(table.c.id, table.c.version).where(table.c.id.in_(part), svc._scope_condition())
                                 .order_by(table.c.id).with_for_update(key_share=True)).all())
        stale = [FieldError(None, "conflict", self._conflict_text(svc, rid, None), row=i)
                 for i, (rid, v) in enumerate(zip(st.ids, st.versions, strict=True)) if now.get(rid) != v]
        if stale:
            raise ValidationError(stale)
        # The rules that read other rows (a contract's payments), decided again now that the records are locked:
        # what another save changed since the stage (a payment received) counts, as in the single update.
        refused = svc._rules_with_others(s, self._new_states(st))
        if refused:
            raise ValidationError(refused)
        at, uid = utcnow(), self.actor.user_id
        keys = {d.id: d.key for d in svc._definitions(s)}
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        new_custom, set_custom, audits, after_write, versions = [], [], [], [], []
        for rid, version, changed, custom, mine, row in zip(st.ids, st.versions, st.changed, st.customs, st.stored,
                                                            st.rows, strict=True):
            if not changed and not custom:
                versions.append(version)
                continue
            cols = tuple(changed)
            groups[cols].append((rid, *changed.values(), version + 1, at, uid))
            for d, value in custom.items():
                (set_custom if d in mine else new_custom).append((d, rid, value))
            # the service's snapshot before and after, of the changed fields only (what its audit entry keeps)
            before, after = self._snapshot(svc, row, changed), self._snapshot(svc, changed, changed)
            audits.append((rid, before | {f"custom.{keys[d]}": mine.get(d) for d in custom},
                           after | {f"custom.{keys[d]}": v for d, v in custom.items()}))
            after_write.append((RowView({**row, **changed, "version": version + 1, "updated_at": at,
                                         "updated_by_id": uid}), changed, RowView(row)))
            versions.append(version + 1)
        for cols, values in groups.items():
            update_rows(s, table, "id", (*cols, "version", "updated_at", "updated_by_id"), values)
        if set_custom:
            cv = CustomFieldValue.__table__
            s.execute(cv.update().where(cv.c.definition_id == bindparam("_d"), cv.c.record_id == bindparam("_r"))
                      .values(value=bindparam("_v")), [{"_d": d, "_r": r, "_v": v} for d, r, v in set_custom])
        insert_rows(s, CustomFieldValue.__table__, ("definition_id", "record_id", "value"), new_custom)
        svc._after_update_many(s, after_write)
        self._audit_in(s, st.module, audits, "update", at)
        return versions

    @staticmethod
    def _conflict_text(svc: Any, rid: int, row: dict[str, Any] | None) -> Text:
        title = row.get(svc.spec.title_field) if row is not None else None
        if title is None:
            return Text(f"{svc.spec.label.zh}（编号 {rid}）已被他人修改或删除",
                        f"{svc.spec.label.en} #{rid} was changed or deleted by someone else")
        return Text(f"{svc.spec.label.zh}“{title}”已被他人修改并保存", f"Someone else saved {svc.spec.label.en.lower()} '{title}' first")

    @staticmethod
    def _stored_custom(s: Session, svc: Any, ids: list[int]) -> dict[int, dict[int, str | None]]:
        """Record id -> definition id -> stored text (rows present, NULL values included) of these records."""
        defs = [d.id for d in svc._definitions(s)]
        out: dict[int, dict[int, str | None]] = {}
        if defs:
            for part in chunks(ids, 1000):
                for rid, d, value in s.execute(select(CustomFieldValue.record_id, CustomFieldValue.definition_id,
                                                      CustomFieldValue.value)
                                               .where(CustomFieldValue.definition_id.in_(defs),
                                                      CustomFieldValue.record_id.in_(part))):
                    out.setdefault(rid, {})[d] = value
        return out

    def change_status(self, steps: list[dict[str, Any]]) -> None:
        """Move customers along their status workflow, as ``CustomerService.change_status`` does, in one transaction.

        Each step is ``{"customer_id", "status", "at" (optional), "contract_number" (needed for "won"),
        "note" (optional)}``; steps of one customer apply in list order. Writes the status history,
        an audit entry per step and one new version per step.

        Raises:
            ValidationError: a move the workflow does not allow, or missing/wrong contract evidence
                (``row`` is the step's position; nothing is written).
        """
        self.services.customers._require(Action.UPDATE)
        with self.db.unit_of_work(write=True) as s:
            self.change_status_in(s, steps)
            s.commit()

    def change_status_in(self, s: Session, steps: list[dict[str, Any]]) -> None:
        from crm_core.models import Customer
        from crm_core.modules.customers import TRANSITIONS

        if not steps:
            return
        ids = sorted({st["customer_id"] for st in steps})
        state = {i: [st, v] for i, st, v in s.execute(select(Customer.id, Customer.status, Customer.version)
                                                       .where(Customer.id.in_(ids)).with_for_update())}
        numbers = {st["contract_number"] for st in steps if st.get("contract_number")}
        contracts = {(n, c): (i, a) for i, n, c, a in s.execute(select(
            Contract.id, Contract.number, Contract.customer_id, Contract.is_active)
            .where(Contract.number.in_(numbers)))} if numbers else {}
        now, uid = utcnow(), self.actor.user_id
        history, audits, last_at = [], [], {}
        for k, st in enumerate(steps):
            cid, status = st["customer_id"], st["status"]
            old = state[cid][0]
            if status not in TRANSITIONS.get(old, set()):
                raise ValidationError([FieldError("status", "transition", Text(
                    f"客户状态：不能从“{old}”改为“{status}”", f"Status: cannot change from '{old}' to '{status}'"), row=k)])
            contract = None
            if status == "won":
                contract = contracts.get((st.get("contract_number"), cid))
                if contract is None or not contract[1]:
                    raise ValidationError([FieldError("contract_number", "not_found", Text(
                        "合同编号：改为成交客户需要该客户的有效合同编号",
                        "Contract number: a won customer needs one of its active contract numbers"), row=k)])
            number = st.get("contract_number") if contract else None
            at = st.get("at") or now
            history.append((cid, old, status, at, uid, number, contract[0] if contract else None, st.get("note") or None))
            audits.append((cid, {"status": old}, {"status": status, "contract_number": number}))
            state[cid] = [status, state[cid][1] + 1]
            last_at[cid] = at
        insert_rows(s, CustomerStatusChange.__table__, ("customer_id", "from_status", "to_status", "changed_at",
                                                        "changed_by_id", "contract_number", "contract_id", "note"), history)
        update_rows(s, Customer.__table__, "id", ("status", "version", "updated_at", "updated_by_id"),
                    [(cid, state[cid][0], state[cid][1], last_at[cid], uid) for cid in last_at])
        self._audit_in(s, "customers", audits, "status", now)

    def refresh_search_in(self, s: Session, customer_ids: list[int]) -> None:
        """Rebuild the search text and index rows of these customers (from their stored values and contacts)."""
        from crm_core.services import search_index

        search_index.refresh(s, customer_ids)

    def audit_in(self, s: Session, module: str, action: str, entries: list[tuple[int | None, Any, Any]]) -> None:
        """Audit entries ``(record_id, before, after)`` by the actor, as the services write them."""
        self._audit_in(s, module, entries, action, utcnow())

    # --------------------------------------------------------------- internals

    def _number(self, s: Session, st: Staged, ids: list[int], codes: dict[dt.date, list[str]] | None) -> None:
        """What needs the records' ids and codes: system fields, search entries and grams, the rows of the
        insert and the audit snapshots. ``codes`` None: reserved here, in ``s`` (a write transaction)."""
        module, records, rows = st.module, st.records, st.rows
        svc = self.services[module]
        for rid, rec in zip(ids, records, strict=True):
            rec["id"] = rid
        self._system_fields(s, module, records, rows, codes)
        grams: list[tuple[Any, ...]] = []
        if module == "customers" and st.search:
            from crm_core.services import search_index

            # The rows of search_index.gram_rows(id, entry) of every record, in key order (gram, kind,
            # customer): the index B-tree is written page by page, not at random. Grouped by (gram, kind)
            # first: sorting a few thousand keys and then each group's ids is much cheaper than sorting
            # every row as a tuple.
            by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
            for r, given in zip(records, rows, strict=True):
                entry = search_index.derive(r["code"], r["name"], r.get("phone"), r.get("email"),
                                            given.get("_contacts", ()))
                r["search_text"], r["name_key"] = entry.search_text, entry.name_key
                rid = r["id"]
                for key in entry.grams:
                    by_key[key].append(rid)
            for key in sorted(by_key):
                ids_of = by_key[key]
                ids_of.sort()  # already in order when the ids are (a no-op pass)
                n = len(ids_of)
                grams.extend(zip(repeat(key[0], n), repeat(key[1], n), ids_of))
        st.grams = grams
        st.columns = columns = self._columns(svc.model.__table__, records)
        st.values = [tuple(map(r.get, columns)) for r in records]
        st.audit = list(zip(map(itemgetter("id"), records), repeat(None), self._snapshots(svc, records)))
        st.ids = ids

    @staticmethod
    def _days(records: list[dict[str, Any]]) -> dict[dt.date, int]:
        days: dict[dt.date, int] = defaultdict(int)
        for r in records:
            days[r["created_at"].astimezone().date()] += 1
        return days

    def _plan(self, svc: Any) -> tuple[list[tuple[str, Any]], bool]:
        plan = self._plans.get(svc.spec.module)
        if plan is None:
            plan = self._plans[svc.spec.module] = (
                [(f.name, f if f.sensitive else None) for f in svc.spec.fields],
                hasattr(svc.model, "is_active"))
        return plan

    def _snapshots(self, svc: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``[self._snapshot(svc, r) for r in records]`` (the same dicts, keys in the same order), worked out
        field by field over all the records: a field's values are looked up, masked and made plain (only where
        a value is not text, None or a number) in C loops rather than a Python step per value."""
        if not records:
            return []
        fields, deactivatable = self._plan(svc)
        names = [n for n, _ in fields]
        extra = ["is_active", "deactivated_reason"] if deactivatable else []
        columns = list(zip(*[list(map(r.get, names + extra)) for r in records]))
        for j, (_, f) in enumerate(fields):
            column = columns[j]
            if f is not None:
                column = columns[j] = [mask(f, v) for v in column]
            if not _PLAIN_TYPES.issuperset(map(type, column)):
                columns[j] = [v if v is None or type(v) is str else to_plain(v) for v in column]
        keys = names + extra
        return [dict(zip(keys, values)) for values in zip(*columns)]

    def _snapshot(self, svc: Any, record: dict[str, Any], only: Any = None) -> dict[str, Any]:
        """``svc._snapshot`` of a row given as a dict (same keys, masking and plain values; a test compares them);
        ``only``: of these fields only (the fields an update changes)."""
        fields, deactivatable = self._plan(svc)
        get = record.get
        out = {}
        if only is not None:
            fields, deactivatable = [(n, f) for n, f in fields if n in only], False
        for name, f in fields:
            value = get(name) if f is None else mask(f, get(name))
            # to_plain changes only decimals, dates and times: most values (text, None) skip the call
            out[name] = value if value is None or type(value) is str else to_plain(value)
        if deactivatable:
            out["is_active"] = record.get("is_active")
            out["deactivated_reason"] = record.get("deactivated_reason")
        return out

    def _full(self, s: Session, svc: Any, row: dict[str, Any], validate: bool,
              index: int) -> tuple[dict[str, Any], dict[int, str | None]]:
        """The record's full editable state: parsed and checked (``validate``) or trusted, with the module's
        defaults; and its custom values (definition id -> canonical text), always checked by the service's rules."""
        given = {name: row[name] for name in svc.spec.editable if name in row}
        custom = row.get("custom")
        try:
            if validate:
                full, _, values = svc._checked_new(s, {**given, "custom": custom} if custom else dict(given))
                return full, values
            full = {name: given.get(name) for name in svc.spec.editable}
            svc._apply_defaults(s, full, given)
            if not custom:
                return full, {}
            errors = ErrorCollector()
            values = svc._parse_custom(s, custom, None, errors)
            errors.raise_if_any()
            return full, values
        except ValidationError as exc:
            raise ValidationError([FieldError(e.field, e.code, e.message, row=index) for e in exc.errors]) from None

    @staticmethod
    def _custom_in(s: Session, ids: list[int], customs: list[dict[int, str | None]]) -> None:
        """The custom field values of new records, in one bulk insert (empty values are not stored)."""
        insert_rows(s, CustomFieldValue.__table__, ("definition_id", "record_id", "value"),
                    [(d, rid, value) for rid, custom in zip(ids, customs, strict=True)
                     for d, value in custom.items() if value is not None])

    def _system_fields(self, s: Session, module: str, records: list[dict[str, Any]], rows: list[dict[str, Any]],
                       reserved: dict[dt.date, list[str]] | None = None) -> None:
        """What ``_before_insert`` fills: codes (by the day the record is created; ``reserved`` ahead, or reserved
        here), first status, copied references."""
        if module in INITIAL_STATUS:
            for r in records:
                r["status"] = INITIAL_STATUS[module]
        if module in CODES:
            column, prefix = CODES[module]
            by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
            for r in records:
                by_day[r["created_at"].astimezone().date()].append(r)
            codes = reserved if reserved is not None else reserve_codes(
                s, prefix, {day: len(group) for day, group in by_day.items()})
            for day, group in by_day.items():
                for r, code in zip(group, codes[day], strict=True):
                    r[column] = code
        if module == "payments":
            owner = dict(s.execute(select(Contract.id, Contract.customer_id).where(
                Contract.id.in_({r["contract_id"] for r in records}))).all())
            for r in records:
                r["customer_id"] = owner[r["contract_id"]]
        if module == "tickets":
            subs = {r["submitter_id"] for r in records if r.get("submitter_id") and not r.get("store")}
            stores = dict(s.execute(select(Submitter.id, Submitter.store).where(Submitter.id.in_(subs))).all()) if subs else {}
            for r in records:
                if r.get("submitter_id") and not r.get("store"):
                    r["store"] = stores.get(r["submitter_id"])

    @staticmethod
    def _columns(table: Any, records: list[dict[str, Any]]) -> list[str]:
        keys = set().union(*records)
        out = []
        for col in table.columns:
            if col.name in keys:
                out.append(col.name)
            elif col.default is not None and col.default.is_scalar:
                for r in records:
                    r[col.name] = col.default.arg
                out.append(col.name)
        return out

    def _audit_in(self, s: Session, module: str, entries: list[tuple[int | None, Any, Any]], action: str,
                  at: dt.datetime) -> None:
        uid, login = self.actor.user_id, self.actor.login
        insert_rows(s, AuditEntry.__table__, ("at", "actor_id", "actor_login", "action", "module", "record_id",
                                              "before", "after", "flagged"),
                    [(at, uid, login, action, module, rid, before, after, False) for rid, before, after in entries])
