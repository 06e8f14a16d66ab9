"""Writing checked rows: chunks of short transactions through the bulk write path, all or nothing.

Each chunk is one write transaction of a few thousand rows (on SQLite the
database lock is held for a fraction of a second, so other clients keep
saving); while a worker thread writes one chunk, the importing thread checks
and stages the next (see :func:`write`). New records go through :class:`crm_core.bulk.writer.BulkWriter`
(codes as a block, COPY / executemany, status history, search index and
audit entries as the services write them); rows that update an existing
record go set-based through the same writer (:meth:`BulkWriter.stage_update` checks
them by the service's update rules, :meth:`BulkWriter.write_update` locks them and
refuses any no longer at the version the preview showed), pipelined the same way.
Every chunk records what it wrote in the batch; if a later chunk fails or the
user cancels, :func:`batches.purge` removes the earlier ones (and gives updated
records their values back).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.importing import batches
from crm_core.importing.columns import Targets
from crm_core.importing.engine import NewRecord, quoted, relabel, repeat_message
from crm_core.importing.identity import repeats_stored
from crm_core.importing.model import RowUpdate
from crm_core.importing.reader import cell_text
from crm_core.metadata import FieldType
from crm_core.services import values as val
from crm_core.services.context import Context

CHUNK_ROWS = 1000  # rows of the first chunk; then sized to take about CHUNK_SECONDS
CHUNK_SECONDS = 0.5  # one chunk's write transaction: what another client's save may wait for
MIN_CHUNK, MAX_CHUNK = 500, 5_000  # below 500 rows the per-chunk costs dominate; two chunks are in
# memory at once (one written, the next staged): 10,000 took a 100k import's peak past 400 MB
# SQLite: after a chunk the lock is left free this long when another client waits for it (a write
# transaction that found the lock taken touched the database's "writer waiting" flag, see
# crm_core.db.engine), so that its busy handler (sleeping in steps of up to 100 ms) gets its turn
# instead of being starved. Nobody waiting: no pause (measured 16 s of a 100,000-row import's 40 s).
SQLITE_GAP_SECONDS = 0.11
# ... and at least this often whatever the flag says (a file system whose modified times are too
# coarse to tell two waits apart would otherwise leave a second waiter starving).
SQLITE_GAP_AT_LEAST_EVERY = 5.0
UPDATE_CHUNK_ROWS = 1000  # rows of the first chunk of updates (set-based); then sized by time as the creates


class ChunkFailed(ValidationError):
    """A chunk was refused while writing (a conflict, a value taken meanwhile); nothing of the import is kept."""


class NamedChunkFailed(ChunkFailed):
    """A chunk refused while writing whose errors' fields are each the module's own (the file's column for it,
    when mapped), as no companion's field is among them (updates, and the rules that read other rows)."""


@dataclass
class Written:
    batch_id: int | None  # None: nothing to write (no batch started)
    created: int
    updated: int
    companions: int = 0  # companion records created with them (a customer's contact from the same row)
    companions_updated: int = 0  # existing companion records updated (a contact on a row updating his customer)


