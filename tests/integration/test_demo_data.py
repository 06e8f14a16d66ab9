"""Demo data (crm_core.demo): every module filled, reproducible, and true to the business rules.

Tests that take ``db`` / ``profile`` run on SQLite and PostgreSQL; the plan test needs no database.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from sqlalchemy import text

from crm_core import ListQuery, connect
from crm_core.db.engine import Database
from crm_core.demo import DEFAULT_PASSWORD, DatabaseNotEmpty, demo_users, generate
from crm_core.services.codes import office_today
from crm_core.session import open_database
from crm_core.validation import check_id_number

CUSTOMERS = 30


@pytest.fixture
def another_db(backend, request, tmp_path):
    """A second fresh database on the same backend (to compare two runs)."""
    from crm_core.config import Profile

    if backend == "sqlite":
        path = tmp_path / "second.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = open_database(Profile(name="second", backend="sqlite", path=str(path)), upgrade=False)
        yield database
        database.dispose()
        return
    server = request.getfixturevalue("pg_server")
    name = f"crm_test_second_{os.getpid()}"
    with server["admin"].connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{server["template"]}"'))
    url = server["url"]
    database = open_database(Profile(name="second", backend="postgresql", host=url.host or "127.0.0.1",
                                     port=url.port or 5432, database=name, sslmode="disable",
                                     db_user=url.username), upgrade=False)
    yield database
    database.dispose()
    with server["admin"].connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def demo(db, profile):
    """A database with a small demo data set; yields (counts, admin session)."""
    counts = generate(db, customers=CUSTOMERS)
    session = connect(profile, "admin", DEFAULT_PASSWORD, upgrade=False)
    yield counts, session
    session.close()


def _fingerprint(db: Database) -> dict[str, list]:
    """What must be identical for the same seed: names, codes, numbers and amounts."""
    with db.unit_of_work(write=False) as s:
        q = lambda sql: [tuple(r) for r in s.execute(text(sql))]  # noqa: E731
        return {
            "customers": q("SELECT code, name, level, industry, phone FROM customers ORDER BY code"),
            "contracts": q("SELECT number, amount, signed_on FROM contracts ORDER BY number"),
            "payments": q("SELECT amount, received_on FROM payments ORDER BY id"),
            "licenses": q("SELECT serial, seats, valid_until FROM licenses ORDER BY serial"),
            "users": q("SELECT login, name, role FROM users ORDER BY login"),
            "contacts": q("SELECT name, phone, id_number FROM contacts ORDER BY id"),
        }


def test_every_module_gets_records_and_every_role_gets_users(demo):
    counts, admin = demo
    assert counts["customers"] == CUSTOMERS
    assert {k for k, n in counts.items() if n == 0} == set(), counts
    users = admin.users.list(ListQuery(limit=100)).rows
    by_role: dict[str, list[str]] = {}
    for u in users:
        by_role.setdefault(u["role"], []).append(u["login"])
    assert {r: len(v) for r, v in by_role.items()} == {"admin": 1, "manager": 2, "sales": 6, "service": 3, "engineer": 4}
    assert "admin" in by_role["admin"]
    assert all(login.isascii() and login.islower() for login in sum(by_role.values(), []))


def test_every_variant_a_demo_needs_is_there(demo):
    """Statuses, stages and dates that the screens and reports must be able to show."""
    _, admin = demo
    for status in ("open", "in_progress", "resolved", "closed"):
        assert admin.tickets.count(ListQuery(filters={"status": status})) > 0, status
    for stage in ("lead", "qualified", "proposal", "negotiation", "won"):
        assert admin.opportunities.count(ListQuery(filters={"stage": stage})) > 0, stage
    for status in ("prospect", "interested", "won", "lost"):
        assert admin.customers.count(ListQuery(filters={"status": status})) > 0, status
    today = office_today()
    licenses = admin.licenses.list(ListQuery(limit=500, include_inactive=True)).rows
    assert any(lic["is_trial"] for lic in licenses)
    assert any(lic["expired"] for lic in licenses)
    until = [(lic["valid_until"] - today).days for lic in licenses if lic["valid_until"] and not lic["expired"]]
    assert any(d <= 30 for d in until) and any(30 < d <= 60 for d in until) and any(60 < d <= 90 for d in until)
    due = admin.followups.due(mine=False).rows
    assert any(f["next_due_on"] == today for f in due) and any(f["next_due_on"] < today for f in due)
    contracts = admin.contracts.list(ListQuery(limit=500)).rows
    assert any(c["outstanding"] == 0 for c in contracts)
    assert any(c["outstanding"] > 0 and c["payment_due_on"] < today for c in contracts)  # overdue
    closed = admin.tickets.list(ListQuery(filters={"status": "closed"}, limit=500)).rows
    assert all(t["resolved_at"] > t["created_at"] and t["closed_at"] >= t["resolved_at"] for t in closed)
    assert any(t["satisfaction"] for t in closed)
    # history spreads over about two years, nothing in the future
    created = [c["created_at"] for c in admin.customers.list(ListQuery(limit=500)).rows]
    now = dt.datetime.now(dt.timezone.utc)
    assert min(created) < now - dt.timedelta(days=180) and max(created) <= now


def test_the_same_seed_gives_the_same_data(db, another_db):
    generate(db, customers=CUSTOMERS)
    generate(another_db, customers=CUSTOMERS)
    first, second = _fingerprint(db), _fingerprint(another_db)
    assert first == second
    assert len(first["customers"]) == CUSTOMERS and first["contracts"]


def test_the_plan_does_not_depend_on_the_time_of_day():
    """Runs at 09:00 and at 17:00 of the same day plan the same names, numbers and amounts."""
    import random

    from crm_core.demo_plan import Counters, Env, plan_customer

    codes = {"industry": ["manufacturing", "retail", "it"], "company_category": ["joint_stock", "llc"],
             "source": ["referral"], "customer_type": ["enterprise"], "followup_method": ["phone"],
             "severity": ["critical", "major", "minor"], "payment_method": ["bank_transfer", "cash"]}
    roles = {"sales": 6, "service": 3, "engineer": 4}
    today = dt.date(2026, 11, 22)

    def plans(hour: int) -> list:
        latest = dt.datetime.combine(today, dt.time(hour)).astimezone()
        env, counters = Env(today, latest, codes, roles), Counters()
        out = []
        for i in range(300):
            p = plan_customer(random.Random(f"1:customer:{i}"), env, counters)
            out.append((p.values, [(k.values["number"], k.values["amount"], [x.values["amount"] for x in k.payments])
                                   for k in p.contracts], [t.values for t in p.tickets], len(p.followups)))
        return out

    assert plans(9) == plans(17)


def test_another_seed_gives_other_data(db, another_db):
    generate(db, customers=10)
    generate(another_db, customers=10, seed=7)
    assert _fingerprint(db)["customers"] != _fingerprint(another_db)["customers"]


def test_a_demo_salesperson_signs_in_and_sees_only_his_customers(demo, profile):
    _, admin = demo
    total = admin.customers.count()
    logins = [login for login, _ in demo_users(admin.db)["sales"]]
    seen = 0
    for login in logins:
        with connect(profile, login, DEFAULT_PASSWORD, upgrade=False) as sales:
            mine = sales.customers.list(ListQuery(limit=500)).rows
            assert all(c["owner_id"] == sales.actor.user_id for c in mine)
            assert len(mine) == admin.customers.count(ListQuery(filters={"owner_id": sales.actor.user_id}))
            assert len(mine) < total
            seen += len(mine)
    assert seen == total  # every customer belongs to one of the salespeople


def test_generated_records_keep_the_business_rules(demo):
    _, admin = demo
    won = admin.customers.list(ListQuery(filters={"status": "won"}, limit=500)).rows
    assert won
    for c in won:
        numbers = {k["number"] for k in admin.contracts.list(ListQuery(filters={"customer_id": c["id"]})).rows}
        history = admin.customers.status_history(c["id"])
        evidence = [h["contract_number"] for h in history if h["to_status"] == "won"]
        assert numbers and evidence and set(evidence) <= numbers, c["name"]
        assert history[0]["to_status"] == "prospect"
    for lic in admin.licenses.list(ListQuery(limit=500, include_inactive=True)).rows:
        assert lic["seats_used"] <= lic["seats"]
        if lic["is_trial"]:
            assert lic["valid_until"] - lic["valid_from"] == dt.timedelta(days=30)
    for k in admin.contracts.list(ListQuery(limit=500)).rows:
        assert 0 <= k["received"] <= k["amount"] and k["amount"].as_tuple().exponent == -2  # exact cents
    contacts = admin.contacts.list(ListQuery(limit=500)).rows
    with_id = [c for c in contacts if c["id_number"]]
    assert with_id
    for c in with_id:
        assert check_id_number(c["id_number"]) == c["id_number"]
    assert all(c["phone"] for c in contacts)


def test_a_two_character_piece_of_a_company_name_finds_it(demo):
    _, admin = demo
    for c in admin.customers.list(ListQuery(limit=5)).rows:
        piece = c["name"][2:4]  # the trade name after the city, e.g. 云帆 in 杭州云帆网络科技有限公司
        found = admin.customers.list(ListQuery(search=piece, limit=500)).rows
        assert c["code"] in {f["code"] for f in found}, piece
    contact = admin.contacts.list(ListQuery(limit=1)).rows[0]
    found = admin.customers.list(ListQuery(search=contact["name"][:2], limit=500)).rows
    assert contact["customer_id"] in {f["id"] for f in found}


def test_a_database_with_customers_is_refused_unless_forced(db):
    generate(db, customers=3)
    with pytest.raises(DatabaseNotEmpty) as refused:
        generate(db, customers=3)
    assert "3" in refused.value.text("en") and "--force" in refused.value.text("zh_CN")
    counts = generate(db, customers=2, force=True)
    assert counts["customers"] == 5 and counts["users"] == 16  # the staff is reused, not duplicated


def test_a_weak_password_is_refused_before_anything_is_written(db):
    from crm_core.errors import ValidationError
    from crm_core.session import needs_first_admin

    with pytest.raises(ValidationError):
        generate(db, customers=1, password="short")
    assert needs_first_admin(db)


def test_product_builds_keep_their_version(demo):
    _, admin = demo
    versions = [p["product_version"] for p in admin.products.list(ListQuery(limit=500)).rows]
    assert versions and all(str(v).startswith("V") for v in versions)  # e.g. V3.2.1-定制


def test_codes_carry_the_day_the_record_was_created(demo):
    _, admin = demo
    customers = admin.customers.list(ListQuery(limit=500)).rows
    assert all(c["code"][1:9] == c["created_at"].astimezone().strftime("%Y%m%d") for c in customers)
    tickets = admin.tickets.list(ListQuery(limit=500)).rows
    assert tickets and all(t["number"][1:9] == t["created_at"].astimezone().strftime("%Y%m%d") for t in tickets)
    # and a customer is still found by its (new) code
    assert admin.customers.list(ListQuery(search=customers[0]["code"])).rows[0]["id"] == customers[0]["id"]


@pytest.mark.parametrize("module", ["customers", "contacts", "contracts", "payments", "products", "licenses",
                                    "submitters", "tickets", "followups", "needs", "opportunities"])
def test_a_grid_newest_first_shows_the_newest_records_on_top(demo, module):
    """Grids list newest first by id (the arrow on 创建时间): the demo's ids follow its back-dated creation
    times, so that order is also by 创建时间 (it looked unsorted when records were written customer by
    customer)."""
    _, admin = demo
    rows = admin.services[module].list(ListQuery(limit=500, sort=("-id",))).rows
    assert 1 < len(rows) < 500
    created = [r["created_at"] for r in rows]
    assert created == sorted(created, reverse=True), module
    assert len(set(created)) > 1
