"""The generic module service: create / update / deactivate / reactivate / delete / get / list / search.

Every module's service is this class plus a short list of module rules. Each
public method is one unit of work that validates, checks permissions (module
action and row scope), writes the audit entry and checks the record version,
then commits; leaving early rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, bindparam, func, or_, select, true
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import ErrorCollector, FieldError, InUse, NotFound, PermissionDenied, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec
from crm_core.models import CustomerShare
from crm_core.permissions import Action, Scope, require, scope_of, sees
from crm_core.lists import Count
from crm_core.services import counting, values as val
from crm_core.services.context import Context
from crm_core.services.custom import CustomFieldsMixin
from crm_core.services.guards import WriteGuardsMixin
from crm_core.services.listing import ListingMixin
from crm_core.services.locks import id_order
from crm_core.services.records import RecordsMixin
from crm_core.services.query import ListQuery, Page, SortKey
from crm_core.services.references import blocking_references



class EntityService(ListingMixin, RecordsMixin, CustomFieldsMixin, WriteGuardsMixin):
    """Generic service over one :class:`EntitySpec`; subclasses add module rules."""

    spec: ClassVar[EntitySpec]

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.model = self.spec.model

    # ------------------------------------------------------------------ reads

    def get(self, record_id: int) -> dict[str, Any]:
        """One record as plain data, masked for the actor.

        Raises:
            NotFound: no such record, or outside the actor's row scope.
        """
        record = None
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            record = self._read(lambda s: self._one_record(s, record_id))
        if record is None:
            raise NotFound(Text(f"{self.spec.label.zh}（编号 {record_id}）不存在或无权访问。",
                                f"{self.spec.label.en} #{record_id} does not exist or is not yours to see."))
        return record

    def list(self, query: ListQuery | None = None) -> Page:
        """One page of records matching ``query``, in its order (keyset paging)."""
        query = query or ListQuery()
        return self._read(lambda s: self._page(s, query, confirm_actor=True))

    def _read(self, work: Any) -> Any:
        """``work(session)`` in one read-only transaction whose own statement re-reads the account.

        The right to read is checked with the role as last seen, and again when the
        statement finds another one (``work`` redoes itself then, see :meth:`_page`):
        no transaction of its own for the account check.
        """
        try:
            require(self.ctx.actor.role, self.spec.module, Action.READ)
        except PermissionDenied:
            self._require(Action.READ)  # with the account re-read: a right given since sign-in counts
        try:
            with self.ctx.db.unit_of_work(write=False) as s:
                return work(s)
        except PermissionDenied:
            # Database logins: the server refused a column the role as last seen could read.
            # If the role changed meanwhile, read again under the new one; else it stands.
            role = self.ctx.actor.role
            self.ctx.refresh_actor()
            if self.ctx.actor.role == role:
                raise
            return self._read(work)

    def count(self, query: ListQuery | None = None) -> int:
        """How many records match ``query`` (filters and search; paging ignored)."""
        self._require(Action.READ)
        query = query or ListQuery()
        with self.ctx.db.unit_of_work(write=False) as s:
            stmt = self._filtered(s, query, select(func.count()).select_from(self.model))
            return int(s.scalar(stmt) or 0)

    def quick_count(self, query: ListQuery | None = None) -> Count:
        """How many records match ``query``: exact when that is quick (25 ms), else an estimate flagged as one.

        For the grid's total: call it after (or beside) :meth:`list`, never before
        showing the page; show ``Count.exact`` False as approximate and call
        :meth:`count` when the user asks for the exact figure.
        """
        self._require(Action.READ)
        query = query or ListQuery()
        with self.ctx.db.unit_of_work(write=False) as s:
            stmt = self._filtered(s, query, select(func.count()).select_from(self.model))
            return counting.quick_count(s, self.model, stmt, plain=self._plain_count(query))

    def _plain_count(self, query: ListQuery) -> bool:
        """Whether every condition of ``query`` is a column test the planner estimates from statistics.

        Not a row scope (a subquery), a search (the planner cannot know a word's rows) or a
        "contains" filter (a pattern the statistics cannot tell).
        """
        filters = query.filters.values() if isinstance(query.filters, dict) else query.filters
        return (query.search is None and scope_of(self.ctx.actor.role, self.spec.module) is Scope.ALL
                and all(isinstance(query.filters, dict) or f.op != "contains" for f in filters))

    def search(self, text: str, *, limit: int = 50) -> Page:
        """Fuzzy search (at least two characters), first page."""
        return self.list(ListQuery(search=text, limit=limit))

    def export(self, query: ListQuery | None = None, *, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Every record matching ``query``, page by page, masked as on screen.

        Needs the export right, checked at the call (not at the first ``next()``);
        memory use stays at one page whatever the total.
        """
        self._require(Action.EXPORT)
        return self._export_pages(query or ListQuery(), batch)

    def _export_pages(self, query: ListQuery, batch: int) -> Iterator[dict[str, Any]]:
        cursor = query.after
        while True:
            with self.ctx.db.unit_of_work(write=False) as s:
                page = self._page(s, ListQuery(query.filters, query.search, query.sort, cursor,
                                               batch, query.include_inactive), max_limit=batch)
            yield from page.rows
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    # ----------------------------------------------------------------- writes

    def create(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate and insert a record; returns it as stored.

        Raises:
            ValidationError: field-level problems (nothing is written).
            PermissionDenied: the role may not create here.
        """
        self._require(Action.CREATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            obj = self._create_in(s, dict(values))
            self._commit(s)
            return self._records(s, [obj])[0]

    def update(self, record_id: int, changes: dict[str, Any], *, version: int) -> dict[str, Any]:
        """Change some fields of a record read at ``version``.

        Raises:
            ConcurrencyConflict: someone saved the record since ``version``; nothing written.
            RecordInactive: the record is deactivated (read-only).
            ValidationError, NotFound, PermissionDenied.
        """
        self._require_as_seen(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            self._lock_before_records(s, [record_id], [changes])  # (its parents first: see the hook)
            # The account and the custom field definitions are checked by the statement that locks the row.
            obj = self._load(s, record_id, for_update=True, confirm=Action.UPDATE)
            self._check_version(s, obj, version)
            self._update_in(s, obj, dict(changes))
            self._commit(s, obj)
            return self._records(s, [obj])[0]

    def bulk_update(self, records: Mapping[int, int], changes: dict[str, Any]) -> list[dict[str, Any]]:
        """Apply the same changes (e.g. a new owner) to many records, all or nothing.

        Args:
            records: record id -> the version the caller shows (in the caller's order).

        Raises:
            ValidationError: one error per failing record, its position in ``row``; a record
                someone changed since its version is reported with the code ``conflict``.
        """
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            if isinstance(records, Mapping):
                self._lock_before_records(s, list(records), [changes])
            objs = self._load_versions(s, records)
            for i, obj in enumerate(objs):
                try:
                    self._update_in(s, obj, dict(changes))
                except ValidationError as exc:
                    raise ValidationError([FieldError(e.field, e.code, e.message, row=i) for e in exc.errors]) from None
            self._commit(s)
            return self._records(s, objs)

    def _load_versions(self, s: Session, records: Mapping[int, int]) -> list[Any]:
        """Lock and load every record of a bulk action; refuse the lot if any changed since its version.

        Raises:
            ValidationError: one ``conflict`` error per stale record (``row`` = its position).
            NotFound: a record does not exist or is outside the scope.
        """
        if not isinstance(records, Mapping):
            raise TypeError("bulk actions take {record id: version shown}")
        objs, errors = [], []
        # Locked in id order, whatever the caller's: two bulk actions (or a merge) over overlapping records
        # never wait for each other in a circle.
        loaded = {rid: self._load(s, rid, for_update=True) for rid in sorted(records, key=id_order)}
        for i, (rid, version) in enumerate(records.items()):
            obj = loaded[rid]
            if obj.version != version:
                errors.append(FieldError(None, "conflict", self._conflict(s, obj).message, row=i))
            objs.append(obj)
        if errors:
            raise ValidationError(errors)
        return objs

    def deactivate(self, record_id: int, reason: str, *, version: int) -> dict[str, Any]:
        """Mark a record 失效 (read-only) with a reason; it stays visible.

        Raises:
            ConcurrencyConflict: someone saved the record since ``version``; nothing written.
        """
        self._require(Action.UPDATE)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError([FieldError("deactivated_reason", "required",
                                              Text("失效原因：不能为空", "Deactivation reason: is required"))])
        with self.ctx.db.unit_of_work(write=True) as s:
            # its parents first, as update and delete lock them (payments: the contract the rule locks)
            self._lock_before_records(s, [record_id])
            obj = self._load(s, record_id, for_update=True)
            self._check_version(s, obj, version)
            self._ensure_active(obj)
            before = self._snapshot(obj)
            obj.is_active, obj.deactivated_reason, obj.deactivated_at = False, reason[:200], utcnow()
            self._touch(obj)
            self._on_deactivate(s, obj)
            self._audit(s, "deactivate", obj.id, before, self._snapshot(obj))
            self._commit(s, obj)
            return self._records(s, [obj])[0]

    def reactivate(self, record_id: int, *, version: int) -> dict[str, Any]:
        """Make a deactivated record editable again (ConcurrencyConflict when changed since ``version``)."""
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            # its parents first, as update and delete lock them (payments: the contract the rule locks)
            self._lock_before_records(s, [record_id])
            obj = self._load(s, record_id, for_update=True)
            self._check_version(s, obj, version)
            if obj.is_active:
                return self._records(s, [obj])[0]  # nothing to do: no new version, no audit entry
            before = self._snapshot(obj)
            obj.is_active, obj.deactivated_reason, obj.deactivated_at = True, None, None
            self._on_reactivate(s, obj)
            self._touch(obj)
            self._audit(s, "reactivate", obj.id, before, self._snapshot(obj))
            self._commit(s, obj)
            return self._records(s, [obj])[0]

    def delete(self, record_id: int, *, version: int) -> None:
        """Delete a record nothing else refers to, as read at ``version``.

        Raises:
            ConcurrencyConflict: someone saved the record since ``version``; nothing deleted.
            InUse: other records refer to it; the message says which (deactivate instead).
        """
        self._require(Action.DELETE)
        with self.ctx.db.unit_of_work(write=True) as s:
            self.delete_in(s, record_id, version=version)
            self._commit(s)

    # ------------------------------------------- inside a caller's unit of work

    def create_in(self, s: Session, values: dict[str, Any]) -> Any:
        """Create one record inside the caller's unit of work, without committing.

        For bulk work (the importer) that writes many records as one unit: the
        same parsing, rules, codes and audit entry as :meth:`create`. The caller
        checks the rights and commits or rolls back.

        Returns:
            The new row, flushed (it has its id and version).
        """
        return self._create_in(s, dict(values))

    def check_new(self, s: Session, values: dict[str, Any]) -> None:
        """Check values as :meth:`create` would, writing nothing (the importer's fast dry run).

        Rules that need the record written (generated codes, rows added after
        the insert) are not run; the caller checks the rights.

        Raises:
            ValidationError: every problem found.
        """
        self._checked_new(s, dict(values))

    def delete_in(self, s: Session, record_id: int, *, version: int) -> None:
        """Delete one record inside the caller's unit of work, without committing.

        The path :meth:`delete` takes (scope, version check, references, audit);
        used by :meth:`delete` itself and by undoing an import. The caller checks the rights.

        Raises:
            NotFound, ConcurrencyConflict, InUse.
        """
        self._lock_before_records(s, [record_id])
        obj = self._load(s, record_id, for_update=True)
        self._check_version(s, obj, version)
        refs = blocking_references(s, self.model.__table__, obj.id)
        if refs:
            raise InUse(self._in_use_message(obj, refs), {k: n for k, (_, n) in refs.items()})
        before = self._snapshot(obj)
        self._before_delete(s, obj)
        s.delete(obj)
        self._audit(s, "delete", record_id, before, None)

    # ------------------------------------------------------ hooks (override)

    def _validate(self, s: Session, values: dict[str, Any], obj: Any | None, errors: ErrorCollector) -> None:
        """Module rules across fields. ``values`` is the full new state; ``obj`` the old row (None on create)."""

    def _before_insert(self, s: Session, obj: Any, values: dict[str, Any]) -> None:
        """Fill system-generated fields (codes, numbers) before the INSERT."""

    def _after_insert(self, s: Session, obj: Any) -> None:
        """Rows that go with a new record (it has its id now)."""

    def _after_write(self, s: Session, obj: Any, changed: dict[str, Any]) -> None:
        """Keep derived data in step (search index...) after insert or update."""

    def _on_deactivate(self, s: Session, obj: Any) -> None:
        """Extra work when a record is deactivated."""

    def _on_reactivate(self, s: Session, obj: Any) -> None:
        """Module rules a record must meet to count again (raise ValidationError to refuse)."""

    def _before_delete(self, s: Session, obj: Any) -> None:
        """Extra work before a record is deleted."""

    def _search_condition(self, s: Session, term: str) -> ColumnElement[bool]:
        """Rows matching a search term; the default scans the spec's search fields."""
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # A field the role reads masked is not searched: a match would reveal its hidden part.
        cols = [getattr(self.model, n) for n in self.spec.search_fields
                if sees(self.ctx.actor.role, self.spec.field(n).sensitive)]
        return or_(*(c.ilike(pattern, escape="\\") for c in cols))

    def _scope_condition(self) -> ColumnElement[bool]:
        """Rows the actor may see; customer-scoped modules restrict "own" roles."""
        if scope_of(self.ctx.actor.role, self.spec.module) is Scope.ALL:
            return true()
        customers = self.ctx.services.customers
        return self.model.customer_id.in_(select(customers.model.id).where(customers.owned_condition()))

    def _walks_scope(self, s: Session, keys: list[SortKey]) -> bool:
        """True when a salesperson's page of a customer-scoped module walks this table's index
        in the sort order, testing each row's customer (see :meth:`_page_scope`).

        For one who owns many customers (more than customers.OWNER_BOUND) and a sort the
        grid offers (``spec.grid_sorts``: an index of this table holds it). One who owns
        few has his customers' rows read through ``customer_id`` and sorted; a sort no
        index serves reads all of his rows and sorts them either way.
        """
        if (not self.spec.customer_scoped or self.spec.module == "customers" or self.spec.grid_sorts is None
                or scope_of(self.ctx.actor.role, self.spec.module) is Scope.ALL
                or keys[0].column.key not in self.spec.grid_sorts):
            return False
        few, _ = self.ctx.services.customers._scope_sizes(s, self.ctx.actor.user_id)
        return not few

    def _scope_plan(self, s: Session, keys: list[SortKey]) -> Any:
        return (*super()._scope_plan(s, keys), self._walks_scope(s, keys))

    def _page_scope(self, s: Session, keys: list[SortKey]) -> ColumnElement[bool]:
        """A salesperson's scope, stated so that a page walks the sort order's index.

        ``customer_id IN (his customers)`` makes both planners read all his customers'
        rows (through ix_<table>_customer_id, or a hash of his customers) and sort them:
        for a salesperson owning a sixth of 200,000 customers, 100-700 ms a page. His
        customer's owner read per row (a correlated scalar subquery, which neither
        planner turns into a join) lets them walk this table's index in the sort order
        and stop at the page's end: about page × (all customers / his) primary-key
        probes of customers. Shared customers: a set read once (few rows).
        """
        if not self._walks_scope(s, keys):
            return self._scope_condition()
        customers = self.ctx.services.customers.model
        uid = self.ctx.actor.user_id
        owner = select(customers.owner_id).where(customers.id == self.model.customer_id).scalar_subquery()
        return or_(owner == uid, self.model.customer_id.in_(
            select(CustomerShare.customer_id).where(CustomerShare.user_id == uid)))

    # -------------------------------------------------------------- internals

    def _require(self, action: Action) -> None:
        self.ctx.require(self.spec.module, action)

    def _require_as_seen(self, action: Action) -> None:
        """Check ``action`` against the role as last seen; the account is re-read only if that refuses.

        For a call whose first statement confirms the account itself (``_load(confirm=...)``):
        a write then needs no transaction of its own for the check.
        """
        try:
            require(self.ctx.actor.role, self.spec.module, action)
        except PermissionDenied:
            self._require(action)  # with the account re-read: a right given since sign-in counts

    def _load(self, s: Session, record_id: Any, *, for_update: bool = False, confirm: Action | None = None) -> Any:
        """The record in the actor's scope (NotFound if none).

        ``confirm``: the same statement also reads the actor's account (see
        :meth:`Context.actor_role_now`) and the custom field definitions' stamp. A
        deactivated account is refused, a changed role is held to ``confirm`` and its
        scope, and the definitions this service last read are used for the rest of the
        unit of work when the stamp says they are still the current ones.
        """
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            record_id = None
        # Kept per actor, role and kind (the scope holds the actor's id): building the statement and
        # its cache key cost more than running it.
        shape = (self.ctx.actor.user_id, self.ctx.actor.role, for_update, confirm is not None)
        cache = self.__dict__.setdefault("_load_statements", {})
        stmt = cache.get(shape)
        if stmt is None:
            stmt = select(self.model).where(self.model.id == bindparam("record_id"), self._scope_condition())
            if confirm is not None:
                stmt = stmt.add_columns(self.ctx.actor_role_now(), self.definitions_stamp())
            if for_update:
                # FOR NO KEY UPDATE: keys never change, and a plain FOR UPDATE would also block the
                # foreign-key checks of rows that merely refer to this one (updated_by, audit actor),
                # turning two admins editing each other's accounts into a deadlock.
                stmt = stmt.with_for_update(key_share=True)
            cache[shape] = stmt
        params = {"record_id": record_id}
        if confirm is None:
            obj = s.scalar(stmt, params) if record_id is not None else None
        else:
            row = s.execute(stmt, params).first() if record_id is not None else None
            if row is None:
                self._require(confirm)  # no row to carry the account: read it on its own
            elif not self.ctx.confirm_actor(row._actor_role):
                require(self.ctx.actor.role, self.spec.module, confirm)  # the role changed meanwhile
                return self._load(s, record_id, for_update=for_update)  # in the new role's scope
            else:
                self._use_listed_definitions(s, row._definitions_stamp)
            obj = row[0] if row is not None else None
        if obj is None:
            raise NotFound(Text(f"{self.spec.label.zh}（编号 {record_id}）不存在或无权访问。",
                                f"{self.spec.label.en} #{record_id} does not exist or is not yours to see."))
        return obj

    def _create_in(self, s: Session, values: dict[str, Any]) -> Any:
        full, parsed, custom_values = self._checked_new(s, values)
        obj = self.model(**{k: v for k, v in full.items() if v is not None or k in parsed})
        obj.created_by_id = obj.updated_by_id = self.ctx.actor.user_id
        self._before_insert(s, obj, full)
        s.add(obj)
        self._flush(s, obj)
        self._save_custom(s, obj.id, custom_values)
        self._after_insert(s, obj)
        self._after_write(s, obj, full)
        self._audit(s, "create", obj.id, None, self._snapshot(obj))
        return obj

    def _checked_new(self, s: Session, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[int, str | None]]:
        """Parse and check a new record's values: (full state, the parsed given values, custom values).

        Raises:
            ValidationError: every problem found (nothing is written).
        """
        errors = ErrorCollector()
        custom = values.pop("custom", None)
        editable = self.spec.editable
        parsed = val.parse_into(editable, values, errors)
        full = dict.fromkeys(editable)  # every editable field, None where not given
        full.update(parsed)  # (parsed holds editable fields only)
        self._apply_defaults(s, full, parsed)
        self._check_common(s, full, None, errors)
        custom_values = self._parse_custom(s, custom, None, errors)
        errors.raise_if_any()
        return full, parsed, custom_values

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        """Defaults for fields the caller left out (e.g. owner = the actor)."""
        owner = self.spec.owner_field
        if owner and full.get(owner) is None and owner not in given:
            full[owner] = self.ctx.actor.user_id

    def _update_in(self, s: Session, obj: Any, changes: dict[str, Any]) -> None:
        changed, custom_values = self._checked_update(s, obj, changes)
        before = self._snapshot(obj)
        for k, v in changed.items():
            setattr(obj, k, v)
        with s.no_autoflush:  # (its query would flush the record before _touch: two UPDATEs, two versions)
            custom_changed = self._save_custom(s, obj.id, custom_values)
        if changed or custom_changed:
            self._touch(obj)
            self._flush(s, obj)
            self._after_write(s, obj, changed)
            after = self._snapshot(obj)
            self._audit(s, "update", obj.id, {k: before.get(k) for k in changed} | custom_changed.get("before", {}),
                        {k: after.get(k) for k in changed} | custom_changed.get("after", {}))

    def _checked_update(self, s: Session, obj: Any, changes: dict[str, Any], *,
                        stored_custom: dict[int, str | None] | None = None) -> tuple[dict[str, Any], dict[int, str | None]]:
        """Parse and check an update of ``obj`` (any object with the record's columns as attributes), writing
        nothing: (the fields whose value changes -> new value, the given custom values by definition id).

        The rules of every update, the single one (:meth:`_update_in`) and the bulk one
        (``BulkWriter.stage_update``). ``stored_custom``: the record's stored custom values when the caller
        read them already. ``changes`` loses its "custom" key (as :meth:`_update_in` always did).

        Raises:
            RecordInactive: the record is deactivated (read-only).
            ValidationError: every problem found.
        """
        self._ensure_active(obj)
        errors = ErrorCollector()
        custom = changes.pop("custom", None)
        for name in list(changes):
            field = self.spec.all_fields.get(name)
            if field is not None and field.read_only:
                if changes[name] == getattr(obj, name):
                    del changes[name]  # unchanged system value sent back by a form
                else:
                    errors.add(name, "read_only", Text(f"{field.label.zh}：不能直接修改",
                                                       f"{field.label.en}: cannot be changed here"))
            elif field is not None and field.sensitive and not sees(self.ctx.actor.role, field.sensitive) \
                    and changes[name] == val.mask(field, getattr(obj, name)):
                del changes[name]  # the masked value came back unchanged: keep the real one
        parsed = val.parse_into(self.spec.editable, changes, errors)
        full = {f.name: getattr(obj, f.name) for f in self.spec.fields}
        full.update(parsed)
        # Only what really changes is re-checked: a form that sends back an unchanged value
        # (a since-deactivated dictionary entry or owner) must not block the user's other edits.
        self._check_common(s, full, obj, errors, changed={k for k, v in parsed.items() if v != getattr(obj, k)})
        custom_values = self._parse_custom(s, custom, obj.id, errors, stored=stored_custom)
        errors.raise_if_any()
        return {k: v for k, v in parsed.items() if getattr(obj, k) != v}, custom_values

    def _after_update_many(self, s: Session, updated: list[tuple[Any, dict[str, Any], Any]]) -> None:
        """What :meth:`_update_in` does after writing, for many updated records ``(record as written, changed,
        record as it was)`` at once (the bulk update path).

        The default runs :meth:`_after_write` record by record; a module whose hook writes derived data
        overrides this with a set-based version of the same rule (the customers' and contacts' search index).
        """
        for obj, changed, _before in updated:
            self._after_write(s, obj, changed)
