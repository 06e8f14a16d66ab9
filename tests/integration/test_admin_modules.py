"""Admin modules: software users (软件用户), the data dictionary (数据字典) and custom fields (自定义字段)."""

from __future__ import annotations

import itertools

import pytest

import crm_core
from crm_core import AuthenticationFailed, InUse, NotFound, PermissionDenied, RecordInactive, ValidationError
from tests.helpers import field_error, version_of

PASSWORD = "secret123"
_phones = itertools.count(13700000001)


def _user(**values):
    return {"login": "zhangsan", "name": "张三", "role": "sales", "phone": str(next(_phones)),
            "password": "Zhang2026pw", **values}


# ----------------------------------------------------------------------- users

def test_admin_creates_a_user_who_can_sign_in(admin, profile):
    user = admin.users.create(_user(email="zhangsan@example.com", position="销售代表", years_of_work=3))
    assert user["login"] == "zhangsan" and user["role"] == "sales" and user["is_active"] is True
    assert "password" not in user and "password_hash" not in user
    with crm_core.connect(profile, "zhangsan", "Zhang2026pw", upgrade=False) as session:
        assert session.actor.name == "张三" and session.actor.role == "sales"


def test_duplicate_login_name_is_refused_once_naming_the_field(admin):
    admin.users.create(_user())
    with pytest.raises(ValidationError) as exc:
        admin.users.create(_user(name="另一个张三"))
    errors = exc.value.for_field("login")
    assert [e.code for e in errors] == ["duplicate"]
    assert "登录名" in errors[0].message.zh and "zhangsan" in errors[0].message.zh
    assert "Login name" in errors[0].message.en


def test_login_names_differing_only_in_case_are_duplicates(admin):
    admin.users.create(_user())
    with pytest.raises(ValidationError) as exc:
        admin.users.create(_user(login="ZhangSan"))
    assert [e.code for e in exc.value.for_field("login")] == ["duplicate"]


def test_missing_phone_is_refused_naming_the_field(admin):
    with pytest.raises(ValidationError) as exc:
        admin.users.create(_user(phone=""))
    err = field_error(exc, "phone")
    assert err.code == "required" and "电话" in err.message.zh and "Phone" in err.message.en


@pytest.mark.parametrize("password, code", [("short1", "too_short"), ("onlyletters", "weak"), ("12345678", "weak")])
def test_weak_password_is_refused(admin, password, code):
    with pytest.raises(ValidationError) as exc:
        admin.users.create(_user(password=password))
    assert field_error(exc, "password").code == code
    assert admin.users.count() == 1  # only the admin


def test_weak_password_and_missing_phone_are_reported_together(admin):
    with pytest.raises(ValidationError) as exc:
        admin.users.create(_user(password="short", phone=None))
    assert {"password", "phone"} <= exc.value.fields


def test_non_admins_cannot_create_users_but_can_list_them(login):
    sales = login("sales1")
    with pytest.raises(PermissionDenied):
        sales.users.create(_user())
    with pytest.raises(PermissionDenied):
        sales.users.create(_user(password="weak"))  # the permission is checked first
    logins = {u["login"] for u in sales.users.list().rows}
    assert logins == {"admin", "sales1"}


def test_non_admins_cannot_change_or_delete_users(admin, login):
    manager = login("manager1")
    target = admin.users.create(_user())
    with pytest.raises(PermissionDenied):
        manager.users.update(target["id"], {"name": "改名"}, version=target["version"])
    with pytest.raises(PermissionDenied):
        manager.users.set_password(target["id"], "NewPass2026")
    with pytest.raises(PermissionDenied):
        manager.users.delete(target["id"], version=1)


def test_user_who_has_signed_in_cannot_be_deleted(admin, login):
    sales = login("sales1")
    with pytest.raises(InUse) as exc:
        admin.users.delete(sales.actor.user_id, version=version_of(admin.users, sales.actor.user_id))
    assert "停用" in exc.value.message.zh and "deactivate" in exc.value.message.en
    assert admin.users.get(sales.actor.user_id)["is_active"] is True


def test_user_who_owns_customers_cannot_be_deleted(admin, make_customer):
    user = admin.users.create(_user())
    make_customer(owner_id=user["id"])
    with pytest.raises(InUse) as exc:
        admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
    assert "客户" in exc.value.message.zh and "deactivate it instead" in exc.value.message.en


