"""The customer 360° view (客户信息全景视图) and the customer status change dialog."""

from crm_desktop.customer360.status_dialog import StatusDialog
from crm_desktop.customer360.view import Customer360

__all__ = ["Customer360", "StatusDialog"]
