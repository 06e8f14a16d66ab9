"""Which rows of a long list are in memory, and which page to ask for next (no Qt, no database).

A list of a million records is never held whole. Rows are grouped in pages of
``page_size`` (page ``p`` holds rows ``p*size`` ...); only the ``max_pages``
most recently used pages keep their records, the others keep the keys of
their first and last rows, so a page scrolled back to is read again with one
keyset query (``after`` the previous page's last key or ``before`` the next
page's first key, :class:`crm_core.lists.ListQuery`) and no walk.

Until the list's length is known, or while the user just scrolls down, pages
are read one after the other (Qt's fetchMore). :meth:`PageWindow.reach_all`
makes every row reachable once the total is known: rows not read yet are
placeholders (None), and a page far from every page read is fetched by its
offset from the nearer end of the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cursor = tuple[Any, ...]


@dataclass(frozen=True)
class Fetch:
    """A page to ask for: ``limit`` rows from ``after``/``before`` (and ``offset``) for page ``page``."""

    page: int
    limit: int
    after: Cursor | None = None
    before: Cursor | None = None  # reading backwards: () is the end of the list
    offset: int = 0


@dataclass
class PageState:
    first_key: Cursor | None = None  # the key of its first row (a page before it reads up to here)
    last_key: Cursor | None = None  # the key of its last row (a page after it reads from here)
    loaded: bool = True
    used: int = 0


@dataclass
class PageWindow:
    """Rows in memory for one query; see the module docstring."""

    page_size: int
    max_pages: int = 30
    rows: list[dict[str, Any] | None] = field(default_factory=list)
    pages: dict[int, PageState] = field(default_factory=dict)
    done: bool = False  # no more rows after the last one read (or every row is reachable)
    whole: bool = False  # rowCount is the total: every row reachable
    by_id: dict[Any, int] = field(default_factory=dict)
    tick: int = 0
    pending: set[int] = field(default_factory=set)
    stale: set[int] = field(default_factory=set)  # loaded pages to read again when shown (mark_stale)

    def first_fetch(self) -> Fetch:
        self.pending.add(0)
        return Fetch(0, self.page_size)

    def can_fetch_more(self) -> bool:
        return not self.done and not self.whole

    def next_fetch(self) -> Fetch | None:
        """The next page down (the view reached the last row read)."""
        if not self.can_fetch_more() or not self.rows:
            return None
        p = len(self.rows) // self.page_size
        prev = self.pages.get(p - 1)
        if p in self.pending or prev is None or prev.last_key is None:
            return None
        self.pending.add(p)
        return Fetch(p, self.page_size, after=prev.last_key)

    def reach_all(self, total: int) -> int:
        """Make rows up to ``total`` reachable (placeholders); returns how many rows were added."""
        if self.whole or self.done or total <= len(self.rows):
            return 0
        added = total - len(self.rows)
        self.whole = True
        self.rows.extend([None] * added)
        return added

    def fetch_for(self, row: int, *, again: bool = False) -> Fetch | None:
        """What to read so that placeholder ``row`` gets its record (None: nothing, or already asked).

        ``again``: also when its page is in memory (see :meth:`refresh_for`).
        """
        size = self.page_size
        p = row // size
        state = self.pages.get(p)
        if p in self.pending or (state is not None and state.loaded and not again) or row >= len(self.rows):
            return None
        start = p * size
        count = min(size, len(self.rows) - start)
        prev, nxt = self.pages.get(p - 1), self.pages.get(p + 1)
        if p == 0:
            f = Fetch(0, count)
        elif prev is not None and prev.last_key is not None:
            f = Fetch(p, count, after=prev.last_key)
        elif nxt is not None and nxt.first_key is not None:
            f = Fetch(p, count, before=nxt.first_key)
        elif not self.whole:
            return None  # rows are read in order until the list's length is known
        elif start <= len(self.rows) - (start + count):
            f = Fetch(p, count, offset=start)
        else:
            f = Fetch(p, count, before=(), offset=len(self.rows) - (start + count))
        self.pending.add(p)
        return f

    def place(self, f: Fetch, records: list[dict[str, Any]], next_cursor: Cursor | None,
              prev_cursor: Cursor | None, key_of: Any = None) -> tuple[int, int]:
        """Put a page's records in place; returns (first row, rows appended at the end)."""
        self.pending.discard(f.page)
        start = f.page * self.page_size
        n = min(len(records), max(0, len(self.rows) - start)) if self.whole else len(records)
        appended = max(0, start + n - len(self.rows))
        self.rows.extend([None] * appended)
        for i, r in enumerate(records[:n], start=start):
            old = self.rows[i]
            if old is not None:
                self.by_id.pop(old.get("id"), None)
            self.rows[i] = r
            self.by_id[r.get("id")] = i
        state = self.pages.setdefault(f.page, PageState())
        state.loaded = True
        if prev_cursor is not None:
            state.first_key = prev_cursor
        if next_cursor is not None:
            state.last_key = next_cursor
        if not self.whole and f.before is None and next_cursor is None:
            self.done = True  # the end of the list
        self.touch(f.page)
        return start, appended

    def used(self, row: int) -> None:
        """The view showed ``row``: its page is among the last to be dropped."""
        self.touch(row // self.page_size)

    def touch(self, p: int) -> None:
        state = self.pages.get(p)
        if state is not None:
            self.tick += 1
            state.used = self.tick

    def drop_far(self) -> list[tuple[int, int]]:
        """Forget the records of the least recently used pages beyond ``max_pages``.

        Returns:
            The (first row, row count) ranges whose records were dropped.
        """
        loaded = [(s.used, p) for p, s in self.pages.items() if s.loaded]
        if len(loaded) <= self.max_pages:
            return []
        loaded.sort()
        dropped = []
        for _, p in loaded[:len(loaded) - self.max_pages]:
            self.pages[p].loaded = False
            self.stale.discard(p)
            start = p * self.page_size
            end = min(len(self.rows), start + self.page_size)
            for i in range(start, end):
                r = self.rows[i]
                if r is not None:
                    self.by_id.pop(r.get("id"), None)
                self.rows[i] = None
            if end > start:
                dropped.append((start, end - start))
        return dropped

    def mark_stale(self) -> None:
        """Every page in memory is to be read again when next shown (its records lack a field now
        wanted); they stay shown meanwhile, and the view keeps its place."""
        self.stale = {p for p, state in self.pages.items() if state.loaded}

    def refresh_for(self, row: int) -> Fetch | None:
        """The stale page holding ``row`` to read again (None: not stale, or already asked)."""
        p = row // self.page_size
        if p not in self.stale:
            return None
        self.stale.discard(p)
        return self.fetch_for(row, again=True)

    def remove(self, row: int) -> None:
        """A row left the list: later rows move up by one (pages after it are read again when shown)."""
        self.rows.pop(row)
        p = row // self.page_size
        for q, state in self.pages.items():
            if q > p and state.loaded:  # its rows shifted by one: read it again when shown
                state.loaded, state.first_key = False, None
                for i in range(q * self.page_size, min(len(self.rows), (q + 1) * self.page_size)):
                    self.rows[i] = None
        self.by_id = {x.get("id"): i for q, s in self.pages.items() if s.loaded
                      for i in range(q * self.page_size, min(len(self.rows), (q + 1) * self.page_size))
                      if (x := self.rows[i]) is not None}

    def loaded_rows(self) -> int:
        """Rows whose records are in memory."""
        return len(self.by_id)
