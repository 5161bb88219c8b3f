"""The files blinacli keeps for itself between runs, and when to believe them.

Everything blinacli keeps in its cache folder (the study cache, :mod:`blinacli.load.cache`,
and any other file kept there to make a later run faster, such as an index of the
evidence) is read and written through this module, so that none of it is ever believed
just because it is there. The rules:

- **The folder** is ``$XDG_CACHE_HOME/blinacli``, else ``~/.cache/blinacli`` (on macOS
  ``~/Library/Caches/blinacli``: :func:`blinacli.load.cache.cache_dir`). blinacli makes
  it (and a missing ``$XDG_CACHE_HOME`` or ``~/.cache``) readable by its owner alone. It is
  used only if it is a folder of its own (not a symbolic link), belongs to the user running
  blinacli and cannot be written by other users; the folder that holds it must belong to the
  user or to root and must not be writable by other users, unless only a file's owner may
  rename or remove it there (the sticky bit, as on ``/tmp``). Otherwise the folder is not
  used at all, neither read nor written (:class:`Untrusted` says why). A folder its group
  may write is accepted: private user groups make that common, and every file is checked
  on its own anyway.
- **A file** in the folder is read only if it is a regular file (a FIFO, a device, a folder
  or a symbolic link is refused without being opened or followed), belongs to the user,
  cannot be written by anyone else, and is no larger than the reader allows. It is opened
  without following links and without waiting, checked again once open, and read up to
  the size the open file has. All of this goes through the opened folder, so a folder
  renamed or replaced meanwhile changes nothing.
- **What is written is sealed** (:func:`seal`) with a key kept in the folder, readable by
  the user alone: a file whose content does not carry blinacli's seal for exactly that
  content (truncated, edited, or written by anything but blinacli running as this user) is
  ignored by :func:`unseal`.
- **Writes are atomic**: a temporary file named ``.NAME.PID.tmp`` (``NAME`` the file it
  will replace, ``PID`` the writing process) is renamed into place, so a reader sees the
  old file or the new one, never half of one. A temporary file is removed by the next run
  (:meth:`Folder.sweep`) once the process that named it has ended, or once it is older than
  :data:`LEFTOVER_NS`. The only other file ever removed is one that an earlier version of
  blinacli kept and this one replaced (the study cache the evidence index took over from).
- **A file read in parts** (:meth:`Folder.open_reader`) is checked as a whole file is, and
  then read by offset from the file that was opened, so every part read belongs to the
  same version of it; what its parts must hold is sealed in a part read first.

The rules need POSIX (user ids, ``O_NOFOLLOW``, operations relative to an open folder);
where they cannot be enforced, :meth:`Folder.open` refuses the folder.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from pathlib import Path
from types import TracebackType

try:  # the C implementation alone: importing hashlib loads OpenSSL, 15 ms on every run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the module
    from hashlib import blake2b

KEY = "seal.key"
"""The file in the folder that holds the sealing key."""
KEY_BYTES = 32
SEAL = b"blinacli-sealed-1\n"
"""How every sealed file starts; the tag (:data:`TAG_BYTES`) and then the content follow."""
TAG_BYTES = 32
HEADER_BYTES = len(SEAL) + TAG_BYTES
LEFTOVER_NS = 10 * 60 * 1_000_000_000
"""Temporary files older than this (ten minutes) are removed whoever named them: no
process takes that long to write a cache."""

_TEMPORARY = re.compile(r"\.(?P<name>[A-Za-z0-9_-][A-Za-z0-9_.-]*)\.(?P<pid>[0-9]{1,10})\.tmp")
_EARLIER_TEMPORARY = re.compile(r"\.evidence-[A-Za-z0-9_]{8}\.tmp")
"""How blinacli versions before these rules named their temporary files (no process id:
removed by age alone)."""
_writing: set[str] = set()
"""The temporary files this process is writing now, so that its own are never swept."""

_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NOT_WAITING = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class Untrusted(Exception):
    """A folder or file of blinacli's that is not to be believed; says which, and why."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path} {why}")
        self.path = path
        self.why = why


def supported() -> bool:
    """Whether this system lets the rules above be enforced."""
    relative = (os.open, os.stat, os.mkdir, os.rename, os.link, os.unlink)
    return (
        hasattr(os, "geteuid")
        and bool(_NOFOLLOW and _DIRECTORY)
        and all(function in os.supports_dir_fd for function in relative)
        and os.scandir in os.supports_fd
    )


def seal(content: bytes, key: bytes) -> bytes:
    """``content`` as it is written: after :data:`SEAL` and a tag that only the holder of
    ``key`` can make for exactly this content."""
    return SEAL + _tag(content, key) + content


