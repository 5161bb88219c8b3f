"""The evidence index: what an earlier load learnt about each file, kept so that a later
one reads only what it needs.

One index file per set of evidence locations, in ``$XDG_CACHE_HOME/blinacli`` (else
``~/Library/Caches/blinacli`` on macOS, ``~/.cache/blinacli`` elsewhere), named after a
checksum of those locations (which the index also records, so two sets whose names
collide only replace each other's). For each evidence file, by resolved path, it keeps:

- the file's signature (size, modification time, change time, inode and device): a
  file whose signature differs is parsed again. An edit that keeps the size and puts the
  modification time back (``touch -d``) still moves the change time, which no user can
  set;
- what look-ups, completion, filters and the list need without the whole study: the
  id, acronym and title, and the *summaries* the command line asks for (the list row,
  the fields the filters read; :class:`Summary`), each ready-made;
- where its validated study lies in the store, with a digest of it.

The file is a short header, the index (MessagePack, via msgspec, sealed), then the
studies one after another (the store). A load reads the header and the index, one
``stat`` per evidence file, and the summaries it uses; a study is read from the store,
by offset, only when a command needs that study (``show ID`` reads one, ``list`` none).
The index's seal covers each study's digest, so a study read from the store is checked
against it: a study whose bytes differ is not used (its file is parsed instead, and the
index rewritten). Only valid files are indexed: a file with a finding is read every
time, so its report never comes from the cache.

The cache is a convenience, never a source of truth: it never changes what a command
prints or its exit code. It is read and written by the rules of :mod:`blinacli.load.trust`:
a cache folder that is not the user's own, or that others can write, is not used at all;
an index file that is not a regular file of the user's, that others can write, that is
larger than :data:`MAX_BYTES`, or whose index does not carry the seal blinacli gave it, is
ignored and rebuilt, as is one that fails to decode (every study read from the store is
validated again by the model as it is decoded), was written by another version of
blinacli or of its code, or holds other summaries than the ones asked for. Since only
blinacli, running as the user, can seal an index, and it indexes only studies the loader
accepted for exactly the file they are filed under, a study from the store is one the
loader would accept from that file. An index that cannot be written (a read-only folder)
is simply not kept. Writes go to a temporary file that is renamed into place, so two
processes loading at once never leave a half-written index: the last complete one wins,
and a reader goes on reading the file it opened.

A file modified, or whose status changed, in the two seconds before it was looked at is
not indexed: a second change within the file system's timestamp granularity could
otherwise keep the whole signature and go unseen.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from blinacli import __version__
from blinacli.load import trust
from blinacli.model import SCHEMA_VERSION, Study

try:  # the C implementation alone: importing hashlib loads OpenSSL (see trust)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the module
    from hashlib import blake2b

ENV_CACHE_HOME = "XDG_CACHE_HOME"
FRESH_NS = 2_000_000_000
"""Files modified, or whose status changed, this recently (in nanoseconds) before they
were looked at are not indexed."""
MAX_BYTES = 512 << 20
"""The largest index file written or read (512 MiB, about 150,000 studies): a larger one
is not kept, and one found larger is not read."""
MAGIC = b"blinacli-index-2\n"
"""How an index file starts; the length of the sealed index (:data:`LENGTH_BYTES`, big
endian), the sealed index and the store follow."""
LENGTH_BYTES = 8
DIGEST_BYTES = 16
SUFFIX = ".index"
FORMER_SUFFIX = ".msgpack"
"""The study cache of blinacli 0.2 (every study in one sealed file), replaced by the index."""


@dataclass(frozen=True, eq=False)
class Summary:
    """A ready-made part of what a command shows, computed from a study when it is
    indexed and kept beside it: ``make`` computes it (from the study alone), ``type`` is
    what it decodes back into (a msgspec type). ``name`` identifies it in the index.
    The views define the summaries; the command line names those it wants indexed."""

    name: str
    make: Callable[[Study], Any]
    type: Any
    _decoder: list[msgspec.msgpack.Decoder[Any]] = field(default_factory=list, repr=False)

    def decode(self, data: bytes | msgspec.Raw) -> Any:
        if not self._decoder:
            self._decoder.append(msgspec.msgpack.Decoder(self.type))
        return self._decoder[0].decode(data)


class Entry(msgspec.Struct, array_like=True, frozen=True):
    """One indexed file: its signature, its study's names, where the study lies in the
    store (and its digest), and its summaries in the index's order."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    id: str
    acronym: str
    title: str
    offset: int
    length: int
    digest: bytes
    summaries: list[msgspec.Raw]


