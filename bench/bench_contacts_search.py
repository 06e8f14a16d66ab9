"""The customers' search index after a bulk insert of contacts: the full refresh against adding the new contacts.

Not a test: on a fresh database per backend, N customers get three contacts each (bulk path), then, in one
transaction rolled back afterwards, one more contact each (a plain INSERT, no index work); timed alone:

* the baseline: ``search_index.refresh`` of the N customers (what the contacts import's writer did per chunk:
  every customer derived again from all its contacts, its stored grams read and compared);
* ``search_index.add_contacts`` (what it does now: the new contacts' grams added, the texts derived again),
  and the ratio.

Alternated in one process (baseline first in odd rounds), ``--repeat`` times each; prints every round and
the medians. The two are also checked to leave the same rows (search text, name key, grams).

    PYTHONPATH=. python bench/bench_contacts_search.py [--customers 1250] [--backend sqlite postgresql] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_import import PASSWORD, drop, fresh_profile, prepare


def _setup(profile: Any, customers: int) -> tuple[list[int], Any]:
    from crm_core.bulk import BulkWriter
    from crm_core.session import connect

    session = connect(profile, "admin", PASSWORD)
    w = BulkWriter(session.db, session.actor)
    ids = w.insert("customers", [{"name": f"基准联系人客户{i:06d}有限公司", "phone": f"136{i:08d}"}
                                 for i in range(customers)])
    w.insert("contacts", [{"customer_id": cid, "name": f"联系人{k}{i:06d}", "phone": f"13{k}{i:08d}"}
                          for k in range(3) for i, cid in enumerate(ids)])
    return ids, session


def _state(s: Any, ids: list[int]) -> tuple[Any, Any]:
    from sqlalchemy import select

    from crm_core.models import Customer, CustomerSearchGram

    texts = sorted(s.execute(select(Customer.id, Customer.search_text, Customer.name_key)
                             .where(Customer.id.in_(ids))).all())
    grams = sorted(s.execute(select(CustomerSearchGram.customer_id, CustomerSearchGram.gram, CustomerSearchGram.kind)
                             .where(CustomerSearchGram.customer_id.in_(ids))).all())
    return texts, grams


def _round(session: Any, ids: list[int], how: str) -> tuple[float, Any]:
    from crm_core.bulk import BulkWriter
    from crm_core.services import search_index

    writer = BulkWriter(session.db, session.actor)
    with session.db.unit_of_work(write=True) as s:
        new = writer.insert_in(s, "contacts", [{"customer_id": cid, "name": f"联系人9{i:06d}", "phone": f"1399{i:07d}"}
                                               for i, cid in enumerate(ids)], search=False)
        start = time.perf_counter()
        if how == "refresh":
            search_index.refresh(s, ids)
        else:
            search_index.add_contacts(s, ids, new)
        elapsed = time.perf_counter() - start
        state = _state(s, ids)
        s.rollback()
    return elapsed, state


def measure(backend: str, customers: int, repeat: int, folder: Path) -> None:
    profile = fresh_profile(backend, folder)
    try:
        prepare(profile)
        ids, session = _setup(profile, customers)
        try:
            times: dict[str, list[float]] = {"refresh": [], "add_contacts": []}
            states = {}
            for r in range(repeat):
                for how in (("refresh", "add_contacts") if r % 2 == 0 else ("add_contacts", "refresh")):
                    elapsed, states[how] = _round(session, ids, how)
                    times[how].append(elapsed)
            assert states["refresh"] == states["add_contacts"], "not the same rows"
        finally:
            session.close()
    finally:
        drop(profile)
    base, new = statistics.median(times["refresh"]), statistics.median(times["add_contacts"])
    print(f"{backend:10} {customers} customers with 3 contacts get a 4th | baseline refresh "
          f"{' '.join(f'{t * 1000:.0f}' for t in times['refresh'])} ms, median {base * 1000:.0f} | add_contacts "
          f"{' '.join(f'{t * 1000:.0f}' for t in times['add_contacts'])} ms, median {new * 1000:.0f} = "
          f"{new / base:.2f}x (same rows)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1250)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backend:
            measure(backend, args.customers, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
