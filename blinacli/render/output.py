"""Writing output files safely: all or nothing.

A document is written to a temporary file in the destination's folder and
renamed over the destination only when complete, so a failure at any point
leaves an existing file byte-identical.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from blinacli.base.errors import BlinacliError


class OutputError(BlinacliError):
    """The output file cannot be written."""


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, keeping an existing file's permissions."""
    folder = path.parent if str(path.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is not a directory")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: no such directory {folder}")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
