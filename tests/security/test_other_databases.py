"""The server's other databases: PostgreSQL lets every login into them and lets him make objects there.

The CRM takes CONNECT, TEMPORARY and large objects from PUBLIC in its own database only (it is no
business of the CRM's to change the server's other databases). A CRM login let into ``postgres`` by an
``all`` in pg_hba.conf makes a large object there, which he then owns: DROP ROLE fails, so deleting
the user failed with an unexplained error. docs/security.md, step 3 names the CRM database in
pg_hba.conf; "Known limits" says what is left where it does not.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from crm_core.errors import ValidationError
from tests.conftest import PASSWORD
from tests.helpers import version_of

pytestmark = pytest.mark.security


def _clean_up(cluster, login: str) -> None:
    """The server administrator's remedy the message gives, in the other database."""
    with psycopg.connect(**cluster.conninfo("postgres"), autocommit=True) as su:
        su.execute(f'REASSIGN OWNED BY "{login}" TO postgres')
        su.execute(f'DROP OWNED BY "{login}"')
        su.execute("SELECT lo_unlink(oid) FROM pg_largeobject_metadata")


def test_a_login_owning_objects_in_another_database_is_not_deleted_and_the_admin_is_told_why(secure_db):
    user = secure_db.add_user("sales1", "sales")
    cluster = secure_db.cluster
    try:
        with psycopg.connect(**cluster.conninfo("postgres", "sales1", PASSWORD), autocommit=True) as elsewhere:
            elsewhere.execute("SELECT lo_from_bytea(0, 'x'::bytea)")  # PUBLIC's default there
        admin = secure_db.session("admin")
        with pytest.raises(ValidationError) as refused:
            admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
        [problem] = refused.value.errors
        assert (problem.field, problem.code) == ("login", "owns_objects")
        assert "'sales1' still owns objects or holds privileges in another database of the server " \
            "(database postgres)" in problem.message("en")
        assert "as a superuser in that database" in problem.message("en")
        assert "Deactivate the user instead" in problem.message("en") and "请改为停用" in problem.message("zh_CN")
        assert admin.users.get(user["id"])["login"] == "sales1"  # nothing of the deletion stayed
        assert secure_db.superuser().execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() == (1,)
        _clean_up(cluster, "sales1")  # as the message says
        admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
        assert secure_db.superuser().execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() is None
    finally:
        if secure_db.superuser().execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone():
            _clean_up(cluster, "sales1")


def test_a_login_granted_privileges_in_another_database_is_not_deleted_and_the_admin_is_told_where(secure_db):
    """docs/security.md, Known limits: privileges a DBA granted him elsewhere, which no function here can clear."""
    user = secure_db.add_user("sales1", "sales")
    cluster = secure_db.cluster
    try:
        with psycopg.connect(**cluster.conninfo("postgres"), autocommit=True) as su:
            su.execute("GRANT CREATE ON SCHEMA public TO sales1")
        admin = secure_db.session("admin")
        with pytest.raises(ValidationError) as refused:
            admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
        [problem] = refused.value.errors
        assert (problem.field, problem.code) == ("login", "owns_objects")
        assert "holds privileges in another database of the server (database postgres)" in problem.message("en")
        assert "数据库 postgres" in problem.message("zh_CN")
        _clean_up(cluster, "sales1")
        admin.users.delete(user["id"], version=version_of(admin.users, user["id"]))
        assert secure_db.superuser().execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone() is None
    finally:
        if secure_db.superuser().execute("SELECT 1 FROM pg_roles WHERE rolname = 'sales1'").fetchone():
            _clean_up(cluster, "sales1")


def test_a_login_owning_objects_in_another_database_is_deactivated(secure_db):
    """docs/security.md, Known limits: deactivating him works where deleting him does not."""
    user = secure_db.add_user("sales1", "sales")
    cluster = secure_db.cluster
    try:
        with psycopg.connect(**cluster.conninfo("postgres", "sales1", PASSWORD), autocommit=True) as elsewhere:
            elsewhere.execute("SELECT lo_from_bytea(0, 'x'::bytea)")
        kept = secure_db.connect("sales1")
        admin = secure_db.session("admin")
        admin.users.deactivate(user["id"], "离职", version=version_of(admin.users, user["id"]))
        assert admin.users.get(user["id"])["is_active"] is False
        with pytest.raises(psycopg.OperationalError):  # his open session is ended
            kept.execute("SELECT 1")
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            secure_db.connect("sales1")
    finally:
        _clean_up(cluster, "sales1")


DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ADMIN_MACHINE = "192.0.2.10/32"  # the placeholder of step 3's superuser line


def documented_hba(database: str) -> str:
    """Step 3's pg_hba.conf block as written, for this cluster: ``host`` for ``hostssl`` (it has no TLS),
    its database for ``crm``, and this machine as the administrator's own."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("3. `pg_hba.conf`", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.strip().splitlines():
        kind, db, user, *rest = line.split()
        kind = "host" if kind == "hostssl" else kind
        db = database if db == "crm" else db
        rest = ["127.0.0.1/32" if part == ADMIN_MACHINE else part for part in rest]
        lines.append(" ".join([kind, db, user, *rest]))
    return "\n".join(lines) + "\n"


@pytest.fixture
def crm_only_hba(secure_db):
    """docs/security.md step 3's pg_hba.conf, as documented."""
    hba = secure_db.cluster.datadir / "pg_hba.conf"
    original = hba.read_text(encoding="utf-8")
    hba.write_text(documented_hba(secure_db.name), encoding="utf-8")
    su = secure_db.superuser()
    su.execute("SELECT pg_reload_conf()")
    try:
        yield secure_db
    finally:
        hba.write_text(original, encoding="utf-8")
        su.execute("SELECT pg_reload_conf()")


def test_with_the_crm_database_named_in_pg_hba_a_login_reaches_no_other_database(crm_only_hba):
    db = crm_only_hba
    db.add_user("sales1", "sales")
    su = db.superuser()
    su.execute(f"CREATE ROLE crm_backup_job LOGIN CREATEDB PASSWORD '{PASSWORD}'")  # docs: Backups on a server
    for other in ("postgres", "template1"):
        with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry"):
            psycopg.connect(**db.cluster.conninfo(other, "sales1", PASSWORD))
    db.connect("sales1").execute("SELECT 1")  # the CRM database as before
    # the backup job's own line: its --verify restores into a scratch database of its own
    psycopg.connect(**db.cluster.conninfo("postgres", "crm_backup_job", PASSWORD)).close()
    # step 4 "From another machine": the superuser over TCP to the database postgres, with his password
    psycopg.connect(**db.cluster.conninfo("postgres")).close()
    assert f"host {db.name} all 0.0.0.0/0 scram-sha-256" in documented_hba(db.name)
