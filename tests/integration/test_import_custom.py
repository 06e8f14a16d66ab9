"""Custom fields through the bulk path and the importer: checked by the services' rules, written in bulk,
exported, removed by the batch undo, and given back their old values when an update by code is undone."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from crm_core import ValidationError
from crm_core.bulk import BulkWriter
from crm_core.importing.service import ImportRejected
from crm_core.lists import ListQuery
from crm_core.models import CustomFieldValue
from tests.integration.test_import_helpers import write_csv, write_xlsx


@pytest.fixture
def fields(admin):
    """ERP id (text, at most 10), seats (whole number), region (choice from the source dictionary)."""
    admin.custom_fields.create({"module": "customers", "key": "erp_id", "label_zh": "ERP编号", "label_en": "ERP id",
                                "field_type": "text", "max_length": 10})
    admin.custom_fields.create({"module": "customers", "key": "seats", "label_zh": "座席数", "label_en": "Seats",
                                "field_type": "integer"})
    admin.custom_fields.create({"module": "customers", "key": "region", "label_zh": "销售大区", "label_en": "Region",
                                "field_type": "choice", "choices_category": "source"})


def _values(db) -> int:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(CustomFieldValue))


def test_the_bulk_path_writes_custom_values_checked_by_the_services_rules(admin, fields):
    writer = BulkWriter(admin.db, admin.actor)
    [cid] = writer.insert("customers", [{"name": "甲公司", "custom": {"erp_id": "E-1", "seats": "1,200",
                                                                       "region": "referral"}}])
    assert admin.customers.get(cid)["custom"] == {"erp_id": "E-1", "seats": "1200", "region": "referral"}
    # the service's record of the same values is the same
    made = admin.customers.create({"name": "乙公司", "custom": {"erp_id": "E-1", "seats": "1,200", "region": "referral"}})
    assert made["custom"] == admin.customers.get(cid)["custom"]
    for validate in (False, True):
        with pytest.raises(ValidationError) as info:
            writer.insert("customers", [{"name": "丙公司", "custom": {"seats": "12"}},
                                        {"name": "丁公司", "custom": {"seats": "很多", "region": "nowhere",
                                                                      "erp_id": "E-000000000001", "colour": "red"}}],
                          validate=validate)
        got = {(e.row, e.field, e.code) for e in info.value.errors}
        assert got == {(1, "custom.seats", "integer"), (1, "custom.region", "choice"), (1, "custom.erp_id", "too_long"),
                       (1, "custom.colour", "unknown_field")}
        messages = {e.field: e.message for e in info.value.errors}
        assert messages["custom.region"].zh.startswith("销售大区：") and "nowhere" in messages["custom.region"].zh
        assert messages["custom.erp_id"].en.startswith("ERP id: ")
    assert [r["name"] for r in admin.customers.list(ListQuery(sort=("name",))).rows] == ["乙公司", "甲公司"]
    assert _values(admin.db) == 6  # nothing of the refused chunk


def test_imported_custom_values_are_exported_and_undone_with_their_records(admin, db, fields, tmp_path):
    headers = ["公司名称", "ERP编号", "座席数", "销售大区"]
    rows = [headers, ["甲公司", "E-001", "12", "转介绍"], ["乙公司", None, "3", None],
            ["丙公司", "E-003", "很多", "外星"]]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    mapping = admin.imports.auto_mapping("customers", headers)
    assert mapping == {0: "name", 1: "custom.erp_id", 2: "custom.seats", 3: "custom.region"}
    check = admin.imports.check("customers", path, mapping)
    messages = {e.field: e.message for e in check.errors}
    assert [(e.row, e.field) for e in check.errors] == [(4, "custom.seats"), (4, "custom.region")]
    assert messages["custom.seats"].zh == "座席数：“很多”应为整数"
    assert messages["custom.seats"].en == "Seats: '很多' must be a whole number"
    assert "“外星”" in messages["custom.region"].zh and "'外星'" in messages["custom.region"].en
    result = admin.imports.run("customers", path, mapping, only_valid=True)
    got = {r["name"]: r["custom"] for r in admin.customers.list().rows}
    assert got == {"甲公司": {"erp_id": "E-001", "seats": "12", "region": "referral"},
                   "乙公司": {"erp_id": None, "seats": "3", "region": None}}
    assert _values(db) == 4  # empty cells store nothing
    out = tmp_path / "e.csv"
    admin.exports.write("customers", ListQuery(sort=("name",)), ["name", "custom.*"], out, "csv", "zh_CN")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["公司名称", "ERP编号", "座席数", "销售大区"]
    assert sorted(lines[1:]) == [["乙公司", "", "3", ""], ["甲公司", "E-001", "12", "转介绍"]]
    assert admin.imports.undo(result.batch_id) == 2
    assert admin.customers.list().rows == [] and _values(db) == 0


def _update_file(tmp_path, rows):
    return write_csv(tmp_path / "u.csv", [["客户编码", "公司名称", "ERP编号", "座席数"], *rows])


def test_undoing_an_update_by_code_gives_the_custom_values_back(admin, db, fields, make_customer, tmp_path):
    a = make_customer("甲公司", custom={"erp_id": "OLD-1", "seats": "5"})
    b = make_customer("乙公司")  # no custom values yet
    path = _update_file(tmp_path, [[a["code"], "甲公司", "NEW-1", "6"], [b["code"], "乙公司", "NEW-2", None]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "ERP编号", "座席数"])
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert (preview.errors, len(preview.updates)) == ([], 2)
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert result.updated == 2
    assert admin.customers.get(a["id"])["custom"] == {"erp_id": "NEW-1", "seats": "6", "region": None}
    assert admin.customers.get(b["id"])["custom"] == {"erp_id": "NEW-2", "seats": None, "region": None}
    assert admin.imports.undo(result.batch_id) == 2
    assert admin.customers.get(a["id"])["custom"] == {"erp_id": "OLD-1", "seats": "5", "region": None}
    assert admin.customers.get(b["id"])["custom"] == {"erp_id": None, "seats": None, "region": None}


def test_undo_of_an_update_is_refused_when_a_custom_value_was_edited_since(admin, fields, make_customer, tmp_path):
    a = make_customer("甲公司", custom={"erp_id": "OLD-1"})
    path = _update_file(tmp_path, [[a["code"], "甲公司", "NEW-1", None]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "ERP编号", "座席数"])
    result = admin.imports.run("customers", path, mapping, update_by_key=True,
                               preview=admin.imports.check("customers", path, mapping, update_by_key=True))
    now = admin.customers.get(a["id"])
    admin.customers.update(a["id"], {"custom": {"erp_id": "HAND-1"}}, version=now["version"])
    with pytest.raises(ValidationError) as info:
        admin.imports.undo(result.batch_id)
    assert info.value.errors[0].code == "changed" and "导入后已被修改" in info.value.errors[0].message.zh
    assert "was changed or deleted after the import" in info.value.errors[0].message.en
    assert admin.customers.get(a["id"])["custom"]["erp_id"] == "HAND-1"  # someone's edit stays


def test_undo_clears_a_value_the_import_filled_in_even_where_the_field_became_required(admin, fields,
                                                                                       make_customer, tmp_path):
    a = make_customer("甲公司")
    path = _update_file(tmp_path, [[a["code"], "甲公司", "NEW-1", None]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "ERP编号", "座席数"])
    result = admin.imports.run("customers", path, mapping, update_by_key=True,
                               preview=admin.imports.check("customers", path, mapping, update_by_key=True))
    erp = next(f for f in admin.custom_fields.list().rows if f["key"] == "erp_id")
    admin.custom_fields.update(erp["id"], {"required": True}, version=erp["version"])
    assert admin.imports.undo(result.batch_id) == 1
    assert admin.customers.get(a["id"])["custom"]["erp_id"] is None


def test_a_failed_import_restores_the_custom_values_it_had_updated(admin, fields, make_customer, tmp_path,
                                                                   monkeypatch):
    a = make_customer("甲公司", custom={"erp_id": "OLD-1"})
    path = _update_file(tmp_path, [[a["code"], "甲公司", "NEW-1", None], [None, "新公司", "N-2", None]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "ERP编号", "座席数"])
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    from crm_core.importing import writer

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_create_chunk", broken)  # the updates are written, then the creates fail
    with pytest.raises(RuntimeError):
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert admin.customers.get(a["id"])["custom"]["erp_id"] == "OLD-1"
    assert [r["name"] for r in admin.customers.list().rows] == ["甲公司"]


def test_a_custom_choice_retired_while_the_file_is_checked_is_refused_when_written(admin, db, fields, tmp_path,
                                                                                   monkeypatch):
    from crm_core.importing import writer

    entry = next(e for e in admin.dictionary.entries("source") if e["code"] == "referral")
    path = write_csv(tmp_path / "c.csv", [["公司名称", "销售大区"], ["甲公司", "转介绍"], ["乙公司", None]])
    mapping = admin.imports.auto_mapping("customers", ["公司名称", "销售大区"])
    write = writer.write

    def retire_then_write(*args, **kwargs):  # an administrator retires the entry between the check and the write
        admin.dictionary.deactivate(entry["id"], "停用", version=entry["version"])
        return write(*args, **kwargs)

    monkeypatch.setattr(writer, "write", retire_then_write)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping)
    [error] = info.value.check.errors
    assert error.row == 2 and error.message.zh == "销售大区：“referral”不是可选值"
    assert admin.customers.list().rows == [] and _values(db) == 0


def test_the_preview_of_an_update_by_code_lists_custom_field_changes_and_the_run_applies_them(
        admin, fields, make_customer, tmp_path):
    a = make_customer("甲公司", custom={"erp_id": "OLD-1", "seats": "5"})
    b = make_customer("乙公司", custom={"erp_id": "SAME-2"})
    path = _update_file(tmp_path, [[a["code"], "甲公司", "NEW-1", "1,200"], [b["code"], "乙公司", "SAME-2", None]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "ERP编号", "座席数"])
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert preview.errors == []
    # parsed as the service stores them ("1,200" -> "1200"); an unchanged value is not listed
    assert [(u.key, u.changes, u.custom_changes) for u in preview.updates] == [
        (a["code"], {}, {"custom.erp_id": ("OLD-1", "NEW-1"), "custom.seats": ("5", "1200")}),
        (b["code"], {}, {})]
    # someone saves 甲公司 between the preview and the import: refused, nothing overwritten
    now = admin.customers.get(a["id"])
    admin.customers.update(a["id"], {"custom": {"erp_id": "HAND-1"}}, version=now["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert "已被他人修改" in info.value.check.errors[0].message.zh
    assert admin.customers.get(a["id"])["custom"]["erp_id"] == "HAND-1"
    fresh = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert fresh.updates[0].custom_changes == {"custom.erp_id": ("HAND-1", "NEW-1"), "custom.seats": ("5", "1200")}
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=fresh)
    assert result.updated == 2
    assert admin.customers.get(a["id"])["custom"] == {"erp_id": "NEW-1", "seats": "1200", "region": None}


def test_a_bad_custom_value_in_an_update_row_is_reported_by_the_check_with_field_and_value(
        admin, fields, make_customer, tmp_path):
    a = make_customer("甲公司", custom={"seats": "5"})
    path = _update_file(tmp_path, [[a["code"], "甲公司", "E-00000000001", "很多"]])
    mapping = admin.imports.auto_mapping("customers", ["客户编码", "公司名称", "ERP编号", "座席数"])
    check = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert (check.updates, sorted((e.row, e.field) for e in check.errors)) == (
        [], [(2, "custom.erp_id"), (2, "custom.seats")])
    messages = {e.field: e.message for e in check.errors}
    assert messages["custom.seats"].zh == "座席数：“很多”应为整数"
    assert messages["custom.seats"].en == "Seats: '很多' must be a whole number"
    assert messages["custom.erp_id"].zh.startswith("ERP编号：") and messages["custom.erp_id"].en.startswith("ERP id: ")
