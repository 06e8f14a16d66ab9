"""跟进记录, 客户需求, 销售机会: the sales team's day-to-day records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.db.base import utcnow
from crm_core.errors import ErrorCollector
from crm_core.i18n import Text
from crm_core.metadata import EntitySpec, Field, FieldType as T
from crm_core.models import FollowUp, Need, Opportunity
from crm_core.modules.choices import NEED_STATE, NEED_TYPE, OPPORTUNITY_STAGE, PRIORITY
from crm_core.permissions import Action, Scope, rights
from crm_core.services.codes import office_today
from crm_core.services.entity import EntityService
from crm_core.services.query import Filter, ListQuery, Page

FOLLOWUP_SPEC = EntitySpec(
    module="followups",
    label=Text("跟进记录", "Follow-up"),
    model=FollowUp,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("at", Text("跟进时间", "Time"), T.DATETIME, required=True),
        Field("method", Text("跟进方式", "Method"), T.CHOICE, dictionary="followup_method", required=True),
        Field("content", Text("跟进内容", "Content"), T.MULTILINE, required=True, max_length=4000),
        Field("next_step", Text("下一步计划", "Next step"), max_length=500),
        Field("next_due_on", Text("计划日期", "Next step due"), T.DATE),
        Field("next_done", Text("已完成", "Done"), T.BOOL),
        Field("user_id", Text("跟进人", "By"), T.REF, ref="users"),
    ),
    title_field="content",
    default_sort="-at",
    # Served by an index for every reader (migration 0014; docs/performance.md, "branch sortsales").
    grid_sorts=("customer_id", "at", "id"),
    owner_field="user_id",
    search_fields=("content", "next_step"),
    # The follow-up's own time (跟进时间) says when; the record's creation time repeats it.
    secondary_columns=("created_at",),
)


class FollowUpService(EntityService):
    spec = FOLLOWUP_SPEC

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        super()._apply_defaults(s, full, given)
        if full.get("at") is None and "at" not in given:
            full["at"] = utcnow()
        if full.get("next_done") is None:
            full["next_done"] = False

    def _validate(self, s: Session, values: dict[str, Any], obj: Any, errors: ErrorCollector) -> None:
        at, due = values.get("at"), values.get("next_due_on")
        if due is not None and at is not None and due < at.astimezone().date():
            errors.add("next_due_on", "before_followup", Text("计划日期：不能早于跟进时间",
                                                              "Next step due: cannot be before the follow-up"))
        if due is not None and not values.get("next_step"):
            errors.add("next_step", "required", Text("下一步计划：填写了计划日期就需要填写计划内容",
                                                    "Next step: needed when a due date is set"))
        # Follow-ups count in each person's follow-up statistics: staff who only see their own
        # customers record only their own; an administrator or manager may record for others.
        me = self.ctx.actor.user_id
        if rights(self.ctx.actor.role).scope is Scope.OWN and values.get("user_id") != me and \
                (obj is None or values.get("user_id") != obj.user_id):
            errors.add("user_id", "owner_scope", Text("跟进人：只能记录自己的跟进",
                                                      "By: you can only record your own follow-ups"))

    def due(self, on: dt.date | None = None, *, mine: bool = True) -> Page:
        """Open next steps due on or before ``on`` (default today): the "due today" reminder."""
        return self.list(self._due_query(on, mine))

    def count_due(self, on: dt.date | None = None, *, mine: bool = True) -> int:
        """How many open next steps are due on or before ``on`` (for the status bar; no page limit)."""
        return self.count(self._due_query(on, mine))

    def _due_query(self, on: dt.date | None, mine: bool) -> ListQuery:
        day = on or office_today()
        filters = [Filter("next_done", "eq", False), Filter("next_due_on", "lte", day)]
        if mine:
            filters.append(Filter("user_id", "eq", self.ctx.actor.user_id))
        return ListQuery(filters=tuple(filters), sort=("next_due_on",), include_inactive=False, limit=200)


NEED_SPEC = EntitySpec(
    module="needs",
    label=Text("客户需求", "Customer need"),
    model=Need,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("need_type", Text("需求类型", "Type"), T.CHOICE, choices=NEED_TYPE, required=True),
        Field("description", Text("需求描述", "Description"), T.MULTILINE, required=True, max_length=4000),
        Field("priority", Text("优先级", "Priority"), T.CHOICE, choices=PRIORITY, required=True),
        Field("solution", Text("解决方案", "Solution"), T.MULTILINE, max_length=4000, in_grid=False),
        Field("owner_id", Text("负责人", "Owner"), T.REF, ref="users"),
        Field("state", Text("状态", "State"), T.CHOICE, choices=NEED_STATE, required=True),
    ),
    title_field="description",
    owner_field="owner_id",
    grid_sorts=("customer_id", "id"),
    search_fields=("description", "solution"),
)


class NeedService(EntityService):
    spec = NEED_SPEC

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        super()._apply_defaults(s, full, given)
        full["priority"] = full.get("priority") or "medium"
        full["state"] = full.get("state") or "open"


OPPORTUNITY_SPEC = EntitySpec(
    module="opportunities",
    label=Text("销售机会", "Opportunity"),
    model=Opportunity,
    fields=(
        Field("customer_id", Text("客户", "Customer"), T.REF, ref="customers", required=True),
        Field("name", Text("机会名称", "Name"), required=True, max_length=100),
        Field("stage", Text("销售阶段", "Stage"), T.CHOICE, choices=OPPORTUNITY_STAGE, required=True),
        Field("amount", Text("预计金额", "Expected amount"), T.MONEY),
        Field("expected_on", Text("预计成交日期", "Expected close"), T.DATE),
        Field("owner_id", Text("负责人", "Owner"), T.REF, ref="users", pick="owner"),
        Field("notes", Text("备注", "Notes"), T.MULTILINE, max_length=2000, in_grid=False),
    ),
    title_field="name",
    owner_field="owner_id",
    grid_sorts=("customer_id", "id"),
    search_fields=("name",),
)


class OpportunityService(EntityService):
    spec = OPPORTUNITY_SPEC

    def _apply_defaults(self, s: Session, full: dict[str, Any], given: dict[str, Any]) -> None:
        super()._apply_defaults(s, full, given)
        full["stage"] = full.get("stage") or "lead"

    def funnel(self) -> list[dict[str, Any]]:
        """Open opportunities per stage with their expected amount (the sales funnel)."""
        self._require(Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            rows = s.execute(select(Opportunity.stage, func.count(), func.sum(Opportunity.amount))
                             .where(self._scope_condition(), Opportunity.is_active.is_(True))
                             .group_by(Opportunity.stage)).all()
        by_stage = {stage: (n, total) for stage, n, total in rows}
        return [{"stage": c.code, "label": c.label, "count": by_stage.get(c.code, (0, None))[0],
                 "amount": by_stage.get(c.code, (0, None))[1] or Decimal("0.00")} for c in OPPORTUNITY_STAGE]
