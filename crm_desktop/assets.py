"""Files the client reads at run time (Designer forms, compiled catalogues), found with importlib.resources.

An installed client (wheel, PyInstaller bundle, .deb, Windows installer) finds
them inside the package, under ``crm_desktop/ui/``: the build (``setup.py``)
copies ``ui/*.ui`` there and compiles ``ui/translations/*.ts`` to ``.qm`` with
Qt's lrelease, so nothing is compiled on the user's machine.

A source checkout (``python3 dev.py run``, the tests) has no build products:
there the forms are read from ``ui/`` beside the packages and a catalogue is
compiled once into the user cache folder with pyside6-lrelease.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)
PACKAGED = importlib.resources.files("crm_desktop") / "ui"
SOURCE = Path(__file__).resolve().parent.parent / "ui"  # a checkout's source folder


def form_bytes(name: str) -> bytes:
    """The Designer form ``name`` (e.g. ``"login.ui"``) as bytes.

    Raises:
        FileNotFoundError: neither the package nor a checkout has it.
    """
    packaged = PACKAGED / name
    if packaged.is_file():
        return packaged.read_bytes()
    return (SOURCE / name).read_bytes()


def app_icon_bytes() -> bytes:
    """The application icon (PNG, 256 px): packaged, or ``resources/icons/`` of a checkout."""
    packaged = PACKAGED / "crm-desktop.png"
    if packaged.is_file():
        return packaged.read_bytes()
    return (SOURCE.parent / "resources" / "icons" / "crm-desktop.png").read_bytes()


@contextlib.contextmanager
def catalogue(lang: str, cache_dir: Path | None = None) -> Iterator[Path | None]:
    """The compiled ``.qm`` of ``lang`` as a file for the duration of the ``with`` block, or None.

    Packaged catalogues come first; a checkout compiles its ``.ts`` (see :func:`compile_source_catalogue`).
    """
    packaged = PACKAGED / "translations" / f"crm_desktop_{lang}.qm"
    if packaged.is_file():
        with importlib.resources.as_file(packaged) as path:
            yield path
        return
    yield compile_source_catalogue(lang, cache_dir)


def lrelease() -> str | None:
    """Qt's lrelease: the one inside the PySide6 package, else ``pyside6-lrelease`` on the PATH."""
    try:
        import PySide6
    except ImportError:
        inside = None
    else:
        inside = Path(PySide6.__file__).parent / ("lrelease.exe" if sys.platform == "win32" else "lrelease")
    if inside is not None and inside.exists():
        return str(inside)
    beside_python = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside_python) if beside_python.exists() else shutil.which("pyside6-lrelease")


def compile_ts(source: Path, target: Path) -> None:
    """Compile one ``.ts`` catalogue to ``target`` (``.qm``); raises if lrelease is missing or fails."""
    tool = lrelease()
    if tool is None:
        raise FileNotFoundError("Qt's lrelease (part of PySide6) is missing: the catalogues cannot be compiled")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-silent", str(source), "-qm", str(target)], check=True, capture_output=True, timeout=60)


def compile_source_catalogue(lang: str, cache_dir: Path | None = None) -> Path | None:
    """A checkout's catalogue: the ``.ts`` compiled once into ``cache_dir`` (default: the user cache folder).

    That is a short subprocess run before any window exists, so it holds up no interaction.

    Returns:
        The ``.qm``, or None (no ``.ts``, no lrelease): the interface stays English.
    """
    source = SOURCE / "translations" / f"crm_desktop_{lang}.ts"
    if not source.exists():
        return None
    if cache_dir is None:
        import platformdirs

        cache_dir = Path(platformdirs.user_cache_dir("crm-desktop", "crm-desktop"))
    cached = cache_dir / source.with_suffix(".qm").name
    if cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime:
        return cached
    try:
        compile_ts(source, cached)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not compile %s: %s; the interface stays in English", source, exc)
        return None
    return cached