def write(ctx: Context, targets: Targets, module: str, creates: Iterable[NewRecord], updates: list[RowUpdate],
          file_name: str, progress: Callable[[int, int], None] | None, *, chunk_rows: int | None = None,
          expected: int | None = None, companions: int | None = None,
          started: Callable[[int], None] | None = None, companion_updates: list[RowUpdate] | None = None,
          companion_creates: list[NewRecord] | None = None) -> Written:
    """Write the rows in chunks under one batch; on any exception (cancel included) purge and re-raise.

    New records go through a two-stage pipeline: while a worker thread writes chunk k in its short
    transaction, this thread takes chunk k+1 from ``creates`` (which may check the rows as they are
    taken: :meth:`RowChecker.stream`) and stages it (defaults, custom values, ids and codes from a
    block reserved up front, search entries, the statements' rows, audit snapshots: everything that
    needs no write transaction). The database's work on chunk k (PostgreSQL's own process; SQLite
    stepping without the GIL) and the Python of chunk k+1 run at the same time. Progress and cancel
    stay in this thread: leaving early waits for the chunk being written, then purges.

    Args:
        creates: the records to create, a list or an iterator (then ``expected``: how many at most, and
            ``companions``: how many of them with a companion at most, for the reserved blocks).
        companion_updates, companion_creates: the contacts given on rows that update their customers, updated
            (after the customers) or created on them (``full`` with the customer's id), recorded in the batch
            as the companion module's: the undo restores or removes them with the rest.
        progress: ``progress(rows written, expected + len(updates))`` after each chunk.

    The batch is started with the first chunk: ``creates`` raising before it yields a first record
    leaves nothing behind, not even a batch. ``started(batch id)`` is called once it is (the records'
    batch entries tell a reader which of the records handed on are written).
    """
    from crm_core.bulk.writer import BulkWriter

    if isinstance(creates, list):
        expected = len(creates)
        companions = sum(1 for r in creates if r.companion)
    expected = expected or 0
    companions = (companions or 0) if targets.companion else 0
    size = chunk_rows or CHUNK_ROWS
    gap = _Gap(ctx.db) if ctx.db.backend == "sqlite" else None
    contact_updates, contact_creates = companion_updates or [], companion_creates or []
    total = expected + len(updates)
    batch_id: int | None = None
    created = 0
    with_companion = 0
    try:
        done = 0
        if updates:
            batch_id = batches.start(ctx, module, file_name)
            done = _write_updates(ctx, module, batch_id, updates, gap, progress, total, chunk_rows)
        if contact_updates or contact_creates:
            assert batch_id is not None and targets.companion
            _write_companions(ctx, targets, batch_id, contact_updates, contact_creates, gap)
            with_companion = len(contact_creates)
        rows = iter(creates)
        part = list(islice(rows, size))
        if part:
            if batch_id is None:
                batch_id = batches.start(ctx, module, file_name)
            if started:
                started(batch_id)
            writer = BulkWriter(ctx.db, ctx.actor, source=file_name, chunk_size=size)
            blocks = writer.reserve({module: max(expected, len(part)),
                                     **({targets.companion: companions} if companions else {})})
            before = done

            def stage(chunk: list[NewRecord]) -> _Staged:
                nonlocal with_companion
                with_companion += sum(1 for r in chunk if r.companion)  # every chunk staged is written, or all purged
                return _stage_chunk(ctx, writer, targets, module, chunk, blocks)

            done = _pipeline(
                # the next rows are taken (checked, when ``creates`` checks them) while a chunk is written
                "import-write", part, lambda n: list(islice(rows, n)),
                stage,
                lambda chunk, staged, first: _write_chunk(ctx, writer, targets, module, batch_id, staged,
                                                          None if first else gap),
                size, chunk_rows is None, done, progress, total)
            created = done - before
        if batch_id is not None:
            batches.finish(ctx, batch_id, created, len(updates))
    except BaseException as exc:
        if batch_id is not None:
            batches.purge(ctx, batch_id, why="cancelled" if isinstance(exc, KeyboardInterrupt) else type(exc).__name__)
        raise
    return Written(batch_id, created, len(updates), with_companion, len(contact_updates))


def _landed(flying: tuple[Future[float], int], done: int, size: int, by_time: bool) -> tuple[int, int]:
    """Wait for the chunk being written (its exception raised here); rows done and the next chunk's size."""
    took = flying[0].result()
    if by_time:  # sized by time: short locks whatever the machine's speed and load
        size = max(MIN_CHUNK, min(MAX_CHUNK, int(flying[1] * CHUNK_SECONDS / max(took, 1e-3))))
    return done + flying[1], size


