"""Writing demo plans through the bulk path (:mod:`crm_core.bulk`), oldest record first.

Each record is written by the user who would have entered it (the owner for
sales records, customer service for submitters and tickets, an engineer for
license machines), with the time the plan says it happened, and with what the
services derive: codes of that day, status history, search index, audit
entries, ticket log and notices. Ticket and status workflows are applied as
the services' workflow methods would leave them (status, version, log).

Order: customers are planned oldest first (``demo.generate``), and every record
of a plan becomes an event at its own moment, kept in the bucket of the first
flush whose horizon reaches it. A flush writes its events in time order, module
by module (what a row refers to first), so that in every module the ids follow
``created_at`` as they do in a real office: the grids' newest-first order (by
id) shows the newest records on top. Every planned record happens at or after
its customer (``demo_plan``), so no event ever falls behind a flushed horizon.

Memory: customers span two years, so most of each customer's records wait for
later flushes. They wait on disk (a temporary file, :class:`_Spill`), as plain
tuples that name what they refer to by run-wide numbers (the customer's, its
contract's ...), whose ids are kept in arrays once written: what a run holds in
memory does not grow with the number of customers (a few arrays of ids aside).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import multiprocessing
import pickle
import sys
import tempfile
import traceback
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import count, repeat
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_core.bulk import BulkWriter
from crm_core.bulk.rows import insert_rows, reserve_ids, update_rows
from crm_core.bulk.writer import CODES
from crm_core.db.engine import Database
from crm_core.demo_plan import CustomerPlan
from crm_core.models import Customer, License, LicensedMachine, Notification, Ticket, TicketLogEntry
from crm_core.services.codes import reserve_codes
from crm_core.services.context import Actor

MINUTE = dt.timedelta(minutes=1)
# Modules in the order a flush writes them: what a row refers to is written before it.
ORDER = ("customers", "contacts", "contracts", "payments", "products", "licenses", "submitters", "tickets",
         "followups", "needs", "opportunities", "status")
PIECE = 5000  # rows a writer stages at a time
# Plan customers in a worker process while this one writes (SQLite, where processes fork: see PlanWriter.planned).
PLAN_IN_WORKER = True
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def _when(event: tuple[Any, ...]) -> tuple[int, int]:
    """An event's moment (as exact microseconds: comparing aware datetimes costs a UTC offset each time),
    then the order it was filed in."""
    return (event[0] - _EPOCH) // _MICROSECOND, event[1]


class Filed(NamedTuple):
    """A chunk's events: those of its own flush, and those of later flushes pickled (by flush and module)."""

    flush: int
    now: list[tuple[Any, ...]]
    later: dict[tuple[int, str], bytes]
    counts: tuple[int, int, int, int]  # customers, contracts, products, submitters


class _Spill:
    """Events of later flushes, pickled to a temporary file until their flush reads them back.

    Customers span two years, so most of a customer's records (its follow-ups, payments, tickets ... up to
    today) wait for later flushes: kept in memory, the records waiting grew with the number of customers
    (35,000 of them, with their plan objects, two thirds into a run of 20,000). On disk, what a run holds in
    memory is one flush's worth.
    """

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.end = 0
        # (flush, module) -> (offset, length) of each batch filed for it
        self.spans: dict[tuple[int, str], array[int]] = {}

    def put(self, k: tuple[int, str], blob: bytes) -> None:
        """A pickled list of events of flush and module ``k``."""
        self.spans.setdefault(k, array("q")).extend((self.end, len(blob)))
        self.file.write(blob)
        self.end += len(blob)

    def take(self, k: tuple[int, str]) -> list[tuple[Any, ...]]:
        spans = self.spans.pop(k, None)
        if not spans:
            return []
        out: list[tuple[Any, ...]] = []
        for i in range(0, len(spans), 2):
            self.file.seek(spans[i])
            out.extend(pickle.loads(self.file.read(spans[i + 1])))
        self.file.seek(self.end)
        return out

    def close(self) -> None:
        self.file.close()


