"""The bulk write path (crm_core.bulk) derives the same rows as the services, record for record.

Each test writes the same input values once through the service and once
through :class:`BulkWriter`, then compares what was derived: codes, search
text and index rows, status history, audit entries, versions and defaults.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, text

from crm_core import PermissionDenied, ValidationError
from crm_core.bulk import BulkWriter
from crm_core.models import AuditEntry, Customer, CustomerSearchGram, CustomerStatusChange

CUSTOMER = {"name": "杭州星辰·软件有限公司", "phone": "0571-88886666", "email": "hr@xingchen.example.com",
            "level": "A", "notes": "老客户"}
CONTACTS = [{"name": "王小明", "phone": "13812345678", "position": "IT经理"},
            {"name": "李华", "phone": "13987654321", "email": "lihua@xingchen.example.com"}]


def _customer_rows(db, cid: int) -> dict:
    """Everything derived for one customer, with its own code replaced by a placeholder."""
    with db.unit_of_work(write=False) as s:
        c = s.get(Customer, cid)
        code = c.code

        def plain(value):
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items() if k != "id"}
            if isinstance(value, str) and value.startswith("HT-"):
                return "<contract number>"  # unique per contract, so different by construction
            return "<code>" if value == code else value

        grams = sorted(tuple(r) for r in s.execute(select(CustomerSearchGram.gram, CustomerSearchGram.kind)
                                                   .where(CustomerSearchGram.customer_id == cid)))
        history = [(h.from_status, h.to_status, h.changed_by_id, h.contract_number is not None, h.note)
                   for h in s.scalars(select(CustomerStatusChange).where(CustomerStatusChange.customer_id == cid)
                                      .order_by(CustomerStatusChange.id))]
        audit = [(a.actor_id, a.actor_login, a.action, a.module, plain(a.before), plain(a.after))
                 for a in s.scalars(select(AuditEntry).where(AuditEntry.module == "customers",
                                                             AuditEntry.record_id == cid).order_by(AuditEntry.id))]
        return {"search_text": c.search_text.replace(code.casefold(), "<code>"), "grams": grams, "history": history,
                "audit": audit, "status": c.status, "version": c.version, "owner_id": c.owner_id,
                "created_by_id": c.created_by_id, "updated_by_id": c.updated_by_id, "is_active": c.is_active,
                "values": {k: getattr(c, k) for k in CUSTOMER}}


def _today() -> str:
    return f"{dt.datetime.now().astimezone().date():%Y%m%d}"


def test_a_bulk_customer_gets_the_same_derived_rows_as_a_saved_one(admin):
    by_service = admin.customers.create(dict(CUSTOMER))
    writer = BulkWriter(admin.db, admin.actor)
    [bulk_id] = writer.insert("customers", [dict(CUSTOMER)])

    service_rows, bulk_rows = _customer_rows(admin.db, by_service["id"]), _customer_rows(admin.db, bulk_id)
    assert bulk_rows == service_rows
    assert service_rows["grams"] and service_rows["history"] == [(None, "prospect", admin.actor.user_id, False, None)]
    bulk = admin.customers.get(bulk_id)
    assert re.fullmatch(rf"C{_today()}\d{{3}}", bulk["code"]) and bulk["code"] != by_service["code"]
    assert bulk["owner_id"] == admin.actor.user_id and bulk["version"] == 1


def test_bulk_contacts_and_status_moves_match_the_services(admin):
    one = admin.customers.create(dict(CUSTOMER))
    writer = BulkWriter(admin.db, admin.actor)
    [two] = writer.insert("customers", [dict(CUSTOMER)])
    for c in CONTACTS:
        admin.contacts.create({**c, "customer_id": one["id"]})
    writer.insert("contacts", [{**c, "customer_id": two} for c in CONTACTS])
    contract_one = admin.contracts.create({"number": "HT-1", "customer_id": one["id"], "signed_on": "2026-11-01",
                                           "amount": "1000.00"})
    [contract_two] = writer.insert("contracts", [{"number": "HT-2", "customer_id": two,
                                                  "signed_on": dt.date(2026, 11, 1), "amount": "1000.00"}])
    version = admin.customers.get(one["id"])["version"]
    version = admin.customers.change_status(one["id"], "interested", version=version)["version"]
    admin.customers.change_status(one["id"], "won", version=version, contract_number="HT-1", note="签约")
    writer.change_status([{"customer_id": two, "status": "interested"},
                          {"customer_id": two, "status": "won", "contract_number": "HT-2", "note": "签约"}])

    assert _customer_rows(admin.db, two) == _customer_rows(admin.db, one["id"])
    assert admin.customers.get(two)["status"] == "won" and admin.customers.get(two)["version"] == 3
    contract = admin.contracts.get(contract_two)
    assert contract["delivery_status"] == "pending" and contract["version"] == 1  # the service's default
    assert contract_one["delivery_status"] == "pending"
    found = admin.customers.list(_query("王小"))
    assert {r["id"] for r in found.rows} == {one["id"], two}



def test_bulk_contacts_on_many_customers_leave_the_rows_a_single_save_leaves(admin, monkeypatch):
    # Beyond MANY_ROWS customers a refresh writes their search text in one statement on PostgreSQL (UPDATE
    # ... FROM unnest) and reads them by one array parameter: the same text, name key and grams as the
    # single save's refresh, the customers' version and modified time untouched. MANY_ROWS lowered to 1
    # so that three customers take that path.
    from crm_core.services import search_index

    monkeypatch.setattr(search_index, "MANY_ROWS", 1)
    writer = BulkWriter(admin.db, admin.actor)
    values = [{**CUSTOMER, "name": f"{CUSTOMER['name']}{i}", "phone": f"0571-8888666{i}"} for i in range(3)]
    saved = [admin.customers.create(dict(v))["id"] for v in values]
    bulk = writer.insert("customers", [dict(v) for v in values])
    with admin.db.unit_of_work(write=False) as s:
        before = {c.id: (c.updated_at, c.version) for c in s.scalars(select(Customer).where(Customer.id.in_(bulk)))}
    for i, cid in enumerate(saved):
        for c in CONTACTS:
            admin.contacts.create({**c, "name": f"{c['name']}{i}", "customer_id": cid})
    writer.insert("contacts", [{**c, "name": f"{c['name']}{i}", "customer_id": cid}
                               for i, cid in enumerate(bulk) for c in CONTACTS])

    for one, two in zip(saved, bulk, strict=True):
        rows = _customer_rows(admin.db, two)
        assert rows == _customer_rows(admin.db, one)
        assert {("王小", "c"), ("12", "q")} <= set(rows["grams"])  # the contacts' names and phones are in
    with admin.db.unit_of_work(write=False) as s:
        after = {c.id: (c.updated_at, c.version) for c in s.scalars(select(Customer).where(Customer.id.in_(bulk)))}
        keys = dict(s.execute(select(Customer.id, Customer.name_key).where(Customer.id.in_(bulk))).all())
    assert after == before
    assert keys == {cid: search_index.name_key(v["name"]) for cid, v in zip(bulk, values, strict=True)}

def _index_is_derived(db, cid: int) -> bool:
    """Whether the customer's stored search text, name key and grams are what derive gives from its stored
    fields and contacts now (what a full refresh would leave)."""
    from crm_core.services import search_index

    with db.unit_of_work(write=False) as s:
        [entry] = search_index.load_entries(s, [cid]).values()
        stored = s.execute(select(Customer.search_text, Customer.name_key).where(Customer.id == cid)).one()
        grams = set(tuple(r) for r in s.execute(select(CustomerSearchGram.gram, CustomerSearchGram.kind)
                                                   .where(CustomerSearchGram.customer_id == cid)))
    return (tuple(stored), grams) == ((entry.search_text, entry.name_key), set(entry.grams))


def test_contacts_added_in_bulk_over_chunks_leave_the_rows_single_saves_leave(admin):
    # The bulk insert adds the new contacts' grams to what is stored instead of rebuilding the customer:
    # the same text and grams as single saves when the customer has contacts already (their phone pair
    # "88" a "q" gram that a new contact's name makes a "c" one; a new phone's pair "88" already a name
    # pair), when a new name shares pairs with the customer's name ("星辰", an "n" and a "c"), when a new
    # contact repeats an earlier one's name, when one's phone shares a pair with its own name ("77"), and over
    # five chunks (two rows each, one per customer); after every chunk's commit the index is what a full
    # refresh gives (others search meanwhile).
    values = [dict(CUSTOMER), {**CUSTOMER, "name": "北京星辰科技", "phone": None, "email": None}]
    saved = [admin.customers.create(dict(v))["id"] for v in values]
    bulk = [admin.customers.create(dict(v))["id"] for v in values]
    existing = {"name": "李华", "phone": "13888001234"}
    for cid in (saved[0], bulk[0]):
        admin.contacts.create({**existing, "customer_id": cid})
    new = [{"name": "星辰88", "phone": "13912345678"}, {"name": "王小明", "phone": "15800008888"},
           {"name": "Li Hua", "phone": None}, {"name": "李华", "phone": "13600000000"},
           {"name": "小张77", "phone": "13777000000"}]
    rows = [(i, c) for c in new for i in (0, 1)]  # each customer's contacts in two chunks, between the other's
    for i, c in rows:
        admin.contacts.create({**c, "customer_id": saved[i]})
    chunks: list[bool] = []
    writer = BulkWriter(admin.db, admin.actor, chunk_size=2)
    writer.insert("contacts", [{**c, "customer_id": bulk[i]} for i, c in rows],
                  on_chunk=lambda _chunk: chunks.append(all(_index_is_derived(admin.db, cid) for cid in bulk)))

    assert chunks == [True] * 5
    for one, two in zip(saved, bulk, strict=True):
        assert _customer_rows(admin.db, two) == _customer_rows(admin.db, one)
    grams = set(_customer_rows(admin.db, bulk[0])["grams"])
    assert {("88", "c"), ("星辰", "c"), ("星辰", "n"), ("00", "q"), ("li", "c")} <= grams
    assert ("88", "q") not in grams and ("77", "c") in grams and ("77", "q") not in grams
    assert _customer_rows(admin.db, bulk[0])["search_text"] == (
        "<code> 杭州星辰·软件有限公司 057188886666 hr@xingchen.example.com 李华 星辰88 王小明 li hua 李华 小张77 "
        "13888001234 13912345678 15800008888 13600000000 13777000000")


def test_a_contact_added_in_bulk_to_a_customer_never_indexed_indexes_the_customer_too(admin):
    # A customer inserted with search=False has no stored index to add the contact's pairs to: the contact's
    # bulk insert builds the customer's whole index (its name, phone and e-mail pairs too), as a refresh does.
    writer = BulkWriter(admin.db, admin.actor)
    [cid] = writer.insert("customers", [dict(CUSTOMER)], search=False)
    writer.insert("contacts", [{"name": "王小明", "phone": "13912345678", "customer_id": cid}])

    assert _index_is_derived(admin.db, cid)
    kinds = {kind for _, kind in _customer_rows(admin.db, cid)["grams"]}
    assert {"n", "p", "c", "q"} <= kinds


def _query(term: str):
    from crm_core import ListQuery

    return ListQuery(search=term, limit=50)


def test_a_status_move_the_workflow_forbids_is_refused_with_its_row(admin):
    writer = BulkWriter(admin.db, admin.actor)
    ids = writer.insert("customers", [{"name": "甲公司"}, {"name": "乙公司"}])
    with pytest.raises(ValidationError) as refused:
        writer.change_status([{"customer_id": ids[0], "status": "interested"},
                              {"customer_id": ids[1], "status": "won"}])  # no contract as evidence
    assert [(e.field, e.row) for e in refused.value.errors] == [("contract_number", 1)]
    assert admin.customers.get(ids[0])["status"] == "prospect"  # nothing written


def test_payments_get_their_customer_and_tickets_their_number_and_store(admin):
    writer = BulkWriter(admin.db, admin.actor)
    [cid] = writer.insert("customers", [{"name": "甲公司"}])
    [kid] = writer.insert("contracts", [{"number": "HT-9", "customer_id": cid, "signed_on": dt.date(2026, 11, 1),
                                         "amount": "500.00"}])
    [pid] = writer.insert("payments", [{"contract_id": kid, "received_on": dt.date(2026, 11, 2), "amount": "200.00"}])
    [sid] = writer.insert("submitters", [{"customer_id": cid, "name": "张三", "store": "西湖店"}])
    tids = writer.insert("tickets", [{"customer_id": cid, "submitter_id": sid, "feedback_type": "complaint",
                                      "description": "打印卡顿"}] * 2)
    assert admin.payments.get(pid)["customer_id"] == cid
    assert admin.contracts.get(kid)["received"] == 200
    tickets = [admin.tickets.get(t) for t in tids]
    assert [t["number"] for t in tickets] == [f"T{_today()}001", f"T{_today()}002"]
    assert all(t["store"] == "西湖店" and t["status"] == "open" for t in tickets)
    # a code handed out in bulk is never handed out again by the service
    assert admin.tickets.create({"customer_id": cid, "feedback_type": "praise", "description": "好"})["number"] \
        == f"T{_today()}003"


def test_chunks_are_reported_with_their_ids_and_source(admin):
    chunks = []
    writer = BulkWriter(admin.db, admin.actor, source="import #7: clients.xlsx", chunk_size=2)
    ids = writer.insert("customers", [{"name": f"公司{i}"} for i in range(5)], on_chunk=chunks.append)
    assert [c.ids for c in chunks] == [ids[0:2], ids[2:4], ids[4:5]]
    assert {c.source for c in chunks} == {"import #7: clients.xlsx"} and chunks[-1].done == 5
    assert all(v == [1] * len(c.ids) for c in chunks for v in [c.versions])


def test_validate_checks_each_row_as_the_service_would(admin):
    writer = BulkWriter(admin.db, admin.actor)
    with pytest.raises(ValidationError) as refused:
        writer.insert("customers", [{"name": "甲公司"}, {"name": "乙公司", "level": "Z"}], validate=True)
    assert [(e.field, e.code, e.row) for e in refused.value.errors] == [("level", "choice", 1)]
    with admin.db.unit_of_work(write=False) as s:
        assert s.scalar(text("SELECT count(*) FROM customers")) == 0


def test_a_role_that_may_not_create_cannot_write_in_bulk(login):
    engineer = login("engineer1")
    with pytest.raises(PermissionDenied):
        BulkWriter(engineer.db, engineer.actor).insert("contracts", [{"number": "X"}])
