"""Is this customer or contact already here? Duplicate look-ups for the forms, as the user types.

A customer is likely a duplicate when its name is the same after normalisation (full-width
and half-width, case, spaces and punctuation, the legal form 有限公司 / Co., Ltd. left
out), or its phone or unified social credit code is the same. Names differ legitimately
(branches), so a customer duplicate is a warning with a link to the existing record. A
contact with the same name and phone on the same customer is the same person: the contact
service refuses it (``ContactDuplicatesMixin._twins``; the form asks :func:`contact_twin` first).

Every look-up is served by an index (the search index for names, ``ix_customers_phone``
and ``ix_customers_credit_code``, contacts by customer) and follows the role's row scope:
nobody learns of records he may not read.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.bulk.rows import max_parameters
from crm_core.permissions import Action, sees
from crm_core.services.query import ListQuery

# Legal forms at the end of a company name, longest first; what is left is the name people use.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
                "coltd", "limited", "ltd", "inc", "llc", "co", "corp", "corporation", "company")
_NOT_WORD = re.compile(r"[\W_]+")
MAX_MATCHES = 5


def company_key(name: str | None) -> str:
    """A company name reduced to what tells companies apart.

    NFKC (full-width letters and digits), case-folded, without spaces, punctuation and
    brackets, and without a trailing legal form: "北京 星辰软件（有限公司）" and
    "北京星辰软件有限公司" give the same key.
    """
    key = _NOT_WORD.sub("", unicodedata.normalize("NFKC", name or "").casefold())
    changed = True
    while changed and key:
        changed = False
        for form in _LEGAL_FORMS:
            if key.endswith(form) and len(key) > len(form):
                key, changed = key[: -len(form)], True
                break
    return key


class CustomerDuplicatesMixin:
    """``similar`` for :class:`~crm_core.modules.customers.CustomerService`."""

    def similar(self, values: dict[str, Any], *, exclude_id: int | None = None) -> list[dict[str, Any]]:
        """Customers the role can read that look like ``values`` (name, phone, credit_code).

        Args:
            values: what the form holds now (as typed; normalised here).
            exclude_id: the record being edited, never its own duplicate.

        Returns:
            Up to five ``{"id", "code", "name", "owner_id_display", "matched"}`` records;
            ``matched`` lists the fields that match ("name", "phone", "credit_code").
        """
        from crm_core.models import Customer
        from crm_core.services import values as val

        self._require(Action.READ)
        found: dict[int, set[str]] = {}
        key = company_key(values.get("name"))
        if len(key) >= 2:
            # The search index finds the candidates; the key decides.
            page = self.list(ListQuery(search=key, limit=20, include_inactive=True))
            for row in page.rows:
                if company_key(row.get("name")) == key:
                    found.setdefault(row["id"], set()).add("name")
        exact: list[tuple[str, Any]] = []
        for name in ("phone", "credit_code"):
            raw = values.get(name)
            if not raw or (name == "phone" and not sees(self.ctx.actor.role, "phone")):
                continue  # a role that reads phones masked does not probe them here either
            try:
                exact.append((name, val.parse_value(self.spec.field(name), raw)))
            except Exception:  # noqa: BLE001 - not a valid number yet: nothing to compare
                continue
        with self.ctx.db.unit_of_work(write=False) as s:
            for name, value in exact:
                column = getattr(Customer, name)
                ids = s.scalars(select(Customer.id).where(column == value, self._scope_condition())
                                .limit(MAX_MATCHES))
                for record_id in ids:
                    found.setdefault(record_id, set()).add(name)
            found.pop(exclude_id, None)
            return self._matches(s, found)

    def _matches(self, s: Session, found: dict[int, set[str]]) -> list[dict[str, Any]]:
        if not found:
            return []
        rows = [s.get(self.model, record_id) for record_id in list(found)[:MAX_MATCHES]]
        records = self._records(s, [r for r in rows if r is not None])
        return [{"id": r["id"], "code": r.get("code"), "name": r.get("name"),
                 "owner_id_display": r.get("owner_id_display"), "matched": sorted(found[r["id"]])}
                for r in records]


def contact_twin(s: Session, model: Any, customer_id: int | None, name: str | None, phone: str | None,
                 exclude_id: int | None) -> Any | None:
    """The customer's other contact with the same name and phone, if there is one."""
    if customer_id is None or not name or not phone:
        return None
    stmt = select(model).where(model.customer_id == customer_id, model.name == name, model.phone == phone,
                               model.erased_at.is_(None))
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return s.scalars(stmt.limit(1)).first()


