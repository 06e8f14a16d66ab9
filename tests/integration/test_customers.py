"""Customers (客户信息) as a client uses them: codes, validation, locking, workflow, search, paging."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from crm_core import (ConcurrencyConflict, Filter, InUse, ListQuery, NotFound, RecordInactive,
                      ValidationError)

VALID_CREDIT_CODE = "91350100M000100Y43"


def _today() -> dt.date:
    return dt.datetime.now().astimezone().date()


def _contract(admin, customer_id: int, number: str) -> dict:
    return admin.contracts.create({"number": number, "customer_id": customer_id,
                                   "signed_on": "2026-11-01", "amount": "10000.00"})


def _all_rows(service, query: ListQuery) -> list[dict]:
    """Every row of ``query``, following ``next_cursor`` page by page."""
    rows, after = [], None
    while True:
        page = service.list(ListQuery(query.filters, query.search, query.sort, after, query.limit,
                                      query.include_inactive))
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        after = page.next_cursor


# ------------------------------------------------------------------ codes

def test_code_is_c_plus_today_plus_three_digit_sequence(make_customer):
    first, second = make_customer("甲公司"), make_customer("乙公司")

    prefix = f"C{_today():%Y%m%d}"
    assert first["code"] == f"{prefix}001"
    assert second["code"] == f"{prefix}002"


def test_code_of_a_deleted_customer_is_not_reused(admin, make_customer):
    make_customer("甲公司")
    doomed = make_customer("乙公司")
    admin.customers.delete(doomed["id"])

    newcomer = make_customer("丙公司")

    assert newcomer["code"].endswith("003")
    assert doomed["code"] not in {r["code"] for r in admin.customers.list().rows}


def test_code_cannot_be_set_by_the_caller(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError) as err:
        admin.customers.update(customer["id"], {"code": "C19990101001"}, version=customer["version"])

    assert err.value.for_field("code")
    assert admin.customers.get(customer["id"])["code"] == customer["code"]


# ------------------------------------------------------------- validation

@pytest.mark.parametrize(("values", "field", "zh", "en"), [
    ({"name": ""}, "name", "公司名称", "Company name"),
    ({"name": "   "}, "name", "公司名称", "Company name"),
    ({"name": "长" * 101}, "name", "公司名称", "Company name"),
    ({"name": "星辰", "email": "not-an-email"}, "email", "邮箱", "Email"),
    ({"name": "星辰", "phone": "12345"}, "phone", "电话", "Phone"),
    ({"name": "星辰", "credit_code": "91350100M000100Y44"}, "credit_code", "统一社会信用代码", "credit code"),
])
def test_bad_input_names_the_field_in_both_languages_and_writes_nothing(admin, values, field, zh, en):
    with pytest.raises(ValidationError) as err:
        admin.customers.create(values)

    problems = err.value.for_field(field)
    assert len(problems) == 1
    assert zh in problems[0].message.zh
    assert en.lower() in problems[0].message.en.lower()
    assert admin.customers.count() == 0


def test_missing_name_is_reported_with_the_required_code(admin):
    with pytest.raises(ValidationError) as err:
        admin.customers.create({"phone": "13812345678"})

    assert [e.code for e in err.value.for_field("name")] == ["required"]


def test_all_problems_of_a_form_are_reported_at_once(admin):
    with pytest.raises(ValidationError) as err:
        admin.customers.create({"name": "", "email": "x@", "phone": "abc"})

    assert {"name", "email", "phone"} <= err.value.fields


def test_failed_update_leaves_the_saved_record_unchanged(admin, make_customer):
    customer = make_customer(phone="13812345678")

    with pytest.raises(ValidationError):
        admin.customers.update(customer["id"], {"name": "新名称", "email": "bad"}, version=customer["version"])

    again = admin.customers.get(customer["id"])
    assert again["name"] == customer["name"]
    assert again["version"] == customer["version"]


def test_unknown_field_is_refused(admin):
    with pytest.raises(ValidationError) as err:
        admin.customers.create({"name": "星辰", "fax": "010-1"})

    assert err.value.for_field("fax")


def test_valid_credit_code_is_accepted_in_lower_case_with_spaces(make_customer):
    customer = make_customer(credit_code="9135 0100 m000 100y43")

    assert customer["credit_code"] == VALID_CREDIT_CODE


@pytest.mark.parametrize(("typed", "stored"), [
    ("+86 138-1234-5678", "13812345678"),
    ("１３８ １２３４ ５６７８", "13812345678"),
    ("(010)12345678", "010-12345678"),
    ("0755 1234567", "0755-1234567"),
    ("4001234567", "400-123-4567"),
])
def test_phone_numbers_are_normalised(admin, make_customer, typed, stored):
    customer = make_customer(phone=typed)

    assert customer["phone"] == stored
    assert admin.customers.get(customer["id"])["phone"] == stored


def test_email_domain_is_lower_cased(make_customer):
    assert make_customer(email="Sales@XingChen.COM")["email"] == "Sales@xingchen.com"


# -------------------------------------------------------- optimistic lock

def test_stale_update_raises_conflict_showing_the_other_users_save(admin, login, make_customer):
    manager = login("manager1")
    customer = make_customer(phone="13812345678")
    seen_by_manager = manager.customers.get(customer["id"])

    admin.customers.update(customer["id"], {"name": "北京星辰科技股份有限公司", "level": "A"},
                           version=customer["version"])
    with pytest.raises(ConcurrencyConflict) as err:
        manager.customers.update(customer["id"], {"name": "经理改的名字"}, version=seen_by_manager["version"])

    assert err.value.current["name"] == "北京星辰科技股份有限公司"
    assert err.value.current["level"] == "A"
    assert err.value.record_id == customer["id"]
    saved = manager.customers.get(customer["id"])
    assert saved["name"] == "北京星辰科技股份有限公司"
    assert saved["level"] == "A"


def test_update_with_current_version_succeeds_and_bumps_version(admin, make_customer):
    customer = make_customer()

    updated = admin.customers.update(customer["id"], {"level": "B"}, version=customer["version"])

    assert updated["level"] == "B"
    assert updated["version"] > customer["version"]
    assert admin.customers.get(customer["id"])["version"] == updated["version"]


def test_new_customer_is_at_its_first_version(make_customer):
    assert make_customer()["version"] == 1


def test_adding_a_contact_does_not_make_an_open_customer_form_stale(admin, login, make_customer):
    manager = login("manager1")
    customer = make_customer()
    form = manager.customers.get(customer["id"])

    admin.contacts.create({"customer_id": customer["id"], "name": "张伟"})
    saved = manager.customers.update(customer["id"], {"level": "A"}, version=form["version"])

    assert saved["level"] == "A"
    assert saved["updated_by_id"] == manager.actor.user_id


def test_update_bumps_the_version_by_one(admin, make_customer):
    customer = make_customer()

    updated = admin.customers.update(customer["id"], {"name": "新名称"}, version=customer["version"])

    assert updated["version"] == customer["version"] + 1


def test_reloaded_version_lets_the_second_user_save(admin, login, make_customer):
    manager = login("manager1")
    customer = make_customer()
    admin.customers.update(customer["id"], {"level": "A"}, version=customer["version"])
    try:
        manager.customers.update(customer["id"], {"level": "C"}, version=customer["version"])
    except ConcurrencyConflict as exc:
        manager.customers.update(customer["id"], {"level": "C"}, version=exc.current["version"])

    assert admin.customers.get(customer["id"])["level"] == "C"


# --------------------------------------------------- deactivate / delete

def test_deactivate_needs_a_reason(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError) as err:
        admin.customers.deactivate(customer["id"], "  ")

    assert err.value.for_field("deactivated_reason")
    assert admin.customers.get(customer["id"])["is_active"] is True


def test_deactivated_customer_is_read_only_with_its_reason(admin, make_customer):
    customer = make_customer()
    inactive = admin.customers.deactivate(customer["id"], "公司已注销")

    with pytest.raises(RecordInactive) as err:
        admin.customers.update(customer["id"], {"level": "A"}, version=inactive["version"])

    assert err.value.reason == "公司已注销"
    assert "公司已注销" in err.value.message.zh
    assert admin.customers.get(customer["id"])["level"] is None


def test_deactivated_customer_refuses_a_status_change(admin, make_customer):
    customer = make_customer()
    inactive = admin.customers.deactivate(customer["id"], "公司已注销")

    with pytest.raises(RecordInactive):
        admin.customers.change_status(customer["id"], "interested", version=inactive["version"])


def test_deactivated_customer_stays_listed_and_visible(admin, make_customer):
    customer = make_customer()
    admin.customers.deactivate(customer["id"], "公司已注销")

    record = admin.customers.get(customer["id"])
    assert record["is_active"] is False
    assert record["deactivated_reason"] == "公司已注销"
    assert [r["id"] for r in admin.customers.list().rows] == [customer["id"]]


def test_reactivate_restores_editing(admin, make_customer):
    customer = make_customer()
    admin.customers.deactivate(customer["id"], "公司已注销")

    active = admin.customers.reactivate(customer["id"])
    updated = admin.customers.update(customer["id"], {"level": "A"}, version=active["version"])

    assert active["is_active"] is True
    assert active["deactivated_reason"] is None
    assert updated["level"] == "A"


def test_delete_of_customer_with_contacts_names_what_uses_it(admin, make_customer):
    customer = make_customer()
    admin.contacts.create({"customer_id": customer["id"], "name": "张伟"})

    with pytest.raises(InUse) as err:
        admin.customers.delete(customer["id"])

    assert err.value.references == {"contacts": 1}
    assert "联系人" in err.value.message.zh
    assert "contact" in err.value.message.en.lower()
    assert admin.customers.get(customer["id"])["name"] == customer["name"]


def test_delete_of_unused_customer_removes_it(admin, make_customer):
    customer = make_customer()

    admin.customers.delete(customer["id"])

    with pytest.raises(NotFound):
        admin.customers.get(customer["id"])
    assert admin.customers.count() == 0


def test_stale_form_of_a_deleted_customer_cannot_overwrite_a_new_one(admin, make_customer):
    make_customer("甲公司")
    doomed = make_customer("乙公司")
    admin.customers.delete(doomed["id"])
    newcomer = make_customer("丙公司")

    with pytest.raises((NotFound, ConcurrencyConflict)):
        admin.customers.update(doomed["id"], {"name": "旧表单"}, version=doomed["version"])

    assert newcomer["id"] != doomed["id"]
    assert admin.customers.get(newcomer["id"])["name"] == "丙公司"
    assert [e["action"] for e in admin.audit.list(module="customers", record_id=newcomer["id"]).rows] == ["create"]


def test_delete_with_stale_version_is_refused(admin, make_customer):
    customer = make_customer()
    admin.customers.update(customer["id"], {"level": "A"}, version=customer["version"])

    with pytest.raises(ConcurrencyConflict):
        admin.customers.delete(customer["id"], version=customer["version"])

    assert admin.customers.get(customer["id"])["level"] == "A"


# ------------------------------------------------------- status workflow

def test_new_customer_is_a_prospect(make_customer):
    assert make_customer()["status"] == "prospect"


def test_status_cannot_be_set_through_update(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError) as err:
        admin.customers.update(customer["id"], {"status": "won"}, version=customer["version"])

    assert err.value.for_field("status")
    assert admin.customers.get(customer["id"])["status"] == "prospect"


def test_prospect_to_interested_to_won_with_own_contract(admin, make_customer):
    customer = make_customer()
    _contract(admin, customer["id"], "HT-2026-001")

    interested = admin.customers.change_status(customer["id"], "interested", version=customer["version"])
    won = admin.customers.change_status(customer["id"], "won", version=interested["version"],
                                        contract_number="HT-2026-001")

    assert interested["status"] == "interested"
    assert won["status"] == "won"
    assert admin.customers.get(customer["id"])["status"] == "won"


def test_won_without_contract_number_is_refused(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError) as err:
        admin.customers.change_status(customer["id"], "won", version=customer["version"])

    assert err.value.for_field("contract_number")
    assert "合同编号" in err.value.message.zh
    assert admin.customers.get(customer["id"])["status"] == "prospect"


def test_won_with_another_customers_contract_is_refused(admin, make_customer):
    customer, other = make_customer("甲公司"), make_customer("乙公司")
    _contract(admin, other["id"], "HT-OTHER-1")

    with pytest.raises(ValidationError) as err:
        admin.customers.change_status(customer["id"], "won", version=customer["version"],
                                      contract_number="HT-OTHER-1")

    assert [e.code for e in err.value.for_field("contract_number")] == ["not_found"]
    assert admin.customers.get(customer["id"])["status"] == "prospect"


def test_won_with_unknown_contract_number_is_refused(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError):
        admin.customers.change_status(customer["id"], "won", version=customer["version"],
                                      contract_number="HT-NONE")


@pytest.mark.parametrize(("path", "refused"), [
    ((), "reactivated"),
    (("lost",), "interested"),
    (("lost",), "won"),
])
def test_invalid_transition_is_refused_with_a_message(admin, make_customer, path, refused):
    customer = make_customer()
    version = customer["version"]
    for status in path:
        version = admin.customers.change_status(customer["id"], status, version=version)["version"]

    with pytest.raises(ValidationError) as err:
        admin.customers.change_status(customer["id"], refused, version=version)

    [problem] = err.value.for_field("status")
    assert "客户状态" in problem.message.zh
    assert "Status" in problem.message.en


def test_won_customer_cannot_go_back_to_prospect(admin, make_customer):
    customer = make_customer()
    _contract(admin, customer["id"], "HT-1")
    won = admin.customers.change_status(customer["id"], "won", version=customer["version"], contract_number="HT-1")

    with pytest.raises(ValidationError):
        admin.customers.change_status(customer["id"], "prospect", version=won["version"])

    assert admin.customers.get(customer["id"])["status"] == "won"


def test_lost_customer_can_be_reactivated(admin, make_customer):
    customer = make_customer()
    lost = admin.customers.change_status(customer["id"], "lost", version=customer["version"])

    back = admin.customers.change_status(customer["id"], "reactivated", version=lost["version"])

    assert back["status"] == "reactivated"


def test_status_change_with_stale_version_is_refused(admin, make_customer):
    customer = make_customer()
    admin.customers.update(customer["id"], {"level": "A"}, version=customer["version"])

    with pytest.raises(ConcurrencyConflict):
        admin.customers.change_status(customer["id"], "interested", version=customer["version"])

    assert admin.customers.get(customer["id"])["status"] == "prospect"


def test_status_history_records_every_change_with_operator_and_time(admin, login, make_customer):
    manager = login("manager1", name="王经理")
    customer = make_customer()
    _contract(admin, customer["id"], "HT-7")
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)

    step = admin.customers.change_status(customer["id"], "interested", version=customer["version"])
    manager.customers.change_status(customer["id"], "won", version=step["version"], contract_number="HT-7",
                                    note="签约")

    history = admin.customers.status_history(customer["id"])
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "prospect"), ("prospect", "interested"), ("interested", "won")]
    assert [h["changed_by"] for h in history] == ["系统管理员", "系统管理员", "王经理"]
    assert history[2]["contract_number"] == "HT-7"
    assert history[2]["note"] == "签约"
    assert all(h["changed_at"].tzinfo is not None and h["changed_at"] > started for h in history)


def test_refused_status_change_adds_no_history(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError):
        admin.customers.change_status(customer["id"], "won", version=customer["version"])

    assert len(admin.customers.status_history(customer["id"])) == 1


def test_change_status_many_changes_all(admin, make_customer):
    ids = [make_customer(f"公司{i}")["id"] for i in range(3)]

    rows = admin.customers.change_status_many(ids, "interested")

    assert [r["status"] for r in rows] == ["interested"] * 3
    assert all(admin.customers.get(i)["status"] == "interested" for i in ids)


def test_change_status_many_is_all_or_nothing(admin, make_customer):
    first, lost = make_customer("甲公司"), make_customer("乙公司")
    admin.customers.change_status(lost["id"], "lost", version=lost["version"])

    with pytest.raises(ValidationError) as err:
        admin.customers.change_status_many([first["id"], lost["id"]], "interested")

    assert [e.row for e in err.value.errors] == [1]
    assert admin.customers.get(first["id"])["status"] == "prospect"
    assert len(admin.customers.status_history(first["id"])) == 1


def test_change_status_many_to_won_is_refused_for_lack_of_contract(admin, make_customer):
    customer = make_customer()

    with pytest.raises(ValidationError):
        admin.customers.change_status_many([customer["id"]], "won")

    assert admin.customers.get(customer["id"])["status"] == "prospect"


# ---------------------------------------------------------------- search

@pytest.fixture
def directory(admin, make_customer):
    """A few customers, with contacts, to search in."""
    star = make_customer("北京星辰软件有限公司", phone="010-62345678", email="info@xingchen.com")
    cloud = make_customer("上海云帆信息技术有限公司", phone="13812345678")
    acme = make_customer("ACME Software Ltd", email="Sales@Acme-Soft.com")
    admin.contacts.create({"customer_id": cloud["id"], "name": "欧阳明远", "phone": "13987654321"})
    admin.contacts.create({"customer_id": star["id"], "name": "张伟"})
    return {"star": star["id"], "cloud": cloud["id"], "acme": acme["id"]}


def _found(admin, term: str) -> set[int]:
    return {r["id"] for r in admin.customers.search(term).rows}


@pytest.mark.parametrize(("term", "who"), [
    ("星辰", {"star"}),
    ("有限", {"star", "cloud"}),
    ("星辰软件", {"star"}),
    ("云帆信息技术", {"cloud"}),
    ("欧阳明远", {"cloud"}),
    ("欧阳", {"cloud"}),
    ("张伟", {"star"}),
    ("1398765", {"cloud"}),
    ("139-8765-4321", {"cloud"}),
    ("138 1234", {"cloud"}),
    ("6234-5678", {"star"}),
    ("info@xingchen.com", {"star"}),
    ("sales@acme-soft.com", {"acme"}),
    ("acme", {"acme"}),
    ("ACME SOFT", {"acme"}),
    ("Software", {"acme"}),
    ("星辰 软件", {"star"}),
    ("不存在的公司", set()),
])
def test_search_finds_by_name_contact_phone_and_email(admin, directory, term, who):
    assert _found(admin, term) == {directory[w] for w in who}


def test_search_by_customer_code(admin, directory):
    code = admin.customers.get(directory["acme"])["code"]

    assert _found(admin, code) == {directory["acme"]}
    assert _found(admin, code.lower()) == {directory["acme"]}


def test_search_follows_a_rename(admin, directory):
    customer = admin.customers.get(directory["acme"])

    admin.customers.update(customer["id"], {"name": "极光数据有限公司"}, version=customer["version"])

    assert _found(admin, "极光") == {customer["id"]}
    assert _found(admin, "software") == set()


def test_search_follows_a_contact_change(admin, directory):
    contact = admin.contacts.list(ListQuery(filters=(Filter("customer_id", "eq", directory["star"]),))).rows[0]

    admin.contacts.update(contact["id"], {"name": "李娜"}, version=contact["version"])

    assert _found(admin, "李娜") == {directory["star"]}
    assert _found(admin, "张伟") == set()


def test_search_follows_a_contact_moving_to_another_customer(admin, directory):
    contact = admin.contacts.list(ListQuery(filters=(Filter("customer_id", "eq", directory["star"]),))).rows[0]

    admin.contacts.update(contact["id"], {"customer_id": directory["acme"]}, version=contact["version"])

    assert _found(admin, "张伟") == {directory["acme"]}


def test_search_forgets_a_deleted_contact(admin, directory):
    contact = admin.contacts.list(ListQuery(filters=(Filter("customer_id", "eq", directory["cloud"]),))).rows[0]

    admin.contacts.delete(contact["id"])

    assert _found(admin, "欧阳明远") == set()
    assert _found(admin, "欧阳") == set()
    assert _found(admin, "13987654321") == set()
    assert _found(admin, "云帆") == {directory["cloud"]}


@pytest.mark.parametrize("term", ["星", " 星 ", "a", "", "星 辰", "a b c"])
def test_one_character_search_is_refused_on_field_search(admin, directory, term):
    with pytest.raises(ValidationError) as err:
        admin.customers.search(term)

    assert err.value.for_field("search")


@pytest.mark.parametrize(("name", "term"), [
    ("星辰（北京）软件", "（北"),
    ("A+B 信息", "a+"),
    ("星辰·软件", "辰·"),
])
def test_two_character_term_with_punctuation_finds_the_name(admin, make_customer, name, term):
    customer = make_customer(name)

    assert _found(admin, term) == {customer["id"]}


def test_count_agrees_with_search(admin, directory):
    assert admin.customers.count(ListQuery(search="有限")) == 2


def test_contacts_search_finds_a_phone_typed_with_dashes(admin, directory):
    rows = admin.contacts.search("139-8765-4321").rows

    assert [r["name"] for r in rows] == ["欧阳明远"]


def test_contacts_search_finds_a_landline_typed_without_dashes(admin, directory):
    contact = admin.contacts.create({"customer_id": directory["acme"], "name": "李娜", "phone": "010-87654321"})

    assert [r["id"] for r in admin.contacts.search("01087654321").rows] == [contact["id"]]
    assert [r["id"] for r in admin.contacts.search("李娜").rows] == [contact["id"]]


# ---------------------------------------------------------------- paging

LEVELS = ("A", "B", None, "C", None)


@pytest.fixture
def thirty(make_customer):
    """30 customers with repeated names and a nullable level (some None)."""
    return [make_customer(f"客户{i % 9:02d}", level=LEVELS[i % len(LEVELS)])["id"] for i in range(30)]


def _expected(rows: list[dict], sort: tuple[str, ...]) -> list[int]:
    """Ids in the documented order: NULLs last in every direction, id in the first key's direction."""
    ordered = sorted(rows, key=lambda r: r["id"], reverse=sort[0].startswith("-"))
    for item in reversed(sort):
        name, desc = item.lstrip("-"), item.startswith("-")
        present = sorted((r for r in ordered if r[name] is not None), key=lambda r: r[name], reverse=desc)
        ordered = present + [r for r in ordered if r[name] is None]
    return [r["id"] for r in ordered]