def unseal(data: bytes, key: bytes) -> memoryview | None:
    """The content ``data`` was sealed with under ``key``, or None if it was not."""
    if len(data) < HEADER_BYTES or not data.startswith(SEAL):
        return None
    content = memoryview(data)[HEADER_BYTES:]
    # A plain comparison: whoever could time it could already write the folder.
    return content if data[len(SEAL) : HEADER_BYTES] == _tag(content, key) else None


def _tag(content: bytes | memoryview, key: bytes) -> bytes:
    return blake2b(content, key=key, digest_size=TAG_BYTES).digest()


def _judge_folder(path: Path, status: os.stat_result, *, holder: bool) -> None:
    """Refuse a folder blinacli keeps files in (``holder`` False) or the folder that
    holds that one (``holder`` True), by the rules in this module's description."""
    if not stat.S_ISDIR(status.st_mode):
        raise Untrusted(path, "is not a folder")
    owners = (os.geteuid(), 0) if holder else (os.geteuid(),)
    if status.st_uid not in owners:
        raise Untrusted(path, "belongs to another user")
    sticky = holder and status.st_mode & stat.S_ISVTX
    if status.st_mode & stat.S_IWOTH and not sticky:
        raise Untrusted(path, "is writable by other users")


def _judge_file(path: Path, status: os.stat_result, limit: int) -> None:
    """Refuse a file that is not a regular file of the user's that only the user can
    write, or that is larger than ``limit`` bytes."""
    if stat.S_ISLNK(status.st_mode):
        raise Untrusted(path, "is a symbolic link")
    if not stat.S_ISREG(status.st_mode):
        raise Untrusted(path, "is not a regular file")
    if status.st_uid != os.geteuid():
        raise Untrusted(path, "belongs to another user")
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise Untrusted(path, "is writable by other users")
    if status.st_size > limit:
        raise Untrusted(path, "is larger than any file blinacli writes there")


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running on this machine (any user's): how the
    cache and the output writer tell a killed run's temporary file from a live one's."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    except (OverflowError, OSError):
        return False
    return True


class Reader:
    """A file of the cache folder, open and checked (:meth:`Folder.open_reader`), read
    in parts by offset. It stays open until :meth:`close`, or until nothing refers to
    it any more."""

    def __init__(self, descriptor: int, size: int) -> None:
        self._fd = descriptor
        self.size = size
        """The file's size when it was opened."""

    def read_at(self, offset: int, length: int) -> bytes | None:
        """``length`` bytes from ``offset``; None if the file holds fewer there."""
        if self._fd < 0 or offset < 0 or length < 0 or offset + length > self.size:
            return None
        chunks: list[bytes] = []
        while length > 0:
            chunk = os.pread(self._fd, min(length, 1 << 26), offset)
            if not chunk:
                return None
            chunks.append(chunk)
            offset += len(chunk)
            length -= len(chunk)
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def grown(self) -> bool:
        """Whether the file holds more now than when it was opened (being written to)."""
        return self._fd >= 0 and bool(os.pread(self._fd, 1, self.size))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:  # once nothing can read through it any more
        self.close()


class Folder:
    """blinacli's cache folder, opened and checked: every file in it is read, written and
    removed through the open folder, by the rules in this module's description."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._fd = descriptor

    @classmethod
    def open(cls, path: Path) -> Folder:
        """The folder ``path``, made if missing. Raises :class:`Untrusted` for a folder not
        to be used, and OSError for one that cannot be made or opened."""
        if not supported():
            raise Untrusted(path, "cannot be checked on this system")
        if not path.is_absolute():  # no home folder is known: it would be the working one
            raise Untrusted(path, "is not an absolute path")
        holder = path.parent
        os.makedirs(holder, mode=0o700, exist_ok=True)
        holder_fd = os.open(holder, _READ | _DIRECTORY)
        try:
            _judge_folder(holder, os.fstat(holder_fd), holder=True)
            try:
                os.mkdir(path.name, 0o700, dir_fd=holder_fd)
            except FileExistsError:
                pass
            try:
                descriptor = os.open(path.name, _READ | _DIRECTORY | _NOFOLLOW, dir_fd=holder_fd)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                found = os.stat(path.name, dir_fd=holder_fd, follow_symlinks=False)
                link = stat.S_ISLNK(found.st_mode)
                raise Untrusted(path, "is a symbolic link" if link else "is not a folder") from None
        finally:
            os.close(holder_fd)
        folder = cls(path, descriptor)
        try:
            _judge_folder(path, os.fstat(descriptor), holder=False)
        except BaseException:
            folder.close()
            raise
        return folder

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def read(self, name: str, limit: int) -> bytes | None:
        """The whole content of the file ``name``, at most ``limit`` bytes; None if there is
        no such file or it changed while being read. Raises :class:`Untrusted` for a file
        not to be believed."""
        reader = self.open_reader(name, limit)
        if reader is None:
            return None
        try:
            data = reader.read_at(0, reader.size)
            return None if data is None or reader.grown() else data  # shorter, or longer
        finally:
            reader.close()

    def open_reader(self, name: str, limit: int) -> Reader | None:
        """The file ``name`` opened for reading parts of it by offset, by the same rules
        as :meth:`read`; None if there is no such file. Raises :class:`Untrusted` for a
        file not to be believed. The reader reads the file that was opened, whatever
        replaces its name meanwhile, so what it reads is all of one version."""
        path = self.path / name
        try:
            found = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        _judge_file(path, found, limit)
        try:
            descriptor = os.open(name, _READ | _NOFOLLOW | _NOT_WAITING, dir_fd=self._fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Untrusted(path, "is a symbolic link") from None
            raise
        try:
            opened = os.fstat(descriptor)
            _judge_file(path, opened, limit)
        except BaseException:
            os.close(descriptor)
            raise
        if (opened.st_dev, opened.st_ino) != (found.st_dev, found.st_ino):
            os.close(descriptor)
            return None  # replaced between the look and the open
        return Reader(descriptor, opened.st_size)

    def write(self, name: str, data: bytes) -> None:
        """Replace the file ``name`` by ``data`` at once (readable by the user alone)."""
        self._publish(name, data, replace=True)

    def create(self, name: str, data: bytes) -> bool:
        """Make the file ``name`` with ``data``, whole, unless it exists: False if it does
        (another process made it first)."""
        return self._publish(name, data, replace=False)

    def _publish(self, name: str, data: bytes, *, replace: bool) -> bool:
        temporary = f".{name}.{os.getpid()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        _writing.add(temporary)
        try:
            descriptor = os.open(temporary, flags, 0o600, dir_fd=self._fd)
            try:
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(descriptor, view) :]
                finally:
                    os.close(descriptor)
                if replace:  # POSIX rename: replaces the file atomically
                    os.rename(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
                    return True
                try:
                    os.link(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
                except FileExistsError:
                    return False
                finally:
                    os.unlink(temporary, dir_fd=self._fd)
                return True
            except BaseException:
                try:
                    os.unlink(temporary, dir_fd=self._fd)
                except OSError:
                    pass
                raise
        finally:
            _writing.discard(temporary)

    def remove_regular(self, name: str) -> None:
        """Remove the file ``name`` if it is a regular file of the user's (a file that
        an earlier version of blinacli kept and this one replaced)."""
        try:
            found = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
            if stat.S_ISREG(found.st_mode) and found.st_uid == os.geteuid():
                os.unlink(name, dir_fd=self._fd)
        except OSError:
            pass

    def key(self) -> bytes:
        """The folder's sealing key, made on first use; one that cannot be believed, or
        is not a key, is replaced (what it sealed is then rebuilt)."""
        try:
            found = self.read(KEY, KEY_BYTES)
        except Untrusted:
            found = b""
        if found is not None and len(found) == KEY_BYTES:
            return found
        new = os.urandom(KEY_BYTES)
        if found is not None:
            self.write(KEY, new)
            return new
        if self.create(KEY, new):
            return new
        made = self.read(KEY, KEY_BYTES)  # another process made it just now
        if made is None or len(made) != KEY_BYTES:
            raise OSError(errno.EAGAIN, "the cache's key is being replaced")
        return made

    def sweep(self) -> None:
        """Remove the temporary files that runs which ended (killed, or out of disk space)
        left behind; see this module's description for which."""
        now = time.time_ns()
        me = os.getpid()
        with os.scandir(self._fd) as entries:
            names = [entry.name for entry in entries if entry.name.endswith(".tmp")]
        for name in names:
            ours = _TEMPORARY.fullmatch(name)
            if ours is None and _EARLIER_TEMPORARY.fullmatch(name) is None:
                continue
            try:
                found = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(found.st_mode):
                continue
            if found.st_mtime_ns >= now - LEFTOVER_NS:
                if ours is None:
                    continue
                pid = int(ours["pid"])
                if pid == me and name in _writing:
                    continue
                if pid != me and process_alive(pid):
                    continue
            try:
                os.unlink(name, dir_fd=self._fd)
            except OSError:
                pass
