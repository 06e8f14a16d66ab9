"""Two customers that turn out to be one: merged by a manager, audited, undone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm_core import Filter, ListQuery
from crm_core.errors import ConcurrencyConflict, PermissionDenied, RecordInactive, ValidationError


@pytest.fixture
def pair(admin, make_customer):
    keep = make_customer("北京星辰软件有限公司")
    gone = make_customer("北京星辰软件")
    contact = admin.contacts.create({"customer_id": gone["id"], "name": "陈静", "phone": "13900001111"})
    contract = admin.contracts.create({"number": "HT-9", "customer_id": gone["id"], "signed_on": dt.date.today(),
                                       "amount": Decimal("500.00")})
    admin.contacts.create({"customer_id": keep["id"], "name": "王强"})
    return admin.customers.get(keep["id"]), admin.customers.get(gone["id"]), contact, contract


def test_a_manager_merges_and_everything_moves_to_the_kept_customer(admin, login, pair):
    keep, gone, contact, contract = pair
    manager = login("manager1")
    kept = manager.customers.merge(keep["id"], gone["id"], keep_version=keep["version"],
                                   merge_version=gone["version"])
    assert kept["version"] > keep["version"]
    assert manager.contacts.get(contact["id"])["customer_id"] == keep["id"]
    assert manager.contracts.get(contract["id"])["customer_id"] == keep["id"]
    redirect = manager.customers.get(gone["id"])
    assert not redirect["is_active"] and keep["code"] in redirect["deactivated_reason"]
    # Found under the kept customer by the moved contact's name.
    assert [r["id"] for r in manager.customers.list(ListQuery(search="陈静")).rows] == [keep["id"]]
    actions = {(e["action"], e["record_id"]) for e in admin.audit.list(module="customers").rows}
    assert ("merge", keep["id"]) in actions and ("merged_into", gone["id"]) in actions
    merges = manager.customers.merges(keep["id"])
    assert merges[0]["merged_code"] == gone["code"] and merges[0]["moved"] == {"contacts": 1, "contracts": 1}
    with pytest.raises(RecordInactive):  # the redirect is read-only
        manager.customers.update(gone["id"], {"level": "A"}, version=redirect["version"])


def test_undo_moves_back_exactly_what_moved(admin, pair):
    keep, gone, contact, contract = pair
    admin.customers.merge(keep["id"], gone["id"], keep_version=keep["version"], merge_version=gone["version"])
    added_later = admin.contacts.create({"customer_id": keep["id"], "name": "赵敏"})
    merge_id = admin.customers.merges(keep["id"])[0]["id"]
    back = admin.customers.undo_merge(merge_id)
    assert back["id"] == gone["id"] and back["is_active"] and back["deactivated_reason"] is None
    assert admin.contacts.get(contact["id"])["customer_id"] == gone["id"]
    assert admin.contracts.get(contract["id"])["customer_id"] == gone["id"]
    assert admin.contacts.get(added_later["id"])["customer_id"] == keep["id"]
    assert admin.customers.merges(keep["id"])[0]["undone"]
    assert ("unmerge", gone["id"]) in {(e["action"], e["record_id"]) for e in admin.audit.list(module="customers").rows}
    ours = admin.contacts.list(ListQuery(filters=(Filter("customer_id", "eq", gone["id"]),))).rows
    assert [c["name"] for c in ours] == ["陈静"]


def test_merge_rules(admin, login, pair):
    keep, gone, _contact, _contract = pair
    with pytest.raises(PermissionDenied):
        login("sales1").customers.merge(keep["id"], gone["id"], keep_version=keep["version"],
                                        merge_version=gone["version"])
    with pytest.raises(ValidationError):
        admin.customers.merge(keep["id"], keep["id"], keep_version=keep["version"], merge_version=keep["version"])
    admin.customers.update(gone["id"], {"level": "B"}, version=gone["version"])  # someone edits meanwhile
    with pytest.raises(ConcurrencyConflict):
        admin.customers.merge(keep["id"], gone["id"], keep_version=keep["version"], merge_version=gone["version"])
    assert admin.customers.get(gone["id"])["is_active"]
