"""Set-based updates of the modules whose rules read other rows (contracts and payments) or whose update
refreshes other records (contacts: their customers' search entries): the bulk path writes what one update
after another through the service writes, and decides the rules that read other rows under its lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm_core import ValidationError
from crm_core.bulk import BulkWriter
from crm_core.importing import writer
from crm_core.importing.service import ImportRejected
from crm_core.models import AuditEntry, Contact, Contract, Customer, CustomerSearchGram, Payment
from crm_core.services import search_index
from tests.integration.test_import_helpers import write_csv

SIGNED = dt.date(2026, 3, 1)


def _bulk(admin, module: str, items: list[tuple[int, int, dict]]) -> list[int]:
    w = BulkWriter(admin.db, admin.actor)
    with admin.db.unit_of_work(write=True) as s:
        versions = w.update_in(s, module, items)
        s.commit()
    return versions


def _audit(db, module: str, rid: int) -> list[tuple]:
    with db.unit_of_work(write=False) as s:
        return [(a.actor_id, a.before, a.after) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.module == module, AuditEntry.record_id == rid,
                                     AuditEntry.action == "update").order_by(AuditEntry.id))]


def _row(db, model, rid: int, skip: tuple[str, ...] = ()) -> dict:
    with db.unit_of_work(write=False) as s:
        obj = s.get(model, rid)
        return {c.key: getattr(obj, c.key) for c in model.__table__.columns
                if c.key not in ("id", "created_at", "updated_at", *skip)}


# ------------------------------------------------------------------ contacts


def _search(db, cid: int, name: str, code: str) -> tuple:
    """A customer's search entry with its own name and code put aside: what its contacts put in it."""
    with db.unit_of_work(write=False) as s:
        text = s.scalar(select(Customer.search_text).where(Customer.id == cid))
        grams = set(s.execute(select(CustomerSearchGram.gram, CustomerSearchGram.kind).where(
            CustomerSearchGram.customer_id == cid,
            CustomerSearchGram.kind.in_((search_index.CONTACT_NAME, search_index.CONTACT_PHONE)))).all())
    return text.replace(code.casefold(), "<code>").replace(name.casefold(), "<name>"), grams


def test_bulk_updates_of_contacts_moving_between_customers_write_what_the_service_writes(admin, db):
    """Two identical worlds (customer A whose contacts leave it for B, customer C whose contacts stay); the same
    changes, one update after another through the service in the first, set-based in the second: the same
    contacts, audit entries and search entries of every customer (the one a contact left no longer finds him)."""
    start = ["A", "A", "C", "C"]
    changes = [
        {"customer_id": "B"},  # moves
        {"customer_id": "B", "name": "周新", "phone": "13700000002"},  # moves, renamed, new phone
        {"name": "吴改"},  # stays, renamed
        {"position": "经理"},  # stays, nothing searched changes
    ]
    worlds = []
    for w in ("一", "二"):
        named = {k: admin.customers.create({"name": f"{w}号{k}方科技有限公司", "level": "C"}) for k in "ABC"}
        contacts = [admin.contacts.create({"customer_id": named[k]["id"], "name": name, "phone": f"1390000000{i}"})
                    for i, (k, name) in enumerate(zip(start, ["张伟", "李娜", "王芳", "赵磊"], strict=True))]
        worlds.append((named, contacts))

    def resolved(change, named):
        return {k: named[v]["id"] if k == "customer_id" else v for k, v in change.items()}

    (one_world, singles), (bulk_world, bulk) = worlds
    for contact, change in zip(singles, changes, strict=True):
        admin.contacts.update(contact["id"], resolved(change, one_world), version=contact["version"])
    assert _bulk(admin, "contacts", [(c["id"], c["version"], resolved(ch, bulk_world))
                                     for c, ch in zip(bulk, changes, strict=True)]) == [2, 2, 2, 2]
    letter = {c["id"]: k for named in (one_world, bulk_world) for k, c in named.items()}

    def same_world(d):
        return {**d, "customer_id": letter[d["customer_id"]]} if "customer_id" in d else d

    for one, many in zip(singles, bulk, strict=True):
        assert same_world(_row(db, Contact, many["id"])) == same_world(_row(db, Contact, one["id"]))
        audit_one, audit_many = ([(actor, same_world(b), same_world(a))
                                  for actor, b, a in _audit(db, "contacts", c["id"])] for c in (one, many))
        assert audit_many == audit_one and len(audit_one) == 1
    for k in "ABC":
        c1, c2 = one_world[k], bulk_world[k]
        assert _search(db, c2["id"], c2["name"], c2["code"]) == _search(db, c1["id"], c1["name"], c1["code"])

    # what a user sees: the customer a contact left no longer finds him, the one he joined does
    def found(term):
        return {letter[r["id"]] for r in admin.customers.search(term).rows}

    assert found("周新") == found("张伟") == {"B"}
    assert found("吴改") == {"C"}
    assert found("李娜") == found("王芳") == set()


