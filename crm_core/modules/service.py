"""客户反馈 and 反馈人员: service tickets, their workflow and processing log, and who reports them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import ErrorCollector, FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import Notification, Submitter, Ticket, TicketLogEntry, User
from crm_core.modules.choices import FEEDBACK_TYPE, TICKET_STATUS
from crm_core.permissions import Action, pickable_roles
from crm_core.services.codes import next_code
from crm_core.services.entity import EntityService

SUBMITTER_SPEC = EntitySpec(
    module="submitters",
    label=Text("反馈人员", "Submitter"),
    model=Submitter,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("name", Text("姓名", "Name"), required=True, max_length=50, personal=True),
        Field("phone", Text("电话", "Phone"), T.PHONE, max_length=30, sensitive="phone", personal=True),
        Field("email", Text("邮箱", "Email"), T.EMAIL, max_length=254, personal=True),
        Field("store", Text("门店", "Store"), max_length=100),
        Field("address", Text("地址", "Address"), max_length=200, in_grid=False, personal=True),
    ),
    title_field="name",
    search_fields=("name", "store", "email"),
    grid_sorts=("customer_id", "id"),
)


class SubmitterService(EntityService):
    spec = SUBMITTER_SPEC



TICKET_SPEC = EntitySpec(
    module="tickets",
    label=Text("客户反馈", "Ticket"),
    model=Ticket,
    fields=(
        Field("number", Text("反馈编号", "Ticket number"), read_only=True),
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("submitter_id", Text("反馈人员", "Submitter"), T.REF, ref="submitters"),
        Field("feedback_type", Text("反馈类型", "Type"), T.CHOICE, choices=FEEDBACK_TYPE, required=True),
        Field("description", Text("问题描述", "Problem"), T.MULTILINE, required=True, max_length=4000),
        Field("severity", Text("问题级别", "Severity"), T.CHOICE, dictionary="severity"),
        Field("status", Text("状态", "Status"), T.CHOICE, choices=TICKET_STATUS, read_only=True),
        Field("engineer_id", Text("问题跟踪工程师", "Engineer"), T.REF, ref="users", read_only=True, pick="engineer"),
        Field("city", Text("城市", "City"), max_length=50),
        Field("store", Text("门店", "Store"), max_length=100),
        Field("result", Text("处理结果", "Result"), T.MULTILINE, max_length=4000, read_only=True, in_grid=False),
        Field("satisfaction", Text("满意度", "Satisfaction"), T.INTEGER, read_only=True, min_value=1, max_value=5),
        Field("resolved_at", Text("解决时间", "Resolved"), T.DATETIME, read_only=True),
        Field("closed_at", Text("关闭时间", "Closed"), T.DATETIME, read_only=True, in_grid=False),
    ),
    title_field="number",
    # Served by an index for every reader (docs/performance.md, "branch sortsales"); status and
    # type have few values: the filters narrow by them.
    grid_sorts=("number", "customer_id", "id"),
    unique=("number",),
    search_fields=("number", "description", "city", "store"),
    # Who reported it, where, how satisfied and when solved: the ticket's form and panel say so.
    secondary_columns=("submitter_id", "city", "satisfaction", "resolved_at"),
)


class TicketService(EntityService):
    spec = TICKET_SPEC

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        sub_id = values.get("submitter_id")
        if sub_id is not None:
            sub = s.get(Submitter, sub_id)
            if sub is not None and sub.customer_id != values.get("customer_id"):
                errors.add("submitter_id", "other_customer", Text("反馈人员：不属于该客户", "Submitter: belongs to another customer"))

    def _before_insert(self, s: Session, obj: Ticket, values: dict[str, Any]) -> None:
        obj.number = next_code(s, "T")
        obj.status = "open"
        if obj.submitter_id and not obj.store:
            obj.store = s.get(Submitter, obj.submitter_id).store

    # --- workflow ---------------------------------------------------------

    def assign(self, ticket_id: int, engineer_id: int, *, version: int) -> dict[str, Any]:
        """Assign the tracking engineer (问题跟踪工程师); an open ticket becomes 处理中."""
        def act(s: Session, t: Ticket) -> None:
            user = s.get(User, engineer_id)
            if user is None or not user.is_active or user.role not in pickable_roles("engineer"):
                raise ValidationError([FieldError("engineer_id", "not_engineer", Text(
                    "问题跟踪工程师：请选择在职的工程师", "Engineer: choose an active engineer"))])
            self._expect_status(t, {"open", "in_progress"})
            t.engineer_id = user.id
            if t.status == "open":
                t.status = "in_progress"
            self._log(s, t, "assign", f"指派给 {user.name} / assigned to {user.name}")
        return self._workflow(ticket_id, version, "assign", act)

    def add_log(self, ticket_id: int, content: str) -> dict[str, Any]:
        """Add a processing step (处理过程) to the ticket's log."""
        text = (content or "").strip()
        if not text:
            raise ValidationError([FieldError("content", "required", Text("处理过程：不能为空", "Log entry: is required"))])
        if len(text) > 4000:
            raise ValidationError([FieldError("content", "too_long", Text("处理过程：不能超过 4000 个字符",
                                                                          "Log entry: must be at most 4000 characters"))])
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            t = self._load(s, ticket_id, for_update=True)
            self._ensure_active(t)
            if t.status == "closed":
                raise ValidationError([FieldError("status", "closed", Text("反馈已关闭，不能再添加处理过程",
                                                                           "The ticket is closed; no more log entries"))])
            entry = self._log(s, t, "note", text)
            self._touch(t)
            self._audit(s, "log", t.id, None, {"log_entry_id": entry.id, "kind": "note", "content": text})
            self._commit(s, t)
            return _log_record(entry, self.ctx.actor.name)

    def resolve(self, ticket_id: int, result: str, *, version: int) -> dict[str, Any]:
        """Mark 已解决 with the result; records the time and queues a notice to the submitter."""
        text = (result or "").strip()
        if not text:
            raise ValidationError([FieldError("result", "required", Text("处理结果：解决时必须填写", "Result: is required to resolve"))])

        def act(s: Session, t: Ticket) -> None:
            self._expect_status(t, {"open", "in_progress"})
            t.status, t.result, t.resolved_at = "resolved", text[:4000], utcnow()
            self._log(s, t, "resolve", text)
            self._queue_notice(s, t)
        return self._workflow(ticket_id, version, "resolve", act)

    def close(self, ticket_id: int, *, version: int, satisfaction: int | None = None) -> dict[str, Any]:
        """Close a resolved ticket, with the customer's satisfaction (1–5) if known."""
        if isinstance(satisfaction, str) and satisfaction.strip().isdigit():
            satisfaction = int(satisfaction)  # as a form or an import hands it over
        if satisfaction is not None and (isinstance(satisfaction, bool) or satisfaction not in range(1, 6)):
            raise ValidationError([FieldError("satisfaction", "range", Text("满意度：应为 1 到 5", "Satisfaction: must be 1 to 5"))])

        def act(s: Session, t: Ticket) -> None:
            self._expect_status(t, {"resolved"})
            t.status, t.closed_at, t.satisfaction = "closed", utcnow(), satisfaction
            self._log(s, t, "close", f"满意度 / satisfaction: {satisfaction if satisfaction else '-'}")
        return self._workflow(ticket_id, version, "close", act)

    def reopen(self, ticket_id: int, reason: str, *, version: int) -> dict[str, Any]:
        """Send a resolved or closed ticket back to 处理中."""
        text = (reason or "").strip()
        if not text:
            raise ValidationError([FieldError("reason", "required", Text("重新打开原因：不能为空", "Reason: is required"))])

        def act(s: Session, t: Ticket) -> None:
            self._expect_status(t, {"resolved", "closed"})
            # The old rating judged the old resolution: it must not count in satisfaction KPIs now.
            t.status, t.resolved_at, t.closed_at, t.satisfaction = "in_progress", None, None, None
            self._log(s, t, "reopen", text)
        return self._workflow(ticket_id, version, "reopen", act)

    def log(self, ticket_id: int) -> list[dict[str, Any]]:
        """The ticket's processing log, oldest first."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            self._load(s, ticket_id)
            rows = s.execute(select(TicketLogEntry, User.name).outerjoin(User, User.id == TicketLogEntry.by_id)
                             .where(TicketLogEntry.ticket_id == ticket_id).order_by(TicketLogEntry.id))
            return [_log_record(e, name) for e, name in rows]

    def notifications(self, ticket_id: int) -> list[dict[str, Any]]:
        """The notices queued or sent for a ticket."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            self._load(s, ticket_id)
            return [_notice_record(n) for n in s.scalars(select(Notification).where(
                Notification.ticket_id == ticket_id).order_by(Notification.id))]

    def record_notification_result(self, notification_id: int, *, sent: bool, error: str | None = None) -> None:
        """Record what the mail sender did with a queued notice, on the notice and the ticket's log."""
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            n = s.get(Notification, notification_id)
            t = self._load(s, n.ticket_id if n and n.ticket_id else -1, for_update=True)
            before = {"notification_id": n.id, "status": n.status}
            n.status, n.error = ("sent", None) if sent else ("failed", (error or "")[:2000])
            n.sent_at = utcnow() if sent else None
            msg = (f"已通知 {n.recipient} / notified {n.recipient}" if sent
                   else f"通知 {n.recipient} 失败 / notifying {n.recipient} failed: {error}")
            entry = self._log(s, t, "notify", msg)
            self._audit(s, "notify", t.id, before, {"notification_id": n.id, "status": n.status,
                                                    "recipient": n.recipient, "log_entry_id": entry.id})
            self._commit(s)

    # --- internals --------------------------------------------------------

    def _workflow(self, ticket_id: int, version: int, action: str, act: Any) -> dict[str, Any]:
        self._require(Action.UPDATE)
        with self.ctx.db.unit_of_work(write=True) as s:
            t = self._load(s, ticket_id, for_update=True)
            self._check_version(s, t, version)
            self._ensure_active(t)
            before = self._snapshot(t)
            act(s, t)
            self._touch(t)
            after = self._snapshot(t)
            changed = [k for k in after if after[k] != before.get(k)]
            self._audit(s, action, t.id, {k: before.get(k) for k in changed}, {k: after[k] for k in changed})
            self._commit(s, t)
            return self._records(s, [t])[0]

    def _expect_status(self, t: Ticket, allowed: set[str]) -> None:
        if t.status not in allowed:
            now = next(c.label for c in TICKET_STATUS if c.code == t.status)
            raise ValidationError([FieldError("status", "status", Text(
                f"反馈当前为“{now.zh}”，不能进行此操作", f"The ticket is '{now.en}'; this step is not possible now"))])

    def _log(self, s: Session, t: Ticket, kind: str, content: str) -> TicketLogEntry:
        entry = TicketLogEntry(ticket_id=t.id, by_id=self.ctx.actor.user_id, kind=kind, content=content)
        s.add(entry)
        s.flush()
        return entry

    def _queue_notice(self, s: Session, t: Ticket) -> None:
        sub = s.get(Submitter, t.submitter_id) if t.submitter_id else None
        if sub is None or not sub.email:
            self._log(s, t, "notify", "反馈人员没有 Email，无法自动通知 / the submitter has no e-mail; no notice sent")
            return
        s.add(Notification(ticket_id=t.id, recipient=sub.email,
                           subject=f"您反馈的问题已解决 / Your issue {t.number} is resolved",
                           body=f"{sub.name}，您好：\n\n您反馈的问题（{t.number}）已解决。\n处理结果：{t.result}\n\n"
                                f"Dear {sub.name},\n\nthe issue you reported ({t.number}) is resolved.\nResult: {t.result}\n"))
        self._log(s, t, "notify", f"已排队通知 {sub.email} / notice queued for {sub.email}")


def _log_record(e: TicketLogEntry, by_name: str | None) -> dict[str, Any]:
    return {"id": e.id, "ticket_id": e.ticket_id, "at": e.at, "by_id": e.by_id, "by": by_name,
            "kind": e.kind, "content": e.content}


def _notice_record(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "ticket_id": n.ticket_id, "recipient": n.recipient, "subject": n.subject, "body": n.body,
            "status": n.status, "created_at": n.created_at, "sent_at": n.sent_at, "error": n.error}
