"""Files as Chinese offices hand them over, for the import tests: built with openpyxl and plain CSV.

* :func:`sales_list` — 客户名单.xlsx: a "说明" sheet first, then the list under a merged title and a
  blank row, the office's own column names, a few hundred rows with every date form, dictionary
  values the CRM does not know and a handful of bad rows (see :data:`BAD_ROWS`).
* :func:`other_crm_export` — an English-headed export of another CRM.
* :func:`csv_copy` — the same kind of list as CSV, in GBK (what Chinese Excel writes as "CSV") or
  UTF-8 with a byte-order mark ("CSV UTF-8").
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

TITLE = "2026年客户名单（销售部）"
SALES_HEADER = ["序号", "客户名称", "联系电话", "邮箱", "客户等级", "所属行业", "客户来源", "联系人", "职务", "地址",
                "负责人", "备注", "创建日期"]
SALES_HEADER_ROW = 3  # title, blank row, header
# The office's words for dictionary values (the CRM has 信息技术, A 等 …).
INDUSTRIES = ["IT/互联网", "零售业", "制造业", "IT/互联网", "教育培训"]
LEVELS = ["A类", "重要客户", "B类", "A类"]
SOURCES = ["老客户介绍", "展会", "网络推广"]
DATES = [45415, "2024/5/3", "2024-05-03", "2024年5月3日", "20240503", dt.datetime(2024, 5, 3)]
OWNER = "张伟"  # a user the test creates
# Bad rows, by 1-based position in the list (spreadsheet row = SALES_HEADER_ROW + position).
BAD_ROWS = {
    7: ("address", "地址" * 101),  # 202 characters, the limit is 200
    19: ("email", "wang@@example"),
    23: ("owner", "王五"),  # nobody of that name
    31: ("name", "duplicate"),  # the name of a customer already in the CRM (passed in)
    43: ("phone", "duplicate"),  # a phone already in the CRM (passed in)
}


def sales_row(i: int) -> list:
    """Row ``i`` (1-based) of the sales department's list, before any bad value is put in."""
    return [i, f"杭州星海{i:03d}贸易有限公司", f"1{3 + i % 6}{i:09d}"[:11], f"sales{i}@xinghai.cn",
            LEVELS[i % len(LEVELS)], INDUSTRIES[i % len(INDUSTRIES)], SOURCES[i % len(SOURCES)],
            f"联系人{i:03d}", "采购经理" if i % 2 else "总经理", f"杭州市西湖区文三路{i}号", OWNER if i % 3 else None,
            "老客户" if i % 10 == 0 else None, DATES[i % len(DATES)]]


def sales_list(path: str | Path, rows: int = 300, *, existing_name: str = "", existing_phone: str = "") -> Path:
    """客户名单.xlsx: sheet "说明" (notes) then "客户名单" (title, blank row, header, ``rows`` rows)."""
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["填表说明"])
    notes.append(["1. 客户等级：A类为重要客户"])
    notes.append(["2. 创建日期按实际录入填写"])
    ws = wb.create_sheet("客户名单")
    ws["A1"] = TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SALES_HEADER))
    ws.append([])
    ws.append(SALES_HEADER)
    column = {"address": 9, "email": 3, "owner": 10, "name": 1, "phone": 2}
    for i in range(1, rows + 1):
        row = sales_row(i)
        if i in BAD_ROWS:
            field, value = BAD_ROWS[i]
            if value == "duplicate":
                value = existing_name if field == "name" else existing_phone
            row[column[field]] = value
        ws.append(row)
        if i % 50 == 0:
            ws.append([])  # the blank lines offices leave between blocks
    wb.save(path)
    return Path(path)


OTHER_CRM_HEADER = ["Company", "Contact", "Phone", "E-mail", "Industry", "Level", "Created"]


def other_crm_export(path: str | Path, rows: int = 40) -> Path:
    """An export of another CRM: English column names, its own values, ISO dates."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Accounts"
    ws.append(OTHER_CRM_HEADER)
    for i in range(1, rows + 1):
        ws.append([f"Shanghai Ocean {i:03d} Co., Ltd.", f"Li Lei {i}", f"021-6{i:07d}", f"li{i}@ocean.com",
                   ["Software", "Retail", "Manufacturing"][i % 3], ["Hot", "Warm", "Cold"][i % 3],
                   dt.datetime(2025, 1, i % 28 + 1, 0, 0)])
    wb.save(path)
    return Path(path)


CSV_HEADER = ["客户名称", "联系电话", "邮箱", "客户等级", "所属行业", "联系人", "地址", "创建日期"]


def csv_copy(path: str | Path, encoding: str, rows: int = 30) -> Path:
    """客户名单 as CSV in ``encoding`` ("gbk" as Chinese Excel saves "CSV", "utf-8-sig" for "CSV UTF-8")."""
    with open(path, "w", encoding=encoding, newline="") as f:
        out = csv.writer(f)
        out.writerow(CSV_HEADER)
        for i in range(1, rows + 1):
            out.writerow([f"苏州锦绣{i:03d}纺织有限公司", f"1390000{i:04d}", f"jx{i}@jinxiu.cn", "A类", "制造业",
                          f"陈静{i}", f"苏州市姑苏区人民路{i}号", "2024年5月3日"])
    return Path(path)