@pytest.mark.parametrize("sort", [
    (), ("name",), ("-name",), ("level",), ("-level",), ("level", "-name"), ("-level", "name"),
    ("-created_at",), ("code",), ("id",), ("-id",), ("name", "-level"), ("-address",),
])
def test_keyset_paging_returns_every_record_once_in_order(admin, thirty, sort):
    everything = admin.customers.list(ListQuery(limit=500)).rows

    paged = _all_rows(admin.customers, ListQuery(sort=sort, limit=7))

    ids = [r["id"] for r in paged]
    assert sorted(ids) == sorted(thirty)
    assert ids == _expected(everything, sort or ("-id",))


def test_keyset_paging_over_search_results(admin, thirty):
    rows = _all_rows(admin.customers, ListQuery(search="客户", sort=("-level", "name"), limit=7))

    assert sorted(r["id"] for r in rows) == sorted(thirty)
    assert [r["id"] for r in rows] == _expected(rows, ("-level", "name"))


def test_pages_have_the_requested_size(admin, thirty):
    first = admin.customers.list(ListQuery(sort=("level",), limit=7))
    second = admin.customers.list(ListQuery(sort=("level",), limit=7, after=first.next_cursor))

    assert len(first.rows) == len(second.rows) == 7
    assert not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}


def test_last_page_has_no_cursor(admin, thirty):
    page = admin.customers.list(ListQuery(limit=30))

    assert len(page.rows) == 30
    assert page.next_cursor is None


