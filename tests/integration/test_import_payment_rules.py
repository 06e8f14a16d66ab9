"""New payments written in bulk (the importer, BulkWriter.insert): a payment within what its contract still has
outstanding is decided over the whole chunk, each row seeing the earlier ones, in the write transaction with the
contracts locked; the checks before it (in read sessions left open while the rows are written) take no lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from crm_core import ValidationError
from crm_core.bulk import BulkWriter
from crm_core.importing import writer
from crm_core.importing.service import ImportRejected
from crm_core.models import Payment
from tests.integration.test_import_helpers import write_csv

SIGNED = dt.date(2026, 3, 1)
HEADERS = ["合同", "回款日期", "回款金额"]


@pytest.fixture(autouse=True)
def no_endless_lock_waits(admin, backend):
    """PostgreSQL: a wait on a lock fails after 10 s instead of hanging the suite (a contract held FOR UPDATE by
    the importer's read session kept the write's COPY waiting for ever, and the import with it)."""
    if backend == "postgresql":
        event.listen(admin.db.engine, "begin", lambda conn: conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'"))


@pytest.fixture
def contract(admin, make_customer):
    customer = make_customer()

    def _new(number: str, amount: str) -> dict:
        return admin.contracts.create({"number": number, "customer_id": customer["id"], "signed_on": SIGNED,
                                       "amount": amount, "title": "t"})
    return _new


def _file(tmp_path, rows: list[tuple[str, str]]):
    return write_csv(tmp_path / "payments.csv", [HEADERS, *[[n, SIGNED.isoformat(), a] for n, a in rows]])


def _payments(db, contract_id: int) -> list[Decimal]:
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(Payment.amount).where(Payment.contract_id == contract_id)))


def test_a_payments_import_completes_while_its_rows_are_checked(admin, contract, tmp_path):
    """The rows' check (a read session kept open while the worker writes) must hold no lock the write needs
    (PostgreSQL: a contract held FOR UPDATE there kept the COPY's foreign-key check waiting for ever)."""
    a, b = contract("HT-1", "1000.00"), contract("HT-2", "1000.00")
    path = _file(tmp_path, [("HT-1", "100.00"), ("HT-2", "200.00"), ("HT-1", "300.00")])
    result = admin.imports.run("payments", path, admin.imports.auto_mapping("payments", HEADERS))
    assert result.created == 3
    assert [admin.contracts.get(c["id"])["received"] for c in (a, b)] == [Decimal("400.00"), Decimal("200.00")]


@pytest.mark.parametrize("chunk_rows", [None, 1])  # the two rows in one chunk, or the second in a later chunk
def test_two_rows_exceeding_their_contract_together_are_refused_with_row_field_and_values(
        admin, db, contract, tmp_path, chunk_rows):
    c = contract("HT-1", "1000.00")
    path = _file(tmp_path, [("HT-1", "600.00"), ("HT-1", "600.00")])
    mapping = admin.imports.auto_mapping("payments", HEADERS)
    preview = admin.imports.check("payments", path, mapping)  # the file's earlier rows count in the preview
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("payments", path, mapping, chunk_rows=chunk_rows)
    for check in (preview, info.value.check):
        [error] = check.errors
        assert (error.row, error.field, error.column) == (3, "amount", HEADERS.index("回款金额"))
        assert error.message.zh == "回款金额：“600.00”超出合同未回款余额 400.00"
        assert error.message.en == "Amount: '600.00' more than the 400.00 still outstanding on the contract"
    assert _payments(db, c["id"]) == []
    # what the service says to the same two payments, one after the other
    admin.contracts.record_payment(c["id"], {"received_on": SIGNED, "amount": "600.00"})
    with pytest.raises(ValidationError) as one:
        admin.contracts.record_payment(c["id"], {"received_on": SIGNED, "amount": "600.00"})
    assert [(e.field, e.code) for e in one.value.errors] == [("amount", "over_contract")]


@pytest.mark.parametrize("validate", [True, False])
def test_two_payments_exceeding_their_contract_together_are_refused_by_bulk_insert(admin, db, contract, validate):
    c, other = contract("HT-1", "1000.00"), contract("HT-2", "1000.00")
    rows = [{"contract_id": c["id"], "received_on": SIGNED, "amount": Decimal("600.00")},
            {"contract_id": other["id"], "received_on": SIGNED, "amount": "100.00"},
            {"contract_id": c["id"], "received_on": SIGNED.isoformat(), "amount": "600.00"}]  # text: parsed
    with pytest.raises(ValidationError) as info:
        BulkWriter(db, admin.actor).insert("payments", rows, validate=validate)
    [error] = info.value.errors
    assert (error.row, error.field, error.code) == (2, "amount", "over_contract")
    assert "400.00" in error.message.zh and "400.00" in error.message.en
    assert _payments(db, c["id"]) == _payments(db, other["id"]) == []


def test_a_contract_lowered_between_the_check_and_the_write_refuses_the_payment(admin, db, contract, tmp_path,
                                                                                  monkeypatch):
    """The row passes its check; then a colleague lowers the contract's amount below it; the write, holding the
    contract locked, decides the rule again against the amount now stored; nothing of the import is kept."""
    c = contract("HT-1", "1000.00")
    path = _file(tmp_path, [("HT-1", "600.00")])
    real, raced = writer._write_chunk, []

    def the_contract_is_lowered_first(*args, **kwargs):  # the chunk was checked and staged
        admin.contracts.update(c["id"], {"amount": "500.00"}, version=admin.contracts.get(c["id"])["version"])
        raced.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_write_chunk", the_contract_is_lowered_first)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("payments", path, admin.imports.auto_mapping("payments", HEADERS))
    assert raced == [True]
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (2, "amount", HEADERS.index("回款金额"))
    assert error.message.en == "Amount: '600.00' more than the 500.00 still outstanding on the contract"
    got = admin.contracts.get(c["id"])
    assert (got["amount"], got["received"]) == (Decimal("500.00"), Decimal("0.00"))


@pytest.mark.parametrize("chunk_rows", [None, 1])
def test_only_the_valid_rows_skips_the_row_the_files_earlier_rows_push_over_the_contract(admin, db, contract,
                                                                                         tmp_path, chunk_rows):
    """Checked while it writes, each block of rows is checked by the rule at once, the file's earlier rows
    counted: the row over the contract is reported with its field and value and left out, the others kept."""
    c = contract("HT-1", "1000.00")
    path = _file(tmp_path, [("HT-1", "600.00"), ("HT-1", "600.00"), ("HT-1", "400.00")])
    result = admin.imports.run("payments", path, admin.imports.auto_mapping("payments", HEADERS), only_valid=True,
                               chunk_rows=chunk_rows)
    assert (result.created, result.skipped) == (2, 1)
    [error] = result.errors
    assert (error.row, error.field, error.column) == (3, "amount", HEADERS.index("回款金额"))
    assert error.message.zh == "回款金额：“600.00”超出合同未回款余额 400.00"
    assert error.message.en == "Amount: '600.00' more than the 400.00 still outstanding on the contract"
    assert sorted(_payments(db, c["id"])) == [Decimal("400.00"), Decimal("600.00")]
