"""Privacy erasure (个人信息删除): personal data blanked, business facts kept, the erasure logged."""

from __future__ import annotations

import json

import pytest

from crm_core import ConcurrencyConflict, Filter, ListQuery, NotFound, PermissionDenied, ValidationError

ID_NUMBER = "11010519491231002X"
ERASED = "（已删除）"


@pytest.fixture
def person(admin, make_customer):
    """A customer with a contract and a contact full of personal data, edited once."""
    customer = make_customer("北京星辰软件有限公司", phone="010-62345678", email="info@xingchen.com",
                             address="北京市海淀区中关村大街1号", level="A", industry="it")
    contract = admin.contracts.create({"number": "HT-2026-001", "customer_id": customer["id"],
                                       "signed_on": "2026-11-01", "amount": "12800.00"})
    contact = admin.contacts.create({
        "customer_id": customer["id"], "name": "欧阳明远", "position": "技术总监", "phone": "13812345678",
        "email": "ouyang@xingchen.com", "id_number": ID_NUMBER, "birth_date": "1949-12-31",
        "address": "北京市朝阳区建国路88号"})
    contact = admin.contacts.update(contact["id"], {"phone": "13987654321"}, version=contact["version"])
    return {"customer": customer, "contract": contract, "contact": contact}


def _dump(value) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _found(session, term: str) -> set[int]:
    return {r["id"] for r in session.customers.search(term).rows}


# ---------------------------------------------------------- erase_contact

def test_erase_contact_blanks_personal_fields(admin, person):
    erased = admin.privacy.erase_contact(person["contact"]["id"], "本人书面要求删除")

    for record in (erased, admin.contacts.get(person["contact"]["id"])):
        assert record["name"] == ERASED
        assert record["phone"] is None
        assert record["email"] is None
        assert record["id_number"] is None
        assert record["birth_date"] is None
        assert record["address"] is None


def test_erase_contact_keeps_business_facts(admin, person):
    admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    contact = admin.contacts.get(person["contact"]["id"])
    customer = admin.customers.get(person["customer"]["id"])
    assert contact["position"] == "技术总监"
    assert contact["customer_id"] == person["customer"]["id"]
    assert customer["phone"] == "010-62345678"
    assert customer["name"] == "北京星辰软件有限公司"
    assert admin.contracts.get(person["contract"]["id"])["amount"] == person["contract"]["amount"]


def test_erase_contact_is_logged_without_the_values(admin, person):
    admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    [entry] = admin.privacy.erasure_log()
    assert entry["module"] == "contacts"
    assert entry["record_id"] == person["contact"]["id"]
    assert entry["actor_id"] == admin.actor.user_id
    assert entry["reason"] == "本人要求"
    assert {"name", "phone", "id_number", "email", "address", "birth_date"} <= set(entry["fields"])
    for secret in ("欧阳明远", "13812345678", "13987654321", ID_NUMBER, "ouyang@xingchen.com", "建国路"):
        assert secret not in _dump(entry)


def test_erase_contact_redacts_earlier_audit_entries(admin, person):
    contact_id = person["contact"]["id"]
    assert "欧阳明远" in _dump(admin.audit.list(module="contacts", record_id=contact_id).rows)

    admin.privacy.erase_contact(contact_id, "本人要求")

    dump = _dump(admin.audit.list(module="contacts", record_id=contact_id).rows)
    for secret in ("欧阳明远", "138****5678", "139****4321", "**************002X", "ouyang@xingchen.com",
                   "建国路", "1949-12-31"):
        assert secret not in dump


def test_erasure_itself_appears_in_the_audit_log(admin, person):
    admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    entry = admin.audit.list(module="contacts", record_id=person["contact"]["id"]).rows[0]
    assert entry["action"] == "erase"
    assert entry["actor_login"] == "admin"


def test_erased_contact_no_longer_found_by_name_or_phone(admin, person):
    customer_id = person["customer"]["id"]
    assert _found(admin, "欧阳明远") == _found(admin, "欧阳") == _found(admin, "139-8765") == {customer_id}

    admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    assert _found(admin, "欧阳明远") == set()
    assert _found(admin, "欧阳") == set()
    assert _found(admin, "139-8765") == set()
    assert _found(admin, "13987654321") == set()
    assert admin.contacts.list(ListQuery(search="欧阳明远")).rows == []
    assert _found(admin, "星辰") == {customer_id}


def test_erased_contact_does_not_match_the_placeholder_name(admin, person):
    admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    assert _found(admin, "已删除") == set()


def test_erase_contact_needs_a_reason(admin, person):
    with pytest.raises(ValidationError) as err:
        admin.privacy.erase_contact(person["contact"]["id"], " ")

    assert err.value.for_field("reason")
    assert admin.contacts.get(person["contact"]["id"])["name"] == "欧阳明远"


