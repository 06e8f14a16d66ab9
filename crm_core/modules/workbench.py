"""工作台: what the signed-in user has to do, on one page, the first after sign-in.

Four lists, each read through its module's service (so the role's rights and row
scope hold exactly as in the grids; a list the role may not read is left out, not
an error):

- follow-ups: my open next steps due today or earlier (overdue first);
- tickets: open tickets (待处理 / 处理中) where I am the engineer, oldest first (roles that
  work tickets);
- licenses: licenses expiring within 30 days (today included), soonest first;
- opportunities: open opportunities expected to close this month (mine for roles
  that see all customers, every one in scope for the others).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from crm_core.lists import Filter, ListQuery
from crm_core.modules.sales import OPPORTUNITY_SPEC
from crm_core.modules.service import TICKET_SPEC
from crm_core.permissions import Action, Scope, rights
from crm_core.services.codes import office_today
from crm_core.services.context import Context

LICENSE_HORIZON_DAYS = 30
SECTION_LIMIT = 50  # a home page is a to-do list, not a report: the grid has the rest
SECTIONS = ("followups", "tickets", "licenses", "opportunities")
OPEN_TICKET = ("open", "in_progress")
CLOSED_STAGES = ("won", "lost")


@dataclass(frozen=True)
class WorkItem:
    """One line of the home page; ``module`` + ``record_id`` open its record.

    Attributes:
        due: the day it is due (follow-up plan date, license end, expected close), or
            for a ticket the day it was reported.
        overdue: the due day is before today (for a ticket: never).
        title: what it is (the next step, the ticket number and problem, the serial, …).
        customer: the customer's name as the grid shows it.
        amount: the expected amount of an opportunity, else None.
        status_label: the ticket status / opportunity stage as ``(zh, en)`` labels, else None.
    """

    module: str
    record_id: int
    due: dt.date | None
    overdue: bool
    title: str
    customer: str
    status: str | None = None
    amount: Any = None
    status_label: tuple[str, str] | None = None


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _choice_label(spec: Any, field: str, code: Any) -> tuple[str, str] | None:
    for choice in spec.field(field).choices:
        if choice.code == code:
            return choice.label.zh, choice.label.en
    return None


def _short(text: Any, width: int = 60) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


class WorkbenchService:
    """The home page's lists for the signed-in user (``services.workbench``)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def _service(self, module: str) -> Any:
        return self.ctx.services[module]

    def sections(self) -> tuple[str, ...]:
        """The lists this user's role may read, in page order."""
        may = rights(self.ctx.actor.role).may
        # Tickets are assigned to those who work them; a role that only files tickets has none.
        needed = {"tickets": Action.UPDATE}
        return tuple(s for s in SECTIONS if may(s, needed.get(s, Action.READ)))

    def agenda(self, today: dt.date | None = None) -> dict[str, list[dict[str, Any]]]:
        """Every list the role may read: ``{section: [WorkItem as dict, …]}`` (plain values)."""
        day = today or office_today()
        readers = {"followups": self.followups_due, "tickets": self.my_tickets,
                   "licenses": self.licenses_expiring, "opportunities": self.opportunities_closing}
        return {s: [asdict(item) for item in readers[s](day)] for s in self.sections()}

    def followups_due(self, today: dt.date | None = None) -> list[WorkItem]:
        """My open next steps due on or before ``today``, the oldest first."""
        day = today or office_today()
        page = self._service("followups").list(ListQuery(
            filters=(Filter("next_done", "eq", False), Filter("next_due_on", "lte", day),
                     Filter("user_id", "eq", self.ctx.actor.user_id)),
            sort=("next_due_on",), limit=SECTION_LIMIT, include_inactive=False))
        return [WorkItem("followups", r["id"], r["next_due_on"], r["next_due_on"] < day,
                         _short(r.get("next_step") or r.get("content")), r.get("customer_id_display") or "")
                for r in page.rows]

    def my_tickets(self, today: dt.date | None = None) -> list[WorkItem]:
        """Open tickets whose engineer I am, the oldest first (they have waited longest)."""
        page = self._service("tickets").list(ListQuery(
            filters=(Filter("engineer_id", "eq", self.ctx.actor.user_id), Filter("status", "in", OPEN_TICKET)),
            sort=("created_at",), limit=SECTION_LIMIT, include_inactive=False))
        return [WorkItem("tickets", r["id"], _day(r.get("created_at")), False,
                         _short(f"{r.get('number') or ''} {r.get('description') or ''}"),
                         r.get("customer_id_display") or "", status=r.get("status"),
                         status_label=_choice_label(TICKET_SPEC, "status", r.get("status")))
                for r in page.rows]

    def licenses_expiring(self, today: dt.date | None = None) -> list[WorkItem]:
        """Licenses ending within 30 days from ``today`` (today included), the soonest first."""
        day = today or office_today()
        page = self._service("licenses").list(ListQuery(
            filters=(Filter("valid_until", "between", (day, day + dt.timedelta(days=LICENSE_HORIZON_DAYS))),),
            sort=("valid_until",), limit=SECTION_LIMIT, include_inactive=False))
        return [WorkItem("licenses", r["id"], r["valid_until"], False, _short(r.get("serial")),
                         r.get("customer_id_display") or "") for r in page.rows]

    def opportunities_closing(self, today: dt.date | None = None) -> list[WorkItem]:
        """Open opportunities expected to close this month (earlier days included if still open)."""
        day = today or office_today()
        filters = [Filter("expected_on", "between", (day.replace(day=1), _month_end(day))),
                   Filter("stage", "in", tuple(s for s in ("lead", "qualified", "proposal", "negotiation")))]
        if rights(self.ctx.actor.role).scope is Scope.ALL:  # a manager's home page lists his own deals
            filters.append(Filter("owner_id", "eq", self.ctx.actor.user_id))
        page = self._service("opportunities").list(ListQuery(
            filters=tuple(filters), sort=("expected_on",), limit=SECTION_LIMIT, include_inactive=False))
        return [WorkItem("opportunities", r["id"], r["expected_on"], r["expected_on"] < day, _short(r.get("name")),
                         r.get("customer_id_display") or "", status=r.get("stage"), amount=r.get("amount"),
                         status_label=_choice_label(OPPORTUNITY_SPEC, "stage", r.get("stage")))
                for r in page.rows]


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone().date() if value.tzinfo else value.date()
    return value if isinstance(value, dt.date) else None
