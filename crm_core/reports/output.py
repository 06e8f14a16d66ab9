"""Writing an output file all at once or not at all (see :mod:`crm_core.atomic_files`)."""

from __future__ import annotations

from crm_core.atomic_files import atomic_path

__all__ = ["atomic_path"]
