"""The grid's PDF export as a clerk reads it: every customer code whole, on its row's line."""

from __future__ import annotations

import subprocess

import pytest

from crm_core.lists import ListQuery
from crm_core.models import Customer

LONG_NAME = "北京星辰智能软件科技股份有限公司华东区域营销服务中心暨研发基地"


@pytest.fixture
def coded_customers(admin, db):
    """Customers with long codes (as an office's own numbering may have), long names and e-mail addresses."""
    uid = admin.actor.user_id
    with db.unit_of_work(write=True) as s:
        s.add_all(Customer(code=f"C2026063{i:08d}", name=LONG_NAME + str(i) if i % 2 else f"云图科技{i}",
                           status="prospect", level="A", industry="retail", phone=f"139{i:08d}",
                           email=f"purchasing.department.{i}@example-company.com.cn", address="浦东新区张江路 " * 5,
                           notes="长备注" * 40, owner_id=uid, created_by_id=uid, search_text="") for i in range(40))
        s.commit()


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


ALL = ["name", "code", "address", "notes", "phone", "email", "industry", "level", "status", "owner_id", "created_at"]


@pytest.mark.parametrize("columns", [None, ["code", "name"], ALL])
def test_every_code_appears_whole_on_its_line(admin, coded_customers, tmp_path, columns):
    path = tmp_path / "c.pdf"
    admin.exports.write("customers", ListQuery(sort=("code",)), columns, path, "pdf", "zh_CN")

    text = _text(path)
    lines = text.splitlines()
    for i in range(40):
        line = next((line for line in lines if f"C2026063{i:08d}" in line.split()), None)
        assert line is not None, f"C2026063{i:08d} is cut or wrapped"
        if columns != ["code", "name"]:
            assert f"139{i:08d}" in line.split()  # the phone number whole too, on the same row
    if columns == ALL:
        assert "北京星辰智能" in text and "…" in text  # long text is cut as in the grid, codes are not
