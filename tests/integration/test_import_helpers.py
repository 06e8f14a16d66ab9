"""Writing the files users hand to the importer (CSV in their encodings, xlsx as Excel saves it)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

CUSTOMER_HEADERS = ["公司名称", "公司类别", "重要级别", "所属行业", "客户来源", "电话", "Email", "跟进人", "备注"]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def customer_row(i: int, **over: Any) -> list[Any]:
    """One good customer row under CUSTOMER_HEADERS."""
    values = {"name": f"测试公司{i:05d}有限公司", "category": "有限责任公司", "level": "A", "industry": "制造业",
              "source": "展会推广", "phone": f"139{i:08d}", "email": f"c{i}@example.cn", "owner": "admin", "notes": "备注"}
    values.update(over)
    return list(values.values())
