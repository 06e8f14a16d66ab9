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


def _merge_held(monkeypatch: Any) -> Held:
    """A merge (or any customer save) is held, both customers locked, at its version check until released."""
    held, real = Held(), CustomerService._check_version

    def hold_then_check(self: Any, s: Any, obj: Any, version: int) -> None:
        held.hold(s)  # the merge holds both customers locked
        real(self, s, obj, version)
    monkeypatch.setattr(CustomerService, "_check_version", hold_then_check)
    return held


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
    held = _merge_held(monkeypatch)
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


@pytest.mark.parametrize("second", ["update", "delete", "merge"])
def test_a_payment_reactivated_while_it_is_saved_or_merged_waits_for_it_or_it_for_the_other(
        admin, login, make_customer, monkeypatch, second):
    """Reactivating a payment checks it against its contract (the contract's lock); it locks the contract
    before the payment, as the payment's update, delete and a merge do (it used to lock the payment first)."""
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    contract = admin.contracts.create({"number": "HT-9", "customer_id": b["id"], "signed_on": dt.date(2026, 3, 1),
                                       "amount": Decimal("500.00")})
    payment = admin.payments.create({"contract_id": contract["id"], "received_on": dt.date(2026, 3, 2),
                                     "amount": Decimal("100.00")})
    payment = admin.payments.deactivate(payment["id"], "录错了", version=payment["version"])
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    held, real = Held(), PaymentService._on_reactivate

    def hold_then_rule(self: Any, s: Any, obj: Any) -> None:
        held.hold(s)  # the payment is locked; its contract's rule not yet run
        real(self, s, obj)
    monkeypatch.setattr(PaymentService, "_on_reactivate", hold_then_rule)
    va, vb = _versions(admin, a["id"], b["id"])
    second_call = {
        "update": lambda: manager.payments.update(payment["id"], {"notes": "补记"}, version=payment["version"]),
        "delete": lambda: manager.payments.delete(payment["id"], version=payment["version"]),
        "merge": lambda: manager.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb),
    }[second]

    first, other, waited = first_holds_then_second(
        held, lambda: admin.payments.reactivate(payment["id"], version=payment["version"]), second_call, admin)

    _no_deadlock(first, other)
    assert waited
    assert isinstance(first, dict) and first["is_active"], repr(first)
    got = admin.payments.get(payment["id"])
    assert got["is_active"]
    if second == "merge":
        assert isinstance(other, dict), repr(other)
        assert got["customer_id"] == a["id"]
    else:  # the payment was reactivated (a new version) while the second client waited
        assert isinstance(other, ConcurrencyConflict), repr(other)
        assert "已被他人修改" in other.message.zh and "Someone else saved" in other.message.en
        assert got["notes"] is None and got["version"] == first["version"]


def test_a_bulk_update_in_the_files_order_beside_a_merge_waits_for_it_or_it_for_the_merge(admin, login,
                                                                                          monkeypatch):
    """An import's update by key gives the records in the file's order; ``BulkWriter.write_update`` locks them
    a thousand per statement in id order (it used to lock them in the file's: B in the first thousand, then A,
    while a merge of A and B holds A and waits for B)."""
    from sqlalchemy import select

    from crm_core.bulk import BulkWriter
    from crm_core.bulk import writer as writer_module
    from crm_core.models import Customer
    ids = BulkWriter(admin.db, admin.actor).insert("customers", [{"name": f"客户{i:04d}"} for i in range(1001)])
    a, b = min(ids), max(ids)
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    with admin.db.unit_of_work(write=False) as s:
        versions = dict(s.execute(select(Customer.id, Customer.version)).all())
    items = [(rid, versions[rid], {"notes": "导入更新"}) for rid in sorted(ids, reverse=True)]  # B first, A last
    held, real_chunks, real_write, sessions = Held(), writer_module.chunks, writer_module.BulkWriter.write_update, []

    def write_update(self: Any, s: Any, st: Any) -> Any:
        sessions.append(s)
        return real_write(self, s, st)

    def chunks(rows: Any, size: int) -> Any:
        for i, part in enumerate(real_chunks(rows, size)):
            if i == 1 and sessions:
                held.hold(sessions[-1])  # the first thousand locked, the rest not yet
            yield part
    monkeypatch.setattr(writer_module, "chunks", chunks)
    monkeypatch.setattr(writer_module.BulkWriter, "write_update", write_update)

    def bulk() -> Any:
        with admin.db.unit_of_work(write=True) as s:
            out = BulkWriter(admin.db, admin.actor).update_in(s, "customers", items)
            s.commit()
        return out

    first, second, waited = first_holds_then_second(
        held, bulk, lambda: manager.customers.merge(a, b, keep_version=versions[a], merge_version=versions[b]),
        admin)

    _no_deadlock(first, second)
    assert waited
    assert isinstance(first, list) and len(first) == len(items), repr(first)[:200]
    assert isinstance(second, ConcurrencyConflict), repr(second)  # the bulk update gave both new versions
    assert admin.customers.get(b)["is_active"] and admin.customers.get(a)["notes"] == "导入更新"


