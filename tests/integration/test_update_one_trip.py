"""A customer save checks the account and the custom-field definitions in the statement that
locks the row (issue 9: the save's own cost at a million customers), every rule kept."""

from __future__ import annotations

import pytest

from crm_core import AuthenticationFailed, NotFound, PermissionDenied
from tests.helpers import version_of
from tests.integration.test_list_one_trip import statements


def _save(session, customer_id, **changes):
    return session.customers.update(customer_id, changes, version=version_of(session.customers, customer_id))


def test_a_save_needs_no_transaction_of_its_own_for_the_account_or_the_definitions(admin, make_customer):
    made = make_customer("杭州星辰网络科技有限公司")
    _save(admin, made["id"], notes="first")  # the session reads the custom-field definitions once
    version = version_of(admin.customers, made["id"])
    with statements(admin.db.engine) as sent:
        saved = admin.customers.update(made["id"], {"notes": "second"}, version=version)
    assert saved["notes"] == "second" and saved["version"] == version + 1
    assert saved["owner_id_display"] == admin.actor.name
    # the write, then the saved record's reference names: no read-only transaction for the account before
    assert sent.count("BEGIN") == 2
    locking = [s for s in sent if "FROM customers" in s and "users.role" in s]
    assert len(locking) == 1  # the row and the account in one statement
    assert not [s for s in sent if "FROM custom_field_definitions" in s and "count(" not in s]


def test_a_definition_added_elsewhere_counts_at_the_next_save(admin, login, make_customer):
    boss = login("manager1", role="manager")
    made = make_customer("苏州星河软件有限公司")
    _save(boss, made["id"], notes="before")  # his session has read the (no) definitions
    admin.custom_fields.create({"module": "customers", "key": "erp", "label_zh": "ERP编号", "label_en": "ERP id",
                                "field_type": "text"})
    saved = _save(boss, made["id"], custom={"erp": "E-7"})
    assert saved["custom"] == {"erp": "E-7"}
    assert admin.customers.get(made["id"])["custom"] == {"erp": "E-7"}


def test_a_deactivated_account_cannot_save(admin, login, make_customer):
    sales = login("sales1")
    made = make_customer("北京云帆数据服务有限公司", owner_id=sales.actor.user_id)
    version = version_of(sales.customers, made["id"])
    admin.users.deactivate(sales.actor.user_id, "离职", version=version_of(admin.users, sales.actor.user_id))
    with pytest.raises(AuthenticationFailed):
        sales.customers.update(made["id"], {"notes": "after leaving"}, version=version)
    assert admin.customers.get(made["id"])["notes"] != "after leaving"


def test_a_role_changed_meanwhile_holds_at_the_save(admin, login, make_customer):
    boss = login("manager1", role="manager")
    theirs = make_customer("宁波海港物流有限公司")  # the admin's customer: a manager sees all, a salesperson not
    version = version_of(boss.customers, theirs["id"])
    user_id = boss.actor.user_id
    admin.users.update(user_id, {"role": "sales"}, version=version_of(admin.users, user_id))
    with pytest.raises(NotFound):  # now a salesperson: outside his customers
        boss.customers.update(theirs["id"], {"notes": "as sales"}, version=version)
    assert boss.actor.role == "sales"
    admin.users.update(user_id, {"role": "service"}, version=version_of(admin.users, user_id))
    with pytest.raises(PermissionDenied):  # customer service reads customers only
        boss.customers.update(theirs["id"], {"notes": "as service"}, version=version)
    assert admin.customers.get(theirs["id"])["notes"] not in ("as sales", "as service")
