"""Grid exports: any module's records, as filtered and sorted, to xlsx, CSV or PDF (``session.exports``)."""

from crm_core.exporting.service import ExportService

__all__ = ["ExportService"]