def test_deactivated_user_cannot_sign_in(admin, login, profile):
    sales = login("sales1")
    done = admin.users.deactivate(sales.actor.user_id, "离职", version=version_of(admin.users, sales.actor.user_id))
    assert done["is_active"] is False
    with pytest.raises(AuthenticationFailed):
        crm_core.connect(profile, "sales1", PASSWORD, upgrade=False)


def test_reactivated_user_can_sign_in_again(admin, login, profile):
    sales = login("sales1")
    admin.users.deactivate(sales.actor.user_id, "休假", version=version_of(admin.users, sales.actor.user_id))
    admin.users.reactivate(sales.actor.user_id, version=version_of(admin.users, sales.actor.user_id))
    with crm_core.connect(profile, "sales1", PASSWORD, upgrade=False) as again:
        assert again.actor.login == "sales1"


def test_brand_new_unused_user_can_be_deleted(admin):
    user = admin.users.create(_user())
    admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
    with pytest.raises(NotFound):
        admin.users.get(user["id"])
    # the login name is free again
    assert admin.users.create(_user())["login"] == "zhangsan"


def test_last_active_admin_cannot_be_demoted(admin):
    me = admin.users.get(admin.actor.user_id)
    with pytest.raises(ValidationError) as exc:
        admin.users.update(me["id"], {"role": "manager"}, version=me["version"])
    assert field_error(exc, "role").code == "last_admin"
    assert admin.users.get(me["id"])["role"] == "admin"


def test_admin_can_be_demoted_while_another_admin_remains(admin, login):
    other = login("boss1", role="admin")
    me = admin.users.get(admin.actor.user_id)
    assert admin.users.update(me["id"], {"role": "manager"}, version=me["version"])["role"] == "manager"
    assert other.users.get(other.actor.user_id)["role"] == "admin"


def test_admin_cannot_deactivate_himself(admin, login):
    login("boss1", role="admin")  # not the last admin: the refusal is about himself
    with pytest.raises(PermissionDenied):
        admin.users.deactivate(admin.actor.user_id, "测试", version=version_of(admin.users, admin.actor.user_id))
    assert admin.users.get(admin.actor.user_id)["is_active"] is True


def test_the_only_admin_cannot_demote_himself(admin):
    me = admin.users.get(admin.actor.user_id)
    with pytest.raises(ValidationError) as exc:
        admin.users.update(me["id"], {"role": "manager"}, version=me["version"])
    assert field_error(exc, "role").code == "last_admin"
    assert admin.users.get(me["id"])["role"] == "admin"


def test_a_demoted_admin_loses_admin_rights_in_his_open_session(admin, login):
    boss = login("boss1", role="admin")
    me = admin.users.get(admin.actor.user_id)
    admin.users.update(me["id"], {"role": "manager"}, version=me["version"])
    # boss1 is now the only administrator, and the demoted session cannot touch him
    with pytest.raises(PermissionDenied):
        admin.users.deactivate(boss.actor.user_id, "测试", version=version_of(admin.users, boss.actor.user_id))
    with pytest.raises(PermissionDenied):
        admin.users.delete(boss.actor.user_id, version=version_of(admin.users, boss.actor.user_id))
    assert admin.actor.role == "manager"
    assert boss.users.get(boss.actor.user_id)["is_active"] is True


def test_a_deactivated_user_is_stopped_at_his_next_call(admin, login):
    sales = login("sales1")
    sales.customers.list()
    admin.users.deactivate(sales.actor.user_id, "离职", version=version_of(admin.users, sales.actor.user_id))
    with pytest.raises(AuthenticationFailed):
        sales.customers.list()


def test_set_password_lets_the_user_sign_in_with_the_new_one(admin, login, profile):
    sales = login("sales1")
    admin.users.set_password(sales.actor.user_id, "Brand2026new")
    with pytest.raises(AuthenticationFailed):
        crm_core.connect(profile, "sales1", PASSWORD, upgrade=False)
    with crm_core.connect(profile, "sales1", "Brand2026new", upgrade=False) as again:
        assert again.actor.user_id == sales.actor.user_id


def test_set_password_refuses_a_weak_password(admin, login, profile):
    sales = login("sales1")
    with pytest.raises(ValidationError) as exc:
        admin.users.set_password(sales.actor.user_id, "weak")
    assert field_error(exc, "password").code == "too_short"
    crm_core.connect(profile, "sales1", PASSWORD, upgrade=False).close()


