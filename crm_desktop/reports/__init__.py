"""The reports page (报表): filter, preview and export the managers' reports to Excel and PDF."""

from crm_desktop.reports.page import ReportsPage, choose_save_path

__all__ = ["ReportsPage", "choose_save_path"]
