"""``crm-admin db init`` on the secure cluster, then ``crm-admin db upgrade`` keeping the rules in step."""

from __future__ import annotations

import io

import psycopg
import pytest
from psycopg import sql

from crm_core import cli
from tests.conftest import PASSWORD

pytestmark = pytest.mark.security


@pytest.fixture
def fresh_name(secure_cluster):
    name = "crm_cli_init"
    yield name
    with psycopg.connect(**secure_cluster.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute("DROP ROLE IF EXISTS boss")


def _init(cluster, name: str, monkeypatch, capsys, login: str = "boss") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = cli.main(["db", "init", "--superuser-url", cluster.url("postgres"), "--database", name,
                     "--login", login, "--name", "王建国", "--phone", "13800000000", "--password-stdin",
                     "--lang", "en"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_db_init_sets_up_a_server_the_admin_signs_in_to(secure_cluster, fresh_name, monkeypatch, capsys):
    code, out, err = _init(secure_cluster, fresh_name, monkeypatch, capsys)
    assert code == 0, err
    assert "boss" in out and "[5/5]" in err
    with psycopg.connect(**secure_cluster.conninfo(fresh_name, "boss", PASSWORD)) as conn:
        assert conn.execute("SELECT login, role FROM users").fetchall() == [("boss", "admin")]
        assert conn.execute("SELECT pg_has_role('boss', 'crm_admin', 'MEMBER')").fetchone()[0] is True
    # His password is his login's: no argon2 hash of it in the table (and so in no backup), as for the users
    # the administrator adds later (test_accounts.py).
    with psycopg.connect(**secure_cluster.conninfo(fresh_name)) as su:
        assert su.execute("SELECT login, password_hash FROM users").fetchall() == [("boss", None)]


def test_db_init_refuses_an_existing_database_and_reserved_logins(secure_cluster, fresh_name, monkeypatch,
                                                                   capsys):
    code, _, err = _init(secure_cluster, fresh_name, monkeypatch, capsys, login="crm_boss")
    assert code == 1 and "crm_" in err
    assert _init(secure_cluster, fresh_name, monkeypatch, capsys)[0] == 0
    code, _, err = _init(secure_cluster, fresh_name, monkeypatch, capsys)
    assert code == 1 and "already exists" in err


def test_db_upgrade_puts_the_rules_back(secure_cluster, fresh_name, monkeypatch, capsys):
    assert _init(secure_cluster, fresh_name, monkeypatch, capsys)[0] == 0
    with psycopg.connect(**secure_cluster.conninfo(fresh_name), autocommit=True) as su:
        su.execute("ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY")
        su.execute("DROP POLICY crm_sales ON customers")
    monkeypatch.setenv("CRM_DB_USER", secure_cluster.superuser)
    monkeypatch.setenv("CRM_DB_PASSWORD", secure_cluster.password)
    url = (f"postgresql://{secure_cluster.host}:{secure_cluster.port}/{fresh_name}"
           "?sslmode=disable&auth=database")
    code = cli.main(["db", "upgrade", "--url", url, "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    assert "row-level security policies updated" in capsys.readouterr().out
    with psycopg.connect(**secure_cluster.conninfo(fresh_name)) as su:
        assert su.execute("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'contacts'").fetchone()[0]
        assert su.execute("SELECT count(*) FROM pg_policies WHERE tablename = 'customers' "
                          "AND policyname = 'crm_sales'").fetchone()[0] == 1
