"""The one writer of output files: ``-o FILE`` of every command, and ``templates copy``.

What it does with each kind of target (README "Output files"):

- **A new file** is written to a temporary file beside it and linked into place
  once complete: all or nothing, and a file someone else created meanwhile is not
  replaced.
- **An existing regular file** is replaced only with ``force`` (a read-only one
  is named as such). It is written to a temporary file beside it, then renamed
  over it, keeping its mode and, where the process may, its owner and group.
- **A symbolic link** is followed: the file it leads to is replaced (the link
  stays a link). A dangling link is refused without ``force``; with it, the
  file the link names is created.
- **A file with several hard links** (with ``force``) is written in place, so
  every name keeps seeing the same file; space is reserved first, but a failure
  midway can leave it incomplete (the message says so).
- **A character device, FIFO or socket** (``/dev/null``, ``mkfifo``, a Unix
  socket) is written into, never replaced, and needs no ``force``. A FIFO is
  given :data:`FIFO_WAIT` seconds to get a reader.
- **The process's own descriptors** (``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``) are written through as they are, like standard output.
- **A directory or a block device** is an error.

Temporary files are named by :mod:`blinacli.render.leftovers`, which also removes
those a killed run left.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from blinacli.base.errors import BlinacliError
from blinacli.render.descriptors import write_all
from blinacli.render.leftovers import remove_leftovers, temporary_name

FIFO_WAIT = 5.0
"""Seconds a FIFO given as output is waited on for a process to open it for reading."""

_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}
"""What ``link()`` says on a file system without hard links (FAT, some network ones)."""


class OutputError(BlinacliError):
    """The output file cannot be written, or may not be replaced."""


@dataclass(frozen=True)
class _Plan:
    """How a target is to be written: ``file`` is the path to create, replace or open
    (a link's target, resolved), ``info`` what it was when the plan was made."""

    how: Literal["descriptor", "stream", "create", "replace", "in_place"]
    file: str
    info: os.stat_result | None = None
    descriptor: int = -1


def check_output(path: Path, *, force: bool = False) -> None:
    """Raise :class:`OutputError` if ``path`` may not be written (with ``force`` or
    not), so a command can refuse before it does its work. :func:`write_output`
    checks again when it writes."""
    _plan(path, force, writing=False)


def write_output(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` (UTF-8, line endings as they are) to ``path`` by the rules of
    this module; ``force`` allows replacing an existing file.

    Raises :class:`OutputError` with a one-line reason; a reader that goes away
    (a FIFO's, a socket's, ``/dev/stdout``'s) raises ``BrokenPipeError``, as it does
    on standard output.
    """
    plan = _plan(path, force, writing=True)
    data = text.encode("utf-8")
    try:
        if plan.how == "descriptor":
            write_all(plan.descriptor, data)
        elif plan.how == "stream":
            _write_stream(path, plan, data)
        elif plan.how == "in_place":
            _write_in_place(path, plan, data)
        else:
            _write_beside(path, plan, data, force)
    except (BrokenPipeError, OutputError):
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# --- Deciding -----------------------------------------------------------------------


def _plan(path: Path, force: bool, *, writing: bool) -> _Plan:
    """What writing ``path`` means, or the refusal; ``writing`` also checks that the
    folder of a new file exists (``templates copy`` creates it between check and write)."""
    descriptor = _own_descriptor(path)
    if descriptor is not None:
        return _Plan("descriptor", os.fspath(path), descriptor=descriptor)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return _plan_new(path, force, writing=writing)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a directory")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return _Plan("stream", os.fspath(path), info)
    if stat.S_ISBLK(mode):
        raise OutputError(f"cannot write {path}: it is a block device (a disk), not a file")
    if not stat.S_ISREG(mode):
        raise OutputError(f"cannot write {path}: it is not a regular file")
    if not force:
        if _read_only(info):
            raise OutputError(f"{path} already exists and is read-only; use --force to replace it")
        raise OutputError(f"{path} already exists; use --force to replace it")
    real = os.path.realpath(path)
    try:
        same = os.stat(real)
    except OSError:
        same = None
    if same is None or (same.st_dev, same.st_ino) != (info.st_dev, info.st_ino):
        raise OutputError(f"cannot write {path}: cannot tell which file it names")
    return _Plan("in_place" if info.st_nlink > 1 else "replace", real, info)


def _plan_new(path: Path, force: bool, *, writing: bool) -> _Plan:
    """A path where nothing is: a new file, unless it is a dangling symbolic link."""
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        is_link = False
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    file = os.fspath(path)
    if is_link:
        if not force:
            raise OutputError(
                f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; "
                "use --force to create it"
            )
        file = os.path.realpath(path)
    if writing:
        folder = os.path.dirname(file) or "."
        try:
            if not stat.S_ISDIR(os.stat(folder).st_mode):
                raise OutputError(f"cannot write {path}: {folder} is not a directory")
        except NotADirectoryError:
            raise OutputError(f"cannot write {path}: {folder} is not a directory") from None
        except FileNotFoundError:
            raise OutputError(f"cannot write {path}: no such directory {folder}") from None
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    return _Plan("create", file)


_DESCRIPTOR_PATH = re.compile(
    r"/(?:dev/fd|proc/(?:self|thread-self|(?P<pid>[0-9]+))/fd)/(?P<n>[0-9]+)"
)
_STANDARD_PATHS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _own_descriptor(path: Path) -> int | None:
    """The open descriptor ``path`` names (``/dev/stdout``, ``/dev/fd/3``,
    ``/proc/self/fd/3``), or None: what the shell opened for this process is written
    through as it is, at its offset, like standard output."""
    name = os.path.normpath(os.path.abspath(path))
    number = _STANDARD_PATHS.get(name)
    if number is None:
        found = _DESCRIPTOR_PATH.fullmatch(name)
        if found is None or (found["pid"] is not None and int(found["pid"]) != os.getpid()):
            return None
        number = int(found["n"])
    try:
        os.fstat(number)
    except (OSError, OverflowError):
        return None
    return number


def _read_only(info: os.stat_result) -> bool:
    """Whether the mode bits deny this process writing the file. Root counts as the
    owner: root may write anything, but a file made read-only was made so on purpose."""
    user = os.geteuid()
    if user in (0, info.st_uid):
        return not info.st_mode & stat.S_IWUSR
    if info.st_gid == os.getegid() or info.st_gid in os.getgroups():
        return not info.st_mode & stat.S_IWGRP
    return not info.st_mode & stat.S_IWOTH


# --- Writing ------------------------------------------------------------------------


def _write_beside(path: Path, plan: _Plan, data: bytes, force: bool) -> None:
    """A new or replaced file: a temporary file in the same folder, complete and on
    disk before it takes the file's name, so a failure leaves the old file as it was."""
    folder = os.path.dirname(plan.file) or "."
    remove_leftovers(Path(folder))
    temporary = os.path.join(folder, temporary_name(os.path.basename(plan.file)))
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
            if plan.info is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                _keep_owner(fd, plan.info)
                os.fchmod(fd, stat.S_IMODE(plan.info.st_mode))
        finally:
            os.close(fd)
        if plan.info is None and not force:
            _link_new(temporary, plan.file, path)
        else:
            os.replace(temporary, plan.file)
        _sync_folder(folder)
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def _link_new(temporary: str, file: str, path: Path) -> None:
    """Give the complete temporary file the new file's name, unless something took
    that name since the check: ``link`` fails where ``rename`` would replace."""
    try:
        os.link(temporary, file)
    except FileExistsError:
        raise OutputError(f"{path} already exists; use --force to replace it") from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        os.replace(temporary, file)


def _keep_owner(fd: int, info: os.stat_result) -> None:
    """Give the new file the old one's owner and group, or as much of that as this
    process may (root: both; a member of the group: the group)."""
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) == (info.st_uid, info.st_gid):
        return
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
    except OSError:
        if new.st_gid != info.st_gid:
            try:
                os.fchown(fd, -1, info.st_gid)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sync_folder(folder: str) -> None:
    """Put the rename on disk too (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_in_place(path: Path, plan: _Plan, data: bytes) -> None:
    """A file with several hard links, written over from its start and cut to length."""
    assert plan.info is not None
    fd = os.open(plan.file, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        _same_node(path, fd, plan.info)
        if len(data) > plan.info.st_size:
            _reserve(fd, len(data))
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except OSError as exc:
            raise OutputError(
                f"cannot write {path}: {_reason(exc)}; it was being written in place, "
                f"to keep its {plan.info.st_nlink} hard links, and may now be incomplete"
            ) from exc
    finally:
        os.close(fd)


def _reserve(fd: int, size: int) -> None:
    """Allocate ``size`` bytes before writing in place, so a full disk is found before
    the file is touched; skipped where the file system cannot."""
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL, errno.ENOSYS):
            raise


def _write_stream(path: Path, plan: _Plan, data: bytes) -> None:
    """A character device, FIFO or socket: opened for writing and written, never
    created, truncated or replaced."""
    assert plan.info is not None
    mode = plan.info.st_mode
    if stat.S_ISSOCK(mode):
        _send_to_socket(path, data)
        return
    if stat.S_ISFIFO(mode):
        fd = _open_fifo(path)
    else:
        # Non-blocking, so a device that waits on open (a modem line) cannot hang it.
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        _same_node(path, fd, plan.info)
        os.set_blocking(fd, True)
        write_all(fd, data)
    finally:
        os.close(fd)


def _same_node(path: Path, fd: int, info: os.stat_result) -> None:
    """Refuse to go on if what was opened is not what was checked (it was replaced in
    between)."""
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino, stat.S_IFMT(opened.st_mode)) != (
        info.st_dev,
        info.st_ino,
        stat.S_IFMT(info.st_mode),
    ):
        raise OutputError(f"cannot write {path}: it was replaced while being written")


def _open_fifo(path: Path) -> int:
    """Open a FIFO for writing once a process has it open for reading, waiting at most
    :data:`FIFO_WAIT` seconds: opening it blocking would wait forever for none."""
    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        if time.monotonic() >= deadline:
            raise OutputError(
                f"cannot write {path}: no process is reading the FIFO (waited {FIFO_WAIT:g} s)"
            )
        time.sleep(0.05)


def _send_to_socket(path: Path, data: bytes) -> None:
    """A Unix socket: connect to the process listening on it and send the text."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(os.fspath(path))
        except (ConnectionRefusedError, FileNotFoundError):
            raise OutputError(
                f"cannot write {path}: no process accepts connections on the socket"
            ) from None
        except OSError as exc:
            if exc.errno == errno.EPROTOTYPE:
                raise OutputError(
                    f"cannot write {path}: the socket takes datagrams, not a stream of text"
                ) from None
            raise
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
