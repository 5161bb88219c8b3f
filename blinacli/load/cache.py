"""A cache of parsed, validated studies, so a second look-up skips YAML altogether.

One cache file per set of evidence locations, in ``$XDG_CACHE_HOME/blinacli`` (else
``~/Library/Caches/blinacli`` on macOS, ``~/.cache/blinacli`` elsewhere), named after a
checksum of those locations (which the file also records, so two sets whose names collide
only replace each other's cache). It maps each evidence file's resolved path to its
signature (size, modification time, change time, inode and device) and to the validated
study (MessagePack, via msgspec). A file whose signature differs is parsed again: an edit
that keeps the size and puts the modification time back (``touch -d``) still moves the
change time, which no user can set. Only valid files are cached: a file with a finding is
read every time, so its report never comes from the cache.

The cache is a convenience, never a source of truth: it never changes what a command
prints or its exit code. It is read and written by the rules of :mod:`blinacli.load.trust`:
a cache folder that is not the user's own, or that others can write, is not used at all;
a cache file that is not a regular file of the user's, that others can write, that is
larger than :data:`MAX_BYTES`, or whose content does not carry the seal blinacli gave it,
is ignored and rebuilt, as is one that fails to decode into the model (which validates
every type and bound again), or was written by another version. Since only blinacli,
running as the user, can seal a cache, and it caches only studies the loader accepted
for exactly the file they are filed under, a study from the cache is one the loader
would accept from that file. One that cannot be written (a read-only folder) is simply
not kept. Writes go to a temporary file that is renamed into place, so two processes
loading at once never leave a half-written cache: the last complete one wins.

A file modified, or whose status changed, in the two seconds before it was looked at is
not cached: a second change within the file system's timestamp granularity could
otherwise keep the whole signature and go unseen.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import msgspec

from blinacli import __version__
from blinacli.load import trust
from blinacli.model import SCHEMA_VERSION, Study

ENV_CACHE_HOME = "XDG_CACHE_HOME"
FRESH_NS = 2_000_000_000
"""Files modified, or whose status changed, this recently (in nanoseconds) before they
were looked at are not cached."""
MAX_BYTES = 512 << 20
"""The largest cache file written or read (512 MiB, about 170,000 studies): a larger one
is not kept, and one found larger is not read."""


class Entry(msgspec.Struct, array_like=True, frozen=True):
    """One cached study and the signature of the file it was parsed from."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    study: Study


class Contents(msgspec.Struct, frozen=True):
    """What a cache file holds (sealed): the versions it was written by, the evidence
    locations it is for, and each file's entry by resolved path."""

    schema: int
    version: str
    locations: str
    entries: dict[str, Entry]


_decoder = msgspec.msgpack.Decoder(Contents)
_encoder = msgspec.msgpack.Encoder()


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/blinacli`` wherever that is set; else the platform's user cache
    folder: ``~/Library/Caches/blinacli`` on macOS, ``~/.cache/blinacli`` elsewhere (on
    Windows the cache is never used: its rules need POSIX). Without a home folder the
    path is not absolute, and the cache is not used (see :mod:`blinacli.load.trust`).

    These are the folders ``platformdirs`` gives, written out: importing it would cost a
    look-up several milliseconds (docs/decisions.md, "Cache folder")."""
    base = os.environ.get(ENV_CACHE_HOME, "").strip()
    if base and os.path.isabs(base):
        return Path(base) / "blinacli"
    home = Path(os.path.expanduser("~"))
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "blinacli"
    return home / ".cache" / "blinacli"


def signature(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    """What must be unchanged for a file's cached study to be used, in :class:`Entry`'s order."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


class StudyCache:
    """The cached studies for one set of evidence locations.

    ``notes`` says, for --verbose, why a cache was not used or was rebuilt when blinacli
    would not believe what it found; a cache merely missing, outdated or damaged is
    rebuilt without a word.
    """

    def __init__(self, locations: Sequence[Path]) -> None:
        self.locations = "\0".join(os.path.abspath(p) for p in locations)
        digest = zlib.crc32(self.locations.encode("utf-8", "surrogateescape"))
        self.file = cache_dir() / f"evidence-{digest:08x}.msgpack"
        self.notes: list[str] = []
        self._key: bytes | None = None
        """The cache folder's sealing key; None while the folder is not to be used."""
        self._changed = False
        self._old: dict[str, Entry] = self._read()
        self._new: dict[str, Entry] = {}

    def _read(self) -> dict[str, Entry]:
        try:
            with trust.Folder.open(self.file.parent) as folder:
                folder.sweep()
                self._key = folder.key()
                data = folder.read(self.file.name, MAX_BYTES)
        except trust.Untrusted as refused:
            if self._key is None:
                self.notes.append(f"the study cache is not used: {refused}")
            else:
                self.notes.append(f"the study cache is rebuilt: {refused}")
                self._changed = True
            return {}
        except OSError:
            return {}
        if data is None:
            return {}
        self._changed = True  # unless it is used below, the file is replaced
        content = trust.unseal(data, self._key)
        if content is None:
            return {}
        try:
            contents = _decoder.decode(content)
        except Exception:  # whatever is wrong with it, the cache is rebuilt
            return {}
        if (contents.schema, contents.version, contents.locations) != (
            SCHEMA_VERSION,
            __version__,
            self.locations,  # another set of locations whose name hashes the same
        ):
            return {}
        self._changed = False
        return contents.entries

    def get(self, key: str, stat: os.stat_result) -> Study | None:
        """The cached study for the file ``key`` if it is unchanged since it was cached."""
        entry = self._old.get(key)
        if entry is None or (
            entry.size,
            entry.mtime_ns,
            entry.ctime_ns,
            entry.inode,
            entry.device,
        ) != signature(stat):
            return None
        self._new[key] = entry
        return entry.study

    def put(self, key: str, stat: os.stat_result, study: Study) -> None:
        """Remember a study just parsed from the file ``key`` and found valid (the loader
        calls this for exactly those: nothing else is ever cached)."""
        self._changed = True
        if max(stat.st_mtime_ns, stat.st_ctime_ns) > time.time_ns() - FRESH_NS:
            return  # not trusted yet; the next run tries again
        self._new[key] = Entry(*signature(stat), study)

    def save(self) -> None:
        """Write the cache if anything changed; quietly keep none if it cannot be written."""
        if self._key is None:
            return  # the folder is not to be used
        if not self._changed and self._new.keys() == self._old.keys():
            return
        content = _encoder.encode(Contents(SCHEMA_VERSION, __version__, self.locations, self._new))
        data = trust.seal(content, self._key)
        if len(data) > MAX_BYTES:
            return
        try:
            with trust.Folder.open(self.file.parent) as folder:
                folder.write(self.file.name, data)
        except (trust.Untrusted, OSError):
            return
