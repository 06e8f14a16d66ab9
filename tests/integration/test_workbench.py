"""工作台 (home page) lists: what is due for the signed-in user, within his rights and row scope."""

from __future__ import annotations

import datetime as dt

from crm_core.services.codes import office_today


def _ids(items):
    return [item["title"] for item in items]


def test_sales_home_lists_his_due_followups_expiring_licenses_and_closing_deals(login, make_customer):
    today = office_today()
    sales = login("sales1")
    other = login("sales2")
    mine = make_customer("南京金陵电子有限公司", owner_id=sales.actor.user_id)
    theirs = make_customer("上海海纳信息技术有限公司", owner_id=other.actor.user_id)
    yesterday = today - dt.timedelta(days=1)
    at = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(9)).astimezone()
    for step, due in (("回访报价", yesterday), ("发合同", today), ("下周演示", today + dt.timedelta(days=7))):
        sales.followups.create({"customer_id": mine["id"], "method": "phone", "content": "电话沟通",
                                "at": at, "next_step": step, "next_due_on": due})
    other.followups.create({"customer_id": theirs["id"], "method": "phone", "content": "x", "at": at,
                            "next_step": "别人的", "next_due_on": yesterday})
    sales.licenses.create({"customer_id": mine["id"], "serial": "LIC-SOON", "seats": 1,
                           "valid_from": today - dt.timedelta(days=300), "valid_until": today + dt.timedelta(days=20)})
    sales.licenses.create({"customer_id": mine["id"], "serial": "LIC-LATER", "seats": 1,
                           "valid_from": today, "valid_until": today + dt.timedelta(days=90)})
    other.licenses.create({"customer_id": theirs["id"], "serial": "LIC-NOT-MINE", "seats": 1,
                           "valid_from": today, "valid_until": today + dt.timedelta(days=5)})
    sales.opportunities.create({"customer_id": mine["id"], "name": "二期扩容", "amount": "88000",
                                "expected_on": today.replace(day=28 if today.day <= 28 else today.day)})
    sales.opportunities.create({"customer_id": mine["id"], "name": "明年", "expected_on": today + dt.timedelta(days=70)})

    agenda = sales.workbench.agenda(today)

    assert set(agenda) == {"followups", "licenses", "opportunities"}  # he files tickets, never works them
    assert _ids(agenda["followups"]) == ["回访报价", "发合同"]  # overdue first; next week's not yet
    assert [i["overdue"] for i in agenda["followups"]] == [True, False]
    assert agenda["followups"][0]["customer"].startswith("南京金陵电子有限公司")
    assert _ids(agenda["licenses"]) == ["LIC-SOON"]  # another's customer is out of his scope
    assert _ids(agenda["opportunities"]) == ["二期扩容"]


def test_engineer_home_lists_his_open_tickets_and_no_sales_lists(admin, login, make_customer):
    engineer = login("engineer1")
    customer = make_customer()
    mine = admin.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint",
                                 "description": "收银系统每天下午卡顿", "severity": "major"})
    admin.tickets.assign(mine["id"], engineer.actor.user_id, version=mine["version"])
    admin.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint", "description": "未分配"})

    agenda = engineer.workbench.agenda()

    assert set(agenda) == {"tickets", "licenses"}  # an engineer keeps no follow-ups or opportunities
    assert len(agenda["tickets"]) == 1
    item = agenda["tickets"][0]
    assert item["module"] == "tickets" and item["record_id"] == mine["id"]
    assert "收银系统每天下午卡顿" in item["title"] and item["status"] == "in_progress"
