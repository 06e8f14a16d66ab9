"""A refused value is quoted the same way whether the check or the write refuses it."""

from __future__ import annotations

from crm_core.errors import FieldError
from crm_core.i18n import Text
from crm_core.importing.engine import NewRecord
from crm_core.importing.writer import _named


def test_a_too_long_value_refused_by_the_write_is_quoted_as_the_check_quotes_it():
    record = NewRecord(row=7, full={"address": "长" * 202}, custom={})
    refusal = FieldError("address", "too_long", Text("地址：长度 202，超过上限 200", "Address: length 202, over the limit of 200"))
    named = _named(refusal, record)
    assert named.row == 7
    assert named.message.zh == f"地址：“{'长' * 30}…”长度 202，超过上限 200"
    assert named.message.en == f"Address: '{'长' * 30}…' length 202, over the limit of 200"


def test_a_missing_value_is_not_quoted():
    record = NewRecord(row=3, full={"name": ""}, custom={})
    named = _named(FieldError("name", "required", Text("公司名称：必填", "Company name: required")), record)
    assert named.message.zh == "公司名称：必填"
