"""Password hashing for app accounts: argon2id, rehashed on sign-in when the parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text

# argon2-cffi's defaults are argon2id with RFC 9106's "low memory" profile.
hasher = PasswordHasher()
MIN_LENGTH = 8
# Verified when a login name is unknown, so that the answer takes as long as for a real account.
_DUMMY_HASH = hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after checking the policy)."""
    check_policy(password)
    return hasher.hash(password)


def verify(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """Check ``password``; returns (matches, needs_rehash)."""
    try:
        hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    if password_hash is None:
        return False, False
    return True, hasher.check_needs_rehash(password_hash)


def check_policy(password: str, field: str = "password") -> None:
    """At least 8 characters with letters and digits, no surrounding spaces."""
    problems = []
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        problems.append(FieldError(field, "too_short", Text(f"密码：至少 {MIN_LENGTH} 个字符",
                                                            f"Password: at least {MIN_LENGTH} characters")))
    elif not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        problems.append(FieldError(field, "weak", Text("密码：需同时包含字母和数字", "Password: needs both letters and digits")))
    elif password != password.strip():
        problems.append(FieldError(field, "spaces", Text("密码：首尾不能有空格", "Password: no spaces at the start or end")))
    elif len(password) > 128:
        problems.append(FieldError(field, "too_long", Text("密码：不能超过 128 个字符", "Password: at most 128 characters")))
    if problems:
        raise ValidationError(problems)
