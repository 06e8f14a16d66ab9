"""Files that hold data or password verifiers: readable by their owner only.

The embedded database, backups, their manifests and the server's roles file
(SCRAM verifiers) are created ``0600`` in folders the program creates ``0700``,
so another account on the machine reads none of them, whatever its umask. A
file is made with its mode before anything is written to it (no window in
which it is world-readable); text is written to a private temporary file in
the same folder and renamed over the target, so a reader never sees half of it.

On Windows the modes mean little: there the user profile's ACLs protect the
data folder (see docs/security.md).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents ``0700``; an existing folder keeps its mode."""
    missing = []
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by someone else meanwhile
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists and is ``0600`` (created so, or an existing file of ours tightened)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    with contextlib.suppress(PermissionError):  # someone else's file: leave it to its owner
        os.chmod(path, FILE_MODE)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, the file ``0600``."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_private_line(path: Path, line: str) -> None:
    """Append one line to a log file that is created ``0600``."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as log:
        log.write(line + "\n")
