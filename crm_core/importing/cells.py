"""Turning one spreadsheet cell into the raw value a service's create() accepts.

Text goes through as text (the service validates it); what only the importer
knows is resolved here: choice labels to codes, typed names to record ids,
spreadsheet dates and times to Python values in the office's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from crm_core.i18n import Text
from crm_core.importing.lookups import Lookups, fold
from crm_core.importing.reader import cell_text
from crm_core.metadata import Field, FieldType

# Excel's day 0 (its serials count from 1900-01-00 and include the phantom 1900-02-29).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2958466  # 9999-12-31
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
                     "%Y年%m月%d日", "%Y年%m月%d日%H时%M分")


class CellProblem(Exception):
    """The cell cannot become a value of its field; ``message`` names the field, the value and why."""

    def __init__(self, message: Text):
        super().__init__(str(message))
        self.message = message


def convert(field: Field, cell: Any, lookups: Lookups) -> Any:
    """The raw value for ``field`` from a cell (None for a blank cell).

    Raises:
        CellProblem: unknown choice or reference, ambiguous name, unreadable time.
    """
    return converter(field, lookups)(cell)


def converter(field: Field, lookups: Lookups) -> Callable[[Any], Any]:
    """:func:`convert` for one column, its field's branch chosen once: a file's rows call it per cell.

    Choices and references repeat down a column ("A", "admin"): each distinct text is resolved once
    (the look-ups are fixed for the file; a text that fails is not remembered and fails again).
    """
    t = field.type
    if t is FieldType.CHOICE or t is FieldType.REF:
        resolve = _choice if t is FieldType.CHOICE else _reference
        seen: dict[str, Any] = {}

        def body(cell: Any) -> Any:
            text = cell_text(cell)
            found = seen.get(text, _MISSING)
            if found is _MISSING:
                found = seen[text] = resolve(field, text, lookups)
            return found
    elif t is FieldType.DATE:
        body = _date
    elif t is FieldType.DATETIME:
        def body(cell: Any) -> Any:
            return _datetime(field, cell)
    elif t in (FieldType.MONEY, FieldType.INTEGER):
        def body(cell: Any) -> Any:
            return cell if isinstance(cell, (int, float)) and not isinstance(cell, bool) else \
                cell_text(cell).strip().replace(" ", "").removesuffix("元")
    elif t is FieldType.BOOL:
        def body(cell: Any) -> Any:
            return cell if isinstance(cell, bool) else cell_text(cell)
    else:
        body = cell_text

    def convert_cell(cell: Any) -> Any:
        if cell is None:
            return None
        if isinstance(cell, str):
            if not cell.strip():
                return None
            if type(cell) is str and body is cell_text:
                return cell  # cell_text of a str is the str
        return body(cell)

    convert_cell.plain = body is cell_text  # type: ignore[attr-defined]  # a str cell is its own value (engine)
    return convert_cell


_MISSING = object()


def _date(cell: Any) -> Any:
    """Dates as offices keep them: date cells, Excel serial numbers (45600), 20240503; other text as typed."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    number: float | None = None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        number = cell
    elif isinstance(cell, str) and re.fullmatch(r"\d{5}(\.\d+)?", text := unicodedata.normalize("NFKC", cell).strip()):
        number = float(text)  # a serial number kept as text (a CSV saved from a "General" column)
    if number is not None and not (isinstance(cell, int) and len(str(cell)) == 8):
        if 1 <= number < _MAX_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=int(number))
    return cell_text(cell).strip()


def _problem(field: Field, value: str, zh: str, en: str) -> CellProblem:
    return CellProblem(Text(f"{field.label.zh}：“{value}”{zh}", f"{field.label.en}: '{value}' {en}"))


def _choice(field: Field, text: str, lookups: Lookups) -> str:
    code = lookups.choices.get(field.name, {}).get(fold(text)) or lookups.value_map.get(field.name, {}).get(fold(text))
    if code is None:
        zh = "、".join(lookups.choice_labels(field.name, "zh_CN")[:12])
        en = ", ".join(lookups.choice_labels(field.name, "en")[:12])
        raise _problem(field, text, f"不是可选值（可选：{zh}）", f"is not one of the choices ({en})")
    return code


def _reference(field: Field, text: str, lookups: Lookups) -> int:
    ids = lookups.refs[field.ref or ""].find(text)
    if not ids:
        how = {"customers": ("客户编码或公司全称", "customer code or full company name"),
               "users": ("登录名或姓名", "login name or name")}.get(field.ref or "", ("名称", "name"))
        raise _problem(field, text, f"不存在或无权访问（请填写{how[0]}）",
                       f"does not exist or is not yours (give the {how[1]})")
    if len(ids) > 1:
        raise _problem(field, text, f"对应 {len(ids)} 条记录，无法确定是哪一条（请改填编码）",
                       f"matches {len(ids)} records; give its code instead")
    return next(iter(ids))


def _datetime(field: Field, cell: Any) -> dt.datetime:
    """A time in the office's zone: spreadsheets hold wall-clock times without a zone."""
    if isinstance(cell, dt.datetime):
        value = cell
    elif isinstance(cell, dt.date):
        value = dt.datetime.combine(cell, dt.time())
    else:
        value = _parse_datetime_text(field, cell_text(cell).strip())
    return value if value.tzinfo else value.astimezone()


def _parse_datetime_text(field: Field, text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    normal = re.sub(r"[/.]", "-", text)
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(normal, fmt)
        except ValueError:
            continue
    raise _problem(field, text, "不是有效的时间（例如 2026-01-05 14:30）", "is not a time such as 2026-01-05 14:30")
