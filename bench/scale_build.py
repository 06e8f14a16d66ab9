"""Build the benchmark office for bench_scale.py through the bulk path: N customers, a third with a contact.

The demo staff (``crm_core.demo``, password demo1234) owns the customers;
names, phones, e-mails and addresses come from the demo's fakes, created over
the last two years. Everything the services derive is written by
:class:`crm_core.bulk.BulkWriter` (codes, search index, status history, audit).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict

from sqlalchemy import func, select

from crm_core import demo, demo_fakes as fk
from crm_core.bulk import BulkWriter
from crm_core.db.engine import Database
from crm_core.models import Customer, User
from crm_core.services.context import Actor

CHUNK = 5000


def build(db: Database, n: int, *, seed: int) -> str:
    """Fill an empty database with ``n`` customers; "" if it already holds exactly ``n``."""
    with db.unit_of_work(write=False) as s:
        existing = int(s.scalar(select(func.count()).select_from(Customer)) or 0)
    if existing == n:
        return ""
    if existing:
        raise SystemExit(f"{db.engine.url} holds {existing} customers, not {n}: remove it to rebuild")
    demo.generate(db, customers=0, seed=seed)
    with db.unit_of_work(write=False) as s:
        sales = [Actor(*r) for r in s.execute(select(User.id, User.login, User.name, User.role)
                                              .where(User.role == "sales").order_by(User.id))]
    writers = [BulkWriter(db, a) for a in sales]
    rng = random.Random(seed)
    now = dt.datetime.now().astimezone()
    industries = ["manufacturing", "retail", "it", "finance", "logistics", "education"]
    categories = ["llc", "joint_stock"]
    contacts = 0
    started = time.perf_counter()
    for start in range(0, n, CHUNK):
        by_owner: dict[int, tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
        for i in range(start, min(n, start + CHUNK)):
            city = fk.city(rng)
            comp = fk.company(rng, city, industries, categories)
            at = now - dt.timedelta(days=730 * rng.random() ** 1.35, minutes=rng.randrange(600))
            owner = rng.randrange(len(sales))
            row = {"name": comp.name, "category": comp.category or None, "industry": comp.industry,
                   "level": rng.choices("ABC", weights=(2, 4.5, 3.5))[0],
                   "phone": fk.landline(rng, city) if rng.random() < 0.7 else fk.mobile(rng),
                   "email": fk.email(rng.choice(("info", "contact", "service", "office", "hr")), comp.domain)
                   if rng.random() < 0.7 else None,
                   "address": fk.address(rng, city), "owner_id": sales[owner].user_id, "created_at": at,
                   "_contacts": []}
            if i % 10 < 3:
                p = fk.person(rng)
                contact = {"name": p.name, "phone": fk.mobile(rng), "position": rng.choice(fk.POSITIONS_LEAD),
                           "created_at": at}
                row["_contacts"] = [(contact["name"], contact["phone"])]
                by_owner[owner][1].append(contact)
            by_owner[owner][0].append(row)
        with db.unit_of_work(write=True) as s:
            for owner, (rows, people) in by_owner.items():
                ids = writers[owner].insert_in(s, "customers", rows)
                owned = iter(cid for cid, r in zip(ids, rows, strict=True) if r["_contacts"])
                for person in people:
                    person["customer_id"] = next(owned)
                writers[owner].insert_in(s, "contacts", people, search=False)  # already in the entries
                contacts += len(people)
            s.commit()
        done = min(n, start + CHUNK)
        if done % 100_000 == 0 or done == n:
            rate = done / (time.perf_counter() - started)
            print(f"  {done} customers written ({rate:.0f}/s)", file=sys.stderr, flush=True)
    return f"{n} customers, {contacts} contacts"
