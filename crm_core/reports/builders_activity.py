"""跟进效率 and 满意度分布: follow-up efficiency per user, and the satisfaction ratings of closed tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, exists, func, select
from sqlalchemy.orm import aliased

from crm_core.i18n import Text
from crm_core.models import FollowUp, Ticket
from crm_core.reports.builders_customers import breakdown
from crm_core.reports.labels import COUNT, TOTAL, label, user_names
from crm_core.reports.model import Chart, ChartKind, Column, Kind, Series, Table
from crm_core.reports.queries import ReportQuery, days_between

FOLLOWUPS_TITLE = Text("跟进效率", "Follow-up efficiency")
SATISFACTION_TITLE = Text("满意度分布", "Satisfaction distribution")
USER = Text("跟进人", "By")
FOLLOWUPS = Text("跟进次数", "Follow-ups")


def _followups(q: ReportQuery) -> ColumnElement[bool]:
    return and_(FollowUp.is_active.is_(True), q.of_customers(FollowUp.customer_id), q.in_period(FollowUp.at))


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    """Overdue next step: due before today, not marked done, and no later follow-up of the same customer."""
    later = aliased(FollowUp)
    return and_(FollowUp.is_active.is_(True), FollowUp.next_due_on < today, FollowUp.next_done.is_(False),
                ~exists().where(later.customer_id == FollowUp.customer_id, later.at > FollowUp.at,
                                later.is_active.is_(True)))


def cycle_gaps(q: ReportQuery) -> Any:
    """Subquery (user_id, gap_days): for each follow-up in the period, days since the customer's previous one.

    Average follow-up cycle = mean of these gaps, both follow-ups in the period;
    a gap counts for the user who made the later follow-up.
    """
    prev = func.lag(FollowUp.at).over(partition_by=FollowUp.customer_id, order_by=(FollowUp.at, FollowUp.id))
    inner = select(FollowUp.user_id.label("user_id"), FollowUp.at.label("at"), prev.label("prev")) \
        .where(_followups(q)).subquery()
    return select(inner.c.user_id, days_between(inner.c.prev, inner.c.at, q.dialect).label("gap")) \
        .where(inner.c.prev.is_not(None)).subquery()


def average_cycle(q: ReportQuery) -> float | None:
    """Mean days between consecutive follow-ups of the same customer within the period (None: no pairs)."""
    gaps = cycle_gaps(q)
    value = q.s.scalar(select(func.avg(gaps.c.gap)))
    return round(float(value), 1) if value is not None else None


def build_followups(q: ReportQuery) -> list[Table | Chart]:
    """Follow-ups and customers per user, average cycle, and overdue next steps (as of today)."""
    counts = {u: (int(n), int(c)) for u, n, c in q.rows(
        select(FollowUp.user_id, func.count(), func.count(distinct(FollowUp.customer_id)))
        .where(_followups(q)).group_by(FollowUp.user_id))}
    q.step(1, 4)
    gaps = cycle_gaps(q)
    cycles = {u: (float(total), int(n)) for u, total, n in q.rows(
        select(gaps.c.user_id, func.sum(gaps.c.gap), func.count()).group_by(gaps.c.user_id))}
    q.step(2, 4)
    overdue = {u: int(n) for u, n in q.rows(
        select(FollowUp.user_id, func.count()).where(overdue_condition(q.today), q.of_customers(FollowUp.customer_id))
        .group_by(FollowUp.user_id))}
    q.step(3, 4)
    customers_total = int(q.s.scalar(select(func.count(distinct(FollowUp.customer_id))).where(_followups(q))) or 0)
    users = sorted(set(counts) | set(overdue), key=lambda u: (-counts.get(u, (0, 0))[0], u or 0))
    names = user_names(q.s, users)
    rows = []
    for u in users:
        total, pairs = cycles.get(u, (0.0, 0))
        rows.append({"user": label(names, u), "followups": counts.get(u, (0, 0))[0],
                     "customers": counts.get(u, (0, 0))[1],
                     "cycle": round(total / pairs, 1) if pairs else None, "overdue": overdue.get(u, 0)})
    all_pairs = sum(n for _, n in cycles.values())
    totals = {"user": TOTAL, "followups": sum(n for n, _ in counts.values()), "customers": customers_total,
              "cycle": round(sum(t for t, _ in cycles.values()) / all_pairs, 1) if all_pairs else None,
              "overdue": sum(overdue.values())}
    q.step(4, 4)
    table = Table(Text("按跟进人", "By user"), [
        Column("user", USER), Column("followups", FOLLOWUPS, Kind.INTEGER),
        Column("customers", Text("跟进客户数", "Customers"), Kind.INTEGER),
        Column("cycle", Text("平均跟进周期（天）", "Average cycle (days)"), Kind.NUMBER),
        Column("overdue", Text("逾期未跟进的下一步", "Overdue next steps"), Kind.INTEGER)], rows, totals)
    chart = Chart(Text("各跟进人跟进次数", "Follow-ups per user"), ChartKind.BAR, [r["user"] for r in rows],
                  [Series(FOLLOWUPS, [r["followups"] for r in rows])])
    return [table, chart]


def _rated(q: ReportQuery) -> ColumnElement[bool]:
    """Rated tickets: closed with a satisfaction score, counted by the day they were closed."""
    return and_(Ticket.is_active.is_(True), Ticket.satisfaction.is_not(None),
                q.of_customers(Ticket.customer_id), q.in_period(Ticket.closed_at))


def build_satisfaction(q: ReportQuery) -> list[Table | Chart]:
    """Ratings 1–5 with shares, average per engineer, and a pie of the distribution."""
    by_score = {int(k): int(n) for k, n in q.rows(
        select(Ticket.satisfaction, func.count()).where(_rated(q)).group_by(Ticket.satisfaction))}
    q.step(1, 2)
    scores = {n: Text(f"{n} 分", f"{n} of 5") for n in range(1, 6)}
    dist = breakdown(Text("满意度分布", "Ratings"), Text("满意度", "Satisfaction"),
                     [(n, by_score.get(n, 0)) for n in range(5, 0, -1)], scores, list(range(5, 0, -1)))
    per = q.rows(select(Ticket.engineer_id, func.count(), func.avg(Ticket.satisfaction))
                 .where(_rated(q)).group_by(Ticket.engineer_id))
    q.step(2, 2)
    names = user_names(q.s, [e for e, _, _ in per])
    rows = [{"engineer": label(names, e), "rated": int(n), "average": round(float(a), 2)}
            for e, n, a in sorted(per, key=lambda r: (-r[1], r[0] or 0))]
    rated = sum(by_score.values())
    average = round(sum(k * n for k, n in by_score.items()) / rated, 2) if rated else None
    engineers = Table(Text("按工程师", "By engineer"), [
        Column("engineer", Text("问题跟踪工程师", "Engineer")), Column("rated", Text("评价数", "Ratings"), Kind.INTEGER),
        Column("average", Text("平均满意度", "Average score"), Kind.NUMBER)], rows,
        {"engineer": TOTAL, "rated": rated, "average": average})
    pie = Chart(Text("满意度分布", "Ratings"), ChartKind.PIE, [scores[n] for n in range(5, 0, -1)],
                [Series(COUNT, [by_score.get(n, 0) for n in range(5, 0, -1)])])
    return [dist, engineers, pie]
