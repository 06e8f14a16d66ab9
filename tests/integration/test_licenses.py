"""Licenses (产品授权): seats, licensed machines, trials, and the per-customer summary."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_core import NotFound, ValidationError
from crm_core.services.codes import office_today
from tests.helpers import field_error, version_of


@pytest.fixture
def today():
    """The office's date, read once per test."""
    return office_today()


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def new_license(admin, customer, today):
    def _new(serial: str = "LIC-0001", seats: int = 2, **values):
        return admin.licenses.create({"customer_id": customer["id"], "serial": serial, "seats": seats,
                                      "valid_from": today, **values})
    return _new


def test_license_serial_must_be_unique(new_license):
    new_license("LIC-0001")
    with pytest.raises(ValidationError) as exc:
        new_license("LIC-0001")
    err = field_error(exc, "serial")
    assert err.code == "duplicate" and "授权序列号" in err.message.zh


@pytest.mark.parametrize("seats", [0, -1])
def test_license_needs_at_least_one_seat(new_license, seats):
    with pytest.raises(ValidationError) as exc:
        new_license(seats=seats)
    assert field_error(exc, "seats").code == "too_small"
    assert "购买授权个数" in exc.value.message.zh


def test_trial_license_runs_thirty_days_automatically(new_license, today):
    lic = new_license(is_trial=True)
    assert lic["valid_until"] == today + dt.timedelta(days=30)
    assert lic["is_trial"] is True


def test_trial_license_refuses_any_other_end_date(new_license, today):
    with pytest.raises(ValidationError) as exc:
        new_license(is_trial=True, valid_until=today + dt.timedelta(days=90))
    err = field_error(exc, "valid_until")
    assert err.code == "trial_days" and "30" in err.message.zh


def test_trial_license_cannot_be_extended_by_an_update(admin, new_license, today):
    lic = new_license(is_trial=True)
    with pytest.raises(ValidationError) as exc:
        admin.licenses.update(lic["id"], {"valid_until": today + dt.timedelta(days=365)}, version=lic["version"])
    assert field_error(exc, "valid_until").code == "trial_days"


def test_trial_license_moved_start_keeps_thirty_days(admin, new_license, today):
    lic = new_license(is_trial=True)
    later = today + dt.timedelta(days=5)
    moved = admin.licenses.update(lic["id"], {"valid_from": later, "valid_until": later + dt.timedelta(days=30)},
                                  version=lic["version"])
    assert moved["valid_until"] == later + dt.timedelta(days=30)


def test_license_end_before_start_is_refused(new_license, today):
    with pytest.raises(ValidationError) as exc:
        new_license(valid_until=today - dt.timedelta(days=1))
    assert field_error(exc, "valid_until").code == "date_order"


def test_machines_can_be_added_up_to_the_seats_then_refused(admin, new_license):
    lic = new_license(seats=2)
    admin.licenses.add_machine(lic["id"], "前台电脑", "FP-A")
    admin.licenses.add_machine(lic["id"], "财务电脑", "FP-B")
    with pytest.raises(ValidationError) as exc:
        admin.licenses.add_machine(lic["id"], "仓库电脑", "FP-C")
    err = exc.value.errors[0]
    assert err.code == "seats_full"
    assert "已用完" in err.message.zh and "All 2 seats are in use" in err.message.en
    assert admin.licenses.get(lic["id"])["seats_used"] == 2
    assert [m["machine_name"] for m in admin.licenses.machines(lic["id"])] == ["前台电脑", "财务电脑"]


def test_releasing_a_machine_frees_a_seat(admin, new_license):
    lic = new_license(seats=1)
    first = admin.licenses.add_machine(lic["id"], "旧电脑", "FP-OLD")
    admin.licenses.release_machine(first["id"])
    assert admin.licenses.get(lic["id"])["seats_used"] == 0
    admin.licenses.add_machine(lic["id"], "新电脑", "FP-NEW")
    assert [m["fingerprint"] for m in admin.licenses.machines(lic["id"])] == ["FP-NEW"]
    everything = admin.licenses.machines(lic["id"], include_released=True)
    assert {m["fingerprint"]: m["is_active"] for m in everything} == {"FP-OLD": False, "FP-NEW": True}


def test_released_machine_can_come_back(admin, new_license):
    lic = new_license(seats=1)
    m = admin.licenses.add_machine(lic["id"], "电脑", "FP-1")
    admin.licenses.release_machine(m["id"])
    back = admin.licenses.add_machine(lic["id"], "电脑（重装）", "FP-1")
    assert back["is_active"] is True and back["machine_name"] == "电脑（重装）"
    assert admin.licenses.get(lic["id"])["seats_used"] == 1


def test_the_same_fingerprint_twice_is_refused(admin, new_license):
    lic = new_license(seats=5)
    admin.licenses.add_machine(lic["id"], "电脑", "FP-SAME")
    with pytest.raises(ValidationError) as exc:
        admin.licenses.add_machine(lic["id"], "另一台", "FP-SAME")
    assert field_error(exc, "fingerprint").code == "duplicate"
    assert admin.licenses.get(lic["id"])["seats_used"] == 1