def test_two_contacts_moved_onto_one_customer_as_twins_are_refused_as_one_update_after_another_would(admin):
    """The same person (name and phone) on two customers, both moved onto a third in one bulk update: the
    second is a twin of the first once that is written, so it is refused, in the service's words."""
    a, b, c = (admin.customers.create({"name": f"{k}方科技有限公司", "level": "C"}) for k in "甲乙丙")
    first, second = (admin.contacts.create({"customer_id": x["id"], "name": "张伟", "phone": "13900000001"})
                     for x in (a, b))
    items = [(first["id"], first["version"], {"customer_id": c["id"]}),
             (second["id"], second["version"], {"customer_id": c["id"]})]
    with admin.db.unit_of_work(write=False) as s, pytest.raises(ValidationError) as info:
        BulkWriter(admin.db, admin.actor).stage_update(s, "contacts", items)
    [error] = info.value.errors
    admin.contacts.update(first["id"], {"customer_id": c["id"]}, version=first["version"])
    with pytest.raises(ValidationError) as one:
        admin.contacts.update(second["id"], {"customer_id": c["id"]}, version=second["version"])
    assert [(e.field, e.code, e.message) for e in one.value.errors] == [("name", "duplicate", error.message)]
    assert (error.row, error.field, error.code) == (1, "name", "duplicate")


def test_a_contact_clearing_its_phone_frees_it_for_the_next_in_one_bulk_update(admin, make_customer):
    """X clears its phone, then Y (same name) takes X's old number: accepted one update after the other through
    the service, so set-based too (X no longer holds the number for the items after it)."""
    c = make_customer()
    x, y = (admin.contacts.create({"customer_id": c["id"], "name": "张三", "phone": p})
            for p in ("13800000001", "13800000002"))
    _bulk(admin, "contacts", [(x["id"], x["version"], {"phone": None}),
                              (y["id"], y["version"], {"phone": "13800000001"})])
    assert [(admin.contacts.get(k["id"])["phone"]) for k in (x, y)] == [None, "13800000001"]


# ------------------------------------------------------- contracts and payments


@pytest.fixture
def contract(admin, make_customer):
    customer = make_customer()

    def _new(number: str, amount: str, *payments: str) -> dict:
        c = admin.contracts.create({"number": number, "customer_id": customer["id"], "signed_on": SIGNED,
                                    "amount": amount, "title": "原名称"})
        for p in payments:
            admin.contracts.record_payment(c["id"], {"received_on": SIGNED, "amount": p})
        return admin.contracts.get(c["id"])
    return _new


def _payments(admin, contract_id: int) -> list[dict]:
    return sorted((p for p in admin.payments.list().rows if p["contract_id"] == contract_id), key=lambda p: p["id"])


