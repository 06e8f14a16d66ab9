"""Attachments from and to disk: refused by size before reading, saved atomically (issue 11, item 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core import ValidationError
from crm_desktop.panels.attachments import fetch_and_write, read_and_attach


@pytest.fixture
def contract(admin, make_customer):
    customer = make_customer()
    return admin.contracts.create({"number": "HT-1", "customer_id": customer["id"], "signed_on": "2026-11-01",
                                   "amount": "5000"})


def test_attaching_a_huge_file_is_refused_without_reading_it_whole(admin, contract, tmp_path, monkeypatch):
    big = tmp_path / "scan.pdf"
    with big.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)

    def read_whole(self):
        raise AssertionError("the whole file was read")
    monkeypatch.setattr(Path, "read_bytes", read_whole)

    with pytest.raises(ValidationError) as err:
        read_and_attach(admin, contract["id"], str(big))

    assert "300.0 MB" in err.value.message.en
    assert admin.contracts.attachments(contract["id"]) == []


def test_save_as_that_fails_leaves_the_previous_file_whole(admin, contract, tmp_path, monkeypatch):
    attachment = admin.contracts.add_attachment(contract["id"], "合同.pdf", b"%PDF new content", None)
    folder = tmp_path / "downloads"
    folder.mkdir()
    target = folder / "合同.pdf"
    target.write_bytes(b"%PDF the copy the user already had")

    def disk_full(_fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.fsync", disk_full)

    with pytest.raises(OSError):
        fetch_and_write(admin, attachment["id"], str(target))

    assert target.read_bytes() == b"%PDF the copy the user already had"
    assert [p.name for p in folder.iterdir()] == ["合同.pdf"]
