"""A cache of parsed, validated studies, so a second look-up skips YAML altogether.

One cache file per set of evidence locations, in ``$XDG_CACHE_HOME/blinacli`` (else
``~/.cache/blinacli``), named after a checksum of those locations (which the file also
records, so two sets whose names collide only replace each other's cache). It maps each evidence
file's resolved path to its size, modification time and inode, and to the validated
study (MessagePack, via msgspec). A file whose size, time or inode differs is parsed
again. Only valid files are cached: a file with a finding is read every time, so its
report never comes from the cache.

The cache never changes what a command prints. A cache that cannot be read, was
written by another version, or fails to decode is ignored and rebuilt; one that cannot
be written (a read-only folder) is simply not kept. Writes go to a temporary file that
is renamed into place, so two processes loading at once never leave a half-written
cache: the last complete one wins.

A file modified in the two seconds before the cache is written is not cached: a second
edit within the file system's timestamp granularity could otherwise keep the same size
and time and go unseen.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import msgspec

from blinacli import __version__
from blinacli.model import SCHEMA_VERSION, Study

ENV_CACHE_HOME = "XDG_CACHE_HOME"
FRESH_NS = 2_000_000_000
"""Files modified this recently (in nanoseconds) before a write are not cached."""


class Entry(msgspec.Struct, array_like=True, frozen=True):
    size: int
    mtime_ns: int
    inode: int
    study: Study


class Contents(msgspec.Struct, frozen=True):
    schema: int
    version: str
    locations: str
    entries: dict[str, Entry]


_decoder = msgspec.msgpack.Decoder(Contents)
_encoder = msgspec.msgpack.Encoder()


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/blinacli``, else ``~/.cache/blinacli``."""
    base = os.environ.get(ENV_CACHE_HOME, "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "blinacli"


def signature(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


class StudyCache:
    """The cached studies for one set of evidence locations."""

    def __init__(self, locations: Sequence[Path]) -> None:
        self.locations = "\0".join(os.path.abspath(p) for p in locations)
        digest = zlib.crc32(self.locations.encode("utf-8", "surrogateescape"))
        self.file = cache_dir() / f"evidence-{digest:08x}.msgpack"
        self._old: dict[str, Entry] = self._read()
        self._new: dict[str, Entry] = {}
        self._changed = False

    def _read(self) -> dict[str, Entry]:
        try:
            contents = _decoder.decode(self.file.read_bytes())
        except (OSError, msgspec.DecodeError, msgspec.ValidationError, ValueError):
            return {}
        if (contents.schema, contents.version, contents.locations) != (
            SCHEMA_VERSION,
            __version__,
            self.locations,  # another set of locations whose name hashes the same
        ):
            return {}
        return contents.entries

    def get(self, key: str, stat: os.stat_result) -> Study | None:
        """The cached study for the file ``key`` if it is unchanged since it was cached."""
        entry = self._old.get(key)
        if entry is None or (entry.size, entry.mtime_ns, entry.inode) != signature(stat):
            return None
        self._new[key] = entry
        return entry.study

    def put(self, key: str, stat: os.stat_result, study: Study) -> None:
        """Remember a study just parsed and found valid."""
        size, mtime_ns, inode = signature(stat)
        if mtime_ns > time.time_ns() - FRESH_NS:
            self._changed = True  # not trusted yet; the next run tries again
            return
        self._new[key] = Entry(size, mtime_ns, inode, study)
        self._changed = True

    def save(self) -> None:
        """Write the cache if anything changed; quietly keep none if it cannot be written."""
        if not self._changed and self._new.keys() == self._old.keys():
            return
        import tempfile

        data = _encoder.encode(Contents(SCHEMA_VERSION, __version__, self.locations, self._new))
        folder = self.file.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".evidence-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, self.file)
        except BaseException as exc:
            Path(temporary).unlink(missing_ok=True)
            if not isinstance(exc, OSError):
                raise
