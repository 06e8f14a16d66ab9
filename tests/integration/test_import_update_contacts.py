"""A customers file updating customers by their code, with a contact on its rows (联系人, 联系电话, 职务): the
contact is never dropped. The customer's contact with that name and phone is updated (shown in the preview,
version checked, audited, restored by the undo); a contact the customer does not have is created on it (shown
in the preview as new, the twin rule applied, removed by the undo)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.importing.service import ImportRejected
from crm_core.models import AuditEntry, Contact
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户编码", "公司名称", "重要级别", "联系人", "联系人电话", "职务"]


@pytest.fixture
def world(admin):
    jia = admin.customers.create({"name": "甲公司", "level": "C"})
    yi = admin.customers.create({"name": "乙公司", "level": "C"})
    zhang = admin.contacts.create({"customer_id": jia["id"], "name": "张三", "phone": "13900000001",
                                   "position": "工程师"})
    return jia, yi, zhang


def _file(tmp_path, jia, yi, *extra):
    return write_csv(tmp_path / "customers.csv", [
        HEADERS,
        [jia["code"], "甲公司", "A", "张三", "139 0000 0001", "经理"],  # row 2: his contact, a new position
        [yi["code"], "乙公司", "B", "李四", "13900000002", "销售"],  # row 3: a contact the customer has not
        *extra,
    ])


def _contacts(db, customer_id: int) -> list[tuple]:
    with db.unit_of_work(write=False) as s:
        return [tuple(r) for r in s.execute(select(Contact.name, Contact.phone, Contact.position, Contact.version)
                                            .where(Contact.customer_id == customer_id).order_by(Contact.id))]


def test_the_contact_of_a_row_updating_its_customer_is_updated_or_created_and_undone_with_the_import(
        admin, db, world, tmp_path):
    jia, yi, zhang = world
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    assert mapping[3] == "contacts.name" and mapping[4] == "contacts.phone" and mapping[5] == "contacts.position"
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert preview.errors == []
    assert [(u.row, u.record_id) for u in preview.updates] == [(2, jia["id"]), (3, yi["id"])]
    # the preview tells what happens to each row's contact: his change, or a new contact on the customer
    assert [(u.row, u.module, u.new, u.record_id, u.title, u.key, u.changes) for u in preview.companions] == [
        (2, "contacts", False, zhang["id"], "张三", f"{jia['code']}、13900000001", {"position": ("工程师", "经理")}),
        (3, "contacts", True, 0, "李四", f"{yi['code']}、13900000002",
         {"name": (None, "李四"), "phone": (None, "13900000002"), "position": (None, "销售")}),
    ]
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert (result.created, result.updated, result.companions, result.companions_updated) == (0, 2, 1, 1)
    assert _contacts(db, jia["id"]) == [("张三", "13900000001", "经理", zhang["version"] + 1)]
    assert _contacts(db, yi["id"]) == [("李四", "13900000002", "销售", 1)]
    with db.unit_of_work(write=False) as s:
        audit = s.execute(select(AuditEntry.action, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.module == "contacts").order_by(AuditEntry.id)).all()
    assert [(a, b, c) for a, b, c in audit][1] == ("update", {"position": "工程师"}, {"position": "经理"})
    assert [a for a, _, _ in audit] == ["create", "update", "create"]
    assert [r["id"] for r in admin.customers.search("李四").rows] == [yi["id"]]  # the new contact is searchable
    assert admin.imports.undo(result.batch_id) == 4  # two customers and a contact restored, a contact removed
    assert _contacts(db, jia["id"])[0][:3] == ("张三", "13900000001", "工程师")
    assert _contacts(db, yi["id"]) == []
    assert admin.customers.search("李四").rows == []  # the customer's search entry no longer names him


def test_a_contact_saved_after_the_preview_refuses_the_import_naming_the_contact(admin, db, world, tmp_path):
    jia, yi, zhang = world
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    admin.contacts.update(zhang["id"], {"email": "zhang@jia.cn"}, version=zhang["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (2, "contacts.position", 5)
    assert "张三" in error.message.zh and "在预览之后已被他人修改" in error.message.zh
    # nothing of the import is kept: the customers as they were, no contact created
    assert admin.customers.get(jia["id"])["level"] == "C"
    assert _contacts(db, yi["id"]) == []


def test_a_bad_contact_on_an_update_row_is_that_rows_error_naming_the_contact_field(
        admin, db, world, tmp_path):
    jia, yi, zhang = world
    bing = admin.customers.create({"name": "丙公司", "level": "C"})
    path = _file(tmp_path, jia, yi, [bing["code"], "丙公司", "B", "王五", "12345", "销售"])
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    check = admin.imports.check("customers", path, mapping, update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field, error.column) == (4, "contacts.phone", 4)
    assert error.message.zh.startswith("联系人电话：“12345”") and error.message.en.startswith("Contact phone: '12345'")
    assert [u.row for u in check.updates] == [2, 3] and [u.row for u in check.companions] == [2, 3]
    result = admin.imports.run("customers", path, mapping, update_by_key=True, only_valid=True)
    assert (result.updated, result.companions, result.companions_updated, result.skipped) == (2, 1, 1, 1)
    assert admin.customers.get(bing["id"])["level"] == "C" and _contacts(db, bing["id"]) == []


def test_a_contact_the_customer_already_has_twice_is_not_guessed(admin, db, world, tmp_path):
    jia, yi, zhang = world
    # a merge may leave two contacts with the same name and phone on one customer
    twin = admin.contacts.create({"customer_id": yi["id"], "name": "李四", "phone": "13900000002"})
    with db.unit_of_work(write=True) as s:
        s.add(Contact(customer_id=yi["id"], name="李四", phone="13900000002", status="employed",
                      created_by_id=admin.actor.user_id, updated_by_id=admin.actor.user_id))
        s.commit()
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    check = admin.imports.check("customers", path, mapping, update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field, error.column) == (3, "contacts.name", 3)
    assert "“李四”" in error.message.zh and "2 个" in error.message.zh and twin["id"]


def test_a_role_that_may_not_change_contacts_is_told_so_for_the_row_not_silently_ignored(admin, db, world, tmp_path,
                                                                                          monkeypatch):
    import dataclasses

    from crm_core.importing import engine
    from crm_core.permissions import Action, rights

    def without_contact_updates(role):
        r = rights(role)
        return dataclasses.replace(r, modules={**r.modules, "contacts": r.modules["contacts"] - {Action.UPDATE}})

    monkeypatch.setattr(engine, "rights", without_contact_updates)
    jia, yi, zhang = world
    path = _file(tmp_path, jia, yi)
    check = admin.imports.check("customers", path, admin.imports.auto_mapping("customers", HEADERS),
                                update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field, error.column) == (2, "contacts.name", 3)
    assert error.message.zh.startswith("联系人姓名：“张三”") and "无权修改联系人" in error.message.zh
    assert [(u.row, u.new) for u in check.companions] == [(3, True)]


def test_the_same_contact_added_by_someone_after_the_preview_refuses_the_import_and_nothing_is_kept(
        admin, db, world, tmp_path):
    jia, yi, zhang = world
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    admin.contacts.create({"customer_id": yi["id"], "name": "李四", "phone": "13900000002"})  # meanwhile
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    # (told before anything is written, at the contact's name, as a contacts row previewed as new is)
    assert (error.row, error.field, error.column) == (3, "contacts.name", 3)
    assert error.message.zh.startswith(f"联系人“李四”（{yi['code']}、13900000002）") \
        and "在预览之后已被他人添加或修改" in error.message.zh
    assert error.message.en.startswith(f"Contact '李四' ({yi['code']}, 13900000002) was added or changed")
    # the customers and the contact updated before the refusal have their values back
    assert [admin.customers.get(c["id"])["level"] for c in (jia, yi)] == ["C", "C"]
    assert _contacts(db, jia["id"])[0][:3] == ("张三", "13900000001", "工程师")
    assert [c[:3] for c in _contacts(db, yi["id"])] == [("李四", "13900000002", None)]


def test_the_contact_shown_updated_whose_phone_was_edited_after_the_preview_is_a_conflict_not_a_second_contact(
        admin, db, world, tmp_path):
    jia, yi, zhang = world
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert [(u.row, u.record_id) for u in preview.companions if not u.new] == [(2, zhang["id"])]
    # meanwhile his phone is edited: the row's 张三 (13900000001) no longer names him
    admin.contacts.update(zhang["id"], {"phone": "13900000009"}, version=zhang["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (2, "contacts.position", 5)
    assert error.message.zh.startswith(f"联系人“张三”（{jia['code']}、13900000001）") \
        and "在预览之后已被他人修改或删除" in error.message.zh
    # nothing written: no second 张三 on 甲公司, the customers as they were
    assert [c[:2] for c in _contacts(db, jia["id"])] == [("张三", "13900000009")]
    assert admin.customers.get(jia["id"])["level"] == "C" and _contacts(db, yi["id"]) == []


def test_a_contact_without_a_phone_on_a_customer_row_updates_the_customers_contact_of_that_name_without_one(
        admin, db, world, tmp_path):
    jia, yi, zhang = world
    wang = admin.contacts.create({"customer_id": jia["id"], "name": "王五", "position": "工程师"})
    path = write_csv(tmp_path / "customers.csv", [HEADERS, [jia["code"], "甲公司", "A", "王五", "", "经理"]])
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert preview.errors == []
    assert [(u.row, u.new, u.record_id, u.key, u.key_en, u.changes) for u in preview.companions] == [
        (2, False, wang["id"], jia["code"], None, {"position": ("工程师", "经理")})]
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert (result.updated, result.companions, result.companions_updated) == (1, 0, 1)
    assert [c[:3] for c in _contacts(db, jia["id"])] == [("张三", "13900000001", "工程师"), ("王五", None, "经理")]


def test_of_two_contacts_with_one_name_and_phone_the_single_active_one_is_updated(admin, db, world, tmp_path):
    jia, yi, zhang = world
    li = admin.contacts.create({"customer_id": yi["id"], "name": "李四", "phone": "13900000002"})
    with db.unit_of_work(write=True) as s:  # a twin left deactivated (a merge may leave one)
        s.add(Contact(customer_id=yi["id"], name="李四", phone="13900000002", status="employed", is_active=False,
                      created_by_id=admin.actor.user_id, updated_by_id=admin.actor.user_id))
        s.commit()
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    check = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert check.errors == []
    assert [(u.row, u.new, u.record_id) for u in check.companions] == [(2, False, zhang["id"]), (3, False, li["id"])]
    # both active: not guessed, and told to deactivate or delete the extra one
    with db.unit_of_work(write=True) as s:
        s.execute(Contact.__table__.update().where(Contact.customer_id == yi["id"]).values(is_active=True))
        s.commit()
    [error] = admin.imports.check("customers", path, mapping, update_by_key=True).errors
    assert (error.row, error.field) == (3, "contacts.name")
    assert "2 个姓名和电话都相同的有效联系人" in error.message.zh and "设为失效或删除" in error.message.zh
    assert "deactivate or delete the extra ones" in error.message.en


def test_a_contact_refused_while_written_is_named_under_the_contact_label_as_the_check_names_it(
        admin, db, world, tmp_path, monkeypatch):
    from crm_core.importing import writer

    jia, yi, _ = world
    path = _file(tmp_path, jia, yi)
    mapping = admin.imports.auto_mapping("customers", HEADERS)
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert preview.errors == []
    write = writer.write

    def a_colleague_saves_him_first(*args, **kwargs):  # 李四 is saved on 乙公司 between the check and the write
        admin.contacts.create({"customer_id": yi["id"], "name": "李四", "phone": "13900000002"})
        return write(*args, **kwargs)

    monkeypatch.setattr(writer, "write", a_colleague_saves_him_first)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert (error.row, error.field) == (3, "contacts.name")
    assert error.message.zh.startswith("联系人姓名：该客户已有同名同电话的联系人“李四”"), error.message.zh
    assert error.message.en.startswith("Contact name: this customer already has a contact '李四'"), error.message.en


def test_a_customers_file_without_the_contacts_phone_updates_the_customers_single_contact_of_that_name(
        admin, db, world, tmp_path):
    jia, _, zhang = world
    headers = ["客户编码", "公司名称", "重要级别", "联系人", "职务"]
    path = write_csv(tmp_path / "c.csv", [headers, [jia["code"], "甲公司", "A", "张三", "经理"]])
    mapping = admin.imports.auto_mapping("customers", headers)
    check = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert check.errors == []
    assert [(u.record_id, u.new, u.changes) for u in check.companions] == [
        (zhang["id"], False, {"position": ("工程师", "经理")})]
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=check)
    assert (result.companions, result.companions_updated) == (0, 1)
    assert [c[:3] for c in _contacts(db, jia["id"])] == [("张三", "13900000001", "经理")]


def test_a_customers_file_without_the_contacts_phone_asks_for_it_when_two_have_that_name(admin, db, world, tmp_path):
    jia, _, _ = world
    admin.contacts.create({"customer_id": jia["id"], "name": "张三", "phone": "13900000009"})
    headers = ["客户编码", "公司名称", "重要级别", "联系人", "联系人电话", "职务"]
    path = write_csv(tmp_path / "c.csv", [headers, [jia["code"], "甲公司", "A", "张三", "", "经理"]])
    check = admin.imports.check("customers", path, admin.imports.auto_mapping("customers", headers),
                                update_by_key=True)
    [error] = check.errors
    assert (error.row, error.field) == (2, "contacts.name")
    assert error.message.zh.startswith("联系人姓名：“张三”在客户“") and "请在文件中填写联系人的电话" in error.message.zh
    assert "give the contact's phone in the file" in error.message.en
