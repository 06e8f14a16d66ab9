"""Who sees and changes what: row scope, masking, export right, bulk changes."""

from __future__ import annotations

import pytest

from crm_core import Filter, ListQuery, NotFound, PermissionDenied, ValidationError
from tests.helpers import version_of, versions_of

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def office(admin, login, make_customer):
    """Two salesmen, each owning one customer with a contact and a contract."""
    sales1, sales2 = login("sales1"), login("sales2")
    mine = make_customer("北京星辰软件有限公司", owner_id=sales1.actor.user_id, phone="13812345678")
    theirs = make_customer("上海星辰数据有限公司", owner_id=sales2.actor.user_id, phone="13987654321")
    records = {"sales1": sales1, "sales2": sales2, "mine": mine["id"], "theirs": theirs["id"]}
    for key in ("mine", "theirs"):
        contact = admin.contacts.create({"customer_id": records[key], "name": f"联系人{key}",
                                         "phone": "13700001111", "id_number": ID_NUMBER})
        contract = admin.contracts.create({"number": f"HT-{key}", "customer_id": records[key],
                                           "signed_on": "2026-11-01", "amount": "5000"})
        records[f"{key}_contact"], records[f"{key}_contract"] = contact["id"], contract["id"]
    return records


def _ids(page) -> set[int]:
    return {r["id"] for r in page.rows}


# ------------------------------------------------------------- row scope

def test_sales_cannot_get_another_owners_customer(office):
    with pytest.raises(NotFound):
        office["sales1"].customers.get(office["theirs"])


def test_sales_gets_his_own_customer(office):
    assert office["sales1"].customers.get(office["mine"])["name"] == "北京星辰软件有限公司"


def test_sales_lists_and_counts_only_his_customers(office):
    sales1 = office["sales1"]

    assert _ids(sales1.customers.list()) == {office["mine"]}
    assert sales1.customers.count() == 1


def test_sales_filter_by_id_does_not_reveal_others(office):
    query = ListQuery(filters=(Filter("id", "eq", office["theirs"]),))

    assert office["sales1"].customers.list(query).rows == []
    assert office["sales1"].customers.count(query) == 0


def test_sales_search_finds_only_his_customers(office):
    sales1 = office["sales1"]

    assert _ids(sales1.customers.search("星辰")) == {office["mine"]}
    assert _ids(sales1.customers.search("13987654321")) == set()
    assert sales1.customers.count(ListQuery(search="有限公司")) == 1


def test_sales_export_holds_only_his_customers(office):
    assert [r["id"] for r in office["sales1"].customers.export()] == [office["mine"]]


def test_sales_cannot_read_another_owners_contacts(office):
    sales1 = office["sales1"]

    with pytest.raises(NotFound):
        sales1.contacts.get(office["theirs_contact"])
    assert _ids(sales1.contacts.list()) == {office["mine_contact"]}
    assert sales1.contacts.count() == 1
    assert [r["id"] for r in sales1.contacts.export()] == [office["mine_contact"]]


def test_sales_cannot_read_another_owners_contracts(office):
    sales1 = office["sales1"]

    with pytest.raises(NotFound):
        sales1.contracts.get(office["theirs_contract"])
    assert _ids(sales1.contracts.list()) == {office["mine_contract"]}
    assert _ids(sales1.contracts.search("HT-theirs")) == set()
    assert [r["id"] for r in sales1.contracts.export()] == [office["mine_contract"]]


def test_sales_cannot_change_another_owners_customer(office):
    sales1 = office["sales1"]

    with pytest.raises(NotFound):
        sales1.customers.update(office["theirs"], {"level": "A"}, version=1)
    with pytest.raises(NotFound):
        sales1.customers.deactivate(office["theirs"], "不想要", version=1)
    with pytest.raises(NotFound):
        sales1.customers.change_status(office["theirs"], "lost", version=1)
    with pytest.raises(NotFound):
        sales1.customers.status_history(office["theirs"])
    assert office["sales2"].customers.get(office["theirs"])["level"] is None


def test_sales_cannot_add_a_contact_to_another_owners_customer(office):
    with pytest.raises(ValidationError) as err:
        office["sales1"].contacts.create({"customer_id": office["theirs"], "name": "混进来的"})

    assert err.value.for_field("customer_id")
    assert office["sales2"].contacts.count() == 1


