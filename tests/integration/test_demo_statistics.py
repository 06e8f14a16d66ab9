"""Demo data keeps the PostgreSQL planner's statistics as its tables grow (crm_core.demo_write.PlanWriter._analyze).

Without statistics PostgreSQL plans a look-up of a few hundred keys (a flush's contacts by customer, payments by
contract) as a sequential scan of the whole table, so each flush of a big run cost more than the one before; the
demo writer analyzes the tables it writes after flushes 1, 2, 4, 8 ... Autovacuum is switched off for these
tables here so that only the writer's own ANALYZE counts (the test server's setting does not matter).
SQLite is left without statistics (its planner uses ``sqlite_stat1`` only where the application chose to).
"""

from __future__ import annotations

from sqlalchemy import text

from crm_core import demo
from crm_core.demo_write import _analyzed_tables


def test_the_tables_written_have_statistics_of_their_grown_size(db, backend, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 20)
    tables = _analyzed_tables()
    if backend == "postgresql":
        with db.engine.begin() as conn:
            for t in tables:
                conn.execute(text(f'ALTER TABLE "{t}" SET (autovacuum_enabled = false)'))
    counts = demo.generate(db, customers=100)  # 5 flushes: statistics after the 1st, 2nd and 4th
    with db.engine.connect() as conn:
        if backend == "sqlite":
            assert conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) == 0
            return
        sizes = dict(conn.execute(text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:t)"),
                                  {"t": tables}).all())
        spreads = {(t, c) for t, c in conn.execute(text(
            "SELECT tablename, attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = ANY(:t)"),
            {"t": tables})}
    # -1: never analyzed. The customers counted at the 4th flush (80), not the 100 of the end: the last
    # statistics describe the tables as the 4th flush left them (within twice their size).
    assert sizes["customers"] == 80
    assert sizes["contacts"] > 0 and sizes["payments"] > 0 and counts["payments"] > 0
    assert all(sizes[t] >= 0 for t in tables), sizes
    assert ("contacts", "customer_id") in spreads and ("payments", "contract_id") in spreads
