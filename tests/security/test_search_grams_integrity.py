"""The search grams without a foreign key (revision 0012): raw SQL with a user's own login.

On PostgreSQL two triggers replace the grams' foreign key (checked once per entry, half of an
import's write time). Each test is what the key promised, attacked with psycopg and the
user's own credentials, and what the office then observes (as the superuser).
"""

from __future__ import annotations

import threading

import pytest
from psycopg import errors

from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv

pytestmark = pytest.mark.security

REFUSED = (errors.InsufficientPrivilege, errors.ForeignKeyViolation)


def _grams(secure_db, customer_id: int) -> int:
    with secure_db.superuser() as su:
        return su.execute("SELECT count(*) FROM customer_search_grams WHERE customer_id = %s",
                          (customer_id,)).fetchone()[0]


@pytest.fixture
def office(secure_db):
    return {who: secure_db.add_user(who, role) for who, role in
            [("sales1", "sales"), ("sales2", "sales"), ("mgr1", "manager")]}


def _customer_with_contact(secure_db, owner_id: int) -> int:
    admin = secure_db.session("admin")
    customer = admin.customers.create({"name": "北京星辰软件有限公司", "phone": "13912345678",
                                       "email": "xingchen@example.com", "owner_id": owner_id})
    admin.contacts.create({"customer_id": customer["id"], "name": "张三丰", "phone": "13800001111"})
    return customer["id"]


@pytest.mark.parametrize("who", ["sales1", "mgr1", "admin"])
def test_deleting_a_customer_with_raw_sql_leaves_none_of_its_grams(secure_db, office, who):
    customer = _customer_with_contact(secure_db, office["sales1"]["id"])
    with secure_db.superuser() as su:
        kinds = {r[0] for r in su.execute("SELECT DISTINCT kind FROM customer_search_grams WHERE customer_id = %s",
                                          (customer,))}
    assert kinds == {"n", "s", "c", "p", "q"}  # the name's first pair, contact names and phones too, which not every role may read
    with secure_db.connect(who) as conn:
        conn.execute("DELETE FROM contacts WHERE customer_id = %s", (customer,))
        assert conn.execute("DELETE FROM customers WHERE id = %s", (customer,)).rowcount == 1
    assert _grams(secure_db, customer) == 0


def test_a_salesman_cannot_delete_another_owners_customer_nor_its_grams(secure_db, office):
    customer = _customer_with_contact(secure_db, office["sales2"]["id"])
    before = _grams(secure_db, customer)
    with secure_db.connect("sales1") as sales:
        assert sales.execute("DELETE FROM customers WHERE id = %s", (customer,)).rowcount == 0
        assert sales.execute("DELETE FROM customer_search_grams WHERE customer_id = %s", (customer,)).rowcount == 0
    assert before > 0 and _grams(secure_db, customer) == before


@pytest.mark.parametrize("who", ["admin", "mgr1", "sales1"])
def test_nobody_can_plant_grams_of_a_customer_that_does_not_exist(secure_db, office, who):
    mine = secure_db.session(who).customers.create({"name": "广州远航物流有限公司"})["id"]
    with secure_db.superuser() as su:
        future = su.execute("SELECT max(id) + 1 FROM customers").fetchone()[0]  # the next customer's id
    with secure_db.connect(who) as conn:
        with pytest.raises(REFUSED):
            conn.execute("INSERT INTO customer_search_grams (gram, kind, customer_id) VALUES ('星辰', 'n', %s)",
                         (future,))
        with pytest.raises(REFUSED):  # nor hidden among entries of a real customer
            conn.execute("INSERT INTO customer_search_grams (gram, kind, customer_id) VALUES ('zz', 'n', %s), "
                         "('zz', 'n', %s)", (mine, future + 1000))
    assert _grams(secure_db, future) == 0 and _grams(secure_db, future + 1000) == 0
    with secure_db.superuser() as su:
        assert su.execute("SELECT count(*) FROM customer_search_grams WHERE gram = 'zz'").fetchone()[0] == 0


def test_a_salesman_cannot_plant_grams_of_another_owners_customer(secure_db, office):
    customer = _customer_with_contact(secure_db, office["sales2"]["id"])
    with secure_db.connect("sales1") as sales, pytest.raises(REFUSED):
        sales.execute("INSERT INTO customer_search_grams (gram, kind, customer_id) VALUES ('zz', 'n', %s)",
                      (customer,))


def test_grams_written_while_their_customer_is_deleted_do_not_survive_it(secure_db, office):
    """The foreign key locked the customer per entry; the check locks it once per statement."""
    customer = _customer_with_contact(secure_db, office["sales1"]["id"])
    writer = secure_db.connect("admin", autocommit=False)
    writer.execute("INSERT INTO customer_search_grams (gram, kind, customer_id) VALUES ('zz', 'n', %s)", (customer,))
    deleted: list[int] = []

    def delete() -> None:
        with secure_db.connect("mgr1") as conn:
            conn.execute("DELETE FROM contacts WHERE customer_id = %s", (customer,))
            deleted.append(conn.execute("DELETE FROM customers WHERE id = %s", (customer,)).rowcount)

    other = threading.Thread(target=delete)
    other.start()
    other.join(1.0)
    assert other.is_alive()  # the delete waits for the writer's transaction
    writer.commit()
    other.join(30)
    assert deleted == [1] and _grams(secure_db, customer) == 0


def test_an_undone_import_leaves_no_grams(secure_db, office, tmp_path):
    sales = secure_db.session("sales1")
    path = write_csv(tmp_path / "mine.csv", [CUSTOMER_HEADERS] + [customer_row(i) for i in range(3)])
    mapping = sales.imports.auto_mapping("customers", CUSTOMER_HEADERS)
    mapping[7] = None  # a salesperson imports customers as his own
    batch = sales.imports.run("customers", path, mapping).batch_id
    with secure_db.superuser() as su:
        ids = [r[0] for r in su.execute("SELECT record_id FROM import_batch_records WHERE batch_id = %s", (batch,))]
    assert len(ids) == 3 and all(_grams(secure_db, i) > 0 for i in ids)
    assert sales.imports.undo(batch) == 3
    assert [_grams(secure_db, i) for i in ids] == [0, 0, 0]
