"""Find the evidence files to read: the locations in use and the YAML files under them.

Folders are searched recursively in a stable order. The walk stays in the folders it
was sent to: symbolic links inside them are passed over with a note unless
``follow_links`` asks to follow them (as ``rg -L`` and ``find -L`` do), and a folder
reached again (a link back to an ancestor, by device and inode) is never searched
twice. Hidden entries, other files and special files (named pipes, sockets,
devices) are passed over with a note. A path named directly is always read, even
when it is a symbolic link; a path that cannot be used (missing, a broken or looping
link, an empty folder, not a regular file) becomes a
:class:`~blinacli.base.findings.Finding`. Only regular files are ever opened for
reading (:func:`open_regular`).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import msgspec

from blinacli.base.findings import Finding, plural
from blinacli.base.resources import evidence_dir

ENV_EVIDENCE = "BLINACLI_EVIDENCE"
SUFFIXES = (".yaml", ".yml")
MISSING = "no such file or directory"
FOLLOW = "--follow-links follows links"
"""How a note about a link that was not followed says how to follow it."""


def evidence_paths(paths: Sequence[str | Path] | None = None) -> list[Path]:
    """The evidence locations in use: ``paths``, else $BLINACLI_EVIDENCE, else the bundled set."""
    if paths:
        return [Path(p) for p in paths]
    env = os.environ.get(ENV_EVIDENCE, "")
    from_env = [Path(p) for p in env.split(os.pathsep) if p.strip()]
    return from_env or [evidence_dir()]


def named_by(paths: Sequence[str | Path] | None = None) -> str | None:
    """What named the locations :func:`evidence_paths` gives for ``paths``: the variable
    $BLINACLI_EVIDENCE when they come from it, else None (given directly, or bundled)."""
    if paths:
        return None
    env = os.environ.get(ENV_EVIDENCE, "")
    return ENV_EVIDENCE if any(p.strip() for p in env.split(os.pathsep)) else None


class Discovery(msgspec.Struct):
    """The evidence files found under some paths, what was skipped, and what is wrong."""

    files: list[str]
    """The files as they are shown: relative to the working directory when inside it."""
    problems: list[Finding]
    skipped: list[str]
    """Notes on what was passed over (other files, hidden folders, links), for --verbose."""
    real: list[str] = msgspec.field(default_factory=list)
    """The resolved path of each file in ``files``: the key the cache knows it by."""
    unfollowed: list[str] = msgspec.field(default_factory=list)
    """The symbolic links inside folders not followed (to a folder or named *.yaml/*.yml)."""


Walked = list[tuple[str, os.stat_result]]
"""What a walk looked at to find the files: each path named and each folder searched
(resolved), with its status then. While none of them changes, the walk would find the
same (see :mod:`blinacli.load.cache`)."""


def discover(
    paths: Iterable[Path],
    *,
    follow_links: bool = False,
    named_by: str | None = None,
    walked: Walked | None = None,
) -> Discovery:
    """Expand directories into their YAML files: recursively, sorted, hidden entries and
    special files skipped, symbolic links inside them followed only with
    ``follow_links``. ``named_by`` names where the paths came from (the variable
    $BLINACLI_EVIDENCE), for the findings about them. What the walk looked at is
    added to ``walked`` when it is given."""
    found = Discovery([], [], [])
    candidates: list[str] = []  # resolved paths, in order
    seen: Walked = walked if walked is not None else []
    for path in paths:
        problem = _top_level(path, found, candidates, follow_links, seen)
        if problem is not None and named_by is not None:
            problem = _named(problem, named_by)
        if problem is not None:
            found.problems.append(problem)
    found.real = list(dict.fromkeys(candidates))
    found.files = shown(found.real)
    return found


def shown(real: list[str]) -> list[str]:
    """Resolved paths as they are shown: relative to the working directory when inside it."""
    inside = os.getcwd().rstrip(os.sep) + os.sep
    return [path[len(inside) :] if path.startswith(inside) else path for path in real]


def _top_level(
    path: Path, found: Discovery, candidates: list[str], follow_links: bool, walked: Walked
) -> Finding | None:
    """Add what a path named directly holds; the finding when it cannot be used."""
    try:
        status = os.stat(path)  # a link named directly is followed
        walked.append((str(path), status))
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.islink(path):
            return Finding(_display(path), "file", MISSING)
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            return _link_problem(path)
        return Finding(_display(path), "file", f"cannot read: {exc.strerror or exc}")
    if stat.S_ISREG(status.st_mode):
        candidates.append(os.path.realpath(path))
        return None
    if not stat.S_ISDIR(status.st_mode):
        return Finding(
            _display(path),
            "file",
            f"{_kind(status.st_mode)}, not a regular file: evidence is read from regular "
            "files and folders only",
        )
    before, links = len(candidates), len(found.unfollowed)
    _Walk(found, follow_links, walked).run(path, status, candidates)
    if len(candidates) > before:
        return None
    skipped = len(found.unfollowed) - links
    return Finding(
        _display(path),
        "file",
        "no evidence files (*.yaml, *.yml) in this directory",
        hint=(
            f"it holds {plural(skipped, 'symbolic link')}, not followed without --follow-links"
            if skipped
            else None
        ),
    )


def _named(problem: Finding, named_by: str) -> Finding:
    """A finding about a path from $BLINACLI_EVIDENCE, saying that the variable named it."""
    if problem.message == MISSING:
        return msgspec.structs.replace(
            problem, message=f"{named_by} names {problem.file}, which does not exist"
        )
    if problem.hint is None:
        return msgspec.structs.replace(problem, hint=f"{named_by} names this path")
    return msgspec.structs.replace(problem, hint=f"{problem.hint}; {named_by} names this path")


_Identity = tuple[int, int]
"""A folder as the file system knows it: (device, inode), the same by any path."""


class _Walk:
    """One folder's walk: the YAML files under it, sorted by their resolved parts.

    Works on strings and directory entries, which know whether they are files, folders
    or links without a system call: a folder of 10,000 files is listed in milliseconds.
    Only folders (and, when following links, links) are looked at more closely."""

    def __init__(self, found: Discovery, follow_links: bool, walked: Walked) -> None:
        self.found = found
        self.follow_links = follow_links
        self.walked = walked
        self.seen: dict[_Identity, str] = {}
        """Each folder searched, by identity, with its resolved path."""

    def run(self, root: Path, status: os.stat_result, candidates: list[str]) -> None:
        real_root = os.path.realpath(root)
        identity = (status.st_dev, status.st_ino)
        self.seen[identity] = real_root
        pending: list[tuple[Path, str, frozenset[_Identity]]] = [
            (root, real_root, frozenset({identity}))
        ]
        files: list[tuple[list[str], str]] = []
        while pending:
            folder, real_folder, ancestors = pending.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError as exc:
                self.found.problems.append(
                    Finding(_display(folder), "file", f"cannot read: {exc.strerror or exc}")
                )
                continue
            folders: list[tuple[Path, str, frozenset[_Identity]]] = []
            prefix = real_folder if real_folder.endswith(os.sep) else real_folder + os.sep
            for entry in entries:
                name = entry.name
                kind = "hidden" if name.startswith(".") else _entry_kind(entry)
                if kind == "file" and name.endswith(SUFFIXES):  # the common case, kept cheap
                    real = prefix + name  # os.path.join(real_folder, name), at a fifth the cost
                    files.append((real.split(os.sep), real))
                elif kind == "file":
                    self.skip(folder / name, "not a .yaml or .yml file")
                elif kind == "hidden":
                    self.skip(folder / name, "hidden")
                elif kind == "link":
                    self.link(entry, folder / name, ancestors, folders, files)
                elif kind == "folder":
                    try:
                        here = entry.stat(follow_symlinks=False)
                    except OSError as exc:
                        self.skip(folder / name, f"cannot read: {exc.strerror or exc}")
                        continue
                    real = os.path.join(real_folder, name)
                    self.enter(folder / name, real, here, False, ancestors, folders)
                else:
                    self.special(folder / name, entry)
            pending.extend(reversed(folders))
        files.sort(key=lambda item: item[0])
        candidates.extend(real for _, real in files)

    def skip(self, path: Path, why: str) -> None:
        self.found.skipped.append(f"skipped {_display(path)}: {why}")

    def file(self, path: Path, real: str, files: list[tuple[list[str], str]]) -> None:
        if path.name.endswith(SUFFIXES):
            files.append((real.split(os.sep), real))
        else:
            self.skip(path, "not a .yaml or .yml file")

    def special(self, path: Path, entry: os.DirEntry[str]) -> None:
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            mode = 0
        self.skip(path, f"{_kind(mode)}, not a regular file")

    def link(
        self,
        entry: os.DirEntry[str],
        path: Path,
        ancestors: frozenset[_Identity],
        folders: list[tuple[Path, str, frozenset[_Identity]]],
        files: list[tuple[list[str], str]],
    ) -> None:
        """A symbolic link inside a folder: passed over, or followed with follow_links."""
        if not self.follow_links:
            if path.name.endswith(SUFFIXES) or _safely(entry.is_dir):
                self.found.unfollowed.append(_display(path))
            self.skip(path, f"a symbolic link ({FOLLOW})")
            return
        try:
            target = os.stat(entry.path)
        except OSError:
            problem = _link_problem(path)
            if path.name.endswith(SUFFIXES):
                self.found.problems.append(problem)
            else:
                self.skip(path, problem.message)
            return
        real = os.path.realpath(entry.path)
        if stat.S_ISDIR(target.st_mode):
            self.enter(path, real, target, True, ancestors, folders)
        elif stat.S_ISREG(target.st_mode):
            self.file(path, real, files)
        else:
            self.skip(path, f"{_kind(target.st_mode)}, not a regular file")

    def enter(
        self,
        folder: Path,
        real: str,
        status: os.stat_result,
        is_link: bool,
        ancestors: frozenset[_Identity],
        folders: list[tuple[Path, str, frozenset[_Identity]]],
    ) -> None:
        """Queue a folder, unless it is one of its own ancestors again (a loop) or a
        second way into a folder already searched."""
        identity = (status.st_dev, status.st_ino)
        if identity in ancestors:
            back = _display(Path(self.seen.get(identity, real)))
            message = (
                f"symbolic link loop: leads back to {back}; not followed"
                if is_link
                else f"folder loop: this is {back} again, reached through a symbolic link; "
                "not followed"
            )
            self.found.problems.append(Finding(_display(folder), "file", message))
        elif identity in self.seen:
            self.skip(folder, f"the same folder as {_display(Path(self.seen[identity]))}")
        else:
            self.seen[identity] = real
            self.walked.append((real, status))
            folders.append((folder, real, ancestors | {identity}))


def _entry_kind(entry: os.DirEntry[str]) -> str:
    """ "link", "folder", "file" or "other": what a directory entry is in itself (a link
    is not followed), from the listing alone on most file systems."""
    try:
        if entry.is_symlink():
            return "link"
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        if entry.is_file(follow_symlinks=False):
            return "file"
    except OSError:
        pass
    return "other"


def _safely(check: Callable[..., bool], **options: bool) -> bool:
    """The answer of a directory entry's ``is_…`` method; False when asking fails."""
    try:
        return check(**options)
    except OSError:
        return False


def _kind(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, only if it is a regular file.

    A named pipe, a socket or a device is refused with an :class:`OSError` whose
    ``strerror`` says what it is, before it is opened and again on the open file (in
    case the path was replaced in between): the open never waits for a writer, and
    nothing is read from a device.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, f"{_kind(mode)}, not a regular file", str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"{_kind(mode)}, not a regular file", str(path))
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _link_problem(path: Path) -> Finding:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11-3.12 report a loop this way
        return Finding(_display(path), "file", "symbolic link loop")
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # Python 3.13 and later
            return Finding(_display(path), "file", "symbolic link loop")
        return Finding(_display(path), "file", "broken symbolic link: its target does not exist")
    return Finding(_display(path), "file", "not a regular file")


def _display(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when inside it.

    Links are not followed: a problem with a link names the link.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
