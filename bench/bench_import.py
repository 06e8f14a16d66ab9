"""Import of an office's customer list (xlsx) against the libraries' speed, on SQLite and PostgreSQL.

Not a test: for each backend and size it prints, measured in the same run on a fresh database,

* the baseline: python-calamine reading the file plus a bulk insert of the same rows
  (COPY on PostgreSQL, multi-row INSERTs on SQLite) — what the libraries can do;
* ``ImportService.check`` (dry run) and ``ImportService.run`` (validated and committed), with their
  ratio to the baseline (target at 100k: run <= 4x) and each one's peak memory (target <= 400 MB);
* with ``--concurrent``: the longest wait of another client's save (a customer update in another
  process, in a loop) while the import runs (target <= 2 s).

Each measurement runs in a child process of its own, so peak memory is that step's.

    PYTHONPATH=. python bench/bench_import.py [--rows 10000 100000] [--backend sqlite postgresql] [--concurrent]
                                               [--custom] [--update [--module contracts]]
                                               [--module payments|contacts]

``--custom`` adds two custom field columns (ERP编号, text; 销售大区, a choice typed by its label); the baseline
then bulk-inserts their values too.

``--update --module contracts`` does the same for contracts (their amount rule reads the payments: every
other contract has one): N contracts of one customer and their payments are written through the bulk
path first (not timed), then a file of their numbers with a new amount (still above the payments) and
title is checked and imported by key; baseline: calamine plus one bulk UPDATE of amount and title by number.

``--update --module contacts``: N/4 customers and their N contacts are written first (the contacts through the
importer, not timed), then the same file with a new position and e-mail on every row is checked and imported
by the contacts' identity (customer, name, phone); baseline: calamine, one read of the contacts' ids by
(customer name, name, phone) and one bulk UPDATE of position and e-mail by id.

``--module payments`` / ``--module contacts`` (without ``--update``) measures creating records whose rules read
other rows: N/4 contracts of 10,000.00 (payments: four rows of 1,000.00 to 2,000.00 per contract, by its number,
within what it has outstanding) or N/4 customers (contacts: four per customer, by the customer's name, each
name and phone once per customer: the twin rule passes), written through the bulk path first (not timed); the
file is checked (dry run) and imported. Baseline: calamine reading the file plus the bulk insert of the same
rows into payments / contacts (the references resolved from a dict), nothing else.

``--update`` measures "update by key" instead: the N rows are imported first (not timed), then a file of
their codes with a new level, phone and notes on every row (and new custom values with ``--custom``) is
checked (the preview) and imported with ``update_by_key`` against that preview. Baseline: calamine
reading that file plus one bulk UPDATE of the same rows by code (``executemany`` on SQLite; COPY into a
temporary table and ``UPDATE ... FROM`` on PostgreSQL), nothing else (no audit, no search index, no
version check).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from crm_core.config import Profile

HEADERS = ["序号", "客户名称", "客户等级", "行业", "客户来源", "联系电话", "邮箱", "地址", "备注", "跟进人"]
PASSWORD = "bench-secret-1"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


CUSTOM_HEADERS = ["ERP编号", "销售大区"]
CUSTOM_FIELDS = [{"module": "customers", "key": "erp_id", "label_zh": "ERP编号", "label_en": "ERP id",
                  "field_type": "text", "max_length": 20},
                 {"module": "customers", "key": "region", "label_zh": "销售大区", "label_en": "Region",
                  "field_type": "choice", "choices_category": "source"}]


def write_file(path: Path, rows: int, custom: bool = False) -> None:
    """An office's list: a merged title row above the header, its own column names (and custom fields)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户名单")
    ws.append(["华东区客户名单"])
    ws.append(HEADERS + (CUSTOM_HEADERS if custom else []))
    for i in range(rows):
        ws.append([i + 1, f"基准测试{i:06d}有限公司", "ABC"[i % 3], "制造业", "展会推广", f"139{i:08d}",
                   f"c{i}@example.cn", f"杭州市西湖区文三路{i % 500}号", "导入基准", "admin"]
                  + ([f"ERP-{i:08d}", "转介绍"] if custom else []))
    wb.save(path)


# ----------------------------------------------------------------- databases

