"""Checking every row of a file in Python with the services' own rules, nothing written.

Each row's cells become raw values (:mod:`cells`), then go through the module
service's ``_checked_new`` (parsing, required fields, choices, references,
uniqueness, the module's rules, custom fields) exactly as a form's values do.
What those checks would look up row by row is fetched once for the whole
file and handed to them through the unit of work (``guards.BULK_*``), so the
rules are the services' and the queries are a handful per file. The module's
rules that read other rows (``_rules_with_others``: a payment against its
contract, a contact against its customer's contacts) run set-based over each
block of :data:`PROGRESS_EVERY` rows (:meth:`RowChecker.stream`; the dry run,
:meth:`RowChecker.run`, goes through the same blocks), each record seeing the
file's earlier rows. With update by key the stored records the rows name are
read a block at a time too, as plain rows, and let go with the block.

A row whose key (the customer code, a contract number; for contacts, which
have no unique field, their identity: customer, name and phone) names an
existing record is an update: its changes are compared with the stored record
for the preview; the update itself is checked again by the service's update
rules and written set-based (``BulkWriter.stage_update`` / ``write_update``)
when the import is written. Without "update by key" such a row is a duplicate.
A customer row that updates a customer and gives a contact updates that customer's contact with the same
name and phone, or creates the contact on it (``Prepared.companions``); never drops it.
A payment row with the contract, date and amount of a payment recorded is
refused as that payment imported again (``EntitySpec.repeats``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import ErrorCollector, FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.importing import limits
from crm_core.importing.cells import CellProblem, converter
from crm_core.importing.columns import Targets, update_option
from crm_core.importing.identity import Key, RecordIndex
from crm_core.importing.lookups import Lookups, _key_functions, row_keys
from crm_core.importing.model import RowError, RowUpdate
from crm_core.importing.reader import Table, cell_text
from crm_core.metadata import FieldType
from crm_core.models import CustomFieldValue
from crm_core.permissions import Action, rights, sees
from crm_core.services import values as val
from crm_core.services.guards import BULK_REFS, BULK_UNIQUE, RULES_WITH_OTHERS_LATER, WriteGuardsMixin

PROGRESS_EVERY = 500
# The record a row creates stands for itself where its companion refers to it (checks only, never written).
NEW_RECORD = -1


@dataclass
class NewRecord:
    """A row to create: the checked full state, custom values and the companion's full state."""

    row: int
    full: dict[str, Any]
    custom: dict[int, str | None]
    companion: dict[str, Any] | None = None
    companion_custom: dict[int, str | None] = field(default_factory=dict)


@dataclass
class Prepared:
    """Every row checked: rows seen (blank rows do not count), problems, records to create and to update."""

    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    creates: list[NewRecord] = field(default_factory=list)
    updates: list[RowUpdate] = field(default_factory=list)
    handed_on: int = 0  # records to create yielded by RowChecker.stream and not kept here
    # The contacts given on rows that update a customer, in row order: each an update of the customer's contact
    # with that customer, name and phone, or (``new``) a contact created on it; the records to create.
    companions: list[RowUpdate] = field(default_factory=list)
    companion_creates: list[NewRecord] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return len(self.creates) + self.handed_on + len(self.updates)


