"""The import written in chunks: all or nothing under failures, cancel and a killed process; companions,
custom fields, updates by code with the version check, and who/when/which file for every record."""

from __future__ import annotations

import os
import pickle
import threading
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm_core.importing import writer
from crm_core.importing.service import ImportRejected
from crm_core.models import AuditEntry, Contact, Customer, CustomerStatusChange, ImportBatch, ImportBatchRecord
from tests.conftest import PASSWORD
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv, write_xlsx

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _counts(db) -> tuple[int, int, int]:
    with db.unit_of_work(write=False) as s:
        return (s.scalar(select(func.count()).select_from(Customer)),
                s.scalar(select(func.count()).select_from(Contact)),
                s.scalar(select(func.count()).select_from(CustomerStatusChange)))


def _mapping(session):
    return session.imports.auto_mapping("customers", CUSTOMER_HEADERS)


@SETTINGS
@given(n=st.integers(1, 12), chunk=st.integers(1, 5), stop=st.one_of(st.none(), st.integers(0, 12)),
       fail_chunk=st.one_of(st.none(), st.integers(0, 4)))
def test_chunks_are_all_or_nothing_when_cancelled_or_failing(admin, db, tmp_path_factory, monkeypatch, n, chunk, stop,
                                                            fail_chunk):
    """Whatever chunk size, a cancel after any row or a chunk failing leaves the database as it was."""
    before = _counts(db)
    path = write_csv(tmp_path_factory.mktemp("p") / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(n)])
    calls = {"chunks": 0}
    real = writer._create_chunk

    def flaky(*args, **kwargs):
        if fail_chunk is not None and calls["chunks"] == fail_chunk:
            raise RuntimeError("disk full")
        calls["chunks"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_create_chunk", flaky)

    def progress(done, total):
        if stop is not None and total == 2 * n and done - n >= stop and done > n:
            raise KeyboardInterrupt("cancelled")

    chunks = -(-n // chunk)
    try:
        result = admin.imports.run("customers", path, _mapping(admin), progress=progress, chunk_rows=chunk)
    except (KeyboardInterrupt, RuntimeError):
        assert _counts(db) == before
        with db.unit_of_work(write=False) as s:
            assert s.scalar(select(func.count()).select_from(ImportBatch).where(ImportBatch.state == "running")) == 0
        assert all(b["undone_at"] is not None for b in admin.imports.batches())  # failed batches are not listed
        return
    assert fail_chunk is None or fail_chunk >= chunks
    assert result.created == n and _counts(db)[0] == before[0] + n
    assert admin.imports.undo(result.batch_id) == n
    assert _counts(db) == before


def test_an_import_killed_half_way_is_rolled_back_at_the_next_sign_in(admin, db, profile, tmp_path):
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(30)])
    (tmp_path / "profile.pickle").write_bytes(pickle.dumps(profile))
    script = textwrap.dedent(f"""
        import os, pickle
        from pathlib import Path
        from crm_core.session import connect
        profile = pickle.loads(Path({str(tmp_path / "profile.pickle")!r}).read_bytes())
        session = connect(profile, "admin", {PASSWORD!r}, upgrade=False)
        mapping = session.imports.auto_mapping("customers", {CUSTOMER_HEADERS!r})

        def progress(done, total):
            if done >= 30 + 20:  # two chunks of ten written: the power goes off
                os._exit(9)

        session.imports.run("customers", {str(path)!r}, mapping, progress=progress, chunk_rows=10)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 9, proc.stderr
    assert _counts(db)[0] == 20  # half-written, as the crash left it
    from crm_core.session import connect

    with connect(profile, "admin", PASSWORD, upgrade=False):
        pass
    assert _counts(db) == (0, 0, 0)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(ImportBatch.state)).all() == ["failed"]
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("import%"))).all()
    assert actions == ["import_rolled_back"]
    assert admin.imports.batches() == []


CONTACT_HEADERS = ["客户名称", "电话", "联系人", "手机", "职务", "联系人邮箱"]


def test_a_row_with_contact_columns_creates_customer_and_contact_undone_together(admin, db, tmp_path):
    rows = [CONTACT_HEADERS, ["杭州云帆网络科技有限公司", "0571-88886666", "王芳", "13812345678", "采购经理", "wf@yunfan.cn"],
            ["上海海纳信息技术有限公司", None, None, None, None, None]]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    mapping = admin.imports.auto_mapping("customers", CONTACT_HEADERS)
    assert mapping == {0: "name", 1: "phone", 2: "contacts.name", 3: "contacts.phone", 4: "contacts.position",
                       5: "contacts.email"}
    result = admin.imports.run("customers", path, mapping)
    assert (result.created, result.companions) == (2, 1)  # the result tells what undo will count
    [contact] = admin.contacts.list().rows
    yunfan = next(r for r in admin.customers.list().rows if r["name"].startswith("杭州"))
    assert (contact["customer_id"], contact["name"], contact["phone"], contact["position"], contact["email"]) == \
        (yunfan["id"], "王芳", "13812345678", "采购经理", "wf@yunfan.cn")
    assert admin.customers.search("王芳").rows[0]["id"] == yunfan["id"]  # the customer is found by its contact
    assert admin.imports.undo(result.batch_id) == 3
    assert _counts(db) == (0, 0, 0)


def test_a_contact_without_a_name_is_reported_under_the_contacts_label(admin, tmp_path):
    rows = [CONTACT_HEADERS, ["杭州云帆网络科技有限公司", None, None, "13812345678", "采购经理", None]]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    check = admin.imports.check("customers", path, admin.imports.auto_mapping("customers", CONTACT_HEADERS))
    assert [(e.row, e.field) for e in check.errors] == [(2, "contacts.name")]
    assert check.errors[0].message.zh == "联系人姓名：不能为空"


def test_custom_fields_import_like_other_fields(admin, tmp_path):
    admin.custom_fields.create({"module": "customers", "key": "erp_id", "label_zh": "ERP编号", "label_en": "ERP id",
                                "field_type": "text", "max_length": 10})
    headers = ["公司名称", "ERP编号"]
    path = write_csv(tmp_path / "c.csv", [headers, ["甲公司", "E-001"], ["乙公司", "E-0000000002"]])
    mapping = admin.imports.auto_mapping("customers", headers)
    assert mapping == {0: "name", 1: "custom.erp_id"}
    check = admin.imports.check("customers", path, mapping)
    assert [(e.row, e.field) for e in check.errors] == [(3, "custom.erp_id")]
    assert check.errors[0].message.zh == "ERP编号：“E-0000000002”长度 12，超过上限 10"
    admin.imports.run("customers", path, mapping, only_valid=True)
    [one] = admin.customers.list().rows
    assert one["custom"]["erp_id"] == "E-001"
    from openpyxl import load_workbook

    admin.imports.write_template("customers", tmp_path / "t.xlsx", "zh_CN")
    assert "ERP编号" in [c.value for c in load_workbook(tmp_path / "t.xlsx").worksheets[0][1]]  # the template has it too


def test_update_by_code_after_a_preview_and_a_conflict_is_reported_not_overwritten(admin, login, make_customer,
                                                                                 tmp_path):
    a = make_customer("甲公司", phone="13800000001", level="C")
    b = make_customer("乙公司", phone="13800000002", level="C")
    headers = ["客户编码", "公司名称", "重要级别", "电话"]
    rows = [headers, [a["code"], "甲公司", "A", "13800000001"], [b["code"], "乙公司（新名）", "B", "13800000002"],
            [None, "丙公司", "C", "13800000003"]]
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    mapping = admin.imports.auto_mapping("customers", headers)
    plain = admin.imports.check("customers", path, mapping)
    codes = [e for e in plain.errors if e.field == "code"]  # without update: duplicates, with the way out
    assert [e.row for e in codes] == [2, 3] and "请勾选“客户编码已存在的行更新该客户”" in codes[0].message.zh
    assert "tick 'Rows with an existing customer code update that customer'" in codes[0].message.en
    preview = admin.imports.check("customers", path, mapping, update_by_key=True)
    assert (preview.errors, preview.creates) == ([], 1)
    assert [(u.row, u.key, u.changes) for u in preview.updates] == [
        (2, a["code"], {"level": ("C", "A")}), (3, b["code"], {"name": ("乙公司", "乙公司（新名）"), "level": ("C", "B")})]
    # someone saves 乙公司 between the preview and the import
    admin.customers.update(b["id"], {"notes": "刚改过"}, version=b["version"])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, update_by_key=True, preview=preview)
    assert info.value.check.errors[0].row == 3 and "已被他人修改" in info.value.check.errors[0].message.zh
    got = {r["code"]: r for r in admin.customers.list().rows}
    assert (got[a["code"]]["level"], got[b["code"]]["name"], len(got)) == ("C", "乙公司", 2)  # nothing kept
    fresh = admin.imports.check("customers", path, mapping, update_by_key=True)
    result = admin.imports.run("customers", path, mapping, update_by_key=True, preview=fresh)
    assert (result.created, result.updated) == (1, 2)
    got = {r["code"]: r for r in admin.customers.list().rows}
    assert (got[a["code"]]["level"], got[b["code"]]["name"], got[b["code"]]["notes"]) == ("A", "乙公司（新名）", "刚改过")
    assert admin.imports.undo(result.batch_id) == 3
    got = {r["code"]: r for r in admin.customers.list().rows}
    assert (got[a["code"]]["level"], got[b["code"]]["name"], len(got)) == ("C", "乙公司", 2)


def test_every_record_is_traceable_to_who_when_and_which_file(admin, db, tmp_path):
    path = write_csv(tmp_path / "华东客户.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(5)])
    result = admin.imports.run("customers", path, _mapping(admin), chunk_rows=2)
    with db.unit_of_work(write=False) as s:
        traced = s.execute(select(Customer.id, Customer.created_by_id, ImportBatch.file_name, ImportBatch.created_at)
                           .join(ImportBatchRecord, ImportBatchRecord.record_id == Customer.id)
                           .join(ImportBatch, ImportBatch.id == ImportBatchRecord.batch_id)).all()
        creates = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create",
                                                                              AuditEntry.module == "customers"))
    assert len(traced) == 5 and {(t[1], t[2]) for t in traced} == {(admin.actor.user_id, "华东客户.csv")}
    assert creates == 5 and result.batch_id == admin.imports.batches()[0]["id"]


# ---------------------------------------------------------------- the pipeline: chunk k+1 checked and staged
# in the importing thread while a worker thread writes chunk k (crm_core.importing.writer.write)

def _batch_states(db) -> list[str]:
    with db.unit_of_work(write=False) as s:
        return s.scalars(select(ImportBatch.state).order_by(ImportBatch.id)).all()


def test_a_cancel_while_the_next_chunk_is_checked_waits_for_the_chunk_being_written_and_removes_it(
        admin, db, tmp_path, monkeypatch):
    """The user cancels while chunk 2 is being checked and chunk 1 is still being written in the worker: the
    cancel waits for that write to end and then removes it; nothing is left, the batch is "failed"."""
    from crm_core.importing import engine

    before = _counts(db)
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(8)])
    monkeypatch.setattr(engine, "PROGRESS_EVERY", 1)
    inside, go_on, written = threading.Event(), threading.Event(), []
    real = writer._create_chunk

    def slow_chunk(*args, **kwargs):  # chunk 1 is written only once the user has cancelled
        inside.set()
        assert go_on.wait(30)
        real(*args, **kwargs)
        written.append(1)

    monkeypatch.setattr(writer, "_create_chunk", slow_chunk)

    def progress(done, total):
        if 3 <= done < 8 and not go_on.is_set():  # checking the rows of chunk 2 (rows 3-4), chunk 1 not landed
            assert inside.wait(30)
            go_on.set()
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        admin.imports.run("customers", path, _mapping(admin), progress=progress, chunk_rows=2)
    assert written == [1]  # chunk 1 did commit (after the cancel), and was removed again
    assert _counts(db) == before
    assert _batch_states(db) == ["failed"]


def test_a_failure_staging_chunk_two_removes_chunk_one_written_meanwhile(admin, db, tmp_path, monkeypatch):
    before = _counts(db)
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(6)])
    real, calls = writer._stage_chunk, []
    committed = threading.Event()
    real_write = writer._write_chunk

    def write_then_say(*args, **kwargs):
        took = real_write(*args, **kwargs)
        committed.set()
        return took

    def stage(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            assert committed.wait(30)  # chunk 1 is in the database when chunk 2 fails
            assert _counts(db)[0] == before[0] + 2
            raise RuntimeError("out of memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_stage_chunk", stage)
    monkeypatch.setattr(writer, "_write_chunk", write_then_say)
    with pytest.raises(RuntimeError):
        admin.imports.run("customers", path, _mapping(admin), chunk_rows=2)
    assert _counts(db) == before and _batch_states(db) == ["failed"]


def test_a_bad_row_after_chunks_were_written_rejects_the_file_with_every_error_and_keeps_nothing(admin, db, tmp_path):
    """Rows are checked while earlier chunks are written: a bad row further down stops the writing, what
    was written is removed, and the report still lists every bad row of the file, as the dry run does."""
    before = _counts(db)
    rows = [customer_row(i) for i in range(10)]
    rows[6] = customer_row(6, level="Z")
    rows[8] = customer_row(8, name="")
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS] + rows)
    mapping = _mapping(admin)
    check = admin.imports.check("customers", path, mapping)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", path, mapping, chunk_rows=2)
    assert info.value.check == check and [e.row for e in check.errors] == [8, 10]
    assert _counts(db) == before
    assert _batch_states(db) == ["failed"]  # chunks of the good rows above had been written
    result = admin.imports.run("customers", path, mapping, chunk_rows=2, only_valid=True)
    assert (result.created, result.skipped) == (8, 2) and _counts(db)[0] == before[0] + 8


def test_a_file_whose_first_row_is_bad_starts_no_batch(admin, db, tmp_path):
    path = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS, customer_row(1, level="Z"), customer_row(2)])
    with pytest.raises(ImportRejected):
        admin.imports.run("customers", path, _mapping(admin))
    assert _batch_states(db) == []


def test_ids_and_codes_reserved_ahead_are_never_handed_to_another_client(admin, db):
    """The importer stages rows with ids and codes reserved in a transaction of their own, before it writes
    them: a customer saved meanwhile by someone else gets others."""
    from crm_core.bulk.writer import BulkWriter

    [block] = BulkWriter(db, admin.actor).reserve({"customers": 5}).values()
    other = admin.customers.create({"name": "另一位同事的客户", "phone": "13700000000"})
    assert other["id"] > max(block.ids)
    [codes] = block.codes.values()
    assert len(codes) == 5 and other["code"] > max(codes)
    [again] = BulkWriter(db, admin.actor).reserve({"customers": 1}).values()
    assert again.ids[0] > other["id"]


def test_staged_rows_written_later_are_the_rows_insert_in_writes(admin, db):
    """stage() with a reserved block (outside any write transaction) + write_staged() in the transaction gives
    the records, search entries, history and audit that insert_in() gives, with the block's ids and codes."""
    from crm_core.bulk.writer import BulkWriter
    from crm_core.models import CustomerSearchGram

    w = BulkWriter(db, admin.actor)
    rows = [{"name": f"杭州云帆{i}号网络科技有限公司", "phone": f"1381234567{i}", "email": f"a{i}@yunfan.cn"} for i in range(3)]
    blocks = w.reserve({"customers": 3})
    with db.unit_of_work(write=False) as s:
        staged = w.stage(s, "customers", [dict(r) for r in rows], block=blocks["customers"])
    with db.unit_of_work(write=True) as s:
        ahead = w.write_staged(s, staged)
        s.commit()
    with db.unit_of_work(write=True) as s:
        inside = w.insert_in(s, "customers", [{**r, "name": r["name"].replace("杭州云帆", "宁波海纳")} for r in rows])
        s.commit()
    assert ahead == blocks["customers"].ids

    def seen(ids):
        with db.unit_of_work(write=False) as s:
            out = []
            for cid in ids:
                c = s.get(Customer, cid)
                grams = s.scalar(select(func.count()).select_from(CustomerSearchGram)
                                 .where(CustomerSearchGram.customer_id == cid))
                history = s.scalars(select(CustomerStatusChange.to_status).where(
                    CustomerStatusChange.customer_id == cid)).all()
                audit = s.scalars(select(AuditEntry.after).where(AuditEntry.record_id == cid,
                                                                 AuditEntry.module == "customers")).one()
                out.append((c.status, c.version, grams > 0, history, sorted(audit), c.code[:9]))
            return out

    assert seen(ahead) == seen(inside)
    with db.unit_of_work(write=False) as s:
        assert [s.get(Customer, i).code for i in ahead] == list(blocks["customers"].codes.values())[0]
    assert [r["id"] for r in admin.customers.search("云帆1号").rows] == [ahead[1]]


def test_tickets_and_payments_take_no_ids_ahead(admin, db):
    from crm_core.bulk.writer import BulkWriter

    # Their rows are numbered where they are written: a block reserved for them would only leave a gap.
    assert BulkWriter(db, admin.actor).reserve({"tickets": 5, "payments": 5}) == {}