def fresh_profile(backend: str, folder: Path) -> Profile:
    if backend == "sqlite":
        return Profile(name="bench", backend="sqlite", path=str(folder / f"{uuid.uuid4().hex}.sqlite3"))
    import psycopg

    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(host=PG["host"], port=PG["port"], user=PG["user"], dbname="postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    os.environ["CRM_DB_USER"] = PG["user"]
    return Profile(name="bench", backend="postgresql", host=PG["host"], port=PG["port"], database=name,
                   sslmode="disable", db_user=PG["user"])


def drop(profile: Profile) -> None:
    if profile.backend == "postgresql":
        import psycopg

        with psycopg.connect(host=PG["host"], port=PG["port"], user=PG["user"], dbname="postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{profile.database}" WITH (FORCE)')


def prepare(profile: Profile, custom: bool = False) -> None:
    from crm_core.session import connect, create_first_admin, open_database

    db = open_database(profile, upgrade=True)
    create_first_admin(db, {"login": "admin", "name": "管理员", "phone": "13800000000", "password": PASSWORD})
    db.dispose()
    with connect(profile, "admin", PASSWORD) as session:
        session.customers.create({"name": "另一位同事的客户", "phone": "13700000000"})
        for definition in CUSTOM_FIELDS if custom else []:
            session.custom_fields.create(definition)


# ------------------------------------------------------------------ the steps

def baseline_insert(s: Any, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """The libraries' plain bulk insert, fixed here so that the baseline does not move with our own
    write path: psycopg's text ``COPY`` on PostgreSQL, multi-row ``INSERT ... VALUES`` of 500 rows on
    SQLite (values through the column types' bind processing, as the ORM sends them).

    Not ``executemany`` on SQLite: SQLite syncs the customers' FTS5 table at every statement, so a
    statement per row is several times slower than the fastest insert, and a baseline that slow
    would flatter the ratio of our own path (which sends many rows per statement)."""
    conn = s.connection()
    procs = [(i, p) for i, c in enumerate(columns) if (p := table.c[c].type.bind_processor(conn.dialect)) is not None]
    if procs:
        rows = [list(r) for r in rows]
        for r in rows:
            for i, p in procs:
                r[i] = p(r[i])
    raw = conn.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
            for r in rows:
                cp.write_row(r)
    else:
        one = "(" + ", ".join("?" for _ in columns) + ")"
        for i in range(0, len(rows), 500):
            part = rows[i:i + 500]
            raw.execute(f'INSERT INTO "{table.name}" ({names}) VALUES {", ".join([one] * len(part))}',
                        [v for r in part for v in r])


def step_baseline(profile: Profile, source: Path) -> float:
    """calamine read of the same sheet + the fastest insert of the same (typed) rows into customers."""
    from python_calamine import CalamineWorkbook

    from crm_core.bulk.rows import reserve_ids
    from crm_core.db.base import utcnow
    from crm_core.models import Customer
    from crm_core.session import open_database

    db = open_database(profile)
    start = time.perf_counter()
    rows = list(CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0).iter_rows())[2:]
    now = utcnow()
    with db.unit_of_work(write=True) as s:
        ids = reserve_ids(s, Customer.__table__, len(rows))
        cols = ("id", "code", "name", "level", "industry", "phone", "email", "address", "notes", "status", "owner_id",
                "created_at", "updated_at", "version", "is_active", "search_text")
        baseline_insert(s, Customer.__table__, cols, [
            (rid, f"B{rid:012d}", r[1], r[2], "manufacturing", r[5], r[6], r[7], r[8], "prospect", 1, now, now, 1, True,
             "") for rid, r in zip(ids, rows)])
        if len(rows[0]) > len(HEADERS):  # --custom: their values too
            from sqlalchemy import select

            from crm_core.models import CustomFieldDefinition, CustomFieldValue

            erp, region = (s.scalar(select(CustomFieldDefinition.id).where(CustomFieldDefinition.key == k))
                           for k in ("erp_id", "region"))
            baseline_insert(s, CustomFieldValue.__table__, ("definition_id", "record_id", "value"),
                            [v for rid, r in zip(ids, rows) for v in ((erp, rid, r[10]), (region, rid, "referral"))])
        s.commit()
    elapsed = time.perf_counter() - start
    with db.unit_of_work(write=True) as s:
        from sqlalchemy import delete, select

        from crm_core.models import CustomFieldValue

        s.execute(delete(CustomFieldValue).where(CustomFieldValue.record_id.in_(
            select(Customer.id).where(Customer.code.like("B%")))))
        s.execute(delete(Customer).where(Customer.code.like("B%")))
        s.commit()
    db.dispose()
    return elapsed


def step_import(profile: Profile, source: Path, commit: bool) -> tuple[float, float, float]:
    """(seconds, CPU seconds of the process, CPU seconds of the importing thread): with the rows written by
    a worker thread while the next ones are checked, the importing thread's CPU is what the run cannot
    go below on two free cores (on a loaded machine the wall time follows the total CPU instead)."""
    from crm_core.session import connect

    with connect(profile, "admin", PASSWORD) as session:
        src = session.imports.open_file(source, "customers")
        mapping = session.imports.auto_mapping("customers", src.headers)
        start, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
        if commit:
            result = session.imports.run("customers", source, mapping, sheet=src.sheet, header_row=src.header_row)
            assert result.created == src.row_count, result.errors[:3]
        else:
            check = session.imports.check("customers", source, mapping, sheet=src.sheet, header_row=src.header_row)
            assert check.valid_rows == src.row_count, check.errors[:3]
        elapsed, cpu, own = time.perf_counter() - start, time.process_time() - cpu, time.thread_time() - own
    return elapsed, cpu, own


def saver(profile_dict: dict[str, Any], importing: Any, stop: Any, out: Any) -> None:
    """Another client: saves one customer again and again; reports its longest save before (its own
    baseline) and during the import."""
    from crm_core.session import connect

    profile = Profile(**profile_dict)
    idle: list[float] = []
    busy: list[float] = []
    with connect(profile, "admin", PASSWORD) as session:
        [one] = session.customers.search("另一位同事").rows
        version = one["version"]
        while not stop.is_set():
            during = importing.is_set()
            start = time.perf_counter()
            version = session.customers.update(one["id"], {"notes": f"{time.time()}"}, version=version)["version"]
            (busy if during else idle).append(time.perf_counter() - start)
            time.sleep(0.05)
    out.put((max(busy, default=0.0), len(busy), max(idle, default=0.0)))


def _child(fn: Any, args: tuple, q: Any) -> None:
    try:
        value = fn(*args)
        q.put((value, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, None))
    except BaseException as exc:  # noqa: BLE001
        import traceback

        q.put((None, 0.0, traceback.format_exc()))
        raise SystemExit(1) from exc


def in_child(fn: Any, *args: Any) -> tuple[Any, float]:
    """(result, peak MB) of ``fn(*args)`` run in a fresh process."""
    q: Any = mp.get_context("spawn").Queue()
    p = mp.get_context("spawn").Process(target=_child, args=(fn, args, q))
    p.start()
    value, peak, error = q.get()
    p.join()
    if error:
        raise RuntimeError(error)
    return value, peak


def measure(backend: str, rows: int, folder: Path, concurrent: bool, custom: bool = False) -> None:
    source = folder / f"customers-{rows}{'-custom' if custom else ''}.xlsx"
    if not source.exists():
        write_file(source, rows, custom)
    profile = fresh_profile(backend, folder)
    try:
        prepare(profile, custom)
        base, base_mb = in_child(step_baseline, profile, source)
        (dry, _, _), dry_mb = in_child(step_import, profile, source, False)
        wait = None
        if concurrent:
            ctx = mp.get_context("spawn")
            importing, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
            other = ctx.Process(target=saver, args=(profile.__dict__, importing, stop, out))
            other.start()
            time.sleep(5)
            importing.set()
            (run, cpu, own), run_mb = in_child(step_import, profile, source, True)
            stop.set()
            wait = out.get()
            other.join()
        else:
            (run, cpu, own), run_mb = in_child(step_import, profile, source, True)
    finally:
        drop(profile)
    print(f"{backend:10} {rows:>7} rows{' +custom' if custom else ''}  baseline (calamine + bulk insert) {base:6.2f} s | "
          f"check {dry:6.2f} s = {dry / base:4.1f}x, {dry_mb:4.0f} MB | "
          f"run {run:6.2f} s = {run / base:4.1f}x, {run_mb:4.0f} MB (CPU {cpu:5.2f} s, importing thread {own:5.2f} s)"
          + (f" | other client's longest save {wait[0]:.2f} s over {wait[1]} saves (before the import: "
             f"{wait[2]:.2f} s)" if wait else ""), flush=True)


# ------------------------------------------------------------- update by key

UPDATE_HEADERS = ["客户编码", "客户名称", "客户等级", "联系电话", "备注"]


def write_update_file(profile: Profile, path: Path, custom: bool) -> int:
    """The office's re-import: every imported customer by its code, with a new level, phone and notes."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from crm_core.models import Customer
    from crm_core.session import open_database

    db = open_database(profile)
    with db.unit_of_work(write=False) as s:
        rows = s.execute(select(Customer.code, Customer.name).where(Customer.name.like("基准测试%"))
                         .order_by(Customer.id)).all()
    db.dispose()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户名单")
    ws.append(UPDATE_HEADERS + (CUSTOM_HEADERS if custom else []))
    for code, name in rows:
        i = int(name[4:10])
        ws.append([code, name, "BCA"[i % 3], f"138{i:08d}", f"导入基准（已修改 {i}）"]
                  + ([f"ERP-NEW-{i:08d}", "展会推广"] if custom else []))
    wb.save(path)
    return len(rows)


def _timed_bulk_update(profile: Profile, source: Path, table: str, key: str, columns: list[tuple[str, str]],
                       values_of, key_type: str = "text") -> float:
    """calamine read of ``source`` + one bulk UPDATE of ``columns`` ((name, PostgreSQL type), ...) by ``key``:
    COPY into a temp table and one UPDATE ... FROM on PostgreSQL, executemany on SQLite. ``values_of(row)``
    gives a sheet row's values, the key last."""
    from python_calamine import CalamineWorkbook

    from crm_core.session import open_database

    db = open_database(profile)
    start = time.perf_counter()
    rows = list(CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0).iter_rows())[1:]
    values = [values_of(r) for r in rows]
    names = [n for n, _ in columns]
    with db.unit_of_work(write=True) as s:
        conn = s.connection()
        raw = conn.connection.driver_connection
        if conn.dialect.name == "postgresql":
            with raw.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE base_upd ({', '.join(f'{n} {t}' for n, t in columns)}, {key} {key_type}) "
                            "ON COMMIT DROP")
                with cur.copy(f"COPY base_upd ({', '.join(names)}, {key}) FROM STDIN") as cp:
                    for v in values:
                        cp.write_row(v)
                cur.execute(f"UPDATE {table} t SET {', '.join(f'{n} = u.{n}' for n in names)}, "
                            f"version = t.version + 1 FROM base_upd u WHERE t.{key} = u.{key}")
        else:
            raw.executemany(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)}, version = version + 1 "
                            f"WHERE {key} = ?", [tuple(str(x) if not isinstance(x, (str, int, float, type(None)))
                                                      else x for x in v) for v in values])
        s.commit()
    elapsed = time.perf_counter() - start
    db.dispose()
    return elapsed


