"""End to end through the services: a salesman signed in with his own database login."""

from __future__ import annotations

import pytest

from crm_core.errors import CrmError

pytestmark = pytest.mark.security


@pytest.fixture
def salesmen(secure_db):
    users = {who: secure_db.add_user(who, "sales") for who in ("sales1", "sales2")}
    admin = secure_db.session("admin")
    admin.customers.create({"name": "上海海纳贸易有限公司", "owner_id": users["sales2"]["id"]})
    admin.customers.create({"name": "北京星辰软件有限公司", "owner_id": users["sales1"]["id"]})
    return users


def test_a_salesman_lists_only_his_customers_and_creates_one_as_himself(secure_db, salesmen):
    session = secure_db.session("sales1")
    assert [c["name"] for c in session.customers.list().rows] == ["北京星辰软件有限公司"]
    created = session.customers.create({"name": "广州远航物流有限公司", "phone": "13912345678"})
    assert created["owner_id"] == salesmen["sales1"]["id"]
    assert created["code"].startswith("C")
    assert [c["name"] for c in session.customers.search("远航").rows] == ["广州远航物流有限公司"]
    with secure_db.superuser() as su:
        grams = su.execute("SELECT count(*) FROM customer_search_grams WHERE customer_id = %s", (created["id"],))
        assert grams.fetchone()[0] > 0
        logged = su.execute("SELECT actor_login FROM audit_log WHERE module = 'customers' AND record_id = %s",
                            (created["id"],)).fetchall()
        trail = su.execute("SELECT DISTINCT actor FROM audit_trail WHERE table_name = 'customers' "
                           "AND row_id = %s", (created["id"],)).fetchall()
    assert logged == [("sales1",)]
    assert trail == [("sales1",)]  # the database's own record: session_user, not what the client says


def test_a_salesman_cannot_reach_another_owners_customer_through_the_services(secure_db, salesmen):
    session = secure_db.session("sales1")
    with secure_db.superuser() as su:
        theirs = su.execute("SELECT id FROM customers WHERE owner_id = %s",
                            (salesmen["sales2"]["id"],)).fetchone()[0]
    with pytest.raises(CrmError):
        session.customers.get(theirs)
    with pytest.raises(CrmError):
        session.contacts.create({"customer_id": theirs, "name": "王五"})


def test_a_login_typed_with_capitals_signs_in_as_its_lower_case_role(secure_db):
    user = secure_db.add_user("li.wei", "sales")
    session = secure_db.session("Li.Wei")  # as typed in the sign-in window
    assert session.actor.user_id == user["id"]


def test_an_engineer_cannot_read_the_phone_digits_inside_the_search_text(secure_db, salesmen):
    import psycopg

    secure_db.add_user("engineer1", "engineer")
    conn = secure_db.connect("engineer1")
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 2  # he sees the customers ...
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT search_text FROM customers")  # ... but not the phone digits in their search text


def test_the_sign_in_window_slows_down_after_failed_database_logins(secure_db, monkeypatch):
    import datetime as dt

    from crm_core import auth
    from crm_core.errors import AuthenticationFailed

    now = [dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    secure_db.add_user("sales9", "sales")
    for _ in range(auth.FREE_FAILURES):
        with pytest.raises(AuthenticationFailed) as exc:
            secure_db.session("sales9", "wrong-password")
        assert exc.value.retry_after is None
    with pytest.raises(AuthenticationFailed) as exc:
        secure_db.session("Sales9", "wrong-password")  # the same login, however typed
    assert exc.value.retry_after == 30
    with pytest.raises(AuthenticationFailed):
        secure_db.session("sales9")  # the right password waits too
    now[0] += dt.timedelta(seconds=31)
    assert secure_db.session("sales9").actor.login == "sales9"


def test_sorting_by_a_column_the_role_may_not_read_is_a_clear_refusal(secure_db, salesmen):
    from crm_core.errors import PermissionDenied
    from crm_core.lists import ListQuery

    secure_db.add_user("engineer2", "engineer")
    engineer = secure_db.session("engineer2")
    assert len(engineer.customers.list(ListQuery(sort=("name",))).rows) == 2
    with pytest.raises(PermissionDenied) as exc:
        engineer.customers.list(ListQuery(sort=("phone",)))  # the server keeps the full numbers from him
    # The service refuses first, naming the field; the server would refuse too.
    assert exc.value.text("en") == "'Phone' is masked for your role and cannot be used to sort by."


def test_a_manager_merges_and_undoes_with_his_own_database_login(secure_db):
    import datetime as dt

    secure_db.add_user("manager1", "manager")
    manager = secure_db.session("manager1")
    keep = manager.customers.create({"name": "北京星辰软件有限公司"})
    gone = manager.customers.create({"name": "北京星辰软件"})
    contact = manager.contacts.create({"customer_id": gone["id"], "name": "陈静"})
    manager.contracts.create({"number": "HT-1", "customer_id": gone["id"], "signed_on": dt.date.today(),
                              "amount": "10.00"})
    manager.customers.merge(keep["id"], gone["id"], keep_version=keep["version"], merge_version=gone["version"])
    assert manager.contacts.get(contact["id"])["customer_id"] == keep["id"]
    back = manager.customers.undo_merge(manager.customers.merges(keep["id"])[0]["id"])
    assert back["is_active"] and manager.contacts.get(contact["id"])["customer_id"] == gone["id"]
