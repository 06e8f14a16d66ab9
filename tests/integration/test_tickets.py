"""Customer feedback tickets (客户反馈): numbering, workflow, processing log and notices."""

from __future__ import annotations

import re

import pytest

from crm_core import ConcurrencyConflict, NotFound, PermissionDenied, ValidationError
from crm_core.services.codes import office_today
from tests.helpers import field_error, version_of


@pytest.fixture
def customer(make_customer):
    return make_customer("成都蜀锦餐饮管理有限公司")


@pytest.fixture
def service(login):
    return login("service1", name="李客服")


@pytest.fixture
def engineer(login):
    return login("engineer1", name="张工")


@pytest.fixture
def submitter(service, customer):
    return service.submitters.create({"customer_id": customer["id"], "name": "王店长", "store": "春熙路店",
                                      "email": "wang@example.com", "phone": "13912345678"})


@pytest.fixture
def new_ticket(service, customer):
    def _new(**values):
        return service.tickets.create({"customer_id": customer["id"], "feedback_type": "complaint",
                                       "description": "收银系统每天下午卡顿", "severity": "major", **values})
    return _new


def test_ticket_number_is_generated_from_the_date(new_ticket):
    first, second = new_ticket(), new_ticket()
    assert re.fullmatch(rf"T{office_today():%Y%m%d}\d{{3,}}", first["number"])
    assert first["number"] != second["number"]


def test_new_ticket_starts_open(new_ticket):
    assert new_ticket()["status"] == "open"


def test_ticket_number_and_status_cannot_be_set_by_the_caller(new_ticket):
    with pytest.raises(ValidationError) as exc:
        new_ticket(number="T1", status="closed")
    assert exc.value.fields == {"number", "status"}


def test_ticket_takes_the_store_of_its_submitter(new_ticket, submitter):
    assert new_ticket(submitter_id=submitter["id"])["store"] == "春熙路店"


def test_submitter_must_belong_to_the_tickets_customer(service, make_customer, new_ticket):
    other = make_customer("重庆山城火锅有限公司")
    stranger = service.submitters.create({"customer_id": other["id"], "name": "赵店长"})
    with pytest.raises(ValidationError) as exc:
        new_ticket(submitter_id=stranger["id"])
    assert field_error(exc, "submitter_id").code == "other_customer"


def test_assigning_an_engineer_puts_the_ticket_in_progress(service, engineer, new_ticket):
    ticket = new_ticket()
    assigned = service.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])
    assert assigned["status"] == "in_progress"
    assert assigned["engineer_id"] == engineer.actor.user_id
    assert assigned["engineer_id_display"] == "张工"
    assert service.tickets.log(ticket["id"])[-1]["kind"] == "assign"


def test_assigning_a_non_engineer_is_refused(service, login, new_ticket):
    ticket = new_ticket()
    sales = login("sales1")
    with pytest.raises(ValidationError) as exc:
        service.tickets.assign(ticket["id"], sales.actor.user_id, version=ticket["version"])
    assert field_error(exc, "engineer_id").code == "not_engineer"
    assert service.tickets.get(ticket["id"])["status"] == "open"


def test_assigning_a_deactivated_engineer_is_refused(admin, service, engineer, new_ticket):
    admin.users.deactivate(engineer.actor.user_id, "离职", version=version_of(admin.users, engineer.actor.user_id))
    ticket = new_ticket()
    with pytest.raises(ValidationError) as exc:
        service.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])
    assert field_error(exc, "engineer_id").code == "not_engineer"


def test_log_entries_appear_with_the_authors_name(service, engineer, new_ticket):
    ticket = new_ticket()
    entry = engineer.tickets.add_log(ticket["id"], "远程查看，发现数据库索引缺失")
    assert entry["by"] == "张工"
    service.tickets.add_log(ticket["id"], "已电话告知店长")
    log = service.tickets.log(ticket["id"])
    assert [(e["by"], e["content"]) for e in log if e["kind"] == "note"] == [
        ("张工", "远程查看，发现数据库索引缺失"), ("李客服", "已电话告知店长")]


def test_empty_log_entry_is_refused(service, new_ticket):
    ticket = new_ticket()
    with pytest.raises(ValidationError) as exc:
        service.tickets.add_log(ticket["id"], "   ")
    assert field_error(exc, "content").code == "required"


def test_resolve_requires_a_result(engineer, new_ticket):
    ticket = new_ticket()
    with pytest.raises(ValidationError) as exc:
        engineer.tickets.resolve(ticket["id"], "  ", version=ticket["version"])
    assert field_error(exc, "result").code == "required"
    assert engineer.tickets.get(ticket["id"])["status"] == "open"