def step_update_baseline(profile: Profile, source: Path) -> float:
    """calamine read of the update file + one bulk UPDATE of the same rows by code."""
    return _timed_bulk_update(profile, source, "customers", "code",
                              [("level", "text"), ("phone", "text"), ("notes", "text")],
                              lambda r: (r[2], r[3], r[4], r[0]))


def step_update(profile: Profile, source: Path, rows: int, module: str = "customers") -> tuple[float, float, float]:
    """(preview seconds, run seconds, peak MB once the preview is done) of an update by code (number) against
    that preview."""
    from crm_core.session import connect

    with connect(profile, "admin", PASSWORD) as session:
        src = session.imports.open_file(source, module)
        mapping = session.imports.auto_mapping(module, src.headers)
        start = time.perf_counter()
        preview = session.imports.check(module, source, mapping, update_by_key=True,
                                        sheet=src.sheet, header_row=src.header_row)
        checked = time.perf_counter() - start
        preview_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert len(preview.updates) == rows and not preview.errors, preview.errors[:3]
        start = time.perf_counter()
        result = session.imports.run(module, source, mapping, update_by_key=True, preview=preview,
                                     sheet=src.sheet, header_row=src.header_row)
        assert result.updated == rows, result.errors[:3]
    return checked, time.perf_counter() - start, preview_mb