def test_blank_machine_name_and_fingerprint_are_refused(admin, new_license):
    lic = new_license()
    with pytest.raises(ValidationError) as exc:
        admin.licenses.add_machine(lic["id"], "  ", "")
    assert exc.value.fields == {"machine_name", "fingerprint"}


def test_seats_cannot_be_reduced_below_the_machines_in_use(admin, new_license):
    lic = new_license(seats=3)
    admin.licenses.add_machine(lic["id"], "A", "FP-A")
    admin.licenses.add_machine(lic["id"], "B", "FP-B")
    lic = admin.licenses.get(lic["id"])
    with pytest.raises(ValidationError) as exc:
        admin.licenses.update(lic["id"], {"seats": 1}, version=lic["version"])
    err = field_error(exc, "seats")
    assert err.code == "below_used" and "2" in err.message.zh
    assert admin.licenses.update(lic["id"], {"seats": 2}, version=lic["version"])["seats"] == 2


def test_expired_license_refuses_new_machines(admin, new_license, today):
    lic = new_license(valid_from=today - dt.timedelta(days=60), valid_until=today - dt.timedelta(days=1))
    assert admin.licenses.get(lic["id"])["expired"] is True
    with pytest.raises(ValidationError) as exc:
        admin.licenses.add_machine(lic["id"], "电脑", "FP-1")
    assert exc.value.errors[0].code == "expired"
    assert admin.licenses.machines(lic["id"]) == []


def test_license_valid_until_today_still_accepts_machines(admin, new_license, today):
    lic = new_license(valid_until=today)
    assert admin.licenses.get(lic["id"])["expired"] is False
    admin.licenses.add_machine(lic["id"], "电脑", "FP-1")


def test_summary_by_customer_counts_licenses_seats_and_used(admin, make_customer, new_license, customer, today):
    a = new_license("LIC-A", seats=3)
    new_license("LIC-B", seats=2, is_trial=True)
    gone = new_license("LIC-C", seats=10)
    admin.licenses.deactivate(gone["id"], "退款", version=version_of(admin.licenses, gone["id"]))
    other = make_customer("广州南方物流有限公司")
    admin.licenses.create({"customer_id": other["id"], "serial": "LIC-X", "seats": 7, "valid_from": today})
    admin.licenses.add_machine(a["id"], "A1", "FP-A1")
    admin.licenses.add_machine(a["id"], "A2", "FP-A2")
    assert admin.licenses.summary_by_customer(customer["id"]) == {
        "licenses": 2, "seats": 5, "seats_used": 2, "current_seats": 5, "current_seats_used": 2}
    assert admin.licenses.summary_by_customer(other["id"]) == {
        "licenses": 1, "seats": 7, "seats_used": 0, "current_seats": 7, "current_seats_used": 0}


def test_summary_by_customer_tells_current_seats_from_expired_and_future_ones(admin, new_license, customer, today):
    now = new_license("LIC-NOW", seats=3)
    old = admin.licenses.create({"customer_id": customer["id"], "serial": "LIC-OLD", "seats": 4,
                                 "valid_from": today - dt.timedelta(days=400)})
    admin.licenses.add_machine(old["id"], "B1", "FP-B1")  # used while it was valid ...
    admin.licenses.update(old["id"], {"valid_until": today - dt.timedelta(days=35)},
                          version=admin.licenses.get(old["id"])["version"])  # ... and has ended since
    admin.licenses.create({"customer_id": customer["id"], "serial": "LIC-NEXT", "seats": 6,
                           "valid_from": today + dt.timedelta(days=10)})
    admin.licenses.add_machine(now["id"], "A1", "FP-A1")
    summary = admin.licenses.summary_by_customer(customer["id"])
    assert (summary["seats"], summary["seats_used"]) == (13, 2)
    assert (summary["current_seats"], summary["current_seats_used"]) == (3, 1)


def test_license_for_a_product_of_another_customer_is_refused(admin, make_customer, new_license):
    other = make_customer("广州南方物流有限公司")
    product = admin.products.create({"customer_id": other["id"], "name": "物流管理系统", "product_version": "3.2"})
    with pytest.raises(ValidationError) as exc:
        new_license(product_id=product["id"])
    assert field_error(exc, "product_id").code == "other_customer"


def test_license_for_the_customers_own_product_is_accepted(admin, customer, new_license):
    product = admin.products.create({"customer_id": customer["id"], "name": "星辰ERP 定制版"})
    lic = new_license(product_id=product["id"])
    assert lic["product_id"] == product["id"] and lic["product_id_display"] == "星辰ERP 定制版"


def test_engineer_can_add_machines_but_sales_cannot_see_other_owners_licenses(admin, login, new_license):
    from crm_core import NotFound

    lic = new_license()
    engineer = login("engineer1")
    assert engineer.licenses.add_machine(lic["id"], "现场电脑", "FP-E")["is_active"] is True
    sales = login("sales1")
    with pytest.raises(NotFound):
        sales.licenses.machines(lic["id"])
    with pytest.raises(NotFound):
        sales.licenses.add_machine(lic["id"], "偷用", "FP-S")


def test_sales_cannot_count_another_owners_licenses(admin, login, new_license, customer):
    new_license()
    sales = login("sales1")
    with pytest.raises(NotFound):
        sales.licenses.summary_by_customer(customer["id"])
    assert sales.licenses.count() == 0
