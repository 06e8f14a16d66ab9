"""Cell values every writer (xlsx, CSV, PDF) shares: safe text, local times, widths.

One place decides how user text is neutralised so that no writer can forget it:
a cell built from user text must never turn into a spreadsheet formula
(CSV/formula injection), and characters that xlsx cannot store are dropped
rather than crashing an export half-way.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import Any

from crm_core.i18n import Text
from crm_core.reports.model import Kind

#: First characters that make Excel, LibreOffice or Sheets read a cell as a formula.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# XML 1.0 forbids these control characters; openpyxl raises IllegalCharacterError on them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_BOOL = {True: Text("是", "Yes"), False: Text("否", "No")}


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet would take ``text`` as a formula (or the start of one)."""
    return text.startswith(DANGEROUS_PREFIXES)


def clean_text(text: str) -> str:
    """``text`` without the control characters xlsx (XML) cannot hold."""
    return _ILLEGAL_XML.sub("", text)


def csv_text(text: str) -> str:
    """A CSV cell for user text: a leading apostrophe keeps formula-like text as text."""
    return "'" + text if is_dangerous(text) else text


def bool_text(value: bool, lang: str) -> str:
    """是/否 or Yes/No, as the grid shows booleans."""
    return _BOOL[bool(value)](lang)


