"""SQL building blocks every report and the dashboard share, portable to SQLite and PostgreSQL.

Times are stored in UTC; reports count them by the office's local calendar.
The office time zone is the workstation's local zone (the same one
:func:`crm_core.services.codes.office_today` and the customer codes use),
taken as its UTC offset now: China has no daylight saving time, so one fixed
offset buckets every timestamp exactly. Date columns (signing dates, due
dates...) are already local dates and are not shifted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, and_, cast, func, literal, select, true
from sqlalchemy.orm import Session

from crm_core.models import Customer
from crm_core.permissions import Scope, scope_of
from crm_core.reports.model import ReportFilters
from crm_core.services.context import Context

Progress = Callable[[int, int], None]


def customer_scope(ctx: Context) -> ColumnElement[bool] | None:
    """The actor's customer row scope: None for every customer, else the customers' own "owned or shared" rule."""
    if scope_of(ctx.actor.role, "customers") is Scope.ALL:
        return None
    return ctx.services.customers.owned_condition()


def office_tz() -> dt.tzinfo:
    """The office's time zone: the workstation's local zone, as a fixed UTC offset."""
    return dt.datetime.now().astimezone().tzinfo or dt.timezone.utc


def offset_minutes() -> int:
    """Minutes the office's clock is ahead of UTC (480 in China)."""
    offset = dt.datetime.now(office_tz()).utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() // 60)


def local_midnight(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` starts in the office."""
    return dt.datetime.combine(day, dt.time(), tzinfo=office_tz()).astimezone(dt.timezone.utc)


def day_span(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Inclusive UTC bounds of the local days ``first``..``last`` (None: open-ended).

    The upper bound is the last microsecond of ``last``, so the same pair works
    in SQL (``BETWEEN``) and as a grid filter (``Filter(field, "between", pair)``).
    """
    low = local_midnight(first) if first else None
    high = local_midnight(last + dt.timedelta(days=1)) - dt.timedelta(microseconds=1) if last else None
    return low, high


def within(col: Any, low: Any, high: Any) -> ColumnElement[bool]:
    """``low <= col <= high`` with either bound optional."""
    conds = []
    if low is not None:
        conds.append(col >= low)
    if high is not None:
        conds.append(col <= high)
    return and_(true(), *conds)


def month_of(col: Any, dialect: str, *, local: bool = True) -> ColumnElement[str]:
    """``'YYYY-MM'`` of a column, in SQL.

    Args:
        local: the column is a UTC timestamp to be read on the office's clock;
            False for date columns, which are local dates already.
    """
    minutes = offset_minutes() if local else 0
    if dialect == "sqlite":
        if local:
            return func.strftime("%Y-%m", col, f"{minutes:+d} minutes")
        return func.strftime("%Y-%m", col)
    if local:
        shifted = func.timezone("UTC", col) + func.make_interval(0, 0, 0, 0, 0, literal(minutes))
        return func.to_char(shifted, "YYYY-MM")
    return func.to_char(col, "YYYY-MM")


def hours_between(start: Any, end: Any, dialect: str) -> ColumnElement[float]:
    """Hours from ``start`` to ``end`` (timestamps), rounded to 0.01 so both databases agree."""
    if dialect == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 24.0, 2)
    return func.round(cast(func.extract("epoch", end - start) / 3600.0, Numeric()), 2)


def days_between(start: Any, end: Any, dialect: str) -> ColumnElement[float]:
    """Days from ``start`` to ``end`` (timestamps), as a fraction."""
    if dialect == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def p90(sorted_values: Sequence[float]) -> float | None:
    """The 90th percentile by the nearest-rank method (None for no values).

    Nearest rank picks an observed value (the ceil(0.9·n)-th smallest), so the
    answer does not depend on a database's interpolation rules.
    """
    if not sorted_values:
        return None
    return float(sorted_values[max(1, math.ceil(0.9 * len(sorted_values))) - 1])


def months(first: str, last: str) -> list[str]:
    """Every ``'YYYY-MM'`` from ``first`` to ``last`` inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_axis(keys: Iterable[str], first: dt.date | None, last: dt.date | None) -> list[str]:
    """The months a chart shows: the whole period when bounded, else the months with data."""
    found = sorted(k for k in keys if k)
    low = f"{first:%Y-%m}" if first else (found[0] if found else None)
    high = f"{last:%Y-%m}" if last else (found[-1] if found else None)
    if low is None or high is None:
        return []
    return months(low, high)


def month_bounds(key: str) -> tuple[dt.date, dt.date]:
    """First and last day of the month ``'YYYY-MM'``."""
    first = dt.date(int(key[:4]), int(key[5:7]), 1)
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


@dataclass
class ReportQuery:
    """What a builder needs: the open session, the dialect, the filters and who is asking.

    ``customer_condition`` limits customers to the actor's row scope and the
    level / industry / owner filters; records under a customer go through
    :meth:`of_customers`.
    """

    s: Session
    dialect: str
    filters: ReportFilters
    scope_condition: ColumnElement[bool] | None  # None: every customer (row scope "all")
    today: dt.date
    progress: Progress | None = None

    @property
    def customer_condition(self) -> ColumnElement[bool]:
        f = self.filters
        conds = [self.scope_condition] if self.scope_condition is not None else []
        if f.level is not None:
            conds.append(Customer.level == f.level)
        if f.industry is not None:
            conds.append(Customer.industry == f.industry)
        if f.owner_id is not None:
            conds.append(Customer.owner_id == f.owner_id)
        return and_(true(), *conds)

    @property
    def unfiltered(self) -> bool:
        f = self.filters
        return self.scope_condition is None and f.level is None and f.industry is None and f.owner_id is None

    def of_customers(self, customer_id_col: Any) -> ColumnElement[bool]:
        """Records whose customer is within scope and filters (no subquery when nothing limits)."""
        if self.unfiltered:
            return true()
        return customer_id_col.in_(select(Customer.id).where(self.customer_condition))

    def utc_span(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        return day_span(self.filters.date_from, self.filters.date_to)

    def in_period(self, col: Any, *, local: bool = True) -> ColumnElement[bool]:
        """``col`` falls in the period (timestamps by local day; dates as they are)."""
        if local:
            return within(col, *self.utc_span())
        return within(col, self.filters.date_from, self.filters.date_to)

    def month(self, col: Any, *, local: bool = True) -> ColumnElement[str]:
        return month_of(col, self.dialect, local=local)

    def rows(self, stmt: Select) -> list[Any]:
        return list(self.s.execute(stmt))

    def step(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)