def _pipeline(name: str, part: list[Any], take: Callable[[int], list[Any]], stage: Callable[[list[Any]], Any],
              write: Callable[[list[Any], Any, bool], float], size: int, by_time: bool, done: int,
              progress: Callable[[int, int], None] | None, total: int) -> int:
    """Chunks written by a worker thread while this thread takes and stages the next one: ``part`` the first
    chunk, then ``take(size)`` the next ones (empty at the end; ``size`` set by :func:`_landed`), each staged
    here by ``stage(chunk)`` and written there by ``write(chunk, staged, first)`` (``first``: no chunk of this
    pipeline before it). Progress ``(done, total)`` after each chunk lands. Returns ``done`` plus the rows
    written. Leaving early (an exception, a cancel), the pool's exit waits for the chunk being written (it
    commits or fails) before the caller purges the batch."""
    with ThreadPoolExecutor(1, thread_name_prefix=name) as pool:
        flying: tuple[Future[float], int] | None = None  # the chunk being written, its rows
        first = True
        while part:
            staged = stage(part)
            if flying is not None:
                done, size = _landed(flying, done, size, by_time)
                flying = None
                if progress:
                    progress(done, total)
            # The pause for a waiting client (SQLite, in ``write``) comes before the next chunk's transaction:
            # between two chunks, never before the first nor after the last one.
            flying = (pool.submit(write, part, staged, first), len(part))
            first = False
            part = take(size)
        if flying is not None:
            done, _ = _landed(flying, done, size, by_time)
            if progress:
                progress(done, total)
    return done


class _Gap:
    """SQLite: leave the write lock free after a chunk only when another client waits for it."""

    def __init__(self, db: Any):
        self.db = db
        self.seen = db.writer_waiting()  # waits before the import are not ours to serve
        self.last = time.monotonic()

    def after_chunk(self) -> None:
        mark = self.db.writer_waiting()
        if mark != self.seen or time.monotonic() - self.last >= SQLITE_GAP_AT_LEAST_EVERY:
            self.seen = mark
            time.sleep(SQLITE_GAP_SECONDS)
            self.last = time.monotonic()


@dataclass
class _Staged:
    """One chunk made ready outside the write transaction: the records and, when their owners' ids are
    known already, the companions (else they are staged in the transaction, after the owners' ids)."""

    part: list[NewRecord]
    main: Any  # crm_core.bulk.writer.Staged
    companions: Any | None = None


def _stage_chunk(ctx: Context, writer: Any, t: Targets, module: str, part: list[NewRecord],
                 blocks: dict[str, Any]) -> _Staged:
    """The chunk's rows staged by the bulk path in a read unit of work (no lock taken)."""
    with ctx.db.unit_of_work(write=False) as s:
        keys = _custom_keys(s, writer, module)
        # The customer's search entry is derived once, with its contact's name and phone in it.
        rows = [_with_custom({**r.full, "_contacts": [(r.companion["name"], r.companion.get("phone"))]}
                             if r.companion else r.full, r.custom, keys) for r in part]
        # The custom values are written by the bulk path with the records (checked again there by the service's
        # rules: a choice retired since the dry run is refused); the batch undo removes them with their records.
        main = _refused_by_row(lambda: writer.stage(s, module, rows, block=blocks.get(module)), part)
        out = _Staged(part, main)
        if main.ids is not None and t.companion:
            out.companions = _stage_companions(s, writer, t, part, main.ids, blocks.get(t.companion))
        return out


def _stage_companions(s: Session, writer: Any, t: Targets, part: list[NewRecord], ids: list[int],
                      block: Any | None) -> Any | None:
    with_companion = [r for r in part if r.companion]
    if not with_companion:
        return None
    link = t.companion_link
    ckeys = _custom_keys(s, writer, t.companion)
    owners = [rid for rid, r in zip(ids, part, strict=True) if r.companion]
    companions = [_with_custom({**r.companion, link: rid}, r.companion_custom, ckeys)
                  for rid, r in zip(owners, with_companion, strict=True)]
    return _refused_by_row(lambda: writer.stage(s, t.companion, companions, search=False, block=block), with_companion)