def test_paging_with_a_filter_and_a_nullable_sort(admin, thirty):
    query = ListQuery(filters=(Filter("name", "in", ["客户01", "客户02", "客户03"]),), sort=("-level",), limit=2)

    rows = _all_rows(admin.customers, query)

    assert len(rows) == admin.customers.count(query) == 11
    assert [r["id"] for r in rows] == _expected(rows, ("-level",))


def test_paging_skips_deactivated_when_asked(admin, thirty):
    admin.customers.deactivate(thirty[0], "重复")

    rows = _all_rows(admin.customers, ListQuery(sort=("name",), limit=7, include_inactive=False))

    assert sorted(r["id"] for r in rows) == sorted(thirty[1:])


def test_sort_on_unknown_field_is_refused(admin, thirty):
    with pytest.raises(ValidationError) as err:
        admin.customers.list(ListQuery(sort=("-salary",)))

    assert err.value.for_field("salary")


# --------------------------------------------------------------- filters

def _count_and_rows(admin, *filters: Filter) -> tuple[int, list[dict]]:
    query = ListQuery(filters=filters, limit=500)
    return admin.customers.count(query), admin.customers.list(query).rows


def test_filter_eq(admin, thirty):
    count, rows = _count_and_rows(admin, Filter("level", "eq", "A"))

    assert count == len(rows) == 6
    assert {r["level"] for r in rows} == {"A"}


