"""Which rows of a long list are in memory, and which page to ask for next (no Qt, no database).

A list of a million records is never held whole: rows are read in keyset pages
(segments) and only the ``max_pages`` most recently used segments keep their
records; the others keep just their position and cursor, so scrolling back
reads them again with one query and no walk. The list is read from its start
(``after`` cursors) and, once its length is known, may also be read from its
end (``before`` cursors, :class:`crm_core.lists.ListQuery`): rows in between are
placeholders (None) until the user scrolls to them, and are then read from the
nearer of the two known edges.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

Cursor = tuple[Any, ...]


@dataclass(frozen=True)
class Fetch:
    """A page to ask for: ``limit`` rows after ``after`` (forward) or before ``before`` (backward)."""

    start: int  # the row the first returned record goes to (backward: the row after the last one)
    limit: int
    after: Cursor | None = None
    before: Cursor | None = None
    backward: bool = False
    refetch: bool = False  # a dropped segment read again (its rows are known to exist)


@dataclass
class Segment:
    start: int
    count: int
    after: Cursor | None
    before: Cursor | None
    backward: bool
    loaded: bool = True
    used: int = 0


@dataclass
class PageWindow:
    """Rows in memory for one query; see the module docstring."""

    page_size: int
    max_pages: int = 30
    rows: list[dict[str, Any] | None] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)  # sorted by start
    front_cursor: Cursor | None = None  # where the next forward page starts
    front_done: bool = False  # the forward walk reached the end (or the backward region)
    back_start: int | None = None  # first row read from the end; None until jump_to_end
    back_cursor: Cursor | None = None  # prev_cursor of the first backward page
    by_id: dict[Any, int] = field(default_factory=dict)
    tick: int = 0
    pending: set[tuple[int, bool]] = field(default_factory=set)
    _last: Segment | None = None  # the segment of the last lookup (views ask row after row)

    @property
    def front_end(self) -> int:
        """Rows read (or placed) from the start."""
        last = next((s for s in reversed(self.segments) if not s.backward), None)
        return last.start + last.count if last else 0

    def first_fetch(self) -> Fetch:
        return Fetch(0, self.page_size)

    def can_fetch_more(self) -> bool:
        return not self.front_done and self.back_start is None

    def next_fetch(self) -> Fetch | None:
        """The next forward page (the view reached the last row read)."""
        if not self.can_fetch_more():
            return None
        return Fetch(len(self.rows), self.page_size, after=self.front_cursor)

    def jump_fetch(self, total: int) -> Fetch | None:
        """The last page, read from the end, with placeholders for the rows before it; None if not needed."""
        if self.front_done or self.back_start is not None or total <= len(self.rows):
            return None
        self.back_start = total
        f = Fetch(total, min(self.page_size, total - len(self.rows)), before=(), backward=True)
        self.pending.add((f.start, f.backward))
        return f

    def segment_at(self, row: int) -> Segment | None:
        last = self._last
        if last is not None and last.start <= row < last.start + last.count:
            return last
        i = bisect.bisect_right(self.segments, row, key=lambda s: s.start) - 1
        if i >= 0 and self.segments[i].start <= row < self.segments[i].start + self.segments[i].count:
            self._last = self.segments[i]
            return self._last
        return None

    def used(self, row: int) -> None:
        """The view showed ``row``: its page is among the last to be dropped."""
        seg = self.segment_at(row)
        if seg is not None:
            self.touch(seg)

    def fetch_for(self, row: int) -> Fetch | None:
        """What to read so that placeholder ``row`` gets its record (None: nothing, or already asked)."""
        seg = self.segment_at(row)
        if seg is not None:
            if seg.loaded:
                return None
            f = Fetch(seg.start + (seg.count if seg.backward else 0), seg.count, after=seg.after,
                      before=seg.before, backward=seg.backward, refetch=True)
        else:  # in the gap between what was read from the start and from the end
            front, back = self.front_end, self.back_start if self.back_start is not None else len(self.rows)
            if not front <= row < back:
                return None
            gap = back - front
            if (back, True) in self.pending and row >= back - self.page_size:
                return None  # the page read from the end is on its way
            if row - front <= back - row or self.back_cursor is None:
                f = Fetch(front, min(self.page_size, gap), after=self.front_cursor)
            else:
                f = Fetch(back, min(self.page_size, gap), before=self.back_cursor, backward=True)
        key = (f.start, f.backward)
        if key in self.pending:
            return None
        self.pending.add(key)
        return f

    def place(self, f: Fetch, records: list[dict[str, Any]], next_cursor: Cursor | None,
              prev_cursor: Cursor | None) -> tuple[int, int, int]:
        """Put a page's records in place.

        Returns:
            (first row, rows appended at the end, rows filled in place).
        """
        self.pending.discard((f.start, f.backward))
        n = len(records)
        start = f.start - n if f.backward else f.start
        appended = max(0, start + n - len(self.rows))
        self.rows.extend([None] * appended)
        for i, r in enumerate(records, start=start):
            self.rows[i] = r
            self.by_id[r.get("id")] = i
        seg = self.segment_at(start) if f.refetch else None
        if seg is not None:
            seg.loaded = True
        elif n:
            seg = Segment(start, n, f.after, f.before, f.backward)
            bisect.insort(self.segments, seg, key=lambda s: s.start)
            if f.backward:
                self.back_start, self.back_cursor = start, prev_cursor
            else:
                self.front_cursor = next_cursor
        if not f.refetch and not f.backward and (next_cursor is None or self._met(start + n)):
            self.front_done = True
        if not f.refetch and f.backward and (prev_cursor is None or start <= self.front_end):
            self.front_done = True  # read back to the start of the list, or to the rows read from it
        if seg is not None:
            self.touch(seg)
        return start, appended, n - appended

    def _met(self, front_end: int) -> bool:
        return self.back_start is not None and front_end >= self.back_start

    def touch(self, seg: Segment) -> None:
        self.tick += 1
        seg.used = self.tick

    def drop_far(self) -> list[tuple[int, int]]:
        """Forget the records of the least recently used pages beyond ``max_pages``.

        Returns:
            The (first row, row count) ranges whose records were dropped.
        """
        loaded = [s for s in self.segments if s.loaded]
        if len(loaded) <= self.max_pages:
            return []
        loaded.sort(key=lambda s: s.used)
        dropped = []
        for seg in loaded[:len(loaded) - self.max_pages]:
            dropped.append((seg.start, seg.count))
            seg.loaded = False
            for i in range(seg.start, seg.start + seg.count):
                r = self.rows[i]
                if r is not None:
                    self.by_id.pop(r.get("id"), None)
                self.rows[i] = None
        return dropped

    def remove(self, row: int) -> None:
        """A row left the list: later rows move up by one."""
        r = self.rows.pop(row)
        if r is not None:
            self.by_id.pop(r.get("id"), None)
        for seg in self.segments:
            if seg.start <= row < seg.start + seg.count:
                seg.count -= 1
            elif seg.start > row:
                seg.start -= 1
        self.segments = [s for s in self.segments if s.count > 0]
        self._last = None
        if self.back_start is not None and self.back_start > row:
            self.back_start -= 1
        self.by_id = {x.get("id"): i for i, x in enumerate(self.rows) if x is not None}

    def loaded_rows(self) -> int:
        """Rows whose records are in memory."""
        return sum(s.count for s in self.segments if s.loaded)