def _write_chunk(ctx: Context, writer: Any, t: Targets, module: str, batch_id: int, staged: _Staged,
                 gap: _Gap | None) -> float:
    """The pause if another client waits (SQLite), then the chunk's write transaction (in the worker thread).
    Returns how long the transaction took."""
    if gap:
        gap.after_chunk()
    started = time.perf_counter()
    with ctx.db.unit_of_work(write=True) as s:
        _create_chunk(s, writer, t, module, batch_id, staged)
        s.commit()
    return time.perf_counter() - started


def _create_chunk(s: Session, writer: Any, t: Targets, module: str, batch_id: int, staged: _Staged) -> None:
    part = staged.part
    # the module's rules that read other rows, decided over the chunk under their locks, may refuse a row
    ids = _refused_by_row(lambda: writer.write_staged(s, staged.main), part, named=True)
    if writer.services[module].spec.repeats:
        _refuse_repeats(s, writer.services[module], part, set(ids), batch_id)
    records = [{"batch_id": batch_id, "record_id": rid, "version": 1} for rid in ids]
    companions = staged.companions
    if companions is None and t.companion and any(r.companion for r in part):
        # staged without ids (the reserved block did not cover them): the companions now, after their owners'
        companions = _stage_companions(s, writer, t, part, ids, None)
    if companions is not None:
        with_companion = [r for r in part if r.companion]
        cids = _refused_by_row(lambda: writer.write_staged(s, companions), with_companion)
        records += [{"batch_id": batch_id, "record_id": cid, "version": 1, "module": t.companion} for cid in cids]
    batches.add_records(s, batch_id, records)


def _refuse_repeats(s: Session, service: Any, part: list[NewRecord], ids: set[int], batch_id: int) -> None:
    """The chunk's rows that repeat a stored payment (``EntitySpec.repeats``), decided again in the write
    transaction, the contracts locked by the rules :meth:`BulkWriter.write_staged` has just run (as the outstanding
    amount is decided again there): the dry run's look-up was made before, without a lock, and two users importing
    one sheet at once both passed it (the contracts' received figures doubled)."""
    spec = service.spec
    repeated = repeats_stored(s, service, spec.repeats, [r.full for r in part], ids, batch_id)
    if not repeated:
        return
    fields = [spec.field(n) for n in spec.repeats]
    errors = []
    for i, key in repeated:
        told = []
        for f, value in zip(fields, key, strict=True):
            if f.type is FieldType.REF:  # the referenced record by what names it (a contract's number)
                target = service.ctx.services[f.ref]
                shown = target.spec.unique[0] if target.spec.unique else target.spec.title_field
                value = s.scalar(select(getattr(target.model, shown)).where(target.model.id == value))
            told.append((f, cell_text(value)))
        errors.append(FieldError(spec.repeats[-1], "repeated", repeat_message(spec, told), row=part[i].row))
    raise NamedChunkFailed(errors)


def _refused_by_row(insert: Callable[[], Any], part: list[NewRecord], *, named: bool = False) -> Any:
    """The bulk path's own checks refusing a row (a custom choice retired since the dry run; with ``named``, the
    module's rules that read other rows, the value quoted: :class:`NamedChunkFailed`): the file's row."""
    try:
        return insert()
    except ValidationError as exc:
        if named:
            raise NamedChunkFailed([_named(e, part[e.row]) if e.row is not None else e for e in exc.errors]) from None
        raise ChunkFailed([FieldError(e.field, e.code, e.message, row=part[e.row].row if e.row is not None else None)
                           for e in exc.errors]) from None


def _named(e: FieldError, record: NewRecord) -> FieldError:
    """A write's refusal of a record by the file's row, with the record's value in the message as the
    check quotes it."""
    value = record.full.get(e.field) if e.field else None
    return FieldError(e.field, e.code, quoted(e.message, e.code, value), row=record.row)


def _custom_keys(s: Session, writer: Any, module: str) -> dict[int, str]:
    s.info.setdefault("bulk_custom_definitions", {})
    return {d.id: d.key for d in writer.services[module]._definitions(s)}


