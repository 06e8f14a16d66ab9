"""The customer search index (issue 9): every term class finds what it should, for every plan.

The search picks a plan per word (a short list of ids for a rare word, a row
by row test for a common one); ``bound`` runs each case with both plans.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core import Count, ListQuery
from crm_core.models import CustomerSearchGram
from crm_core.modules import customers as customers_module
from crm_core.services import search_index


@pytest.fixture(params=["rare", "common", "mixed"])
def bound(request, monkeypatch):
    """Run with the rare-word plan (the default bound), with every word treated as common, and with
    words of one match rare and the others common (the rarest drives, the others are tested)."""
    if request.param == "common":
        monkeypatch.setattr(customers_module, "SEARCH_BOUND", 0)
    if request.param == "mixed":
        monkeypatch.setattr(customers_module, "_common_from", lambda rows: 1)
    return request.param


@pytest.fixture
def office(admin, make_customer):
    hr1 = make_customer("杭州星辰网络科技有限公司", email="hr@xingchen.cn", phone="0571-88001234")
    hr2 = make_customer("苏州星河软件有限公司", email="HR@xinghe.com", phone="13912345678")
    other = make_customer("北京云帆数据服务有限公司", email="info@yunfan.cn", phone="13612345678")
    admin.contacts.create({"customer_id": other["id"], "name": "欧阳明远", "phone": "13987654321",
                           "email": "ouyang@yunfan.cn"})
    return {"hr1": hr1["id"], "hr2": hr2["id"], "other": other["id"]}


def _found(session, term: str) -> set[int]:
    return {r["id"] for r in session.customers.list(ListQuery(search=term, limit=500)).rows}


@pytest.mark.parametrize(("term", "who"), [
    ("hr", {"hr1", "hr2"}),            # 2-character Latin: the hr@ addresses
    ("00", {"hr1"}),                   # 2-character digits: in 0571-88001234
    ("星辰", {"hr1"}),                 # 2-character Chinese
    ("有限", {"hr1", "hr2", "other"}),
    ("星辰网络", {"hr1"}),             # longer
    ("8800", {"hr1"}),                 # phone fragment
    ("1234", {"hr1", "hr2", "other"}),
    ("hr@xinghe", {"hr2"}),            # e-mail fragment
    ("欧阳", {"other"}),               # a contact's name
    ("杭州 科技", {"hr1"}),            # several words
    ("hr 软件", {"hr2"}),
    ("nothing", set()),
])
def test_every_term_class_finds_its_customers(admin, office, bound, term, who):
    assert _found(admin, term) == {office[w] for w in who}


@pytest.fixture
def starry(admin, make_customer):
    """Seven customers whose name holds 星辰 (their names sort otherwise than their ids), two that do not."""
    names = ["杭州星辰网络有限公司", "北京星辰数据有限公司", "上海星辰软件有限公司", "星辰科技有限公司",
             "南京星辰物流有限公司", "苏州星河软件有限公司", "广州星辰教育有限公司", "成都云帆有限公司",
             "深圳星辰电子有限公司"]
    return {name: make_customer(name)["id"] for name in names}


def _pages(session, query: ListQuery) -> list[int]:
    """Every id the list gives page by page (two rows a page), in order."""
    ids: list[int] = []
    page = session.customers.list(query)
    while True:
        ids += [r["id"] for r in page.rows]
        if page.next_cursor is None:
            return ids
        page = session.customers.list(ListQuery(search=query.search, sort=query.sort, limit=query.limit,
                                                after=page.next_cursor))


@pytest.mark.parametrize("sort", ["-id", "name", "-name", "code", "-created_at"])
def test_a_common_term_pages_through_its_customers_in_order(admin, starry, bound, sort):
    everyone = admin.customers.list(ListQuery(sort=(sort,), limit=500)).rows
    expected = [r["id"] for r in everyone if "星辰" in r["name"]]

    assert _pages(admin, ListQuery(search="星辰", sort=(sort,), limit=2)) == expected
    assert len(expected) == 7


@pytest.mark.parametrize("sort", ["-id", "name"])
def test_several_words_find_only_customers_matching_all_of_them(admin, starry, bound, sort):
    assert _pages(admin, ListQuery(search="星辰 有限", sort=(sort,), limit=2)) == \
        _pages(admin, ListQuery(search="星辰", sort=(sort,), limit=2))
    assert _pages(admin, ListQuery(search="软件 星辰", sort=(sort,), limit=2)) == [starry["上海星辰软件有限公司"]]
    assert _pages(admin, ListQuery(search="星辰 星河", sort=(sort,), limit=2)) == []
    assert _pages(admin, ListQuery(search="有限 星辰网络 杭州", sort=(sort,), limit=2)) == [starry["杭州星辰网络有限公司"]]


@pytest.mark.parametrize("sort", ["-id", "name", "-created_at"])
def test_a_salesperson_finds_only_his_own_and_shared_customers(admin, login, make_customer, bound, sort):
    sales = login("sales1")
    me = sales.actor.user_id
    mine = [make_customer(n, owner_id=me)["id"] for n in ("杭州星辰网络有限公司", "北京星辰数据有限公司",
                                                         "南京星河软件有限公司")]
    others = [make_customer(n)["id"] for n in ("上海星辰软件有限公司", "广州星辰教育有限公司", "深圳星辰电子有限公司")]
    admin.customers.share(others[1], me)

    found = _pages(sales, ListQuery(search="星辰", sort=(sort,), limit=1))

    assert set(found) == {mine[0], mine[1], others[1]} and len(found) == 3
    everyone = [r["id"] for r in admin.customers.list(ListQuery(sort=(sort,), limit=500)).rows]
    assert found == [i for i in everyone if i in set(found)]  # in the list's order
    assert _pages(sales, ListQuery(search="星辰 教育", sort=(sort,), limit=1)) == [others[1]]
    assert _pages(sales, ListQuery(search="星辰 电子", sort=(sort,), limit=1)) == []
    assert sales.customers.count(ListQuery(search="星辰")) == 3


def test_count_agrees_with_the_page_for_both_plans(admin, office, bound):
    assert admin.customers.count(ListQuery(search="hr")) == 2


def test_a_role_that_reads_phones_masked_cannot_probe_digits(login, office, bound):
    engineer = login("engineer1")

    assert _found(engineer, "00") == set()
    assert _found(engineer, "8800") == set()
    assert _found(engineer, "hr") == {office["hr1"], office["hr2"]}


def test_two_character_terms_do_not_match_contact_names_for_roles_without_contacts(login, office, bound):
    engineer = login("engineer1")

    assert _found(engineer, "欧阳") == set()


def test_contacts_search_by_name_email_and_phone(admin, office):
    found = lambda term: {r["name"] for r in admin.contacts.search(term).rows}  # noqa: E731

    assert found("欧阳明") == {"欧阳明远"}
    assert found("ouyang@yun") == {"欧阳明远"}
    assert found("1398765") == {"欧阳明远"}
    assert found("139-8765") == {"欧阳明远"}
    assert found("欧阳") == {"欧阳明远"}
    assert found("nobody") == set()


def _derived(admin, customer_id: int) -> tuple[str, set[tuple[str, str]]]:
    with admin.db.unit_of_work(write=False) as s:
        from crm_core.models import Customer
        text = s.scalar(select(Customer.search_text).where(Customer.id == customer_id))
        grams = set(s.execute(select(CustomerSearchGram.gram, CustomerSearchGram.kind)
                              .where(CustomerSearchGram.customer_id == customer_id)).all())
    return text, grams


def test_stored_rows_are_what_derive_gives(admin, office):
    customer = admin.customers.get(office["other"])

    expected = search_index.derive(customer["code"], customer["name"], customer["phone"], customer["email"],
                                   [("欧阳明远", "13987654321")])

    assert _derived(admin, office["other"]) == (expected.search_text, set(expected.grams))


def test_a_change_of_a_field_search_ignores_leaves_the_index_alone(admin, office, backend):
    from sqlalchemy import event

    before = _derived(admin, office["hr1"])
    customer = admin.customers.get(office["hr1"])
    written: list[str] = []
    listen = lambda conn, cur, statement, *a: written.append(statement)  # noqa: E731
    event.listen(admin.db.engine, "before_cursor_execute", listen)
    try:
        admin.customers.update(office["hr1"], {"level": "A"}, version=customer["version"])
    finally:
        event.remove(admin.db.engine, "before_cursor_execute", listen)

    assert _derived(admin, office["hr1"]) == before
    assert not [w for w in written if "customer_search_grams" in w]


def test_a_rename_rewrites_only_the_changed_grams(admin, office):
    customer = admin.customers.get(office["hr2"])

    admin.customers.update(office["hr2"], {"name": "苏州星河数据有限公司"}, version=customer["version"])

    expected = search_index.derive(customer["code"], "苏州星河数据有限公司", customer["phone"], customer["email"])
    assert _derived(admin, office["hr2"]) == (expected.search_text, set(expected.grams))
    assert _found(admin, "软件") == set()
    assert _found(admin, "数据") == {office["hr2"], office["other"]}


def test_write_many_gives_the_rows_the_service_writes(admin, office):
    ids = list(office.values())
    by_service = {i: _derived(admin, i) for i in ids}

    with admin.db.unit_of_work(write=True) as s:
        entries = search_index.load_entries(s, ids)
        s.execute(CustomerSearchGram.__table__.delete())
        search_index.write_many(s, entries, fresh=True)
        s.commit()

    assert {i: _derived(admin, i) for i in ids} == by_service


def test_a_phone_pair_in_the_name_or_email_is_stored_once_and_found_by_every_role(admin, make_customer, login,
                                                                                     bound):
    customer = make_customer("杭州张三科技有限公司", email="a12@xc.cn", phone="13912345678")
    admin.contacts.create({"customer_id": customer["id"], "name": "张三", "phone": "13900001111"})
    engineer = login("engineer1")  # reads phones masked, and no contacts

    _, grams = _derived(admin, customer["id"])
    assert ("12", "n") in grams and ("12", "p") not in grams  # one row where there were two
    assert _found(admin, "12") == {customer["id"]}
    assert _found(engineer, "12") == {customer["id"]}  # from the e-mail, which he reads
    assert _found(admin, "39") == {customer["id"]}
    assert _found(engineer, "39") == set()  # only in the phone
    # the contacts' search looks up contact-name pairs only: the pair is in the customer's name too
    assert {r["name"] for r in admin.contacts.search("张三").rows} == {"张三"}
    assert {r["name"] for r in admin.contacts.search("11").rows} == {"张三"}


# ------------------------------------------------------------------ counts

def test_quick_count_is_exact_when_cheap(admin, office):
    assert admin.customers.quick_count(ListQuery(search="hr")) == Count(2, True)
    assert admin.customers.quick_count() == Count(3, True)


def test_quick_count_estimates_when_the_exact_count_is_slow_and_says_so(admin, office, monkeypatch):
    from crm_core.services import counting

    monkeypatch.setattr(counting, "_within_budget", lambda s, stmt, budget: None)

    count = admin.customers.quick_count()

    assert count.exact is False
    assert count.value == 3  # every id sampled in so small a table


def test_an_exact_count_over_budget_is_given_up(admin, backend):
    from sqlalchemy import func, literal_column, select
    from crm_core.models import Customer
    from crm_core.services import counting

    if backend == "postgresql":
        slow = select(func.count()).select_from(func.generate_series(1, 10**9))
    else:
        slow = select(func.count()).select_from(select(literal_column("1")).where(
            literal_column("(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
                           "SELECT max(i) FROM n)") > 0).subquery())
    with admin.db.unit_of_work(write=False) as s:
        assert counting._within_budget(s, slow, 20) is None
        assert s.scalar(select(func.count()).select_from(Customer)) == 0  # the unit of work goes on


def test_two_character_contact_search_goes_through_the_pair_index(admin, office, login, backend, bound):
    from tests.integration.test_query_plans import query_plans

    assert {r["name"] for r in admin.contacts.search("欧阳").rows} == {"欧阳明远"}
    assert {r["name"] for r in admin.contacts.search("98").rows} == {"欧阳明远"}
    assert {r["name"] for r in login("sales1").contacts.search("98").rows} == set()  # not his customer
    text = "\n".join(query_plans(admin, ListQuery(search="欧阳"), "contacts"))
    assert "customer_search_grams" in text or "pk_customer_search_grams" in text