def test_resolving_records_the_time_and_queues_a_notice_to_the_submitter(service, engineer, new_ticket, submitter):
    ticket = new_ticket(submitter_id=submitter["id"])
    resolved = engineer.tickets.resolve(ticket["id"], "已重建索引，恢复正常", version=ticket["version"])
    assert resolved["status"] == "resolved"
    assert resolved["result"] == "已重建索引，恢复正常"
    assert resolved["resolved_at"] is not None and resolved["resolved_at"].tzinfo is not None
    notices = service.tickets.notifications(ticket["id"])
    assert len(notices) == 1
    notice = notices[0]
    assert notice["recipient"] == "wang@example.com" and notice["status"] == "queued"
    assert ticket["number"] in notice["subject"] and "已重建索引，恢复正常" in notice["body"]
    assert any(e["kind"] == "notify" and "wang@example.com" in e["content"] for e in service.tickets.log(ticket["id"]))


def test_resolving_a_ticket_whose_submitter_has_no_email_logs_it(service, engineer, new_ticket, customer):
    walk_in = service.submitters.create({"customer_id": customer["id"], "name": "刘收银员"})
    ticket = new_ticket(submitter_id=walk_in["id"])
    engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    assert service.tickets.notifications(ticket["id"]) == []
    notes = [e["content"] for e in service.tickets.log(ticket["id"]) if e["kind"] == "notify"]
    assert len(notes) == 1 and "没有 Email" in notes[0]


def test_notification_result_sent_is_recorded_on_the_notice_and_the_log(service, engineer, new_ticket, submitter):
    ticket = new_ticket(submitter_id=submitter["id"])
    engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    notice = service.tickets.notifications(ticket["id"])[0]
    service.tickets.record_notification_result(notice["id"], sent=True)
    after = service.tickets.notifications(ticket["id"])[0]
    assert after["status"] == "sent" and after["sent_at"] is not None and after["error"] is None
    assert service.tickets.log(ticket["id"])[-1]["content"].startswith("已通知 wang@example.com")


def test_notification_result_failed_keeps_the_error(service, engineer, new_ticket, submitter):
    ticket = new_ticket(submitter_id=submitter["id"])
    engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    notice = service.tickets.notifications(ticket["id"])[0]
    service.tickets.record_notification_result(notice["id"], sent=False, error="SMTP 550 mailbox unavailable")
    after = service.tickets.notifications(ticket["id"])[0]
    assert after["status"] == "failed" and after["error"] == "SMTP 550 mailbox unavailable"
    last = service.tickets.log(ticket["id"])[-1]
    assert last["kind"] == "notify" and "SMTP 550" in last["content"]


def test_unknown_notification_is_not_found(service):
    with pytest.raises(NotFound):
        service.tickets.record_notification_result(987654, sent=True)


def test_close_needs_a_resolved_ticket(service, new_ticket):
    ticket = new_ticket()
    with pytest.raises(ValidationError) as exc:
        service.tickets.close(ticket["id"], version=ticket["version"], satisfaction=5)
    assert field_error(exc, "status").code == "status"


@pytest.mark.parametrize("satisfaction", [0, 6])
def test_close_refuses_satisfaction_outside_one_to_five(service, engineer, new_ticket, satisfaction):
    ticket = new_ticket()
    ticket = engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    with pytest.raises(ValidationError) as exc:
        service.tickets.close(ticket["id"], version=ticket["version"], satisfaction=satisfaction)
    assert field_error(exc, "satisfaction").code == "range"
    assert service.tickets.get(ticket["id"])["status"] == "resolved"


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_close_records_satisfaction(service, engineer, new_ticket, satisfaction):
    ticket = new_ticket()
    ticket = engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    closed = service.tickets.close(ticket["id"], version=ticket["version"], satisfaction=satisfaction)
    assert closed["status"] == "closed" and closed["satisfaction"] == satisfaction
    assert closed["closed_at"] is not None


def test_closed_ticket_takes_no_more_log_entries(service, engineer, new_ticket):
    ticket = new_ticket()
    ticket = engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    service.tickets.close(ticket["id"], version=ticket["version"])
    with pytest.raises(ValidationError):
        service.tickets.add_log(ticket["id"], "补充说明")


