"""创建时间 sorts as the id in every module without an index of its own for it (EntitySpec.sorts_as).

A record's ``created_at`` is stamped once, when it is saved, and ids are handed out in the order
records are saved: oldest first is ascending ids. The customers grid keeps its own created_at
index (tests/integration/test_grid_sort_plans.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from crm_core import ListQuery
from crm_core.modules import SPECS
from crm_core.modules import customers as customers_module
from tests.integration.test_export import _csv
from tests.integration.test_query_plans import _module_page_plan, module_rows  # noqa: F401 - a fixture

NAMES = ("张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴芳", "徐明")


def _make(admin, module: str, customer_id: int, i: int) -> dict:
    if module == "contacts":
        return admin.contacts.create({"customer_id": customer_id, "name": NAMES[i]})
    return admin.contracts.create({"customer_id": customer_id, "number": f"HT-{i:02d}", "signed_on": "2026-11-01",
                                   "amount": str(1000 + (i * 7919) % 97)})


@pytest.fixture
def entered(admin, login, make_customer, request):
    """11 records of ``request.param``, saved one after the other (oldest first) on three customers:
    sales1's own, sales2's shared with him, and sales2's he never sees. Returns sales1's session and
    the ids sales1 sees and the admin sees, in the order they were saved, and the module."""
    sales1, sales2 = login("sales1"), login("sales2")
    own = make_customer("杭州云帆网络科技有限公司", owner_id=sales1.actor.user_id)
    shared = make_customer("上海海纳信息技术有限公司", owner_id=sales2.actor.user_id)
    hidden = make_customer("北京星辰软件有限公司", owner_id=sales2.actor.user_id)
    admin.customers.share(shared["id"], sales1.actor.user_id)
    saved, his = [], []
    for i in range(11):
        customer = (own, shared, hidden)[i % 3]
        record = _make(admin, request.param, customer["id"], i)
        saved.append(record["id"])
        if customer is not hidden:
            his.append(record["id"])
    return sales1, {"admin": saved, "salesperson": his}, request.param


@pytest.fixture(params=["few", "many"])
def owner_size(request, monkeypatch):
    """A salesperson with few customers (his rows read, then sorted) and with many (the id order walked,
    his customer tested row by row: EntityService._page_scope)."""
    if request.param == "many":
        monkeypatch.setattr(customers_module, "OWNER_BOUND", 0)
        monkeypatch.setattr(customers_module, "SHARE_BOUND", 0)
    return request.param


def _forward(service, sort: tuple[str, ...], limit: int) -> tuple[list[dict], int]:
    rows, after, pages = [], None, 0
    while True:
        page = service.list(ListQuery(sort=sort, after=after, limit=limit))
        rows += page.rows
        pages += 1
        if page.next_cursor is None:
            return rows, pages
        after = page.next_cursor


def _backward(service, sort: tuple[str, ...], limit: int) -> list[int]:
    ids, before = [], ()
    while before is not None:  # from the end (the grid's jump to the last row), page by page
        page = service.list(ListQuery(sort=sort, before=before, limit=limit))
        ids = [r["id"] for r in page.rows] + ids
        before = page.prev_cursor
    return ids


def test_created_at_sorts_as_the_id_where_no_index_of_its_own_serves_it():
    for spec in SPECS.values():
        if spec.grid_sorts is None:  # small lists (users, the dictionary): every field, each by its column
            assert spec.offered_sorts is None and spec.sorts_as("created_at") == "created_at", spec.module
            continue
        assert "created_at" in spec.offered_sorts, spec.module  # every customer-scoped grid sorts by 创建时间
        own_index = spec.module == "customers"  # ix_customers_created_at (its reports filter by it too)
        assert spec.sorts_as("created_at") == ("created_at" if own_index else "id"), spec.module
        assert spec.offered_sorts == set(spec.grid_sorts) | {"created_at"}, spec.module


@pytest.mark.parametrize("entered", ["contacts", "contracts"], indirect=True)
@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize("desc", [False, True], ids=["oldest_first", "newest_first"])
def test_sorted_by_created_at_pages_list_the_records_in_the_order_they_were_saved(admin, entered, owner_size,
                                                                                  who, desc):
    sales1, saved, module = entered
    service = getattr(admin if who == "admin" else sales1, module)
    sort = ("-created_at",) if desc else ("created_at",)
    expected = saved[who][::-1] if desc else saved[who]

    rows, pages = _forward(service, sort, 3)

    assert [r["id"] for r in rows] == expected and pages == -(-len(expected) // 3) > 2
    stamps = [r["created_at"] for r in rows]
    assert stamps == sorted(stamps, reverse=desc)  # what the 创建时间 column shows, in its order
    assert _backward(service, sort, 3) == expected  # read from the end: the same rows, the same order
    assert [r["id"] for r in _forward(service, ("-id",) if desc else ("id",), 4)[0]] == expected
    assert service.count(ListQuery(sort=sort)) == len(expected)


@pytest.mark.parametrize("entered", ["contacts"], indirect=True)
def test_an_export_sorted_by_created_at_has_the_grids_order(admin, entered, tmp_path):
    sales1, saved, _ = entered
    path = tmp_path / "contacts.csv"
    for session, who in ((admin, "admin"), (sales1, "salesperson")):
        session.exports.write("contacts", ListQuery(sort=("created_at",)), ["name"], path, "csv", "zh_CN", batch=2)
        names = {r["id"]: r["name"] for r in admin.contacts.list(ListQuery(limit=50)).rows}
        assert _csv(path)[1:] == [[names[i]] for i in saved[who]]


@pytest.mark.parametrize("entered", ["contacts"], indirect=True)
def test_a_record_stamped_by_a_slow_clock_keeps_its_place_in_the_order_of_saving(admin, entered):
    """The stamp is the saving workstation's clock: one five minutes slow (or a long import, whose ids are
    reserved when it starts) may stamp a record earlier than one saved before it. 创建时间 sorts in the
    order records were saved (docs/performance.md, "创建时间 sorts as the id")."""
    _, saved, _ = entered
    late = saved["admin"][5]
    with admin.db.engine.begin() as conn:
        conn.execute(text("UPDATE contacts SET created_at = :t WHERE id = :id"),
                     {"t": admin.contacts.get(saved["admin"][0])["created_at"] - dt.timedelta(minutes=5), "id": late})
    rows = admin.contacts.list(ListQuery(sort=("created_at",), limit=50)).rows
    assert [r["id"] for r in rows] == saved["admin"]


def test_created_at_after_another_field_breaks_its_ties_in_its_own_direction(admin, make_customer):
    one, two = make_customer("杭州云帆网络科技有限公司"), make_customer("上海海纳信息技术有限公司")
    ids = [admin.contacts.create({"customer_id": c["id"], "name": n})["id"]
           for c, n in ((one, "王芳"), (one, "李娜"), (two, "王芳"), (two, "李娜"))]
    names = lambda sort: [r["id"] for r in admin.contacts.list(ListQuery(sort=sort, limit=50)).rows]  # noqa: E731
    # 李娜 sorts before 王芳 (code points); each name's newest first, then oldest first
    assert names(("name", "-created_at")) == [ids[3], ids[1], ids[2], ids[0]]
    assert names(("-name", "created_at")) == [ids[0], ids[2], ids[1], ids[3]]
    assert names(("-created_at", "name")) == ids[::-1]  # the id is unique: nothing after it counts


# --- plans: the id's (issue: the default newest-first arrow sat on a column no click could sort) ---------

@pytest.mark.parametrize("who", ["admin", "salesperson"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("module", ["contacts", "contracts", "payments"])
def test_a_created_at_page_has_the_id_sorts_plan_on_the_primary_key(admin, module_rows, monkeypatch, backend,
                                                                    module, desc, who):
    monkeypatch.setattr(customers_module, "OWNER_BOUND", 100)  # sales1's 1,000 customers are "many"
    session = admin if who == "admin" else module_rows
    table = getattr(session, module).spec.model.__tablename__
    sign = "-" if desc else ""
    for after in (None, "next"):  # the first page and a later keyset page
        queries = []
        for column in ("created_at", "id"):
            query = ListQuery(sort=(sign + column,), limit=50)
            if after:
                query = ListQuery(sort=query.sort, limit=50, after=getattr(session, module).list(query).next_cursor)
            queries.append(query)
        by_created, by_id = (_module_page_plan(session, module, q) for q in queries)
        assert by_created == by_id
        if backend == "sqlite":
            assert "TEMP B-TREE" not in by_created, by_created
            assert f"SCAN {table}" in by_created or f"SEARCH {table} USING INTEGER PRIMARY KEY" in by_created, \
                by_created
        else:
            assert "Sort" not in by_created and f"Seq Scan on {table}" not in by_created, by_created
            assert f"pk_{table} on {table}" in by_created, by_created
        if who == "salesperson":  # his customer read by key for each row walked
            assert ("SEARCH customers USING INTEGER PRIMARY KEY" in by_created if backend == "sqlite"
                    else "pk_customers on customers" in by_created), by_created