def _with_custom(row: dict[str, Any], custom: dict[int, str | None], keys: dict[int, str]) -> dict[str, Any]:
    """The row with its checked custom values by key, as the bulk path takes them (as the services do)."""
    given = {keys[d]: v for d, v in custom.items() if v is not None and d in keys}
    return {**row, "custom": given} if given else row


def _write_companions(ctx: Context, t: Targets, batch_id: int, updates: list[RowUpdate], creates: list[NewRecord],
                      gap: _Gap | None) -> None:
    """The contacts given on rows that update their customers: the existing ones updated set-based (version
    checked against the preview, audited, their values before kept for the undo), the others created on their
    customers through the bulk path (the twin rule decided again under the customers' locks, audited), each a
    chunk's transaction; a refusal is the file row's, under the contact column's name."""
    from crm_core.bulk.writer import BulkWriter

    module = t.companion
    assert module is not None
    try:
        if updates:
            _write_updates(ctx, module, batch_id, updates, gap, None, len(updates), None, companion=True)
        if creates:
            writer = BulkWriter(ctx.db, ctx.actor)
            for i in range(0, len(creates), UPDATE_CHUNK_ROWS):
                part = creates[i:i + UPDATE_CHUNK_ROWS]
                if gap:
                    gap.after_chunk()
                with ctx.db.unit_of_work(write=True) as s:
                    keys = _custom_keys(s, writer, module)
                    staged = _refused_by_row(lambda: writer.stage(
                        s, module, [_with_custom(r.full, r.custom, keys) for r in part]), part)
                    ids = _refused_by_row(lambda: writer.write_staged(s, staged), part, named=True)
                    batches.add_records(s, batch_id, [{"batch_id": batch_id, "record_id": rid, "version": 1,
                                                       "module": module} for rid in ids])
                    s.commit()
    except NamedChunkFailed as exc:
        raise NamedChunkFailed([_as_companion(ctx, t, e) for e in exc.errors]) from None
    except ChunkFailed as exc:
        raise ChunkFailed([_as_companion(ctx, t, e) for e in exc.errors]) from None


def _as_companion(ctx: Context, t: Targets, e: FieldError) -> FieldError:
    """A contact's refusal under the importer's name of its field and, as the check words it, its label
    ("姓名：…" -> "联系人姓名：…")."""
    if not e.field:
        return FieldError(None, e.code, e.message, row=e.row)
    name = f"{t.companion}.{e.field}"
    message = e.message
    if name in t.fields and not e.field.startswith("custom."):
        message = relabel(message, ctx.services[t.companion].spec.field(e.field).label, t.fields[name].label)
    return FieldError(name, e.code, message, row=e.row)


def _write_updates(ctx: Context, module: str, batch_id: int, updates: list[RowUpdate], gap: _Gap | None,
                   progress: Callable[[int, int], None] | None, total: int, chunk_rows: int | None, *,
                   companion: bool = False) -> int:
    """The updates in chunks, set-based through the bulk path and pipelined like the creates: while a worker
    thread writes chunk k (its records locked and refused as a conflict if no longer at the version staged,
    which is the version the preview showed), this thread reads and checks chunk k+1 by the service's update
    rules (:meth:`BulkWriter.stage_update`). Returns how many rows were written."""
    from crm_core.bulk.writer import BulkWriter

    writer = BulkWriter(ctx.db, ctx.actor)
    size = chunk_rows or UPDATE_CHUNK_ROWS
    rest = iter(updates)
    return _pipeline("import-update", list(islice(rest, size)), lambda n: list(islice(rest, n)),
                     lambda part: _stage_updates(ctx, writer, module, part),
                     lambda part, staged, first: _write_update_chunk(ctx, writer, module, batch_id, part, staged,
                                                                     None if first else gap, companion),
                     size, chunk_rows is None, 0, progress, total)


