"""Demo data planned in a worker process: the same rows as planned in-process, failures reach the caller, no
process is left behind; and the bulk writer's column-wise shortcuts give what the per-value code gives.

``demo.generate`` plans customers in a forked worker a chunk ahead of the writing (crm_core.demo_write._Planner)
where processes fork; elsewhere in-process. test_demo_output pins the rows of the default path; here the
in-process path must give the same digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import random
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects import postgresql

from crm_core import demo, demo_write
from crm_core.bulk import BulkWriter
from crm_core.bulk import rows as bulk_rows
from crm_core.models import AuditEntry, Customer, FollowUp, Payment, Ticket

from tests.integration.test_demo_output import CUSTOMERS, PINNED, pinned_clock, table_digests  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker is forked")


def test_planned_here_instead_of_in_a_worker_the_rows_are_the_same(db, backend, pinned_clock, monkeypatch):
    monkeypatch.setattr(demo_write, "PLAN_IN_WORKER", False)
    demo.generate(db, customers=CUSTOMERS)
    digest = hashlib.sha256(json.dumps(table_digests(db), sort_keys=True).encode()).hexdigest()
    assert digest == PINNED[backend]


def test_customers_are_planned_in_another_process(db, backend, tmp_path, monkeypatch):
    seen = tmp_path / "planned-by"
    plan = demo.plan_customer

    def recorded(*args, **kwargs):
        with open(seen, "a") as f:
            f.write(f"{os.getpid()}\n")
        return plan(*args, **kwargs)

    monkeypatch.setattr(demo, "plan_customer", recorded)
    monkeypatch.setattr(demo, "CHUNK", 40)
    counts = demo.generate(db, customers=100)
    pids = seen.read_text().split()
    assert counts["customers"] == 100 and len(pids) == 100
    if backend == "sqlite":
        assert str(os.getpid()) not in pids
    else:  # the PostgreSQL server needs the other core: planned here
        assert set(pids) == {str(os.getpid())}
    assert multiprocessing.active_children() == []


def test_a_planning_failure_reaches_the_caller_and_leaves_no_process(db, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("the planning worker runs beside SQLite only")
    plan = demo.plan_customer
    planned = []

    def failing(*args, **kwargs):
        planned.append(1)  # in the worker's memory: counts the worker's calls
        if len(planned) == 60:
            raise ValueError("planning failed on purpose")
        return plan(*args, **kwargs)

    monkeypatch.setattr(demo, "plan_customer", failing)
    monkeypatch.setattr(demo, "CHUNK", 40)
    with pytest.raises(ValueError, match="planning failed on purpose") as raised:
        demo.generate(db, customers=100)
    assert "in failing" in str(raised.value.__cause__)  # the worker's traceback comes along
    assert multiprocessing.active_children() == []
    with db.unit_of_work(write=False) as s:  # the first chunk was written before the second failed
        assert s.scalar(select(func.count()).select_from(Customer)) == 40


def test_a_writing_failure_stops_the_planning_process(db, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("the planning worker runs beside SQLite only")
    flush = demo_write.PlanWriter.flush

    def failing(self, k):
        if k == 1:
            raise RuntimeError("writing failed on purpose")
        flush(self, k)

    monkeypatch.setattr(demo_write.PlanWriter, "flush", failing)
    monkeypatch.setattr(demo, "CHUNK", 40)
    with pytest.raises(RuntimeError, match="writing failed on purpose"):
        demo.generate(db, customers=200)
    assert multiprocessing.active_children() == []


# ------------------------------------------------------------------ the bulk writer's column-wise shortcuts

_ZONES = (dt.timezone(dt.timedelta(hours=8), "CST"), dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)))


def _value(rng: random.Random, type_name: str, nones: float):
    if rng.random() < nones:
        return None
    if "DATETIME" in type_name or "TIMESTAMP" in type_name:
        return (dt.datetime(2025, 1, 1, tzinfo=rng.choice(_ZONES))
                + dt.timedelta(seconds=rng.randrange(10 ** 8), microseconds=rng.choice((0, rng.randrange(10 ** 6)))))
    if type_name == "BOOLEAN":
        return rng.random() < 0.5
    if type_name == "JSON":
        return rng.choice(({"a": 1, "名称": "张三\n\"引号\""}, {"x": [1.5, None, True]}, {}, None))
    return rng.choice((1, 2, 3))


@pytest.mark.parametrize("dialect_name", ["sqlite", "postgresql"])
def test_column_processing_gives_what_each_type_processor_gives(dialect_name):
    """What the rows' statements receive, column by column, equals each column type's own bind processor applied
    value by value (then, on SQLite, the driver's adapter: the text stored)."""
    import sqlite3

    dialect = create_engine("sqlite://").dialect if dialect_name == "sqlite" else postgresql.psycopg.dialect()

    def adapted(v):
        adapter = sqlite3.adapters.get((type(v), sqlite3.PrepareProtocol)) if dialect_name == "sqlite" else None
        return adapter(v) if adapter else v

    rng = random.Random(7)
    for table in (FollowUp.__table__, AuditEntry.__table__, Ticket.__table__, Payment.__table__):
        names = [c.name for c in table.columns]
        per_value = {i: p for i, c in enumerate(names) if (p := table.c[c].type.bind_processor(dialect)) is not None}
        columns = dict(bulk_rows._column_procs(table, names, dialect))
        assert columns.keys() == per_value.keys()
        for i, p in per_value.items():
            for nones in (0.0, 0.3, 1.0):
                values = tuple(_value(rng, str(table.columns[i].type), nones) for _ in range(40))
                expected = [adapted(p(v)) for v in values]
                got = [adapted(v) for v in columns[i](values)]
                assert got == expected and list(map(type, got)) == list(map(type, expected)), (table.name, names[i])
            if "DATETIME" in str(table.columns[i].type) or "TIMESTAMP" in str(table.columns[i].type):
                with pytest.raises(ValueError, match="naive"):
                    columns[i]((dt.datetime.now().astimezone(), dt.datetime(2025, 1, 1)))


def test_json_text_is_what_json_dumps_writes():
    documents = [{"a": 1.5, "b": "张三\n\"x\"", "c": [1, None, True], "d": {"e": float("nan")}}, None, [], {},
                 {"k": 10 ** 30}, "text"]
    for doc in documents:
        assert bulk_rows._JSON_ASCII(doc) == json.dumps(doc)
        assert bulk_rows._JSON_UNICODE(doc) == json.dumps(doc, ensure_ascii=False)
    cycle: dict = {}
    cycle["self"] = cycle
    for encode in (bulk_rows._JSON_ASCII, bulk_rows._JSON_UNICODE):
        with pytest.raises(ValueError, match="Circular"):
            encode(cycle)
        with pytest.raises(TypeError):
            encode({"a": object()})
        assert encode({"a": 1}) == '{"a": 1}'  # still fine after a failure


def test_audit_snapshots_of_many_records_are_the_single_snapshots(admin):
    writer = BulkWriter(admin.db, admin.actor)
    rng = random.Random(3)
    for module in ("customers", "contacts", "contracts", "payments", "tickets", "followups"):
        svc = writer.services[module]
        records = []
        for _ in range(30):
            record = {}
            for f in svc.spec.fields:
                if f.sensitive:  # masked: text as stored
                    if rng.random() < 0.8:
                        record[f.name] = rng.choice((None, "13812345678", "110101199003074514"))
                elif rng.random() < 0.8:
                    record[f.name] = rng.choice((None, "文本", 12, True, 1.5, Decimal("1234.50"), dt.date(2025, 3, 1),
                                                 dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone.utc)))
            if rng.random() < 0.5:
                record["is_active"], record["deactivated_reason"] = False, "重复"
            records.append(record)
        assert writer._snapshots(svc, records) == [writer._snapshot(svc, r) for r in records]
        assert [list(d) for d in writer._snapshots(svc, records)] == [list(writer._snapshot(svc, r)) for r in records]


