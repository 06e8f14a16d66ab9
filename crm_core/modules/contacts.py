"""客户联系人: contacts of a customer."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, case, func, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from crm_core.errors import ErrorCollector, FieldError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import Contact, Customer, CustomerSearchGram
from crm_core.modules import customers as customers_module
from crm_core.modules.choices import CONTACT_STATUS
from crm_core.permissions import sees
from crm_core.services import search_index, values as val
from crm_core.services.codes import office_today
from crm_core.services.duplicates import ContactDuplicatesMixin
from crm_core.services.entity import EntityService
from crm_core.services.locks import as_id, lock_parents, lock_rows
from crm_core.validation import FieldProblem, birth_date_from_id

SPEC = EntitySpec(
    module="contacts",
    label=Text("联系人", "Contact"),
    model=Contact,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True,
              aliases=("客户名称", "公司名称", "客户编码", "所属客户", "Company")),
        Field("name", Text("姓名", "Name"), required=True, max_length=50, personal=True,
              aliases=("联系人", "联系人姓名", "Contact", "Contact name")),
        Field("position", Text("职位", "Position"), max_length=50, aliases=("职务", "岗位", "联系人职务", "Title", "Job title")),
        Field("birth_date", Text("出生年月", "Date of birth"), T.DATE, in_grid=False, personal=True,
              aliases=("出生日期", "生日", "Birthday")),
        Field("id_number", Text("身份证号", "ID number"), T.ID_NUMBER, sensitive="id_number", aliases=("身份证", "身份证号码"),
              in_grid=False, personal=True),
        Field("phone", Text("电话", "Phone"), T.PHONE, max_length=30, sensitive="phone", personal=True,
              aliases=("手机", "手机号", "手机号码", "联系电话", "联系人电话", "联系人手机", "Mobile", "Tel")),
        Field("email", Text("邮箱", "Email"), T.EMAIL, max_length=254, personal=True,
              aliases=("Email", "E-mail", "电子邮件", "电子邮箱", "联系人邮箱")),
        Field("address", Text("住址", "Address"), max_length=200, in_grid=False, personal=True,
              aliases=("地址", "联系地址", "家庭住址")),
        Field("status", Text("状态", "Status"), T.CHOICE, choices=CONTACT_STATUS, aliases=("在职状态",)),
    ),
    title_field="name",
    search_fields=("name", "email", "phone"),
    # Served by an index for every reader (migration 0014; docs/performance.md, "branch sortsales").
    grid_sorts=("customer_id", "name", "id"),
    # The same person on the same customer (the twin rule, ContactDuplicatesMixin._twins): what a re-imported
    # contacts list names an existing contact by.
    identity=("customer_id", "name", "phone"),
)


def _phone_digits() -> ColumnElement[str]:
    """The expression the phone trigram index is built on (migration 0006)."""
    return func.replace(func.replace(Contact.phone, "-", ""), " ", "")


def _in_search(changed: dict[str, Any]) -> bool:
    """Whether a contact's write refreshes his customer's search entry: his name, phone or customer changed,
    or no column at all (custom values only)."""
    return bool(changed.keys() & {"name", "phone", "customer_id"}) or not changed


class ContactService(ContactDuplicatesMixin, EntityService):
    spec = SPEC
    rules_with_others_by = "customer_id"  # a new contact is a twin of its customer's contacts only

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        full["status"] = full.get("status") or "employed"

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
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

    def _rules_with_others(self, s: Session, items: list[tuple[Any | None, dict[str, Any]]], *,
                           lock: bool = True) -> list[FieldError]:
        # The same person twice on one customer. Decided under the lock of the customers the contacts go to
        # (FOR NO KEY UPDATE, in id order; SQLite's write lock), which every write of a contact takes before
        # its twin query (this rule, in the write transaction of the single save, BulkWriter.write_staged and
        # write_update, hence the importer) and a merge holds while it moves contacts: two clients saving the
        # same contact of one customer at once are serialised, the second's query sees the first's contact.
        # (A contact's insert alone takes only FOR KEY SHARE on its customer, which holds nothing off; the
        # checks in read sessions, lock=False, decide nothing.)
        out: list[FieldError] = []
        if lock:
            customers = [v.get("customer_id") for _, v in items]
            states = lock_rows(s, Customer, customers, scope=self.ctx.services.customers._scope_condition())
            if states is not None:
                # A customer deactivated (merged away) since the reference was checked, before the lock: a
                # contact joining it now is refused as the reference check refuses it.
                field = self.spec.field("customer_id")
                # One that left the actor's scope meanwhile (handed to another salesperson: the lock's SELECT
                # re-checks its condition after the wait and returns no row) is refused as not found.
                for i, (obj, values) in enumerate(items):
                    cid = values.get("customer_id")
                    if obj is not None and obj.customer_id == cid:
                        continue
                    if as_id(cid) == cid and cid not in states:
                        f, code, message = val.problem(field, "not_found", "所选记录不存在或无权访问",
                                                       "the chosen record does not exist or is not yours")
                        out.append(FieldError(f, code, message, row=i))
                    elif states.get(cid, True) is False:
                        f, code, message = val.problem(field, "inactive", "所选记录已失效",
                                                       "the chosen record is deactivated")
                        out.append(FieldError(f, code, message, row=i))
        return out + self._twins(s, items)

    def _lock_before_records(self, s: Session, record_ids: list[int], changes: list[dict[str, Any]] = ()) -> None:
        # Their customers first (the one each is on, the one it moves to), in id order: the twin rule and the
        # search index lock them after the contacts otherwise (see WriteGuardsMixin._lock_before_records).
        # A merge may move a contact to the kept customer while this waits: lock_parents reads them again.
        lock_parents(s, Contact, Contact.customer_id, Customer, record_ids,
                     given=[c.get("customer_id") for c in changes],
                     scope=self.ctx.services.customers._scope_condition())

    def _search_condition(self, s: Session, term: str) -> ColumnElement[bool]:
        """Name, e-mail or phone (digits however typed) containing ``term``; phones only for roles that read them.

        Served by an index from three characters on: the pg_trgm GIN indexes on
        ``lower(name)``, ``lower(email)`` and the phone digits (PostgreSQL), the
        FTS5 trigram table ``contacts_fts`` (SQLite); see migration 0006. A
        2-character term matches names and phone digits (not e-mails) through
        the customers' pair index.
        """
        hides_phones = not sees(self.ctx.actor.role, "phone")
        digits = re.sub(r"\D", "", term)
        by_digits = not hides_phones and re.fullmatch(r"[\d\-\s()+]+", term) is not None and len(digits) >= 3
        if len(term) >= 3 and self.ctx.db.backend == "sqlite":
            columns = "{name email phone}" if not hides_phones else "{name email}"
            query = f'{columns} : "{term.replace(chr(34), chr(34) * 2)}"'
            if by_digits:
                query += f' OR phone : "{digits}"'
            return Contact.id.in_(text("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH :q").bindparams(q=query))
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if len(term) == 2:
            # No trigram serves 2 characters: the customers' pair index (contact names and
            # phone digits) gives the customers, their contacts are then read by customer_id
            # (ix_contacts_customer_id). A common pair ("59" is in a third of all phones) is
            # tested row by row along the sort order instead, as for customers: reading all
            # its customers first took 150 ms at 60,000 contacts.
            kinds = [search_index.CONTACT_NAME] + ([] if hides_phones else [search_index.CONTACT_PHONE])
            conds = [func.lower(Contact.name).like(pattern, escape="\\")]
            if not hides_phones:
                conds.append(_phone_digits().like(pattern, escape="\\"))
            grams = CustomerSearchGram.__table__
            lookup = select(grams.c.customer_id).where(grams.c.gram == term, grams.c.kind.in_(kinds))
            bound = customers_module.SEARCH_BOUND
            newest = Contact.id.in_(select(Contact.id).order_by(Contact.id.desc()).limit(customers_module.SAMPLE_ROWS))
            found, top = s.execute(select(
                case((select(func.count()).where(newest, or_(*conds)).scalar_subquery()
                      >= customers_module.CLEARLY_COMMON, bound + 1),
                     else_=select(func.count()).select_from(lookup.limit(bound + 1).subquery()).scalar_subquery()),
                select(func.max(Contact.id)).scalar_subquery())).one()
            if found > customers_module._common_from(top or 0):
                return or_(*conds)
            ids = sorted(set(s.scalars(lookup)))
            if self.ctx.db.backend == "postgresql":  # one array parameter rather than thousands
                in_ids = Contact.customer_id == func.any(bindparam("search_ids", ids, type_=ARRAY(Integer), unique=True))
            else:
                in_ids = Contact.customer_id.in_(ids)
            return and_(in_ids, or_(*conds))
        conds = [func.lower(Contact.name).like(pattern, escape="\\"),
                 func.lower(Contact.email).like(pattern, escape="\\")]
        if not hides_phones:
            conds.append(_phone_digits().like(pattern, escape="\\"))
        if by_digits:
            # stored numbers are normalised ("010-12345678"); match the digits however they were typed
            conds.append(_phone_digits().like(f"%{digits}%"))
        return or_(*conds)

    def _update_in(self, s: Session, obj: Contact, changes: dict[str, Any]) -> None:
        previous = obj.customer_id
        super()._update_in(s, obj, changes)
        if obj.customer_id != previous:
            # the customer he left must stop matching his name and phone
            self.ctx.services.customers.refresh_search(s, previous)

    def _after_write(self, s: Session, obj: Contact, changed: dict[str, Any]) -> None:
        if _in_search(changed):
            self.ctx.services.customers.refresh_search(s, obj.customer_id)

    def _after_update_many(self, s: Session, updated: list[tuple[Any, dict[str, Any], Any]]) -> None:
        # _update_in's rule for many contacts, in one refresh: the customer each is on when his searched
        # fields changed, and the customer each left
        ids = {obj.customer_id for obj, changed, _ in updated if _in_search(changed)}
        ids |= {before.customer_id for obj, _, before in updated if before.customer_id != obj.customer_id}
        if ids:
            search_index.refresh(s, sorted(ids))

    def _before_delete(self, s: Session, obj: Contact) -> None:
        self.ctx.services.customers.refresh_search(s, obj.customer_id, without_contact=obj.id)
