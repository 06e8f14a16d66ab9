"""Before a delete is confirmed the client can ask whether it would be refused as in use."""

from __future__ import annotations

import pytest

from crm_core.errors import InUse, PermissionDenied


def test_check_delete_names_the_biggest_uses_and_changes_nothing(admin, login):
    sales = login("sales1")
    for n in range(4):
        sales.customers.create({"name": f"销售一的第{n}个客户有限公司"})
    with pytest.raises(InUse) as exc:
        admin.users.check_delete(sales.actor.user_id)
    assert "客户信息 4 条" in exc.value.message.zh and "停用" in exc.value.message.zh
    assert "4 customers" in exc.value.message.en
    assert "操作日志" not in exc.value.message.zh  # bookkeeping is not what a person calls a use
    assert admin.users.get(sales.actor.user_id)["is_active"]


def test_check_delete_passes_for_an_unused_record_and_needs_the_delete_right(admin, login, make_customer):
    customer = make_customer()
    admin.customers.check_delete(customer["id"])  # nothing refers to it: no exception
    with pytest.raises(PermissionDenied):
        login("sales1").customers.check_delete(customer["id"])
    assert admin.customers.get(customer["id"])["id"] == customer["id"]


def test_check_delete_sees_a_dictionary_code_in_use(admin, make_customer):
    make_customer(industry="finance")
    entry = next(e for e in admin.dictionary.entries("industry") if e["code"] == "finance")
    with pytest.raises(InUse):
        admin.dictionary.check_delete(entry["id"])
