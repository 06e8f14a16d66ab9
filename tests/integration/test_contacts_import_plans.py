"""A contacts import's chunks read the contacts of their customers through ``ix_contacts_customer_id`` on both
databases, with the statistics a growing table really has (checked with EXPLAIN, not with timings).

The contacts table grows with every chunk of the import; its statistics are those of an earlier ANALYZE (or
none). The twin rule and the search index read the contacts of each chunk's customers: read sequentially,
each chunk costs as much as the whole table so far (docs/performance.md, "Contacts import: the cost per
chunk"). Unlike tests/integration/test_query_plans.py, sequential scans stay enabled: the question is what the
planner chooses, not whether an index could serve.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from crm_core.bulk import BulkWriter
from crm_core.importing import batches
from crm_core.models import ImportBatch, ImportBatchRecord
from tests.integration.test_import_helpers import write_csv

CUSTOMERS, PER_CUSTOMER = 400, 8


def _explain(db, statement: str, parameters) -> str:
    with db.engine.connect() as conn:
        prefix = "EXPLAIN " if db.backend == "postgresql" else "EXPLAIN QUERY PLAN "
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        conn.rollback()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.fixture
def grown_contacts(admin):
    """CUSTOMERS customers, each with PER_CUSTOMER contacts added after the tables were analysed with only the
    customers in them (as at the start of an import), then analysed again: ids of the customers."""
    writer = BulkWriter(admin.db, admin.actor)
    ids = writer.insert("customers", [{"name": f"计划测试{i:04d}有限公司", "phone": f"0571{i:08d}"}
                                      for i in range(CUSTOMERS)])
    with admin.db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    writer.insert("contacts", [{"customer_id": cid, "name": f"联系人{k}{cid}", "phone": f"139{cid:05d}{k:03d}"}
                               for k in range(PER_CUSTOMER) for cid in ids])
    return ids


@pytest.mark.parametrize("analysed", [False, True], ids=["stale statistics", "analysed"])
def test_a_chunk_of_contacts_reads_its_customers_contacts_through_the_index(admin, grown_contacts, backend,
                                                                            analysed):
    if analysed:
        with admin.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    statements: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM contacts" in statement:
            statements.append((statement, parameters))

    chunk = grown_contacts[100:300]  # a chunk of 200 customers, one new contact each
    event.listen(admin.db.engine, "before_cursor_execute", listen)
    try:
        BulkWriter(admin.db, admin.actor).insert("contacts", [
            {"customer_id": cid, "name": f"新联系人{cid}", "phone": f"135{cid:08d}"} for cid in chunk])
    finally:
        event.remove(admin.db.engine, "before_cursor_execute", listen)

    by_customer = [(st, p) for st, p in statements if "customer_id" in st]
    assert len(by_customer) >= 2  # the twin rule's and the search index's
    for statement, parameters in by_customer:
        text = _explain(admin.db, statement, parameters)
        # by its customers (or, for the twin rule on SQLite once analysed, by the chunk's names): per chunk
        assert "ix_contacts_customer_id" in text or "ix_contacts_name_id" in text, text
        assert "Seq Scan on contacts" not in text and "SCAN contacts" not in text, text


def test_what_a_running_import_has_written_is_read_by_the_batchs_key(admin, make_customer, tmp_path, backend,
                                                                     monkeypatch):
    """The check of the next rows asks how many records the import has written (at every block of 500 rows, while
    chunks are written): one row of the batch read by its key, never the batch's records, which grow with every
    chunk (PostgreSQL read them all through the index on ``batch_id``, 30 ms a call at 100,000 rows). The row's
    count equals the batch's records after every chunk (``finish`` sets it again at the end, so only the
    counts seen while the import runs can tell)."""
    customer = make_customer()
    counts: list[tuple[int, int]] = []
    counting: list[bool] = []
    add_records = batches.add_records

    def counted(s, batch_id, rows):
        add_records(s, batch_id, rows)
        counting.append(True)  # (the test's own count is not the import's)
        counts.append((s.scalar(select(ImportBatch.rows).where(ImportBatch.id == batch_id)),
                       s.scalar(select(func.count()).select_from(ImportBatchRecord).where(
                           ImportBatchRecord.batch_id == batch_id, ImportBatchRecord.module.is_(None)))))
        counting.clear()

    monkeypatch.setattr(batches, "add_records", counted)
    path = write_csv(tmp_path / "contacts.csv", [["客户", "姓名", "电话"], *[
        [customer["name"], f"联系人{i}", f"139{i:08d}"] for i in range(1200)]])
    statements: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if "import_batch" in statement and not counting:
            statements.append(" ".join(statement.split()))

    event.listen(admin.db.engine, "before_cursor_execute", listen)
    try:
        result = admin.imports.run("contacts", path, admin.imports.auto_mapping("contacts", ["客户", "姓名", "电话"]),
                                   chunk_rows=300)
    finally:
        event.remove(admin.db.engine, "before_cursor_execute", listen)
    assert result.created == 1200
    assert len(counts) == 4 and all(row == records for row, records in counts), counts
    asked = [st for st in statements if st.startswith("SELECT") and "import_batches.rows" in st]
    assert asked  # (the count the check of the blocks relies on)
    assert not [st for st in statements if st.startswith("SELECT") and "FROM import_batch_records" in st]
    with admin.db.unit_of_work(write=False) as s:
        assert s.scalar(select(ImportBatch.rows).where(ImportBatch.id == result.batch_id)) == 1200