class ContactDuplicatesMixin:
    """``similar`` and the twin rule for :class:`~crm_core.modules.contacts.ContactService`."""

    def similar(self, values: dict[str, Any], *, exclude_id: int | None = None) -> list[dict[str, Any]]:
        """The customer's contact with the same name and phone as ``values``, if the role can read it."""
        from crm_core.services import values as val

        self._require(Action.READ)
        try:
            phone = val.parse_value(self.spec.field("phone"), values.get("phone")) if values.get("phone") else None
            customer_id = int(values["customer_id"]) if values.get("customer_id") is not None else None
        except Exception:  # noqa: BLE001 - not valid yet: nothing to compare
            return []
        name = (values.get("name") or "").strip()
        with self.ctx.db.unit_of_work(write=False) as s:
            twin = contact_twin(s, self.model, customer_id, name, phone, exclude_id)
            if twin is None or s.scalar(select(self.model.id).where(self.model.id == twin.id,
                                                                    self._scope_condition())) is None:
                return []
            record = self._records(s, [twin])[0]
            return [{"id": record["id"], "name": record.get("name"), "matched": ["name", "phone"],
                     "customer_id_display": record.get("customer_id_display")}]

    def _twins(self, s: Session, items: list[tuple[Any | None, dict[str, Any]]]) -> list[Any]:
        """The twin rule for many contacts ``(stored contact or None, full new values)`` at once: each refused
        if its customer has another contact with the same name and phone, the earlier items counted as written
        (one write after another). A stored contact whose customer, name and phone stay as they are is never
        refused: the write makes no twin (a merge may have brought two onto one customer; either can still be
        edited, or deleted). One query for all of them. Returns FieldErrors, ``row`` = the position. The caller
        holds the customers locked (``ContactService._rules_with_others``)."""
        from crm_core.errors import FieldError
        from crm_core.i18n import Text
        from crm_core.services.search_index import contacts_of

        def key(values: Any) -> tuple[Any, Any, Any] | None:
            k = (values.get("customer_id"), values.get("name"), values.get("phone"))
            return k if all(k) else None

        wanted = [key(values) for _, values in items]
        keys = {k for k in wanted if k is not None}
        if not keys:
            return []
        m = self.model
        mine = {obj.id for obj, _ in items if obj is not None}
        # how many contacts hold each key: the others (stored), and the items' own as they stand
        held: dict[tuple[Any, Any, Any], int] = {}
        customers = sorted({k[0] for k in keys})
        postgresql = s.get_bind().dialect.name == "postgresql"
        # each name is a bound value: one customer's 33,000 names are split within the statement's limit
        room = max(1, max_parameters(s) - (0 if postgresql else 1000) - 100)
        for i in range(0, len(customers), 1000):  # a thousand customers per query (a whole file's may be checked)
            part = customers[i:i + 1000]
            in_part = set(part)
            all_names = sorted({k[1] for k in keys if k[0] in in_part})
            for j in range(0, len(all_names), room):
                names = all_names[j:j + room]
                # only the contacts of customers the actor sees (a salesperson naming another's customer is told
                # it is not found, never what it holds; true() for those who see all)
                # (by an index probe per customer on PostgreSQL, whatever the planner believes of the table: a
                # contacts import grows it with every chunk, see search_index.contacts_of)
                stmt = contacts_of((m.customer_id, m.name, m.phone, m.id), part, postgresql,
                                   m.name.in_(names), m.erased_at.is_(None), self._scope_condition())
                for cid, name, phone, rid in s.execute(stmt):
                    if (cid, name, phone) in keys and rid not in mine:
                        held[(cid, name, phone)] = held.get((cid, name, phone), 0) + 1
        now: list[tuple[Any, Any, Any] | None] = []
        for obj, _ in items:
            k = None
            if obj is not None and getattr(obj, "erased_at", None) is None:
                k = key({"customer_id": obj.customer_id, "name": obj.name, "phone": obj.phone})
            now.append(k)
            if k is not None:
                held[k] = held.get(k, 0) + 1
        out = []
        for i, k in enumerate(wanted):
            if k is None:  # its phone (or name) cleared: it no longer holds its old key for the items after it
                if now[i] is not None:
                    held[now[i]] -= 1
                    now[i] = None
                continue
            if now[i] == k:  # (a stored contact: a new one holds no key yet)
                continue  # its name, phone and customer unchanged: this write makes no twin (a merge may have)
            if held.get(k, 0):
                out.append(FieldError("name", "duplicate", Text(
                    f"姓名：该客户已有同名同电话的联系人“{k[1]}”，请打开它修改，不要重复添加",
                    f"Name: this customer already has a contact '{k[1]}' with this phone; open that one "
                    f"instead of adding it twice"), row=i))
                continue
            if now[i] is not None:
                held[now[i]] -= 1
            held[k] = held.get(k, 0) + 1
            now[i] = k
        return out