def test_login_name_cannot_be_changed(admin):
    user = admin.users.create(_user())
    with pytest.raises(ValidationError) as exc:
        admin.users.update(user["id"], {"login": "lisi"}, version=user["version"])
    assert field_error(exc, "login").code == "read_only"


# ------------------------------------------------------------------ dictionary

def test_dictionary_lists_the_seeded_categories(admin):
    categories = {e["category"] for e in admin.dictionary.entries()}
    assert {"industry", "source", "severity", "followup_method", "company_category", "payment_method"} <= categories
    sources = {e["code"]: e["label_zh"] for e in admin.dictionary.entries("source")}
    assert sources["trade_show"] == "展会推广" and sources["referral"] == "转介绍"


def test_new_dictionary_entry_becomes_a_customer_industry(admin, make_customer):
    with pytest.raises(ValidationError):
        make_customer(industry="agriculture")
    admin.dictionary.create({"category": "industry", "code": "agriculture", "label_zh": "农业", "label_en": "Agriculture"})
    assert make_customer(industry="agriculture")["industry"] == "agriculture"


def test_duplicate_dictionary_code_in_a_category_is_refused(admin):
    with pytest.raises(ValidationError) as exc:
        admin.dictionary.create({"category": "industry", "code": "retail", "label_zh": "零售2", "label_en": "Retail 2"})
    assert field_error(exc, "code").code == "duplicate"


def test_used_dictionary_entry_cannot_be_deleted_but_can_be_deactivated(admin, make_customer):
    entry = admin.dictionary.create({"category": "industry", "code": "agriculture", "label_zh": "农业",
                                     "label_en": "Agriculture"})
    customer = make_customer(industry="agriculture")
    with pytest.raises(InUse) as exc:
        admin.dictionary.delete(entry["id"], version=version_of(admin.dictionary, entry["id"]))
    assert "农业" in exc.value.message.zh and exc.value.references == {"customers": 1}
    admin.dictionary.deactivate(entry["id"], "不再使用", version=version_of(admin.dictionary, entry["id"]))
    with pytest.raises(ValidationError) as exc:
        make_customer("新客户有限公司", industry="agriculture")
    assert field_error(exc, "industry").code == "choice"
    # the customer that already has it keeps it and stays editable
    updated = admin.customers.update(customer["id"], {"notes": "老客户"}, version=customer["version"])
    assert updated["industry"] == "agriculture"


def test_unused_dictionary_entry_can_be_deleted(admin):
    entry = admin.dictionary.create({"category": "source", "code": "wechat_group", "label_zh": "微信群",
                                     "label_en": "WeChat group"})
    admin.dictionary.delete(entry["id"], version=version_of(admin.dictionary, entry["id"]))
    assert "wechat_group" not in {e["code"] for e in admin.dictionary.entries("source")}


def test_dictionary_entry_used_by_a_custom_field_value_cannot_be_deleted(admin, make_customer):
    entry = admin.dictionary.create({"category": "customer_type", "code": "vip", "label_zh": "VIP",
                                     "label_en": "VIP"})
    admin.custom_fields.create({"module": "customers", "key": "tier", "label_zh": "客户层级", "label_en": "Tier",
                                "field_type": "choice", "choices_category": "customer_type"})
    make_customer(custom={"tier": "vip"})
    with pytest.raises(InUse):
        admin.dictionary.delete(entry["id"], version=version_of(admin.dictionary, entry["id"]))


def test_dictionary_code_cannot_be_changed(admin):
    entry = admin.dictionary.entries("industry")[0]
    with pytest.raises(ValidationError) as exc:
        admin.dictionary.update(entry["id"], {"code": "other"}, version=entry["version"])
    assert field_error(exc, "code").code == "read_only"


def test_non_admins_read_the_dictionary_but_cannot_change_it(login):
    sales = login("sales1")
    assert sales.dictionary.entries("industry")
    with pytest.raises(PermissionDenied):
        sales.dictionary.create({"category": "industry", "code": "x", "label_zh": "x", "label_en": "x"})


# --------------------------------------------------------------- custom fields

@pytest.fixture
def custom_fields(admin):
    admin.custom_fields.create({"module": "customers", "key": "erp_id", "label_zh": "ERP编号", "label_en": "ERP id",
                                "field_type": "text", "required": True, "max_length": 20})
    admin.custom_fields.create({"module": "customers", "key": "region", "label_zh": "销售大区", "label_en": "Region",
                                "field_type": "choice", "choices_category": "source"})


