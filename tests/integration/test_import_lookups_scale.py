"""The import's duplicate look-up reads the customers the file's rows can match, not every customer.

At a million customers a look-up that reads every code, name and phone is a full read per
import; these tests hold the rule (a file's row naming an existing customer by code, by a
name spelt otherwise, or by a phone typed otherwise is found) and show what is read: every
statement on ``customers`` during the check returns only matching customers and is served by
an index (EXPLAIN, with sequential scans priced out on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import event, text

from crm_core.bulk import BulkWriter
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户编码", "公司名称", "电话"]


def _customers(admin, count: int) -> list[dict]:
    writer = BulkWriter(admin.db, admin.actor)
    ids = writer.insert("customers", [{"name": f"无关公司{i:04d}有限公司", "phone": f"1390000{i:04d}"}
                                      for i in range(count)])
    return [admin.customers.get(i) for i in ids[:3]]


def _statements_on_customers(db, run) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM customers" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _check(admin, tmp_path, rows):
    path = write_csv(tmp_path / "dups.csv", [HEADERS, *rows])
    return admin.imports.check("customers", path, admin.imports.auto_mapping("customers", HEADERS))


def test_a_file_naming_existing_customers_by_code_name_or_phone_finds_them(admin, tmp_path):
    a, b, c = _customers(admin, 40)
    check = _check(admin, tmp_path, [
        [a["code"].lower(), "全新公司甲", None],                 # the code, typed in lower case
        [None, f" {b['name'][:4]} {b['name'][4:]}", None],       # the name with other spacing
        [None, "全新公司乙", c["phone"][:3] + "-" + c["phone"][3:7] + "-" + c["phone"][7:]],  # the phone, other format
        [None, "全新公司丙", "13800000000"]])
    assert [(e.row, e.field) for e in check.errors] == [(2, "code"), (3, "name"), (4, "phone")]
    assert "与数据库中已有记录重复" in check.errors[1].message.zh
    assert "duplicates a record already in the database" in check.errors[2].message.en
    assert check.valid_rows == 1


def test_the_duplicate_look_up_reads_only_the_customers_the_file_can_match(admin, tmp_path):
    a, b, _c = _customers(admin, 60)
    rows = [[a["code"], "全新公司甲", None], [None, b["name"], None], [None, "全新公司乙", "13800000000"]]
    seen = _statements_on_customers(admin.db, lambda: _check(admin, tmp_path, rows))
    assert seen  # the look-up ran
    db = admin.db
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as conn:
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: show that an index can serve it
        read = 0
        for statement, parameters in seen:
            read += len(conn.exec_driver_sql(statement, parameters).all())
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters))
            assert ("Seq Scan on customers" not in plan) if postgres else ("SCAN customers" not in plan), plan
        conn.execute(text("SELECT 1"))
    # the two customers the file names (each found through its own column), none of the other 58
    assert 2 <= read <= 2 * len(seen)


def test_a_renamed_customer_is_found_by_its_new_name_only(admin, tmp_path):
    a, _b, _c = _customers(admin, 3)
    admin.customers.update(a["id"], {"name": "上海明月科技有限公司"}, version=a["version"])
    check = _check(admin, tmp_path, [[None, "上海明月科技 有限公司", None], [None, a["name"], None]])
    assert [(e.row, e.field) for e in check.errors] == [(2, "name")] and check.valid_rows == 1
