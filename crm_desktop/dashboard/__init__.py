"""The dashboard page (管理看板): figure tiles and charts over a chosen period."""

from crm_desktop.dashboard.page import DashboardPage

__all__ = ["DashboardPage"]
