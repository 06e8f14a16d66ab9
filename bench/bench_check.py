"""The import's dry run ("check") and single customer saves, this code against another checkout, same run.

Not a test. The file and the database are bench_import's (an office's list with a title row; a fresh
database per backend). Each repetition measures, in fresh processes and alternating which code goes
first: the baseline (calamine read + one bulk insert, as bench_import), ``ImportService.check`` of the
file with each code, and with each code ``--saves`` customers created then updated one at a time through
``CustomerService.create`` / ``update`` (median per save).

    PYTHONPATH=. python bench/bench_check.py --other /path/to/main-worktree [--rows 100000] [--repeat 2]
                                             [--backend sqlite postgresql] [--saves 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def child(kind: str, profile_json: str, arg: str) -> None:
    """In a process whose PYTHONPATH is one checkout: print one measurement as JSON."""
    import crm_core
    from crm_core.config import Profile
    from crm_core.session import connect

    profile = Profile(**json.loads(profile_json))
    if profile.backend == "postgresql":
        os.environ["CRM_DB_USER"] = profile.db_user or "postgres"
    if kind == "baseline":
        from bench.bench_import import step_baseline

        print(json.dumps({"seconds": step_baseline(profile, Path(arg)), "code": crm_core.__file__}))
        return
    with connect(profile, "admin", "bench-secret-1") as session:
        if kind == "check":
            source = Path(arg)
            src = session.imports.open_file(source, "customers")
            mapping = session.imports.auto_mapping("customers", src.headers)
            start = time.perf_counter()
            check = session.imports.check("customers", source, mapping, sheet=src.sheet, header_row=src.header_row)
            seconds = time.perf_counter() - start
            assert check.valid_rows == src.row_count, check.errors[:3]
            print(json.dumps({"seconds": seconds, "code": crm_core.__file__}))
            return
        creates, updates = [], []
        for i in range(int(arg)):
            start = time.perf_counter()
            record = session.customers.create({"name": f"单条保存{time.time_ns()}有限公司", "phone": f"138{i:08d}",
                                               "email": f"s{i}@example.cn", "level": "B", "industry": "manufacturing",
                                               "address": "杭州市西湖区", "notes": "保存基准"})
            creates.append(time.perf_counter() - start)
            start = time.perf_counter()
            session.customers.update(record["id"], {"notes": "改过", "level": "A", "phone": f"0571-8{i:07d}"},
                                     version=record["version"])
            updates.append(time.perf_counter() - start)
        print(json.dumps({"create": statistics.median(creates), "update": statistics.median(updates),
                          "code": crm_core.__file__}))


def run_child(code: Path, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    out = subprocess.run([sys.executable, str(HERE / "bench" / "bench_check.py"), "--child", *args], env=env,
                         capture_output=True, text=True, cwd=str(code))
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert str(code) in result.pop("code"), "the child did not run the code asked for"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, help="another checkout (e.g. a worktree of main); required")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--saves", type=int, default=60)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.other is None:
        parser.error("--other is required")
    sys.path.insert(0, str(HERE))
    from bench.bench_import import drop, fresh_profile, prepare, write_file

    codes = {"other": args.other.resolve(), "this": HERE}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / f"customers-{args.rows}.xlsx"
        write_file(source, args.rows)
        for backend in args.backend:
            profile = fresh_profile(backend, folder)
            try:
                prepare(profile)
                pj = json.dumps(profile.__dict__)
                base: list[float] = []
                check: dict[str, list[float]] = {"other": [], "this": []}
                saves: dict[str, list[dict]] = {"other": [], "this": []}
                for r in range(args.repeat):
                    base.append(run_child(HERE, "baseline", pj, str(source))["seconds"])
                    for name in (("other", "this") if r % 2 == 0 else ("this", "other")):
                        check[name].append(run_child(codes[name], "check", pj, str(source))["seconds"])
                        saves[name].append(run_child(codes[name], "saves", pj, str(args.saves)))
                b = statistics.median(base)
                print(f"{backend}, {args.rows} rows: baseline (calamine + bulk insert) median {b:.2f} s "
                      f"{[round(x, 2) for x in base]}", flush=True)
                for name in ("other", "this"):
                    c = statistics.median(check[name])
                    print(f"  {name:5} ({codes[name]}): check median {c:.2f} s = {c / b:.1f}x "
                          f"{[round(x, 2) for x in check[name]]}; single save median of medians: create "
                          f"{statistics.median(s['create'] for s in saves[name]) * 1000:.1f} ms, update "
                          f"{statistics.median(s['update'] for s in saves[name]) * 1000:.1f} ms", flush=True)
            finally:
                drop(profile)


if __name__ == "__main__":
    main()
