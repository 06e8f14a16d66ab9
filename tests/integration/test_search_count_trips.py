"""A search's page and its count plan the words once; counts ask the planner before counting (issue 9).

What a caller observes: the same customers whatever the plan, the statements sent
(one look-up of the words' frequencies for the page and the count of one search),
and an estimate labelled as such.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from crm_core import Count, ListQuery
from tests.conftest import PASSWORD
from tests.integration.test_search_index import bound  # noqa: F401  (the fixture: rare, common and mixed plans)


@contextmanager
def statements(engine):
    sent: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _probes(sent: list[str]) -> int:
    """The statements that count the words' matches (they also read the highest customer id)."""
    return sum(1 for st in sent if "max(customers.id)" in st and "customer_search_grams" in st)


@pytest.fixture
def office(admin, make_customer):
    names = ["杭州星辰网络科技有限公司", "苏州星河软件有限公司", "北京云帆数据服务有限公司", "杭州云帆科技有限公司",
             "上海星辰软件有限公司"]
    phones = ["0571-88001234", "13912345678", "13612345678", "13712345678", "13512345678"]
    made = {name: make_customer(name, phone=phone)["id"] for name, phone in zip(names, phones)}
    admin.contacts.create({"customer_id": made["北京云帆数据服务有限公司"], "name": "欧阳明远", "phone": "13987654300"})
    return made


def _ids(session, term: str) -> list[int]:
    return [r["id"] for r in session.customers.list(ListQuery(search=term, limit=500, sort=("name",))).rows]


@pytest.mark.parametrize(("term", "names"), [
    ("星辰", {"杭州星辰网络科技有限公司", "上海星辰软件有限公司"}),                 # 2-character Chinese
    ("杭州 科技", {"杭州星辰网络科技有限公司", "杭州云帆科技有限公司"}),             # several words
    ("有限", None),                                                                   # in every name: common
    ("欧阳", {"北京云帆数据服务有限公司"}),                                         # a contact's name
    ("00", {"杭州星辰网络科技有限公司", "北京云帆数据服务有限公司"}),             # digits: a phone, a contact's phone
    ("云帆 软件", set()),
])
def test_the_page_the_count_and_a_fresh_session_find_the_same_customers(admin, profile, office, bound, term, names):
    from crm_core.session import connect

    first = _ids(admin, term)
    count = admin.customers.quick_count(ListQuery(search=term))
    again = _ids(admin, term)  # the words' frequencies now come from the session's memory
    fresh = connect(profile, "admin", PASSWORD, upgrade=False)
    try:
        assert _ids(fresh, term) == first == again
    finally:
        fresh.close()
    expected = set(office.values()) if names is None else {office[n] for n in names}
    assert set(first) == expected
    assert count == Count(len(expected), True)


def test_the_page_and_the_count_of_one_search_count_the_words_once(admin, office):
    with statements(admin.db.engine) as sent:
        admin.customers.list(ListQuery(search="杭州 科技"))
        admin.customers.quick_count(ListQuery(search="杭州 科技"))
        admin.customers.list(ListQuery(search="杭州 科技", sort=("name",)))
    assert _probes(sent) == 1


def test_a_rare_word_page_is_one_statement_on_postgresql(admin, office, backend):
    admin.customers.list(ListQuery(search="星辰"))  # the words' frequencies, once
    with statements(admin.db.engine) as sent:
        rows = admin.customers.list(ListQuery(search="星辰")).rows
    assert len(rows) == 2
    # PostgreSQL: the matches are gathered inside the page's statement; SQLite still reads them first.
    sent = [st for st in sent if not st.startswith("BEGIN")]  # SQLite's BEGIN DEFERRED
    assert len(sent) == (1 if backend == "postgresql" else 2)
    assert "customer_search_grams" in sent[-1] if backend == "postgresql" else "customer_search_grams" in sent[0]


def test_a_count_the_planner_finds_too_dear_is_its_estimate_and_is_not_run(admin, office, backend, monkeypatch):
    from crm_core.services import counting

    if backend != "postgresql":
        pytest.skip("PostgreSQL's planner estimate")
    with admin.db.engine.begin() as conn:
        conn.execute(text("ANALYZE customers"))
    monkeypatch.setattr(counting, "EXACT_COST", 0)
    monkeypatch.setattr(counting, "EXACT_ROWS", 0)
    with statements(admin.db.engine) as sent:
        count = admin.customers.quick_count(ListQuery(filters={"is_active": True}))
    assert count == Count(5, False)  # labelled an estimate although the planner got it right here
    assert not [st for st in sent if st.lstrip().upper().startswith("SELECT COUNT(*)")]


def test_a_scoped_count_the_planner_finds_too_dear_is_sampled(admin, login, office, backend, monkeypatch):
    from crm_core.services import counting

    if backend != "postgresql":
        pytest.skip("PostgreSQL's planner estimate")
    sales = login("sales1", role="sales")
    admin.customers.update(office["苏州星河软件有限公司"], {"owner_id": sales.actor.user_id},
                           version=admin.customers.get(office["苏州星河软件有限公司"])["version"])
    monkeypatch.setattr(counting, "EXACT_COST", 0)
    monkeypatch.setattr(counting, "EXACT_ROWS", 0)
    # The planner cannot know a row scope's size: the ids sampled (every id of so small a table) tell.
    assert sales.customers.quick_count() == Count(1, False)


def test_the_statement_timeout_is_as_before_after_a_count(admin, office, backend):
    from sqlalchemy import func, select

    from crm_core.models import Customer
    from crm_core.services import counting

    if backend != "postgresql":
        pytest.skip("PostgreSQL's statement_timeout")
    with admin.db.unit_of_work(write=False) as s:
        before = s.scalar(text("SELECT current_setting('statement_timeout')"))
        assert counting._within_budget(s, select(func.count()).select_from(Customer), 20) == 5
        assert s.scalar(text("SELECT current_setting('statement_timeout')")) == before
