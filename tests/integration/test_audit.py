"""The operation log (操作日志): every write leaves one entry; failed writes leave none."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crm_core import (ConcurrencyConflict, InUse, NotFound, PermissionDenied, RecordInactive,
                      ValidationError)
from tests.helpers import version_of, versions_of

ID_NUMBER = "11010519491231002X"


def _entries(session, module: str = "customers", record_id: int | None = None) -> list[dict]:
    """Audit entries of one module (and record), oldest first."""
    return list(reversed(session.audit.list(module=module, record_id=record_id, limit=500).rows))


def _everything(session) -> list[dict]:
    return session.audit.list(limit=500).rows


def _last(session, module: str = "customers", record_id: int | None = None) -> dict:
    return _entries(session, module, record_id)[-1]


# ----------------------------------------------------------- each write

def test_create_is_logged_with_actor_and_values(admin, make_customer):
    customer = make_customer(level="A")

    [entry] = _entries(admin, "customers", customer["id"])
    assert entry["action"] == "create"
    assert entry["module"] == "customers"
    assert entry["record_id"] == customer["id"]
    assert entry["actor_id"] == admin.actor.user_id
    assert entry["actor_login"] == "admin"
    assert entry["before"] is None
    assert entry["after"]["name"] == customer["name"]
    assert entry["after"]["code"] == customer["code"]
    assert entry["after"]["level"] == "A"
    assert entry["at"].tzinfo is not None
    assert abs(entry["at"] - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(hours=1)


def test_update_logs_before_and_after_of_changed_fields_only(admin, make_customer):
    customer = make_customer(level="B")

    admin.customers.update(customer["id"], {"level": "A", "name": "新名字", "address": None},
                           version=customer["version"])

    entry = _last(admin, "customers", customer["id"])
    assert entry["action"] == "update"
    assert entry["before"] == {"level": "B", "name": customer["name"]}
    assert entry["after"] == {"level": "A", "name": "新名字"}


def test_update_that_changes_nothing_is_not_logged(admin, make_customer):
    customer = make_customer(level="B")

    same = admin.customers.update(customer["id"], {"level": "B"}, version=customer["version"])

    assert [e["action"] for e in _entries(admin, "customers", customer["id"])] == ["create"]
    assert same["version"] == customer["version"]


def test_update_by_another_user_names_that_user(admin, login, make_customer):
    manager = login("manager1")
    customer = make_customer()

    manager.customers.update(customer["id"], {"level": "C"}, version=customer["version"])

    entry = _last(admin, "customers", customer["id"])
    assert entry["actor_login"] == "manager1"
    assert entry["actor_id"] == manager.actor.user_id


def test_deactivate_and_reactivate_are_logged(admin, make_customer):
    customer = make_customer()

    admin.customers.deactivate(customer["id"], "公司已注销", version=version_of(admin.customers, customer["id"]))
    admin.customers.reactivate(customer["id"], version=version_of(admin.customers, customer["id"]))

    deactivated, reactivated = _entries(admin, "customers", customer["id"])[1:]
    assert deactivated["action"] == "deactivate"
    assert deactivated["before"]["is_active"] is True
    assert deactivated["after"]["is_active"] is False
    assert deactivated["after"]["deactivated_reason"] == "公司已注销"
    assert reactivated["action"] == "reactivate"
    assert reactivated["before"]["is_active"] is False
    assert reactivated["after"]["is_active"] is True


def test_delete_is_logged_with_the_deleted_values(admin, make_customer):
    customer = make_customer(level="A")

    admin.customers.delete(customer["id"], version=version_of(admin.customers, customer["id"]))

    entry = _last(admin, "customers", customer["id"])
    assert entry["action"] == "delete"
    assert entry["before"]["name"] == customer["name"]
    assert entry["before"]["code"] == customer["code"]
    assert entry["after"] is None


def test_status_change_is_logged_with_the_evidence(admin, make_customer):
    customer = make_customer()
    admin.contracts.create({"number": "HT-9", "customer_id": customer["id"], "signed_on": "2026-11-01",
                            "amount": "100"})

    admin.customers.change_status(customer["id"], "won", version=customer["version"], contract_number="HT-9")

    entry = _last(admin, "customers", customer["id"])
    assert entry["action"] == "status"
    assert entry["before"] == {"status": "prospect"}
    assert entry["after"]["status"] == "won"
    assert entry["after"]["contract_number"] == "HT-9"


def test_bulk_status_change_logs_every_record(admin, make_customer):
    ids = [make_customer(f"公司{i}")["id"] for i in range(3)]

    admin.customers.change_status_many(versions_of(admin.customers, ids), "lost")

    assert all(_last(admin, "customers", i)["action"] == "status" for i in ids)


def test_share_and_unshare_are_logged(admin, login, make_customer):
    sales1 = login("sales1")
    customer = make_customer()

    admin.customers.share(customer["id"], sales1.actor.user_id)
    admin.customers.unshare(customer["id"], sales1.actor.user_id)

    share, unshare = _entries(admin, "customers", customer["id"])[1:]
    assert (share["action"], share["after"]) == ("share", {"user_id": sales1.actor.user_id})
    assert (unshare["action"], unshare["before"]) == ("unshare", {"user_id": sales1.actor.user_id})


def test_unshare_of_a_user_it_was_not_shared_with_is_not_logged(admin, login, make_customer):
    sales1 = login("sales1")
    customer = make_customer()

    admin.customers.unshare(customer["id"], sales1.actor.user_id)

    assert [e["action"] for e in _entries(admin, "customers", customer["id"])] == ["create"]


def test_status_audit_holds_the_contract_number_as_stored(admin, make_customer):
    customer = make_customer()
    admin.contracts.create({"number": "HT-9", "customer_id": customer["id"], "signed_on": "2026-11-01",
                            "amount": "100"})

    admin.customers.change_status(customer["id"], "won", version=customer["version"], contract_number=" HT-9 ")

    assert _last(admin, "customers", customer["id"])["after"]["contract_number"] == "HT-9"
    assert admin.customers.status_history(customer["id"])[-1]["contract_number"] == "HT-9"


def test_bulk_update_logs_every_record(admin, login, make_customer):
    sales1 = login("sales1")
    ids = [make_customer(f"公司{i}")["id"] for i in range(3)]

    admin.customers.bulk_update(versions_of(admin.customers, ids), {"owner_id": sales1.actor.user_id})

    for i in ids:
        entry = _last(admin, "customers", i)
        assert entry["action"] == "update"
        assert entry["before"] == {"owner_id": admin.actor.user_id}
        assert entry["after"] == {"owner_id": sales1.actor.user_id}


def test_contact_writes_are_logged_under_contacts(admin, make_customer):
    customer = make_customer()
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "张伟"})
    admin.contacts.update(contact["id"], {"position": "总监"}, version=contact["version"])

    assert [e["action"] for e in _entries(admin, "contacts", contact["id"])] == ["create", "update"]


def test_manager_reads_the_log_and_sales_may_not(login, make_customer):
    make_customer()

    assert login("manager1").audit.list().rows
    with pytest.raises(PermissionDenied):
        login("sales1").audit.list()


# -------------------------------------------------------------- masking

def test_phone_is_masked_in_the_log(admin, make_customer):
    customer = make_customer(phone="13812345678")

    admin.customers.update(customer["id"], {"phone": "13987654321"}, version=customer["version"])

    created, updated = _entries(admin, "customers", customer["id"])
    assert created["after"]["phone"] == "138****5678"
    assert updated["before"] == {"phone": "138****5678"}
    assert updated["after"] == {"phone": "139****4321"}


def test_contact_id_number_and_phone_are_masked_in_the_log(admin, make_customer):
    customer = make_customer()
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "张伟", "phone": "13812345678",
                                     "id_number": ID_NUMBER})
    admin.contacts.update(contact["id"], {"id_number": None}, version=contact["version"])

    created, updated = _entries(admin, "contacts", contact["id"])
    assert created["after"]["id_number"] == "**************002X"
    assert created["after"]["phone"] == "138****5678"
    assert updated["before"] == {"id_number": "**************002X"}
    assert updated["after"] == {"id_number": None}


def test_no_full_sensitive_value_appears_anywhere_in_the_log(admin, make_customer):
    customer = make_customer(phone="13812345678")
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "张伟", "phone": "13700001111",
                                     "id_number": ID_NUMBER})
    admin.contacts.update(contact["id"], {"phone": "13700002222"}, version=contact["version"])
    temporary = admin.customers.create({"name": "临时", "phone": "13600003333"})
    admin.customers.delete(temporary["id"], version=temporary["version"])

    dump = json.dumps(_everything(admin), default=str, ensure_ascii=False)

    for secret in ("13812345678", "13700001111", "13700002222", "13600003333", ID_NUMBER, "13800000000"):
        assert secret not in dump


# ------------------------------------------------------ failed writes

@pytest.fixture
def prepared(admin, login, make_customer):
    """A customer in use (one contact), edited once, and a deactivated customer."""
    customer = make_customer()
    admin.contacts.create({"customer_id": customer["id"], "name": "张伟"})
    current = admin.customers.update(customer["id"], {"level": "A"}, version=customer["version"])
    inactive = make_customer("已失效公司")
    inactive = admin.customers.deactivate(inactive["id"], "重复录入", version=version_of(admin.customers, inactive["id"]))
    return {"admin": admin, "engineer": login("engineer1"), "sales1": login("sales1"), "id": customer["id"],
            "stale": customer["version"], "version": current["version"], "inactive": inactive}


FAILING_WRITES = {
    "create_without_name": (ValidationError, lambda p: p["admin"].customers.create({"name": ""})),
    "create_with_bad_email": (ValidationError, lambda p: p["admin"].customers.create({"name": "好", "email": "x"})),
    "update_with_bad_email": (ValidationError, lambda p: p["admin"].customers.update(
        p["id"], {"email": "bad"}, version=p["version"])),
    "stale_update": (ConcurrencyConflict, lambda p: p["admin"].customers.update(
        p["id"], {"level": "B"}, version=p["stale"])),
    "update_of_inactive": (RecordInactive, lambda p: p["admin"].customers.update(
        p["inactive"]["id"], {"level": "B"}, version=p["inactive"]["version"])),
    "delete_in_use": (InUse, lambda p: p["admin"].customers.delete(p["id"], version=version_of(p["admin"].customers, p["id"]))),
    "create_without_right": (PermissionDenied, lambda p: p["engineer"].customers.create({"name": "工程师客户"})),
    "update_out_of_scope": (NotFound, lambda p: p["sales1"].customers.update(
        p["id"], {"level": "C"}, version=p["version"])),
    "invalid_transition": (ValidationError, lambda p: p["admin"].customers.change_status(
        p["id"], "reactivated", version=p["version"])),
    "won_without_contract": (ValidationError, lambda p: p["admin"].customers.change_status(
        p["id"], "won", version=p["version"])),
    "deactivate_without_reason": (ValidationError, lambda p: p["admin"].customers.deactivate(p["id"], "", version=version_of(p["admin"].customers, p["id"]))),
    "bulk_status_with_a_stale_version": (ValidationError, lambda p: p["admin"].customers.change_status_many(
        {p["id"]: p["stale"]}, "lost")),
    "bulk_update_with_unknown_id": (NotFound, lambda p: p["admin"].customers.bulk_update(
        {p["id"]: p["version"], 999999: 1}, {"level": "C"})),
    "share_without_right": (PermissionDenied, lambda p: p["sales1"].customers.share(
        p["id"], p["sales1"].actor.user_id)),
    "share_with_unknown_user": (ValidationError, lambda p: p["admin"].customers.share(p["id"], 999999)),
}


@pytest.mark.parametrize("attempt", FAILING_WRITES)
def test_failed_write_leaves_no_entry(prepared, attempt):
    admin = prepared["admin"]
    error, write = FAILING_WRITES[attempt]
    before = _everything(admin)

    with pytest.raises(error):
        write(prepared)

    assert _everything(admin) == before
    customer = admin.customers.get(prepared["id"])
    assert (customer["status"], customer["level"], customer["version"]) == ("prospect", "A", prepared["version"])


def test_reactivating_an_active_record_changes_nothing(admin, make_customer):
    customer = make_customer()
    again = admin.customers.reactivate(customer["id"], version=version_of(admin.customers, customer["id"]))
    assert again["version"] == customer["version"]
    assert [e for e in admin.audit.list(module="customers", record_id=customer["id"]).rows
            if e["action"] == "reactivate"] == []
