"""Writing a file all at once or not at all.

Every file the program writes for the user (exports, reports, the import
template, the bad-rows report, backup manifests, an attachment saved to disk)
is written to a temporary file next to the target and moved into place with
``os.replace`` only when complete: a failure, a cancel or a crash never leaves a
half-written file that someone might open, and an older file is replaced whole.
The temporary file is created 0600 (``mkstemp``), so data is never readable by
others while it is being written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success it replaces ``path``, on error it is removed."""
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """``Path(path).write_bytes(data)``, atomically (flushed to disk before it replaces the target)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """``Path(path).write_text(text)``, atomically."""
    write_bytes_atomic(path, text.encode(encoding))