class RowChecker:
    """Checks a table's rows for one module within the caller's (read) unit of work."""

    def __init__(self, s: Session, services: Any, targets: Targets, lookups: Lookups, table: Table,
                 mapping: dict[int, str], *, update_by_key: bool):
        self.s, self.services, self.t, self.lookups, self.table = s, services, targets, lookups, table
        self.service = services[lookups.module]
        self.spec = self.service.spec
        self.mapping = mapping
        # per mapped column: (target name, its Field, its part, its name in its own module), looked up once
        self.columns = [(col, name, targets.fields[name], targets.part(name), targets.source_name(name))
                        for col, name in mapping.items()]
        # per mapped column: its cell converter (the field's branch chosen once, repeated texts resolved once)
        self.converters = [(col, name, f, converter(f, lookups)) for col, name, f, _part, _own in self.columns]
        # the same with whether a str cell is its own value (text fields: no converter call per cell)
        self.cell_plan = [(col, name, f, convert_cell, getattr(convert_cell, "plain", False))
                          for col, name, f, convert_cell in self.converters]
        # _split's three parts, each in column order: (mapping name, name in its own module)
        self.parts = ([(name, name) for _c, name, f, part, _o in self.columns if part == "main" and not f.read_only],
                      [(name, own) for _c, name, _f, part, own in self.columns if part == "companion"],
                      [(name, own) for _c, name, _f, part, own in self.columns if part == "custom"])
        self.column_of = {name: col for col, name in mapping.items()}
        self.seen: dict[str, dict[str, int]] = {name: {} for name in lookups.existing}
        self.update_by_key = update_by_key
        self.position = 0  # the next row to check
        self.key = next((n for n in self.spec.unique if n in self.column_of), None)
        # row_keys' fields (in its order) that have keys in the database, with what _duplicates needs of each
        self.duplicate_plan = [(name, key_of, self.spec.field(name), self.seen[name], lookups.existing[name])
                               for name, key_of in _key_functions(self.spec) if name in lookups.existing]
        # The stored records the rows name, read a block of rows at a time (:meth:`_read_block`) as plain rows:
        # a whole file's as ORM objects held for the run took a 100,000-row update by key past 600 MB.
        self.stored: dict[str, Any] = {}
        # A module with no unique key mapped names a record by its identity (contacts), all of it mapped: with
        # update by key such a row updates it, else it is a duplicate. Rows of the file by identity: the first.
        # With update by key the phone may be left out (a row names the customer's active contact of that name).
        identity = self.spec.identity if not self.key and (
            self._all_mapped(self.spec.identity) or (update_by_key and self._all_mapped(tuple(
                n for n in self.spec.identity if self.spec.field(n).type in (FieldType.REF, FieldType.TEXT))))) \
            else ()
        self.identity_names = identity
        model = self.spec.model
        # Without update by key, which keys are taken, for the whole file (a few columns); with it, the whole
        # records, a block at a time (:meth:`_read_block`).
        self.identity = RecordIndex(s, self.service, identity, table, self.column_of, lookups, active_only=False,
                                    columns=[model.id, model.is_active, *(getattr(model, n) for n in identity)]
                                    ) if identity and not update_by_key else None
        self.identity_rows: dict[int, int] = {}  # stored record id -> the row updating it
        # With update by key, the file's rows that create a record, by identity (blank phone included): a later
        # row naming the same one is "the same as row N" (else a re-check of the file finds two stored twins)
        self.new_identity_rows: dict[Key, int] = {}
        # (and by customer and name: a row without a phone names the one of that name an earlier row creates;
        # blank_rows: those a row without a phone creates, which a later row with his phone names)
        self.new_loose_rows: dict[Key, int] = {}
        self.new_blank_rows: dict[Key, int] = {}
        # A customer row that updates a customer may give a contact (the companion's columns): the contact that
        # customer has with that name and phone (its identity) is updated, else one is created on it.
        self.companion = services[targets.companion] if targets.companion else None
        self.companion_given = bool(update_by_key and self.key and self.companion and any(
            targets.part(n) == "companion" for n in mapping.values()))
        self.companion_index: RecordIndex | None = None
        self.companion_rows: dict[int, int] = {}  # stored contact id -> the row updating it
        self.block_read = -1  # the first row of the block whose stored records are read
        # The preview the user saw (an import after it): a row whose update is the one shown keeps the preview's
        # object, not a copy (a 100,000-row preview and the import's check are held at once). Cursors: row order.
        self.previewed: tuple[list[RowUpdate], list[RowUpdate]] = ([], [])
        self.shown_at = [0, 0]
        # Payments: the stored ones a row repeats (same contract, date and amount), active ones only.
        repeats = self.spec.repeats if self._all_mapped(self.spec.repeats) else ()
        self.repeats = RecordIndex(s, self.service, repeats, table, self.column_of, lookups, active_only=True,
                                   columns=[getattr(self.spec.model, n) for n in repeats]) if repeats else None
        # Whether the module has rules that read other rows (checked over blocks of records in stream).
        self.reads_others = type(self.service)._rules_with_others is not WriteGuardsMixin._rules_with_others
        # How many of the records handed on a session shows written (set by the importer while it writes;
        # None: none will be, or they no longer count). The records handed on since: pending, in order.
        self.written: Callable[[Session], int] | None = None
        self.pending: deque[NewRecord] = deque()
        self.landed = 0  # records handed on that were seen written (no longer in pending)
        self._prefetch()
        self.stored_custom: dict[int, dict[int, str | None]] = {}
        # The dry run writes nothing: the file's earlier records to create all count for the rules that read
        # other rows (by the value that ties them, rules_with_others_by), never pruned as written (run).
        self.earlier: dict[Any, list[NewRecord]] | None = None

    # ------------------------------------------------------------------ setup

    def _prefetch(self) -> None:
        """What the service's checks would query per row, fetched once (refs, unique values, definitions)."""
        s = self.s
        # As the services' reference check keeps them: (active, role, name) per id in scope.
        s.info[BULK_REFS] = {name: {rid: (active, *index.people.get(rid, (None, None)))
                                    for rid, active in index.active.items()}
                             for name, index in self.lookups.refs.items()}
        if self.t.companion:
            s.info[BULK_REFS].setdefault(self.spec.module, {})[NEW_RECORD] = (True, None, None)
        s.info["bulk_custom_definitions"] = {}
        # The rules that read other rows (a payment against its contract) run below without locks (this read
        # session stays open while the rows are written: a lock held here would block the writer); the write
        # decides them again over each chunk under its locks (BulkWriter.write_staged).
        s.info[RULES_WITH_OTHERS_LATER] = True
        unique: dict[tuple[str, str], dict[Any, int]] = {}
        for name in self.spec.unique:
            col = self.column_of.get(name)
            if col is None or self.spec.field(name).read_only:
                continue
            texts = {cell_text(r[col]).strip() for r in self.table.rows if col < len(r) and r[col] is not None}
            found: dict[Any, int] = {}
            column = getattr(self.spec.model, name)
            texts_list = sorted(texts)
            for i in range(0, len(texts_list), 500):
                found.update(dict(s.execute(select(column, self.spec.model.id).where(column.in_(texts_list[i:i + 500]))).all()))
            unique[(self.spec.module, name)] = found
        s.info[BULK_UNIQUE] = unique

    def _read_block(self, first: int) -> None:
        """With update by key: the stored records the rows ``first`` … ``first + PROGRESS_EVERY`` name, in the
        actor's scope, as plain rows (by key; by identity for contacts; the contacts of the customers the block
        updates), and their custom values; those of the block before are let go."""
        if first == self.block_read or not self.update_by_key:
            return
        self.block_read = first
        rows = _Rows(self.table.rows[first:first + PROGRESS_EVERY])
        model = self.spec.model
        self.stored = {}
        if self.key:
            col = self.column_of[self.key]
            keys = sorted({cell_text(r[col]).strip() for r in rows.rows if col < len(r) and r[col] is not None})
            if keys:
                stmt = select(model.__table__).where(getattr(model, self.key).in_(keys),
                                                     self.service._scope_condition())
                self.stored = {str(getattr(o, self.key)): o for o in self.s.execute(stmt)}
        if self.identity_names:
            # (blanks: a row with a blank phone names the customer's contact of that name who has none)
            self.identity = RecordIndex(self.s, self.service, self.identity_names, rows, self.column_of, self.lookups,
                                        active_only=False, columns=[model.__table__], blanks=True)
        if self.companion_given:
            self.companion_index = self._companion_index(rows)
        self.stored_custom = self._stored_custom()

    def _companion_index(self, rows: _Rows) -> RecordIndex | None:
        """The contacts of the customers the block's rows update, by customer, name and phone, for those rows."""
        assert self.companion is not None and self.key
        spec = self.companion.spec
        prefix = f"{self.t.companion}."
        texts = [self.column_of.get(prefix + f.name) for f in map(spec.field, spec.identity[1:])
                 if f.type is FieldType.TEXT]
        if any(col is None for col in texts):
            return None  # (a contact without his name is refused by the required check)
        key_col = self.column_of[self.key]
        wanted: dict[int, list[set[str]]] = {}
        for r in rows.rows:
            stored = self.stored.get(cell_text(r[key_col]).strip()) if key_col < len(r) and r[key_col] is not None \
                else None
            given = [cell_text(r[col]).strip() if col < len(r) and r[col] is not None else "" for col in texts]
            if stored is None or not all(given):
                continue
            for sets, text in zip(wanted.setdefault(stored.id, [set() for _ in texts]), given, strict=True):
                sets.add(text)
        model = self.companion.model
        return RecordIndex(self.s, self.companion, spec.identity, None, {}, None, active_only=False,
                           columns=[model.__table__], wanted=wanted, blanks=True)

    def _all_mapped(self, names: tuple[str, ...]) -> bool:
        return bool(names) and all(n in self.column_of for n in names)

    def _stored_custom(self) -> dict[int, dict[int, str | None]]:
        """Record id -> definition id -> stored text, for the records the file updates (custom columns only)."""
        named = [*self.stored.values(), *(o for found in (self.identity.records.values() if self.identity and
                                                           self.update_by_key else ()) for o in found)]
        if not named or not any(part == "custom" for _c, _n, _f, part, _o in self.columns):
            return {}
        defs = [d.id for d in self.service._definitions(self.s)]
        ids = sorted({o.id for o in named})
        out: dict[int, dict[int, str | None]] = {rid: {} for rid in ids}
        for i in range(0, len(ids), 500):
            for rid, def_id, value in self.s.execute(
                    select(CustomFieldValue.record_id, CustomFieldValue.definition_id, CustomFieldValue.value)
                    .where(CustomFieldValue.record_id.in_(ids[i:i + 500]), CustomFieldValue.definition_id.in_(defs))):
                out[rid][def_id] = value
        return out

    # ------------------------------------------------------------------- rows

    def run(self, progress: Callable[[int, int], None] | None, *, keep: bool = False) -> Prepared:
        """Every row checked, nothing written (the dry run, and update by key), through the same blocks as
        :meth:`stream`: the records to create also by the module's rules that read other rows, each seeing the
        file's earlier rows as written (all of them: none is). ``keep``: the records to create are kept in
        ``creates`` (update by key writes them after the updates); else only counted (``handed_on``: memory)."""
        result = Prepared()
        self.written = None
        self.earlier = {}
        kept = [record for record in self.stream(result, progress) if keep]
        result.creates, result.handed_on = kept, result.handed_on - len(kept)
        self.earlier = None
        return result

    def stream(self, result: Prepared, progress: Callable[[int, int], None] | None, *,
               release: bool = False, by_block: bool = True) -> Iterator[NewRecord]:
        """Check the rows not checked yet, in file order, into ``result``; yield the records to create (the
        writer can write them while the next rows are checked), counted in ``result.handed_on`` instead of
        kept in ``result.creates``. Resumable: a new call goes on after the last row checked.

        ``by_block``: the records of each block of :data:`PROGRESS_EVERY` rows are yielded once the module's rules
        that read other rows (a payment against its contract, the contact twin rule) have passed over the whole
        block at once, each record seeing the file's earlier rows as written: those the database shows (see
        :attr:`written`), then the ones handed on but not written yet (:attr:`pending`), then the block's
        earlier ones. A refused row is that row's error (as the dry run reports it); only the rows that pass
        are yielded. Without it (the dry run, :meth:`run`, which runs the rules over every record at the end)
        each record is yielded as soon as its row has passed the row's own checks.

        ``release``: end the unit of work's read transaction every :data:`PROGRESS_EVERY` rows (the checks
        read what was fetched up front; a long read transaction would keep SQLite from checkpointing what
        the importer writes meanwhile)."""
        rows = self.table.rows
        total = len(rows)
        start = len(result.creates)  # the block's records are result.creates[start:] until it is checked
        by_block = by_block and self.reads_others
        while self.position < total:
            i = self.position
            if i % PROGRESS_EVERY == 0:
                if by_block and len(result.creates) > start:
                    yield from self._handed_on(result, start)
                if release:
                    self.s.rollback()
                if progress:
                    progress(i, total)
            self._read_block(i - i % PROGRESS_EVERY)
            self.position += 1
            cells = rows[i]
            if all(c is None for c in cells):
                continue
            result.total += 1
            created = len(result.creates)
            self._row(self.table.row_number(i), cells, result)
            if not by_block and len(result.creates) > created:
                result.handed_on += 1  # not kept: the writer holds only the chunks in hand (memory)
                yield result.creates.pop()
        if by_block and len(result.creates) > start:
            yield from self._handed_on(result, start)
        if progress:
            progress(total, total)

    def _handed_on(self, result: Prepared, start: int) -> Iterator[NewRecord]:
        """The block's records, ``result.creates[start:]``, taken out of it (the writer holds only the chunks in
        hand: memory) but those the module's rules that read other rows refuse: their rows' errors."""
        block = result.creates[start:]
        del result.creates[start:]
        refused = self._refused(block)
        if refused:
            result.errors += [self._error(block[k].row, e, block[k].full) for k, e in refused]
            bad = {k for k, _ in refused}
            block = [r for k, r in enumerate(block) if k not in bad]
        if self.earlier is not None:  # the dry run: every earlier record counts, by what ties them
            by = self.service.rules_with_others_by
            for r in block:
                self.earlier.setdefault(r.full.get(by) if by else None, []).append(r)
        elif self.written is not None:
            self.pending.extend(block)
        result.handed_on += len(block)  # counted before they are taken: a consumer may stop half-way
        yield from block

    def _refused(self, block: list[NewRecord]) -> list[tuple[int, FieldError]]:
        """(position in ``block``, error) of the block's records the module's rules that read other rows refuse,
        in one call over the records handed on but not written yet and the block. Decided without locks (this
        read session stays open while the rows are written); the writer decides again under its locks."""
        by = self.service.rules_with_others_by
        keys = {r.full.get(by) for r in block} if by else set()
        while True:
            seen = self._prune()
            # of the earlier records, those the rules relate to the block's (all of them when the module says none)
            if self.earlier is not None and not by:
                earlier = list(self.earlier.get(None, ()))  # (in file order as they were added)
            elif self.earlier is not None:
                earlier = sorted((r for k in keys for r in self.earlier.get(k, ())), key=lambda r: r.row)
            else:
                earlier = [r for r in self.pending if r.full.get(by) in keys] if by else list(self.pending)
            items = [(None, r.full) for r in earlier] + [(None, r.full) for r in block]
            errors = self.service._rules_with_others(self.s, items, lock=False)
            # PostgreSQL reads each statement at its own moment: a chunk written between the count and the
            # rules' queries would be counted twice (stored and pending); then the block is checked again.
            if self.written is None or self.written(self.s) == seen:
                break
        n = len(earlier)
        return [(e.row - n, e) for e in errors if e.row is not None and e.row >= n]

    def _prune(self) -> int:
        """How many of the records handed on the database shows written; those are no longer pending."""
        if self.written is None:
            self.pending.clear()
            return 0
        seen = self.written(self.s)
        while self.pending and self.landed < seen:
            self.pending.popleft()
            self.landed += 1
        return seen

    def _row(self, row: int, cells: list[Any], result: Prepared) -> None:
        values, errors = self._values(row, cells)
        key = values.get(self.key) if self.key else None
        stored = self.stored.get(cell_text(key).strip()) if key is not None else None
        errors += self._duplicates(row, values, stored)
        code = cell_text(getattr(stored, self.key)) if stored is not None else ""
        key_text = Text(code, code)
        if self.identity is not None:
            stored, key_text, refused = self._by_identity(row, values, cells)
            if refused:  # a contact already here (or twice in the file): nothing more to say of the row
                result.errors.extend(errors + refused)
                return
        new_key = None
        if stored is None and self.identity is not None and self.update_by_key:
            new_key = self.identity.key_of(values, stored_only=False)
            first = self._new_row_of(new_key)
            if first is not None:  # a contact this file creates at an earlier row: created once
                result.errors.extend(errors + [self._same_row(row, values, cells, first, created=True)])
                return
        if self.repeats is not None:
            errors += self._repeated(row, values, cells)
        failed = {e.field for e in errors}
        main, companion, custom = self._split(values, failed)
        if stored is not None:
            update = self._update(row, stored, main, custom, errors, key_text)
            contact = self._companion_of(row, stored, companion, values, failed, errors) if companion else None
            if not errors and update is not None:
                result.updates.append(self._as_shown(update, 0))
                if self.identity is not None:  # the file's next rows naming it: "the same as row N"
                    self.identity_rows.setdefault(stored.id, row)
                if contact is not None:
                    result.companions.append(self._as_shown(contact[0], 1))
                    if not contact[0].new and self.companion_index is not None:  # "the same as row N" from now on
                        self.companion_rows.setdefault(contact[0].record_id, row)
                    if contact[1] is not None:
                        result.companion_creates.append(contact[1])
            result.errors.extend(errors)
            return
        record = NewRecord(row, {}, {})
        try:
            # (the module's rules that read other rows: over blocks of records, see stream and run)
            record.full, _, record.custom = self.service._checked_new(self.s, {**main, "custom": custom} if custom else main)
        except ValidationError as exc:
            errors += [self._error(row, e, values) for e in exc.errors if self._name(e.field, "main") not in failed]
        if companion:
            companion[self.t.companion_link] = NEW_RECORD
            try:
                record.companion, _, record.companion_custom = self.services[self.t.companion]._checked_new(self.s, companion)
            except ValidationError as exc:
                errors += [self._error(row, e, values, "companion") for e in exc.errors
                           if self._name(e.field, "companion") not in failed]
        if errors and record.full and self.reads_others:
            # A row refused already is in no block: its refusals by those rules too (against what is stored), so
            # that the user sees every problem of the row at once.
            errors += [self._error(row, e, values)
                       for e in self.service._rules_with_others(self.s, [(None, record.full)], lock=False)]
        if errors:
            result.errors.extend(errors)
        else:
            result.creates.append(record)
            if new_key is not None:
                self.new_identity_rows.setdefault(new_key, row)
                loose = self.identity.loosened(new_key)
                self.new_loose_rows.setdefault(loose, row)
                if self.identity.blank(new_key):
                    self.new_blank_rows.setdefault(loose, row)

    def _as_shown(self, update: RowUpdate, part: int) -> RowUpdate:
        """The preview's own object for this row's update when it is the same (``part`` 0: the records', 1: the
        contacts'), else ``update``."""
        shown, k = self.previewed[part], self.shown_at[part]
        while k < len(shown) and shown[k].row < update.row:
            k += 1
        self.shown_at[part] = k
        return shown[k] if k < len(shown) and shown[k] == update else update

    def _companion_of(self, row: int, customer: Any, given: dict[str, Any], values: dict[str, Any],
                      failed: set[str | None], errors: list[RowError]) -> tuple[RowUpdate, NewRecord | None] | None:
        """The contact a row updating ``customer`` gives (``given``: his fields by their own names): the
        customer's contact with that name and phone, updated by the row's other contact fields (checked again,
        by its version, when written); none: a contact created on the customer, checked as a new contact is
        (the twin rule against the customer's contacts: a file updates a customer from one row only). Appends the row's
        problems to ``errors``; None when there are any."""
        assert self.companion is not None and self.t.companion_link
        svc, link, prefix = self.companion, self.t.companion_link, f"{self.t.companion}."
        spec = svc.spec
        own = {**given, link: customer.id}
        customer_text = cell_text(getattr(customer, self.key or self.spec.title_field))
        key = self.companion_index.key_of(own) if self.companion_index is not None else None
        found = self.companion_index.get(key) if self.companion_index is not None else []
        name_col = self.column_of.get(prefix + spec.title_field)
        label = self.t.fields[prefix + spec.title_field].label
        name = cell_text(given.get(spec.title_field, ""))
        if found:
            assert key is not None
            # the phone as stored (a blank phone: the customer's contact of that name who has none)
            given_parts = [customer_text, *(cell_text(part) for part in key[2:] if part is not None)]
            key_text, key_en = "、".join(given_parts), ", ".join(given_parts)
            active = [o for o in found if o.is_active]  # a deactivated twin is not the one meant
            if len(active) > 1 and self.companion_index.blank(key) and self.companion_index.told_apart(active):
                errors.append(RowError(row, name_col, prefix + spec.title_field, Text(
                    f"{label.zh}：“{name}”在客户“{customer_text}”下有 {len(active)} 个同名的有效{spec.label.zh}，"
                    f"无法确定更新哪一个；请在文件中填写{spec.label.zh}的电话",
                    f"{label.en}: '{name}' matches {len(active)} active {spec.label.en.lower()}s of customer "
                    f"'{customer_text}' with this name; which one to update cannot be told: give the "
                    f"{spec.label.en.lower()}'s phone in the file")))
                return None
            if len(active) > 1:
                errors.append(RowError(row, name_col, prefix + spec.title_field, Text(
                    f"{label.zh}：“{name}”在客户“{customer_text}”下有 {len(active)} 个姓名和电话都相同的有效"
                    f"{spec.label.zh}，无法确定更新哪一个；请先将多余的设为失效或删除",
                    f"{label.en}: '{name}' matches {len(active)} active {spec.label.en.lower()}s of customer "
                    f"'{customer_text}' with the same name and phone; which one to update cannot be told: deactivate "
                    f"or delete the extra ones first")))
                return None
            obj = (active or found)[0]
            # (the first row that updates him: a row refused for its own cells updates nothing, see _row)
            first = self.companion_rows.get(obj.id, row)
            if first != row:
                errors.append(RowError(row, name_col, prefix + spec.title_field, Text(
                    f"{label.zh}：“{name}”与文件第 {first} 行是同一{spec.label.zh}（客户、姓名和电话都相同），只能更新一次",
                    f"{label.en}: '{name}' is the same {spec.label.en.lower()} as row {first} of the file (the same "
                    f"customer, name and phone); it can be updated once")))
                return None
            if not rights(svc.ctx.actor.role).may(spec.module, Action.UPDATE):
                errors.append(RowError(row, name_col, prefix + spec.title_field, Text(
                    f"{label.zh}：“{name}”（{key_text}）已是该客户的{spec.label.zh}，你无权修改{spec.label.zh}，此行未导入",
                    f"{label.en}: '{name}' ({key_en}) is already a {spec.label.en.lower()} of the customer and you "
                    f"may not change {spec.label.en.lower()}s; the row is not imported")))
                return None
            if not obj.is_active:
                errors.append(RowError(row, name_col, prefix + spec.title_field, Text(
                    f"{label.zh}：“{name}”（{key_text}）已失效，不能通过导入修改",
                    f"{label.en}: '{name}' ({key_en}) is deactivated and cannot be changed by an import")))
                return None
            changes: dict[str, tuple[Any, Any]] = {}
            for field_name, raw in given.items():
                f = spec.field(field_name)
                try:
                    new = val.parse_value(f, raw)
                except val.v.FieldProblem as exc:
                    errors.append(self._error(row, FieldError(field_name, exc.code, Text(
                        f"{f.label.zh}：{exc.zh}", f"{f.label.en}: {exc.en}")), values, "companion"))
                    continue
                old = getattr(obj, field_name)
                readable = sees(svc.ctx.actor.role, f.sensitive)
                # (as for the record's own fields, _update: a value the actor may not read listed whenever given)
                if new is not None and (new != old or not (readable or field_name in spec.identity)):
                    changes[field_name] = (old if readable else val.mask(f, old), new)
            return RowUpdate(row, obj.id, obj.version, key_text, str(obj.name), changes,
                             module=self.t.companion, key_en=key_en if key_en != key_text else None), None
        refs = self.s.info.get(BULK_REFS)
        if refs is not None:  # the customer is read already: no query per row for the reference check
            refs.setdefault(self.spec.module, {}).setdefault(customer.id, (bool(customer.is_active), None, None))
        try:
            full, _, custom = svc._checked_new(self.s, own)
        except ValidationError as exc:
            errors += [self._error(row, e, values, "companion") for e in exc.errors
                       if self._name(e.field, "companion") not in failed]
            return None
        refused = svc._rules_with_others(self.s, [(None, full)], lock=False)
        if refused:
            errors += [self._error(row, e, values, "companion") for e in refused]
            return None
        shown = {n: (None, full[n]) for n in given if full.get(n) is not None}
        given_parts = [customer_text, *(cell_text(full[n]) for n in spec.identity[2:] if full.get(n))]
        key_text, key_en = "、".join(given_parts), ", ".join(given_parts)
        return (RowUpdate(row, 0, 0, key_text, str(full.get(spec.title_field, "")), shown, module=self.t.companion,
                          new=True, key_en=key_en if key_en != key_text else None), NewRecord(row, full, custom))

    def _values(self, row: int, cells: list[Any]) -> tuple[dict[str, Any], list[RowError]]:
        """Mapping name -> raw value of the row's cells; problems of single cells."""
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        width = len(cells)
        longest, control = limits.MAX_CELL_CHARS, limits.CONTROL_CHARS.search
        for col, name, f, convert_cell, plain in self.cell_plan:
            cell = cells[col] if col < width else None
            if isinstance(cell, str):
                # limits.cell_problem's two tests inline (most cells pass both); its message when one fails
                if len(cell) > longest or control(cell):
                    problem = limits.cell_problem(cell)
                    if problem is not None:
                        errors.append(RowError(row, col, name,
                                               Text(f"{f.label.zh}：{problem.zh}", f"{f.label.en}: {problem.en}")))
                        continue
                if plain and type(cell) is str:  # convert_cell's own shortcut: blank is None, else the str
                    values[name] = cell if cell.strip() else None
                    continue
            try:
                values[name] = convert_cell(cell)
            except CellProblem as exc:
                errors.append(RowError(row, col, name, exc.message))
        return values, errors

    def _split(self, values: dict[str, Any], failed: set[str | None]) -> tuple[dict, dict, dict]:
        """(module values, companion values, custom values); blank cells are values not given (defaults apply)."""
        get = values.get
        out: tuple[dict, dict, dict] = ({}, {}, {})
        for plan, part in zip(self.parts, out):
            for name, own in plan:
                value = get(name)
                if value is not None and name not in failed:
                    part[own] = value
        return out

    def _update(self, row: int, obj: Any, main: dict[str, Any], custom: dict[str, Any],
                errors: list[RowError], key: Text) -> RowUpdate | None:
        """What the row changes in the stored record (parsed as the service parses; checked again when written).

        ``key``: how the file names the record (its code; a contact's customer and phone), in zh and en."""
        if not getattr(obj, "is_active", True):
            field = self.key or self.spec.title_field
            zh, en = (f"“{key.zh}”", f"'{key.en}'") if self.key else (f"“{getattr(obj, field)}”（{key.zh}）",
                                                                        f"'{getattr(obj, field)}' ({key.en})")
            errors.append(RowError(row, self.column_of.get(field), field, Text(
                f"{self.spec.label.zh}{zh}已失效，不能通过导入修改",
                f"{self.spec.label.en} {en} is deactivated and cannot be changed by an import")))
            return None
        collector_errors: list[FieldError] = []
        changes: dict[str, tuple[Any, Any]] = {}
        for name, raw in main.items():
            f = self.spec.field(name)
            try:
                new = val.parse_value(f, raw)
            except val.v.FieldProblem as exc:
                collector_errors.append(FieldError(name, exc.code, Text(f"{f.label.zh}：{exc.zh}", f"{f.label.en}: {exc.en}")))
                continue
            old = getattr(obj, name)
            readable = sees(self.service.ctx.actor.role, f.sensitive)
            # A value the actor may not read is listed whenever the file gives one, equal or not: a change listed
            # only when it differs would tell a salesman whether his file's ID number is the stored one. (A part
            # of the identity the row was matched by is the stored one, and the match says so already.)
            if new is not None and (new != old or not (readable or name in self.spec.identity)):
                # the preview shows the stored value as the actor may read it (an ID number masked for sales)
                changes[name] = (old if readable else val.mask(f, old), new)
        custom_changes = self._custom_changes(obj.id, custom, collector_errors)
        errors += [self._error(row, e, {**main, **{f"custom.{k}": raw for k, raw in custom.items()}})
                   for e in collector_errors]
        if collector_errors:
            return None
        return RowUpdate(row, obj.id, obj.version, key.zh, str(getattr(obj, self.spec.title_field)),
                         changes, dict(custom), custom_changes, key_en=key.en if key.en != key.zh else None)

    def _by_identity(self, row: int, values: dict[str, Any], cells: list[Any]) -> tuple[Any, Text, list[RowError]]:
        """(the stored record the row's identity names, how the file names it, the row's refusal): with update
        by key the record to update, once per file; without it, or a second row of the file naming it, a
        duplicate. A row naming no stored record (or not all of the identity) is new: the twin rule decides it
        with the file's other new rows (:meth:`stream`, :meth:`run`)."""
        assert self.identity is not None
        key = self.identity.key_of(values)
        found = self.identity.get(key)
        if not found:
            return None, Text("", ""), []
        assert key is not None
        title = self.spec.title_field
        f = self.spec.field(title)
        shown = self._identity_texts(values, cells, key)
        name = shown.pop(title)
        given = [t for t in shown.values() if t]  # (a blank phone: the contact by customer and name)
        key_text = Text("、".join(given), ", ".join(given))
        zh_parts, en_parts = self._identity_labels()
        label = self.spec.label
        active = [o for o in found if getattr(o, "is_active", True)]  # a deactivated twin is not the one meant
        obj = (active or found)[0]
        # (the first row that updates it: a row refused for its own cells updates nothing, see _row)
        first = self.identity_rows.get(obj.id, row) if len(active) <= 1 else row
        if not self.update_by_key:
            zh_given = "，".join(f"{self.spec.field(n).label.zh}“{t}”" for n, t in shown.items() if t)
            en_given = ", ".join(f"{self.spec.field(n).label.en.lower()} '{t}'" for n, t in shown.items() if t)
            tick = update_option(self.spec, self.identity.names)
            zh_what, en_what = ("已有的", "an existing") if active else ("一个已失效的", "a deactivated")
            zh_how, en_how = ("", "") if active else ("请先将它恢复有效，再", "reactivate it first, then ")
            msg = Text(f"{f.label.zh}：“{name}”（{zh_given}）与{zh_what}{label.zh}重复（{zh_parts}都相同），未导入；"
                       f"要用文件修改已有{label.zh}，{zh_how or '请'}勾选“{tick.zh}”",
                       f"{f.label.en}: '{name}' ({en_given}) duplicates {en_what} {label.en.lower()} (the same "
                       f"{en_parts}); it is not imported. To change existing {label.en.lower()}s from the file, "
                       f"{en_how}tick '{tick.en}'")
        elif first != row:
            return None, key_text, [self._same_row(row, values, cells, first)]
        elif len(active) > 1 and self.identity.blank(key) and self.identity.told_apart(active):  # (their phones differ)
            msg = Text(f"{f.label.zh}：“{name}”（{key_text.zh}）有 {len(active)} 个同名的有效{label.zh}，无法确定更新哪一个；"
                       f"请在文件中填写电话",
                       f"{f.label.en}: '{name}' ({key_text.en}) matches {len(active)} active {label.en.lower()}s with "
                       f"this name; which one to update cannot be told: give the phone in the file")
        elif len(active) > 1:
            msg = Text(f"{f.label.zh}：“{name}”有 {len(active)} 个{zh_parts}都相同的有效{label.zh}，无法确定更新哪一个；"
                       f"请先将多余的设为失效或删除",
                       f"{f.label.en}: '{name}' matches {len(active)} active {label.en.lower()}s with the same "
                       f"{en_parts}; which one to update cannot be told: deactivate or delete the extra ones first")
        else:
            return obj, key_text, []
        return None, key_text, [RowError(row, self.column_of.get(title), title, msg)]

    def _new_row_of(self, key: Key | None) -> int | None:
        """The earlier row of the file that creates the record ``key`` names (update by key), if any: the same
        key; a key without a phone: any of that customer and name; with one: also one created without a phone."""
        if key is None or self.identity is None:
            return None
        loose = self.identity.loosened(key)
        if self.identity.blank(key):
            return self.new_loose_rows.get(loose)
        return self.new_identity_rows.get(key) or self.new_blank_rows.get(loose)

    def _same_row(self, row: int, values: dict[str, Any], cells: list[Any], first: int,
                  created: bool = False) -> RowError:
        """The refusal of a row naming the same record (by identity) as row ``first`` of the file (``created``:
        a record that row creates)."""
        title = self.spec.title_field
        f = self.spec.field(title)
        label = self.spec.label
        zh_parts, en_parts = self._identity_labels()
        col = self.column_of.get(title)
        name = cell_text(cells[col]).strip() if col is not None and col < len(cells) and cells[col] is not None \
            else cell_text(values.get(title, ""))
        if created:
            return RowError(row, col, title, Text(
                f"{f.label.zh}：“{name}”与文件第 {first} 行是同一{label.zh}（{zh_parts}都相同），只能新建一次",
                f"{f.label.en}: '{name}' is the same {label.en.lower()} as row {first} of the file (the same "
                f"{en_parts}); it can be created once"))
        return RowError(row, col, title, Text(
            f"{f.label.zh}：“{name}”与文件第 {first} 行是同一{label.zh}（{zh_parts}都相同），只能更新一次",
            f"{f.label.en}: '{name}' is the same {label.en.lower()} as row {first} of the file (the same "
            f"{en_parts}); it can be updated once"))

    def _identity_texts(self, values: dict[str, Any], cells: list[Any], key: Key) -> dict[str, str]:
        """Each identity field's value as the file gives it (a reference as its cell's text), for messages."""
        out = {}
        for name, part in zip(self.identity.names if self.identity else (), key, strict=True):
            f = self.spec.field(name)
            col = self.column_of.get(name)
            out[name] = cell_text(cells[col]).strip() if f.type is FieldType.REF and col is not None \
                and col < len(cells) else cell_text(part)
        return out

    def _identity_labels(self) -> tuple[str, str]:
        """"客户、姓名和电话" / "customer, name and phone"."""
        names = self.identity.names if self.identity else ()
        return _joined([self.spec.field(n).label.zh for n in names], "、", "和"), \
            _joined([self.spec.field(n).label.en.lower() for n in names], ", ", " and ")

    def _repeated(self, row: int, values: dict[str, Any], cells: list[Any]) -> list[RowError]:
        """The row's refusal when a stored active record has all its ``repeats`` values (a payment with the
        same contract, date and amount): most likely the same record imported again."""
        assert self.repeats is not None
        key = self.repeats.key_of(values)
        if not self.repeats.get(key):
            return []
        assert key is not None
        names = self.repeats.names
        parts = {}
        for name, value in zip(names, key, strict=True):
            f = self.spec.field(name)
            col = self.column_of[name]
            parts[name] = (f, cell_text(cells[col]).strip() if f.type is FieldType.REF else cell_text(value))
        return [RowError(row, self.column_of[names[-1]], names[-1], repeat_message(self.spec, list(parts.values())))]

    def _custom_changes(self, record_id: int, custom: dict[str, Any],
                        errors: list[FieldError]) -> dict[str, tuple[str | None, str | None]]:
        """``custom.<key>`` -> (stored text, text the file gives), checked by the service's custom-field rules."""
        if not custom:
            return {}
        stored = self.stored_custom.get(record_id, {})
        collector = ErrorCollector()
        parsed = self.service._parse_custom(self.s, custom, record_id, collector, stored=stored)
        errors += collector.errors
        keys = {d.id: d.key for d in self.service._definitions(self.s)}
        return {f"custom.{keys[d]}": (stored.get(d), new) for d, new in parsed.items() if new != stored.get(d)}

    def _duplicates(self, row: int, values: dict[str, Any], stored: Any) -> list[RowError]:
        errors: list[RowError] = []
        own = row_keys(self.spec, {n: getattr(stored, n) for n in self.lookups.existing}) if stored is not None else {}
        texts: dict[str, str] = {}
        get = values.get
        # row_keys of the row's cell texts, field by field in its order
        for name, key_of, f, seen, existing in self.duplicate_plan:
            value = get(name)
            if value is None:
                continue
            texts[name] = text = cell_text(value)
            key = key_of(text)
            if not key:
                continue
            first = seen.setdefault(key, row)
            if key in existing and own.get(name) != key:
                if name == self.key and not self.update_by_key:
                    tick = update_option(self.spec, (name,))
                    msg = Text(f"{f.label.zh}：“{texts[name]}”与数据库中已有记录重复（要用文件修改已有记录，请勾选“{tick.zh}”）",
                               f"{f.label.en}: '{texts[name]}' duplicates a record already in the database "
                               f"(to change existing records from the file, tick '{tick.en}')")
                elif name == self.key:
                    msg = Text(f"{f.label.zh}：“{texts[name]}”不存在或无权访问", f"{f.label.en}: '{texts[name]}' does not exist or is not yours")
                else:
                    msg = Text(f"{f.label.zh}：“{texts[name]}”与数据库中已有记录重复",
                               f"{f.label.en}: '{texts[name]}' duplicates a record already in the database")
            elif first != row:
                msg = Text(f"{f.label.zh}：“{texts[name]}”与文件第 {first} 行重复",
                           f"{f.label.en}: '{texts[name]}' duplicates row {first} of the file")
            else:
                continue
            errors.append(RowError(row, self.column_of.get(name), name, msg))
        return errors

    # -------------------------------------------------------------- messages

    def _name(self, name: str | None, part: str) -> str | None:
        """The mapping name of a service error's field."""
        if name is None:
            return None
        if name.startswith("custom."):
            return name if part == "main" else None
        return f"{self.t.companion}.{name}" if part == "companion" else name

    def _error(self, row: int, e: FieldError, values: dict[str, Any], part: str = "main") -> RowError:
        name = self._name(e.field, part)
        if name not in self.t.fields:
            name = None
        message = e.message
        if part == "companion" and name is not None:
            message = relabel(message, self.services[self.t.companion].spec.field(self.t.source_name(name)).label,
                               self.t.fields[name].label)
        message = quoted(message, e.code, self._as_given(row, name, values))
        return RowError(row, self.column_of.get(name or ""), name, message)

    def _as_given(self, row: int, name: str | None, values: dict[str, Any]) -> Any:
        """The row's value of field ``name`` to quote: a reference as its cell's text (甲公司, not the id it
        resolved to)."""
        value = values.get(name) if name else None
        if value is None or self.t.fields[name].type is not FieldType.REF:
            return value
        col, index = self.column_of.get(name), row - self.table.header_row - 1
        cells = self.table.rows[index] if 0 <= index < len(self.table.rows) else []
        return cell_text(cells[col]).strip() if col is not None and col < len(cells) and cells[col] is not None \
            else value


