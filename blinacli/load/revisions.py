"""Evidence as it was at a git revision, read without touching the working tree.

``blinacli diff HEAD~1 HEAD`` and ``digest --since main`` compare the evidence of
a commit with another: this module copies the evidence files of one commit into a
temporary folder, where the normal loader reads them. Nothing is checked out and
the working tree, the index and the repository are left as they are: the files
come from the object database through plain ``git`` commands (``ls-tree`` lists
the files under the evidence paths, ``cat-file --batch`` reads them all in one
process). Unlike ``git archive``, this reads the bytes as committed, whatever
``export-ignore`` or ``export-subst`` attributes the repository sets.

Paths are named as for other commands, relative to the working directory (or
absolute), and must lie inside the repository. Every failure is an error naming
what went wrong: git not installed, not a repository, a revision git does not
know (:class:`NotARevision`, a usage error), a path absent at that revision
(:class:`RevisionError`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from blinacli.base.errors import BlinacliError, UsageError

GIT_TIMEOUT = 120
"""Seconds any one git command may take before it is stopped."""


class RevisionError(BlinacliError):
    """Evidence could not be read at a revision: git is missing or failed, or a path
    is absent there. The CLI exits 1."""


class GitMissing(RevisionError):
    """No ``git`` command could be run."""


class NotARevision(UsageError):
    """An argument names neither an existing file or folder nor a revision git knows.
    The CLI exits 2."""


@dataclass
class Snapshot:
    """The evidence of one commit, copied into a temporary folder for the loader."""

    revision: str
    """The revision as the user wrote it ("HEAD~1", "main")."""
    commit: str
    """The commit it names (40 hex digits)."""
    root: Path
    """The temporary folder that holds the repository's files at that commit."""
    paths: list[Path]
    """The evidence paths to load, inside ``root``."""
    notes: list[str] = field(default_factory=list)
    """What was passed over (symbolic links, submodules), for --verbose."""

    def shown(self, text: str) -> str:
        """A file of this snapshot as a reader names it, ``main:evidence/e1910.yaml``, and
        so in a message that names one: never the temporary folder's path."""
        for prefix in sorted({str(self.root), os.path.realpath(self.root)}, key=len, reverse=True):
            text = text.replace(prefix + os.sep, f"{self.revision}:")
        return text


def _git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    """The standard output of ``git ARGS`` run in ``cwd``; :class:`RevisionError`
    with git's own message when it fails, or when git is not installed."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=env,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise GitMissing(
            "git is not installed (or not on PATH): it is needed to read a revision"
        ) from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {args[0]} took over {GIT_TIMEOUT} seconds; stopped") from None
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {done.returncode}"
        raise RevisionError(f"git {args[0]} failed: {detail}")
    return done.stdout


@dataclass(frozen=True)
class Repository:
    """The git repository the working directory is in."""

    top: Path
    """Its top folder (git's ``--show-toplevel``)."""
    prefix: str
    """The working directory's path inside it, "" at the top, else ending in "/"."""
    cwd: Path


def repository(cwd: Path | None = None) -> Repository:
    """The repository ``cwd`` (default: the working directory) is in, or
    :class:`RevisionError` when it is in none."""
    where = Path.cwd() if cwd is None else cwd
    try:
        out = _git(["rev-parse", "--show-toplevel", "--show-prefix"], where)
    except GitMissing:
        raise
    except RevisionError as exc:
        raise RevisionError(
            f"cannot read a revision: not inside a git repository ({exc})"
        ) from None
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    return Repository(Path(lines[0]), lines[1] if len(lines) > 1 else "", where)


def resolve(repo: Repository, revision: str) -> str | None:
    """The commit ``revision`` names, or None when git knows no such revision."""
    if not revision or revision.startswith("-") or "\n" in revision or "\0" in revision:
        return None
    try:
        out = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], repo.top)
    except GitMissing:
        raise
    except RevisionError:
        return None
    commit = out.decode("ascii", "replace").strip()
    return commit or None