def test_erased_contact_record_stays_editable_and_valid(admin, person):
    erased = admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    saved = admin.contacts.update(erased["id"], {"position": "已离职"}, version=erased["version"])

    assert saved["position"] == "已离职"
    assert saved["name"] == ERASED


def test_open_contact_form_is_stale_after_an_erasure(admin, login, person):
    manager = login("manager1")
    form = manager.contacts.get(person["contact"]["id"])

    admin.privacy.erase_contact(person["contact"]["id"], "本人要求")

    with pytest.raises(ConcurrencyConflict):
        manager.contacts.update(form["id"], {"name": "欧阳明远"}, version=form["version"])
    assert admin.contacts.get(form["id"])["name"] == ERASED


# --------------------------------------------------------- erase_customer

def test_erase_customer_blanks_its_and_its_contacts_personal_fields(admin, person):
    second = admin.contacts.create({"customer_id": person["customer"]["id"], "name": "张伟", "phone": "13700001111"})

    admin.privacy.erase_customer(person["customer"]["id"], "客户要求删除个人信息")

    customer = admin.customers.get(person["customer"]["id"])
    assert (customer["phone"], customer["email"], customer["address"]) == (None, None, None)
    for contact_id in (person["contact"]["id"], second["id"]):
        contact = admin.contacts.get(contact_id)
        assert contact["name"] == ERASED
        assert contact["phone"] is None


def test_erase_customer_keeps_company_facts_and_contracts(admin, person):
    admin.privacy.erase_customer(person["customer"]["id"], "客户要求")

    customer = admin.customers.get(person["customer"]["id"])
    assert customer["name"] == "北京星辰软件有限公司"
    assert customer["code"] == person["customer"]["code"]
    assert customer["level"] == "A"
    assert customer["industry"] == "it"
    query = ListQuery(filters=(Filter("customer_id", "eq", customer["id"]),))
    [contract] = admin.contracts.list(query).rows
    assert contract["number"] == "HT-2026-001"
    assert str(contract["amount"]) == "12800.00"


def test_erase_customer_logs_each_record_without_values(admin, person):
    admin.privacy.erase_customer(person["customer"]["id"], "客户要求")

    log = admin.privacy.erasure_log()
    assert {(e["module"], e["record_id"]) for e in log} == {
        ("customers", person["customer"]["id"]), ("contacts", person["contact"]["id"])}
    for secret in ("010-62345678", "62345678", "info@xingchen.com", "中关村", "欧阳明远", ID_NUMBER):
        assert secret not in _dump(log)


def test_erase_customer_redacts_its_audit_entries(admin, person):
    admin.privacy.erase_customer(person["customer"]["id"], "客户要求")

    dump = _dump(admin.audit.list(limit=500).rows)
    for secret in ("010****5678", "info@xingchen.com", "中关村", "欧阳明远", "ouyang@xingchen.com"):
        assert secret not in dump
    assert "北京星辰软件有限公司" in dump


def test_erased_customer_no_longer_found_by_phone_email_or_contact(admin, person):
    customer_id = person["customer"]["id"]
    assert _found(admin, "info@xingchen.com") == {customer_id}

    admin.privacy.erase_customer(customer_id, "客户要求")

    assert _found(admin, "info@xingchen.com") == set()
    assert _found(admin, "62345678") == set()
    assert _found(admin, "欧阳明远") == set()
    assert _found(admin, "星辰软件") == {customer_id}


def test_erase_customer_is_all_or_nothing_for_an_unknown_id(admin, person):
    with pytest.raises(NotFound):
        admin.privacy.erase_customer(999999, "客户要求")

    assert admin.privacy.erasure_log() == []


# ------------------------------------------------------------ permissions

def test_sales_may_not_erase(admin, login, make_customer):
    sales1 = login("sales1")
    customer = make_customer(owner_id=sales1.actor.user_id, phone="13812345678")
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "张伟"})

    with pytest.raises(PermissionDenied):
        sales1.privacy.erase_contact(contact["id"], "本人要求")
    with pytest.raises(PermissionDenied):
        sales1.privacy.erase_customer(customer["id"], "本人要求")

    assert admin.contacts.get(contact["id"])["name"] == "张伟"
    assert admin.customers.get(customer["id"])["phone"] == "13812345678"
    assert admin.privacy.erasure_log() == []


def test_manager_may_erase(admin, login, person):
    login("manager1").privacy.erase_contact(person["contact"]["id"], "本人要求")

    assert admin.contacts.get(person["contact"]["id"])["name"] == ERASED
