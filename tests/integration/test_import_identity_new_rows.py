"""Update by key and a contacts list that names one new contact twice (the same customer and name, no phone):
the first row creates him, the later one is "the same contact as row N" (both were created, and a second import
of the same file was then refused whole: "matches 2 active contacts")."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_core.models import Contact
from tests.integration.test_import_helpers import write_csv

HEADERS = ["客户", "姓名", "电话", "职位"]


def _count(db, cid) -> int:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(Contact).where(Contact.customer_id == cid))


def test_a_file_naming_a_new_contact_twice_creates_him_once_and_imports_again_unchanged(admin, db, make_customer,
                                                                                         tmp_path):
    a = make_customer("甲公司")
    path = write_csv(tmp_path / "c.csv", [HEADERS, ["甲公司", "张三", "", "经理"], ["甲公司", "张三", "", "经理"]])
    mapping = admin.imports.auto_mapping("contacts", HEADERS)
    for attempt in range(2):
        check = admin.imports.check("contacts", path, mapping, update_by_key=True)
        [error] = check.errors
        assert (error.row, error.field) == (3, "name"), attempt
        assert "与文件第 2 行是同一联系人" in error.message.zh and "as row 2 of the file" in error.message.en
        assert "matches" not in error.message.en
        result = admin.imports.run("contacts", path, mapping, update_by_key=True, preview=check, only_valid=True)
        assert (result.created, result.skipped) == ((1, 1) if attempt == 0 else (0, 1))
        assert _count(db, a["id"]) == 1