class _Rows:
    """A block of a table's rows, where a table is read (:class:`RecordIndex`)."""

    def __init__(self, rows: list[list[Any]]):
        self.rows = rows


def repeat_message(spec: Any, parts: list[tuple[Any, str]]) -> Text:
    """A row refused as a stored record imported again (``EntitySpec.repeats``), told at its last field (a
    payment's amount); ``parts``: (field, value as told) of each of ``repeats``."""
    f_last, v_last = parts[-1]
    zh = "，".join(f"{f.label.zh}“{t}”" for f, t in parts)
    en = ", ".join(f"{f.label.en.lower()} '{t}'" for f, t in parts)
    label = spec.label
    return Text(
        f"{f_last.label.zh}：“{v_last}”：已有一笔{zh}都相同的{label.zh}，此行很可能是重复导入，未导入；"
        f"如确是另一笔{label.zh}，请在合同中单独添加它",
        f"{f_last.label.en}: '{v_last}': a {label.en.lower()} with the same {en} is already recorded; this row "
        f"is most likely the same {label.en.lower()} imported again and is not imported. If it really is "
        f"another {label.en.lower()}, add it on its own from the contract")


def _joined(items: list[str], sep: str, last: str) -> str:
    return items[0] if len(items) < 2 else sep.join(items[:-1]) + last + items[-1]


