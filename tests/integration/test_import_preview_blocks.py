"""The dry run and update by key check a file a block of rows at a time (the stored records its rows name read
per block, the rules that read other rows decided per block with the file's earlier rows counted): the preview
is the same whatever the block's size, and what one block reads is let go before the next."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_core.importing import engine
from tests.integration.test_import_custom import fields  # noqa: F401 - the fixture
from tests.integration.test_import_helpers import write_csv

SIGNED = dt.date(2026, 3, 1)


def _both(admin, monkeypatch, module, path, headers, **kw):
    """The check with blocks of 3 rows and with the whole file in one block."""
    mapping = admin.imports.auto_mapping(module, headers)
    out = []
    for size in (3, 1_000_000):
        monkeypatch.setattr(engine, "PROGRESS_EVERY", size)
        out.append(admin.imports.check(module, path, mapping, **kw))
    return out


def test_customers_updated_by_code_with_contacts_and_custom_values_preview_the_same_in_any_block(
        admin, monkeypatch, tmp_path, fields):  # noqa: F811
    headers = ["客户编码", "公司名称", "重要级别", "ERP编号", "联系人", "联系人电话", "职务"]
    customers = [admin.customers.create({"name": f"客户{i}", "level": "C", "custom": {"erp_id": f"E{i}"}})
                 for i in range(8)]
    admin.contacts.create({"customer_id": customers[1]["id"], "name": "张三", "phone": "13900000001"})
    rows = [headers]
    for i, c in enumerate(customers):
        rows.append([c["code"], f"客户{i}", "A" if i % 2 else "B", f"N{i}", f"人{i}" if i != 1 else "张三",
                     "13900000001" if i == 1 else f"1390000010{i}", "经理"])
    rows.append([customers[2]["code"], "客户2", "A", "", "", "", ""])  # row 10: the code of row 4 again
    rows.append(["", "新客户", "A", "", "王五", "13900000200", ""])  # row 11: a new customer
    path = write_csv(tmp_path / "customers.csv", rows)
    small, whole = _both(admin, monkeypatch, "customers", path, headers, update_by_key=True)
    assert small == whole
    assert len(whole.updates) == 8 and len(whole.companions) == 8
    assert [(u.row, u.new) for u in whole.companions][:2] == [(2, True), (3, False)]
    assert [(e.row, e.field) for e in whole.errors][0] == (10, "code") and whole.creates == 1


def test_contacts_by_identity_and_payments_over_their_contracts_preview_the_same_in_any_block(
        admin, monkeypatch, tmp_path, make_customer):
    customer = make_customer("甲公司")
    for i in range(4):
        admin.contacts.create({"customer_id": customer["id"], "name": f"人{i}", "phone": f"1390000000{i}"})
    headers = ["客户", "姓名", "电话", "职位"]
    rows = [headers, *[["甲公司", f"人{i}", f"1390000000{i}", "经理"] for i in range(4)],
            ["甲公司", "人1", "13900000001", "助理"],  # the same contact as row 3
            *[["甲公司", "新人", "13900000099", ""] for _ in range(2)]]  # a new contact, then his twin
    path = write_csv(tmp_path / "contacts.csv", rows)
    for update in (True, False):
        small, whole = _both(admin, monkeypatch, "contacts", path, headers, update_by_key=update)
        assert small == whole and whole.errors
    contract = admin.contracts.create({"number": "HT-1", "customer_id": customer["id"], "signed_on": SIGNED,
                                       "amount": "5.00", "title": "t"})
    assert contract
    headers = ["合同", "回款日期", "回款金额"]
    path = write_csv(tmp_path / "payments.csv", [headers, *[["HT-1", SIGNED.isoformat(), "1.00"] for _ in range(8)]])
    small, whole = _both(admin, monkeypatch, "payments", path, headers)
    assert small == whole
    assert [e.row for e in whole.errors] == [7, 8, 9]  # beyond the contract's 5.00, the earlier rows counted


@pytest.mark.parametrize("update", [True, False])
def test_a_block_lets_go_of_the_records_it_read(admin, monkeypatch, tmp_path, update):
    customers = [admin.customers.create({"name": f"客户{i}"}) for i in range(7)]
    path = write_csv(tmp_path / "customers.csv", [["客户编码", "公司名称"], *[[c["code"], f"客户{i}"]
                                                                            for i, c in enumerate(customers)]])
    seen = []
    read = engine.RowChecker._read_block

    def spy(self, first):
        read(self, first)
        seen.append(len(self.stored))

    monkeypatch.setattr(engine, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(engine.RowChecker, "_read_block", spy)
    admin.imports.check("customers", path, admin.imports.auto_mapping("customers", ["客户编码", "公司名称"]),
                        update_by_key=update)
    assert max(seen) <= 3 if update else max(seen) == 0