def _update_items(u: RowUpdate) -> tuple[int, int, dict[str, Any]]:
    changes: dict[str, Any] = {name: new for name, (_old, new) in u.changes.items()}
    if u.custom:
        changes["custom"] = dict(u.custom)
    return u.record_id, u.version, changes


def _stage_updates(ctx: Context, writer: Any, module: str, part: list[RowUpdate]) -> Any:
    """The chunk's updates read and checked in a read unit of work (no lock taken); refused rows by file row."""
    with ctx.db.unit_of_work(write=False) as s:
        try:
            return writer.stage_update(s, module, [_update_items(u) for u in part])
        except ValidationError as exc:
            raise NamedChunkFailed(_by_file_row(ctx, module, part, exc)) from None


def _write_update_chunk(ctx: Context, writer: Any, module: str, batch_id: int, part: list[RowUpdate], staged: Any,
                        gap: _Gap | None, companion: bool = False) -> float:
    """One chunk's write transaction (in the worker thread); the records' values before go into the batch."""
    if gap:
        gap.after_chunk()
    started = time.perf_counter()
    with ctx.db.unit_of_work(write=True) as s:
        try:
            versions = writer.write_update(s, staged)
        except ValidationError as exc:
            raise NamedChunkFailed(_by_file_row(ctx, module, part, exc)) from None
        keys = {d.key: d.id for d in ctx.services[module]._definitions(s)}
        records = []
        for u, row, stored, version in zip(part, staged.rows, staged.stored, versions, strict=True):
            before = {name: val.to_plain(row[name]) for name in u.changes}
            if u.custom:
                # the values before, so that the batch undo (and a failed import's purge) restores them too
                before["custom"] = {key: stored.get(keys.get(key)) for key in u.custom}
            records.append({"batch_id": batch_id, "record_id": u.record_id, "version": version, "action": "update",
                            "before": before, **({"module": module} if companion else {})})
        batches.add_records(s, batch_id, records)
        s.commit()
    return time.perf_counter() - started


def _by_file_row(ctx: Context, module: str, part: list[RowUpdate], exc: ValidationError) -> list[FieldError]:
    """The bulk path's errors (``row`` = position in the chunk) by the file's rows; a conflict says so in the
    importer's words (the record named by its key)."""
    service = ctx.services[module]
    out = []
    for e in exc.errors:
        u = part[e.row] if e.row is not None else None
        if u is not None and e.code == "conflict":
            first = next(iter([*u.changes, *u.custom_changes]), None)  # the row's column of its first change
            out.append(FieldError(first, "conflict", _conflict(service, u), row=u.row))
        else:
            out.append(FieldError(e.field, e.code, e.message, row=u.row if u is not None else None))
    return out


def _conflict(service: Any, u: RowUpdate) -> Text:
    """The record named as the file names it (its code; a contact by name, customer and phone) and the fields
    the row would have changed (a custom field by its label)."""
    from crm_core.importing.engine import _joined

    spec = service.spec
    zh, en = (f"“{u.title}”（{u.key}）", f"'{u.title}' ({u.key_en or u.key})") if spec.identity \
        else (f"“{u.key}”", f"'{u.key}'")
    fields = [spec.field(n).label for n in u.changes]
    if u.custom_changes:
        with service.ctx.db.unit_of_work(write=False) as s:
            labels = {d.key: Text(d.label_zh, d.label_en or d.label_zh) for d in service._definitions(s)}
        fields += [labels.get(n.removeprefix("custom."), Text(n, n)) for n in u.custom_changes]
    zh_fields = f"此行对{_joined([f.zh for f in fields], '、', '和')}的修改未写入，" if fields else ""
    en_fields = (f" this row's changes to {_joined([f.en.lower() for f in fields], ', ', ' and ')} were not "
                 f"written and") if fields else ""
    return Text(f"{spec.label.zh}{zh}在预览之后已被他人修改或删除，{zh_fields}未覆盖他人的修改",
                f"{spec.label.en} {en} was changed or deleted by someone else after the preview;{en_fields} "
                f"their changes were not overwritten")
