"""Which language the client starts in: --lang / CRM_LANG, else the Settings choice, else the system's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

from crm_desktop.__main__ import system_language

ROOT = Path(__file__).resolve().parents[2]
CHILD = "from crm_desktop.__main__ import detect_language; import sys; print(detect_language(sys.argv[1] or None))"


def start_language(tmp_path: Path, lang_env: str, requested: str = "", saved: str | None = None) -> str:
    """detect_language() in a fresh process with ``LANG=lang_env`` and its own settings folder."""
    env = {k: v for k, v in os.environ.items() if k not in {"LC_ALL", "LC_MESSAGES", "LANGUAGE", "CRM_LANG"}}
    env.update(LANG=lang_env, XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT),
               QT_QPA_PLATFORM="offscreen")
    if saved is not None:  # what the Settings dialog stores (crm_desktop.settings.account_tab.LANGUAGE_KEY)
        ini = tmp_path / "config" / "crm-desktop" / "crm-desktop.conf"
        ini.parent.mkdir(parents=True, exist_ok=True)
        ini.write_text(f"[ui]\nlanguage={saved}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", CHILD, requested], capture_output=True, text=True, env=env,
                            check=True)
    return result.stdout.strip()


@pytest.mark.parametrize(("locale", "expected"), [("zh_CN", "zh_CN"), ("zh_TW", "zh_CN"), ("en_US", "en"),
                                                  ("de_DE", "en"), ("C", "en")])
def test_the_systems_first_interface_language_decides(locale, expected):
    assert system_language(QLocale(locale)) == expected


@pytest.mark.skipif(sys.platform == "win32", reason="LANG sets the system locale on Linux only")
def test_a_chinese_system_starts_in_chinese_and_a_c_utf8_one_in_english(tmp_path):
    assert start_language(tmp_path, "zh_CN.UTF-8") == "zh_CN"
    assert start_language(tmp_path, "C.UTF-8") == "en"


@pytest.mark.skipif(sys.platform == "win32", reason="LANG sets the system locale on Linux only")
def test_the_settings_choice_and_then_lang_override_the_system(tmp_path):
    assert start_language(tmp_path, "zh_CN.UTF-8", saved="en") == "en"
    assert start_language(tmp_path, "C.UTF-8", saved="zh_CN") == "zh_CN"
    assert start_language(tmp_path, "C.UTF-8", requested="zh_CN", saved="en") == "zh_CN"  # --lang zh_CN
