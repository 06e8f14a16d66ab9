"""Update by key and a contacts list kept without phones: a row with a blank phone (or no phone column) names the
customer's one ACTIVE contact of that name, whatever his phone (re-imported with update ticked, such a list was
added again in full every time; a clerk naming 张三 means the 张三 the customer has); several of that name with
different phones: which one is not known, the row is refused and asks for the phone. Without update the twin
rule's behaviour stays: a blank phone matches no one.

(Adapted, not deleted, when the rule changed from "the contact of that name who has no phone either": the first
test's 李四, who has a phone, used to be created again beside the stored one; now he is updated.)"""

from __future__ import annotations

from sqlalchemy import select

from crm_core.models import Contact
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户", "姓名", "电话", "职位"]


def _names(db, cid) -> list[tuple]:
    with db.unit_of_work(write=False) as s:
        return sorted(((c.name, c.phone, c.position) for c in s.scalars(select(Contact).where(Contact.customer_id == cid))),
                      key=lambda c: tuple(v or "" for v in c))


def test_a_row_without_a_phone_updates_the_customers_single_active_contact_of_that_name(admin, db, make_customer,
                                                                                        tmp_path):
    a = make_customer("甲公司")
    zhang = admin.contacts.create({"customer_id": a["id"], "name": "张三", "position": "工程师"})
    li = admin.contacts.create({"customer_id": a["id"], "name": "李四", "phone": "13900000002"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "", "经理"], ["甲公司", "李四", "", "销售"]])
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    check = admin.imports.check("contacts", path, mapping, update_by_key=True)
    assert check.errors == []
    assert [(u.row, u.record_id, u.key, u.changes) for u in check.updates] == [
        (2, zhang["id"], "甲公司", {"position": ("工程师", "经理")}),
        (3, li["id"], "甲公司", {"position": (None, "销售")})]
    assert check.creates == 0  # 李四 has a phone: the row without one still names him, the only 李四
    result = admin.imports.run("contacts", path, mapping, update_by_key=True, preview=check)
    assert (result.created, result.updated) == (0, 2)
    assert _names(db, a["id"]) == [("张三", None, "经理"), ("李四", "13900000002", "销售")]


def test_two_contacts_of_that_name_without_a_phone_cannot_be_told_apart(admin, db, make_customer, tmp_path):
    a = make_customer("甲公司")
    for _ in range(2):
        admin.contacts.create({"customer_id": a["id"], "name": "张三"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "", "经理"]])
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", HEADERS), update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field) == (2, "name")
    assert "无法确定更新哪一个" in error.message.zh and "which one to update" in error.message.en


def test_without_update_a_row_without_a_phone_is_a_new_contact_as_the_twin_rule_says(admin, db, make_customer,
                                                                                    tmp_path):
    a = make_customer("甲公司")
    admin.contacts.create({"customer_id": a["id"], "name": "张三"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "", "经理"]])
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    assert admin.imports.run("contacts", path, mapping).created == 1
    assert _names(db, a["id"]) == [("张三", None, None), ("张三", None, "经理")]


def test_of_two_active_contacts_of_that_name_with_different_phones_the_row_asks_for_the_phone(admin, db,
                                                                                           make_customer, tmp_path):
    a = make_customer("甲公司")
    admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001"})
    admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000002"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "", "经理"]])
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", HEADERS), update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field, check.creates) == (2, "name", 0)
    assert "有 2 个同名的有效联系人" in error.message.zh and "请在文件中填写电话" in error.message.zh
    assert "give the phone in the file" in error.message.en


def test_a_contacts_list_without_a_phone_column_updates_the_single_contact_of_that_name(admin, db, make_customer,
                                                                                        tmp_path):
    a = make_customer("甲公司")
    admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001", "position": "工程师"})
    headers = ["客户", "姓名", "职位"]
    path = write_csv(tmp_path / "c.csv", [headers, ["甲公司", "张三", "经理"]])
    mapping = admin.imports.auto_mapping("contacts", headers)
    check = admin.imports.check("contacts", path, mapping, update_by_key=True)
    assert (check.errors, check.creates, [u.changes for u in check.updates]) == (
        [], 0, [{"position": ("工程师", "经理")}])
    admin.imports.run("contacts", path, mapping, update_by_key=True, preview=check)
    assert _names(db, a["id"]) == [("张三", "13900000001", "经理")]


def test_a_row_without_a_phone_after_one_with_his_phone_is_the_same_contact(admin, db, make_customer, tmp_path):
    a = make_customer("甲公司")
    admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "13900000001", "经理"], ["甲公司", "张三", "", "总监"]])
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", HEADERS), update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field) == (3, "name") and "与文件第 2 行是同一联系人" in error.message.zh
