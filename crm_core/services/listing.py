"""Reading lists: filters, fuzzy search, sorting and keyset paging for :class:`EntityService`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true, union_all
from sqlalchemy.orm import Session, defer

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType
from crm_core.services import masked
from crm_core.services import values as val
from crm_core.services.query import Filter, ListQuery, Page, SortKey, after_condition, before_condition, order_by

MAX_PAGE = 500
MIN_SEARCH = 2


class ListingMixin:
    """The list side of a module service (needs ``spec``, ``model``, ``_scope_condition``,
    ``_search_condition`` and ``_records`` from the service)."""

    #: Columns a page does not load (derived data such as the search text).
    list_deferred: tuple[str, ...] = ()

    def _filtered(self, s: Session, query: ListQuery, stmt: Select) -> Select:
        return stmt.where(self._scope_condition(), *self._conditions(s, query))

    def _conditions(self, s: Session, query: ListQuery) -> list[ColumnElement[bool]]:
        """What the query asks for, row scope apart: active only, filters, search."""
        conds: list[ColumnElement[bool]] = []
        if not query.include_inactive and hasattr(self.model, "is_active"):
            conds.append(self.model.is_active.is_(True))
        for f in query.filters if not isinstance(query.filters, dict) else \
                [Filter(k, "eq", v) for k, v in query.filters.items()]:
            conds.append(self._filter_condition(f))
        if query.search is not None:
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
        hidden = masked.hidden_columns(s).get(self.model.__tablename__, set())
        if "search_text" not in hidden:
            return self._search_condition(s, term)
        names = [n for n in (self.spec.search_fields or (self.spec.title_field,)) if n not in hidden]
        conds = []
        for word in term.split():
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(or_(*(getattr(self.model, n).ilike(pattern, escape="\\") for n in names)))
        return and_(*conds)


    def _filter_condition(self, f: Filter) -> ColumnElement[bool]:
        field = self._field_or_error(f.field)
        masked.require_unmasked(field, self.ctx.actor.role, "filter")
        col = getattr(self.model, field.name)
        op, value = f.op, f.value
        try:
            if op == "eq":
                return col.is_(None) if value is None else col == self._parse_filter_value(field, value)
            if op == "ne":
                return col.is_not(None) if value is None else col != self._parse_filter_value(field, value)
            if op == "in":
                # None means "empty" (as for eq); str(None) would silently match nothing
                wanted = [self._parse_filter_value(field, x) for x in value if x is not None]
                return or_(col.in_(wanted), col.is_(None)) if None in value else col.in_(wanted)
            if op == "gte":
                return col >= self._parse_filter_value(field, value)
            if op == "lte":
                return col <= self._parse_filter_value(field, value)
            if op == "between":
                low, high = value
                conds = []
                if low is not None:
                    conds.append(col >= self._parse_filter_value(field, low))
                if high is not None:
                    conds.append(col <= self._parse_filter_value(field, high))
                return and_(true(), *conds)
            if op == "contains" and field.type in val.TEXT_TYPES:  # ILIKE on numbers fails on PostgreSQL
                text = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                return col.ilike(f"%{text}%", escape="\\")
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
        keys: list[SortKey] = []
        for item in sort or (self.spec.default_sort,):
            desc = item.startswith("-")
            field = self._field_or_error(item.lstrip("-"))
            masked.require_unmasked(field, self.ctx.actor.role, "sort")
            if field.name == "id":
                continue
            col = getattr(self.model, field.name)
            keys.append(SortKey(col, desc, bool(col.nullable)))
        # id makes the order total, so keyset paging never skips or repeats a row
        first_desc = (sort or (self.spec.default_sort,))[0].startswith("-")
        keys.append(SortKey(self.model.id, first_desc, False))
        return keys


    def _scope_branches(self, s: Session) -> list[tuple[ColumnElement[bool], bool]] | None:
        """Disjoint conditions whose union is the row scope, each served by an index of its own.

        None (the default): the scope is one condition. A service whose scope is
        an OR of differently indexed parts (own or shared customers) returns the
        parts: each page is then the first rows of every part, merged (see :meth:`_page`).
        Each part comes with ``few``: True when it selects few rows, which are then
        read first and sorted (the planner must not walk the sort index looking for them).
        """
        return None

    def _branch_first_ids(self, cond: ColumnElement[bool], few: bool, conds: list[ColumnElement[bool]],
                          keys: list[SortKey], limit: int, *, reverse: bool = False, skip: int = 0) -> Select:
        # ``reverse``/``skip``: a page read from the end (ListQuery.before) or past an offset needs
        # each part's rows in that direction, as deep as the offset.
        depth = limit + 1 + max(0, skip)
        if not few:
            return select(self.model.id).where(cond, *conds).order_by(*order_by(keys, reverse=reverse)).limit(depth)
        # OFFSET 0 keeps the planner from merging the part into the sort (on both databases):
        # its few rows are found through their index, then sorted.
        # Only the id and the sort columns: a login may not be allowed to read every column.
        columns = {k.column.key: k.column for k in keys} | {"id": self.model.id}
        part = select(*columns.values()).where(cond, *conds).offset(0).subquery()
        part_keys = [SortKey(part.c[k.column.key], k.descending, k.nullable) for k in keys]
        return select(part.c.id).order_by(*order_by(part_keys, reverse=reverse)).limit(depth)

    def _page(self, s: Session, query: ListQuery, *, max_limit: int = MAX_PAGE) -> Page:
        limit = max(1, min(query.limit, max_limit))
        keys = self._sort_keys(query.sort)
        backwards = query.before is not None
        cursor = query.before if backwards else query.after
        if cursor and len(cursor) != len(keys):
            raise ValidationError([FieldError(None, "cursor", Text("分页位置无效，请刷新", "Invalid page cursor; refresh the list"))])
        conds = self._conditions(s, query)
        if cursor:
            conds.append((before_condition if backwards else after_condition)(keys, tuple(cursor)))
        ordering = order_by(keys, reverse=backwards)
        branches = self._scope_branches(s)
        if branches is None:
            stmt = select(self.model).where(self._scope_condition(), *conds)
        else:
            # An OR of two indexed conditions defeats both planners (a bitmap OR or a
            # multi-index OR, then a sort of every row in scope). The first page of each
            # part walks its own index in the sort order; the page is the best of those.
            firsts = [self._branch_first_ids(b, few, conds, keys, limit, reverse=backwards, skip=query.offset).subquery()
                      for b, few in branches]
            stmt = select(self.model).where(self.model.id.in_(union_all(*(select(f.c.id) for f in firsts))))
        stmt = stmt.order_by(*ordering).limit(limit + 1)
        if query.offset > 0:
            stmt = stmt.offset(query.offset)
        plain = self._plain_columns(s)
        if plain is not None:  # rows of the record's own columns: no ORM object per row, derived columns not read
            objs: list[Any] = list(s.execute(stmt.with_only_columns(*plain, maintain_column_froms=True)))
        else:
            if self.list_deferred:  # derived columns no caller sees: not sent over the wire for every row
                stmt = stmt.options(*(defer(getattr(self.model, c)) for c in self.list_deferred))
            objs = list(s.scalars(stmt))
        more = len(objs) > limit
        objs = objs[:limit]
        if backwards:
            objs.reverse()  # read from the end, shown in the list's order
        key = lambda obj: tuple(getattr(obj, k.column.key) for k in keys)  # noqa: E731
        # Rows follow this page if the query said so (before a cursor) or one more row came back;
        # rows precede it if it started after a cursor or one more came back reading backwards.
        following = bool(query.before) or query.offset > 0 if backwards else more
        preceding = more if backwards else query.after is not None or query.offset > 0
        return Page(self._records(s, objs), key(objs[-1]) if following and objs else None,
                    prev_cursor=key(objs[0]) if preceding and objs else None)
