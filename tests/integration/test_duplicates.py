"""Duplicate look-ups as the user types, and the same contact refused twice on one customer."""

from __future__ import annotations

import pytest

from crm_core.errors import ValidationError
from crm_core.services.duplicates import company_key

CREDIT = "91110108MA01ABCD2H"


def test_company_key_ignores_width_case_spaces_punctuation_and_legal_form():
    assert company_key("北京 星辰软件（有限公司）") == company_key("北京星辰软件有限公司") == "北京星辰软件"
    assert company_key("ＡＢＣ Technology Co., Ltd.") == company_key("abc technology") == "abctechnology"
    assert company_key("星辰集团股份有限公司") == "星辰"


def test_a_customer_that_looks_the_same_is_found_by_name_phone_or_credit_code(admin, make_customer):
    existing = make_customer("北京星辰软件有限公司", phone="13812345678")
    make_customer("上海海纳信息技术有限公司")
    by_name = admin.customers.similar({"name": "北京 星辰软件（有限公司）"})
    assert [(m["id"], m["matched"]) for m in by_name] == [(existing["id"], ["name"])]
    assert by_name[0]["code"] == existing["code"]
    by_phone = admin.customers.similar({"name": "完全不同的名字", "phone": "138 1234 5678"})
    assert [(m["id"], m["matched"]) for m in by_phone] == [(existing["id"], ["phone"])]
    assert admin.customers.similar({"name": "北京星辰软件有限公司"}, exclude_id=existing["id"]) == []


def test_credit_code_match_and_row_scope(admin, login, make_customer):
    sales1, sales2 = login("sales1"), login("sales2")
    theirs = make_customer("杭州云帆网络科技有限公司", owner_id=sales2.actor.user_id)
    admin.customers.update(theirs["id"], {"credit_code": CREDIT}, version=theirs["version"])
    assert [m["matched"] for m in admin.customers.similar({"credit_code": CREDIT.lower()})] == [["credit_code"]]
    # Another salesperson's customer is not his to read: the look-up does not reveal it.
    assert sales1.customers.similar({"name": "杭州云帆网络科技有限公司", "credit_code": CREDIT}) == []
    assert len(sales2.customers.similar({"name": "杭州云帆网络科技"})) == 1


def test_the_same_contact_twice_on_one_customer_is_refused_with_the_field(admin, make_customer):
    customer = make_customer()
    other = make_customer("上海海纳信息技术有限公司")
    first = admin.contacts.create({"customer_id": customer["id"], "name": "陈静", "phone": "13900001111"})
    with pytest.raises(ValidationError) as exc:
        admin.contacts.create({"customer_id": customer["id"], "name": "陈静", "phone": "139-0000-1111"})
    assert [(e.field, e.code) for e in exc.value.errors] == [("name", "duplicate")]
    assert "陈静" in exc.value.errors[0].message.zh
    # Same name, another phone; or the same person at another customer: not duplicates.
    admin.contacts.create({"customer_id": customer["id"], "name": "陈静", "phone": "13900002222"})
    admin.contacts.create({"customer_id": other["id"], "name": "陈静", "phone": "13900001111"})
    assert admin.contacts.similar({"customer_id": customer["id"], "name": "陈静", "phone": "13900001111"})[0]["id"] \
        == first["id"]
    admin.contacts.update(first["id"], {"position": "经理"}, version=first["version"])  # itself is no twin
