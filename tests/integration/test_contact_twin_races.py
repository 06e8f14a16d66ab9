"""The contact twin rule (one customer, one contact per name and phone) under two clients at once.

The first client's save has passed its twin check and is held there, uncommitted; the second saves the
same person on the same customer by another path. The second must wait for the first (PostgreSQL: the
customer's row lock, taken before the twin query by every path that writes contacts; SQLite: the write
lock) and then be refused, in the service's words, instead of both committing a twin.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from crm_core import ValidationError
from crm_core.bulk import BulkWriter
from crm_core.importing.service import ImportRejected
from crm_core.models import Contact
from crm_core.modules.contacts import ContactService
from tests.integration.lock_waits import Held, first_holds_then_second, no_endless_lock_waits
from tests.integration.test_import_helpers import write_csv

NAME, PHONE = "陈静", "13900001111"


def _held_after_the_twin_check(monkeypatch: pytest.MonkeyPatch) -> Held:
    held = Held()
    real = ContactService._twins

    def twins_then_hold(self: Any, s: Any, items: Any) -> Any:
        out = real(self, s, items)
        held.hold(s)  # the first client: checked, not yet written
        return out
    monkeypatch.setattr(ContactService, "_twins", twins_then_hold)
    return held


def _bulk_update(session: Any, items: list[tuple[int, int, dict[str, Any]]]) -> list[int]:
    with session.db.unit_of_work(write=True) as s:
        versions = BulkWriter(session.db, session.actor).update_in(s, "contacts", items)
        s.commit()
    return versions


def _twins_of(db: Any, customer_id: int) -> list[int]:
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(Contact.id).where(Contact.customer_id == customer_id, Contact.name == NAME,
                                                       Contact.phone == PHONE)))


def _the_twin_refusal(error: Exception) -> Any:
    assert isinstance(error, ValidationError), repr(error)
    [e] = error.check.errors if isinstance(error, ImportRejected) else error.errors
    assert e.field == "name" and getattr(e, "code", "duplicate") == "duplicate"  # (an import's row error: no code)
    assert e.message.zh.startswith(f"姓名：该客户已有同名同电话的联系人“{NAME}”")
    assert e.message.en.startswith(f"Name: this customer already has a contact '{NAME}' with this phone")
    return e


@pytest.mark.parametrize("second", ["create", "update", "move", "bulk insert", "bulk update", "import"])
def test_the_same_contact_saved_by_two_clients_at_once_is_refused_to_the_second(
        admin, login, make_customer, monkeypatch, tmp_path, second):
    customer = make_customer("北京星辰软件有限公司")
    other = make_customer("上海明月科技有限公司")
    manager = login("manager1")
    no_endless_lock_waits(admin, manager)
    same = {"customer_id": customer["id"], "name": NAME, "phone": PHONE}
    # what the second client starts from: the same name with another phone, or the same person elsewhere
    namesake = admin.contacts.create({**same, "phone": "13900002222"})
    elsewhere = admin.contacts.create({**same, "customer_id": other["id"]})
    path = write_csv(tmp_path / "contacts.csv", [["客户", "姓名", "电话"], [customer["name"], NAME, PHONE]])
    second_call = {
        "create": lambda: manager.contacts.create(dict(same)),
        "update": lambda: manager.contacts.update(namesake["id"], {"phone": PHONE}, version=namesake["version"]),
        "move": lambda: manager.contacts.update(elsewhere["id"], {"customer_id": customer["id"]},
                                                version=elsewhere["version"]),
        "bulk insert": lambda: BulkWriter(manager.db, manager.actor).insert("contacts", [dict(same)], validate=True),
        "bulk update": lambda: _bulk_update(manager, [(namesake["id"], namesake["version"], {"phone": PHONE})]),
        "import": lambda: manager.imports.run("contacts", path,
                                              manager.imports.auto_mapping("contacts", ["客户", "姓名", "电话"])),
    }[second]
    held = _held_after_the_twin_check(monkeypatch)

    first, refused, waited = first_holds_then_second(held, lambda: admin.contacts.create(dict(same)), second_call,
                                                     admin)

    assert isinstance(first, dict), repr(first)
    error = _the_twin_refusal(refused)
    assert waited  # the second client's check waited for the first one's save
    if second in ("bulk insert", "bulk update"):
        assert error.row == 0
    if second == "import":
        assert (error.row, error.column) == (2, 1)  # the file's row, its 姓名 column
    assert _twins_of(admin.db, customer["id"]) == [first["id"]]
    assert admin.contacts.get(namesake["id"])["phone"] == "13900002222"
    assert admin.contacts.get(elsewhere["id"])["customer_id"] == other["id"]


def test_a_contact_saved_on_a_customer_handed_to_another_salesperson_meanwhile_is_refused(
        admin, login, make_customer, monkeypatch):
    """The salesperson's save checked the customer (his) and waits for its lock while the manager hands it
    to a colleague: the lock's query, re-checked after the wait, finds it no longer his; the save is refused
    as the reference check refuses another's customer (it used to write the contact without the lock)."""
    from crm_core.modules.customers import CustomerService
    sales, colleague = login("sales1"), login("sales2")
    customer = make_customer("北京星辰软件有限公司", owner_id=sales.actor.user_id)
    no_endless_lock_waits(admin, sales)
    held, real = Held(), CustomerService._validate

    def hold_then_validate(self: Any, s: Any, values: Any, obj: Any, errors: Any) -> None:
        held.hold(s)  # the hand-over holds the customer locked
        real(self, s, values, obj, errors)
    monkeypatch.setattr(CustomerService, "_validate", hold_then_validate)

    first, refused, waited = first_holds_then_second(
        held, lambda: admin.customers.update(customer["id"], {"owner_id": colleague.actor.user_id},
                                             version=customer["version"]),
        lambda: sales.contacts.create({"customer_id": customer["id"], "name": NAME, "phone": PHONE}), admin)

    assert isinstance(first, dict) and first["owner_id"] == colleague.actor.user_id, repr(first)
    assert waited
    assert isinstance(refused, ValidationError), repr(refused)
    [e] = refused.errors
    assert (e.field, e.code) == ("customer_id", "not_found")
    assert (e.message.zh, e.message.en) == ("客户：所选记录不存在或无权访问",
                                            "Customer: the chosen record does not exist or is not yours")
    assert _twins_of(admin.db, customer["id"]) == []


def test_a_salesperson_naming_anothers_customer_is_not_told_what_contacts_it_has(admin, login, make_customer):
    """The twin rule counts only the contacts of customers the actor sees: the salesperson hears that the
    customer is not his, not that it already has this person (it used to say both)."""
    sales, colleague = login("sales1"), login("sales2")
    customer = make_customer("北京星辰软件有限公司", owner_id=colleague.actor.user_id)
    admin.contacts.create({"customer_id": customer["id"], "name": NAME, "phone": PHONE})

    with pytest.raises(ValidationError) as info:
        sales.contacts.create({"customer_id": customer["id"], "name": NAME, "phone": PHONE})

    assert [(e.field, e.code) for e in info.value.errors] == [("customer_id", "not_found")]
    # and the form's hint of the same person names no one on another's customer
    assert sales.contacts.similar({"customer_id": customer["id"], "name": NAME, "phone": PHONE}) == []
    with pytest.raises(ValidationError) as info:  # the colleague, whose customer it is, is told
        colleague.contacts.create({"customer_id": customer["id"], "name": NAME, "phone": PHONE})
    assert [(e.field, e.code) for e in info.value.errors] == [("name", "duplicate")]
