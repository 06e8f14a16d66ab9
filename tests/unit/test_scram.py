"""The client-side SCRAM verifier matches what libpq (PostgreSQL's own code) computes."""

from __future__ import annotations

import base64

import pytest
from psycopg import pq

from crm_core.pgsecurity.scram import is_verifier, scram_verifier


def _libpq_verifier(password: str) -> str:
    """libpq's PQencryptPasswordConn needs a connection only for the algorithm setting."""
    conn = pq.PGconn.connect_start(b"")  # never used to talk to a server
    try:
        return conn.encrypt_password(password.encode(), b"anyone", b"scram-sha-256").decode()
    finally:
        conn.finish()


@pytest.mark.parametrize("password", ["Secret-123", "pencil", "密码Pässwörd 1", "ｆｕｌｌｗｉｄｔｈ1"])
def test_same_verifier_as_libpq_for_the_same_salt(password: str) -> None:
    theirs = _libpq_verifier(password)
    iterations, salt = theirs.split("$")[1].split(":")
    ours = scram_verifier(password, iterations=int(iterations), salt=base64.b64decode(salt))
    assert ours == theirs


def test_fresh_salt_each_time_and_no_password_inside() -> None:
    first, second = scram_verifier("Secret-123"), scram_verifier("Secret-123")
    assert first != second
    assert "Secret-123" not in first
    assert first.startswith("SCRAM-SHA-256$4096:")
    assert is_verifier(first) and not is_verifier("Secret-123")