# ------------------------------------------------------------------ review findings (2026-12-07)

def test_equal_values_of_different_kinds_are_processed_each_as_itself():
    # Each distinct value is processed once; (1, 2) == (True, 2), 0.0 == -0.0 and 1.0 == 1.00 are equal but are
    # written differently: none of them may take another's processed value.
    assert bulk_rows._column_processed([(1, 2), (True, 2), (1.0, 2)], json.dumps) == ["[1, 2]", "[true, 2]",
                                                                                      "[1.0, 2]"]
    assert bulk_rows._column_processed([0.0, -0.0], repr) == ["0.0", "-0.0"]
    assert bulk_rows._column_processed([Decimal("1.0"), Decimal("1.00")], str) == ["1.0", "1.00"]
    assert bulk_rows._column_processed([1, True, "1", None, 1], repr) == ["1", "True", "'1'", "None", "1"]


def test_a_heap_frozen_before_the_run_is_not_frozen_further(db, backend):
    # The test session freezes its start-up objects: the run must not freeze what is alive now for good (a
    # database dropped later would never be collected).
    import gc
    import weakref

    class Held:
        pass

    gc.freeze()
    try:
        before = gc.get_freeze_count()
        held = Held()
        held.cycle = held
        ref = weakref.ref(held)
        demo.generate(db, customers=20)
        del held
        gc.collect()
        assert ref() is None
        assert gc.get_freeze_count() <= before  # nothing more frozen (frozen objects freed by refcount go)
    finally:
        gc.unfreeze()


class _PlanProblem(Exception):
    def __init__(self, field, value):
        super().__init__(f"{field}: {value}")
        self.field, self.value = field, value


def test_a_planning_failure_that_does_not_unpickle_reaches_the_caller_as_its_text(db, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("the planning worker runs beside SQLite only")

    def failing(*args, **kwargs):
        raise _PlanProblem("name", "杭州")

    monkeypatch.setattr(demo, "plan_customer", failing)
    with pytest.raises(RuntimeError, match="_PlanProblem: name: 杭州"):
        demo.generate(db, customers=10)
    assert multiprocessing.active_children() == []
