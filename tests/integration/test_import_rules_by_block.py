"""The rules that read other rows (a payment within its contract's outstanding amount, the contact twin rule)
checked over blocks of a file's rows while the importer writes (RowChecker.stream): a refused row is reported
as that row's error, with field, column and value, and "only the valid rows" leaves out exactly those rows,
the file's earlier rows counted whether already written or not yet; a handful of queries per block, not one
per row."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from crm_core.importing.service import ImportRejected
from crm_core.models import Contact, Payment
from tests.integration.test_import_helpers import write_csv

SIGNED = dt.date(2026, 3, 1)
PAYMENT_HEADERS = ["合同", "回款日期", "回款金额"]
CONTACT_HEADERS = ["客户", "姓名", "电话"]


@pytest.fixture(autouse=True)
def no_endless_lock_waits(admin, backend):
    if backend == "postgresql":
        event.listen(admin.db.engine, "begin", lambda conn: conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'"))


@pytest.fixture
def contracts(admin, make_customer):
    customer = make_customer()
    return [admin.contracts.create({"number": number, "customer_id": customer["id"], "signed_on": SIGNED,
                                    "amount": "550.00", "title": "t"}) for number in ("HT-1", "HT-2")]


def _payments_file(tmp_path, n: int):
    return write_csv(tmp_path / "payments.csv",
                     [PAYMENT_HEADERS, *[[f"HT-{1 + i % 2}", SIGNED.isoformat(), "1.00"] for i in range(n)]])


@pytest.mark.parametrize("chunk_rows", [None, 100])  # chunks written while the later blocks are checked
def test_a_long_file_over_its_contracts_keeps_exactly_the_rows_that_fit(admin, db, contracts, tmp_path, chunk_rows):
    """1,200 rows of 1.00, every other one against each of two contracts of 550.00, across three blocks of rows
    and (with 100-row chunks) with earlier rows written meanwhile: the first 1,100 are kept, the last 100 are
    each refused."""
    path = _payments_file(tmp_path, 1200)
    mapping = admin.imports.auto_mapping("payments", PAYMENT_HEADERS)
    preview = admin.imports.check("payments", path, mapping)
    result = admin.imports.run("payments", path, mapping, only_valid=True, chunk_rows=chunk_rows)
    assert (result.created, result.skipped) == (1100, 100)
    for errors in (preview.errors, result.errors):
        assert [(e.row, e.field, e.column) for e in errors] == [(row, "amount", 2) for row in range(1102, 1202)]
        assert errors[0].message.zh == "回款金额：“1.00”超出合同未回款余额 0.00"
        assert errors[0].message.en == "Amount: '1.00' more than the 0.00 still outstanding on the contract"
    for contract in contracts:
        assert admin.contracts.get(contract["id"])["received"] == Decimal("550.00")
        with db.unit_of_work(write=False) as s:
            assert len(s.scalars(select(Payment.id).where(Payment.contract_id == contract["id"])).all()) == 550


@pytest.fixture
def customers(admin, make_customer):
    a, b = make_customer("甲公司"), make_customer("乙公司")
    admin.contacts.create({"customer_id": a["id"], "name": "张三", "phone": "13900000001"})
    return a, b


def _contacts_file(tmp_path):
    return write_csv(tmp_path / "contacts.csv", [
        CONTACT_HEADERS,
        ["甲公司", "张三", "13900000001"],  # row 2: a twin of the stored contact
        ["甲公司", "李四", "13900000002"],
        ["甲公司", "李四", "13900000002"],  # row 4: a twin of row 3
        ["乙公司", "张三", "13900000001"],  # another customer: not a twin
    ])


def _twin_rows(errors) -> list[tuple]:
    return [(e.row, e.field, e.column, e.message.zh, e.message.en) for e in errors]


EXPECTED_TWINS = [
    # a stored contact's row: a duplicate (update by key would update it: test_import_identity)
    (2, "name", 1, "姓名：“张三”（客户“甲公司”，电话“13900000001”）与已有的联系人重复（客户、姓名和电话都相同），未导入；"
                   "要用文件修改已有联系人，请勾选“客户、姓名和电话与已有联系人相同的行更新该联系人”",
     "Name: '张三' (customer '甲公司', phone '13900000001') duplicates an existing contact (the same customer, name and "
     "phone); it is not imported. To change existing contacts from the file, tick 'Rows with the customer, name and "
     "phone of an existing contact update that contact'"),
    # a twin of an earlier row of the file: the twin rule (the name is in the message already: not quoted again)
    (4, "name", 1, "姓名：该客户已有同名同电话的联系人“李四”，请打开它修改，不要重复添加",
     "Name: this customer already has a contact '李四' with this phone; open that one instead of adding it twice"),
]


def test_contact_twins_stored_and_within_the_file_are_reported_by_row(admin, customers, tmp_path):
    path = _contacts_file(tmp_path)
    mapping = admin.imports.auto_mapping("contacts", CONTACT_HEADERS)
    assert _twin_rows(admin.imports.check("contacts", path, mapping).errors) == EXPECTED_TWINS
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("contacts", path, mapping)
    assert _twin_rows(info.value.check.errors) == EXPECTED_TWINS
    assert (info.value.check.total_rows, info.value.check.valid_rows) == (4, 2)


def test_only_the_valid_rows_leaves_out_exactly_the_contact_twins(admin, db, customers, tmp_path):
    a, b = customers
    path = _contacts_file(tmp_path)
    result = admin.imports.run("contacts", path, admin.imports.auto_mapping("contacts", CONTACT_HEADERS),
                               only_valid=True)
    assert (result.created, result.skipped) == (2, 2)
    assert _twin_rows(result.errors) == EXPECTED_TWINS
    with db.unit_of_work(write=False) as s:
        rows = s.execute(select(Contact.customer_id, Contact.name).order_by(Contact.id)).all()
    assert [tuple(r) for r in rows] == [(a["id"], "张三"), (a["id"], "李四"), (b["id"], "张三")]


def _rule_queries(engine, table: str) -> list[str]:
    """The SELECTs reading ``table`` that the calling (checking) thread sends; the writer's thread not counted."""
    me = threading.get_ident()
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if threading.get_ident() == me and statement.lstrip().upper().startswith("SELECT") \
                and f"FROM {table}" in statement.replace('"', ""):
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    return seen


