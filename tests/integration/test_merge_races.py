"""A customer merge beside other writers at the same moment: one waits for the other, never a deadlock.

Every writer takes its locks parents first, in id order: the two customers (in id order, whatever the
merge's direction), then the rows that hang off them (a contract before its payments). The first client
is held inside its write transaction until the second waits for it (tests/integration/lock_waits.py).
PostgreSQL reports a circle of waits as a deadlock (DatabaseBusy, "deadlock") and cancels one of them;
SQLite's write lock lets one writer in at a time, so there the second simply waits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from crm_core import ListQuery
from crm_core.errors import ConcurrencyConflict, DatabaseBusy, ValidationError
from crm_core.modules.contacts import ContactService
from crm_core.modules.contracts import PaymentService
from crm_core.modules.customers import CustomerService
from crm_core.services import merging
from tests.integration.lock_waits import Held, first_holds_then_second, no_endless_lock_waits


def _no_deadlock(*results: Any) -> None:
    for r in results:
        assert not isinstance(r, DatabaseBusy), f"{r!r}"  # (a deadlock is reported as the database being busy)


def _versions(admin: Any, *ids: int) -> list[int]:
    return [admin.customers.get(i)["version"] for i in ids]


def test_two_merges_of_the_same_pair_in_opposite_directions_one_merges_the_other_is_told(
        admin, login, make_customer, monkeypatch):
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    contact = admin.contacts.create({"customer_id": b["id"], "name": "陈静", "phone": "13900001111"})
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    held, real = Held(), CustomerService._load

    def load_then_hold(self: Any, s: Any, record_id: Any, **kwargs: Any) -> Any:
        obj = real(self, s, record_id, **kwargs)
        if kwargs.get("for_update"):
            held.hold(s)  # the first merge holds its first customer
        return obj
    monkeypatch.setattr(CustomerService, "_load", load_then_hold)
    va, vb = _versions(admin, a["id"], b["id"])

    first, second, waited = first_holds_then_second(
        held, lambda: admin.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb),
        lambda: manager.customers.merge(b["id"], a["id"], keep_version=vb, merge_version=va), admin)

    _no_deadlock(first, second)
    assert waited
    assert isinstance(first, dict) and first["id"] == a["id"], repr(first)
    assert isinstance(second, ConcurrencyConflict), repr(second)  # the pair changed: it compares and sees B merged
    assert "已被他人修改" in second.message.zh and "Someone else saved" in second.message.en
    assert not admin.customers.get(b["id"])["is_active"] and admin.customers.get(a["id"])["is_active"]
    assert admin.contacts.get(contact["id"])["customer_id"] == a["id"]
    assert [m["merged_id"] for m in admin.customers.merges(a["id"])] == [b["id"]]


def test_a_contact_saved_while_its_customer_is_merged_waits_and_moves_with_it(admin, login, make_customer,
                                                                             monkeypatch):
    """The contact's save holds its customer (the twin rule's lock, taken before the contact's own) and then
    rewrites the customer's search text; the merge, waiting for the customer, moves the contact afterwards."""
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    contact = admin.contacts.create({"customer_id": b["id"], "name": "陈静", "phone": "13900001111"})
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    held, real = Held(), ContactService._twins

    def twins_then_hold(self: Any, s: Any, items: Any) -> Any:
        out = real(self, s, items)
        held.hold(s)
        return out
    monkeypatch.setattr(ContactService, "_twins", twins_then_hold)
    va, vb = _versions(admin, a["id"], b["id"])

    first, second, waited = first_holds_then_second(
        held, lambda: admin.contacts.update(contact["id"], {"name": "陈晶"}, version=contact["version"]),
        lambda: manager.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb), admin)

    _no_deadlock(first, second)
    assert waited
    assert isinstance(first, dict) and isinstance(second, dict), (first, second)
    got = admin.contacts.get(contact["id"])
    assert (got["name"], got["customer_id"]) == ("陈晶", a["id"])
    assert [r["id"] for r in admin.customers.list(ListQuery(search="陈晶")).rows] == [a["id"]]