class Index(msgspec.Struct, frozen=True):
    """What an index file holds (sealed): the versions and the code it was written by,
    the evidence locations it is for, the summaries each entry carries, and each file's
    entry by resolved path."""

    schema: int
    version: str
    code: str
    locations: str
    summaries: list[str]
    entries: dict[str, Entry]
    store_bytes: int
    """How long the store after the index is: a file of another length is not used."""


class Fresh(msgspec.Struct, frozen=True):
    """A study parsed in this run, to be indexed: its encoded study and summaries."""

    signature: tuple[int, int, int, int, int]
    id: str
    acronym: str
    title: str
    record: bytes
    summaries: list[bytes]


_index_decoder = msgspec.msgpack.Decoder(Index)
_study_decoder = msgspec.msgpack.Decoder(Study)
_encoder = msgspec.msgpack.Encoder()


def decode_study(data: bytes) -> Study:
    """A study from its MessagePack (validated again by the model as it is decoded)."""
    return _study_decoder.decode(data)


def encode_summaries(study: Study, summaries: Sequence[Summary]) -> list[bytes]:
    return [_encoder.encode(summary.make(study)) for summary in summaries]


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
    """What must be unchanged for a file's indexed study to be used, in :class:`Entry`'s order."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


@cache
def code_version() -> str:
    """A checksum of blinacli's own modules (their names, sizes and modification times),
    so that summaries made by other code than the one running are never used, even
    where the version number stayed the same (a working copy being changed)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts: list[str] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        found = entry.stat()
                        parts.append(f"{entry.path}\0{found.st_size}\0{found.st_mtime_ns}")
                    elif entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        pending.append(entry.path)
        except OSError:
            continue
    return f"{zlib.crc32(chr(10).join(sorted(parts)).encode('utf-8', 'surrogateescape')):08x}"


def _digest(data: bytes | memoryview) -> bytes:
    return blake2b(data, digest_size=DIGEST_BYTES).digest()


def pack(index: Index, records: Sequence[bytes], key: bytes) -> bytes:
    """An index file: the header, ``index`` sealed with ``key``, then the store (the
    ``records`` at the offsets the index gives)."""
    sealed = trust.seal(_encoder.encode(index), key)
    return b"".join([MAGIC, len(sealed).to_bytes(LENGTH_BYTES, "big"), sealed, *records])


def unpack(data: bytes, key: bytes) -> tuple[Index, bytes] | None:
    """The index and the store of the index file ``data``, if it carries the seal of
    ``key``; else None."""
    start = len(MAGIC) + LENGTH_BYTES
    if not data.startswith(MAGIC):
        return None
    length = int.from_bytes(data[len(MAGIC) : start], "big")
    content = trust.unseal(data[start : start + length], key)
    if content is None:
        return None
    return _index_decoder.decode(content), data[start + length :]


