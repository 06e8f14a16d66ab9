"""A payments sheet imported by two users at once: the repeat of a recorded payment is decided again when the
rows are written, under the contracts' locks, as the outstanding amount is; the second import is refused row by
row instead of doubling the contracts' received figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from crm_core.importing import writer
from crm_core.importing.service import ImportRejected
from crm_core.models import Payment
from tests.integration.test_import_helpers import write_csv

HEADERS = ["合同", "回款日期", "回款金额"]


@pytest.fixture(autouse=True)
def no_endless_lock_waits(admin, backend):
    if backend == "postgresql":
        event.listen(admin.db.engine, "begin", lambda conn: conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'"))


@pytest.mark.parametrize("chunk_rows", [None, 2])
def test_a_sheet_imported_by_two_users_at_once_is_written_once(admin, db, login, make_customer, tmp_path,
                                                               monkeypatch, chunk_rows):
    contract = admin.contracts.create({"number": "HT-1", "customer_id": make_customer()["id"],
                                       "signed_on": dt.date(2026, 3, 1), "amount": "100000.00", "title": "t"})
    # the same payment twice in the sheet: the file's own repeats stay allowed, also across chunks
    path = write_csv(tmp_path / "payments.csv", [HEADERS, ["HT-1", "2026-03-05", "100"], ["HT-1", "2026-03-05", "100"],
                                                 ["HT-1", "2026-04-05", "250.50"]])
    colleague = login("manager1")
    real = writer._write_chunk
    raced: list[int] = []

    def the_colleague_imports_first(*args, **kwargs):  # our rows are checked; his import of the sheet commits
        if not raced:
            raced.append(0)  # (his own chunks are written as they come)
            raced[0] = colleague.imports.run("payments", path, colleague.imports.auto_mapping("payments", HEADERS),
                                             chunk_rows=chunk_rows).created
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_write_chunk", the_colleague_imports_first)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("payments", path, admin.imports.auto_mapping("payments", HEADERS), chunk_rows=chunk_rows)
    assert raced == [3]
    errors = info.value.check.errors
    assert errors and {(e.field, e.column) for e in errors} == {("amount", 2)}
    assert errors[0].message.en == (
        "Amount: '100.00': a payment with the same contract 'HT-1', received on '2026-03-05', amount '100.00' is "
        "already recorded; this row is most likely the same payment imported again and is not imported. If it "
        "really is another payment, add it on its own from the contract")
    assert errors[0].message.zh.startswith("回款金额：“100.00”：已有一笔合同“HT-1”，回款日期“2026-03-05”")
    assert admin.contracts.get(contract["id"])["received"] == Decimal("450.50")
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(Payment.id)).all()) == 3
