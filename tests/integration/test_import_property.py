"""Messy CSV and xlsx content: the importer imports all of it or reports rows; never half, never a crash."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select

from crm_core.errors import ValidationError
from crm_core.importing.service import ImportRejected
from crm_core.models import Customer
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, write_csv, write_xlsx

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
CELL = st.one_of(
    st.none(), TEXT, st.sampled_from(["A", "B", "Z", "制造业", "展会推广", "有限责任公司", "admin", "nobody", "是", "13800000000",
                                      "138-0000-0000", "a@b.cn", "bad@", "=1+1", "\x00", " ", "𠮷", "😀", "¥1,234.50"]),
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
)
ROWS = st.lists(st.lists(CELL, min_size=0, max_size=len(CUSTOMER_HEADERS) + 2), min_size=1, max_size=8)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _count(db) -> int:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(Customer))


def _all_or_reported(admin, db, path: Path) -> None:
    before = _count(db)
    try:
        headers = admin.imports.open_file(path).headers
        mapping = admin.imports.auto_mapping("customers", headers)
        check = admin.imports.check("customers", path, mapping)
    except ValidationError as exc:  # the file or the mapping as a whole: named, nothing written
        assert exc.errors and all(e.message.zh and e.message.en for e in exc.errors)
        assert _count(db) == before
        return
    assert all(e.row >= 2 and e.message.zh and e.message.en for e in check.errors)
    assert check.valid_rows + len(check.bad_rows) == check.total_rows
    try:
        result = admin.imports.run("customers", path, mapping)
    except ImportRejected as exc:
        assert exc.check.errors == check.errors  # refused for the rows the dry run reported
        assert _count(db) == before
        return
    except ValidationError as exc:
        assert check.total_rows == 0 and exc.errors[0].code == "no_rows"
        assert _count(db) == before
        return
    assert not check.errors and result.created == check.total_rows
    assert _count(db) == before + result.created


@SETTINGS
@given(rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
@example(rows=[[None, None, None, None, None, "\x00"]], encoding="utf-8")  # a NUL phone: PostgreSQL refused the look-up
@example(rows=[["\x00", "\x00", None, None, None, None]], encoding="utf-8")
def test_messy_csv(admin, db, rows, encoding):
    def text(c):
        return "" if c is None else str(c)

    content = [CUSTOMER_HEADERS] + [[text(c) for c in r] for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = write_csv(Path(tmp) / "messy.csv", content, encoding)
        except UnicodeEncodeError:
            return  # text GB18030 cannot hold is not in a GBK file either
        _all_or_reported(admin, db, path)


@SETTINGS
@given(rows=ROWS)
def test_messy_xlsx(admin, db, rows):
    def cell(c):  # what Excel can hold: no control characters in cells
        return ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c

    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(Path(tmp) / "messy.xlsx", [CUSTOMER_HEADERS] + [[cell(c) for c in r] for r in rows])
        _all_or_reported(admin, db, path)