def test_sales_cannot_move_his_contact_to_another_owners_customer(office):
    sales1 = office["sales1"]
    contact = sales1.contacts.get(office["mine_contact"])

    with pytest.raises(ValidationError) as err:
        sales1.contacts.update(contact["id"], {"customer_id": office["theirs"]}, version=contact["version"])

    assert err.value.for_field("customer_id")


def test_shared_customer_becomes_visible_and_unshare_hides_it(admin, office):
    sales1 = office["sales1"]

    admin.customers.share(office["theirs"], sales1.actor.user_id)
    assert sales1.customers.get(office["theirs"])["id"] == office["theirs"]
    assert _ids(sales1.customers.list()) == {office["mine"], office["theirs"]}
    assert sales1.contacts.get(office["theirs_contact"])["customer_id"] == office["theirs"]

    admin.customers.unshare(office["theirs"], sales1.actor.user_id)
    with pytest.raises(NotFound):
        sales1.customers.get(office["theirs"])
    assert _ids(sales1.customers.list()) == {office["mine"]}


def test_sharing_twice_is_harmless(admin, office):
    sales1 = office["sales1"]
    admin.customers.share(office["theirs"], sales1.actor.user_id)
    admin.customers.share(office["theirs"], sales1.actor.user_id)

    assert sales1.customers.count() == 2


def test_sales_may_not_share(office):
    with pytest.raises(PermissionDenied):
        office["sales1"].customers.share(office["mine"], office["sales2"].actor.user_id)


def test_sales_cannot_assign_a_new_customer_to_someone_else(office):
    sales1 = office["sales1"]

    with pytest.raises(ValidationError) as err:
        sales1.customers.create({"name": "新客户", "owner_id": office["sales2"].actor.user_id})

    [problem] = err.value.for_field("owner_id")
    assert "跟进人" in problem.message.zh
    assert office["sales2"].customers.count() == 1


def test_sales_cannot_hand_his_customer_to_someone_else(office):
    sales1 = office["sales1"]
    mine = sales1.customers.get(office["mine"])

    with pytest.raises(ValidationError) as err:
        sales1.customers.update(mine["id"], {"owner_id": office["sales2"].actor.user_id}, version=mine["version"])

    assert err.value.for_field("owner_id")
    assert sales1.customers.get(mine["id"])["owner_id"] == sales1.actor.user_id


def test_sales_creating_a_customer_owns_it(office):
    sales1 = office["sales1"]

    created = sales1.customers.create({"name": "自己的客户"})

    assert created["owner_id"] == sales1.actor.user_id
    assert sales1.customers.count() == 2


def test_sales_cannot_blank_the_owner(office):
    sales1 = office["sales1"]
    mine = sales1.customers.get(office["mine"])

    with pytest.raises(ValidationError) as err:
        sales1.customers.update(mine["id"], {"owner_id": None}, version=mine["version"])

    assert err.value.for_field("owner_id")


def test_sales_may_not_delete_customers(office):
    with pytest.raises(PermissionDenied):
        office["sales1"].customers.delete(office["mine"], version=1)


# ---------------------------------------------------------------- roles

def test_engineer_cannot_create_customers(login):
    engineer = login("engineer1")

    with pytest.raises(PermissionDenied) as err:
        engineer.customers.create({"name": "工程师的客户"})

    assert "客户" in err.value.message.zh


def test_engineer_reads_phones_masked(login, make_customer):
    customer = make_customer(phone="13812345678")
    engineer = login("engineer1")

    record = engineer.customers.get(customer["id"])
    listed = engineer.customers.list().rows[0]

    assert record["phone"] == "138****5678"
    assert "phone" in record["_masked"]
    assert listed["phone"] == "138****5678"
    assert "phone" in listed["_masked"]


def test_engineer_cannot_find_a_customer_by_its_hidden_phone(login, make_customer):
    make_customer(phone="13812345678")
    engineer = login("engineer1")

    assert engineer.customers.search("13812345678").rows == []


def test_engineer_still_finds_digits_in_codes_and_names(login, make_customer):
    customer = make_customer("360数据科技有限公司", phone="13812345678")
    engineer = login("engineer1")

    assert [r["id"] for r in engineer.customers.search("360").rows] == [customer["id"]]
    assert [r["id"] for r in engineer.customers.search(customer["code"][1:]).rows] == [customer["id"]]


