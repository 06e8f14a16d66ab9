"""Which font the PDFs use: the override, an installed CJK TrueType font, or the CID fallback."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from crm_core.reports import pdf_base
from crm_core.reports.pdf_base import PdfMeta, build_pdf

ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.fixture
def fresh_font():
    """Forget the chosen font before and after the test, so each test picks again."""
    pdf_base.cjk_font.cache_clear()
    pdf_base.styles.cache_clear()
    yield
    pdf_base.cjk_font.cache_clear()
    pdf_base.styles.cache_clear()


def _write(path: Path) -> str:
    build_pdf(path, PdfMeta("客户统计报表", "筛选：无", "生成人：张三", "zh_CN"), False, [], iter(()))
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not ZENHEI.is_file(), reason="fonts-wqy-zenhei not installed")
def test_installed_cjk_font_is_embedded_and_the_override_is_honoured(fresh_font, monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_PDF_FONT", f"{ZENHEI},1")  # the second face of the collection

    text = _write(tmp_path / "a.pdf")

    assert "客户统计报表" in text and "第 1 页，共 1 页" in text
    fonts = _fonts(tmp_path / "a.pdf")
    assert "WenQuanYiZenHeiMono" in fonts and " yes " in fonts  # the second face, embedded


def test_without_a_truetype_font_the_cid_font_is_used_with_a_warning(fresh_font, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(pdf_base, "_font_candidates", lambda: iter([("/nonexistent/font.ttc", 0)]))

    with caplog.at_level(logging.WARNING, logger="crm_core.reports.pdf_base"):
        text = _write(tmp_path / "b.pdf")

    assert "STSong-Light" in caplog.text and "STSong-Light" in _fonts(tmp_path / "b.pdf")
    assert "客户统计报表" in text