def quoted(message: Text, code: str, raw: Any) -> Text:
    """A refusal of ``raw`` with the value quoted, as the check and the write both tell it.

    Every refused value is quoted (a too-long one by its first characters: "地址：长度 202，超过上限 200"
    did not say which address) except a missing one, which has none.
    """
    return quote_value(message, raw) if raw is not None and code != "required" else message


def quote_value(message: Text, raw: Any) -> Text:
    """"电话：不是有效的手机号" -> "电话：“12345”不是有效的手机号" (long values shortened)."""
    text = cell_text(raw)
    if len(text) > 30:
        text = text[:30] + "…"
    zh_label, zh_sep, zh_rest = message.zh.partition("：")
    en_label, en_sep, en_rest = message.en.partition(": ")
    if not zh_sep or not en_sep or f"“{text}”" in zh_rest:
        return message
    return Text(f"{zh_label}：“{text}”{zh_rest}", f"{en_label}: '{text}' {en_rest}")


def relabel(message: Text, own: Text, shown: Text) -> Text:
    """A companion's message under the label the importer shows ("姓名：…" -> "联系人姓名：…")."""
    zh = shown.zh + message.zh[len(own.zh):] if message.zh.startswith(own.zh) else message.zh
    en = shown.en + message.en[len(own.en):] if message.en.startswith(own.en) else message.en
    return Text(zh, en)
