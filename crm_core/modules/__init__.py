"""The modules: one short file each, registered here."""

from crm_core.metadata import EntitySpec
from crm_core.modules.admin import CustomFieldService, DictionaryService, UserService
from crm_core.modules.contacts import ContactService
from crm_core.modules.contracts import ContractService, PaymentService
from crm_core.modules.customers import CustomerService
from crm_core.modules.licenses import LicenseService
from crm_core.modules.products import ProductService
from crm_core.modules.sales import FollowUpService, NeedService, OpportunityService
from crm_core.modules.service import SubmitterService, TicketService
from crm_core.services.entity import EntityService

SERVICE_CLASSES: dict[str, type[EntityService]] = {
    cls.spec.module: cls
    for cls in (
        CustomerService, ContactService, ContractService, PaymentService, ProductService, LicenseService,
        TicketService, SubmitterService, FollowUpService, NeedService, OpportunityService,
        UserService, DictionaryService, CustomFieldService,
    )
}
SPECS: dict[str, EntitySpec] = {name: cls.spec for name, cls in SERVICE_CLASSES.items()}