def test_filter_in(admin, thirty):
    count, rows = _count_and_rows(admin, Filter("level", "in", ["A", "C"]))

    assert count == len(rows) == 12


def test_filter_is_null(admin, thirty):
    assert _count_and_rows(admin, Filter("level", "is_null", True))[0] == 12
    assert _count_and_rows(admin, Filter("level", "is_null", False))[0] == 18


def test_filter_in_with_none_includes_empty_values(admin, thirty):
    count, rows = _count_and_rows(admin, Filter("level", "in", ["A", None]))

    assert count == len(rows) == 18
    assert {r["level"] for r in rows} == {"A", None}


def test_filter_on_owner_and_active_flag(admin, login, thirty):
    sales1 = login("sales1")
    admin.customers.bulk_update(thirty[:4], {"owner_id": sales1.actor.user_id})
    admin.customers.deactivate(thirty[0], "重复")

    assert _count_and_rows(admin, Filter("owner_id", "eq", sales1.actor.user_id))[0] == 4
    assert _count_and_rows(admin, Filter("is_active", "eq", False))[0] == 1
    assert _count_and_rows(admin, Filter("owner_id", "eq", sales1.actor.user_id),
                           Filter("is_active", "eq", True))[0] == 3


def test_contains_on_a_non_text_field_is_refused(admin, thirty):
    with pytest.raises(ValidationError) as err:
        admin.customers.count(ListQuery(filters=(Filter("owner_id", "contains", "1"),)))

    assert err.value.for_field("owner_id")


