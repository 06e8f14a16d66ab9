"""Privacy erasure (个人信息删除): blank a person's data on request, and log that it was done."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.models import AuditEntry, Contact, ErasureLogEntry, Submitter
from crm_core.permissions import Action
from crm_core.services.audit import write_audit
from crm_core.services.context import Context

ERASED_NAME = "（已删除）"
REDACTED = "[erased]"


class PrivacyService:
    """Erases personal fields (those marked ``personal`` in the metadata) of a record.

    The erasure itself is logged (who, when, why, which fields; never the
    values), and the values are also redacted from the record's past audit
    entries, so the operation log does not keep what was erased.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def erase_contact(self, contact_id: int, reason: str) -> dict[str, Any]:
        """Erase one contact's personal data; returns the contact as it now is."""
        return self._erase_one("contacts", contact_id, reason)

    def erase_customer(self, customer_id: int, reason: str) -> dict[str, Any]:
        """Erase a customer's personal fields and those of all its contacts and submitters."""
        reason = self._reason(reason)
        self.ctx.require("customers", Action.DELETE)
        svc = self.ctx.services
        with self.ctx.db.unit_of_work(write=True) as s:
            customer = svc.customers._load(s, customer_id, for_update=True)
            self._erase_in(s, "customers", customer, reason)
            for model, module in ((Contact, "contacts"), (Submitter, "submitters")):
                for obj in s.scalars(select(model).where(model.customer_id == customer_id)):
                    self._erase_in(s, module, obj, reason)
            svc.customers.refresh_search(s, customer_id)
            svc.customers._commit(s)
            return svc.customers._records(s, [customer])[0]

    def _erase_one(self, module: str, record_id: int, reason: str) -> dict[str, Any]:
        reason = self._reason(reason)
        self.ctx.require(module, Action.DELETE)
        service = self.ctx.services[module]
        with self.ctx.db.unit_of_work(write=True) as s:
            service._lock_before_records(s, [record_id] if isinstance(record_id, int) else [])  # its customer first
            obj = service._load(s, record_id, for_update=True)
            self._erase_in(s, module, obj, reason)
            if hasattr(obj, "customer_id"):
                self.ctx.services.customers.refresh_search(s, obj.customer_id)
            service._commit(s)
            return service._records(s, [obj])[0]

    def _erase_in(self, s: Session, module: str, obj: Any, reason: str) -> None:
        spec = self.ctx.services[module].spec
        fields = [f for f in spec.fields if f.personal]
        for f in fields:
            setattr(obj, f.name, ERASED_NAME if f.required else None)
        if hasattr(obj, "erased_at"):
            obj.erased_at = utcnow()
        obj.updated_by_id, obj.updated_at = self.ctx.actor.user_id, utcnow()
        names = [f.name for f in fields]
        # The erasure is logged first: on a server the database lets the logs be redacted
        # only after this transaction logged the erasure (crm_core.pgsecurity.bookkeeping).
        s.add(ErasureLogEntry(actor_id=self.ctx.actor.user_id, module=module, record_id=obj.id,
                              fields={"fields": names}, reason=reason))
        s.flush()
        for entry in s.scalars(select(AuditEntry).where(AuditEntry.module == module, AuditEntry.record_id == obj.id)):
            entry.before = _redact(entry.before, names)
            entry.after = _redact(entry.after, names)
        _redact_database_trail(s, obj, names)
        write_audit(s, self.ctx.actor, "erase", module, obj.id, None, {"erased_fields": names, "reason": reason})

    def erasure_log(self) -> list[dict[str, Any]]:
        """Every erasure done, newest first."""
        self.ctx.require("audit", Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            return [{"id": e.id, "at": e.at, "actor_id": e.actor_id, "module": e.module, "record_id": e.record_id,
                     "fields": e.fields["fields"], "reason": e.reason}
                    for e in s.scalars(select(ErasureLogEntry).order_by(ErasureLogEntry.id.desc()))]

    @staticmethod
    def _reason(reason: str) -> str:
        text = (reason or "").strip()
        if not text:
            raise ValidationError([FieldError("reason", "required", Text("删除原因：不能为空", "Reason: is required"))])
        return text[:500]


def _redact_database_trail(s: Session, obj: Any, names: list[str]) -> None:
    """On a server with the database's own audit trail, blank the erased fields there too.

    The erasure's UPDATE is flushed first: its trigger writes one more trail entry
    whose "before" still holds the values, and that one must be blanked as well.
    """
    if s.get_bind().dialect.name != "postgresql":
        return
    if not s.scalar(text("SELECT to_regprocedure('public.crm_redact_trail(text, bigint, text[])') IS NOT NULL")):
        return
    s.flush()
    s.execute(text("SELECT crm_redact_trail(:tbl, :rid, CAST(:cols AS text[]))"),
              {"tbl": obj.__tablename__, "rid": obj.id, "cols": names})


def _redact(values: dict | None, names: list[str]) -> dict | None:
    if not values:
        return values
    return {k: (REDACTED if k in names and v is not None else v) for k, v in values.items()}
