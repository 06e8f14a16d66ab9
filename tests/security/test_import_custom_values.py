"""Custom field values written by the import's bulk path follow their module's rights in the database."""

from __future__ import annotations

import pytest
from psycopg import errors

from tests.integration.test_import_helpers import write_csv

pytestmark = pytest.mark.security


@pytest.fixture
def office(secure_db):
    users = {who: secure_db.add_user(who, role) for who, role in [("sales1", "sales"), ("sales2", "sales")]}
    secure_db.session("admin").custom_fields.create({"module": "customers", "key": "erp_id", "label_zh": "ERP编号",
                                                     "label_en": "ERP id", "field_type": "text"})
    return users


def test_a_salesperson_imports_custom_values_that_only_he_reads_and_undo_removes_them(secure_db, office, tmp_path):
    sales = secure_db.session("sales1")
    path = write_csv(tmp_path / "mine.csv", [["公司名称", "ERP编号"], ["甲公司", "E-1"], ["乙公司", "E-2"]])
    batch = sales.imports.run("customers", path, sales.imports.auto_mapping("customers", ["公司名称", "ERP编号"])).batch_id
    assert sorted(r["custom"]["erp_id"] for r in sales.customers.list().rows) == ["E-1", "E-2"]
    with secure_db.connect("sales2") as other:
        assert other.execute("SELECT count(*) FROM custom_field_values").fetchone()[0] == 0
    with secure_db.superuser() as su:
        assert su.execute("SELECT count(*) FROM custom_field_values").fetchone()[0] == 2
    assert sales.imports.undo(batch) == 2
    with secure_db.superuser() as su:
        assert su.execute("SELECT count(*) FROM custom_field_values").fetchone()[0] == 0


def test_the_bulk_path_cannot_put_a_value_on_another_owners_customer(secure_db, office):
    from crm_core.bulk.rows import insert_rows
    from crm_core.models import CustomFieldValue

    theirs = secure_db.session("admin").customers.create({"name": "丙公司", "owner_id": office["sales2"]["id"]})
    sales = secure_db.session("sales1")
    definition = next(f for f in secure_db.session("admin").custom_fields.list().rows if f["key"] == "erp_id")
    with pytest.raises(Exception) as info, sales.db.unit_of_work(write=True) as s:
        insert_rows(s, CustomFieldValue.__table__, ("definition_id", "record_id", "value"),
                    [(definition["id"], theirs["id"], "planted")])
        s.commit()
    assert isinstance(info.value.__cause__ or info.value, errors.InsufficientPrivilege) or \
        "row-level security" in str(info.value)