class StudyCache:
    """The evidence index for one set of evidence locations, and its store.

    :meth:`get` answers, for a file and its status now, whether the file is indexed
    unchanged; :meth:`study` and :meth:`summary` read what the index keeps for it;
    :meth:`put` indexes a study just parsed, and :meth:`save` writes the index if
    anything changed. ``notes`` says, for --verbose, why the cache was not used or was
    rebuilt when blinacli would not believe what it found; an index merely missing,
    outdated or damaged is rebuilt without a word.
    """

    def __init__(self, locations: Sequence[Path], summaries: Sequence[Summary] = ()) -> None:
        self.locations = "\0".join(os.path.abspath(p) for p in locations)
        digest = zlib.crc32(self.locations.encode("utf-8", "surrogateescape"))
        self.name = f"evidence-{digest:08x}"
        self.file = cache_dir() / f"{self.name}{SUFFIX}"
        self.summaries = list(summaries)
        self.names = [summary.name for summary in summaries]
        self.notes: list[str] = []
        self._key: bytes | None = None
        """The cache folder's sealing key; None while the folder is not to be used."""
        self._changed = False
        self._reader: trust.Reader | None = None
        self._base = 0
        """Where the store starts in the index file."""
        self._old: dict[str, Entry] = self._read()
        self._new: dict[str, Entry | Fresh] = {}

    def _read(self) -> dict[str, Entry]:
        try:
            with trust.Folder.open(self.file.parent) as folder:
                folder.sweep()
                self._key = folder.key()
                reader = folder.open_reader(self.file.name, MAX_BYTES)
        except trust.Untrusted as refused:
            if self._key is None:
                self.notes.append(f"the study cache is not used: {refused}")
            else:
                self.notes.append(f"the study cache is rebuilt: {refused}")
                self._changed = True
            return {}
        except OSError:
            return {}
        if reader is None:
            return {}
        self._changed = True  # unless it is used below, the file is replaced
        head = reader.read_at(0, len(MAGIC) + LENGTH_BYTES)
        if head is None or not head.startswith(MAGIC):
            reader.close()
            return {}
        length = int.from_bytes(head[len(MAGIC) :], "big")
        sealed = reader.read_at(len(head), length)
        content = None if sealed is None else trust.unseal(sealed, self._key)
        if content is None:
            reader.close()
            return {}
        try:
            index = _index_decoder.decode(content)
        except Exception:  # whatever is wrong with it, the index is rebuilt
            reader.close()
            return {}
        if (
            index.schema,
            index.version,
            index.code,
            index.locations,  # another set of locations whose name hashes the same
            index.summaries,
            index.store_bytes,
        ) != (
            SCHEMA_VERSION,
            __version__,
            code_version(),
            self.locations,
            self.names,
            reader.size - len(head) - length,  # truncated, or grown since it was written
        ):
            reader.close()
            return {}
        self._reader = reader
        self._base = len(head) + length
        self._changed = False
        return index.entries

    def get(self, key: str, stat: os.stat_result) -> Entry | None:
        """The index entry of the file ``key`` if it is unchanged since it was indexed."""
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
        return entry

    def study(self, entry: Entry) -> Study | None:
        """The study ``entry`` keeps in the store; None (and the index is to be
        rewritten) if the store no longer holds exactly what was indexed."""
        data = None
        if self._reader is not None:
            data = self._reader.read_at(self._base + entry.offset, entry.length)
        if data is not None and _digest(data) == entry.digest:
            try:
                return decode_study(data)
            except Exception:  # pragma: no cover - the digest held, the model refused
                pass
        self._changed = True
        for key, kept in self._new.items():
            if kept is entry:
                del self._new[key]
                break
        return None

    def summary(self, entry: Entry, wanted: Summary) -> Any:
        """The summary ``wanted`` of ``entry``, as it was made when the study was indexed."""
        return wanted.decode(entry.summaries[self.names.index(wanted.name)])

    def put(
        self,
        key: str,
        stat: os.stat_result,
        study: Study,
        encoded: tuple[bytes, list[bytes]] | None = None,
    ) -> None:
        """Index a study just parsed from the file ``key`` and found valid (the loader
        calls this for exactly those: nothing else is ever indexed). ``encoded`` is the
        study and its summaries already encoded, when a parsing process did that."""
        self._changed = True
        if max(stat.st_mtime_ns, stat.st_ctime_ns) > time.time_ns() - FRESH_NS:
            return  # not trusted yet; the next run tries again
        if encoded is None:
            encoded = _encoder.encode(study), encode_summaries(study, self.summaries)
        record, summaries = encoded
        self._new[key] = Fresh(
            signature(stat), study.id, study.acronym, study.title, record, summaries
        )

    def save(self) -> None:
        """Write the index if anything changed; quietly keep none if it cannot be written.
        The studies kept from the old store are copied as they are, each checked
        against its digest first."""
        if self._key is None:
            return  # the folder is not to be used
        if not self._changed and self._new.keys() == self._old.keys():
            return
        kept = self._kept_store()
        records: list[bytes] = []
        entries: dict[str, Entry] = {}
        offset = 0
        for key, item in self._new.items():
            if isinstance(item, Entry):
                start = item.offset
                record = kept[start : start + item.length] if kept is not None else b""
                if len(record) != item.length or _digest(record) != item.digest:
                    continue  # the old store lost it: parsed again next time
                digest, summaries = item.digest, item.summaries
                names = item.size, item.mtime_ns, item.ctime_ns, item.inode, item.device
                identity = item.id, item.acronym, item.title
            else:
                record = item.record
                digest, names = _digest(record), item.signature
                summaries = [msgspec.Raw(s) for s in item.summaries]
                identity = item.id, item.acronym, item.title
            entries[key] = Entry(*names, *identity, offset, len(record), digest, summaries)
            records.append(record)
            offset += len(record)
        index = Index(
            SCHEMA_VERSION,
            __version__,
            code_version(),
            self.locations,
            self.names,
            entries,
            offset,
        )
        data = pack(index, records, self._key)
        if len(data) > MAX_BYTES:
            return
        try:
            with trust.Folder.open(self.file.parent) as folder:
                folder.write(self.file.name, data)
                folder.remove_regular(f"{self.name}{FORMER_SUFFIX}")
        except (trust.Untrusted, OSError):
            return

    def _kept_store(self) -> bytes | None:
        """The old store, whole, if any entry is kept from it."""
        if self._reader is None or not any(isinstance(i, Entry) for i in self._new.values()):
            return None
        return self._reader.read_at(self._base, self._reader.size - self._base)
