"""Small assertions shared by the integration tests."""

from __future__ import annotations

import pytest

from crm_core.errors import FieldError


def field_error(exc: pytest.ExceptionInfo, field: str) -> FieldError:
    """The first error a raised ValidationError reports for ``field`` (fails the test if none)."""
    errors = exc.value.for_field(field)
    assert errors, f"no error on {field}: {exc.value.errors}"
    return errors[0]


def version_of(service, record_id: int) -> int:
    """The version a client showing ``record_id`` now would send back (every write path takes one)."""
    return service.get(record_id)["version"]


def versions_of(service, record_ids) -> dict[int, int]:
    """``{id: version}`` as a grid showing these records would send to a bulk action."""
    return {rid: version_of(service, rid) for rid in record_ids}
