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


def test_a_merge_bringing_the_same_contact_twice_onto_the_kept_customer_goes_through(admin, make_customer):
    """The same person (name and phone) on both customers: the merge still moves everything (the records exist;
    refusing would leave the duplicate customer with no way to merge it), both contacts stay editable, a third
    is refused, and the undo parts them again."""
    keep, gone = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    same = {"name": "陈静", "phone": "13900001111"}
    ours = admin.contacts.create({"customer_id": keep["id"], **same})
    theirs = admin.contacts.create({"customer_id": gone["id"], **same})
    admin.customers.merge(keep["id"], gone["id"], keep_version=admin.customers.get(keep["id"])["version"],
                          merge_version=admin.customers.get(gone["id"])["version"])
    assert {admin.contacts.get(c["id"])["customer_id"] for c in (ours, theirs)} == {keep["id"]}
    # Each twin can still be edited (the write makes no twin) and the form points at the other.
    edited = admin.contacts.update(theirs["id"], {"position": "财务经理"}, version=theirs["version"])
    assert edited["position"] == "财务经理"
    assert [r["id"] for r in admin.contacts.similar({"customer_id": keep["id"], **same}, exclude_id=theirs["id"])] \
        == [ours["id"]]
    with pytest.raises(ValidationError) as info:  # but no new one
        admin.contacts.create({"customer_id": keep["id"], **same})
    [e] = info.value.errors
    assert (e.field, e.code) == ("name", "duplicate")
    assert "同名同电话的联系人“陈静”" in e.message.zh and "a contact '陈静' with this phone" in e.message.en
    other = admin.contacts.create({"customer_id": keep["id"], "name": "陈静", "phone": "13900002222"})
    with pytest.raises(ValidationError):  # nor one made by a change
        admin.contacts.update(other["id"], {"phone": "13900001111"}, version=other["version"])
    admin.contacts.update(ours["id"], {"phone": "13900003333"}, version=admin.contacts.get(ours["id"])["version"])
    admin.customers.undo_merge(admin.customers.merges(keep["id"])[0]["id"])
    assert admin.contacts.get(theirs["id"])["customer_id"] == gone["id"]
    assert admin.contacts.get(ours["id"])["customer_id"] == keep["id"]
