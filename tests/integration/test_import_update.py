"""Update by key at scale: the set-based bulk update writes what the service's single update writes, the
version check of the preview holds chunk by chunk, and nothing of a refused or cancelled import is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core import ValidationError
from crm_core.bulk import BulkWriter
from crm_core.importing import writer
from crm_core.importing.service import ImportRejected
from crm_core.models import AuditEntry, Customer, CustomerSearchGram, ImportBatch
from tests.integration.test_import_custom import fields  # noqa: F401 - the fixture
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户编码", "公司名称", "重要级别", "电话", "备注"]


def _stored(db, cid: int) -> tuple:
    """What a customer's update leaves behind, apart from its own id and code: the row, its search entries
    and its "update" audit entries."""
    with db.unit_of_work(write=False) as s:
        c = s.get(Customer, cid)
        row = {k: getattr(c, k) for k in ("name", "level", "phone", "notes", "owner_id", "status", "version",
                                          "updated_by_id", "name_key", "is_active")}
        text = c.search_text.replace(c.code.casefold(), "<code>")
        grams = set(s.execute(select(CustomerSearchGram.gram, CustomerSearchGram.kind)
                              .where(CustomerSearchGram.customer_id == cid)).all())
        audit = [(a.actor_id, a.before, a.after) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.module == "customers", AuditEntry.record_id == cid,
                                     AuditEntry.action == "update").order_by(AuditEntry.id))]
    return row, text, grams, audit


CHANGES = [
    {"level": "A", "phone": "13911112222", "notes": "新备注", "custom": {"erp_id": "NEW-1", "seats": "1,200"}},
    {"name": "乙公司（新名）", "custom": {"region": "referral", "erp_id": "SAME"}},
    {"level": "C", "notes": "原备注"},  # the values it has: nothing written, no new version
    {"phone": "13800000009", "custom": {"seats": None}},
]


def test_the_bulk_update_writes_what_the_service_update_writes(admin, db, fields):  # noqa: F811
    def twin(i: int) -> dict:
        return admin.customers.create({"name": f"甲{i}公司", "level": "C", "phone": "13800000001",
                                       "notes": "原备注", "custom": {"erp_id": "SAME", "seats": "5"}})

    singles = [twin(i) for i in range(len(CHANGES))]
    bulk = [twin(i) for i in range(len(CHANGES))]
    for record, changes in zip(singles, CHANGES, strict=True):
        admin.customers.update(record["id"], dict(changes), version=record["version"])
    w = BulkWriter(admin.db, admin.actor)
    with admin.db.unit_of_work(write=True) as s:
        versions = w.update_in(s, "customers", [(r["id"], r["version"], dict(c)) for r, c in zip(bulk, CHANGES)])
        s.commit()
    assert versions == [2, 2, 1, 2]
    for one, many in zip(singles, bulk, strict=True):
        assert _stored(db, many["id"]) == _stored(db, one["id"])
        got, want = admin.customers.get(many["id"]), admin.customers.get(one["id"])
        assert got["custom"] == want["custom"] and got["version"] == want["version"]
    assert admin.customers.get(bulk[0]["id"])["custom"] == {"erp_id": "NEW-1", "seats": "1200", "region": None}


def test_the_bulk_update_refuses_what_the_service_refuses_with_each_rows_position(admin, fields):  # noqa: F811
    a = admin.customers.create({"name": "甲公司", "level": "C"})
    b = admin.customers.create({"name": "乙公司", "level": "C"})
    w = BulkWriter(admin.db, admin.actor)
    items = [(a["id"], a["version"], {"level": "Z"}), (b["id"], b["version"] + 1, {"level": "A"}),
             (a["id"], a["version"], {"code": "C-OTHER", "custom": {"seats": "很多"}})]
    with admin.db.unit_of_work(write=False) as s, pytest.raises(ValidationError) as info:
        w.stage_update(s, "customers", items)
    got = sorted((e.row, e.field, e.code, e.message) for e in info.value.errors)
    assert [(row, code) for row, _, code, _ in got if row == 1] == [(1, "conflict")]
    for i, (rid, version, changes) in enumerate(items):  # the same problems, in the same words, as the service's
        if i == 1:
            continue
        with pytest.raises(ValidationError) as one:
            admin.customers.update(rid, dict(changes), version=version)
        assert sorted((i, e.field, e.code, e.message) for e in one.value.errors) == [g for g in got if g[0] == i]
    assert {(row, code) for row, _, code, _ in got} >= {(0, "choice"), (2, "read_only"), (2, "integer")}
    assert admin.customers.get(a["id"])["version"] == a["version"]  # nothing written


def _file(tmp_path, customers, **over):
    rows = [[c["code"], c["name"], over.get("level", "A"), over["phone"] + str(i) if "phone" in over else c.get("phone"),
             over.get("notes")] for i, c in enumerate(customers)]
    return write_csv(tmp_path / "u.csv", [HEADERS, *rows])


def test_a_save_after_the_preview_is_reported_with_its_row_and_nothing_of_the_import_is_kept(admin, db, tmp_path):
    customers = [admin.customers.create({"name": f"客户{i}号", "level": "C"}) for i in range(5)]
    path = _file(tmp_path, customers, notes="导入")
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert (preview.errors, len(preview.updates)) == ([], 5)
    late = customers[3]  # row 5 of the file, in the second chunk of two rows
    admin.customers.update(late["id"], {"notes": "同事刚改过"}, version=late["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview, chunk_rows=2)
    [error] = info.value.check.errors
    assert error.row == 5
    assert (error.field, error.column) == ("level", HEADERS.index("重要级别"))  # its first change
    assert error.message.zh == (f"客户“{late['code']}”在预览之后已被他人修改或删除，此行对重要级别和备注的修改未写入，"
                                "未覆盖他人的修改")
    assert error.message.en == (f"Customer '{late['code']}' was changed or deleted by someone else after the preview; "
                                "this row's changes to importance and notes were not written and their changes were "
                                "not overwritten")
    now = {c["id"]: c for c in admin.customers.list().rows}
    assert {(c["level"], c["notes"]) for i, c in now.items() if i != late["id"]} == {("C", None)}  # chunk 1 undone
    assert (now[late["id"]]["level"], now[late["id"]]["notes"]) == ("C", "同事刚改过")
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(ImportBatch.state)).all() == ["failed"]


def test_a_conflict_names_a_custom_field_by_its_label_in_the_users_words(admin, tmp_path, fields):  # noqa: F811
    c = admin.customers.create({"name": "甲公司", "level": "C"})
    headers = ["客户编码", "公司名称", "重要级别", "ERP编号", "座席数"]
    path = write_csv(tmp_path / "u.csv", [headers, [c["code"], "甲公司", "A", "E-1", "12"]])
    mapping = admin.imports.auto_mapping("customers", headers)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    admin.customers.update(c["id"], {"notes": "同事刚改过"}, version=c["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert error.message.zh.endswith("此行对重要级别、ERP编号和座席数的修改未写入，未覆盖他人的修改")
    assert "this row's changes to importance, erp id and seats were not written" in error.message.en


def test_a_save_between_the_check_of_a_chunk_and_its_write_is_a_conflict_too(admin, tmp_path, monkeypatch):
    customers = [admin.customers.create({"name": f"客户{i}号", "level": "C"}) for i in range(3)]
    path = _file(tmp_path, customers)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    real = writer._write_update_chunk

    def someone_saves_first(*args, **kwargs):  # the chunk was checked; a colleague saves before it is written
        admin.customers.update(customers[1]["id"], {"notes": "抢先"}, version=customers[1]["version"])
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_write_update_chunk", someone_saves_first)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert [e.row for e in info.value.check.errors] == [3]
    assert "在预览之后已被他人修改" in info.value.check.errors[0].message.zh
    assert {(c["level"], c["notes"]) for c in admin.customers.list().rows} == {("C", None), ("C", "抢先")}


def test_a_cancelled_update_import_gives_every_written_chunk_its_values_back(admin, tmp_path):
    customers = [admin.customers.create({"name": f"客户{i}号", "level": "C", "phone": "13800000001"})
                 for i in range(6)]
    path = _file(tmp_path, customers, phone="1395555666", notes="导入")
    mapping = admin.imports.auto_mapping("customers", HEADERS)

    def progress(done, total):
        if done >= total // 2 + 4:  # the checks are the first half; then two chunks of two written
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        admin.imports.run("customers", path, mapping, update_by_key=True, chunk_rows=2, progress=progress)
    rows = admin.customers.list().rows
    assert {(c["level"], c["notes"]) for c in rows} == {("C", None)}
    assert admin.customers.search("95555").rows == []  # the search index gave the new phone up too
    assert len(admin.customers.search("客户").rows) == 6


def test_undo_of_an_update_import_restores_the_values_and_what_search_finds(admin, db, fields, tmp_path):  # noqa: F811
    a = admin.customers.create({"name": "星河数据有限公司", "level": "C", "phone": "13800000001",
                                "custom": {"erp_id": "OLD-1"}})
    b = admin.customers.create({"name": "远航物流有限公司", "level": "B"})
    path = write_csv(tmp_path / "u.csv", [["客户编码", "公司名称", "重要级别", "ERP编号", "座席数"],
                                          [a["code"], "银河智能有限公司", "A", "NEW-1", "9"],
                                          [b["code"], "远航物流有限公司", "A", None, "3"]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "重要级别", "ERP编号", "座席数"])
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert (result.created, result.updated) == (0, 2)
    assert [r["id"] for r in admin.customers.search("银河").rows] == [a["id"]]  # two characters: the pairs
    assert [r["id"] for r in admin.customers.search("银河智能").rows] == [a["id"]]  # longer: the trigram index
    assert admin.customers.search("星河").rows == []
    assert admin.customers.get(a["id"])["custom"] == {"erp_id": "NEW-1", "seats": "9", "region": None}
    assert admin.customers.get(b["id"])["custom"] == {"erp_id": None, "seats": "3", "region": None}
    with db.unit_of_work(write=False) as s:
        audit = s.execute(select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.record_id == a["id"], AuditEntry.action == "update")).one()
    assert audit == ({"name": "星河数据有限公司", "level": "C", "custom.erp_id": "OLD-1", "custom.seats": None},
                     {"name": "银河智能有限公司", "level": "A", "custom.erp_id": "NEW-1", "custom.seats": "9"})
    assert admin.imports.undo(result.batch_id) == 2
    got_a, got_b = admin.customers.get(a["id"]), admin.customers.get(b["id"])
    assert (got_a["name"], got_a["level"], got_b["level"]) == ("星河数据有限公司", "C", "B")
    assert got_a["custom"] == {"erp_id": "OLD-1", "seats": None, "region": None}
    assert got_b["custom"] == {"erp_id": None, "seats": None, "region": None}
    assert [r["id"] for r in admin.customers.search("星河").rows] == [a["id"]]
    assert admin.customers.search("银河").rows == [] and admin.customers.search("银河智能").rows == []


def test_a_purge_at_another_salespersons_sign_in_gives_the_updated_customer_its_values_back(login, db):
    """An interrupted update import is purged at whoever signs in next on that computer: a colleague whose
    scope does not hold the updated customer still restores it (nothing of the import is kept)."""
    from crm_core.importing import batches

    owner, colleague = login("sales1"), login("sales2")
    mine = owner.customers.create({"name": "甲方科技有限公司", "level": "C", "phone": "13800000001"})
    changed = owner.customers.update(mine["id"], {"level": "A"}, version=mine["version"])
    ctx = owner.imports.ctx
    batch_id = batches.start(ctx, "customers", "客户.xlsx")
    with db.unit_of_work(write=True) as s:
        batches.add_records(s, batch_id, [{"record_id": mine["id"], "version": changed["version"], "action": "update",
                                           "before": {"level": "C"}}])
        s.commit()
    assert batches.purge(colleague.imports.ctx, batch_id, why="interrupted") == 1
    assert owner.customers.get(mine["id"])["level"] == "C"
    with db.unit_of_work(write=False) as s:
        assert s.get(ImportBatch, batch_id).state == "failed"
