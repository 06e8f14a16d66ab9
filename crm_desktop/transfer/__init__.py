"""Moving records in and out of the CRM: the import wizard (批量导入) and grid export."""

from crm_desktop.transfer.export_dialog import ExportDialog
from crm_desktop.transfer.import_wizard import ImportWizard

__all__ = ["ExportDialog", "ImportWizard"]
