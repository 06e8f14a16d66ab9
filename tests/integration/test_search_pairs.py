"""Several 2-character words ("杭州 星辰": a city and a name fragment) at scale (issue 9).

What a caller observes: the same customers in every plan and for every role, and
the plans (EXPLAIN, not timings): the rare pair's index entries are tested for the
other pairs through their key without reading the customers first (PostgreSQL), and
the words' frequencies are sampled from a short range of each pair's key.
"""

from __future__ import annotations

import re

import pytest

from crm_core import ListQuery
from crm_core.modules import customers as customers_module
from tests.integration.test_query_plans import captured, plan
from tests.integration.test_search_index import bound  # noqa: F401  (the fixture: rare, common and mixed plans)


@pytest.fixture
def office(admin, make_customer):
    made = {name: make_customer(name)["id"] for name in
            ("杭州星辰网络科技有限公司", "杭州云帆科技有限公司", "北京云帆数据服务有限公司", "上海星辰软件有限公司")}
    admin.contacts.create({"customer_id": made["北京云帆数据服务有限公司"], "name": "欧阳明远"})
    return made


def _names(session, term: str, sort: str) -> list[str]:
    return [r["name"] for r in session.customers.list(ListQuery(search=term, sort=(sort,), limit=500)).rows]


@pytest.mark.parametrize("sort", ["-id", "name"])
def test_pairs_find_the_customers_matching_every_pair_in_every_plan(admin, office, bound, sort):
    assert _names(admin, "杭州 星辰", sort) == ["杭州星辰网络科技有限公司"]
    assert _names(admin, "星辰 杭州", sort) == ["杭州星辰网络科技有限公司"]
    assert sorted(_names(admin, "科技 杭州", sort)) == ["杭州云帆科技有限公司", "杭州星辰网络科技有限公司"]
    assert _names(admin, "云帆 星辰", sort) == []
    assert _names(admin, "云帆 科技 杭州", sort) == ["杭州云帆科技有限公司"]


def test_a_pair_found_in_a_contact_name_counts_only_for_roles_that_read_contacts(admin, login, office, bound):
    assert _names(admin, "欧阳 云帆", "-id") == ["北京云帆数据服务有限公司"]
    assert _names(admin, "云帆 欧阳", "-id") == ["北京云帆数据服务有限公司"]
    engineer = login("engineer1")
    assert _names(engineer, "欧阳 云帆", "-id") == []
    assert _names(engineer, "云帆 欧阳", "-id") == []


def test_a_rare_pair_is_tested_for_the_others_on_its_own_index_entries(admin, office, backend, monkeypatch):
    """"杭州 星辰", 杭州 driving: its entries probe 星辰's key; no customer is read for that."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL gathers the ids inside the page's statement; SQLite reads them first")
    monkeypatch.setattr(customers_module, "_common_from", lambda rows: 2)  # both pairs rare (2 customers each)
    with captured(admin.db.engine) as statements:
        assert admin.customers.list(ListQuery(search="杭州 星辰")).rows[0]["name"] == "杭州星辰网络科技有限公司"
    statement, parameters = [(st, p) for st, p in statements if "ORDER BY" in st and "FROM customers" in st][-1]
    text = plan(admin.db, statement, parameters)
    assert "pk_customer_search_grams" in text and "Seq Scan" not in text
    assert "customer_id = customer_search_grams.customer_id" in text  # the other pair's key, probed per entry
    assert not re.search(r"on customers customers_\d", text)  # only the page's own rows are read from customers


def test_the_newest_customers_are_sampled_from_a_range_of_each_pairs_key(admin, office, backend):
    with captured(admin.db.engine) as statements:
        admin.customers.list(ListQuery(search="杭州 星辰"))
    statement, parameters = next((st, p) for st, p in statements if "max(customers.id)" in st)
    text = plan(admin.db, statement, parameters)
    if backend == "sqlite":
        assert "customer_search_grams USING COVERING INDEX" in text and "customer_id>?" in text
    else:
        assert re.search(r"customer_id > \(\$\d+ - 200\)", text), text
