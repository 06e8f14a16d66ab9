"""Which row of a contacts file updates a stored contact, and what a row naming one is told: a row refused for its
own cells updates nothing (the next row naming the contact is its update, not "the same as row 2"); a deactivated
contact is told as deactivated whether update is ticked or not; of two contacts with one identity, the single
active one is the one meant."""

from __future__ import annotations

from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户", "姓名", "电话", "邮箱"]


def _check(admin, tmp_path, rows, update_by_key=True):
    path = write_csv(tmp_path / "c.csv", [HEADERS, *rows])
    return admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", HEADERS),
                               update_by_key=update_by_key)


def test_a_row_refused_for_its_own_cells_leaves_the_contact_to_the_next_row(admin, make_customer, tmp_path):
    a = make_customer("甲公司")
    zhang = admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001"})
    check = _check(admin, tmp_path, [["甲公司", "张三", "13900000001", "bad"],
                                     ["甲公司", "张三", "13900000001", "zhang@jia.cn"],
                                     ["甲公司", "张三", "13900000001", "zhang3@jia.cn"]])
    assert [(u.row, u.record_id) for u in check.updates] == [(3, zhang["id"])]
    assert [(e.row, e.field) for e in check.errors] == [(2, "email"), (4, "name")]
    assert "与文件第 3 行是同一联系人" in check.errors[1].message.zh


def test_a_deactivated_contact_is_told_as_deactivated_without_update_too(admin, make_customer, tmp_path):
    a = make_customer("甲公司")
    zhang = admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001"})
    admin.contacts.deactivate(zhang["id"], "离职", version=zhang["version"])
    [error] = _check(admin, tmp_path, [["甲公司", "张三", "13900000001", None]], update_by_key=False).errors
    assert error.message.zh == (
        "姓名：“张三”（客户“甲公司”，电话“13900000001”）与一个已失效的联系人重复（客户、姓名和电话都相同），未导入；"
        "要用文件修改已有联系人，请先将它恢复有效，再勾选“客户、姓名和电话与已有联系人相同的行更新该联系人”")
    assert error.message.en == (
        "Name: '张三' (customer '甲公司', phone '13900000001') duplicates a deactivated contact (the same customer, "
        "name and phone); it is not imported. To change existing contacts from the file, reactivate it first, then "
        "tick 'Rows with the customer, name and phone of an existing contact update that contact'")
    [error] = _check(admin, tmp_path, [["甲公司", "张三", "13900000001", None]]).errors
    assert error.message.en == ("Contact '张三' (甲公司, 13900000001) is deactivated and cannot be changed by an "
                                "import")


def test_of_two_contacts_with_one_identity_the_single_active_one_is_updated(admin, make_customer, tmp_path):
    a = make_customer("甲公司")
    old, new = (admin.contacts.create({"customer_id": a["id"], "name": "张三"}) for _ in range(2))
    admin.contacts.deactivate(old["id"], "重复", version=old["version"])
    check = _check(admin, tmp_path, [["甲公司", "张三", None, "zhang@jia.cn"]])
    assert (check.errors, [u.record_id for u in check.updates]) == ([], [new["id"]])
    admin.contacts.reactivate(old["id"], version=admin.contacts.get(old["id"])["version"])
    [error] = _check(admin, tmp_path, [["甲公司", "张三", None, "zhang@jia.cn"]]).errors
    assert error.message.zh == ("姓名：“张三”有 2 个客户、姓名和电话都相同的有效联系人，无法确定更新哪一个；"
                                "请先将多余的设为失效或删除")
    assert error.message.en == ("Name: '张三' matches 2 active contacts with the same customer, name and phone; which "
                                "one to update cannot be told: deactivate or delete the extra ones first")
