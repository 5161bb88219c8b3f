"""The temporary files beside output files: how they are named, and cleaning up after
a run that was killed before it could remove its own.

An output file is written to ``.NAME.blinacli-PID-RANDOM.tmp`` in the same folder
(NAME the output file's name, PID the writing process, RANDOM eight hexadecimal
digits), then renamed over NAME. A run that is interrupted removes its temporary
file; one that is killed (``kill -9``, a power cut) cannot, and leaves it. Before it
writes into a folder, a run removes the temporary files of this pattern there whose
process is gone, or that are older than :data:`MAX_AGE` (so a process id reused
by another program does not keep one forever). Only regular files of exactly this
pattern are touched: never a link, a folder or another program's file.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from blinacli.load.trust import process_alive

MAX_AGE = 3600
"""Seconds after which a temporary file is removed even if its process id is running:
writing a document takes well under a second, so by then the id belongs to another
program."""

_PATTERN = re.compile(r"\.(?P<name>.+)\.blinacli-(?P<pid>[0-9]{1,10})-[0-9a-f]{8}\.tmp", re.DOTALL)


def temporary_name(target: str) -> str:
    """A fresh temporary file name for the output file named ``target``."""
    return f".{target}.blinacli-{os.getpid()}-{os.urandom(4).hex()}.tmp"


def is_leftover_name(name: str) -> bool:
    """Whether ``name`` has the pattern of blinacli's temporary files."""
    return _PATTERN.fullmatch(name) is not None


def remove_leftovers(folder: Path) -> None:
    """Remove from ``folder`` the temporary files that killed runs left behind.

    Best effort: a folder that cannot be listed, or a file that cannot be removed
    (another user's, a read-only folder), is left as it is, silently, because the
    output being written does not depend on it.
    """
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    now = time.time()
    with entries:
        for entry in entries:
            found = _PATTERN.fullmatch(entry.name)
            if found is None:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode):
                    continue
                if _running(int(found["pid"])) and now - info.st_mtime < MAX_AGE:
                    continue
                os.unlink(entry.path)
            except OSError:
                continue


def _running(pid: int) -> bool:
    """Whether a process with id ``pid`` runs on this machine (any user's). This very
    process counts as not running: it has no temporary file of its own open while it
    cleans up, so one with its id is from an earlier process that had the same id."""
    return pid != os.getpid() and process_alive(pid)
