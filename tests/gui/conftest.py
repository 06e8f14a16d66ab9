"""GUI tests run offscreen; Qt warnings fail them (pyproject: qt_log_level_fail)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
