"""Reading import files without a database: encodings, spreadsheet types, caps on size and zip bombs."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from openpyxl import Workbook

from crm_core.errors import ValidationError
from crm_core.importing import limits
from crm_core.importing.reader import open_source, read_table

ROWS = [["公司名称", "电话", "备注"], ["北京𠮷祥科技有限公司", "13800000000", "😀 表情"], ["上海明月", "010-12345678", ""]]


def _csv(path, text: str, encoding: str):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")])
def test_unicode_csv_encodings_are_detected(tmp_path, encoding, detected):
    text = "\r\n".join(",".join(r) for r in ROWS) + "\r\n"
    source = open_source(_csv(tmp_path / "f.csv", text, encoding))
    assert (source.format, source.encoding, source.headers, source.row_count) == ("csv", detected, ROWS[0], 2)
    assert source.preview[0] == ROWS[1]


def test_gbk_csv_as_chinese_excel_writes_it(tmp_path):
    rows = [["公司名称", "地址"], ["北京星辰软件有限公司", "北京市海淀区中关村大街1号"]]
    path = _csv(tmp_path / "gbk.csv", "\r\n".join(",".join(r) for r in rows), "gbk")
    table = read_table(path)
    assert (table.encoding, table.headers, table.rows) == ("gb18030", rows[0], [rows[1]])


def test_tab_separated_text_is_read_too(tmp_path):
    table = read_table(_csv(tmp_path / "t.csv", "公司名称\t电话\n星辰\t13800000000\n", "utf-8"))
    assert table.rows == [["星辰", "13800000000"]]


def test_bytes_in_no_known_encoding_are_refused(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"name\n\x81\x30\xff\xff\n")
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert info.value.errors[0].code == "encoding"


def test_xlsx_types_are_restored(tmp_path):
    wb = Workbook()
    wb.active.append(["a", "b", "c", "d", "e", "f"])
    wb.active.append([13800000000, 1234.5, dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 30), True, "0123"])
    wb.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert table.rows == [[13800000000, 1234.5, dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 30), True, "0123"]]
    assert type(table.rows[0][0]) is int


def test_trailing_blank_rows_are_dropped_and_blank_header_refused(tmp_path):
    assert read_table(_csv(tmp_path / "a.csv", "名称\n甲\n,\n\n", "utf-8")).rows == [["甲"]]
    path = _csv(tmp_path / "b.csv", ",\n甲,乙\n", "utf-8")
    assert (read_table(path).header_row, read_table(path).headers) == (2, ["甲", "乙"])  # blank rows above are skipped
    with pytest.raises(ValidationError) as info:
        read_table(path, header_row=1)  # the user picked the blank row
    assert info.value.errors[0].code == "no_header"


def test_file_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValidationError) as info:
        read_table(_csv(tmp_path / "big.csv", "名称\n" + "甲\n" * 100, "utf-8"))
    message = info.value.errors[0].message
    assert info.value.errors[0].code == "too_big" and "最多 100 B" in message.zh and "the limit is 100 B" in message.en


def test_row_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    path = _csv(tmp_path / "rows.csv", "名称\n" + "甲\n" * 6, "utf-8")
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert info.value.errors[0].code == "too_many_rows" and "5" in info.value.errors[0].message.en
    assert len(read_table(_csv(tmp_path / "ok.csv", "名称\n" + "甲\n" * 5, "utf-8")).rows) == 5


def test_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert info.value.errors[0].code == "compression_ratio"
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", 1024 * 1024)
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert info.value.errors[0].code == "too_big_unpacked"


@pytest.mark.parametrize("content, code", [(b"PK\x03\x04 not really a zip", "unreadable"),
                                           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "xls"), (b"", "empty")])
def test_damaged_and_unsupported_files(tmp_path, content, code):
    path = tmp_path / "f.xlsx"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert info.value.errors[0].code == code


def test_damaged_xlsx_with_a_valid_zip_directory(tmp_path):
    path = tmp_path / "f.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<not-xml")
    with pytest.raises(ValidationError) as info:
        read_table(path)
    assert info.value.errors[0].code == "unreadable"


def test_cell_problems_name_the_limit(monkeypatch):
    assert limits.cell_problem("正常文本\n第二行\t制表") is None
    assert "控制字符" in limits.cell_problem("a\x00b").zh
    assert "5000" in limits.cell_problem("字" * 5001).en