def test_filter_eq_none_means_is_null(admin, thirty):
    assert _count_and_rows(admin, Filter("level", "eq", None))[0] == 12


def test_filter_contains_is_case_insensitive_text(admin, make_customer):
    make_customer("ACME Software")
    make_customer("acme 数据")
    make_customer("星辰软件")

    count, rows = _count_and_rows(admin, Filter("name", "contains", "Acme"))

    assert count == len(rows) == 2


def test_filter_contains_treats_wildcards_literally(admin, make_customer):
    make_customer("百分之百_公司")
    make_customer("百分之百公司")

    assert _count_and_rows(admin, Filter("name", "contains", "百_公"))[0] == 1
    assert _count_and_rows(admin, Filter("name", "contains", "%"))[0] == 0


def test_filter_between_timestamps(admin, thirty):
    everything = sorted(admin.customers.list(ListQuery(limit=500)).rows, key=lambda r: r["id"])
    low, high = everything[5]["created_at"], everything[14]["created_at"]
    expected = [r for r in everything if low <= r["created_at"] <= high]

    count, rows = _count_and_rows(admin, Filter("created_at", "between", (low, high)))

    assert count == len(rows) == len(expected)


def test_filter_between_text_codes_with_open_end(admin, thirty):
    codes = sorted(r["code"] for r in admin.customers.list(ListQuery(limit=500)).rows)

    count, rows = _count_and_rows(admin, Filter("code", "between", (codes[20], None)))

    assert count == len(rows) == 10


