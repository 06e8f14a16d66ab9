"""Follow-ups (跟进记录), customer needs (客户需求) and sales opportunities (销售机会)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm_core import ValidationError
from crm_core.services.codes import office_today
from tests.helpers import field_error, version_of


@pytest.fixture
def today():
    """The office's date, read once per test."""
    return office_today()


@pytest.fixture
def now():
    """The current time with the workstation's time zone."""
    return dt.datetime.now().astimezone()


@pytest.fixture
def sales(login):
    return login("sales1", name="陈销售")


@pytest.fixture
def my_customer(sales, make_customer):
    return make_customer("南京金陵电子有限公司", owner_id=sales.actor.user_id)


def _followup(session, customer_id, **values):
    return session.followups.create({"customer_id": customer_id, "method": "phone", "content": "电话沟通需求",
                                     **values})


# ------------------------------------------------------------------ follow-ups

def test_followup_defaults_to_now_and_the_current_user(sales, my_customer, now):
    f = _followup(sales, my_customer["id"])
    assert f["user_id"] == sales.actor.user_id and f["user_id_display"] == "陈销售"
    assert f["at"].tzinfo is not None and abs(f["at"] - now) < dt.timedelta(days=1)
    assert f["next_done"] is False


def test_followup_method_must_be_a_dictionary_code(sales, my_customer):
    with pytest.raises(ValidationError) as exc:
        _followup(sales, my_customer["id"], method="carrier_pigeon")
    err = field_error(exc, "method")
    assert err.code == "choice" and "跟进方式" in err.message.zh


def test_followup_accepts_every_seeded_method(sales, my_customer):
    for entry in sales.dictionary.entries("followup_method"):
        assert _followup(sales, my_customer["id"], method=entry["code"])["method"] == entry["code"]


def test_followup_due_date_without_a_next_step_is_refused(sales, my_customer, today):
    with pytest.raises(ValidationError) as exc:
        _followup(sales, my_customer["id"], next_due_on=today + dt.timedelta(days=3))
    err = field_error(exc, "next_step")
    assert err.code == "required" and "下一步计划" in err.message.zh


def test_followup_due_before_the_followup_is_refused(sales, my_customer, today):
    with pytest.raises(ValidationError) as exc:
        _followup(sales, my_customer["id"], next_step="寄样品", next_due_on=today - dt.timedelta(days=1))
    assert field_error(exc, "next_due_on").code == "before_followup"


def test_followup_time_without_time_zone_is_refused(sales, my_customer):
    with pytest.raises(ValidationError) as exc:
        _followup(sales, my_customer["id"], at=dt.datetime(2026, 3, 1, 10, 0))
    assert field_error(exc, "at").code == "timezone"


def test_due_lists_open_next_steps_due_today_or_earlier_for_me_only(sales, login, make_customer, my_customer,
                                                                    today, now):
    earlier = now - dt.timedelta(days=10)
    overdue = _followup(sales, my_customer["id"], at=earlier, next_step="发报价单",
                        next_due_on=today - dt.timedelta(days=2))
    due_today = _followup(sales, my_customer["id"], next_step="回电确认", next_due_on=today)
    _followup(sales, my_customer["id"], next_step="上门演示", next_due_on=today + dt.timedelta(days=1))
    done = _followup(sales, my_customer["id"], at=earlier, next_step="寄合同", next_due_on=today - dt.timedelta(days=1),
                     next_done=True)
    _followup(sales, my_customer["id"])  # no next step at all
    colleague = login("sales2")
    theirs = make_customer("苏州园林设计有限公司", owner_id=colleague.actor.user_id)
    _followup(colleague, theirs["id"], next_step="他的事", next_due_on=today)

    due = sales.followups.due()
    assert [r["id"] for r in due.rows] == [overdue["id"], due_today["id"]]
    assert done["id"] not in [r["id"] for r in due.rows]
    assert [r["next_step"] for r in colleague.followups.due().rows] == ["他的事"]
    assert (sales.followups.count_due(), colleague.followups.count_due()) == (2, 1)


def test_marking_a_next_step_done_removes_it_from_due(sales, my_customer, today):
    f = _followup(sales, my_customer["id"], next_step="回电确认", next_due_on=today)
    sales.followups.update(f["id"], {"next_done": True}, version=f["version"])
    assert sales.followups.due().rows == []


def test_due_for_a_later_day_includes_steps_due_by_then(sales, my_customer, today):
    f = _followup(sales, my_customer["id"], next_step="上门演示", next_due_on=today + dt.timedelta(days=3))
    assert sales.followups.due().rows == []
    assert [r["id"] for r in sales.followups.due(today + dt.timedelta(days=3)).rows] == [f["id"]]


def test_sales_cannot_add_a_followup_to_another_owners_customer(sales, make_customer):
    other = make_customer("无锡太湖纺织有限公司")
    with pytest.raises(ValidationError) as exc:
        _followup(sales, other["id"])
    assert field_error(exc, "customer_id").code == "not_found"


