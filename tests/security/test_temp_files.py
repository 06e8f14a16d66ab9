"""A login's temporary files and memory: what TEMPORARY does not cover (docs/security.md, step 2, Known limits).

No TEMPORARY privilege is needed for the temporary files of a query: a sort bigger than ``work_mem``
spills to disk. With PostgreSQL's default ``temp_file_limit = -1`` one query of a login filled the disk
(the reviewer's sort of 2 million md5 strings wrote 114 MB as a salesman). Step 2 sets the limit in
postgresql.conf; here the same setting is made through ALTER SYSTEM (postgresql.auto.conf), at 1 MB in
place of the documented 2 GB, so that the sort that passes it is small.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from psycopg import errors

pytestmark = pytest.mark.security

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
BIG_SORT = ("SELECT count(*) FROM (SELECT g, md5(g::text) FROM generate_series(1, 200000) g ORDER BY 2) s")


def _documented_conf() -> dict[str, str]:
    """The settings of step 2's postgresql.conf block."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("2. `postgresql.conf`:", 1)[1].split("```ini", 1)[1].split("```", 1)[0]
    found = re.findall(r"^\s*([a-z_.]+)\s*=\s*('[^']*'|\S+)", block, re.MULTILINE)
    return {name: value.strip("'") for name, value in found}


@pytest.fixture
def temp_file_limit(secure_db):
    assert _documented_conf()["temp_file_limit"] == "2GB"
    su = secure_db.superuser()
    su.execute("ALTER SYSTEM SET temp_file_limit = '1MB'")
    su.execute("SELECT pg_reload_conf()")
    try:
        yield secure_db
    finally:
        su.execute("ALTER SYSTEM RESET temp_file_limit")
        su.execute("SELECT pg_reload_conf()")


def test_the_documented_temp_file_limit_stops_a_login_s_big_sort(temp_file_limit):
    db = temp_file_limit
    db.add_user("sales1", "sales")
    with db.connect("sales1") as conn:
        conn.execute("SET statement_timeout = 0")  # he may
        conn.execute("SET work_mem = '64kB'")  # the smallest: everything spills to disk
        with pytest.raises(errors.ConfigurationLimitExceeded, match="temp_file_limit"):
            conn.execute(BIG_SORT)
        with pytest.raises(errors.InsufficientPrivilege):  # nor can he lift it, for himself or later sessions
            conn.execute("SET temp_file_limit = -1")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("ALTER ROLE sales1 SET temp_file_limit = -1")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(f"ALTER ROLE sales1 IN DATABASE {db.name} SET temp_file_limit = -1")


def test_without_the_limit_the_same_sort_writes_its_temporary_files(secure_db):
    """PostgreSQL's default, what step 2 is for: the salesman's sort spills megabytes to disk, unchecked."""
    secure_db.add_user("sales1", "sales")
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SHOW temp_file_limit").fetchone() == ("-1",)
        conn.execute("SET work_mem = '64kB'")
        [plan] = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + BIG_SORT).fetchone()[0]
    sorts = [node for node in _nodes(plan["Plan"]) if node["Node Type"] == "Sort"]
    assert sorts and sorts[0]["Sort Space Type"] == "Disk" and sorts[0]["Sort Space Used"] > 1024  # kB


def _nodes(node: dict) -> list[dict]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]


def test_the_documented_limit_a_login_raises_his_own_work_mem(secure_db):
    """docs/security.md, Known limits: no memory limit per login; work_mem is his to set."""
    secure_db.add_user("sales1", "sales")
    with secure_db.connect("sales1") as conn:
        conn.execute("SET work_mem = '2GB'")
        assert conn.execute("SHOW work_mem").fetchone() == ("2GB",)
        conn.execute("ALTER ROLE sales1 SET work_mem = '2GB'")
        with pytest.raises(errors.InsufficientPrivilege):  # nobody else's
            conn.execute("ALTER ROLE admin SET work_mem = '2GB'")
    with secure_db.connect("sales1") as conn:
        assert conn.execute("SHOW work_mem").fetchone() == ("2GB",)
