"""SCRAM-SHA-256 verifiers as PostgreSQL stores them, computed on the client.

Account management sends PostgreSQL the verifier, never the password: the
password then appears in no statement, no server log and no
``pg_stat_statements`` entry. The format is the one of ``pg_authid.rolpassword``
(RFC 5802 / RFC 7677)::

    SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>

SASLprep: PostgreSQL normalises the password with SASLprep (RFC 4013) and
falls back to the raw bytes when the password is not valid SASLprep input.
Here the password is normalised with Unicode NFKC, the core of SASLprep. It
differs from the server only for passwords containing characters SASLprep maps
to nothing or to a space (soft hyphen, zero-width joiners, non-ASCII spaces) or
prohibits; for such passwords the login typed later is normalised the same way
by libpq, so keep them out of policy rather than rely on them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata

SALT_BYTES = 16  # as PostgreSQL's own SCRAM_DEFAULT_SALT_LEN


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def scram_verifier(password: str, *, iterations: int = 4096, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password``.

    Args:
        password: the clear password (normalised with NFKC, see the module note).
        iterations: PBKDF2 rounds (PostgreSQL's default ``scram_iterations`` is 4096).
        salt: fixed salt for tests; a fresh random salt otherwise.
    """
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    prepared = unicodedata.normalize("NFKC", password).encode("utf-8")
    salted = hashlib.pbkdf2_hmac("sha256", prepared, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return f"SCRAM-SHA-256${iterations}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def is_verifier(value: str) -> bool:
    """True when ``value`` has the shape of a SCRAM-SHA-256 verifier (not a clear password)."""
    head, _, rest = value.partition("$")
    parts = rest.replace("$", ":").split(":")
    return head == "SCRAM-SHA-256" and len(parts) == 4 and parts[0].isdigit()
