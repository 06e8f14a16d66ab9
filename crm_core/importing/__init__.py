"""Bulk import (批量导入) from xlsx and CSV: templates, column mapping, dry run, all-or-nothing, undo.

Entry point: ``session.imports`` (:class:`crm_core.importing.service.ImportService`).
"""
