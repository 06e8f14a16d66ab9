"""Reading lists: filters, fuzzy search, sorting and keyset paging for :class:`EntityService`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType
from crm_core.services import masked  # also registers the ORM hook that loads around unreadable columns
from crm_core.services import values as val
from crm_core.services.query import Filter, ListQuery, Page, SortKey, after_condition, order_by

MAX_PAGE = 500
MIN_SEARCH = 2


class ListingMixin:
    """The list side of a module service (needs ``spec``, ``model``, ``_scope_condition``,
    ``_search_condition`` and ``_records`` from the service)."""

    def _filtered(self, s: Session, query: ListQuery, stmt: Select) -> Select:
        stmt = stmt.where(self._scope_condition())
        if not query.include_inactive and hasattr(self.model, "is_active"):
            stmt = stmt.where(self.model.is_active.is_(True))
        for f in query.filters if not isinstance(query.filters, dict) else \
                [Filter(k, "eq", v) for k, v in query.filters.items()]:
            stmt = stmt.where(self._filter_condition(f))
        if query.search is not None:
            term = query.search.strip().casefold()
            if len(term) < MIN_SEARCH:
                raise ValidationError([FieldError("search", "too_short", Text(
                    "搜索：请至少输入 2 个字符", "Search: type at least 2 characters"))])
            stmt = stmt.where(self._readable_search_condition(s, term))
        return stmt

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


    def _page(self, s: Session, query: ListQuery, *, max_limit: int = MAX_PAGE) -> Page:
        limit = max(1, min(query.limit, max_limit))
        keys = self._sort_keys(query.sort)
        stmt = self._filtered(s, query, select(self.model))
        if query.after is not None:
            if len(query.after) != len(keys):
                raise ValidationError([FieldError(None, "cursor", Text("分页位置无效，请刷新", "Invalid page cursor; refresh the list"))])
            stmt = stmt.where(after_condition(keys, tuple(query.after)))
        stmt = stmt.order_by(*order_by(keys)).limit(limit + 1)
        objs = list(s.scalars(stmt))
        more = len(objs) > limit
        objs = objs[:limit]
        next_cursor = None
        if more and objs:
            last = objs[-1]
            next_cursor = tuple(getattr(last, k.column.key) for k in keys)
        return Page(self._records(s, objs), next_cursor)