CONTRACT_HEADERS = ["合同编号", "客户", "签订日期", "合同金额", "合同名称"]
CONTRACT_CUSTOMER = "基准合同客户有限公司"


def prepare_contracts(profile: Profile, rows: int) -> None:
    """N contracts of one customer, a payment on every other one, through the bulk path (not timed)."""
    import datetime as dt
    from decimal import Decimal

    from crm_core.bulk import BulkWriter
    from crm_core.session import connect

    signed = dt.date(2026, 3, 1)
    with connect(profile, "admin", PASSWORD) as session:
        customer = session.customers.create({"name": CONTRACT_CUSTOMER})
        w = BulkWriter(session.db, session.actor)
        ids = w.insert("contracts", [{"number": f"HT-B{i:06d}", "customer_id": customer["id"], "signed_on": signed,
                                      "amount": Decimal("10000.00"), "title": f"基准合同{i}"} for i in range(rows)])
        w.insert("payments", [{"contract_id": cid, "received_on": signed, "amount": Decimal("3000.00")}
                              for cid in ids[::2]])


def write_contract_update_file(path: Path, rows: int) -> int:
    """The re-import: every contract by its number, with a new amount (above its payment) and title."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("合同")
    ws.append(CONTRACT_HEADERS)
    for i in range(rows):
        ws.append([f"HT-B{i:06d}", CONTRACT_CUSTOMER, "2026-03-01", f"{9000 + i % 100}.00", f"基准合同{i}（已修改）"])
    wb.save(path)
    return rows


def step_contract_update_baseline(profile: Profile, source: Path) -> float:
    """calamine read of the contracts' update file + one bulk UPDATE of amount and title by number."""
    from decimal import Decimal

    return _timed_bulk_update(profile, source, "contracts", "number", [("amount", "numeric"), ("title", "text")],
                              lambda r: (Decimal(str(r[3])), r[4], r[0]))


