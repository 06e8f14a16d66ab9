"""A payment row repeating a recorded one is recognised however the sheet writes the contract, date and amount
(thousands separators, ¥ and 元, 2026/3/5, 2026年3月5日, 20260305, Excel dates and floats such as 0.1 + 0.2),
not when the recorded one is deactivated, and never through a contract the importer may not see (from the
reviewer's scratch tests of branch importkey)."""

from __future__ import annotations

import datetime as dt

from tests.integration.test_import_helpers import write_csv, write_xlsx

HEADERS = ["合同", "回款日期", "回款金额"]


def _contract(admin, make_customer, amount="99999999.99"):
    return admin.contracts.create({"number": "HT-1", "customer_id": make_customer()["id"],
                                   "signed_on": dt.date(2026, 3, 1), "amount": amount, "title": "t"})


def _pay(admin, contract, amount, day=5):
    return admin.payments.create({"contract_id": contract["id"], "received_on": dt.date(2026, 3, day), "amount": amount})


def test_a_repeat_is_recognised_in_the_forms_offices_type(admin, make_customer, tmp_path):
    contract = _contract(admin, make_customer)
    _pay(admin, contract, "1000.00")
    mapping = admin.imports.auto_mapping("payments", HEADERS)
    path = write_csv(tmp_path / "p.csv", [HEADERS, ["HT-1", "2026/3/5", "1,000.00"], ["HT-1", "2026-03-05", "1000"],
                                          ["HT-1", "2026年3月5日", "¥1000"], ["ht-1", "2026-03-05", "1000.0"],
                                          ["HT-1 ", "20260305", "1000元"]])
    assert [(e.row, e.field) for e in admin.imports.check("payments", path, mapping).errors] == \
        [(row, "amount") for row in range(2, 7)]
    xlsx = write_xlsx(tmp_path / "p.xlsx", [HEADERS, ["HT-1", dt.datetime(2026, 3, 5), 1000],
                                            ["HT-1", dt.date(2026, 3, 5), 1000.0]])
    assert [(e.row, e.field) for e in admin.imports.check("payments", xlsx, mapping).errors] == [(2, "amount"),
                                                                                                 (3, "amount")]


def test_odd_amounts_and_excel_floats_are_recognised(admin, make_customer, tmp_path):
    contract = _contract(admin, make_customer)
    for amount in ("12345678.91", "0.30", "1234.5"):
        _pay(admin, contract, amount)
    mapping = admin.imports.auto_mapping("payments", HEADERS)
    path = write_csv(tmp_path / "p.csv", [HEADERS, ["HT-1", "2026-03-05", "12,345,678.91"], ["HT-1", "2026-03-05", "0.3"],
                                          ["HT-1", "2026-03-05", "1234.50"]])
    assert [e.row for e in admin.imports.check("payments", path, mapping).errors] == [2, 3, 4]
    xlsx = write_xlsx(tmp_path / "p.xlsx", [HEADERS, ["HT-1", dt.date(2026, 3, 5), 12345678.91],
                                            ["HT-1", dt.date(2026, 3, 5), 0.1 + 0.2],
                                            ["HT-1", dt.date(2026, 3, 5), 1234.5]])
    errors = admin.imports.check("payments", xlsx, mapping).errors
    assert [e.row for e in errors] == [2, 3, 4]
    assert errors[1].message.en.startswith("Amount: '0.30': a payment with the same contract 'HT-1'")


def test_a_deactivated_payment_is_not_a_repeat(admin, make_customer, tmp_path):
    contract = _contract(admin, make_customer)
    payment = _pay(admin, contract, "1000.00")
    admin.payments.deactivate(payment["id"], "录错了", version=payment["version"])
    path = write_csv(tmp_path / "p.csv", [HEADERS, ["HT-1", "2026-03-05", "1000"]])
    check = admin.imports.check("payments", path, admin.imports.auto_mapping("payments", HEADERS))
    assert (check.errors, check.valid_rows) == ([], 1)


def test_another_salespersons_payment_is_told_as_a_contract_not_found(admin, login, tmp_path):
    mine, other = login("sales1"), login("sales2")
    customer = mine.customers.create({"name": "乙公司"})
    contract = mine.contracts.create({"number": "HT-9", "customer_id": customer["id"], "signed_on": dt.date(2026, 3, 1),
                                      "amount": "100000.00", "title": "t"})
    _pay(admin, contract, "1000.00")
    path = write_csv(tmp_path / "p.csv", [HEADERS, ["HT-9", "2026-03-05", "1000"]])
    [error] = other.imports.check("payments", path, other.imports.auto_mapping("payments", HEADERS)).errors
    assert (error.row, error.field) == (2, "contract_id")
    assert error.message.en == "Contract: 'HT-9' does not exist or is not yours (give the name)"
    [error] = mine.imports.check("payments", path, mine.imports.auto_mapping("payments", HEADERS)).errors
    assert (error.row, error.field) == (2, "amount")