def test_a_contact_saved_while_a_merge_moves_it_locks_the_customer_it_is_on_now(admin, login, make_customer,
                                                                                 monkeypatch, backend):
    """T1, a contact's save, reads its customer B and waits for B (a merge of B into A holds it); the merge
    moves the contact to A. T1 reads the contact's customer again once it holds B, and locks A too, before
    the contact (it used to lock A after the contact: its twin rule, the search refresh). T3, another save of
    the contact begun after the merge, locks A first, so it waits for T1 instead of holding A while T1 waits
    for it (a circle of three)."""
    if backend != "postgresql":
        pytest.skip("row locks (SQLite's write lock lets one writer in at a time)")
    import threading

    from sqlalchemy import text
    from tests.integration.lock_waits import WAIT
    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    c = admin.contacts.create({"customer_id": b["id"], "name": "陈静", "phone": "13900001111"})
    m1, m2 = login("manager1"), login("manager2")
    no_endless_lock_waits(admin, m1, m2)
    gates = {n: (threading.Event(), threading.Event()) for n in ("merge", "t1")}
    pids: dict[str, int] = {}
    real_cv_customer, real_cv_contact = CustomerService._check_version, ContactService._check_version

    def hold(name: str, s: Any) -> None:
        reached, go = gates[name]
        if threading.current_thread().name != name or reached.is_set():
            return
        pids[name] = s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        reached.set()
        assert go.wait(WAIT)

    def cv_customer(self: Any, s: Any, obj: Any, version: int) -> None:
        hold("merge", s)  # the merge holds both customers
        real_cv_customer(self, s, obj, version)

    def cv_contact(self: Any, s: Any, obj: Any, version: int) -> None:
        hold("t1", s)  # T1 holds the contact (and the customers it locked before it)
        real_cv_contact(self, s, obj, version)
    monkeypatch.setattr(CustomerService, "_check_version", cv_customer)
    monkeypatch.setattr(ContactService, "_check_version", cv_contact)
    results: dict[str, Any] = {}

    def run(name: str, call: Any) -> threading.Thread:
        def body() -> None:
            try:
                results[name] = call()
            except Exception as exc:  # noqa: BLE001 - the test looks at what each client got
                results[name] = exc
        thread = threading.Thread(target=body, name=name)
        thread.start()
        return thread

    def someone_waits_for(pid: int) -> bool:
        for _ in range(WAIT * 50):
            with admin.db.engine.connect() as conn:
                if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE :p = ANY(pg_blocking_pids(pid))"),
                                {"p": pid}).scalar():
                    return True
            threading.Event().wait(0.02)  # (the poll's pace, as lock_waits)
        return False

    va, vb = _versions(admin, a["id"], b["id"])
    merge = run("merge", lambda: m1.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb))
    assert gates["merge"][0].wait(WAIT)
    t1 = run("t1", lambda: admin.contacts.update(c["id"], {"name": "陈晶"}, version=c["version"]))
    assert someone_waits_for(pids["merge"])  # T1 waits for B
    gates["merge"][1].set()
    merge.join(WAIT)
    assert gates["t1"][0].wait(WAIT)
    t3 = run("t3", lambda: m2.contacts.update(c["id"], {"email": "c@example.com"}, version=c["version"]))
    assert someone_waits_for(pids["t1"])  # T3 waits for T1 (for A now; it used to hold A and wait for the contact)
    gates["t1"][1].set()
    t1.join(WAIT)
    t3.join(WAIT)

    _no_deadlock(*results.values())
    assert isinstance(results["merge"], dict) and isinstance(results["t1"], dict), results
    assert isinstance(results["t3"], ConcurrencyConflict), repr(results["t3"])  # T1 saved the contact first
    got = admin.contacts.get(c["id"])
    assert (got["name"], got["customer_id"], got["email"]) == ("陈晶", a["id"], None)


