"""Words for codes and ids in reports: dictionary labels, fixed choices, user names, the filters shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.i18n import Text
from crm_core.metadata import Choice
from crm_core.models import DictionaryEntry, User
from crm_core.modules.choices import LEVEL
from crm_core.reports.model import ReportFilters

NONE_LABEL = Text("（未填）", "(not set)")
ANY = Text("全部", "All")
MONTH = Text("月份", "Month")
COUNT = Text("数量", "Count")
SHARE = Text("占比", "Share")
TOTAL = Text("合计", "Total")


def dictionary_labels(s: Session, category: str, *, active_only: bool = False) -> dict[str, Text]:
    """Code -> label of one data-dictionary category, in display order.

    Deactivated entries are included unless ``active_only``: old records still hold their codes.
    """
    stmt = (select(DictionaryEntry.code, DictionaryEntry.label_zh, DictionaryEntry.label_en)
            .where(DictionaryEntry.category == category)
            .order_by(DictionaryEntry.sort_order, DictionaryEntry.id))
    if active_only:
        stmt = stmt.where(DictionaryEntry.is_active.is_(True))
    return {code: Text(zh, en) for code, zh, en in s.execute(stmt)}


def choice_labels(choices: Iterable[Choice]) -> dict[str, Text]:
    return {c.code: c.label for c in choices}


def user_names(s: Session, ids: Iterable[Any]) -> dict[int, Text]:
    """User id -> name (a name reads the same in both languages)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {uid: Text(name, name) for uid, name in s.execute(select(User.id, User.name).where(User.id.in_(wanted)))}


def label(labels: dict[Any, Text], code: Any) -> Text:
    """The label of ``code``; the code itself when unknown; "(not set)" for None."""
    if code is None:
        return NONE_LABEL
    return labels.get(code) or Text(str(code), str(code))


def filters_shown(s: Session, filters: ReportFilters, *, personal: bool) -> list[tuple[Text, Text]]:
    """The report's filters in words, for the header of every file."""
    shown = [
        (Text("重要级别", "Importance"), label(choice_labels(LEVEL), filters.level) if filters.level else ANY),
        (Text("所属行业", "Industry"),
         label(dictionary_labels(s, "industry"), filters.industry) if filters.industry else ANY),
        (Text("跟进人", "Owner"), label(user_names(s, [filters.owner_id]), filters.owner_id)
         if filters.owner_id is not None else ANY),
        (Text("时间范围", "Period"), period_text(filters)),
    ]
    if personal:
        shown.append((Text("范围", "Scope"), Text("我的客户（本人负责或共享给我的）", "My customers (owned or shared with me)")))
    return shown


def period_text(filters: ReportFilters) -> Text:
    first, last = filters.date_from, filters.date_to
    if first is None and last is None:
        return Text("不限", "Any time")
    if first is None:
        return Text(f"截至 {last.isoformat()}", f"until {last.isoformat()}")
    if last is None:
        return Text(f"{first.isoformat()} 起", f"from {first.isoformat()}")
    return Text(f"{first.isoformat()} 至 {last.isoformat()}", f"{first.isoformat()} to {last.isoformat()}")
