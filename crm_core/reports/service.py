"""ReportService (``session.reports``): build the seven reports (报表) and write them to xlsx or PDF.

Every figure is computed by the database (GROUP BY / COUNT / SUM) within the
actor's rights and row scope: a role whose customer scope is "own" sees only
figures of customers it owns or that were shared with it. Definitions are in
the builders' docstrings and in docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crm_core.db.base import utcnow
from crm_core.errors import FieldError, ValidationError
from crm_core.i18n import Text
from crm_core.models import User
from crm_core.modules.choices import LEVEL
from crm_core.permissions import Action
from crm_core.reports import builders_activity as activity
from crm_core.reports import builders_customers as customers
from crm_core.reports import builders_money as money
from crm_core.reports import builders_service as service
from crm_core.reports.labels import dictionary_labels, filters_shown
from crm_core.reports.model import Chart, Report, ReportFilters, Table, localize
from crm_core.reports.queries import Progress, ReportQuery, customer_scope
from crm_core.services.codes import office_today
from crm_core.services.context import Context

Builder = Callable[[ReportQuery], list[Table | Chart]]

REPORTS: dict[str, tuple[Text, Builder]] = {
    "customers": (customers.CUSTOMERS_TITLE, customers.build_customers),
    "followups": (activity.FOLLOWUPS_TITLE, activity.build_followups),
    "conversion": (customers.CONVERSION_TITLE, customers.build_conversion),
    "satisfaction": (activity.SATISFACTION_TITLE, activity.build_satisfaction),
    "tickets": (service.TICKETS_TITLE, service.build_tickets),
    "licenses": (service.LICENSES_TITLE, service.build_licenses),
    "contracts": (money.CONTRACTS_TITLE, money.build_contracts),
}
FORMATS = ("xlsx", "pdf")


class ReportService:
    """The reports an actor may build, their filter choices, building and writing."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def catalogue(self) -> list[tuple[str, Text]]:
        """Report keys and titles, in menu order."""
        self.ctx.require("reports", Action.READ)
        return [(key, title) for key, (title, _) in REPORTS.items()]

    def filter_choices(self) -> dict[str, list[tuple[Any, Text]]]:
        """What the filter bar offers: levels, industries (active dictionary entries) and owners.

        Owners are active users; a salesperson (row scope "own") is offered only himself.
        """
        self.ctx.require("reports", Action.READ)
        with self.ctx.db.unit_of_work(write=False) as s:
            industries = dictionary_labels(s, "industry", active_only=True)
            users = select(User.id, User.name).where(User.is_active.is_(True)).order_by(User.name, User.id)
            if customer_scope(self.ctx) is not None:
                users = users.where(User.id == self.ctx.actor.user_id)
            owners = s.execute(users).all()
        return {"level": [(c.code, c.label) for c in LEVEL],
                "industry": list(industries.items()),
                "owner": [(uid, Text(name, name)) for uid, name in owners]}

    def build(self, key: str, filters: ReportFilters, *, progress: Progress | None = None) -> Report:
        """Build report ``key`` for ``filters`` within the actor's scope.

        Raises:
            PermissionDenied: the role may not view reports.
            ValidationError: unknown report, or a period that ends before it starts.
        """
        self.ctx.require("reports", Action.READ)
        if key not in REPORTS:
            raise ValidationError([FieldError("report", "unknown", Text(f"未知报表“{key}”", f"unknown report '{key}'"))])
        _check_period(filters)
        title, builder = REPORTS[key]
        scope = customer_scope(self.ctx)
        with self.ctx.db.unit_of_work(write=False) as s:
            q = ReportQuery(s, self.ctx.db.backend, filters, scope, office_today(), progress)
            sections = builder(q)
            shown = filters_shown(s, filters, personal=scope is not None)
        return Report(key, title, filters, shown, utcnow(), self.ctx.actor.name, sections)

    def write(self, report: Report, path: str | Path, fmt: str, lang: str, *,
              progress: Progress | None = None) -> None:
        """Write ``report`` as ``fmt`` ("xlsx" or "pdf") in ``lang``; nothing is left behind on error or cancel.

        Raises:
            PermissionDenied: the role may not export reports.
            ValidationError: unknown format.
        """
        self.ctx.require("reports", Action.EXPORT)
        if fmt not in FORMATS:
            raise ValidationError([FieldError("format", "unknown", Text(
                f"格式：不支持“{fmt}”（可选 xlsx、pdf）", f"Format: '{fmt}' is not supported (xlsx or pdf)"))])
        plain = localize(report, lang)
        if fmt == "xlsx":
            from crm_core.reports.render_xlsx import write_report_xlsx

            write_report_xlsx(plain, path, lang, progress=progress)
        else:
            from crm_core.reports.render_pdf import write_report_pdf

            write_report_pdf(plain, path, lang, progress=progress)


def _check_period(filters: ReportFilters) -> None:
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationError([FieldError("date_to", "date_order", Text(
            "结束日期：不能早于开始日期", "End date: cannot be before the start date"))])
