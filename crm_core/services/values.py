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
    if value is None or (isinstance(value, str) and not value.strip()):  # is_blank, inline: called per cell
        return None
    parse = _PARSERS.get(field.type)
    if parse is None:
        raise AssertionError(f"unhandled field type {field.type}")
    return parse(field, value)


def _text(field: Field, value: Any) -> str:
    return v.check_text(value if isinstance(value, str) else str(value), max_length=field.max_length)


def _email(field: Field, value: Any) -> str:
    return v.normalize_email(_text(field, value))


def _phone(field: Field, value: Any) -> str:
    return v.normalize_phone(_text(field, value))


def _id_number(field: Field, value: Any) -> str:
    return v.check_id_number(_text(field, value))


def _credit_code(field: Field, value: Any) -> str:
    return v.check_credit_code(_text(field, value))


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


_NUMBER_SEPARATORS = re.compile(r"[,\s]")


def _number_text(text: str) -> str:
    """A number as typed in an office: full-width digits, thousands separators (1,234 / 1，234 / 1 234)."""
    return _NUMBER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


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


# Each field type's parser, chosen by one look-up (parse_value runs for every cell of an import).
_PARSERS: dict[FieldType, Any] = {
    FieldType.TEXT: _text, FieldType.MULTILINE: _text, FieldType.CHOICE: _text,
    FieldType.EMAIL: _email, FieldType.PHONE: _phone, FieldType.ID_NUMBER: _id_number,
    FieldType.CREDIT_CODE: _credit_code,
    FieldType.INTEGER: _parse_int, FieldType.REF: _parse_int, FieldType.MONEY: _parse_money,
    FieldType.DATE: lambda _field, value: _parse_date(value),
    FieldType.DATETIME: lambda _field, value: _parse_datetime(value),
    FieldType.BOOL: lambda _field, value: _parse_bool(value),
}


def parse_into(fields: dict[str, Field], values: dict[str, Any], errors: ErrorCollector) -> dict[str, Any]:
    """Parse every given value; unknown keys are errors; problems go to ``errors``."""
    parsed: dict[str, Any] = {}
    get = fields.get
    for name, raw in values.items():
        field = get(name)
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