@pytest.mark.parametrize("commit", [False, True])
def test_the_rules_of_a_file_are_a_few_queries_per_block_not_one_per_row(admin, make_customer, tmp_path, commit):
    """1,200 contacts (three blocks of 500 rows): the twin rule reads the contacts a handful of times, not 1,200."""
    make_customer("甲公司")
    path = write_csv(tmp_path / "contacts.csv",
                     [CONTACT_HEADERS, *[["甲公司", f"联系人{i}", f"139{i:08d}"] for i in range(1200)]])
    mapping = admin.imports.auto_mapping("contacts", CONTACT_HEADERS)
    seen = _rule_queries(admin.db.engine, "contacts")
    if commit:
        assert admin.imports.run("contacts", path, mapping, chunk_rows=300).created == 1200
    else:
        assert admin.imports.check("contacts", path, mapping).valid_rows == 1200
    assert 1 <= len(seen) <= 10, len(seen)


@pytest.mark.parametrize("chunk_rows", [100, 250])
def test_a_chunk_written_between_the_count_and_the_rules_query_is_not_counted_twice(admin, db, contracts, tmp_path,
                                                                                  monkeypatch, chunk_rows):
    """PostgreSQL reads each statement at its own moment: a chunk the writer commits after the checker counted
    what is written, but before the rules' query, would be counted both as stored and as pending (valid rows
    refused) unless the block is checked again. Forced here: each block's rules query waits for the writer's
    next commit."""
    from crm_core.modules.contracts import PaymentService

    checking = threading.get_ident()
    committed = threading.Event()
    forced: list[int] = []

    def on_commit(conn):
        if threading.get_ident() != checking:
            committed.set()

    original = PaymentService._rules_with_others

    def after_the_next_commit(self, s, items, *, lock=True):
        if not lock and threading.get_ident() == checking and len(items) > 1:  # a block's check (not a row's)
            committed.clear()
            if committed.wait(2):  # the writer commits a chunk every ~0.1 s; none comes after its last
                forced.append(len(items))
        return original(self, s, items, lock=lock)

    for c in contracts:
        admin.contracts.update(c["id"], {"amount": "1100.00"}, version=admin.contracts.get(c["id"])["version"])
    path = _payments_file(tmp_path, 2400)
    mapping = admin.imports.auto_mapping("payments", PAYMENT_HEADERS)
    monkeypatch.setattr(PaymentService, "_rules_with_others", after_the_next_commit)
    event.listen(admin.db.engine, "commit", on_commit)
    try:
        result = admin.imports.run("payments", path, mapping, only_valid=True, chunk_rows=chunk_rows)
    finally:
        event.remove(admin.db.engine, "commit", on_commit)
    assert forced, "no chunk was committed while a block was checked"
    assert (result.created, result.skipped) == (2200, 200)
    assert [e.row for e in result.errors] == list(range(2202, 2402))
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Payment.id)).all()) == 2200