class Filer:
    """Turns chunks of customer plans into :class:`Filed` events (no database: a worker process can do it).

    An event is a plain tuple ``(at, seq, module, customer, owner, payload)``: ``customer`` is the customer's
    number in this run and ``payload`` holds a record's values and, instead of the objects it refers to, the
    run-wide numbers of its contract, product or submitter, whose ids (known once written) are kept in arrays.
    """

    def __init__(self, horizons: list[dt.datetime]):
        self.horizons = horizons
        self.seq = count()
        self._numbers = (0, 0, 0, 0)  # see filed()

    def filed(self, plans: list[CustomerPlan], flush: int) -> Filed:
        """The events of ``plans`` by flush, those of later flushes already pickled (nothing written, nothing
        filed: :meth:`PlanWriter.receive` takes the result). Called once per chunk, in the order of the flushes."""
        horizons, seq = self.horizons, self.seq
        filed: dict[int, list[tuple[Any, ...]]] = defaultdict(list)  # flush -> events
        numbers = self._numbers  # run-wide numbers of the next customer, contract, product and submitter
        ci, k0, p0, s0 = numbers
        owner = 0

        def event(at: dt.datetime, module: str, payload: Any) -> None:
            filed[max(flush, bisect.bisect_left(horizons, at))].append((at, next(seq), module, ci, owner, payload))

        for p in plans:
            owner = p.owner
            event(p.at, "customers", (p.values, p.at, [(c.values["name"], c.values["phone"]) for c in p.contacts]))
            for c in p.contacts:
                event(c.at, "contacts", (c.values, c.at))
            for k, c in enumerate(p.contracts):
                event(c.at, "contracts", (k0 + k, c.values, c.at))
                for pay in c.payments:
                    event(pay.at, "payments", (k0 + k, pay.values, pay.at))
            for k, prod in enumerate(p.products):
                event(prod.at, "products", (p0 + k, prod.values, prod.at))
                for lic in prod.licenses:
                    event(lic.at, "licenses", (p0 + k, lic.values, lic.at, lic.machines))
            for k, sub in enumerate(p.submitters):
                event(sub.at, "submitters", (s0 + k, sub.values, sub.at))
            for t in p.tickets:
                sub = None if t.submitter is None else p.submitters[t.submitter].values
                event(t.at, "tickets", (t, None if sub is None else (s0 + t.submitter, sub.get("email"), sub["name"])))
            for f in p.followups:
                event(f.at, "followups", (f.values, f.at))
            for n, su in p.needs:
                event(n.at, "needs", (n.values, n.at, su))
            for o in p.opportunities:
                event(o.at, "opportunities", (o.values, o.at))
            for st, at, k in p.statuses:
                event(at, "status", (st, at, None if k is None else p.contracts[k].values["number"]))
            ci, k0, p0, s0 = ci + 1, k0 + len(p.contracts), p0 + len(p.products), s0 + len(p.submitters)
        counts = (ci - numbers[0], k0 - numbers[1], p0 - numbers[2], s0 - numbers[3])
        self._numbers = (ci, k0, p0, s0)
        later: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
        for k, events in filed.items():
            if k != flush:
                for e in events:
                    later[(k, e[2])].append(e)
        return Filed(flush, filed.pop(flush, []), {k: pickle.dumps(events, pickle.HIGHEST_PROTOCOL)
                                                   for k, events in later.items()}, counts)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often while demo data is made, as it was about a sixth of the
    writer's CPU (2.5 s of 13.7 s at 10,000 customers, 16 full collections): the objects that exist when the
    run starts (modules, mappings, the users) are frozen out of its scans (``gc.freeze``; a forked planning
    worker then also leaves their pages shared), and a young collection waits for 50,000 new objects instead
    of 700 (a chunk's plans and rows are many objects, nearly all freed by reference counting). Afterwards the
    thresholds are restored and the heap unfrozen. Where something had frozen the heap before (the test session
    freezes its start-up objects; a partial unfreeze does not exist) nothing is frozen here, only the
    thresholds changed."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count() > 0
    if not frozen_before:  # else what is alive now (garbage to come among it) would stay frozen for good
        gc.freeze()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:
            gc.unfreeze()


class _Planner:
    """Plans and files chunks of customers in a forked worker process, a chunk ahead of the writer.

    Planning is about a third of a run's CPU and needs no database, so on a machine with two cores or more it
    runs beside the writing. The worker is forked from the writer (so it plans with the same environment,
    seeds and ``plan`` function) and sends each chunk's :class:`Filed` events through a pipe; a pipe holds
    little, so the worker waits while the writer has not taken the previous chunk: at most about two chunks'
    plans exist at a time, as when planning in-process. The run-wide state the plan carries (the names and
    serials in use, contract numbers) lives in the worker only. The worker touches nothing of the writer's
    (its database connections included) and ends with ``os._exit``, as multiprocessing's forked children do.
    """

    def __init__(self, filer: Filer, plan: Callable[[int], CustomerPlan], chunks: Iterable[Sequence[int]]):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_plan_chunks, args=(self.conn, child, filer, plan, chunks),
                                   name="crm-demo-planner", daemon=True)
        self.process.start()
        child.close()  # the worker holds the only writing end: the reader sees EOF if it dies

    def __iter__(self) -> Iterator[Filed]:
        while True:
            try:
                message = self.conn.recv()
            except EOFError:
                self.process.join()
                raise RuntimeError(f"the demo data's planning process ended unexpectedly "
                                   f"(exit code {self.process.exitcode})") from None
            if message is None:
                return
            if isinstance(message, _Failed):
                if message.error is None:  # not picklable: its text
                    raise RuntimeError(f"planning the demo data failed:\n{message.traceback}")
                raise message.error from _WorkerTraceback(message.traceback)
            yield message

    def stop(self) -> None:
        """Close the pipe and end the worker (at once if it is still planning: the writer stopped early)."""
        self.conn.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.process.close()


