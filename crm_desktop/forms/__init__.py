"""The generic record form of every module, its field editors and the conflict dialog."""

from crm_desktop.forms.conflict_dialog import ConflictDialog, ConflictRow
from crm_desktop.forms.record_form import RecordForm

__all__ = ["ConflictDialog", "ConflictRow", "RecordForm"]
