"""Columns a role may not read are not read: records show masks computed by the server."""

from __future__ import annotations

import pytest
from psycopg import errors

from crm_core.lists import ListQuery
from crm_core.metadata import Field, FieldType
from crm_core.i18n import Text
from crm_core.services import values as val

pytestmark = pytest.mark.security

ID_NUMBER = "11010519491231002X"
PHONES = ["13812345678", "010-12345678", "010-12345678-123", "0755-1234567-1", "400-123-4567-12",
          "12345", "123", "1", "", "+8613812345678", "13812345678-9"]
IDS = [ID_NUMBER, "110105194912310021", "1234567", "12", "A"]


def _field(sensitivity: str) -> Field:
    return Field("x", Text("x", "x"), FieldType.TEXT, sensitive=sensitivity)


def test_the_servers_masks_are_the_apps(secure_db) -> None:
    su = secure_db.superuser()
    for sensitivity, samples in (("phone", PHONES), ("id_number", IDS), ("private", ["35", "某某路 1 号"])):
        for value in samples:
            theirs = su.execute("SELECT crm_mask_value(%s, %s)", (sensitivity, value)).fetchone()[0]
            assert theirs == val.mask(_field(sensitivity), value), (sensitivity, value)


def test_an_engineer_reads_phones_masked_without_reading_the_column(secure_db) -> None:
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "北京星辰软件有限公司", "phone": "13812345678"})
    secure_db.add_user("eng1", "engineer")
    # search_text holds phone digits: a role that reads phones masked must not read it either.
    secure_db.superuser().execute("REVOKE SELECT (search_text) ON customers FROM crm_engineer")
    for column in ("phone", "search_text"):
        with pytest.raises(errors.InsufficientPrivilege):  # the database itself refuses the column
            secure_db.connect("eng1").execute(f"SELECT {column} FROM customers")
    engineer = secure_db.session("eng1")

    record = engineer.customers.get(customer["id"])
    assert record["phone"] == "138****5678" and "phone" in record["_masked"]
    [row] = [r for r in engineer.customers.list().rows if r["id"] == customer["id"]]
    assert row["phone"] == "138****5678"
    users = {u["login"]: u for u in engineer.users.list().rows}
    assert users["admin"]["phone"] == "138****0000" and users["admin"]["age"] is None

    # Search works by name (also for 3+ characters, which use search_text for other roles) ...
    assert [r["id"] for r in engineer.customers.search("星辰软件").rows] == [customer["id"]]
    assert [r["id"] for r in engineer.customers.search("星辰").rows] == [customer["id"]]
    # ... and the phone's digits find nothing.
    assert engineer.customers.search("12345678").rows == []


def test_sales_sends_a_masked_id_number_back_and_the_real_one_stays(secure_db) -> None:
    secure_db.add_user("sales1", "sales")
    sales = secure_db.session("sales1")
    customer = sales.customers.create({"name": "上海云帆信息技术有限公司"})
    contact = sales.contacts.create({"customer_id": customer["id"], "name": "张三", "id_number": ID_NUMBER})
    assert contact["id_number"] == "**************002X" and contact["_masked"] == ["id_number"]

    changed = sales.contacts.update(contact["id"], {**{k: contact[k] for k in ("name", "id_number", "phone")},
                                                    "name": "张三丰"}, version=contact["version"])
    assert changed["name"] == "张三丰" and changed["id_number"] == "**************002X"
    real = secure_db.superuser().execute("SELECT id_number FROM contacts WHERE id = %s", (contact["id"],)).fetchone()[0]
    assert real == ID_NUMBER
    page = sales.contacts.list(ListQuery(filters={"customer_id": customer["id"]}))
    assert [r["id_number"] for r in page.rows] == ["**************002X"]


def test_crm_masked_serves_declared_columns_of_visible_rows_only(secure_db) -> None:
    admin = secure_db.session("admin")
    theirs = admin.customers.create({"name": "广州海纳贸易有限公司", "phone": "13812345678"})
    secure_db.add_user("eng1", "engineer")
    secure_db.add_user("sales1", "sales")
    engineer, sales = secure_db.connect("eng1"), secure_db.connect("sales1")

    assert engineer.execute("SELECT value FROM crm_masked('customers', 'phone', ARRAY[%s]::bigint[])",
                            (theirs["id"],)).fetchall() == [("138****5678",)]
    # Not a declared sensitive column: no way round the column privileges through it.
    with pytest.raises(errors.InvalidParameterValue):
        engineer.execute("SELECT * FROM crm_masked('users', 'password_hash', ARRAY[1]::bigint[])")
    # Row-level security holds inside it: a sales user gets nothing of another owner's customer.
    assert sales.execute("SELECT * FROM crm_masked('customers', 'phone', ARRAY[%s]::bigint[])",
                         (theirs["id"],)).fetchall() == []
    # A table the role may not read at all.
    with pytest.raises(errors.InsufficientPrivilege):
        engineer.execute("SELECT * FROM crm_masked('contacts', 'id_number', ARRAY[1]::bigint[])")