def test_the_import_reports_its_rows_errors_in_row_order(admin, contracts, tmp_path):
    """A block's refusals are decided after its rows' own checks: the result still lists the errors by row."""
    rows = [PAYMENT_HEADERS, ["HT-1", SIGNED.isoformat(), "500.00"], ["HT-1", SIGNED.isoformat(), "100.00"],
            ["HT-1", "not a date", "1.00"]]
    path = write_csv(tmp_path / "p.csv", rows)
    mapping = admin.imports.auto_mapping("payments", PAYMENT_HEADERS)
    check = admin.imports.check("payments", path, mapping)
    result = admin.imports.run("payments", path, mapping, only_valid=True)
    assert [(e.row, e.field) for e in result.errors] == [(e.row, e.field) for e in check.errors] \
        == [(3, "amount"), (4, "received_on")]


def test_a_row_with_a_bad_cell_also_tells_that_it_exceeds_its_contract(admin, contracts, tmp_path):
    """Every problem of a row at once: a bad date and an amount over what the contract has outstanding."""
    rows = [PAYMENT_HEADERS + ["备注"], ["HT-1", SIGNED.isoformat(), "600.00", "x\x01y"]]
    path = write_csv(tmp_path / "p.csv", rows)
    mapping = admin.imports.auto_mapping("payments", PAYMENT_HEADERS + ["备注"])
    check = admin.imports.check("payments", path, mapping)
    assert {(e.row, e.field) for e in check.errors} == {(2, "amount"), (2, "notes")}
    amount = next(e for e in check.errors if e.field == "amount")
    assert "600.00" in amount.message.zh and "550.00" in amount.message.zh


def _as_reported(check) -> tuple:
    return [(e.row, e.field, e.column) for e in check.errors], check.total_rows, check.valid_rows


def test_a_rejected_import_reports_the_rows_its_preview_reports(admin, db, contracts, tmp_path):
    """Row 2's date is bad, so the import stops and removes what it wrote; its report still counts the file's
    earlier rows against the contracts as the preview does: the 99 last rows beyond the 550.00 of each contract
    are told now, not after the user has fixed row 2."""
    rows = [PAYMENT_HEADERS, *[[f"HT-{1 + i % 2}", SIGNED.isoformat() if i else "bad", "1.00"] for i in range(1200)]]
    path = write_csv(tmp_path / "p.csv", rows)
    mapping = admin.imports.auto_mapping("payments", PAYMENT_HEADERS)
    preview = admin.imports.check("payments", path, mapping)
    assert _as_reported(preview) == ([(2, "received_on", 1), *[(row, "amount", 2) for row in range(1103, 1202)]],
                                     1200, 1100)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("payments", path, mapping, chunk_rows=100)
    assert _as_reported(info.value.check) == _as_reported(preview)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Payment.id)).all() == []


def test_a_rejected_import_reports_a_contact_twin_of_an_earlier_block(admin, db, customers, tmp_path):
    """A twin 600 rows after its first (another block of rows) is told by the rejected import as by the preview."""
    rows = [CONTACT_HEADERS, ["没有这家公司", "王五", "13900000009"], ["甲公司", "李四", "13900000002"],
            *[["乙公司", f"联系人{i}", f"1380000{i:04d}"] for i in range(600)], ["甲公司", "李四", "13900000002"]]
    path = write_csv(tmp_path / "contacts.csv", rows)
    mapping = admin.imports.auto_mapping("contacts", CONTACT_HEADERS)
    preview = admin.imports.check("contacts", path, mapping)
    assert [(e.row, e.field) for e in preview.errors] == [(2, "customer_id"), (604, "name")]
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("contacts", path, mapping, chunk_rows=100)
    assert _as_reported(info.value.check) == _as_reported(preview)
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Contact.id)).all()) == 1