def test_create_without_a_required_custom_field_names_it(custom_fields, make_customer):
    with pytest.raises(ValidationError) as exc:
        make_customer()
    err = field_error(exc, "custom.erp_id")
    assert err.code == "required" and "ERP编号" in err.message.zh and "ERP id" in err.message.en


def test_custom_values_round_trip(admin, custom_fields, make_customer):
    customer = make_customer(custom={"erp_id": "ERP-0042", "region": "referral"})
    assert customer["custom"] == {"erp_id": "ERP-0042", "region": "referral"}
    assert admin.customers.get(customer["id"])["custom"] == {"erp_id": "ERP-0042", "region": "referral"}
    listed = admin.customers.list().rows[0]
    assert listed["custom"]["erp_id"] == "ERP-0042"


def test_custom_choice_must_be_a_dictionary_code(custom_fields, make_customer):
    with pytest.raises(ValidationError) as exc:
        make_customer(custom={"erp_id": "ERP-1", "region": "mars"})
    assert field_error(exc, "custom.region").code == "choice"


def test_custom_text_over_its_max_length_is_refused(custom_fields, make_customer):
    with pytest.raises(ValidationError) as exc:
        make_customer(custom={"erp_id": "X" * 21})
    assert exc.value.for_field("custom.erp_id")


def test_unknown_custom_field_is_refused(custom_fields, make_customer):
    with pytest.raises(ValidationError) as exc:
        make_customer(custom={"erp_id": "ERP-1", "shoe_size": "42"})
    assert field_error(exc, "custom.shoe_size").code == "unknown_field"


def test_required_custom_field_cannot_be_blanked(admin, custom_fields, make_customer):
    customer = make_customer(custom={"erp_id": "ERP-1"})
    with pytest.raises(ValidationError) as exc:
        admin.customers.update(customer["id"], {"custom": {"erp_id": ""}}, version=customer["version"])
    assert field_error(exc, "custom.erp_id").code == "required"


def test_custom_value_updates_are_audited(admin, custom_fields, make_customer):
    customer = make_customer(custom={"erp_id": "ERP-1"})
    updated = admin.customers.update(customer["id"], {"custom": {"erp_id": "ERP-2", "region": "trade_show"}},
                                     version=customer["version"])
    assert updated["custom"] == {"erp_id": "ERP-2", "region": "trade_show"}
    assert updated["version"] > customer["version"]
    entry = admin.audit.list(module="customers", record_id=customer["id"]).rows[0]
    assert entry["action"] == "update"
    assert entry["before"]["custom.erp_id"] == "ERP-1" and entry["after"]["custom.erp_id"] == "ERP-2"
    assert entry["before"]["custom.region"] is None and entry["after"]["custom.region"] == "trade_show"


def test_unchanged_custom_values_write_no_audit_entry(admin, custom_fields, make_customer):
    customer = make_customer(custom={"erp_id": "ERP-1"})
    before = admin.audit.list(module="customers", record_id=customer["id"]).rows
    same = admin.customers.update(customer["id"], {"custom": {"erp_id": "ERP-1"}}, version=customer["version"])
    assert same["version"] == customer["version"]
    assert admin.audit.list(module="customers", record_id=customer["id"]).rows == before


def test_custom_field_definitions_are_admin_work(login, custom_fields):
    sales = login("sales1")
    assert [d["key"] for d in sales.custom_fields.definitions("customers")] == ["erp_id", "region"]
    with pytest.raises(PermissionDenied):
        sales.custom_fields.create({"module": "customers", "key": "x", "label_zh": "x", "label_en": "x",
                                    "field_type": "text"})


def test_choice_custom_field_needs_a_dictionary_category(admin):
    with pytest.raises(ValidationError) as exc:
        admin.custom_fields.create({"module": "customers", "key": "tier", "label_zh": "层级", "label_en": "Tier",
                                    "field_type": "choice"})
    assert field_error(exc, "choices_category").code == "required"


def test_deactivated_custom_field_is_no_longer_required(admin, custom_fields, make_customer):
    erp = next(d for d in admin.custom_fields.definitions("customers") if d["key"] == "erp_id")
    erp = admin.custom_fields.deactivate(erp["id"], "不再使用", version=version_of(admin.custom_fields, erp["id"]))
    assert "erp_id" not in make_customer().get("custom", {})
    with pytest.raises(RecordInactive):
        admin.custom_fields.update(erp["id"], {"label_zh": "新名"}, version=erp["version"])