def test_reopen_sends_a_closed_ticket_back_to_in_progress(service, engineer, new_ticket):
    ticket = new_ticket()
    ticket = engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    ticket = service.tickets.close(ticket["id"], version=ticket["version"], satisfaction=2)
    reopened = service.tickets.reopen(ticket["id"], "客户反映问题复现", version=ticket["version"])
    assert reopened["status"] == "in_progress"
    assert reopened["resolved_at"] is None and reopened["closed_at"] is None
    assert reopened["satisfaction"] is None
    assert service.tickets.log(ticket["id"])[-1]["content"] == "客户反映问题复现"


def test_reopen_needs_a_reason(service, engineer, new_ticket):
    ticket = new_ticket()
    ticket = engineer.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    with pytest.raises(ValidationError) as exc:
        service.tickets.reopen(ticket["id"], "", version=ticket["version"])
    assert field_error(exc, "reason").code == "required"


def test_reopen_of_an_open_ticket_is_refused(service, new_ticket):
    ticket = new_ticket()
    with pytest.raises(ValidationError):
        service.tickets.reopen(ticket["id"], "再看看", version=ticket["version"])


def test_workflow_step_with_a_stale_version_is_a_conflict(service, engineer, new_ticket):
    ticket = new_ticket()
    engineer.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])
    with pytest.raises(ConcurrencyConflict) as exc:
        service.tickets.resolve(ticket["id"], "已处理", version=ticket["version"])
    assert exc.value.current["status"] == "in_progress"
    assert service.tickets.get(ticket["id"])["status"] == "in_progress"
    with pytest.raises(ConcurrencyConflict):
        service.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])


def test_each_workflow_step_gives_a_new_version(service, engineer, new_ticket):
    ticket = new_ticket()
    a = service.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])
    b = engineer.tickets.resolve(ticket["id"], "已处理", version=a["version"])
    c = service.tickets.close(ticket["id"], version=b["version"], satisfaction=4)
    assert ticket["version"] < a["version"] < b["version"] < c["version"]


def test_engineer_can_resolve_but_cannot_create_customers_or_tickets(engineer, new_ticket):
    ticket = new_ticket()
    assert engineer.tickets.resolve(ticket["id"], "现场处理完毕", version=ticket["version"])["status"] == "resolved"
    with pytest.raises(PermissionDenied):
        engineer.customers.create({"name": "不该建的客户"})
    with pytest.raises(PermissionDenied):
        engineer.tickets.create({"customer_id": ticket["customer_id"], "feedback_type": "praise",
                                 "description": "x"})


def test_bad_feedback_type_is_refused(new_ticket):
    with pytest.raises(ValidationError) as exc:
        new_ticket(feedback_type="rant")
    assert field_error(exc, "feedback_type").code == "choice"


def test_sales_reports_tickets_for_his_customers_only_and_cannot_work_them(login, make_customer, engineer, new_ticket):
    sales = login("sales1")
    mine = make_customer("合肥徽商超市有限公司", owner_id=sales.actor.user_id)
    ticket = sales.tickets.create({"customer_id": mine["id"], "feedback_type": "suggestion",
                                   "description": "希望增加会员积分报表"})
    others = new_ticket()
    assert [t["id"] for t in sales.tickets.list().rows] == [ticket["id"]]
    with pytest.raises(NotFound):
        sales.tickets.log(others["id"])
    with pytest.raises(PermissionDenied):
        sales.tickets.assign(ticket["id"], engineer.actor.user_id, version=ticket["version"])


def test_satisfaction_typed_as_text_is_read_as_a_number(admin, make_customer):
    customer = make_customer()
    t = admin.tickets.create({"customer_id": customer["id"], "feedback_type": "suggestion", "description": "希望增加导出按钮"})
    t = admin.tickets.resolve(t["id"], "已在 3.2 版加入", version=t["version"])
    assert admin.tickets.close(t["id"], version=t["version"], satisfaction="5")["satisfaction"] == 5


def test_deleting_a_ticket_removes_its_queued_notices(admin, make_customer):
    from sqlalchemy import func, select

    from crm_core.models import Notification
    customer = make_customer()
    sub = admin.submitters.create({"customer_id": customer["id"], "name": "李店长", "email": "li@example.com"})
    t = admin.tickets.create({"customer_id": customer["id"], "submitter_id": sub["id"], "feedback_type": "complaint",
                              "description": "收银机卡顿"})
    t = admin.tickets.resolve(t["id"], "已升级驱动", version=t["version"])
    assert [n["status"] for n in admin.tickets.notifications(t["id"])] == ["queued"]
    admin.tickets.delete(t["id"], version=t["version"])
    with admin.db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Notification)) == 0