def test_bulk_updates_of_contracts_and_payments_write_what_the_service_writes(admin, db, contract):
    single, bulk = contract("HT-1", "1000.00", "300.00", "300.00"), contract("HT-2", "1000.00", "300.00", "300.00")
    change = {"amount": "600.00", "title": "新名称", "notes": "已核对"}  # down to what was received: allowed
    admin.contracts.update(single["id"], dict(change), version=single["version"])
    assert _bulk(admin, "contracts", [(bulk["id"], bulk["version"], dict(change))]) == [bulk["version"] + 1]
    assert _row(db, Contract, bulk["id"], skip=("number",)) == _row(db, Contract, single["id"], skip=("number",))
    assert _audit(db, "contracts", bulk["id"]) == _audit(db, "contracts", single["id"])
    # payments of one contract, the first lowered and then the second raised into the room it left: accepted
    # one after the other through the service, so set-based too (each sees the earlier ones as written)
    moves = [{"amount": "100.00", "handler": "小王"}, {"amount": "500.00"}]  # 500 fits the 600 beside 100, not 300
    for p, m in zip(_payments(admin, single["id"]), moves, strict=True):
        admin.payments.update(p["id"], dict(m), version=p["version"])
    mine = _payments(admin, bulk["id"])
    assert _bulk(admin, "payments", [(p["id"], p["version"], dict(m)) for p, m in zip(mine, moves, strict=True)]) \
        == [p["version"] + 1 for p in mine]
    for one, many in zip(_payments(admin, single["id"]), _payments(admin, bulk["id"]), strict=True):
        skip = ("contract_id",)
        assert _row(db, Payment, many["id"], skip=skip) == _row(db, Payment, one["id"], skip=skip)
        assert _audit(db, "payments", many["id"]) == _audit(db, "payments", one["id"])
    assert admin.contracts.get(bulk["id"])["received"] == Decimal("600.00")


def test_a_bulk_payment_update_is_refused_where_one_update_after_another_would_be(admin, contract):
    c = contract("HT-1", "1000.00", "300.00", "300.00")
    first, second = _payments(admin, c["id"])
    items = [(first["id"], first["version"], {"amount": "700.00"}),
             (second["id"], second["version"], {"amount": "400.00"})]
    with admin.db.unit_of_work(write=False) as s, pytest.raises(ValidationError) as info:
        BulkWriter(admin.db, admin.actor).stage_update(s, "payments", items)
    [error] = info.value.errors
    assert (error.row, error.field, error.code) == (1, "amount", "over_contract")
    admin.payments.update(first["id"], {"amount": "700.00"}, version=first["version"])
    with pytest.raises(ValidationError) as one:
        admin.payments.update(second["id"], {"amount": "400.00"}, version=second["version"])
    assert [(e.field, e.message) for e in one.value.errors] == [(error.field, error.message)]
    assert "300.00" in error.message.zh and "300.00" in error.message.en


CONTRACT_HEADERS = ["合同编号", "客户", "签订日期", "合同金额", "合同名称"]


def _contract_file(tmp_path, contracts: list[dict], amounts: list[str], customer_name: str):
    rows = [[c["number"], customer_name, SIGNED.isoformat(), amount, "导入改名"]
            for c, amount in zip(contracts, amounts, strict=True)]
    return write_csv(tmp_path / "contracts.csv", [CONTRACT_HEADERS, *rows])


def test_a_contract_amount_below_the_payments_is_refused_by_the_import_with_row_field_and_values(
        admin, contract, tmp_path):
    a, b = contract("HT-1", "1000.00", "800.00"), contract("HT-2", "1000.00")
    name = admin.customers.get(a["customer_id"])["name"]
    path = _contract_file(tmp_path, [a, b], ["500.00", "900.00"], name)
    mapping = admin.imports.auto_mapping("contracts", CONTRACT_HEADERS)
    preview = admin.imports.check("contracts", path, mapping, update_by_key=True)  # (values parsed only)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("contracts", path, mapping, update_by_key=True, preview=preview)
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (2, "amount", CONTRACT_HEADERS.index("合同金额"))
    assert error.message.zh == "合同金额：500.00 不能小于已回款 800.00"
    assert error.message.en == "Amount: 500.00 cannot be less than the 800.00 already received"
    assert [(c["amount"], c["title"]) for c in (admin.contracts.get(a["id"]), admin.contracts.get(b["id"]))] == [
        (Decimal("1000.00"), "原名称")] * 2