def test_form_resending_a_deactivated_industry_unchanged_still_saves(admin, make_customer):
    entry = admin.dictionary.create({"category": "industry", "code": "agriculture", "label_zh": "农业",
                                     "label_en": "Agriculture"})
    customer = make_customer(industry="agriculture", level="B")
    admin.dictionary.deactivate(entry["id"], "不再使用", version=version_of(admin.dictionary, entry["id"]))
    form = {"name": customer["name"], "industry": "agriculture", "level": "A"}
    assert admin.customers.update(customer["id"], form, version=customer["version"])["level"] == "A"


def test_form_resending_a_deactivated_owner_unchanged_still_saves(admin, make_customer):
    leaver = admin.users.create(_user())
    customer = make_customer(owner_id=leaver["id"])
    admin.users.deactivate(leaver["id"], "离职", version=version_of(admin.users, leaver["id"]))
    form = {"name": customer["name"], "owner_id": leaver["id"], "notes": "待重新分配"}
    assert admin.customers.update(customer["id"], form, version=customer["version"])["notes"] == "待重新分配"


def test_form_resending_a_deactivated_custom_choice_unchanged_still_saves(admin, custom_fields, make_customer):
    entry = admin.dictionary.create({"category": "source", "code": "expo_2025", "label_zh": "2025展会",
                                     "label_en": "Expo 2025"})
    customer = make_customer(custom={"erp_id": "ERP-1", "region": "expo_2025"})
    admin.dictionary.deactivate(entry["id"], "展会结束", version=version_of(admin.dictionary, entry["id"]))
    updated = admin.customers.update(customer["id"], {"notes": "x", "custom": {"erp_id": "ERP-1", "region": "expo_2025"}},
                                     version=customer["version"])
    assert updated["custom"]["region"] == "expo_2025"
    with pytest.raises(ValidationError):
        admin.customers.update(customer["id"], {"custom": {"region": "expo_2025x"}}, version=updated["version"])


def test_custom_field_with_values_cannot_be_deleted_but_can_be_deactivated(admin, custom_fields, make_customer):
    make_customer(custom={"erp_id": "ERP-1"})
    erp = next(d for d in admin.custom_fields.definitions("customers") if d["key"] == "erp_id")
    with pytest.raises(InUse) as exc:
        admin.custom_fields.delete(erp["id"], version=version_of(admin.custom_fields, erp["id"]))
    assert "ERP编号" in exc.value.message.zh and "deactivate" in exc.value.message.en
    admin.custom_fields.deactivate(erp["id"], "不再使用", version=version_of(admin.custom_fields, erp["id"]))


def test_unused_custom_field_can_be_deleted(admin, custom_fields):
    region = next(d for d in admin.custom_fields.definitions("customers") if d["key"] == "region")
    admin.custom_fields.delete(region["id"], version=version_of(admin.custom_fields, region["id"]))
    assert [d["key"] for d in admin.custom_fields.definitions("customers")] == ["erp_id"]


def test_colleagues_private_details_are_hidden_from_non_admins(admin, login):
    sales = login("sales1")
    me = admin.users.get(admin.actor.user_id)
    admin.users.update(me["id"], {"age": 41, "home_address": "北京市海淀区学院路 8 号", "years_of_work": 15},
                       version=me["version"])
    seen = sales.users.get(admin.actor.user_id)
    assert (seen["age"], seen["home_address"], seen["years_of_work"]) == (None, None, None)
    assert {"age", "home_address", "years_of_work"} <= set(seen["_masked"])
    full = admin.users.get(admin.actor.user_id)
    assert (full["age"], full["home_address"], full["years_of_work"]) == (41, "北京市海淀区学院路 8 号", 15)


def test_codes_are_made_from_the_english_label_when_left_empty(admin):
    entry = admin.dictionary.create({"category": "industry", "label_zh": "航空航天", "label_en": "Aero & Space"})
    again = admin.dictionary.create({"category": "industry", "label_zh": "航天", "label_en": "Aero space"})
    assert (entry["code"], again["code"]) == ("aero_space", "aero_space_2")
    field = admin.custom_fields.create({"module": "customers", "label_zh": "微信号", "label_en": "WeChat ID",
                                        "field_type": "text"})
    assert field["key"] == "wechat_id"
    assert admin.custom_fields.spec.field("key").label("zh_CN") == "内部名称（可留空）"
    assert admin.custom_fields.spec.field("choices_category").label("zh_CN") == "选项取自"
