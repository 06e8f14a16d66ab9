"""客户联系人: contacts of a customer."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import Session

from crm_core.errors import ErrorCollector
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import Contact
from crm_core.modules.choices import CONTACT_STATUS
from crm_core.permissions import sees
from crm_core.services.codes import office_today
from crm_core.services.duplicates import ContactDuplicatesMixin
from crm_core.services.entity import EntityService
from crm_core.validation import FieldProblem, birth_date_from_id

SPEC = EntitySpec(
    module="contacts",
    label=Text("联系人", "Contact"),
    model=Contact,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("name", Text("姓名", "Name"), required=True, max_length=50, personal=True),
        Field("position", Text("职位", "Position"), max_length=50),
        Field("birth_date", Text("出生年月", "Date of birth"), T.DATE, in_grid=False, personal=True),
        Field("id_number", Text("身份证号", "ID number"), T.ID_NUMBER, sensitive="id_number",
              in_grid=False, personal=True),
        Field("phone", Text("电话", "Phone"), T.PHONE, max_length=30, sensitive="phone", personal=True),
        Field("email", Text("Email", "Email"), T.EMAIL, max_length=254, personal=True),
        Field("address", Text("住址", "Address"), max_length=200, in_grid=False, personal=True),
        Field("status", Text("状态", "Status"), T.CHOICE, choices=CONTACT_STATUS),
    ),
    title_field="name",
    search_fields=("name", "email", "phone"),
)


class ContactService(ContactDuplicatesMixin, EntityService):
    spec = SPEC

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        full["status"] = full.get("status") or "employed"

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        self._check_twin(s, values, obj, errors)  # the same person twice on one customer
        birth, id_number = values.get("birth_date"), values.get("id_number")
        if birth is not None and birth > office_today():
            errors.add("birth_date", "future", Text("出生年月：不能晚于今天", "Date of birth: cannot be in the future"))
        # Checked only when this write sets the ID number or the actor may read it:
        # otherwise the answer would let him guess the birth date hidden in a masked ID.
        id_is_new = obj is None or id_number != obj.id_number
        if birth is not None and id_number and (id_is_new or sees(self.ctx.actor.role, "id_number")):
            try:
                if birth_date_from_id(id_number) != birth:
                    errors.add("birth_date", "id_mismatch", Text("出生年月：与身份证号中的出生日期不一致",
                                                                 "Date of birth: does not match the ID number"))
            except FieldProblem:
                pass  # the ID number itself was already reported

    def _search_condition(self, s: Session, term: str) -> ColumnElement[bool]:
        hides_phones = not sees(self.ctx.actor.role, "phone")
        fields = [n for n in self.spec.search_fields if not (hides_phones and n == "phone")]
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds = [getattr(Contact, n).ilike(pattern, escape="\\") for n in fields]
        digits = re.sub(r"\D", "", term)
        if not hides_phones and re.fullmatch(r"[\d\-\s()+]+", term) and len(digits) >= 3:
            # stored numbers are normalised ("010-12345678"); match the digits however they were typed
            conds.append(func.replace(Contact.phone, "-", "").like(f"%{digits}%"))
        return or_(*conds)

    def _update_in(self, s: Session, obj: Contact, changes: dict[str, Any]) -> None:
        previous = obj.customer_id
        super()._update_in(s, obj, changes)
        if obj.customer_id != previous:
            # the customer he left must stop matching his name and phone
            self.ctx.services.customers.refresh_search(s, previous)

    def _after_write(self, s: Session, obj: Contact, changed: dict[str, Any]) -> None:
        if changed.keys() & {"name", "phone", "customer_id"} or not changed:
            self.ctx.services.customers.refresh_search(s, obj.customer_id)

    def _before_delete(self, s: Session, obj: Contact) -> None:
        self.ctx.services.customers.refresh_search(s, obj.customer_id, without_contact=obj.id)