def test_a_contact_added_to_a_customer_being_merged_away_is_refused_as_deactivated(admin, login, make_customer,
                                                                                 monkeypatch):
    """Its reference was checked while the customer was still active; the merge commits first; the save,
    holding the customer locked now, refuses it as the reference check would (no contact on the redirect)."""
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    held, real = Held(), CustomerService._check_version

    def hold_then_check(self: Any, s: Any, obj: Any, version: int) -> None:
        held.hold(s)  # the merge holds both customers locked
        real(self, s, obj, version)
    monkeypatch.setattr(CustomerService, "_check_version", hold_then_check)
    va, vb = _versions(admin, a["id"], b["id"])

    first, second, waited = first_holds_then_second(
        held, lambda: admin.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb),
        lambda: manager.contacts.create({"customer_id": b["id"], "name": "陈静", "phone": "13900001111"}), admin)

    _no_deadlock(first, second)
    assert waited
    assert isinstance(first, dict), repr(first)
    assert isinstance(second, ValidationError), repr(second)
    [e] = second.errors
    assert (e.field, e.code) == ("customer_id", "inactive")
    assert (e.message.zh, e.message.en) == ("客户：所选记录已失效", "Customer: the chosen record is deactivated")
    assert admin.contacts.list().rows == []


def test_a_payment_changed_while_its_customer_is_merged_waits_for_it_or_it_for_the_merge(
        admin, login, make_customer, monkeypatch):
    """A payment's update locks its contract before the payment (as a new payment's save and a merge, which
    moves the contracts before the payments, lock them); it used to lock the payment first."""
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    contract = admin.contracts.create({"number": "HT-9", "customer_id": b["id"], "signed_on": dt.date(2026, 3, 1),
                                       "amount": Decimal("500.00")})
    payment = admin.payments.create({"contract_id": contract["id"], "received_on": dt.date(2026, 3, 2),
                                     "amount": Decimal("100.00")})
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    held, real = Held(), PaymentService._validate

    def hold_then_validate(self: Any, s: Any, values: Any, obj: Any, errors: Any) -> None:
        held.hold(s)  # the payment is locked (and, now, its contract before it); its rules not yet run
        real(self, s, values, obj, errors)
    monkeypatch.setattr(PaymentService, "_validate", hold_then_validate)
    va, vb = _versions(admin, a["id"], b["id"])

    first, second, waited = first_holds_then_second(
        held, lambda: admin.payments.update(payment["id"], {"amount": "200.00"}, version=payment["version"]),
        lambda: manager.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb), admin)

    _no_deadlock(first, second)
    assert waited
    assert isinstance(first, dict) and isinstance(second, dict), (first, second)
    got = admin.payments.get(payment["id"])
    assert (got["amount"], got["customer_id"]) == (Decimal("200.00"), a["id"])
    assert admin.contracts.get(contract["id"])["customer_id"] == a["id"]


def test_a_payment_recorded_while_its_contract_moves_with_a_merge_lands_on_the_kept_customer(
        admin, login, make_customer, monkeypatch):
    """The merge has moved the contract (and holds it) but not yet the payments when a colleague records a
    payment on it: the payment waits for the contract, and then takes the customer the contract has now."""
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    contract = admin.contracts.create({"number": "HT-9", "customer_id": b["id"], "signed_on": dt.date(2026, 3, 1),
                                       "amount": Decimal("500.00")})
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    held, sessions = Held(), []
    real_check, real_tables = CustomerService._check_version, merging.moving_tables

    def check(self: Any, s: Any, obj: Any, version: int) -> None:
        sessions.append(s)
        real_check(self, s, obj, version)

    def tables_held_after_the_contracts() -> Any:
        for name in real_tables():
            yield name
            if name == "contracts":  # moved (and locked); the payments not yet
                held.hold(sessions[-1])
    monkeypatch.setattr(CustomerService, "_check_version", check)
    monkeypatch.setattr(merging, "moving_tables", tables_held_after_the_contracts)
    va, vb = _versions(admin, a["id"], b["id"])

    first, second, waited = first_holds_then_second(
        held, lambda: admin.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb),
        lambda: manager.payments.create({"contract_id": contract["id"], "received_on": "2026-03-02",
                                         "amount": "100.00"}), admin)

    _no_deadlock(first, second)
    assert waited
    assert isinstance(first, dict) and isinstance(second, dict), (first, second)
    assert admin.contracts.get(contract["id"])["customer_id"] == a["id"]
    assert admin.payments.get(second["id"])["customer_id"] == a["id"]  # not the merged-away one
