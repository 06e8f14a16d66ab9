"""Re-importing an office's own lists: contacts updated by their identity (customer, name and phone, the twin
rule's), and a payments sheet imported twice refused row by row instead of doubling the contracts' figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm_core.importing.service import ImportRejected
from crm_core.models import AuditEntry, Contact, Payment
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户", "姓名", "电话", "职位", "邮箱"]


@pytest.fixture
def people(admin, make_customer):
    a = make_customer("甲公司")
    zhang = admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001",
                                   "position": "工程师", "email": "zhang@jia.cn"})
    li = admin.contacts.create({"customer_id": a["id"], "name": "李四", "phone": "13900000002", "position": "销售"})
    return a, zhang, li


def _file(tmp_path):
    return write_csv(tmp_path / "contacts.csv", [
        HEADERS,
        ["甲公司", "张三", "139 0000 0001", "经理", "zhang@jia.cn"],  # row 2: a new title, the same e-mail
        ["甲公司", "李四", "13900000002", "销售", "li@jia.cn"],  # row 3: an e-mail where there was none
        ["甲公司", "王五", "13900000003", "助理", None],  # row 4: a new contact
    ])


def _contact(db, cid: int) -> tuple:
    with db.unit_of_work(write=False) as s:
        c = s.get(Contact, cid)
        return c.position, c.email, c.version


def test_a_reimported_contacts_list_updates_what_changed_after_a_preview_and_its_undo_restores(admin, db, people,
                                                                                            tmp_path):
    a, zhang, li = people
    path = _file(tmp_path)
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    preview = admin.imports.check("contacts", path, mapping, update_by_key=True)
    assert preview.errors == []
    assert [(u.row, u.record_id, u.title, u.key, u.changes) for u in preview.updates] == [
        (2, zhang["id"], "张三", "甲公司、13900000001", {"position": ("工程师", "经理")}),
        (3, li["id"], "李四", "甲公司、13900000002", {"email": (None, "li@jia.cn")}),
    ]
    assert preview.creates == 1
    result = admin.imports.run("contacts", path, mapping, update_by_key=True, preview=preview)
    assert (result.created, result.updated) == (1, 2)
    assert _contact(db, zhang["id"]) == ("经理", "zhang@jia.cn", zhang["version"] + 1)
    assert _contact(db, li["id"]) == ("销售", "li@jia.cn", li["version"] + 1)
    with db.unit_of_work(write=False) as s:
        audit = s.execute(select(AuditEntry.record_id, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.module == "contacts", AuditEntry.action == "update").order_by(AuditEntry.id)).all()
        assert [tuple(r) for r in audit] == [(zhang["id"], {"position": "工程师"}, {"position": "经理"}),
                                             (li["id"], {"email": None}, {"email": "li@jia.cn"})]
        assert len(s.scalars(select(Contact.id).where(Contact.customer_id == a["id"])).all()) == 3
    assert [r["id"] for r in admin.customers.search("王五").rows] == [a["id"]]  # the new contact is searchable
    assert admin.imports.undo(result.batch_id) == 3
    assert _contact(db, zhang["id"])[:2] == ("工程师", "zhang@jia.cn")
    assert _contact(db, li["id"])[:2] == ("销售", None)
    with db.unit_of_work(write=False) as s:
        assert sorted(s.scalars(select(Contact.name)).all()) == ["张三", "李四"]
    assert admin.customers.search("王五").rows == []
    assert [r["id"] for r in admin.customers.search("张三").rows] == [a["id"]]


def test_a_contact_saved_after_the_preview_is_a_conflict_naming_the_row_and_field(admin, db, people, tmp_path):
    _a, zhang, li = people
    path = _file(tmp_path)
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    preview = admin.imports.check("contacts", path, mapping, update_by_key=True)
    admin.contacts.update(zhang["id"], {"address": "北京"}, version=zhang["version"])  # a colleague saves him
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("contacts", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (2, "position", HEADERS.index("职位"))
    assert error.message.zh == ("联系人“张三”（甲公司、13900000001）在预览之后已被他人修改或删除，"
                                "此行对职位的修改未写入，未覆盖他人的修改")
    assert error.message.en == ("Contact '张三' (甲公司, 13900000001) was changed or deleted by someone else after the "
                                "preview; this row's changes to position were not written and their changes were "
                                "not overwritten")
    assert _contact(db, zhang["id"])[:2] == ("工程师", "zhang@jia.cn")
    assert _contact(db, li["id"])[:2] == ("销售", None)  # nothing of the import is kept
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Contact.id)).all()) == 2


def test_without_update_a_stored_contact_is_a_duplicate_naming_its_customer_name_and_phone(admin, db, people,
                                                                                          tmp_path):
    path = _file(tmp_path)
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    check = admin.imports.check("contacts", path, mapping)
    assert [(e.row, e.field, e.column) for e in check.errors] == [(2, "name", 1), (3, "name", 1)]
    assert check.errors[0].message.zh == (
        "姓名：“张三”（客户“甲公司”，电话“13900000001”）与已有的联系人重复（客户、姓名和电话都相同），未导入；"
        "要用文件修改已有联系人，请勾选“客户、姓名和电话与已有联系人相同的行更新该联系人”")
    assert check.errors[0].message.en == (
        "Name: '张三' (customer '甲公司', phone '13900000001') duplicates an existing contact (the same customer, "
        "name and phone); it is not imported. To change existing contacts from the file, tick 'Rows with the "
        "customer, name and phone of an existing contact update that contact'")
    assert (check.valid_rows, check.updates) == (1, [])
    with pytest.raises(ImportRejected):
        admin.imports.run("contacts", path, mapping)
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Contact.id)).all()) == 2


def test_a_row_naming_a_stored_contact_twice_updates_it_once(admin, people, tmp_path):
    _a, zhang, _li = people
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "13900000001", "经理", None],
                                          ["甲公司", "张三", "13900000001", "总监", None]])
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", HEADERS), update_by_key=True)
    assert [u.row for u in check.updates] == [2]
    [error] = check.errors
    assert (error.row, error.field) == (3, "name")
    assert error.message.zh == "姓名：“张三”与文件第 2 行是同一联系人（客户、姓名和电话都相同），只能更新一次"


def test_a_salesperson_cannot_update_a_contact_of_a_customer_he_may_not_see(admin, db, login, people, tmp_path):
    _a, zhang, _li = people  # the administrator's customer 甲公司
    sales = login("sales1")
    mine = sales.customers.create({"name": "乙公司"})
    zhao = sales.contacts.create({"customer_id": mine["id"], "name": "张三", "phone": "13900000001"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "13900000001", "经理", None],
                                          ["丙公司", "张三", "13900000001", "经理", None],
                                          ["乙公司", "张三", "13900000001", "经理", None]])
    check = sales.imports.check("contacts", path, sales.imports.auto_mapping("contacts", HEADERS), update_by_key=True)
    # his own customer's contact of the same name and phone is the one updated
    assert [(u.row, u.record_id, u.changes) for u in check.updates] == [(4, zhao["id"], {"position": (None, "经理")})]
    hidden, missing = check.errors
    assert (hidden.row, hidden.field, missing.row, missing.field) == (2, "customer_id", 3, "customer_id")
    # told exactly as a customer that does not exist: nothing of the other salesperson's contact shows
    assert hidden.message.zh == missing.message.zh.replace("丙公司", "甲公司")
    assert hidden.message.en == missing.message.en.replace("丙公司", "甲公司")
    with pytest.raises(ImportRejected):
        sales.imports.run("contacts", path, sales.imports.auto_mapping("contacts", HEADERS), update_by_key=True)
    assert _contact(db, zhang["id"])[:2] == ("工程师", "zhang@jia.cn")


SIGNED = dt.date(2026, 3, 1)
PAY_HEADERS = ["合同", "回款日期", "回款金额"]


def test_a_payments_sheet_imported_again_creates_no_payment_and_says_why_per_row(admin, db, make_customer, tmp_path):
    customer = make_customer()
    contract = admin.contracts.create({"number": "HT-1", "customer_id": customer["id"], "signed_on": SIGNED,
                                       "amount": "1000.00", "title": "t"})
    sheet = [PAY_HEADERS, ["HT-1", "2026-03-05", "100.00"], ["HT-1", "2026-04-05", "200"]]
    path = write_csv(tmp_path / "payments.csv", sheet)
    mapping = admin.imports.auto_mapping("payments", PAY_HEADERS)
    assert admin.imports.run("payments", path, mapping).created == 2
    check = admin.imports.check("payments", path, mapping)
    assert [(e.row, e.field, e.column) for e in check.errors] == [(2, "amount", 2), (3, "amount", 2)]
    assert check.errors[1].message.zh == (
        "回款金额：“200.00”：已有一笔合同“HT-1”，回款日期“2026-04-05”，回款金额“200.00”都相同的回款，此行很可能是重复导入，"
        "未导入；如确是另一笔回款，请在合同中单独添加它")
    assert check.errors[1].message.en == (
        "Amount: '200.00': a payment with the same contract 'HT-1', received on '2026-04-05', amount '200.00' is "
        "already recorded; this row is most likely the same payment imported again and is not imported. If it "
        "really is another payment, add it on its own from the contract")
    with pytest.raises(ImportRejected):
        admin.imports.run("payments", path, mapping)
    # the sheet with one new payment added: only that one goes in when only the valid rows are imported
    path = write_csv(tmp_path / "payments2.csv", [*sheet, ["HT-1", "2026-05-05", "200.00"]])
    result = admin.imports.run("payments", path, mapping, only_valid=True)
    assert (result.created, result.skipped) == (1, 2)
    assert admin.contracts.get(contract["id"])["received"] == Decimal("500.00")
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Payment.id)).all()) == 3


def test_the_preview_shows_a_stored_id_number_masked_to_a_role_that_may_not_read_it(admin, login, tmp_path):
    sales = login("sales1")
    mine = sales.customers.create({"name": "乙公司"})
    sales.contacts.create({"customer_id": mine["id"], "name": "张三", "phone": "13900000001",
                           "id_number": "11010519491231002X"})
    headers = ["客户", "姓名", "电话", "身份证号"]
    path = write_csv(tmp_path / "c.csv", [headers, ["乙公司", "张三", "13900000001", "110101199003070011"]])
    check = sales.imports.check("contacts", path, sales.imports.auto_mapping("contacts", headers), update_by_key=True)
    [update] = check.updates
    old, new = update.changes["id_number"]
    assert "19491231" not in old and old.endswith("002X")
    assert new == "110101199003070011"
    # the stored one given again: listed the same way (a change listed only when it differs would tell him
    # whether his file's number is the stored one); for a role that reads it, no change
    path = write_csv(tmp_path / "c.csv", [headers, ["乙公司", "张三", "13900000001", "11010519491231002X"]])
    check = sales.imports.check("contacts", path, sales.imports.auto_mapping("contacts", headers), update_by_key=True)
    assert check.updates[0].changes == {"id_number": (old, "11010519491231002X")}
    check = admin.imports.check("contacts", path, admin.imports.auto_mapping("contacts", headers), update_by_key=True)
    assert check.updates[0].changes == {}


def test_the_same_payment_twice_in_one_sheet_is_not_refused_as_a_repeat(admin, make_customer, tmp_path):
    customer = make_customer()
    contract = admin.contracts.create({"number": "HT-1", "customer_id": customer["id"], "signed_on": SIGNED,
                                       "amount": "1000.00", "title": "t"})
    path = write_csv(tmp_path / "p.csv", [PAY_HEADERS, ["HT-1", "2026-03-05", "100"], ["HT-1", "2026-03-05", "100"]])
    assert admin.imports.run("payments", path, admin.imports.auto_mapping("payments", PAY_HEADERS)).created == 2
    assert admin.contracts.get(contract["id"])["received"] == Decimal("200.00")
