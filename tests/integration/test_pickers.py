"""Users fields take only the users who fit them: owners who may own, engineers who are engineers."""

from __future__ import annotations

import pytest

from crm_core.errors import ValidationError


def _codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


def test_a_customer_cannot_be_handed_to_an_engineer_or_a_service_clerk(admin, login, make_customer):
    engineer, service, sales = login("engineer1"), login("service1"), login("sales1")
    customer = make_customer()
    for clerk in (engineer, service):
        with pytest.raises(ValidationError) as exc:
            admin.customers.update(customer["id"], {"owner_id": clerk.actor.user_id}, version=customer["version"])
        assert _codes(exc) == {"owner_id": "role"}
        assert "不能担任" in exc.value.errors[0].message.zh
    moved = admin.customers.update(customer["id"], {"owner_id": sales.actor.user_id}, version=customer["version"])
    assert moved["owner_id"] == sales.actor.user_id


def test_an_opportunity_owner_must_be_someone_who_may_own(admin, login, make_customer):
    engineer = login("engineer1")
    customer = make_customer()
    with pytest.raises(ValidationError) as exc:
        admin.opportunities.create({"customer_id": customer["id"], "name": "二期", "stage": "lead",
                                    "owner_id": engineer.actor.user_id})
    assert _codes(exc) == {"owner_id": "role"}


def test_tickets_are_tracked_by_engineers_only(admin, login, make_customer):
    service, engineer = login("service1"), login("engineer1")
    customer = make_customer()
    ticket = service.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint",
                                     "description": "打印失败", "severity": "major"})
    with pytest.raises(ValidationError) as exc:
        service.tickets.assign(ticket["id"], service.actor.user_id, version=ticket["version"])
    assert _codes(exc) == {"engineer_id": "not_engineer"}
    assigned = service.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])
    assert assigned["engineer_id"] == engineer.actor.user_id
