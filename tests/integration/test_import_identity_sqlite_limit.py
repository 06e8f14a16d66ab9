"""A contacts file of one customer with more names than a statement may bind (SQLite's SQLITE_LIMIT_VARIABLE_NUMBER:
32766 on current builds, 999 on old ones): the identity look-up and the twin rule split their name lists by the
connection's own limit instead of failing with "too many SQL variables". Lowered to 999 here, with 1,200 names."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户", "姓名", "电话"]


@pytest.fixture
def low_limit(admin, db, backend):
    if backend != "sqlite":
        pytest.skip("SQLite's variable limit")

    def lower(dbapi_conn, _record):
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    for engine in {admin.db.engine, db.engine}:
        event.listen(engine, "connect", lower)
        engine.dispose()  # (new connections take the lower limit)


@pytest.mark.parametrize("update_by_key", [True, False])
def test_a_customers_1200_contacts_are_checked_and_imported_under_a_999_variable_limit(admin, make_customer, tmp_path,
                                                                                       low_limit, update_by_key):
    a = make_customer("甲公司")
    admin.contacts.create({"customer_id": a["id"], "name": "人0", "phone": "13900000000"})
    path = write_csv(tmp_path / "c.csv", [HEADERS, *(["甲公司", f"人{i}", f"139{i:08d}"] for i in range(1200)),
                                          ["甲公司", "人5", "13900000005"]])  # a twin within the file: row 1202
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    check = admin.imports.check("contacts", path, mapping, update_by_key=update_by_key)
    assert [(e.row, e.field) for e in check.errors] == ([(1202, "name")] if update_by_key else
                                                        [(2, "name"), (1202, "name")])
    assert len(check.updates) == (1 if update_by_key else 0)
    result = admin.imports.run("contacts", path, mapping, update_by_key=update_by_key, preview=check, only_valid=True)
    assert result.created == 1199
