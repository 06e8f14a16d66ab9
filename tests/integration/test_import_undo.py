"""Undoing an import: one unit, audited, refused when a record changed or is used since."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.errors import PermissionDenied, ValidationError
from crm_core.models import AuditEntry
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv


def _import(session, tmp_path, n=3, name="c.csv"):
    path = write_csv(tmp_path / name, [CUSTOMER_HEADERS] + [customer_row(i) for i in range(n)])
    mapping = session.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    if session.actor.role == "sales":
        mapping[7] = None  # a salesperson imports customers as his own
    return session.imports.run("customers", path, mapping)


def test_undo_removes_the_batch_and_logs_it(admin, db, tmp_path):
    result = _import(admin, tmp_path)
    [batch] = admin.imports.batches("customers")
    assert (batch["id"], batch["rows"], batch["file_name"], batch["created_by"], batch["undone_at"]) == \
        (result.batch_id, 3, "c.csv", "系统管理员", None)
    assert admin.imports.undo(result.batch_id) == 3
    assert admin.customers.list().rows == []
    assert admin.imports.batches()[0]["undone_at"] is not None
    with db.unit_of_work(write=False) as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.module == "customers"))]
    assert actions.count("delete") == 3 and actions.count("undo_import") == 1
    with pytest.raises(ValidationError) as info:
        admin.imports.undo(result.batch_id)
    assert "已撤销" in info.value.errors[0].message.zh


def test_undo_is_refused_when_a_record_changed_since(admin, tmp_path):
    result = _import(admin, tmp_path)
    one = admin.customers.list().rows[0]
    admin.customers.update(one["id"], {"notes": "导入后修改"}, version=one["version"])
    with pytest.raises(ValidationError) as info:
        admin.imports.undo(result.batch_id)
    assert "导入后已被修改" in info.value.errors[0].message.zh
    assert len(admin.customers.list().rows) == 3  # nothing removed


def test_undo_is_refused_when_a_record_is_referenced(admin, tmp_path):
    result = _import(admin, tmp_path)
    one = admin.customers.list().rows[0]
    admin.contracts.create({"number": "HT-9", "customer_id": one["id"], "signed_on": "2026-01-05", "amount": "100"})
    with pytest.raises(ValidationError) as info:
        admin.imports.undo(result.batch_id)
    assert info.value.errors[0].code == "in_use" and "合同" in info.value.errors[0].message.zh
    assert len(admin.customers.list().rows) == 3


def test_a_salesperson_undoes_his_own_import_only(login, admin, tmp_path):
    sales, other = login("sales1"), login("sales2")
    result = _import(sales, tmp_path)
    assert [b["id"] for b in other.imports.batches("customers")] == []
    with pytest.raises(PermissionDenied):
        other.imports.undo(result.batch_id)
    assert sales.imports.undo(result.batch_id) == 3
    assert admin.customers.list().rows == []