def _plan_chunks(conn: Any, child: Any, filer: Filer, plan: Callable[[int], CustomerPlan],
                 chunks: Iterable[Sequence[int]]) -> None:
    """The worker of :class:`_Planner`: each chunk's events, then None (or the exception that stopped it)."""
    conn.close()  # the reading end is the writer's
    try:
        for k, chunk in enumerate(chunks):
            child.send(filer.filed([plan(i) for i in chunk], k))
        child.send(None)
    except BrokenPipeError:  # the writer stopped
        pass
    except BaseException as exc:  # noqa: BLE001 - handed to the writer, who raises it
        text = "".join(traceback.format_exception(exc))
        try:  # the writer must be able to unpickle it too (an exception whose constructor wants more arguments)
            failed = _Failed(pickle.loads(pickle.dumps(exc)), text)
            child.send(failed)
        except Exception:  # noqa: BLE001 - not picklable: its text only
            child.send(_Failed(None, text))
    finally:
        child.close()


class _Failed(NamedTuple):
    """What stopped the planning worker: the exception (None if it does not pickle) and its traceback's text."""

    error: BaseException | None
    traceback: str


class _WorkerTraceback(Exception):
    """The planning worker's traceback, as the cause of the exception raised in the writer."""


class PlanWriter:
    """Writes :class:`CustomerPlan` lists with the demo users as actors, every module in ``created_at`` order.

    ``horizons`` are the moments up to which each flush writes (the last customer's creation of each chunk,
    known ahead because customers' creation times are drawn first); :meth:`add` files a chunk's events (or
    :meth:`planned` plans and files chunks in a worker process, and :meth:`receive` takes them in),
    :meth:`flush` writes those of one horizon in a transaction; :meth:`close` drops what is left.

    Events (see :class:`Filer`) of the flush being filled stay in memory; later ones go to a :class:`_Spill`.
    """

    def __init__(self, db: Database, users: dict[str, list[Actor]], horizons: list[dt.datetime]):
        self.db, self.actors, self.horizons = db, users, horizons
        self.writers = {(role, k): BulkWriter(db, a) for role, actors in users.items() for k, a in enumerate(actors)}
        self.buckets: dict[int, list[tuple[Any, ...]]] = defaultdict(list)  # events of the flush being filled
        self.spill = _Spill()
        self.filer = Filer(horizons)
        self.planner: _Planner | None = None
        # ids by run-wide number, 0 until written
        self.customer_ids, self.contract_ids = array("q"), array("q")
        self.product_ids, self.submitter_ids = array("q"), array("q")

    def close(self) -> None:
        self._stop_planner()
        self.spill.close()

    def _stop_planner(self) -> None:
        if self.planner is not None:
            self.planner.stop()
            self.planner = None

    def _w(self, role: str, k: int) -> BulkWriter:
        return self.writers[(role, k)]

    # ------------------------------------------------------------------ events

    def add(self, plans: list[CustomerPlan], flush: int) -> None:
        """File the events of ``plans`` (customers of flush number ``flush`` or later)."""
        self.receive(self.filed(plans, flush))

    def filed(self, plans: list[CustomerPlan], flush: int) -> Filed:
        """The events of ``plans`` by flush (:meth:`Filer.filed`); :meth:`receive` takes the result."""
        return self.filer.filed(plans, flush)

    def planned(self, plan: Callable[[int], CustomerPlan], chunks: Iterable[Sequence[int]]) -> Iterator[Filed]:
        """The :class:`Filed` events of each chunk of customers (``plan(i)`` plans customer ``i``), in order, for
        :meth:`receive`: planned in a worker process a chunk ahead of the caller, who writes meanwhile (see
        :class:`_Planner`), or here where a process cannot be forked. The same events either way: the plan
        needs no database, and one process plans every chunk in order."""
        with _fewer_collections():
            # Only beside SQLite: against a PostgreSQL server on the same two cores the worker took the server's
            # core (measured 10 % faster to 39 % slower, docs/performance.md, branch democpu).
            if not (PLAN_IN_WORKER and self.db.engine.dialect.name == "sqlite"
                    and "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux"):
                for k, chunk in enumerate(chunks):
                    yield self.filer.filed([plan(i) for i in chunk], k)
                return
            self.planner = _Planner(self.filer, plan, chunks)
            try:
                yield from self.planner
            finally:
                self._stop_planner()

    def receive(self, f: Filed) -> None:
        """Take what :meth:`filed` made: ids to come in the arrays, the flush's own events, the later ones spilled."""
        for ids, n in zip((self.customer_ids, self.contract_ids, self.product_ids, self.submitter_ids), f.counts,
                          strict=True):
            ids.extend(repeat(0, n))
        self.buckets[f.flush].extend(f.now)
        for k, blob in f.later.items():
            self.spill.put(k, blob)

    def flush(self, k: int) -> None:
        """Write the events filed for flush ``k`` in one transaction (then, on PostgreSQL, the tables'
        statistics when the data has doubled: :meth:`_analyze`)."""
        with self.db.unit_of_work(write=True) as s:
            self.flush_in(s, k)
            s.commit()
        if (k + 1) & k == 0:  # after flushes 1, 2, 4, 8 ...: at most twice the rows of the last statistics
            self._analyze()

    def _analyze(self) -> None:
        """PostgreSQL: ``ANALYZE`` of the tables a flush writes, so that the planner knows their sizes and
        spreads while they grow from nothing.

        Without statistics the planner assumes any value matches 1 row in 200: a flush's look-ups of a few
        hundred keys (``contacts.customer_id = ANY(...)`` in the search refresh, the payments rule's contracts and
        payments, ...) were planned as sequential scans of the whole table, so each flush cost more than the
        one before it (measured: 456 scans of ``contacts`` reading 30 million rows by 75,000 customers). The
        server's autovacuum would analyze the tables now and then, but where it is off (or behind a bulk load)
        nothing does. After flushes 1, 2, 4, 8 ... (ten times for a million customers): a table never holds
        more than twice the rows its statistics describe. Sampled (about 30,000 rows a table): a second or
        two. Not on SQLite: its planner uses ``sqlite_stat1`` only where the application chose to (query.py).
        A login that does not own the tables gets the server's warning and no statistics, nothing else."""
        if self.db.engine.dialect.name != "postgresql":
            return
        with self.db.unit_of_work(write=True) as s:
            s.execute(text("ANALYZE " + ", ".join(f'"{name}"' for name in _analyzed_tables())))
            s.commit()

    def flush_in(self, s: Session, k: int) -> None:
        """Module by module (what a row refers to first), each module's events in time order. One module's events
        at a time are read back: the last flush also takes everything planned up to the last moment (``latest``,
        where the plan stops what would happen later), which grows with the number of customers."""
        own: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for e in self.buckets.pop(k, ()):
            own[e[2]].append(e)
        for module in ORDER:
            events = self.spill.take((k, module))
            events.extend(own.pop(module, ()))
            if events:
                events.sort(key=_when)
                items = [(ci, owner, payload) for _, _, _, ci, owner, payload in events]
                del events
                getattr(self, f"_{module}")(s, items)

    # ------------------------------------------------------------------ writing

    def _insert(self, s: Session, module: str, entries: list[tuple[tuple[str, int], dict[str, Any]]], *,
                search: bool = True) -> list[int]:
        """Rows ``(writer key, row)`` in time order: ids (and codes) numbered in that order, each written by its
        own writer (actor); returns the ids in input order."""
        any_writer = self.writers[entries[0][0]]
        table = any_writer.services[module].model.__table__
        ids = reserve_ids(s, table, len(entries))
        codes: list[tuple[dt.date, str] | None] = [None] * len(entries)
        if module in CODES:
            days = [row["created_at"].astimezone().date() for _, row in entries]
            per_day: dict[dt.date, int] = defaultdict(int)
            for d in days:
                per_day[d] += 1
            reserved = {d: iter(c) for d, c in reserve_codes(s, CODES[module][1], per_day).items()}
            codes = [(d, next(reserved[d])) for d in days]
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for pos, (key, _) in enumerate(entries):
            groups[key].append(pos)
        for key, group in groups.items():
            w = self.writers[key]
            # A writer's rows in pieces, in order (the same ids, codes and audit order as at once): what is
            # staged at a time stays bounded when a flush is big (the last one).
            for start in range(0, len(group), PIECE):
                positions = group[start:start + PIECE]
                st = w.stage(s, module, [entries[p][1] for p in positions], search=search)
                group_codes: dict[dt.date, list[str]] = defaultdict(list)
                for p in positions:
                    if codes[p] is not None:
                        group_codes[codes[p][0]].append(codes[p][1])
                w._number(s, st, [ids[p] for p in positions], dict(group_codes))
                w.write_staged(s, st)
                del st
        return ids

    @staticmethod
    def _stamped(values: dict[str, Any], at: dt.datetime, **extra: Any) -> dict[str, Any]:
        return {**values, "created_at": at, "updated_at": at, **extra}

    def _owner_id(self, owner: int) -> int:
        return self.actors["sales"][owner].user_id

    def _customers(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        ids = self._insert(s, "customers", [(("sales", owner), {
            **values, "owner_id": self._owner_id(owner), "created_at": at, "_contacts": contacts})
            for _, owner, (values, at, contacts) in items])
        for (ci, _, _), cid in zip(items, ids, strict=True):
            self.customer_ids[ci] = cid

    def _contacts(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        # search=False: already in the customers' search entries
        cids = self.customer_ids
        self._insert(s, "contacts", [(("sales", owner), self._stamped(values, at, customer_id=cids[ci]))
                                     for ci, owner, (values, at) in items], search=False)

    def _contracts(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        cids = self.customer_ids
        ids = self._insert(s, "contracts", [(("sales", owner), self._stamped(values, at, customer_id=cids[ci]))
                                            for ci, owner, (_, values, at) in items])
        for (_, _, (k, _, _)), rid in zip(items, ids, strict=True):
            self.contract_ids[k] = rid

    def _payments(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        sales, contracts = self.actors["sales"], self.contract_ids
        self._insert(s, "payments", [(("sales", owner), self._stamped(
            values, at, contract_id=contracts[k], handler=sales[owner].name)) for _, owner, (k, values, at) in items])

    def _products(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        cids = self.customer_ids
        wanted = sorted({cids[ci] for ci, _, _ in items})
        codes = dict(s.execute(Customer.__table__.select().with_only_columns(Customer.id, Customer.code)
                               .where(Customer.id.in_(wanted))).all())
        ids = self._insert(s, "products", [(("sales", owner), self._stamped(
            values, at, customer_id=cids[ci], backup_path=values["backup_path"].replace("{code}", codes[cids[ci]])))
            for ci, owner, (_, values, at) in items])
        for (_, _, (k, _, _)), rid in zip(items, ids, strict=True):
            self.product_ids[k] = rid

    def _licenses(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        cids, products = self.customer_ids, self.product_ids
        ids = self._insert(s, "licenses", [(("sales", owner), self._stamped(
            values, at, customer_id=cids[ci], product_id=products[k])) for ci, owner, (k, values, at, _) in items])
        self._machines(s, [(rid, machines, at) for rid, (_, _, (_, _, at, machines)) in zip(ids, items, strict=True)])

    def _machines(self, s: Session, licenses: list[tuple[int, list[tuple[str, str]], dt.datetime]]) -> None:
        """Seats taken by computers, added by the first engineer (``LicenseService.add_machine``)."""
        engineer = self._w("engineer", 0)
        rows, audits, touched = [], [], {}
        for lic_id, machines, at in licenses:
            for name, fp in machines:
                rows.append((lic_id, name, fp, True, at + 2 * 60 * MINUTE))
                audits.append((lic_id, None, {"machine_name": name, "fingerprint": fp}))
            if machines:
                touched[lic_id] = (1 + len(machines), at)
        ids = reserve_ids(s, LicensedMachine.__table__, len(rows))
        insert_rows(s, LicensedMachine.__table__, ("id", "license_id", "machine_name", "fingerprint", "is_active",
                                                   "activated_at"), [(k, *r) for k, r in zip(ids, rows, strict=True)])
        update_rows(s, License.__table__, "id", ("version", "updated_by_id"),
                    [(lic_id, v, engineer.actor.user_id) for lic_id, (v, _) in touched.items()])
        engineer.audit_in(s, "licenses", "add_machine", audits)

    def _submitters(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        """Submitters, entered by the first service user."""
        cids = self.customer_ids
        ids = self._insert(s, "submitters", [(("service", 0), self._stamped(values, at, customer_id=cids[ci]))
                                             for ci, _, (_, values, at) in items])
        for (_, _, (k, _, _)), rid in zip(items, ids, strict=True):
            self.submitter_ids[k] = rid

    def _tickets(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        """Tickets (by their service user), then the ticket workflow."""
        cids, subs = self.customer_ids, self.submitter_ids
        rows = [{**t.values, "customer_id": cids[ci], "created_at": t.at,
                 "submitter_id": None if sub is None else subs[sub[0]]} for ci, _, (t, sub) in items]
        ids = self._insert(s, "tickets", [(("service", t.service), row)
                                          for (_, _, (t, _)), row in zip(items, rows, strict=True)])
        emails = {subs[k]: (email, name) for _, _, (_, sub) in items if sub is not None for k, email, name in [sub]}
        TicketFlow(self, s).apply([(rid, t, row) for rid, (_, _, (t, _)), row in zip(ids, items, rows, strict=True)],
                                  emails)

    def _followups(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        cids = self.customer_ids
        self._insert(s, "followups", [(("sales", owner), self._stamped(
            values, at, customer_id=cids[ci], user_id=self._owner_id(owner))) for ci, owner, (values, at) in items])

    def _needs(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        cids, service = self.customer_ids, self.actors["service"]
        self._insert(s, "needs", [(("sales", owner), self._stamped(
            values, at, customer_id=cids[ci], owner_id=self._owner_id(owner) if su is None else service[su].user_id))
            for ci, owner, (values, at, su) in items])

    def _opportunities(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        cids = self.customer_ids
        self._insert(s, "opportunities", [(("sales", owner), self._stamped(
            values, at, customer_id=cids[ci], owner_id=self._owner_id(owner))) for ci, owner, (values, at) in items])

    def _status(self, s: Session, items: list[tuple[int, int, Any]]) -> None:
        """Status moves by each owner, in time order (a customer's own moves stay in their order)."""
        cids = self.customer_ids
        by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for ci, owner, (st, at, number) in items:
            by_owner[owner].append({"customer_id": cids[ci], "status": st, "at": at,
                                    "note": "签订合同" if st == "won" else None, "contract_number": number})
        for owner, steps in by_owner.items():
            self._w("sales", owner).change_status_in(s, steps)


def _analyzed_tables() -> list[str]:
    """The tables a flush writes rows into (:meth:`PlanWriter._analyze`)."""
    from crm_core.models import (AuditEntry, CodeSequence, Contact, Contract, CustomerSearchGram,
                                 CustomerStatusChange, FollowUp, Need, Opportunity, Payment, Product, Submitter)

    return [m.__table__.name for m in (Customer, CustomerSearchGram, CustomerStatusChange, Contact, Contract, Payment,
                                       Product, License, LicensedMachine, Submitter, Ticket, TicketLogEntry,
                                       Notification, FollowUp, Need, Opportunity, AuditEntry, CodeSequence)]


class TicketFlow:
    """The end state of ``TicketService.assign / add_log / resolve / record_notification_result / close``."""

    def __init__(self, pw: PlanWriter, s: Session):
        self.pw, self.s = pw, s
        self.svc = pw.writers[("service", 0)].services.tickets

    def apply(self, tickets: list[tuple[int, Any, dict[str, Any]]], emails: dict[int, tuple[str | None, str]]) -> None:
        from crm_core.models import Customer  # noqa: F401  (models registered)

        numbers = dict(self.s.execute(Ticket.__table__.select().with_only_columns(Ticket.id, Ticket.number)
                                      .where(Ticket.id.in_([t[0] for t in tickets]))).all())
        logs, notices, updates = [], [], []
        audits: dict[tuple[str, str, int], list[tuple[int, Any, Any]]] = defaultdict(list)
        for tid, t, row in tickets:
            if t.final == "open":
                continue
            service = self.pw.actors["service"][t.service]
            engineer = self.pw.actors["engineer"][t.engineer]
            state = {**row, "id": tid, "number": numbers[tid], "status": "open", "engineer_id": None, "result": None,
                     "satisfaction": None, "resolved_at": None, "closed_at": None, "is_active": True}
            version, last_by, last_at = 1, service, t.assigned_at

            def step(actor_role: str, k: int, action: str, **changes: Any) -> None:
                nonlocal version
                before = self.svc._snapshot(_Obj(state))
                state.update(changes)
                after = self.svc._snapshot(_Obj(state))
                changed = [f for f in after if after[f] != before.get(f)]
                audits[(actor_role, action, k)].append((tid, {f: before.get(f) for f in changed},
                                                        {f: after[f] for f in changed}))
                version += 1

            step("service", t.service, "assign", engineer_id=engineer.user_id, status="in_progress")
            logs.append((tid, t.assigned_at, service.user_id, "assign",
                         f"指派给 {engineer.name} / assigned to {engineer.name}"))
            for note, at in t.notes:
                logs.append((tid, at, engineer.user_id, "note", note))
                version, last_by, last_at = version + 1, engineer, at
            if t.final in ("resolved", "closed"):
                step("engineer", t.engineer, "resolve", status="resolved", result=t.result, resolved_at=t.resolved_at)
                last_by, last_at = engineer, t.resolved_at
                logs.append((tid, t.resolved_at, engineer.user_id, "resolve", t.result))
                email, name = emails.get(row.get("submitter_id"), (None, ""))
                notify = t.resolved_at + 2 * MINUTE
                if email:
                    number = numbers[tid]
                    notices.append((tid, "email", email, f"您反馈的问题已解决 / Your issue {number} is resolved",
                                    f"{name}，您好：\n\n您反馈的问题（{number}）已解决。\n处理结果：{t.result}\n\n"
                                    f"Dear {name},\n\nthe issue you reported ({number}) is resolved.\nResult: {t.result}\n",
                                    "sent", t.resolved_at + MINUTE, t.resolved_at + 3 * MINUTE, 0))
                    logs.append((tid, notify, engineer.user_id, "notify", f"已排队通知 {email} / notice queued for {email}"))
                    logs.append((tid, notify + 2 * MINUTE, service.user_id, "notify", f"已通知 {email} / notified {email}"))
                else:
                    logs.append((tid, notify, engineer.user_id, "notify",
                                 "反馈人员没有 Email，无法自动通知 / the submitter has no e-mail; no notice sent"))
            if t.final == "closed":
                step("service", t.service, "close", status="closed", closed_at=t.closed_at, satisfaction=t.satisfaction)
                last_by, last_at = service, t.closed_at
                logs.append((tid, t.closed_at, service.user_id, "close",
                             f"满意度 / satisfaction: {t.satisfaction if t.satisfaction else '-'}"))
            updates.append((tid, state["status"], state["engineer_id"], state["result"], state["satisfaction"],
                            state["resolved_at"], state["closed_at"], version, last_at, last_by.user_id))
        update_rows(self.s, Ticket.__table__, "id", ("status", "engineer_id", "result", "satisfaction", "resolved_at",
                                                     "closed_at", "version", "updated_at", "updated_by_id"), updates)
        ids = reserve_ids(self.s, TicketLogEntry.__table__, len(logs))
        insert_rows(self.s, TicketLogEntry.__table__, ("id", "ticket_id", "at", "by_id", "kind", "content"),
                    [(k, *r) for k, r in zip(ids, logs, strict=True)])
        ids = reserve_ids(self.s, Notification.__table__, len(notices))
        insert_rows(self.s, Notification.__table__, ("id", "ticket_id", "channel", "recipient", "subject", "body",
                                                     "status", "created_at", "sent_at", "attempts"),
                    [(k, *r) for k, r in zip(ids, notices, strict=True)])
        for (role, action, k), entries in audits.items():
            self.pw.writers[(role, k)].audit_in(self.s, "tickets", action, entries)


class _Obj:
    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]):
        self._d = d

    def __getattr__(self, name: str) -> Any:
        return self._d.get(name)
