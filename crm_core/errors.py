"""The one error hierarchy of crm_core.

Every error a caller is meant to handle is a :class:`CrmError` with a bilingual
message. The desktop client maps each class to one kind of dialog; anything
that is not a ``CrmError`` is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm_core.i18n import Text


class CrmError(Exception):
    """Base class of the errors a user is told about."""

    def __init__(self, message: Text):
        super().__init__(str(message))
        self.message = message

    def text(self, lang: str = "zh_CN") -> str:
        """The message in the user's language."""
        return self.message(lang)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: which field, a stable code, and the message.

    ``message`` already names the field (e.g. "公司名称：不能为空").
    """

    field: str | None
    code: str
    message: Text
    row: int | None = None  # for imports and bulk operations


class ValidationError(CrmError):
    """Input was refused; ``errors`` says which fields and why. Nothing was written."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        joined = Text(
            "；".join(e.message.zh for e in self.errors),
            "; ".join(e.message.en for e in self.errors),
        )
        super().__init__(joined)

    def for_field(self, name: str) -> list[FieldError]:
        """The errors of one field."""
        return [e for e in self.errors if e.field == name]

    @property
    def fields(self) -> set[str | None]:
        return {e.field for e in self.errors}


class PermissionDenied(CrmError):
    """The actor's role may not do this (or may not see this record)."""


class NotFound(CrmError):
    """The record does not exist, or is outside the actor's row scope.

    Out-of-scope records are reported as not found so that a salesperson
    cannot probe which ids belong to colleagues.
    """


class ConcurrencyConflict(CrmError):
    """Someone else saved the record first.

    ``current`` is the record as it is now in the database (plain data, masked
    for the actor), so a client can show both versions side by side.
    """

    def __init__(self, message: Text, *, module: str, record_id: int, current: dict[str, Any] | None):
        super().__init__(message)
        self.module = module
        self.record_id = record_id
        self.current = current


class InUse(CrmError):
    """The record is referenced and cannot be deleted; ``references`` counts what uses it."""

    def __init__(self, message: Text, references: dict[str, int] | None = None):
        super().__init__(message)
        self.references = references or {}


class RecordInactive(CrmError):
    """The record is deactivated (失效) and therefore read-only; ``reason`` says why."""

    def __init__(self, message: Text, reason: str | None):
        super().__init__(message)
        self.reason = reason


class AuthenticationFailed(CrmError):
    """Sign-in refused. One message for every cause; ``retry_after`` seconds when throttled."""

    def __init__(self, message: Text, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseUnavailable(CrmError):
    """The database cannot be reached (network, server down or restarting, file gone).

    The environment's fault, not a bug. ``retry_safe`` is True when nothing of the
    failed work can have been committed (it broke before COMMIT was sent), so running
    it again cannot do it twice; ``attempts`` says how often it was tried.
    """

    def __init__(self, message: Text, *, retry_safe: bool = False, attempts: int = 1):
        super().__init__(message)
        self.retry_safe = retry_safe
        self.attempts = attempts


class DatabaseBusy(DatabaseUnavailable):
    """The database refused the work for now: locked (SQLite), a serialization failure
    (SQLSTATE 40001), a deadlock (40P01) or a lock or statement timeout (PostgreSQL).

    The transaction was rolled back by the database, so running it again is safe.
    """

    def __init__(self, message: Text, *, retry_safe: bool = True, attempts: int = 1):
        super().__init__(message, retry_safe=retry_safe, attempts=attempts)


class SchemaMismatch(CrmError):
    """The database schema is older or newer than this program."""

    def __init__(self, message: Text, *, database_revision: str | None, program_revision: str, too_new: bool,
                 database_version: str | None = None):
        super().__init__(message)
        self.database_revision = database_revision
        self.program_revision = program_revision
        self.too_new = too_new
        self.database_version = database_version  # the CRM Desktop version that last upgraded it, if stamped


class SavedWithWarning(CrmError):
    """The change was committed, but a step that runs after the commit did not happen.

    Not a refusal: the record is saved (the client shows it saved) and the message says
    what did not happen and how to do it by hand. Never retried: the work is done.
    """

    saved = True


class ConfigurationError(CrmError):
    """The configuration file or environment is wrong (e.g. a password in the file)."""


@dataclass
class ErrorCollector:
    """Gathers field errors so that a form shows all its problems at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str | None, code: str, message: Text) -> None:
        self.errors.append(FieldError(field_name, code, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
