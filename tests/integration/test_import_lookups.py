"""The importer's reference look-up reads the records the file's texts can name, not every record in scope."""

from __future__ import annotations

from sqlalchemy import select

from crm_core.importing.lookups import Lookups, ref_texts
from crm_core.models import Customer
from tests.integration.test_import_helpers import write_csv


def _index(admin, texts):
    with admin.db.unit_of_work(write=False) as s:
        return Lookups(s, admin.services, admin.contacts.spec, [admin.contacts.spec.field("customer_id")],
                       ref_texts={"customers": set(texts)}).refs["customers"]


def test_only_the_customers_the_file_names_are_read(admin, make_customer):
    star = make_customer("北京星辰（上海）软件有限公司")
    acme = make_customer("Acme Trading Co., Ltd")
    coded = make_customer("杭州云帆网络科技有限公司")
    others = [make_customer(f"无关公司{i}") for i in range(5)]
    typed = ["北京星辰(上海)软件有限公司",  # ASCII brackets for the stored Chinese ones
             "ACME TRADING CO., LTD",  # other case
             coded["code"].lower(),  # a code in lower case
             f"随便写的名字（{coded['code']}）",  # as a grid shows a customer
             "没有这家"]
    index = _index(admin, typed)
    assert set(index.active) == {star["id"], acme["id"], coded["id"]}
    assert not set(index.active) & {o["id"] for o in others}
    assert [index.find(t) for t in typed] == [{star["id"]}, {acme["id"]}, {coded["id"]}, {coded["id"]}, set()]
    assert _index(admin, []).active == {}


def test_a_salespersons_file_finds_only_customers_in_his_scope(admin, login, make_customer):
    sales = login("sales1")
    mine = make_customer("甲公司", owner_id=sales.actor.user_id)
    make_customer("乙公司")
    with sales.db.unit_of_work(write=False) as s:
        index = Lookups(s, sales.services, sales.contacts.spec, [sales.contacts.spec.field("customer_id")],
                        ref_texts={"customers": {"甲公司", "乙公司"}}).refs["customers"]
    assert set(index.active) == {mine["id"]} and index.find("乙公司") == set()


def test_reference_texts_are_the_distinct_cells_of_the_reference_columns(admin, make_customer, tmp_path):
    customer = make_customer("甲公司")
    rows = [["甲公司", " 张三 "], [" 甲公司", "李四"], [None, "王五"], [customer["code"], ""]]
    assert ref_texts(rows, {0: "customers"}) == {"customers": {"甲公司", customer["code"]}}
    path = write_csv(tmp_path / "c.csv", [["客户", "姓名"], *rows])
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", ["客户", "姓名"]))
    assert [(e.row, e.field) for e in check.errors] == [(4, "customer_id"), (5, "name")] and check.valid_rows == 2


def test_the_look_up_by_name_and_code_uses_their_indexes(admin, db):
    with db.unit_of_work(write=False) as s:
        if db.backend == "postgresql":  # a handful of rows: the planner would read the table whatever the indexes
            s.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
        for column in (Customer.code, Customer.name):
            stmt = select(Customer.id, Customer.code, Customer.name, Customer.is_active).where(
                column.in_(["甲公司", "C20260101001"]), admin.customers._scope_condition())
            sql = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
            explain = "EXPLAIN QUERY PLAN" if db.backend == "sqlite" else "EXPLAIN"
            plan = " ".join(str(r) for r in s.connection().exec_driver_sql(f"{explain} {sql}"))
            assert "Seq Scan" not in plan and "SCAN customers" not in plan, plan
            assert "ix_customers_name" in plan or "customers_code" in plan or "sqlite_autoindex_customers" in plan, plan