def write_contact_update_file(path: Path, rows: int) -> int:
    """The contacts file again: every contact by customer, name and phone, with a new position and e-mail."""
    from openpyxl import Workbook

    parents = max(1, rows // PER_PARENT)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("联系人")
    ws.append(CONTACT_HEADERS)
    for i in range(rows):
        ws.append([_parent_name(i % parents), f"联系人{i:06d}", f"135{i:08d}", "总监", f"new{i}@example.cn"])
    wb.save(path)
    return rows


def step_contact_update_baseline(profile: Profile, source: Path) -> float:
    """calamine read of the contacts' update file, one read of (customer name, name, phone) -> id and one bulk
    UPDATE of position and e-mail by id."""
    from sqlalchemy import select

    from crm_core.models import Contact, Customer
    from crm_core.session import open_database

    db = open_database(profile)
    with db.unit_of_work(write=False) as s:  # the map is read inside the timing below; this warms the connection
        s.execute(select(Contact.id).limit(1)).all()
    ids: dict[tuple[str, str, str], int] = {}

    def values_of(r: Any) -> tuple[Any, ...]:
        if not ids:
            with db.unit_of_work(write=False) as s:
                ids.update({(c, n, p): rid for c, n, p, rid in s.execute(
                    select(Customer.name, Contact.name, Contact.phone, Contact.id).join(
                        Customer, Customer.id == Contact.customer_id))})
        return r[3], r[4], ids[(r[0], r[1], str(r[2]))]

    db.dispose()
    return _timed_bulk_update(profile, source, "contacts", "id", [("position", "text"), ("email", "text")],
                              values_of, key_type="bigint")


def measure_contact_update(backend: str, rows: int, folder: Path) -> None:
    profile = fresh_profile(backend, folder)
    try:
        prepare(profile)
        in_child(prepare_parents, profile, "contacts", rows)
        source = folder / f"contacts-{rows}.xlsx"
        if not source.exists():
            write_create_file("contacts", source, rows)
        in_child(step_create, profile, "contacts", source, True)
        changed = folder / f"contacts-update-{uuid.uuid4().hex[:6]}.xlsx"
        n = write_contact_update_file(changed, rows)
        (check, run, preview_mb), mb = in_child(step_update, profile, changed, n, "contacts")
        base, _ = in_child(step_contact_update_baseline, profile, changed)
    finally:
        drop(profile)
    _print_update(backend, rows, "contacts updated by customer, name and phone", base, check, run, mb, preview_mb)


def measure_contract_update(backend: str, rows: int, folder: Path) -> None:
    profile = fresh_profile(backend, folder)
    try:
        prepare(profile)
        in_child(prepare_contracts, profile, rows)
        changed = folder / f"contracts-update-{uuid.uuid4().hex[:6]}.xlsx"
        n = write_contract_update_file(changed, rows)
        (check, run, preview_mb), mb = in_child(step_update, profile, changed, n, "contracts")
        base, _ = in_child(step_contract_update_baseline, profile, changed)
    finally:
        drop(profile)
    _print_update(backend, rows, "contracts updated by number", base, check, run, mb, preview_mb)


def measure_update(backend: str, rows: int, folder: Path, custom: bool = False) -> None:
    source = folder / f"customers-{rows}{'-custom' if custom else ''}.xlsx"
    if not source.exists():
        write_file(source, rows, custom)
    profile = fresh_profile(backend, folder)
    try:
        prepare(profile, custom)
        in_child(step_import, profile, source, True)
        changed = folder / f"update-{uuid.uuid4().hex[:6]}.xlsx"
        n = write_update_file(profile, changed, custom)
        (check, run, preview_mb), mb = in_child(step_update, profile, changed, n)
        base, _ = in_child(step_update_baseline, profile, changed)
    finally:
        drop(profile)
    _print_update(backend, rows, f"rows updated by code{' +custom' if custom else ''}", base, check, run, mb, preview_mb)


def _print_update(backend: str, rows: int, what: str, base: float, check: float, run: float, mb: float,
                  preview_mb: float) -> None:
    print(f"{backend:10} {rows:>7} {what}  baseline (calamine + bulk UPDATE) "
          f"{base:6.2f} s | preview {check:6.2f} s = {check / base:4.1f}x | run {run:6.2f} s = {run / base:5.1f}x | "
          f"preview + run {check + run:6.2f} s = {(check + run) / base:5.1f}x, peak {preview_mb:4.0f} MB after the "
          f"preview, {mb:4.0f} MB after the run", flush=True)


# --------------------------------------------------- creates whose rules read other rows

PAYMENT_HEADERS = ["合同", "回款日期", "回款金额", "经手人", "备注"]
CONTACT_HEADERS = ["客户", "姓名", "电话", "职位", "邮箱"]
PER_PARENT = 4  # rows of the file per contract (payments) or per customer (contacts)


def _parent_name(i: int) -> str:
    return f"基准联系人客户{i:06d}有限公司"


def prepare_parents(profile: Profile, module: str, rows: int) -> None:
    """payments: N/4 contracts of one customer (10,000.00 each); contacts: N/4 customers (bulk path, not timed)."""
    import datetime as dt
    from decimal import Decimal

    from crm_core.bulk import BulkWriter
    from crm_core.session import connect

    parents = max(1, rows // PER_PARENT)
    with connect(profile, "admin", PASSWORD) as session:
        w = BulkWriter(session.db, session.actor)
        if module == "payments":
            customer = session.customers.create({"name": CONTRACT_CUSTOMER})
            w.insert("contracts", [{"number": f"HT-B{i:06d}", "customer_id": customer["id"],
                                    "signed_on": dt.date(2026, 3, 1), "amount": Decimal("10000.00"),
                                    "title": f"基准合同{i}"} for i in range(parents)])
        else:
            w.insert("customers", [{"name": _parent_name(i), "phone": f"136{i:08d}"} for i in range(parents)])


def write_create_file(module: str, path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("回款" if module == "payments" else "联系人")
    parents = max(1, rows // PER_PARENT)
    if module == "payments":
        ws.append(PAYMENT_HEADERS)
        for i in range(rows):  # four rows per contract, 1,000.00 to 2,000.00 each: at most 8,000.00 of 10,000.00
            ws.append([f"HT-B{i % parents:06d}", "2026-04-01", f"{1000 + i % 1000}.00", f"经手人{i % 7}", "导入基准"])
    else:
        ws.append(CONTACT_HEADERS)
        for i in range(rows):
            ws.append([_parent_name(i % parents), f"联系人{i:06d}", f"135{i:08d}", "经理", f"p{i}@example.cn"])
    wb.save(path)


def step_create_baseline(profile: Profile, module: str, source: Path) -> float:
    """calamine read of the file + the fastest insert of the same rows into payments / contacts (references
    resolved from a dict read in the same timing)."""
    import datetime as dt
    from decimal import Decimal

    from python_calamine import CalamineWorkbook
    from sqlalchemy import delete, select

    from crm_core.bulk.rows import reserve_ids
    from crm_core.db.base import utcnow
    from crm_core.models import Contact, Contract, Customer, Payment
    from crm_core.session import open_database

    db = open_database(profile)
    start = time.perf_counter()
    rows = list(CalamineWorkbook.from_path(str(source)).get_sheet_by_index(0).iter_rows())[1:]
    now = utcnow()
    with db.unit_of_work(write=True) as s:
        if module == "payments":
            contracts = {n: (cid, cust) for n, cid, cust in s.execute(
                select(Contract.number, Contract.id, Contract.customer_id))}
            ids = reserve_ids(s, Payment.__table__, len(rows))
            cols = ("id", "contract_id", "customer_id", "received_on", "amount", "handler", "notes", "created_at",
                    "updated_at", "version", "is_active")
            baseline_insert(s, Payment.__table__, cols, [
                (rid, *contracts[r[0]], dt.date.fromisoformat(str(r[1])[:10]), Decimal(str(r[2])), r[3], r[4],
                 now, now, 1, True) for rid, r in zip(ids, rows)])
        else:
            customers = dict(s.execute(select(Customer.name, Customer.id)).tuples().all())
            ids = reserve_ids(s, Contact.__table__, len(rows))
            cols = ("id", "customer_id", "name", "phone", "position", "email", "status", "created_at", "updated_at",
                    "version", "is_active")
            baseline_insert(s, Contact.__table__, cols, [
                (rid, customers[r[0]], r[1], str(r[2]), r[3], r[4], "employed", now, now, 1, True)
                for rid, r in zip(ids, rows)])
        s.commit()
    elapsed = time.perf_counter() - start
    with db.unit_of_work(write=True) as s:
        model = Payment if module == "payments" else Contact
        s.execute(delete(model))
        s.commit()
    db.dispose()
    return elapsed


def step_create(profile: Profile, module: str, source: Path, commit: bool) -> tuple[float, float, float]:
    """As :func:`step_import`, for payments or contacts."""
    from crm_core.session import connect

    with connect(profile, "admin", PASSWORD) as session:
        src = session.imports.open_file(source, module)
        mapping = session.imports.auto_mapping(module, src.headers)
        start, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
        if commit:
            result = session.imports.run(module, source, mapping, sheet=src.sheet, header_row=src.header_row)
            assert result.created == src.row_count, result.errors[:3]
        else:
            check = session.imports.check(module, source, mapping, sheet=src.sheet, header_row=src.header_row)
            assert check.valid_rows == src.row_count, check.errors[:3]
        elapsed, cpu, own = time.perf_counter() - start, time.process_time() - cpu, time.thread_time() - own
    return elapsed, cpu, own


def measure_create(backend: str, module: str, rows: int, folder: Path) -> None:
    source = folder / f"{module}-{rows}.xlsx"
    if not source.exists():
        write_create_file(module, source, rows)
    profile = fresh_profile(backend, folder)
    try:
        prepare(profile)
        in_child(prepare_parents, profile, module, rows)
        base, _ = in_child(step_create_baseline, profile, module, source)
        (dry, _, _), dry_mb = in_child(step_create, profile, module, source, False)
        (run, cpu, own), run_mb = in_child(step_create, profile, module, source, True)
    finally:
        drop(profile)
    print(f"{backend:10} {rows:>7} {module} created  baseline (calamine + bulk insert) {base:6.2f} s | "
          f"check {dry:6.2f} s = {dry / base:4.1f}x, {dry_mb:4.0f} MB | "
          f"run {run:6.2f} s = {run / base:4.1f}x, {run_mb:4.0f} MB (CPU {cpu:5.2f} s, importing thread {own:5.2f} s)",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--concurrent", action="store_true", help="measure another client's saves during the import")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--custom", action="store_true", help="two custom field columns (text and choice)")
    parser.add_argument("--update", action="store_true", help="update by key: re-import the rows with changed values")
    parser.add_argument("--module", choices=["customers", "contracts", "payments", "contacts"], default="customers",
                        help="with --update: the module re-imported (contracts: number, amount, title; contacts: position, "
                             "e-mail by customer, name and phone); without: "
                             "the module created (payments by contract number, contacts by customer name)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            for backend in args.backend:
                for _ in range(args.repeat):
                    if args.update and args.module == "contracts":
                        measure_contract_update(backend, rows, Path(tmp))
                    elif args.update and args.module == "contacts":
                        measure_contact_update(backend, rows, Path(tmp))
                    elif args.update:
                        measure_update(backend, rows, Path(tmp), args.custom)
                    elif args.module in ("payments", "contacts"):
                        measure_create(backend, args.module, rows, Path(tmp))
                    else:
                        measure(backend, rows, Path(tmp), args.concurrent, args.custom)


if __name__ == "__main__":
    main()
