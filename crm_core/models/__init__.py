"""All tables. Importing this package registers every model on ``Base.metadata``."""

from crm_core.db.base import Base
from crm_core.models.audit import AuditEntry, ErasureLogEntry
from crm_core.models.audit_trail import AuditTrailEntry
from crm_core.models.backups import BackupRun
from crm_core.models.contacts import Contact
from crm_core.models.contracts import Contract, ContractAttachment, Payment
from crm_core.models.imports import ImportBatch, ImportBatchRecord
from crm_core.models.merges import CustomerMerge
from crm_core.models.customers import (
    CodeSequence,
    Customer,
    CustomerSearchGram,
    CustomerShare,
    CustomerStatusChange,
)
from crm_core.models.products import License, LicensedMachine, Product
from crm_core.models.reference import CustomFieldDefinition, CustomFieldValue, DictionaryEntry
from crm_core.models.sales import FollowUp, Need, Opportunity
from crm_core.models.service import Notification, Submitter, Ticket, TicketLogEntry
from crm_core.models.settings import AppSetting
from crm_core.models.users import LoginThrottle, Role, User

# Ids are never reused: on SQLite without AUTOINCREMENT a deleted last row's id
# comes back, and a stale form of the deleted record could then hit the new one.
for _table in Base.metadata.tables.values():
    if [c.name for c in _table.primary_key.columns] == ["id"]:
        _table.kwargs["sqlite_autoincrement"] = True

__all__ = [
    "AppSetting", "AuditEntry", "AuditTrailEntry", "BackupRun", "Base", "CodeSequence", "Contact", "Contract", "ContractAttachment",
    "CustomFieldDefinition", "CustomFieldValue", "Customer", "CustomerMerge", "CustomerSearchGram",
    "CustomerShare", "CustomerStatusChange", "DictionaryEntry", "ErasureLogEntry", "FollowUp", "ImportBatch", "ImportBatchRecord",
    "License", "LicensedMachine", "LoginThrottle", "Need", "Notification", "Opportunity",
    "Payment", "Product", "Role", "Submitter", "Ticket", "TicketLogEntry", "User",
]
