"""Every write path takes the version the caller shows and refuses a stale one (issue 11, item 14)."""

from __future__ import annotations

import inspect

import pytest

from crm_core import ConcurrencyConflict, ValidationError
from crm_core.services.entity import EntityService


@pytest.fixture
def changed_meanwhile(admin, make_customer):
    """A customer as a grid showed it, then saved by someone else."""
    shown = make_customer("杭州云帆网络科技有限公司")
    admin.customers.update(shown["id"], {"level": "A"}, version=shown["version"])
    return shown


def test_deleting_a_record_someone_just_changed_is_a_conflict(admin, changed_meanwhile):
    with pytest.raises(ConcurrencyConflict) as err:
        admin.customers.delete(changed_meanwhile["id"], version=changed_meanwhile["version"])

    assert err.value.current["level"] == "A"
    assert "杭州云帆网络科技有限公司" in err.value.message.zh
    assert admin.customers.get(changed_meanwhile["id"])["level"] == "A"  # still there


def test_deactivating_a_record_someone_just_changed_is_a_conflict(admin, changed_meanwhile):
    with pytest.raises(ConcurrencyConflict):
        admin.customers.deactivate(changed_meanwhile["id"], "重复录入", version=changed_meanwhile["version"])

    assert admin.customers.get(changed_meanwhile["id"])["is_active"] is True


def test_reactivating_a_record_someone_just_changed_is_a_conflict(admin, make_customer):
    customer = make_customer()
    inactive = admin.customers.deactivate(customer["id"], "重复录入", version=customer["version"])
    changed = admin.customers.reactivate(customer["id"], version=inactive["version"])
    admin.customers.deactivate(customer["id"], "又失效", version=changed["version"])

    with pytest.raises(ConcurrencyConflict):
        admin.customers.reactivate(customer["id"], version=changed["version"])

    assert admin.customers.get(customer["id"])["deactivated_reason"] == "又失效"


@pytest.mark.parametrize("method", ["delete", "deactivate", "reactivate", "delete_in"])
def test_the_version_is_required_on_every_write(method):
    parameter = inspect.signature(getattr(EntityService, method)).parameters["version"]

    assert parameter.default is inspect.Parameter.empty


def test_bulk_update_reports_each_stale_record_and_changes_none(admin, login, make_customer):
    a, b, c = (make_customer(n) for n in ("甲公司", "乙公司", "丙公司"))
    admin.customers.update(b["id"], {"level": "B"}, version=b["version"])
    admin.customers.update(c["id"], {"level": "C"}, version=c["version"])
    sales = login("sales1")
    shown = {a["id"]: a["version"], b["id"]: b["version"], c["id"]: c["version"]}

    with pytest.raises(ValidationError) as err:
        admin.customers.bulk_update(shown, {"owner_id": sales.actor.user_id})

    conflicts = [e for e in err.value.errors if e.code == "conflict"]
    assert [e.row for e in conflicts] == [1, 2]
    assert "乙公司" in conflicts[0].message.zh and "丙公司" in conflicts[1].message.en
    assert sales.customers.count() == 0


def test_bulk_status_change_reports_a_stale_record(admin, make_customer):
    a, b = make_customer("甲公司"), make_customer("乙公司")
    admin.customers.update(a["id"], {"level": "A"}, version=a["version"])

    with pytest.raises(ValidationError) as err:
        admin.customers.change_status_many({a["id"]: a["version"], b["id"]: b["version"]}, "interested")

    assert [(e.code, e.row) for e in err.value.errors] == [("conflict", 0)]
    assert admin.customers.get(b["id"])["status"] == "prospect"


def test_bulk_actions_take_the_versions_shown_not_bare_ids(admin, make_customer):
    customer = make_customer()

    with pytest.raises(TypeError):
        admin.customers.bulk_update([customer["id"]], {"level": "A"})
