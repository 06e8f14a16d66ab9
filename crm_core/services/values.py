"""Field values: parsing and checking what callers send, masking and plain data on the way out."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_core import validation as v
from crm_core.errors import ErrorCollector
from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType

MONEY_MAX = Decimal("99999999999999.99")
TEXT_TYPES = {FieldType.TEXT, FieldType.MULTILINE, FieldType.EMAIL, FieldType.PHONE,
              FieldType.ID_NUMBER, FieldType.CREDIT_CODE, FieldType.CHOICE}


def problem(field: Field, code: str, zh: str, en: str) -> tuple[str, str, Text]:
    """A field error triple with the field label in front of the message."""
    return field.name, code, Text(f"{field.label.zh}：{zh}", f"{field.label.en}: {en}")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_value(field: Field, value: Any) -> Any:
    """Convert ``value`` to the field's Python type and canonical form.

    Raises:
        validation.FieldProblem: the value is wrong for this field.
    """
    if is_blank(value):
        return None
    t = field.type
    if t in TEXT_TYPES:
        if not isinstance(value, str):
            value = str(value)
        text = v.check_text(value, max_length=field.max_length)
        if t is FieldType.EMAIL:
            return v.normalize_email(text)
        if t is FieldType.PHONE:
            return v.normalize_phone(text)
        if t is FieldType.ID_NUMBER:
            return v.check_id_number(text)
        if t is FieldType.CREDIT_CODE:
            return v.check_credit_code(text)
        return text
    if t is FieldType.INTEGER or t is FieldType.REF:
        return _parse_int(field, value)
    if t is FieldType.MONEY:
        return _parse_money(field, value)
    if t is FieldType.DATE:
        return _parse_date(value)
    if t is FieldType.DATETIME:
        return _parse_datetime(value)
    if t is FieldType.BOOL:
        return _parse_bool(value)
    raise AssertionError(f"unhandled field type {t}")


def _parse_int(field: Field, value: Any) -> int:
    if isinstance(value, bool):
        raise v.FieldProblem("integer", "应为整数", "must be a whole number")
    try:
        number = int(value) if not isinstance(value, str) else int(_number_text(value))
    except (TypeError, ValueError):
        raise v.FieldProblem("integer", "应为整数", "must be a whole number") from None
    if isinstance(value, float) and value != number:
        raise v.FieldProblem("integer", "应为整数", "must be a whole number")
    _check_bounds(field, number)
    return number


def _parse_money(field: Field, value: Any) -> Decimal:
    try:
        if isinstance(value, float):
            # floats are how spreadsheets hand over money; go through repr, not binary
            value = repr(value)
        amount = Decimal(_number_text(str(value)).replace("¥", "").removesuffix("元"))
    except (InvalidOperation, ValueError):
        raise v.FieldProblem("money", "应为金额，例如 12800.00", "must be an amount such as 12800.00") from None
    if not amount.is_finite():
        raise v.FieldProblem("money", "应为金额，例如 12800.00", "must be an amount such as 12800.00")
    if amount != amount.quantize(Decimal("0.01")):
        raise v.FieldProblem("money_cents", "最多两位小数", "must have at most two decimals")
    if amount < 0:
        raise v.FieldProblem("negative", "不能为负数", "must not be negative")
    if amount > MONEY_MAX:
        raise v.FieldProblem("too_large", "金额过大", "is too large")
    _check_bounds(field, amount)
    return amount.quantize(Decimal("0.01"))


def _number_text(text: str) -> str:
    """A number as typed in an office: full-width digits, thousands separators (1,234 / 1，234 / 1 234)."""
    return re.sub(r"[,\s]", "", unicodedata.normalize("NFKC", text))


def _check_bounds(field: Field, number: Any) -> None:
    if field.min_value is not None and number < field.min_value:
        raise v.FieldProblem("too_small", f"不能小于 {field.min_value}", f"must be at least {field.min_value}")
    if field.max_value is not None and number > field.max_value:
        raise v.FieldProblem("too_large", f"不能大于 {field.max_value}", f"must be at most {field.max_value}")


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("/", "-").replace(".", "-")
    for suffix in (" 00:00:00", " 00:00", "T00:00:00", "T00:00"):  # a midnight datetime typed or exported as text
        text = text.removesuffix(suffix)
    text = re.sub(r"\s*([年月日])\s*", r"\1", text)
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日", "%Y年%m月%d", "%Y-%m", "%Y年%m月"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise v.FieldProblem("date", "应为日期，例如 2026-11-22", "must be a date such as 2026-11-22")


def _parse_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise v.FieldProblem("timezone", "时间缺少时区", "needs a time zone")
        return value
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise v.FieldProblem("datetime", "应为时间，例如 2026-11-22 14:30", "must be a time such as 2026-11-22 14:30") from None
    if parsed.tzinfo is None:
        raise v.FieldProblem("timezone", "时间缺少时区", "needs a time zone")
    return parsed


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "有效"}:
        return True
    if text in {"0", "false", "no", "n", "否", "无效"}:
        return False
    raise v.FieldProblem("bool", "应为“是”或“否”", "must be yes or no")


def parse_into(fields: dict[str, Field], values: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    """Parse every given value; unknown keys are errors; problems go to ``errors``."""
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        field = fields.get(name)
        if field is None:
            errors.add(name, "unknown_field", Text(f"未知字段“{name}”", f"unknown field '{name}'"))
            continue
        try:
            parsed[name] = parse_value(field, raw)
        except v.FieldProblem as exc:
            errors.add(*problem(field, exc.code, exc.zh, exc.en))
    return parsed


def mask(field: Field, value: Any) -> Any:
    """The value as a user who may not see it in full reads it."""
    if value is None or field.sensitive == "private":
        return None  # private HR data: not shown at all
    if field.sensitive == "id_number":
        return v.mask_id_number(value)
    return v.mask_phone(str(value))


def to_plain(value: Any) -> Any:
    """A JSON-safe form of a value (for the audit log)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