def test_filters_combine_with_and(admin, thirty):
    count, rows = _count_and_rows(admin, Filter("level", "in", ["A", "B"]), Filter("name", "eq", "客户00"))

    assert count == len(rows)
    assert all(r["name"] == "客户00" and r["level"] in {"A", "B"} for r in rows)


def test_filter_shorthand_dict(admin, thirty):
    assert admin.customers.count(ListQuery(filters={"level": "B"})) == 6


def test_filter_on_unknown_field_is_refused(admin, thirty):
    with pytest.raises(ValidationError) as err:
        admin.customers.count(ListQuery(filters=(Filter("salary", "eq", 1),)))

    assert err.value.for_field("salary")
    assert "salary" in err.value.message.en


def test_filter_with_unknown_op_is_refused(admin, thirty):
    with pytest.raises(ValidationError) as err:
        admin.customers.list(ListQuery(filters=(Filter("level", "like", "A"),)))

    assert err.value.for_field("level")


def test_filter_on_bad_timestamp_names_the_field(admin, thirty):
    with pytest.raises(ValidationError) as err:
        admin.customers.count(ListQuery(filters=(Filter("created_at", "gte", "yesterday"),)))

    assert err.value.for_field("created_at")


def test_code_format_is_stable(make_customer):
    assert re.fullmatch(r"C\d{8}\d{3}", make_customer()["code"])
