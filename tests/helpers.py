"""Small assertions shared by the integration tests."""

from __future__ import annotations

import pytest

from crm_core.errors import FieldError


def field_error(exc: pytest.ExceptionInfo, field: str) -> FieldError:
    """The first error a raised ValidationError reports for ``field`` (fails the test if none)."""
    errors = exc.value.for_field(field)
    assert errors, f"no error on {field}: {exc.value.errors}"
    return errors[0]
