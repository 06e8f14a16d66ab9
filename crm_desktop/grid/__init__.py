"""The generic grid of every module: a lazily paged table model driven by crm_core metadata."""

from crm_desktop.grid.display import dictionary_labels, display_text
from crm_desktop.grid.record_model import (FieldRole, IdRole, RecordRole, RecordService, RecordTableModel,
                                           ValueRole)

__all__ = ["FieldRole", "IdRole", "RecordRole", "RecordService", "RecordTableModel", "ValueRole",
           "dictionary_labels", "display_text"]
