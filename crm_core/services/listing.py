"""Reading lists: filters, fuzzy search, sorting and keyset paging for :class:`EntityService`."""

from __future__ import annotations

from collections.abc import Hashable
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, or_, select, true, union_all
from sqlalchemy.orm import Session

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import SYSTEM_FIELDS, Field, FieldType
from crm_core.models import CustomFieldValue
from crm_core.permissions import Action
from crm_core.services import masked
from crm_core.services import values as val
from crm_core.services.records import LoadedRow
from crm_core.services.query import (Filter, KeysetPart, ListQuery, Page, SortKey, after_condition, before_condition,
                                     keyset_parts, order_by)

MAX_PAGE = 500
MIN_SEARCH = 2
# Page statements a service keeps (see ListingMixin._page_statement).
PAGE_STATEMENTS = 64


def _filters(query: ListQuery) -> list[Filter] | tuple[Filter, ...]:
    return query.filters if not isinstance(query.filters, dict) else \
        [Filter(k, "eq", v) for k, v in query.filters.items()]


def _filter_shape(f: Filter) -> tuple[Any, ...]:
    """What of a filter changes its SQL (not its values): see :meth:`ListingMixin._filter_condition`."""
    value = f.value
    if f.op in ("eq", "ne"):
        return f.field, f.op, value is None
    if f.op == "in":
        return f.field, f.op, None in value
    if f.op == "between":
        low, high = value
        return f.field, f.op, low is None, high is None
    if f.op == "is_null":
        return f.field, f.op, bool(value)
    return f.field, f.op


