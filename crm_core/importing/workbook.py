"""The xlsx files the importer writes: the per-module template and the report of bad rows."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from crm_core.atomic_files import atomic_path
from crm_core.i18n import Text
from crm_core.importing.model import ImportCheck, ImportResult
from crm_core.importing.reader import Table, cell_text
from crm_core.metadata import Field, FieldType

REQUIRED_MARK = "*"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")

_FORMATS: dict[FieldType, Text] = {
    FieldType.DATE: Text("日期，例如 2026-01-05、2026/1/5 或 2026年1月5日", "date, e.g. 2026-01-05, 2026/1/5 or 2026年1月5日"),
    FieldType.DATETIME: Text("时间，例如 2026-01-05 14:30", "time, e.g. 2026-01-05 14:30"),
    FieldType.MONEY: Text("金额，例如 1,234.50 或 ¥1234.5", "amount, e.g. 1,234.50 or ¥1234.5"),
    FieldType.INTEGER: Text("整数", "whole number"),
    FieldType.BOOL: Text("是 / 否", "yes / no (是 / 否)"),
    FieldType.PHONE: Text("手机号或固定电话", "mobile or landline number"),
    FieldType.EMAIL: Text("电子邮箱", "e-mail address"),
}
_REFS: dict[str, Text] = {
    "customers": Text("客户编码或公司全称", "customer code or full company name"),
    "users": Text("登录名或姓名", "login name or name"),
}


def header_text(field: Field, lang: str) -> str:
    """A template column header: the label, with a mark when the field is required."""
    label = field.label(lang)
    return f"{label} {REQUIRED_MARK}" if field.required else label


def field_hint(field: Field, choices: list[str], lang: str) -> str:
    """What to type into the column, for the comment on its header and the instructions sheet."""
    other = field.label("zh_CN" if lang.startswith("en") else "en")
    parts = [f"{field.label(lang)} / {other}"]
    if field.required:
        parts.append(Text("必填", "required")(lang))
    if field.type is FieldType.REF:
        parts.append(_REFS.get(field.ref or "", Text("名称", "name"))(lang))
    elif field.type in _FORMATS:
        parts.append(_FORMATS[field.type](lang))
    if field.max_length:
        parts.append(Text(f"最多 {field.max_length} 个字符", f"at most {field.max_length} characters")(lang))
    if choices:
        parts.append(Text("可选：", "choices: ")(lang) + "、".join(choices))
    return "\n".join(parts)


def write_template(path: str | Path, fields: list[Field], choices: dict[str, list[str]], lang: str) -> None:
    """A workbook to fill in: the data sheet first (that is the one read back), then instructions and choice lists."""
    wb = Workbook()
    data = wb.active
    data.title = Text("导入数据", "Data")(lang)
    lists = wb.create_sheet(Text("选项", "Choices")(lang))
    notes = wb.create_sheet(Text("填写说明", "Instructions")(lang))
    notes.append([Text("列", "Column")(lang), Text("说明", "How to fill it in")(lang)])
    for col, f in enumerate(fields, start=1):
        cell = data.cell(row=1, column=col, value=header_text(f, lang))
        cell.font = REQUIRED_FONT if f.required else HEADER_FONT
        hint = field_hint(f, choices.get(f.name, []), lang)
        cell.comment = Comment(hint, "CRM", width=320, height=160)
        data.column_dimensions[get_column_letter(col)].width = max(14, len(cell.value) * 2 + 2)
        notes.append([header_text(f, lang), hint.replace("\n", "；")])
        if choices.get(f.name):
            _choice_list(data, lists, col, choices[f.name])
    data.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 24, 90
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _choice_list(data: Any, lists: Any, col: int, labels: list[str]) -> None:
    """A drop-down of the labels in the column; the list lives on a hidden sheet (no 255-character limit)."""
    letter = get_column_letter(col)
    for i, label in enumerate(labels, start=1):
        lists.cell(row=i, column=col, value=label)
    dv = DataValidation(type="list", formula1=f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(labels)}",
                        allow_blank=True, showErrorMessage=False)
    dv.add(f"{letter}2:{letter}10001")
    data.add_data_validation(dv)


def write_error_report(table: Table, check: ImportCheck | ImportResult, out_path: str | Path, lang: str) -> None:
    """The bad rows as they were in the file, the original row number first, the reasons last, bad cells in red."""
    problems: dict[int, list[str]] = defaultdict(list)
    bad_cells: dict[int, set[int]] = defaultdict(set)
    for e in check.errors:
        problems[e.row].append(e.message(lang))
        if e.column is not None:
            bad_cells[e.row].add(e.column)
    width = max([len(table.headers), *(len(r) for r in table.rows)], default=0)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(Text("错误行", "Rows with errors")(lang))
    header = [Text("行号", "Row")(lang), *table.headers, *[""] * (width - len(table.headers)),
              Text("错误原因", "Problems")(lang)]
    ws.append([_styled(ws, h, font=HEADER_FONT) for h in header])
    for row in sorted(problems):
        index = row - table.header_row - 1
        cells = table.rows[index] if 0 <= index < len(table.rows) else []
        out = [_styled(ws, row)]
        for col in range(width):
            value = cell_text(cells[col]) if col < len(cells) else ""
            out.append(_styled(ws, value, fill=BAD_FILL if col in bad_cells[row] else None))
        out.append(_styled(ws, "\n".join(problems[row])))
        ws.append(out)
    with atomic_path(out_path) as tmp:
        wb.save(tmp)


def _styled(ws: Any, value: Any, *, font: Font | None = None, fill: PatternFill | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=_safe(value))
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    return cell


def _safe(value: Any) -> Any:
    """Cells that openpyxl refuses (control characters) are shown with the characters escaped."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub(lambda m: repr(m.group())[1:-1], value)
    return value
