"""Every visible client string has its zh_CN translation, and the catalogue matches the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_zh_cn_catalogue_is_complete_and_up_to_date():
    script = ROOT / "ui" / "translations" / "update_catalogue.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