class ListingMixin:
    """The list side of a module service (needs ``spec``, ``model``, ``_scope_condition``,
    ``_search_condition`` and ``_records`` from the service)."""

    #: Columns a page does not load (derived data such as the search text).
    list_deferred: tuple[str, ...] = ()

    def _filtered(self, s: Session, query: ListQuery, stmt: Select) -> Select:
        return stmt.where(self._scope_condition(), *self._conditions(s, query))

    def _conditions(self, s: Session, query: ListQuery,
                    params: dict[str, Any] | None = None, *, search: bool = True) -> list[ColumnElement[bool]]:
        """What the query asks for, row scope apart: active only, filters, search (unless ``search`` is False).

        ``params``: filled with each filter value under its bind parameter's name, so a
        statement built for another query of the same shape can run with these values.
        """
        conds: list[ColumnElement[bool]] = []
        if not query.include_inactive and hasattr(self.model, "is_active"):
            conds.append(self.model.is_active.is_(True))
        for i, f in enumerate(_filters(query)):
            conds.append(self._filter_condition(f, f"filter_{i}", params))
        if query.search is not None and search:
            term = query.search.strip().casefold()
            if len(term) < MIN_SEARCH:
                raise ValidationError([FieldError("search", "too_short", Text(
                    "搜索：请至少输入 2 个字符", "Search: type at least 2 characters"))])
            conds.append(self._readable_search_condition(s, term))
        return conds

    def _readable_search_condition(self, s: Session, term: str) -> ColumnElement[bool]:
        """The module's search, or a plain name search where the login may not read ``search_text``.

        In database-auth mode a role that reads phones masked has no SELECT on
        ``customers.search_text`` (it holds phone digits), so the index search
        cannot run for it; it searches the title and search fields it can read.
        """
        hidden = masked.hidden_columns(s, self.ctx.actor.role).get(self.model.__tablename__, set())
        if "search_text" not in hidden:
            return self._search_condition(s, term)
        names = [n for n in (self.spec.search_fields or (self.spec.title_field,)) if n not in hidden]
        conds = []
        for word in term.split():
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(or_(*(getattr(self.model, n).ilike(pattern, escape="\\") for n in names)))
        return and_(*conds)


    def _search_branches(self, s: Session, term: str, keys: list[SortKey]) -> list[tuple[ColumnElement[bool], bool]] | None:
        """Disjoint conditions whose union is the search for ``term``, each read on its own for a page
        in the order of ``keys``, with ``few`` as in :meth:`_scope_branches`; None (the default): one
        condition (:meth:`_search_condition`)."""
        return None

    def _readable_search_branches(self, s: Session, query: ListQuery,
                                  keys: list[SortKey]) -> list[tuple[ColumnElement[bool], bool]] | None:
        if query.search is None:
            return None
        term = query.search.strip().casefold()
        if len(term) < MIN_SEARCH:
            return None  # the condition says why (see _conditions)
        if "search_text" in masked.hidden_columns(s, self.ctx.actor.role).get(self.model.__tablename__, set()):
            return None  # the plain name search (see _readable_search_condition)
        return self._search_branches(s, term, keys)

    def _filter_condition(self, f: Filter, name: str = "filter",
                          params: dict[str, Any] | None = None) -> ColumnElement[bool]:
        field = self._field_or_error(f.field)
        masked.require_unmasked(field, self.ctx.actor.role, "filter")
        col = getattr(self.model, field.name)
        op, value = f.op, f.value
        params = {} if params is None else params

        def bound(suffix: str, value: Any, *, expanding: bool = False) -> Any:
            # Named, so that a page statement kept for this filter's shape takes the value (see _page_statement).
            params[f"{name}_{suffix}"] = value
            return bindparam(f"{name}_{suffix}", value, type_=col.type, expanding=expanding)

        try:
            if op == "eq":
                return col.is_(None) if value is None else col == bound("v", self._parse_filter_value(field, value))
            if op == "ne":
                return col.is_not(None) if value is None else col != bound("v", self._parse_filter_value(field, value))
            if op == "in":
                # None means "empty" (as for eq); str(None) would silently match nothing
                wanted = col.in_(bound("v", [self._parse_filter_value(field, x) for x in value if x is not None],
                                       expanding=True))
                return or_(wanted, col.is_(None)) if None in value else wanted
            if op == "gte":
                return col >= bound("v", self._parse_filter_value(field, value))
            if op == "lte":
                return col <= bound("v", self._parse_filter_value(field, value))
            if op == "between":
                low, high = value
                conds = []
                if low is not None:
                    conds.append(col >= bound("low", self._parse_filter_value(field, low)))
                if high is not None:
                    conds.append(col <= bound("high", self._parse_filter_value(field, high)))
                return and_(true(), *conds)
            if op == "contains" and field.type in val.TEXT_TYPES:  # ILIKE on numbers fails on PostgreSQL
                text = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                return col.ilike(bound("v", f"%{text}%"), escape="\\")
            if op == "is_null":
                return col.is_(None) if value else col.is_not(None)
        except val.v.FieldProblem as exc:
            raise ValidationError([FieldError(field.name, exc.code, Text(
                f"筛选“{field.label.zh}”：{exc.zh}", f"Filter '{field.label.en}': {exc.en}"))]) from None
        raise ValidationError([FieldError(field.name, "filter_op", Text(
            f"筛选“{field.label.zh}”：不支持的条件 {op}", f"Filter '{field.label.en}': unsupported condition {op}"))])


    def _parse_filter_value(self, field: Field, value: Any) -> Any:
        if field.type in (FieldType.DATETIME,) and not hasattr(value, "tzinfo"):
            return val.parse_value(field, value)
        if field.type in val.TEXT_TYPES:
            return str(value)  # filters compare stored text; no format checks
        return val.parse_value(field, value)


    def _field_or_error(self, name: str) -> Field:
        try:
            return self.spec.field(name)
        except KeyError:
            raise ValidationError([FieldError(name, "unknown_field", Text(
                f"未知字段“{name}”", f"unknown field '{name}'"))]) from None


    def _sort_keys(self, sort: tuple[str, ...]) -> list[SortKey]:
        """The ORDER BY of ``sort`` ("-field" descending), ending with the id.

        A field that sorts as the id (``created_at`` of most modules: ``EntitySpec.sorts_as``) is
        the id, so the page, its cursor and its plan are those of the id sort. The id ends the
        order in its own direction (it is unique: nothing after it counts); a sort that does not
        name it ends with it in the first field's direction.
        """
        fields = []
        for item in sort or (self.spec.default_sort,):
            field = self._field_or_error(item.lstrip("-"))
            masked.require_unmasked(field, self.ctx.actor.role, "sort")
            fields.append((self.spec.sorts_as(field.name), item.startswith("-")))
        keys: list[SortKey] = []
        for name, desc in fields:
            if name == "id":
                break
            col = getattr(self.model, name)
            keys.append(SortKey(col, desc, bool(col.nullable)))
        # id makes the order total, so keyset paging never skips or repeats a row
        id_desc = next((desc for name, desc in fields if name == "id"), fields[0][1])
        keys.append(SortKey(self.model.id, id_desc, False))
        return keys


    def _scope_plan(self, s: Session, keys: list[SortKey]) -> Hashable:
        """What the row scope's SQL depends on: the actor (his id is in it), his role and,
        where the scope is read in parts, how (see :meth:`_scope_branches`)."""
        return self.ctx.actor.user_id, self.ctx.actor.role

    def _page_scope(self, s: Session, keys: list[SortKey]) -> ColumnElement[bool]:
        """The row scope as a page statement states it: :meth:`_scope_condition` unless the
        service reads a page another way (a module of customers' records, see EntityService)."""
        return self._scope_condition()

    def _scope_branches(self, s: Session, keys: list[SortKey] | None = None) -> list[tuple[ColumnElement[bool], bool]] | None:
        """Disjoint conditions whose union is the row scope, each served by an index of its own.

        None (the default): the scope is one condition. A service whose scope is
        an OR of differently indexed parts (own or shared customers) returns the
        parts: each page is then the first rows of every part, merged (see :meth:`_page`).
        Each part comes with ``few``: True when it selects few rows, which are then
        read first and sorted (the planner must not walk the sort index looking for them).
        """
        return None

    def _branch_first_ids(self, cond: ColumnElement[bool], few: bool, conds: list[ColumnElement[bool]],
                          keys: list[SortKey], *, reverse: bool = False) -> Select:
        # ``reverse``: a page read from the end (ListQuery.before) needs each part's rows in that
        # direction; ``part_depth`` (a bind parameter: page size + 1 + offset) reaches past an offset.
        # ``keys``: the part's order (a part of a keyset cursor's rows has its own: query.keyset_parts).
        depth = bindparam("part_depth", type_=Integer)
        if not few:
            return select(self.model.id).where(cond, *conds).order_by(*order_by(keys, reverse=reverse)).limit(depth)
        # OFFSET 0 keeps the planner from merging the part into the sort (on both databases):
        # its few rows are found through their index, then sorted.
        # Only the id and the sort columns: a login may not be allowed to read every column.
        columns = {k.column.key: k.column for k in keys} | {"id": self.model.id}
        part = select(*columns.values()).where(cond, *conds).offset(0).subquery()
        part_keys = [SortKey(part.c[k.column.key], k.descending, k.nullable) for k in keys]
        return select(part.c.id).order_by(*order_by(part_keys, reverse=reverse)).limit(depth)

    def _page(self, s: Session, query: ListQuery, *, max_limit: int = MAX_PAGE, confirm_actor: bool = False) -> Page:
        """One page in one statement: the rows, their reference names and custom values.

        ``confirm_actor``: the actor's account is checked by the same statement (see
        :meth:`Context.actor_role_now`); a list then costs one transaction and, in the
        usual case, one statement (two for a salesperson's first page of a while).
        """
        for _ in range(3):  # again only when the actor's role or the custom fields changed meanwhile
            page = self._page_once(s, query, max_limit, confirm_actor)
            if page is not None:
                return page
        raise RuntimeError("the list kept changing under the reader")  # pragma: no cover - three changes in a row

    def _one_record(self, s: Session, record_id: int) -> dict[str, Any] | None:
        """One record in the actor's scope, read as a list row (one statement, the account checked by it)."""
        for _ in range(3):
            stamp, definitions = self._listed_definitions(s)
            columns, hidden = self._page_columns(s, ListQuery(), self._sort_keys(()), definitions)
            stmt = select(*columns, self.definitions_stamp(), self.ctx.actor_role_now()).where(
                self.model.id == record_id, self._scope_condition())
            result = s.connection().execute(stmt)
            names, rows = list(result.keys()), result.all()
            if not self.ctx.confirm_actor(rows[0]._actor_role if rows else s.scalar(select(self.ctx.actor_role_now()))):
                self._require(Action.READ)
                continue
            if rows and rows[0]._definitions_stamp != stamp:
                self._forget_definitions()
                continue
            if not rows:
                return None
            objs = self._loaded_rows(names, rows, definitions)
            if hidden:
                masked.fill_hidden(s, self.model, objs, hidden)
            return self._records(s, objs)[0]
        raise RuntimeError("the record kept changing under the reader")  # pragma: no cover

    def _page_once(self, s: Session, query: ListQuery, max_limit: int, confirm_actor: bool) -> Page | None:
        limit = max(1, min(query.limit, max_limit))
        keys = self._sort_keys(query.sort)
        backwards = query.before is not None
        cursor = query.before if backwards else query.after
        if cursor and len(cursor) != len(keys):
            raise ValidationError([FieldError(None, "cursor", Text("分页位置无效，请刷新", "Invalid page cursor; refresh the list"))])
        params: dict[str, Any] = {"page_limit": limit + 1, "part_depth": limit + 1 + max(0, query.offset),
                                  "page_offset": query.offset}
        parts = self._readable_search_branches(s, query, keys)
        conds = self._conditions(s, query, params, search=parts is None)
        if cursor:
            params.update({f"cursor_{i}": v for i, v in enumerate(cursor) if v is not None})
        stamp, definitions = self._listed_definitions(s)
        columns, hidden = self._page_columns(s, query, keys, definitions)
        stmt = self._page_statement(s, query, keys, conds, columns, definitions, hidden, confirm_actor, parts)
        # Core, not the ORM: plain columns need no identity map, and the masking hook (whole
        # entities only) has nothing to do here (hidden columns are filled in below).
        result = s.connection().execute(stmt, params)
        names = list(result.keys())
        rows = result.all()
        if confirm_actor:
            role = rows[0]._actor_role if rows else s.scalar(select(self.ctx.actor_role_now()))
            if not self.ctx.confirm_actor(role):
                self._require(Action.READ)  # the new role may not list here at all
                return None
        if rows and rows[0]._definitions_stamp != stamp:
            self._forget_definitions()
            return None
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()  # read from the end, shown in the list's order
        objs = self._loaded_rows(names, rows, definitions)
        if hidden:
            masked.fill_hidden(s, self.model, objs, hidden)
        key = lambda obj: tuple(obj[k.column.key] for k in keys)  # noqa: E731
        # Rows follow this page if the query said so (before a cursor) or one more row came back;
        # rows precede it if it started after a cursor or one more came back reading backwards.
        following = bool(query.before) or query.offset > 0 if backwards else more
        preceding = more if backwards else query.after is not None or query.offset > 0
        return Page(self._records(s, objs), key(objs[-1]) if following and objs else None,
                    prev_cursor=key(objs[0]) if preceding and objs else None)

    def _page_statement(self, s: Session, query: ListQuery, keys: list[SortKey], conds: list[ColumnElement[bool]],
                        columns: list[Any], definitions: list[Any], hidden: set[str], confirm_actor: bool,
                        search_parts: list[tuple[ColumnElement[bool], bool]] | None = None) -> Select:
        """The page's SELECT, its values as named bind parameters (``params`` of :meth:`_page_once`).

        Building it and deriving SQLAlchemy's cache key from it cost several times what
        SQLite takes to run it (1-2 ms against 0.2 ms at a million customers). A statement
        is therefore kept per shape: the scope's plan (actor, role, the parts of his scope),
        the columns, the order, the direction, which cursor values are NULL, the filters'
        fields and operators, and an offset or none. The values (the page size, the cursor,
        the filter values, the offset) are passed at each execution, and a kept statement
        hits SQLAlchemy's compiled cache at the cost of a dictionary look-up. A search
        (its plan depends on the term) is built every time.
        """
        backwards = query.before is not None
        cursor = query.before if backwards else query.after
        shape = None
        if query.search is None:
            shape = (self._scope_plan(s, keys), query.fields, tuple(query.sort), tuple(d.id for d in definitions),
                     frozenset(hidden), query.include_inactive, tuple(_filter_shape(f) for f in _filters(query)),
                     backwards, tuple(v is None for v in cursor) if cursor else None, query.offset > 0, confirm_actor)
            cache = self.__dict__.setdefault("_page_statements", {})
            if shape in cache:
                return cache[shape]
        cursor_parts: list[KeysetPart] | None = None
        if cursor:
            # The same bind parameters for every cursor of this shape; a NULL value changes the shape.
            bound = tuple(None if v is None else bindparam(f"cursor_{i}", type_=k.column.type)
                          for i, (k, v) in enumerate(zip(keys, cursor)))
            # A nullable first key: the values and the NULLs read apart, each from the cursor on.
            cursor_parts = keyset_parts(keys, bound, forwards=not backwards)
            if cursor_parts is None:
                conds = [*conds, (before_condition if backwards else after_condition)(keys, bound)]
        guards = [self.definitions_stamp()]
        if confirm_actor:
            guards.append(self.ctx.actor_role_now())
        branches = self._scope_branches(s, keys)
        if search_parts is not None:
            # Each part of the scope with each part of the search (see _search_branches): a part
            # is few when either of its two is.
            scope = branches if branches is not None else [(self._scope_condition(), False)]
            branches = [(and_(c, p), few or p_few) for c, few in scope for p, p_few in search_parts]
        # Parts read apart, each in its order, then merged: (condition, few, order).
        parts = None if branches is None else [(c, few, keys) for c, few in branches]
        order = keys
        if cursor_parts is not None and parts is None and len(cursor_parts) == 1:
            # One part (before a value, after a NULL): the page is its first rows, in its order.
            conds, order = [*conds, cursor_parts[0].condition], cursor_parts[0].keys
        elif cursor_parts is not None:
            parts = [(and_(c, p.condition), few, p.keys)
                     for c, few, _ in (parts or [(self._page_scope(s, keys), False, keys)]) for p in cursor_parts]
        if parts is None:
            stmt = select(*columns, *guards).where(self._page_scope(s, keys), *conds)
        else:
            # An OR of two indexed conditions defeats both planners (a bitmap OR or a
            # multi-index OR, then a sort of every row in scope). The first page of each
            # part walks its own index in its order; the page is the best of those.
            firsts = [self._branch_first_ids(c, few, conds, part_keys, reverse=backwards).subquery()
                      for c, few, part_keys in parts]
            stmt = select(*columns, *guards).where(self.model.id.in_(union_all(*(select(f.c.id) for f in firsts))))
        stmt = stmt.order_by(*order_by(order, reverse=backwards)).limit(bindparam("page_limit", type_=Integer))
        if query.offset > 0:
            stmt = stmt.offset(bindparam("page_offset", type_=Integer))
        if shape is not None:
            if len(cache) >= PAGE_STATEMENTS:
                cache.clear()  # a user who tried that many shapes: start again rather than grow
            cache[shape] = stmt
        return stmt

    def _page_columns(self, s: Session, query: ListQuery, keys: list[SortKey],
                      definitions: list[Any]) -> tuple[list[Any], set[str]]:
        """The columns a page selects, and the fields the login may not read (filled in afterwards).

        Only the fields asked for (``ListQuery.fields``; every field when None), never the
        derived ``list_deferred`` ones; the sort columns (for the cursor); the name of every
        referenced record and the value of every custom field, as subqueries of the same
        statement.
        """
        hidden = masked.hidden_columns(s, self.ctx.actor.role).get(self.model.__tablename__, set())
        # Building the expressions costs more than running the statement: kept per shape.
        cache_key = (query.fields, tuple(k.column.key for k in keys), tuple(d.id for d in definitions),
                     frozenset(hidden))
        cache = self.__dict__.setdefault("_page_columns_cache", {})
        if cache_key not in cache:
            cache[cache_key] = self._build_page_columns(query, keys, definitions, hidden)
        return cache[cache_key]

    def _build_page_columns(self, query: ListQuery, keys: list[SortKey], definitions: list[Any],
                            hidden: set[str]) -> tuple[list[Any], set[str]]:
        wanted = self.spec.all_fields if query.fields is None else \
            {n: f for n, f in self.spec.all_fields.items() if n in query.fields or f in SYSTEM_FIELDS}
        names = [n for n in wanted if n not in hidden and n not in self.list_deferred and hasattr(self.model, n)]
        names += [k.column.key for k in keys if k.column.key not in names]
        columns: list[Any] = [getattr(self.model, n).label(n) for n in names]
        for name, f in wanted.items():
            if f.type is FieldType.REF and name in names:
                columns.append(self.ctx.services[f.ref or ""].display_expression(getattr(self.model, name))
                               .label(f"{name}_display"))
        for d in definitions:
            columns.append(select(CustomFieldValue.value).where(
                CustomFieldValue.definition_id == d.id, CustomFieldValue.record_id == self.model.id)
                .scalar_subquery().label(f"_custom_{d.id}"))
        return columns, {n for n in wanted if n in hidden}

    @staticmethod
    def _loaded_rows(names: list[str], rows: list[Any], definitions: list[Any]) -> list[LoadedRow]:
        keep = [i for i, n in enumerate(names) if n not in ("_definitions_stamp", "_actor_role")
                and not n.startswith("_custom_")]
        keys = [names[i] for i in keep]
        displays = [n for n in keys if n.endswith("_display")]
        custom = [(d.key, names.index(f"_custom_{d.id}")) for d in definitions]
        values = itemgetter(*keep) if len(keep) > 1 else lambda row: (row[keep[0]],)
        out = []
        for row in rows:
            loaded = LoadedRow(zip(keys, values(row)))
            for k in displays:
                if loaded[k] is not None:
                    loaded[k] = str(loaded[k])
            if custom:
                loaded["custom"] = {key: row[i] for key, i in custom}
            out.append(loaded)
        return out
