"""Files the program writes are complete or untouched; attachments are size-checked first (issue 11, item 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from crm_core import ValidationError
from crm_core.backup.files import manifest_path, read_manifest, write_manifest
from crm_core.importing.service import ImportRejected
from crm_core.modules.contracts import read_attachment_file
from tests.integration.test_import_helpers import CUSTOMER_HEADERS, customer_row, write_csv

OLD = b"the previous file, still good"


@pytest.fixture
def failing_save(monkeypatch):
    """openpyxl writes half a workbook, then the disk is full."""
    def half_then_full(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Workbook, "save", half_then_full)


def _leftovers(folder: Path, keep: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != keep and p.name.startswith("."))


def test_a_failed_import_template_leaves_the_previous_file_whole(admin, tmp_path, failing_save):
    target = tmp_path / "customers_template.xlsx"
    target.write_bytes(OLD)

    with pytest.raises(OSError):
        admin.imports.write_template("customers", target, "zh_CN")

    assert target.read_bytes() == OLD and _leftovers(tmp_path, target) == []


def test_a_failed_bad_rows_report_leaves_the_previous_file_whole(admin, tmp_path, monkeypatch):
    source = write_csv(tmp_path / "bad.csv", [CUSTOMER_HEADERS, customer_row(1, level="Z")])
    with pytest.raises(ImportRejected) as info:
        admin.imports.run("customers", source, admin.imports.auto_mapping("customers", CUSTOMER_HEADERS))
    target = tmp_path / "errors.xlsx"
    target.write_bytes(OLD)

    def half_then_full(self, filename):
        Path(filename).write_bytes(b"PK half")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Workbook, "save", half_then_full)

    with pytest.raises(OSError):
        admin.imports.write_error_report(source, info.value.check, target, "zh_CN")

    assert target.read_bytes() == OLD


def test_the_import_template_is_written_complete(admin, tmp_path):
    target = tmp_path / "customers_template.xlsx"
    target.write_bytes(OLD)

    admin.imports.write_template("customers", target, "en")

    assert target.read_bytes()[:2] == b"PK" and _leftovers(tmp_path, target) == []


def test_a_backup_manifest_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    backup = tmp_path / "crm-20261206.dump"
    write_manifest(backup, {"revision": "0005", "rows": 1})

    def disk_full(_fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(OSError):
        write_manifest(backup, {"revision": "0009", "rows": 2})

    assert read_manifest(backup) == {"revision": "0005", "rows": 1}
    assert _leftovers(tmp_path, manifest_path(backup)) == []


def test_a_file_over_20_mb_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "scan.pdf"
    with big.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)  # sparse: 21 MB on paper, nothing on disk

    with pytest.raises(ValidationError) as err:
        read_attachment_file(big)

    assert err.value.errors[0].field == "file" and "21.0 MB" in err.value.message.en
    assert "20 MB" in err.value.message.zh


def test_a_file_within_the_limit_is_read(tmp_path):
    small = tmp_path / "contract.pdf"
    small.write_bytes(b"%PDF-1.7 contract")

    assert read_attachment_file(small) == b"%PDF-1.7 contract"
