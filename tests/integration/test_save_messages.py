"""A single save's messages, every problem of a record at once and in the same order, as before the
per-row rules were made cheaper for the import (issue 10): the service path and the import share them."""

from __future__ import annotations

import pytest

from crm_core import ValidationError

PHONE = ("phone", "phone", "电话：不是有效的手机号或固定电话（例如 13812345678 或 010-12345678）",
         "Phone: is not a valid mobile or landline number (e.g. 13812345678 or 010-12345678)")
EMAIL = ("email", "email", "邮箱：不是有效的电子邮箱地址（例如 name@example.com）",
         "Email: is not a valid e-mail address (e.g. name@example.com)")
NAME_REQUIRED = ("name", "required", "公司名称：不能为空", "Company name: is required")
NO_OWNER = ("owner_id", "not_found", "跟进人：所选记录不存在或无权访问", "Owner: the chosen record does not exist or is not yours")


def _errors(call) -> list[tuple]:
    with pytest.raises(ValidationError) as info:
        call()
    return [(e.field, e.code, e.message.zh, e.message.en) for e in info.value.errors]


@pytest.mark.parametrize("values, expected", [
    ({"name": "", "level": "Z", "industry": "nope", "phone": "123", "email": "bad@", "owner_id": 99999,
      "notes": "x" * 2001, "bogus": 1, "credit_code": "91350100M000100Y44"},
     [PHONE, EMAIL,
      ("notes", "too_long", "备注：长度 2001，超过上限 2000", "Notes: length 2001, over the limit of 2000"),
      ("bogus", "unknown_field", "未知字段“bogus”", "unknown field 'bogus'"),
      ("credit_code", "credit_code", "统一社会信用代码：校验位不正确，请检查是否输错",
       "Unified social credit code: has a wrong check character; please look for a typo"),
      NAME_REQUIRED,
      ("level", "choice", "重要级别：“Z”不是可选值", "Importance: 'Z' is not one of the choices"),
      ("industry", "choice", "所属行业：“nope”不是可选值", "Industry: 'nope' is not one of the choices"),
      NO_OWNER]),
    ({"name": "  ", "address": "地" * 201, "phone": "0571-123", "customer_type": 5},
     [("address", "too_long", "地址：长度 201，超过上限 200", "Address: length 201, over the limit of 200"), PHONE,
      NAME_REQUIRED, ("customer_type", "choice", "客户类型：“5”不是可选值", "Customer type: '5' is not one of the choices")]),
    ({"name": "好公司", "status": "lost", "code": "C1", "email": "ａ@例子.中国", "phone": "+86 138 1234 5678", "level": "a"},
     [("status", "unknown_field", "未知字段“status”", "unknown field 'status'"),
      ("code", "unknown_field", "未知字段“code”", "unknown field 'code'"),
      ("level", "choice", "重要级别：“a”不是可选值", "Importance: 'a' is not one of the choices")]),
])
def test_create_reports_every_problem_in_field_order(admin, values, expected):
    assert _errors(lambda: admin.customers.create(dict(values))) == expected
    assert admin.customers.count() == 0


def test_update_rechecks_only_what_changes_and_normalises_as_before(admin, make_customer):
    customer = make_customer("更新用公司")

    assert _errors(lambda: admin.customers.update(customer["id"], {"name": "", "level": "Z", "phone": "1"},
                                                  version=customer["version"])) == [
        PHONE, NAME_REQUIRED, ("level", "choice", "重要级别：“Z”不是可选值", "Importance: 'Z' is not one of the choices")]
    assert _errors(lambda: admin.customers.update(customer["id"], {"notes": "\x01", "owner_id": 99999, "email": "x@y"},
                                                  version=customer["version"])) == [
        ("notes", "control_chars", "备注：包含不允许的控制字符", "Notes: contains control characters that are not allowed"),
        EMAIL, NO_OWNER]

    saved = admin.customers.update(customer["id"], {"name": "新名字", "phone": "１３９ ０000 1111", "email": "ａ@例子.中国"},
                                   version=customer["version"])

    assert (saved["name"], saved["phone"], saved["email"]) == ("新名字", "13900001111", "a@例子.中国")
