"""Masked fields cannot be used to filter, sort or search (issue 11, item 13).

A role that reads a phone as 138****5678 must not learn its digits by asking
which records match a fragment, or in which order they sort.
"""

from __future__ import annotations

import pytest

from crm_core import Filter, ListQuery, PermissionDenied

ID_NUMBER = "11010519491231002X"


def test_engineer_cannot_filter_customers_by_the_phone_he_reads_masked(login, make_customer):
    make_customer(phone="13812345678")
    engineer = login("engineer1")
    query = ListQuery(filters=(Filter("phone", "contains", "1381234"),))

    with pytest.raises(PermissionDenied) as err:
        engineer.customers.count(query)
    with pytest.raises(PermissionDenied):
        engineer.customers.list(query)

    assert "电话" in err.value.message.zh and "筛选" in err.value.message.zh
    assert "'Phone'" in err.value.message.en and "filter" in err.value.message.en


def test_engineer_cannot_sort_customers_by_phone(login, make_customer):
    make_customer(phone="13812345678")
    engineer = login("engineer1")

    with pytest.raises(PermissionDenied) as err:
        engineer.customers.list(ListQuery(sort=("-phone",)))

    assert "'Phone'" in err.value.message.en and "sort" in err.value.message.en


def test_sales_cannot_filter_or_sort_contacts_by_id_number(login, make_customer):
    sales = login("sales1")
    customer = make_customer(owner_id=sales.actor.user_id)
    sales.contacts.create({"customer_id": customer["id"], "name": "张三", "id_number": ID_NUMBER})

    with pytest.raises(PermissionDenied) as err:
        sales.contacts.count(ListQuery(filters=(Filter("id_number", "contains", "110105"),)))
    with pytest.raises(PermissionDenied):
        sales.contacts.list(ListQuery(sort=("id_number",)))

    assert "身份证号" in err.value.message.zh


def test_roles_that_read_a_field_in_full_still_filter_and_sort_by_it(admin, login, make_customer):
    customer = make_customer(phone="13812345678")
    sales = login("sales1")
    mine = make_customer("上海星辰数据有限公司", owner_id=sales.actor.user_id, phone="13912345678")

    assert admin.customers.count(ListQuery(filters=(Filter("phone", "contains", "1381234"),))) == 1
    assert [r["id"] for r in admin.customers.list(ListQuery(sort=("phone",))).rows] == [customer["id"], mine["id"]]
    assert sales.customers.count(ListQuery(filters=(Filter("phone", "contains", "139"),))) == 1


def test_engineer_search_does_not_match_contact_names_or_phones(admin, login, make_customer):
    customer = make_customer("北京星辰软件有限公司", phone="13812345678")
    admin.contacts.create({"customer_id": customer["id"], "name": "欧阳锋", "phone": "13700001111"})
    engineer = login("engineer1")

    assert engineer.customers.search("欧阳锋").rows == []
    assert engineer.customers.search("欧阳").rows == []  # the 2-character index holds contact names
    assert engineer.customers.search("13700001111").rows == []
    assert engineer.customers.search("137-0000-1111").rows == []
    assert [r["id"] for r in engineer.customers.search("星辰").rows] == [customer["id"]]
    assert [r["id"] for r in admin.customers.search("欧阳锋").rows] == [customer["id"]]