def local_naive(value: dt.datetime) -> dt.datetime:
    """An aware (UTC) timestamp as the office's wall-clock time without tzinfo (what Excel stores)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)  # crm_core only hands out UTC
    return value.astimezone().replace(tzinfo=None)


def local_clock() -> Callable[[dt.datetime], dt.datetime]:
    """A :func:`local_naive` for one export: the office's UTC offset looked up once per hour of timestamps.

    ``astimezone()`` asks the C library for the local time on every call (about
    3 µs); an export of 100,000 rows would spend longer on that than on writing.
    Offsets only change on the hour (daylight saving), so one lookup per hour
    gives the same result.
    """
    offsets: dict[int, dt.timedelta] = {}  # UTC hour -> the office's UTC offset then
    utc = dt.timezone.utc

    def convert(value: dt.datetime) -> dt.datetime:
        naive = value.replace(tzinfo=None)
        if value.tzinfo is not None and value.tzinfo is not utc:
            naive -= value.utcoffset() or dt.timedelta()
        hour = naive.toordinal() * 24 + naive.hour
        offset = offsets.get(hour)
        if offset is None:
            offset = offsets[hour] = naive.replace(tzinfo=utc).astimezone().utcoffset() or dt.timedelta()
        return naive + offset

    return convert


_TZINFO = attrgetter("tzinfo")
_UTC_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
_NAIVE_EPOCH = dt.datetime(2000, 1, 1)
_HOUR = dt.timedelta(hours=1)
_SECOND = dt.timedelta(seconds=1)


def local_batch(clock_offsets: dict[int, dt.timedelta], values: list[dt.datetime], *,
                whole_seconds: bool = False) -> list[dt.datetime] | None:
    """Aware UTC ``values`` as the office's wall-clock times, converted inside C; None if they need one by one.

    The batch's distinct hours are looked up once (``clock_offsets`` caches them
    across batches); when they all share one UTC offset — always, except across
    a daylight-saving change — the offset is added to the lot with ``map``.
    Values in another zone than UTC (crm_core hands out UTC: SQLite as
    ``timezone.utc``, psycopg as ``ZoneInfo("Etc/UTC")``) go one by one.
    """
    try:
        zones = set(map(_TZINFO, values))
    except AttributeError:  # None, a masked text
        return None
    if len(zones) != 1 or not _is_utc(zones.pop()):
        return None
    since = list(map(dt.datetime.__sub__, values, repeat(_UTC_EPOCH)))  # timedeltas: C arithmetic, no tz lookups
    offset = _one_offset(clock_offsets, set(map(dt.timedelta.__floordiv__, since, repeat(_HOUR))))
    if offset is None:
        return None
    if whole_seconds:  # str() of the results is then "2026-12-06 09:30:00" (what a CSV holds)
        since = list(map(dt.timedelta.__mul__, repeat(_SECOND), map(dt.timedelta.__floordiv__, since, repeat(_SECOND))))
    return list(map(dt.datetime.__add__, repeat(_NAIVE_EPOCH + offset), since))


def _one_offset(clock_offsets: dict[Any, Any], hours: set[Any]) -> dt.timedelta | None:
    """The one UTC offset of the office's clock over these UTC hours (cached per hour), or None
    when they span a daylight-saving change."""
    offsets = set()
    for hour in hours:
        offset = clock_offsets.get(hour)
        if offset is None:
            offset = clock_offsets[hour] = (_UTC_EPOCH + hour * _HOUR).astimezone().utcoffset() or dt.timedelta()
        offsets.add(offset)
    return offsets.pop() if len(offsets) == 1 else None


def local_texts(clock_offsets: dict[Any, Any], values: list[dt.datetime]) -> list[str] | None:
    """Aware ``values`` as the office's wall-clock times to the second, as text ("2026-12-06 09:30:00");
    None if they need one by one (None or naive among them, or a daylight-saving change in the batch).

    As :func:`local_batch`, with fewer steps per value: the time since the epoch is exact whatever
    the value's zone. ``clock_offsets`` is one export's cache (UTC hours' offsets, days' and seconds' texts).
    """
    try:
        since = list(map(dt.datetime.__sub__, values, repeat(_UTC_EPOCH)))  # naive or None: TypeError
    except TypeError:
        return None
    # the distinct hours, through float seconds (exact to the microsecond for centuries around 2000;
    # a timedelta's own floor division costs three times as much)
    offset = _one_offset(clock_offsets, set(map(float.__floordiv__, map(dt.timedelta.total_seconds, since),
                                                repeat(3600.0))))
    if offset is None:
        return None
    # the wall clock as (days, seconds of the day) since the epoch; each day's and each second's text is
    # made once and looked up after (an export's timestamps share their days and, over 100k rows, seconds)
    local = list(map(dt.timedelta.__add__, since, repeat(offset)))
    days = clock_offsets.get("days")
    if days is None:
        days, clock = clock_offsets["days"], clock_offsets["clock"] = _Texts(_day_text), _Texts(_clock_text)
    clock = clock_offsets["clock"]
    return list(map(str.__add__, map(days.__getitem__, map(_DAYS, local)), map(clock.__getitem__, map(_SECONDS, local))))


class _Texts(dict):
    """A lazily filled table: key -> its text, made on first use by ``make``."""

    def __init__(self, make: Callable[[int], str]):
        super().__init__()
        self.make = make

    def __missing__(self, key: int) -> str:
        text = self[key] = self.make(key)
        return text


_DAYS, _SECONDS = attrgetter("days"), attrgetter("seconds")


def _day_text(days: int) -> str:
    return (_NAIVE_EPOCH + dt.timedelta(days=days)).date().isoformat() + " "


def _clock_text(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _is_utc(zone: Any) -> bool:
    return zone is dt.timezone.utc or getattr(zone, "key", None) in ("UTC", "Etc/UTC", "Etc/Zulu", "Zulu")


def money(value: Any) -> Decimal:
    """A money amount as an exact two-place Decimal."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount.quantize(Decimal("0.01"))


def format_value(value: Any, kind: Kind) -> str:
    """``value`` of a column of ``kind`` as text (PDF cells, CSV cells of numbers and dates).

    Money gets thousands separators and two decimals, datetimes the local
    time to the minute; None becomes "".
    """
    if value is None:
        return ""
    if kind is Kind.MONEY and not isinstance(value, str):
        return f"{money(value):,.2f}"
    if kind is Kind.PERCENT and isinstance(value, (int, float, Decimal)):
        return f"{float(value) * 100:.1f}%"
    if kind is Kind.NUMBER and isinstance(value, (int, float, Decimal)):
        return f"{float(value):,.1f}"
    if kind is Kind.INTEGER and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.datetime):
        return local_naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def text_width(text: str) -> int:
    """Width of ``text`` in "character cells": CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.MONEY, Kind.PERCENT, Kind.NUMBER})
