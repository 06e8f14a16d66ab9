"""The fixtures themselves: one migrated database per test on each backend."""


def test_admin_signs_in_and_creates_a_customer(admin, backend):
    customer = admin.customers.create({"name": "上海云帆信息技术有限公司"})
    assert customer["code"].startswith("C")
    assert admin.customers.get(customer["id"])["name"] == "上海云帆信息技术有限公司"
    assert admin.db.backend == backend


def test_each_test_starts_empty(admin):
    assert admin.customers.count() == 0