def inside(repo: Repository, path: str | Path) -> str:
    """``path`` (relative to the working directory, or absolute) as a path from the top
    of the repository, in git's form ("evidence/e1910.yaml"; "." for the top itself).
    :class:`UsageError` when it lies outside the repository."""
    text = os.fspath(path)
    if os.path.isabs(text):
        top = os.path.realpath(repo.top)
        absolute = os.path.realpath(text)
        relative = os.path.relpath(absolute, top)
    else:
        relative = os.path.normpath(os.path.join(repo.prefix or ".", text))
    relative = PurePosixPath(Path(relative).as_posix()).as_posix()
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        raise UsageError(
            f"{text} is outside the git repository at {repo.top}: "
            "a revision's evidence must be named by a path inside it (--evidence)"
        )
    return relative


def _entries(listing: bytes) -> Iterator[tuple[str, str, str, str]]:
    """(mode, type, object, path) of each entry of ``git ls-tree -z`` output."""
    for record in listing.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        mode, kind, obj = head.decode("ascii").split(" ")
        yield mode, kind, obj, name.decode("utf-8", "surrogateescape")


def _matches(entry: str, wanted: str) -> bool:
    return wanted == "." or entry == wanted or entry.startswith(wanted + "/")


def _read_blobs(repo: Repository, objects: list[str]) -> list[bytes]:
    """The contents of the blobs ``objects``, in order, read by one ``cat-file --batch``."""
    if not objects:
        return []
    out = _git(["cat-file", "--batch"], repo.top, stdin="".join(f"{o}\n" for o in objects).encode())
    blobs: list[bytes] = []
    at = 0
    for obj in objects:
        end = out.index(b"\n", at)
        header = out[at:end].decode("ascii", "replace").split(" ")
        if len(header) != 3 or header[1] != "blob":
            raise RevisionError(f"git cat-file could not read object {obj}")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1  # the contents are followed by a newline
    return blobs


def _safe_parts(name: str) -> list[str]:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise RevisionError(f"git listed an unexpected path: {name!r}")
    return list(parts)


@contextmanager
def snapshot(
    revision: str,
    paths: Sequence[str | Path],
    *,
    repo: Repository | None = None,
) -> Iterator[Snapshot]:
    """The evidence at ``revision`` under ``paths``, in a temporary folder that is
    removed when the block ends. Each path must exist at that revision."""
    where = repo if repo is not None else repository()
    commit = resolve(where, revision)
    if commit is None:
        raise NotARevision(f"{revision!r} is neither a file or folder nor a git revision")
    wanted = [inside(where, p) for p in paths]
    listing = _git(
        ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit, "--", *wanted],
        where.top,
    )
    entries = list(_entries(listing))
    for path in wanted:
        if not any(_matches(name, path) for _, _, _, name in entries):
            raise RevisionError(f"{path} does not exist at {revision} (commit {commit[:12]})")
        if any(name == path and mode == "120000" for mode, _, _, name in entries):
            raise RevisionError(
                f"{path} is a symbolic link at {revision}: name the file or folder it points to"
            )
    files = [
        (obj, name) for mode, kind, obj, name in entries if kind == "blob" and mode != "120000"
    ]
    notes = [
        f"{revision}:{name}: "
        + ("a symbolic link, not followed" if kind == "blob" else "a submodule, not read")
        for mode, kind, _, name in entries
        if not (kind == "blob" and mode != "120000")
    ]
    root = Path(tempfile.mkdtemp(prefix="blinacli-revision-"))
    try:
        tree = root / "tree"
        tree.mkdir()
        for (_, name), data in zip(files, _read_blobs(where, [o for o, _ in files]), strict=True):
            target = tree.joinpath(*_safe_parts(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        chosen = [tree if path == "." else tree.joinpath(*_safe_parts(path)) for path in wanted]
        for path, target in zip(wanted, chosen, strict=True):
            if not any(name == path for _, name in files):
                target.mkdir(parents=True, exist_ok=True)  # a folder, maybe of links only
        yield Snapshot(revision, commit, tree, chosen, notes)
    finally:
        shutil.rmtree(root, ignore_errors=True)
