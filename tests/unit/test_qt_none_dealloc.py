"""Regression guard: PySide6 6.12.0 on Python 3.11 aborts after ~10k model data() calls returning None.

The process dies with "Fatal Python error: none_dealloc" (None's reference
count underflows). The project pins PySide6 so that combination cannot be
installed; these tests check the pin and hammer the real call path in a child
process, so an abort fails the test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
CALLS = 50_000

CHILD = textwrap.dedent(f"""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QSortFilterProxyModel, Qt

    class NoneModel(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else 100
        def columnCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else 5
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return None  # what a model returns for every role it does not handle

    app = QCoreApplication([])
    model = NoneModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    # Through C++ (proxy -> virtual data() override) and directly from Python.
    for i in range({CALLS}):
        idx = proxy.index(i % 100, i % 5)
        assert proxy.data(idx, Qt.ItemDataRole.ToolTipRole) is None
        assert model.data(model.index(i % 100, i % 5), Qt.ItemDataRole.DecorationRole) is None
    print("ok", {CALLS})
""")


def test_model_data_returning_none_50k_times_does_not_abort():
    pytest.importorskip("PySide6")
    result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"child died ({result.returncode}): {result.stderr[-2000:]}"
    assert result.stdout.strip() == f"ok {CALLS}"


def test_pyside6_pin_excludes_6_12_0_on_python_3_11():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"] if r.lower().startswith("pyside6")]
    assert reqs, "PySide6 must be a declared dependency"
    for python, wanted in (("3.11", False), ("3.12", True)):
        env = {"python_version": python, "python_full_version": python + ".0"}
        active = [r for r in reqs if r.marker is None or r.marker.evaluate(env)]
        assert active, f"no PySide6 requirement applies on Python {python}"
        assert all(r.specifier.contains("6.12.0") == wanted for r in active), (python, active)
