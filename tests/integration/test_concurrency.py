"""Several clients at once: unique customer codes across processes, one winner per record version."""

from __future__ import annotations

import multiprocessing as mp
import threading

import pytest

from crm_core import ConcurrencyConflict, connect
from tests.conftest import PASSWORD

PER_PROCESS = 15


def _create_customers(profile, prefix: str, start, out) -> None:
    session = connect(profile, "admin", PASSWORD, upgrade=False)
    start.wait()
    codes = [session.customers.create({"name": f"{prefix}客户{i}有限公司"})["code"] for i in range(PER_PROCESS)]
    session.close()
    out.put(codes)


@pytest.mark.slow
def test_two_processes_creating_customers_get_unique_sequential_codes(admin, profile):
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_create_customers, args=(profile, p, start, out)) for p in ("甲", "乙")]
    for p in procs:
        p.start()
    start.set()
    codes = out.get(timeout=240) + out.get(timeout=240)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert len(codes) == len(set(codes)) == 2 * PER_PROCESS
    day_prefix = codes[0][:9]
    assert sorted(int(c[9:]) for c in codes) == list(range(1, 2 * PER_PROCESS + 1))
    assert all(c.startswith(day_prefix) for c in codes)
    assert admin.customers.count() == 2 * PER_PROCESS


def test_two_sessions_saving_the_same_version_at_once_one_wins(admin, login, make_customer):
    customer = make_customer("深圳前海数据服务有限公司")
    manager = login("manager1")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(who, session, address):
        barrier.wait()
        try:
            results[who] = session.customers.update(customer["id"], {"address": address}, version=customer["version"])
        except ConcurrencyConflict as exc:
            results[who] = exc

    threads = [threading.Thread(target=save, args=("admin", admin, "深圳市南山区科技园 1 号")),
               threading.Thread(target=save, args=("manager", manager, "深圳市福田区中心区 2 号"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    conflicts = [r for r in results.values() if isinstance(r, ConcurrencyConflict)]
    saved = [r for r in results.values() if isinstance(r, dict)]
    assert len(conflicts) == 1 and len(saved) == 1
    # The loser is shown what the winner saved; nothing is half-written.
    assert conflicts[0].current["address"] == saved[0]["address"]
    assert admin.customers.get(customer["id"])["address"] == saved[0]["address"]
