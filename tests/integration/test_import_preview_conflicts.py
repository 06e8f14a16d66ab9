"""Update by key: the import writes what the preview showed or nothing. A row whose record changed so that the
row no longer names it (a contact's phone edited, the contact moved to another customer or deleted, a customer
deleted) would otherwise be created as a new record the preview never listed; a row the preview showed as new
that now names a record saved meanwhile would change it unseen. Both are refused as conflicts on their row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.importing.service import ImportRejected
from crm_core.models import Contact, Customer
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户", "姓名", "电话", "职位"]


def _contacts(db) -> list[tuple]:
    with db.unit_of_work(write=False) as s:
        return sorted((c.customer_id, c.name, c.phone, c.position) for c in s.scalars(select(Contact)))


@pytest.fixture
def zhang(admin, make_customer):
    a, b = make_customer("甲公司"), make_customer("乙公司")
    z = admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001", "position": "工程师"})
    return a, b, z


def _preview(admin, tmp_path, rows):
    path = write_csv(tmp_path / "contacts.csv", [HEADERS, *rows])
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    return path, mapping, admin.imports.check("contacts", path, mapping, update_by_key=True)


@pytest.mark.parametrize("meanwhile", ["phone", "moved", "deleted"])
def test_a_previewed_update_whose_contact_no_longer_has_the_rows_key_is_a_conflict_not_a_new_contact(
        admin, db, zhang, tmp_path, meanwhile):
    a, b, z = zhang
    path, mapping, preview = _preview(admin, tmp_path, [["甲公司", "张三", "13900000001", "经理"],
                                                        ["甲公司", "王五", "13900000003", "助理"]])
    assert [(u.row, u.record_id) for u in preview.updates] == [(2, z["id"])]
    if meanwhile == "phone":
        admin.contacts.update(z["id"], {"phone": "13900000009"}, version=z["version"])
    elif meanwhile == "moved":
        admin.contacts.update(z["id"], {"customer_id": b["id"]}, version=z["version"])
    else:
        admin.contacts.delete(z["id"], version=z["version"])
    before = _contacts(db)
    for only_valid in (False, True):
        with pytest.raises(ImportRejected) as info:
            admin.imports.run("contacts", path, mapping, update_by_key=True, preview=preview, only_valid=only_valid)
        [error] = info.value.check.errors
        assert (error.row, error.field, error.column) == (2, "position", HEADERS.index("职位"))
        assert error.message.zh == ("联系人“张三”（甲公司、13900000001）在预览之后已被他人修改或删除，"
                                    "此行对职位的修改未写入，未覆盖他人的修改")
        assert error.message.en == ("Contact '张三' (甲公司, 13900000001) was changed or deleted by someone else "
                                    "after the preview; this row's changes to position were not written and their "
                                    "changes were not overwritten")
        assert info.value.check.valid_rows == 1
    assert _contacts(db) == before  # no second 张三, no 王五: nothing of the import is kept


def test_a_row_the_preview_showed_as_new_is_a_conflict_when_the_contact_was_added_meanwhile(admin, db, zhang,
                                                                                             tmp_path):
    a, _b, _z = zhang
    path, mapping, preview = _preview(admin, tmp_path, [["甲公司", "李四", "13900000002", "销售"]])
    assert (preview.updates, preview.creates) == ([], 1)
    li = admin.contacts.create({"customer_id": a["id"], "name": "李四", "phone": "13900000002"})
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("contacts", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (2, "name", HEADERS.index("姓名"))
    assert error.message.zh == ("联系人“李四”（甲公司、13900000002）在预览之后已被他人添加或修改，预览中此行不是对它的更新；"
                                "此行未写入，请重新检查文件")
    assert error.message.en == ("Contact '李四' (甲公司, 13900000002) was added or changed by someone else after the "
                                "preview, which did not show this row as updating it; the row was not written: check "
                                "the file again")
    assert admin.contacts.get(li["id"])["position"] is None


def test_a_customer_deleted_after_the_preview_is_a_conflict_not_a_new_customer(admin, db, make_customer, tmp_path):
    c = make_customer("甲公司")
    headers = ["客户编码", "公司名称", "备注"]
    path = write_csv(tmp_path / "customers.csv", [headers, [c["code"], "甲公司", "老客户"]])
    mapping = admin.imports.auto_mapping("customers", headers)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert [u.record_id for u in preview.updates] == [c["id"]]
    admin.customers.delete(c["id"], version=admin.customers.get(c["id"])["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert [(e.row, e.field) for e in info.value.check.errors] == [(2, "notes")]
    assert info.value.check.errors[0].message.en.startswith(f"Customer '{c['code']}' was changed or deleted")
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Customer.id)).all() == []
