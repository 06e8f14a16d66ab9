"""The installers build from installer/requirements.lock: it must hold every dependency of pyproject.toml, hashed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_dependency_is_locked_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {normalise(re.match(r"[A-Za-z0-9_.-]+", spec).group()) for spec in project["dependencies"]}
    lock = (ROOT / "installer" / "requirements.lock").read_text(encoding="utf-8")
    pinned = {normalise(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.MULTILINE)}
    missing = sorted(wanted - pinned)
    assert not missing, (f"{missing} not in installer/requirements.lock: regenerate it "
                         "(installer/README.md, 'Updating the lock file')")
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 1)[1])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