def test_engineer_cannot_read_contacts(login, office):
    with pytest.raises(PermissionDenied):
        login("engineer1").contacts.list()


def test_export_needs_the_export_right(login, make_customer):
    make_customer()
    engineer = login("engineer1")

    with pytest.raises(PermissionDenied):
        engineer.customers.export()


def test_manager_and_sales_read_phones_in_full(login, office):
    assert login("manager1").customers.get(office["mine"])["phone"] == "13812345678"
    record = office["sales1"].customers.get(office["mine"])
    assert record["phone"] == "13812345678"
    assert record["_masked"] == []


def test_sales_reads_contact_id_numbers_masked_and_admin_in_full(admin, office):
    seen_by_sales = office["sales1"].contacts.get(office["mine_contact"])
    seen_by_admin = admin.contacts.get(office["mine_contact"])

    assert seen_by_sales["id_number"] == "**************002X"
    assert seen_by_sales["_masked"] == ["id_number"]
    assert seen_by_admin["id_number"] == ID_NUMBER
    assert seen_by_admin["_masked"] == []


def test_sales_exports_id_numbers_masked(office):
    exported = list(office["sales1"].contacts.export())

    assert [r["id_number"] for r in exported] == ["**************002X"]


def test_sending_the_masked_value_back_keeps_the_real_one(admin, office):
    sales1 = office["sales1"]
    form = sales1.contacts.get(office["mine_contact"])

    saved = sales1.contacts.update(form["id"], {"id_number": form["id_number"], "position": "总经理"},
                                   version=form["version"])

    assert saved["position"] == "总经理"
    assert admin.contacts.get(form["id"])["id_number"] == ID_NUMBER


def test_sales_may_replace_a_masked_id_number_with_a_new_one(admin, office):
    sales1 = office["sales1"]
    form = sales1.contacts.get(office["mine_contact"])
    new_id = "110105194912310038"

    sales1.contacts.update(form["id"], {"id_number": new_id}, version=form["version"])

    assert admin.contacts.get(form["id"])["id_number"] == new_id


# ------------------------------------------------------------------ bulk

def test_manager_bulk_reassigns_owners(login, office):
    manager = login("manager1")
    target = office["sales2"].actor.user_id

    shown = versions_of(manager.customers, [office["mine"], office["theirs"]])

    rows = manager.customers.bulk_update(shown, {"owner_id": target})

    assert {r["owner_id"] for r in rows} == {target}
    assert office["sales2"].customers.count() == 2
    assert office["sales1"].customers.count() == 0


def test_sales_bulk_update_including_someone_elses_customer_fails_as_a_whole(office):
    sales1 = office["sales1"]

    shown = {office["mine"]: 1, office["theirs"]: 1}

    with pytest.raises(NotFound):
        sales1.customers.bulk_update(shown, {"level": "A"})

    assert sales1.customers.get(office["mine"])["level"] is None
    assert office["sales2"].customers.get(office["theirs"])["level"] is None


def test_sales_bulk_handover_to_someone_else_fails_as_a_whole(office):
    sales1 = office["sales1"]
    second = sales1.customers.create({"name": "第二个客户"})

    with pytest.raises(ValidationError) as err:
        sales1.customers.bulk_update(versions_of(sales1.customers, [office["mine"], second["id"]]),
                                     {"owner_id": office["sales2"].actor.user_id})

    assert [e.row for e in err.value.for_field("owner_id")] == [0]
    assert sales1.customers.count() == 2
    assert office["sales2"].customers.count() == 1


def test_a_masked_id_number_cannot_be_probed_through_the_birth_date_check(admin, login, make_customer):
    sales = login("sales1")
    customer = make_customer(owner_id=sales.actor.user_id)
    contact = admin.contacts.create({"customer_id": customer["id"], "name": "王五", "id_number": "11010519491231002X"})
    seen = sales.contacts.get(contact["id"])
    # Any birth date goes in without telling the salesperson whether it matches the hidden ID.
    updated = sales.contacts.update(contact["id"], {"birth_date": "1980-01-01"}, version=seen["version"])
    assert str(updated["birth_date"]) == "1980-01-01"