def test_a_payment_saved_between_the_check_and_the_write_refuses_the_lowered_amount(admin, db, contract, tmp_path,
                                                                                     monkeypatch):
    """The preview and the chunk's check pass; then another session records a payment; the write, holding the
    contracts locked, decides the amount rule again and refuses the row; nothing of the import is kept."""
    a, b = contract("HT-1", "1000.00", "300.00"), contract("HT-2", "1000.00")
    name = admin.customers.get(a["customer_id"])["name"]
    path = _contract_file(tmp_path, [a, b], ["900.00", "500.00"], name)
    mapping = admin.imports.auto_mapping("contracts", CONTRACT_HEADERS)
    preview = admin.imports.check("contracts", path, mapping, update_by_key=True)
    assert (preview.errors, len(preview.updates)) == ([], 2)
    real, raced = writer._write_update_chunk, []

    def a_payment_lands_first(*args, **kwargs):  # the chunk was checked; a colleague records a payment
        admin.contracts.record_payment(b["id"], {"received_on": SIGNED, "amount": "600.00"})
        raced.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_write_update_chunk", a_payment_lands_first)
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("contracts", path, mapping, update_by_key=True, preview=preview)
    assert raced == [True]
    [error] = info.value.check.errors
    assert (error.row, error.field, error.column) == (3, "amount", CONTRACT_HEADERS.index("合同金额"))
    assert error.message.zh == "合同金额：500.00 不能小于已回款 600.00"
    got_a, got_b = admin.contracts.get(a["id"]), admin.contracts.get(b["id"])
    assert (got_a["amount"], got_a["title"], got_a["version"]) == (Decimal("1000.00"), "原名称", a["version"])
    assert (got_b["amount"], got_b["received"], got_b["outstanding"]) == (Decimal("1000.00"), Decimal("600.00"),
                                                                          Decimal("400.00"))


def test_undo_of_a_contract_update_import_restores_the_records(admin, db, contract, tmp_path):
    a, b = contract("HT-1", "1000.00", "300.00"), contract("HT-2", "1000.00")
    name = admin.customers.get(a["customer_id"])["name"]
    path = _contract_file(tmp_path, [a, b], ["300.00", "2000.00"], name)
    mapping = admin.imports.auto_mapping("contracts", CONTRACT_HEADERS)
    preview = admin.imports.check("contracts", path, mapping, update_by_key=True)
    result = admin.imports.run("contracts", path, mapping, update_by_key=True, preview=preview)
    assert (result.created, result.updated) == (0, 2)
    assert [(c["amount"], c["title"]) for c in (admin.contracts.get(a["id"]), admin.contracts.get(b["id"]))] == [
        (Decimal("300.00"), "导入改名"), (Decimal("2000.00"), "导入改名")]
    assert _audit(db, "contracts", a["id"]) == [(admin.actor.user_id, {"amount": "1000.00", "title": "原名称"},
                                                 {"amount": "300.00", "title": "导入改名"})]
    assert admin.imports.undo(result.batch_id) == 2
    for before in (a, b):
        now = admin.contracts.get(before["id"])
        assert (now["amount"], now["title"], now["version"]) == (before["amount"], "原名称", before["version"] + 2)
    assert _audit(db, "contracts", a["id"])[-1][1:] == ({"amount": "300.00", "title": "导入改名"},
                                                         {"amount": "1000.00", "title": "原名称"})
