"""Figures as an office worker reads them: ¥1,234,567.00, 12.5%, 3.2 days, "—" for nothing.

Shared by the dashboard tiles and the report preview, so both say a number the
same way the exported files do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from crm_core.reports.model import Kind

EMPTY = "—"  # nothing to measure (no customers in the period, say), not zero


def format_value(value: Any, kind: Kind) -> str:
    """``value`` as text for ``kind``; None becomes an em dash.

    Args:
        value: int, float, Decimal, date, datetime, str or None.
        kind: how the value is typed (money, percent, ...).
    """
    if value is None or value == "":
        return EMPTY
    if kind is Kind.MONEY:
        return f"¥{Decimal(value):,.2f}"
    if kind is Kind.PERCENT:
        return f"{float(value) * 100:.1f}%"
    if kind is Kind.NUMBER:
        return f"{float(value):,.1f}"
    if kind is Kind.INTEGER:
        return f"{int(value):,}"
    if kind is Kind.DATE and isinstance(value, dt.date):
        return value.isoformat()
    if kind is Kind.DATETIME and isinstance(value, dt.datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)


def is_numeric(kind: Kind) -> bool:
    """Numbers are right-aligned in tables (digits line up)."""
    return kind in (Kind.INTEGER, Kind.MONEY, Kind.PERCENT, Kind.NUMBER)


def format_tile_value(value: Any, kind: Kind, lang: str) -> str:
    """A dashboard figure at a glance: money of ¥10,000 or more in 万元 for Chinese ("¥123.46万").

    The full figure (:func:`format_value`) goes in the tile's tooltip.
    """
    if kind is Kind.MONEY and value is not None and value != "" and not lang.startswith("en") \
            and abs(Decimal(value)) >= 10_000:
        return f"¥{Decimal(value) / 10_000:,.2f}万"
    return format_value(value, kind)


def trend(value: Any, previous: Any) -> float | None:
    """The change from ``previous`` to ``value`` as a fraction (0.25: up a quarter); None when not comparable."""
    if value is None or previous is None:
        return None
    value, previous = float(value), float(previous)
    if previous == 0:
        return None
    return (value - previous) / abs(previous)
