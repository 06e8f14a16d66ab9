"""Two clients at the same moment (threading.Barrier, two sessions): the rules still hold (issue 11, item 18).

The last license seat, the rest of a contract's amount, and the last administrator
are each claimed by two sessions released together; exactly one may win.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from crm_core import ValidationError
from crm_core.modules import admin as admin_module
from crm_core.services.codes import office_today
from tests.helpers import version_of

WAIT = 60


def race(*calls: Callable[[], Any], barrier: threading.Barrier | None = None) -> list[Any]:
    """Run each call on its own thread, released together; their results or errors, in order."""
    barrier = barrier or threading.Barrier(len(calls), timeout=WAIT)
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each client got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT)
        assert not t.is_alive()
    return results


def _refusals(results: list[Any], code: str) -> list[ValidationError]:
    return [r for r in results if isinstance(r, ValidationError) and code in {e.code for e in r.errors}]


def test_two_clients_taking_the_last_license_seat_at_once_one_gets_it(admin, login, make_customer):
    customer = make_customer()
    lic = admin.licenses.create({"customer_id": customer["id"], "serial": "LIC-RACE", "seats": 2,
                                 "valid_from": office_today()})
    admin.licenses.add_machine(lic["id"], "前台电脑", "FP-A")
    engineer = login("engineer1")

    results = race(lambda: admin.licenses.add_machine(lic["id"], "财务电脑", "FP-B"),
                   lambda: engineer.licenses.add_machine(lic["id"], "仓库电脑", "FP-C"))

    assert len([r for r in results if isinstance(r, dict)]) == 1
    assert len(_refusals(results, "seats_full")) == 1
    assert admin.licenses.get(lic["id"])["seats_used"] == 2


def test_two_payments_together_exceeding_the_contract_one_is_refused(admin, login, make_customer):
    customer = make_customer()
    contract = admin.contracts.create({"number": "HT-RACE", "customer_id": customer["id"],
                                       "signed_on": "2026-03-01", "amount": "5000"})
    manager = login("manager1")
    payment = {"contract_id": contract["id"], "received_on": "2026-03-02", "amount": "3000"}

    results = race(lambda: admin.payments.create(dict(payment)), lambda: manager.payments.create(dict(payment)))

    assert len([r for r in results if isinstance(r, dict)]) == 1
    assert len(_refusals(results, "over_contract")) == 1
    assert [p["amount"] for p in admin.payments.list().rows] == [3000]


def test_two_administrators_demoting_each_other_at_once_leave_one_administrator(admin, login, backend,
                                                                                monkeypatch):
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer in at a time (BEGIN IMMEDIATE): no race to provoke")
    other = login("admin2", role="admin")
    me, him = admin.actor.user_id, other.actor.user_id
    mine, his = version_of(admin.users, me), version_of(admin.users, him)
    # Both transactions have locked their target and reach the last-admin rule together.
    inside = threading.Barrier(2, timeout=WAIT)
    keep = admin_module.UserService._keep_an_admin

    def in_step(self, s, obj):
        inside.wait()
        return keep(self, s, obj)
    monkeypatch.setattr(admin_module.UserService, "_keep_an_admin", in_step)

    results = race(lambda: admin.users.update(him, {"role": "manager"}, version=his),
                   lambda: other.users.update(me, {"role": "manager"}, version=mine))

    assert len([r for r in results if isinstance(r, dict)]) == 1
    assert len(_refusals(results, "last_admin")) == 1
    roles = {u["id"]: u["role"] for u in admin.users.list().rows}
    assert sorted([roles[me], roles[him]]) == ["admin", "manager"]
