"""Formula injection and odd characters: the export writers on hand-built records."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from crm_core.exporting.columns import ExportColumn
from crm_core.exporting.tabular import write_csv, write_xlsx
from crm_core.i18n import Text
from crm_core.metadata import Field, FieldType
from crm_core.reports.cells import csv_text, text_width
from crm_core.reports.model import Kind
from crm_core.reports.pdf_base import PdfMeta

DANGEROUS = ["=1+2", "=HYPERLINK(\"http://evil.example\",\"x\")", "+86 138", "-2+3", "@SUM(A1:A2)",
             "\tcmd", "\r=1", "#N/A"]
META = PdfMeta("客户导出", "筛选：无", "生成时间：2026-11-23 09:00", "zh_CN")


def _columns() -> list[ExportColumn]:
    return [ExportColumn(Field("name", Text("名称", "Name")), "名称", Kind.TEXT, "zh_CN", {}),
            ExportColumn(Field("amount", Text("金额", "Amount"), FieldType.MONEY), "金额", Kind.MONEY, "zh_CN", {}),
            ExportColumn(Field("at", Text("时间", "At"), FieldType.DATETIME), "时间", Kind.DATETIME, "zh_CN", {})]


def _records() -> list[dict]:
    at = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
    return [{"name": text, "amount": Decimal("-5.5"), "at": at} for text in DANGEROUS]


def test_xlsx_never_stores_user_text_as_a_formula(tmp_path):
    path = tmp_path / "x.xlsx"

    write_xlsx(path, _columns(), iter(_records()), META)

    ws = load_workbook(path).worksheets[0]
    names = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in names] == [t.replace("\r", "\n") for t in DANGEROUS]  # XML reads CR back as LF
    assert all(c.data_type == "s" for c in names)
    assert all(c.quotePrefix for c in names[:-1])
    amount, at = ws.cell(2, 2), ws.cell(2, 3)
    assert amount.value == pytest.approx(-5.5) and amount.data_type == "n"
    assert at.value == dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)


def test_csv_prefixes_formula_like_text_but_not_numbers(tmp_path):
    path = tmp_path / "x.csv"

    write_csv(path, _columns(), iter(_records()), META)

    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["'" + t if t[0] in "=+-@\t\r" else t for t in DANGEROUS]
    assert {r[1] for r in rows[1:]} == {"-5.50"}  # a number, left as a number


def test_control_characters_are_dropped_from_xlsx_rather_than_failing(tmp_path):
    path = tmp_path / "x.xlsx"
    records = [{"name": "北京\x00星辰\x1b有限公司\x07", "amount": None, "at": None}]

    write_xlsx(path, _columns(), iter(records), META)

    assert load_workbook(path).worksheets[0]["A2"].value == "北京星辰有限公司"


def test_csv_text_and_widths():
    assert csv_text("=A1") == "'=A1" and csv_text("公司=A1") == "公司=A1"
    assert text_width("北京ab") == 6


def test_batch_and_cached_local_times_agree_with_astimezone():
    import datetime as dt
    import random

    from crm_core.reports.cells import local_batch, local_clock, local_naive

    rng, cache, clock = random.Random(5), {}, local_clock()
    start = dt.datetime(2026, 3, 8, tzinfo=dt.timezone.utc)  # a daylight-saving change in many zones
    for _ in range(100):
        values = [start + dt.timedelta(minutes=rng.randint(-3000, 3000)) for _ in range(30)]
        if rng.random() < 0.3:
            values = [v.astimezone(dt.timezone(dt.timedelta(hours=8))) for v in values]
        expected = [local_naive(v) for v in values]
        assert [clock(v) for v in values] == expected
        assert local_batch(cache, values) in (None, expected)  # None: converted one by one instead
    assert local_batch({}, [None, start]) is None and local_batch({}, [dt.datetime(2026, 1, 1)]) is None


def test_local_texts_are_the_wall_clock_to_the_second_in_any_zone():
    import datetime as dt
    import random

    from crm_core.reports.cells import local_naive, local_texts

    rng, cache = random.Random(7), {}
    start = dt.datetime(2026, 3, 8, tzinfo=dt.timezone.utc)  # a daylight-saving change in many zones
    for _ in range(100):
        values = [start + dt.timedelta(minutes=rng.randint(-3000, 3000), microseconds=rng.randint(0, 999999))
                  for _ in range(30)]
        if rng.random() < 0.3:
            values = [v.astimezone(dt.timezone(dt.timedelta(hours=rng.choice([8, -5])))) for v in values]
        expected = [local_naive(v).strftime("%Y-%m-%d %H:%M:%S") for v in values]
        assert local_texts(cache, values) in (None, expected)  # None: converted one by one instead
    assert local_texts({}, [None, start]) is None and local_texts({}, [dt.datetime(2026, 1, 1)]) is None


def test_whole_second_local_times_print_as_a_csv_holds_them():
    import datetime as dt

    from crm_core.reports.cells import local_batch, local_naive

    values = [dt.datetime(2026, 12, 6, 1, 30, 15, 987654, tzinfo=dt.timezone.utc)]
    assert [str(v) for v in local_batch({}, values, whole_seconds=True)] == \
        [local_naive(values[0]).strftime("%Y-%m-%d %H:%M:%S")]


def test_csv_rows_give_the_cells_of_the_column_converters_whatever_the_batch_holds():
    """The record-at-a-time fetch (csv_rows) and the column converters (csv_column) agree cell for cell:
    choices with unknown and masked codes, references, numbers and None in text columns, formula-like
    text in any text column, a record missing a key, custom values."""
    from crm_core.exporting.tabular import csv_column, csv_rows

    level = Field("level", Text("级别", "Level"), FieldType.CHOICE, choices=None, dictionary="level")
    labels = {("level", "A"): Text("重要", "Key"), ("level", "="): Text("=坏", "=bad")}
    columns = [ExportColumn(Field("name", Text("名称", "Name")), "名称", Kind.TEXT, "zh_CN", {}),
               ExportColumn(level, "级别", Kind.TEXT, "zh_CN", labels),
               ExportColumn(Field("owner_id", Text("负责人", "Owner"), FieldType.REF, ref="users"), "负责人",
                            Kind.TEXT, "zh_CN", {}),
               ExportColumn(Field("seats", Text("座席", "Seats"), FieldType.INTEGER), "座席", Kind.TEXT, "zh_CN", {}),
               ExportColumn(Field("erp", Text("ERP", "ERP")), "ERP", Kind.TEXT, "zh_CN", {}, custom=True),
               *_columns()[1:]]
    at = dt.datetime(2026, 11, 23, 1, 0, 7, 5, tzinfo=dt.timezone.utc)
    base = {"name": "甲公司", "level": "A", "owner_id_display": "王五", "seats": 3, "custom": {"erp": "=E"},
            "amount": Decimal("1.5"), "at": at}
    batches = [
        [base, {**base, "level": "Z", "name": None}, {**base, "level": None, "owner_id_display": None}],
        [base, {**base, "name": "-1"}, {**base, "level": "="}],
        [{**base, "name": 5}, {**base, "owner_id_display": "@x"}, {**base, "seats": None, "at": None}],
        [{k: v for k, v in base.items() if k != "owner_id_display"}, {**base, "level": "***"}],
    ]
    converters = [csv_column(c) for c in columns]
    convert = csv_rows(columns)
    for batch in batches:
        assert list(convert(batch)) == list(zip(*[conv(batch) for conv in converters]))