# ----------------------------------------------------------------------- needs

def test_need_defaults_to_medium_priority_and_open_state(sales, my_customer):
    need = sales.needs.create({"customer_id": my_customer["id"], "need_type": "support",
                               "description": "需要对接金蝶财务接口"})
    assert need["priority"] == "medium" and need["state"] == "open"
    assert need["owner_id"] == sales.actor.user_id


@pytest.mark.parametrize("field, value", [("need_type", "gossip"), ("priority", "urgent"), ("state", "someday")])
def test_need_with_a_bad_choice_is_refused(sales, my_customer, field, value):
    values = {"customer_id": my_customer["id"], "need_type": "consulting", "description": "咨询报价", field: value}
    with pytest.raises(ValidationError) as exc:
        sales.needs.create(values)
    assert field_error(exc, field).code == "choice"


def test_need_state_can_move_on(sales, my_customer):
    need = sales.needs.create({"customer_id": my_customer["id"], "need_type": "customization",
                               "description": "定制报表", "priority": "high"})
    done = sales.needs.update(need["id"], {"state": "done", "solution": "已交付定制报表"}, version=need["version"])
    assert done["state"] == "done" and done["priority"] == "high"


# --------------------------------------------------------------- opportunities

def test_opportunity_stage_defaults_to_lead(sales, my_customer):
    opp = sales.opportunities.create({"customer_id": my_customer["id"], "name": "二期扩容", "amount": "88000"})
    assert opp["stage"] == "lead" and opp["amount"] == Decimal("88000.00")


def test_opportunity_with_a_bad_stage_is_refused(sales, my_customer):
    with pytest.raises(ValidationError) as exc:
        sales.opportunities.create({"customer_id": my_customer["id"], "name": "二期", "stage": "dreaming"})
    assert field_error(exc, "stage").code == "choice"


def test_funnel_counts_and_sums_per_stage(sales, my_customer):
    for name, stage, amount in [("A", "lead", "100.10"), ("B", "lead", "200.20"), ("C", "proposal", "5000"),
                                ("D", "won", None)]:
        values = {"customer_id": my_customer["id"], "name": name, "stage": stage}
        if amount:
            values["amount"] = amount
        sales.opportunities.create(values)
    funnel = {row["stage"]: row for row in sales.opportunities.funnel()}
    assert list(funnel) == ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
    assert (funnel["lead"]["count"], funnel["lead"]["amount"]) == (2, Decimal("300.30"))
    assert (funnel["proposal"]["count"], funnel["proposal"]["amount"]) == (1, Decimal("5000.00"))
    assert (funnel["won"]["count"], funnel["won"]["amount"]) == (1, Decimal("0.00"))
    assert (funnel["qualified"]["count"], funnel["qualified"]["amount"]) == (0, Decimal("0.00"))
    assert funnel["lead"]["label"].zh == "初步接洽"


def test_funnel_only_counts_the_actors_scope(admin, sales, login, make_customer, my_customer):
    colleague = login("sales2")
    theirs = make_customer("苏州园林设计有限公司", owner_id=colleague.actor.user_id)
    sales.opportunities.create({"customer_id": my_customer["id"], "name": "我的", "amount": "10"})
    colleague.opportunities.create({"customer_id": theirs["id"], "name": "他的", "amount": "1000"})
    mine = {r["stage"]: r for r in sales.opportunities.funnel()}
    assert (mine["lead"]["count"], mine["lead"]["amount"]) == (1, Decimal("10.00"))
    everyone = {r["stage"]: r for r in admin.opportunities.funnel()}
    assert (everyone["lead"]["count"], everyone["lead"]["amount"]) == (2, Decimal("1010.00"))


def test_funnel_leaves_out_deactivated_opportunities(sales, my_customer):
    opp = sales.opportunities.create({"customer_id": my_customer["id"], "name": "作废", "amount": "10"})
    sales.opportunities.deactivate(opp["id"], "重复录入", version=version_of(sales.opportunities, opp["id"]))
    assert {r["stage"]: r["count"] for r in sales.opportunities.funnel()}["lead"] == 0


def test_sales_cannot_record_a_followup_in_a_colleagues_name(sales, login, my_customer):
    colleague = login("sales2")
    with pytest.raises(ValidationError) as exc:
        _followup(sales, my_customer["id"], user_id=colleague.actor.user_id)
    assert field_error(exc, "user_id").code == "owner_scope"
    mine = _followup(sales, my_customer["id"], user_id=sales.actor.user_id)
    with pytest.raises(ValidationError):
        sales.followups.update(mine["id"], {"user_id": colleague.actor.user_id}, version=mine["version"])


def test_manager_may_record_a_followup_for_a_salesperson(sales, login, my_customer, today):
    manager = login("manager1")
    f = _followup(manager, my_customer["id"], user_id=sales.actor.user_id, next_step="回访", next_due_on=today)
    assert f["user_id"] == sales.actor.user_id
    assert [r["id"] for r in sales.followups.due().rows] == [f["id"]]
