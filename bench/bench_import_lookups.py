"""The import's duplicate look-up at scale: keys read by the file's texts vs every customer's keys.

Opens a scale database (bench_scale.py builds them; pass a copy, the migration to the
current schema writes to it), takes a file's worth of texts -- half of them naming existing
customers by code, name (other spacing) and phone (other format), half new -- and times, in
one process and alternately, the look-up the importer runs now (``existing_keys``: IN lists
on indexed columns) against the baseline of reading every customer's code, name and phone
(the rule as it was). Both must give the same keys. Prints rows read and the ratio.

    python bench/bench_import_lookups.py --backend sqlite --data-dir /tmp/x --customers 200000
    python bench/bench_import_lookups.py --backend postgresql --pg-database crm_bench_x --customers 200000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from crm_core.importing.lookups import existing_keys, key_fields, row_keys  # noqa: E402
from crm_core.models import Customer  # noqa: E402
from crm_core.modules import SPECS  # noqa: E402
from crm_core.session import open_database  # noqa: E402
from crm_core.config import Profile  # noqa: E402


def full_read_keys(s, spec):
    """The baseline: every customer's keys (what the importer read before, whatever the file held)."""
    names = key_fields(spec)
    out = {n: set() for n in names}
    rows = 0
    for row in s.execute(select(*(getattr(spec.model, n) for n in names))):
        rows += 1
        for n, key in row_keys(spec, dict(zip(names, row))).items():
            out[n].add(key)
    return out, rows


def file_texts(s, rows: int, seed: int = 7) -> dict[str, set[str]]:
    rng = random.Random(seed)
    top = s.scalar(select(func.max(Customer.id)))
    ids = rng.sample(range(1, top + 1), rows // 2)
    found = s.execute(select(Customer.code, Customer.name, Customer.phone).where(Customer.id.in_(ids[:30000]))).all()
    texts: dict[str, set[str]] = {"code": set(), "name": set(), "phone": set()}
    for i, (code, name, phone) in enumerate(found):
        texts["code"].add(code.lower() if i % 2 else code)
        texts["name"].add(name[:2] + " " + name[2:] if i % 3 == 0 else name)
        if phone:
            texts["phone"].add(phone[:3] + "-" + phone[3:7] + "-" + phone[7:] if i % 2 else phone)
    for i in range(rows - len(found)):
        texts["code"].add(f"X{i:09d}")
        texts["name"].add(f"新导入公司{i:06d}有限公司")
        texts["phone"].add(f"1770{i:07d}")
    return texts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    p.add_argument("--customers", type=int, default=200000)
    p.add_argument("--data-dir", default="/tmp/crm_bench_scale")
    p.add_argument("--pg-database")
    p.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    if args.backend == "sqlite":
        profile = Profile(name="bench", backend="sqlite", path=str(Path(args.data_dir) / f"scale_{args.customers}.sqlite3"))
    else:
        profile = Profile(name="bench", backend="postgresql", host="127.0.0.1", port=5432, sslmode="disable",
                          database=args.pg_database or f"crm_bench_scale_{args.customers}", db_user="postgres")
    started = time.perf_counter()
    db = open_database(profile, upgrade=True)
    print(f"{args.backend}: opened (and upgraded) in {time.perf_counter() - started:.1f} s", flush=True)
    spec = SPECS["customers"]
    for rows in args.rows:
        with db.unit_of_work(write=False) as s:
            texts = file_texts(s, rows)
        new_t, old_t = [], []
        for _ in range(args.rounds):
            with db.unit_of_work(write=False) as s:
                t0 = time.perf_counter()
                new = existing_keys(s, spec, texts)
                new_t.append(time.perf_counter() - t0)
            with db.unit_of_work(write=False) as s:
                t0 = time.perf_counter()
                old, read = full_read_keys(s, spec)
                old_t.append(time.perf_counter() - t0)
        wanted = {n: {k for t in texts[n] if (k := row_keys(spec, {n: t}).get(n))} for n in texts}
        assert all(new[n] == old[n] & wanted[n] for n in texts), "the look-ups disagree"
        found = sum(len(v) for v in new.values())
        print(f"{args.backend} {rows:>6} file rows: by the file's keys {min(new_t):.3f} s ({found} keys found) | "
              f"baseline every customer {min(old_t):.3f} s ({read} rows read) | ratio {min(new_t) / min(old_t):.3f}",
              flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
