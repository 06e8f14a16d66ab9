"""Chinese and other text, and money, come back exactly as given on both backends."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_core import Filter, ListQuery, ValidationError

RARE = "𠮷"  # outside the BMP: 4 bytes in UTF-8, a surrogate pair in UTF-16
NAMES = [
    f"{RARE}野家餐饮管理有限公司",
    "笑脸😀科技有限公司",
    "Café Ünïcode 数据 Привет カタカナ 한국어",
    "Cafe\u0301 decomposed 北京",  # NFD: must not be normalised behind the caller's back
    "全角ＡＢＣ１２３（北京）有限公司",
    f"{RARE}😀👨‍👩‍👧混合 mixed العربية",
]


@pytest.mark.parametrize("name", NAMES)
def test_name_round_trips_byte_exact_through_create_and_get(admin, name):
    created = admin.customers.create({"name": name, "address": name, "notes": f"{name}\n第二行"})

    stored = admin.customers.get(created["id"])

    assert created["name"].encode("utf-8") == name.encode("utf-8")
    assert stored["name"].encode("utf-8") == name.encode("utf-8")
    assert stored["address"].encode("utf-8") == name.encode("utf-8")
    assert stored["notes"] == f"{name}\n第二行"


def test_names_round_trip_through_list_and_export(admin):
    ids = {admin.customers.create({"name": n})["id"]: n for n in NAMES}

    listed = {r["id"]: r["name"] for r in admin.customers.list(ListQuery(limit=100)).rows}
    exported = {r["id"]: r["name"] for r in admin.customers.export()}

    assert listed == exported == ids


def test_name_round_trips_through_an_update(admin):
    customer = admin.customers.create({"name": "临时名称"})

    admin.customers.update(customer["id"], {"name": NAMES[0]}, version=customer["version"])

    assert admin.customers.get(customer["id"])["name"].encode("utf-8") == NAMES[0].encode("utf-8")


def test_equality_filter_matches_a_four_byte_name_exactly(admin):
    ids = [admin.customers.create({"name": n})["id"] for n in NAMES]

    rows = admin.customers.list(ListQuery(filters=(Filter("name", "eq", NAMES[0]),))).rows

    assert [r["id"] for r in rows] == [ids[0]]


@pytest.mark.parametrize(("term", "index"), [
    (f"{RARE}野", 0),  # two characters: the bigram table
    (f"{RARE}野家", 0),  # three: the trigram index
    (f"{RARE}野家餐饮", 0),
    ("笑脸😀科技", 1),
    ("😀科", 1),
    ("привет", 2),  # case-insensitive Cyrillic
    ("カタカナ", 2),
    ("한국어", 2),
    ("café", 2),
    ("ＡＢＣ１２３", 4),
    ("（北京）", 4),
])
def test_search_finds_text_of_every_script(admin, term, index):
    ids = [admin.customers.create({"name": n})["id"] for n in NAMES]

    found = admin.customers.search(term).rows

    assert ids[index] in {r["id"] for r in found}
    hit = next(r for r in found if r["id"] == ids[index])
    assert hit["name"].encode("utf-8") == NAMES[index].encode("utf-8")


def test_search_with_a_four_byte_term_does_not_match_other_names(admin):
    for n in NAMES:
        admin.customers.create({"name": n})

    assert {r["name"] for r in admin.customers.search(f"{RARE}野家").rows} == {NAMES[0]}


def test_contact_name_with_rare_character_is_searchable(admin):
    customer = admin.customers.create({"name": "星辰软件"})
    contact = admin.contacts.create({"customer_id": customer["id"], "name": f"{RARE}小明"})

    assert admin.contacts.get(contact["id"])["name"] == f"{RARE}小明"
    assert [r["id"] for r in admin.customers.search(f"{RARE}小").rows] == [customer["id"]]
    assert [r["id"] for r in admin.customers.search(f"{RARE}小明").rows] == [customer["id"]]


def test_hundred_four_byte_characters_are_accepted(admin):
    name = RARE * 100

    created = admin.customers.create({"name": name})

    assert admin.customers.get(created["id"])["name"] == name
    assert len(admin.customers.get(created["id"])["name"]) == 100


def test_hundred_and_one_four_byte_characters_are_refused(admin):
    with pytest.raises(ValidationError) as err:
        admin.customers.create({"name": RARE * 101})

    [problem] = err.value.for_field("name")
    assert problem.code == "too_long"
    assert "100" in problem.message.zh
    assert admin.customers.count() == 0


def test_control_characters_are_refused(admin):
    with pytest.raises(ValidationError) as err:
        admin.customers.create({"name": "星辰\x00软件"})

    assert err.value.for_field("name")


# ----------------------------------------------------------------- money

def _contract(admin, amount, number="HT-1"):
    customer = admin.customers.create({"name": f"客户{number}"})
    return admin.contracts.create({"number": number, "customer_id": customer["id"], "signed_on": "2026-11-01",
                                   "amount": amount})


@pytest.mark.parametrize("amount", [Decimal("12345678.90"), "12,345,678.90", "￥12345678.90", 12345678.90])
def test_money_round_trips_exactly(admin, amount):
    contract = _contract(admin, amount)

    stored = admin.contracts.get(contract["id"])

    assert stored["amount"] == Decimal("12345678.90")
    assert str(stored["amount"]) == "12345678.90"
    assert isinstance(stored["amount"], Decimal)


def test_money_round_trips_through_list(admin):
    contract = _contract(admin, Decimal("12345678.90"))

    [row] = admin.contracts.list().rows

    assert row["id"] == contract["id"]
    assert str(row["amount"]) == "12345678.90"


def test_largest_money_value_round_trips(admin):
    contract = _contract(admin, "99999999999999.99")

    assert str(admin.contracts.get(contract["id"])["amount"]) == "99999999999999.99"


def test_payments_sum_exactly(admin):
    contract = _contract(admin, Decimal("12345678.90"))
    for amount in ("0.10", "0.20", "12345678.60"):
        admin.contracts.record_payment(contract["id"], {"received_on": "2026-11-02", "amount": amount})

    stored = admin.contracts.get(contract["id"])

    assert stored["received"] == Decimal("12345678.90")
    assert stored["outstanding"] == Decimal("0.00")


@pytest.mark.parametrize("amount", ["12.345", "abc", "-1"])
def test_bad_money_is_refused_naming_the_field(admin, amount):
    customer = admin.customers.create({"name": "客户"})

    with pytest.raises(ValidationError) as err:
        admin.contracts.create({"number": "HT-1", "customer_id": customer["id"], "signed_on": "2026-11-01",
                                "amount": amount})

    [problem] = err.value.for_field("amount")
    assert "合同金额" in problem.message.zh