def test_contacts_saved_on_both_customers_while_they_are_merged_wait_in_turn_no_deadlock(
        admin, login, make_customer, monkeypatch, backend):
    """Two saves wait for a merge of A (kept, the lower id) and B: one of a contact on B, one moving a contact
    of A to B (both customers locked, in id order). Once the merge commits, the first holds B and finds its
    contact moved to A, held by the second, which waits for B. Locking A then, after B, would close a circle
    (PostgreSQL would cancel one as a deadlock): the first lets B go and takes A, then B, in id order."""
    if backend != "postgresql":
        pytest.skip("SQLite's write lock lets one writer in at a time: no row locks to order")
    import threading

    from sqlalchemy import text

    from tests.integration.lock_waits import WAIT, _call

    a, b = make_customer("北京星辰软件有限公司"), make_customer("北京星辰软件")
    on_a = admin.contacts.create({"customer_id": a["id"], "name": "王磊", "phone": "13900002222"})
    on_b = admin.contacts.create({"customer_id": b["id"], "name": "陈静", "phone": "13900001111"})
    one, two = login("manager1"), login("manager2")
    no_endless_lock_waits(admin, one, two)
    held = _merge_held(monkeypatch)
    va, vb = _versions(admin, a["id"], b["id"])

    results: dict[str, Any] = {}
    done = {name: threading.Event() for name in ("first", "on_b", "a_to_b")}
    threads = [_call("first", lambda: admin.customers.merge(a["id"], b["id"], keep_version=va, merge_version=vb),
                     results, done["first"])]
    try:
        assert held.reached.wait(WAIT), results.get("first")
        threads.append(_call("on_b", lambda: one.contacts.update(on_b["id"], {"name": "陈晶"},
                                                                 version=on_b["version"]), results, done["on_b"]))
        threads.append(_call("a_to_b", lambda: two.contacts.update(on_a["id"], {"customer_id": b["id"]},
                                                                   version=on_a["version"]), results, done["a_to_b"]))
        for _ in range(WAIT * 50):  # until both wait for the merge
            with admin.db.engine.connect() as conn:
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                    {"pid": held.pid}).scalar()
            if waiting == 2 or done["on_b"].is_set() or done["a_to_b"].is_set():
                break
            done["on_b"].wait(0.02)
        assert waiting == 2, results
    finally:
        held.release()
    for t in threads:
        t.join(WAIT)
    assert not any(t.is_alive() for t in threads)

    _no_deadlock(*results.values())
    assert isinstance(results["first"], dict), repr(results["first"])
    assert isinstance(results["on_b"], dict), repr(results["on_b"])
    assert isinstance(results["a_to_b"], ValidationError), repr(results["a_to_b"])
    [e] = results["a_to_b"].errors
    assert (e.field, e.code) == ("customer_id", "inactive")
    got = admin.contacts.get(on_b["id"])
    assert (got["name"], got["customer_id"]) == ("陈晶", a["id"])
    assert admin.contacts.get(on_a["id"])["customer_id"] == a["id"]
