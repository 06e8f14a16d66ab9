"""Many clients at once on PostgreSQL: list, next page, search, get, and update with the version check.

Each client is a process signed in as one of the demo users (salespeople share
their customers with the other clients signed in as them, so their saves
collide). A save sends the version the client read; a conflict is reported
(``ConcurrencyConflict``) and counted, not retried. Lost updates are counted
from the saves that succeeded: two successful saves of one record from the
same version mean one overwrote the other unseen.

Two modes. Closed loop (``think_s`` 0): every client fires its next operation as
soon as the last one returns, so 50 processes on two cores measure how the
machine saturates, not what a user waits. Office (``think_s`` > 0): each clerk
pauses between operations for a time drawn per operation from an exponential
distribution with that mean (reading the page, typing into a form), as a
closed system with think time; the clients start staggered by one such pause.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import text

from crm_core import ListQuery
from crm_core.config import Profile
from crm_core.errors import ConcurrencyConflict
from crm_core.session import connect, open_database

MIX = (("list", 30), ("next page", 20), ("search", 20), ("get", 15), ("update", 15))
TERMS = ("科技", "有限公司", "杭州", "info@", "网络", "0571", "北京 科技", "co", "13")


def _client(k: int, profile: Profile, login: str, password: str, start: Any, seconds: float, out: Any,
            think_s: float = 0.0) -> None:
    session = connect(profile, login, password)
    rng = random.Random(k)
    svc = session.customers
    times: dict[str, list[float]] = defaultdict(list)
    saves: list[tuple[int, int, int]] = []  # (record id, version the save started from, version it made)
    conflicts = errors = 0
    first_error = ""
    seen: list[int] = []
    cursor = None
    start.wait()
    end = time.perf_counter() + seconds
    ops, weights = zip(*MIX, strict=True)
    if think_s:
        time.sleep(rng.uniform(0, think_s))  # clerks do not all start at the same instant
    while time.perf_counter() < end:
        if think_s and times:
            pause = rng.expovariate(1 / think_s)  # reading the page, typing: drawn for every operation
            if time.perf_counter() + pause >= end:
                break
            time.sleep(pause)
        op = rng.choices(ops, weights=weights)[0]
        t0 = time.perf_counter()
        try:
            if op == "list" or (op == "next page" and cursor is None):
                page = svc.list(ListQuery(limit=50))
                cursor, seen = page.next_cursor, [r["id"] for r in page.rows] or seen
            elif op == "next page":
                cursor = svc.list(ListQuery(limit=50, after=cursor)).next_cursor
            elif op == "search":
                svc.list(ListQuery(search=rng.choice(TERMS), limit=50))
            elif op == "get" and seen:
                svc.get(rng.choice(seen[:20]))
            elif op == "update" and seen:
                cid = rng.choice(seen[:10])  # the top of everyone's list: saves collide
                version = svc.get(cid)["version"]
                t0 = time.perf_counter()  # the save itself (a form read the record earlier)
                try:
                    saved = svc.update(cid, {"notes": f"client {k} save {len(saves)} {rng.random():.6f}"},
                                       version=version)
                    saves.append((cid, version, saved["version"]))
                except ConcurrencyConflict:
                    conflicts += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
        times[op].append((time.perf_counter() - t0) * 1000)
    session.close()
    out.put((dict(times), saves, conflicts, errors, first_error))


def run_clients(profile: Profile, clients: int, seconds: float, password: str, *, think_s: float = 0.0) -> list[str]:
    """Run the mix with ``clients`` processes for ``seconds``; lines to print.

    ``think_s``: mean pause between one clerk's operations (0: closed loop, no pause).
    """
    db = open_database(profile, upgrade=False)
    with db.unit_of_work(write=False) as s:
        logins = [r[0] for r in s.execute(text(
            "SELECT login FROM users WHERE is_active AND role IN ('sales', 'manager', 'admin') ORDER BY id"))]
    db.dispose()
    ctx = mp.get_context("fork")
    start = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(k, profile, logins[k % len(logins)], password, start, seconds, out,
                                               think_s))
             for k in range(clients)]
    for p in procs:
        p.start()
    start.wait(timeout=600)  # every client signed in
    began = time.perf_counter()
    results = [out.get(timeout=seconds + 600) for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join(timeout=60)
    times: dict[str, list[float]] = defaultdict(list)
    saves: Counter[tuple[int, int]] = Counter()
    unchanged = 0  # saves that wrote nothing (the same text again): they cannot lose anyone's update
    conflicts = errors = 0
    first_error = ""
    for t, s, c, e, fe in results:
        for op, xs in t.items():
            times[op] += xs
        saves.update((cid, v) for cid, v, after in s if after != v)
        unchanged += sum(1 for _, v, after in s if after == v)
        conflicts += c
        errors += e
        first_error = first_error or fe
    lost = sum(n - 1 for n in saves.values() if n > 1)
    total = sum(len(xs) for xs in times.values())
    mode = f"office, think {think_s:g} s" if think_s else "closed loop"
    label = f"{clients} clients ({mode})"
    lines = []
    for op, _ in MIX:
        xs = sorted(times.get(op, [0.0]))
        p95 = xs[max(0, int(len(xs) * 0.95) - 1)]
        lines.append(f"{f'{label} p95: {op}':<44} {p95:9.2f} ms  ({len(xs)} calls, median "
                     f"{xs[len(xs) // 2]:.2f} ms)  target <= 50 ms")
    lines.append(f"{f'{label} throughput':<44} {total / elapsed:9.1f} ops/s  ({total} operations in "
                 f"{elapsed:.0f} s)")
    lines.append(f"{f'{label} lost updates':<44} {lost:9d}  (saves {sum(saves.values())}, unchanged "
                 f"{unchanged}, reported conflicts {conflicts})  target 0")
    lines.append(f"{f'{label} other failures':<44} {errors:9d}  {first_error[:120]}  target 0")
    return lines
