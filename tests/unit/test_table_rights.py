"""The table-rights declaration covers every table, and follows the permission declaration."""

from __future__ import annotations

from crm_core import permissions_tables as pt
from crm_core.db.base import Base
from crm_core.permissions import CUSTOMER_SCOPED, ROLES, Scope, scope_of
from crm_core.pgsecurity.grants import tables
from crm_core.pgsecurity.policies import protected_tables


def test_every_table_of_the_metadata_is_covered():
    tables()  # registers every model
    missing = set(Base.metadata.tables) - pt.covered_tables()
    assert not missing, f"add these tables to crm_core/permissions_tables.py: {sorted(missing)}"


def test_every_table_named_exists():
    unknown = (pt.covered_tables() - set(pt.MANAGED_ELSEWHERE)) - set(tables())
    assert not unknown


def test_every_table_with_a_customer_id_is_row_scoped():
    scoped = set(protected_tables())
    with_customer = {name for name, t in tables().items() if "customer_id" in t.columns}
    assert with_customer <= scoped


def test_every_table_referencing_a_scoped_table_is_row_scoped():
    """A child of a customer-scoped table (a contract's attachments ...) must follow its scope."""
    scoped = set(protected_tables())
    for name, table in tables().items():
        parents = {fk.column.table.name for fk in table.foreign_keys}
        assert not (parents & scoped) or name in scoped, f"{name} hangs off a customer-scoped table"


def test_modules_and_tables_follow_the_declaration():
    assert set(pt.MODULE_TABLES) == {m for r in ROLES.values() for m in r.modules}
    for module in CUSTOMER_SCOPED:
        assert pt.MODULE_TABLES[module][0] in protected_tables()


def test_engineer_reads_customers_without_phone_and_nobody_reads_password_hashes():
    assert "phone" in pt.hidden_columns("engineer", "customers")
    assert "phone" not in pt.hidden_columns("sales", "customers")
    assert "id_number" in pt.hidden_columns("sales", "contacts")
    assert not pt.hidden_columns("admin", "contacts")
    assert all("password_hash" in pt.hidden_columns(code, "users") for code in ROLES)


def test_only_all_scope_roles_may_reassign_customers():
    for code in ROLES:
        fixed = pt.unwritable_columns(code, "customers")
        assert ("owner_id" in fixed) == (scope_of(code, "customers") is not Scope.ALL)


def test_rights_follow_module_actions():
    assert "INSERT" in pt.table_privileges("sales")["customers"]
    assert "DELETE" not in pt.table_privileges("engineer").get("tickets", frozenset())
    assert "INSERT" not in pt.table_privileges("engineer").get("customers", frozenset())
    assert pt.table_privileges("engineer")["audit_log"] == frozenset({"INSERT"})  # writes log, reads none
    assert "SELECT" in pt.table_privileges("manager")["audit_log"]
    assert pt.table_privileges("sales")["customer_shares"] == frozenset({"SELECT"})
    for code in ROLES:
        assert "backup_runs" not in pt.table_privileges(code) or code == "admin"
