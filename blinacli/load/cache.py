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
store: the studies one after another, then the summaries in blocks (one block of list
rows, one block per field of the filter facts). A load reads the header and the index,
one ``stat`` per evidence file, and the blocks of the summaries it uses; a study is read
from the store, by offset, only when a command needs that study (``show ID`` reads one,
``list`` none, ``list --phase 3`` the phase block and the rows). The index's seal covers
the digest of each study and each block, so what is read from the store is checked
against it: a study whose bytes differ is not used (its file is parsed instead, and the
index rewritten), nor a block (the summaries are made from the studies instead, and
the index rebuilt on the next run). Only valid files are indexed: a file with a finding
is read every time, so its report never comes from the cache.

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
from functools import partial
from pathlib import Path
from typing import Any

import msgspec

from blinacli import __version__
from blinacli.load import trust
from blinacli.load.discovery import Discovery, Walked, shown
from blinacli.load.indexfile import (  # the format, under the names the rest of blinacli uses
    DIGEST_BYTES,
    LENGTH_BYTES,
    MAGIC,
    Block,
    Fresh,
    Index,
    Summary,
    Walk,
    assemble,
    code_version,
    digest_of,
    encode_summaries,
    encoder,
    index_decoder,
    list_decoder,
    pack,
    unpack,
    whole,
)
from blinacli.model import SCHEMA_VERSION, Study

_study_decoder = msgspec.msgpack.Decoder(Study)

__all__ = [  # the index file's format is named through this module too
    "DIGEST_BYTES",
    "LENGTH_BYTES",
    "MAGIC",
    "Block",
    "Fresh",
    "Index",
    "Summary",
    "StudyCache",
    "assemble",
    "cache_dir",
    "code_version",
    "decode_study",
    "encode_summaries",
    "pack",
    "signature",
    "unpack",
]

ENV_CACHE_HOME = "XDG_CACHE_HOME"
FRESH_NS = 2_000_000_000
"""Files modified, or whose status changed, this recently (in nanoseconds) before they
were looked at are not indexed."""
MAX_BYTES = 512 << 20
"""The largest index file written or read (512 MiB, about 150,000 studies): a larger one
is not kept, and one found larger is not read."""
SUFFIX = ".index"
FORMER_SUFFIX = ".msgpack"
"""The study cache of blinacli 0.2 (every study in one sealed file), replaced by the index."""


class Columns:
    """The facts of one indexed study, read from the columns of a summary with columns:
    ``facts[n]`` is its value in column ``n`` (that column read on first use, for every
    study at once). ``made`` makes them from the study instead, should a column be
    damaged."""

    __slots__ = ("_store", "_summary", "_position", "_made", "_facts")

    def __init__(
        self, store: StudyCache, summary: int, position: int, made: Callable[[], list[Any]]
    ) -> None:
        self._store, self._summary, self._position = store, summary, position
        self._made = made
        self._facts: list[Any] | None = None

    def __getitem__(self, column: int) -> Any:
        values = self._store.column(self._summary, column)
        if values is not None:
            return values[self._position]
        if self._facts is None:
            self._facts = self._made()
        return self._facts[column]


def decode_study(data: bytes) -> Study:
    """A study from its MessagePack (validated again by the model as it is decoded)."""
    return _study_decoder.decode(data)


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
    """What must be unchanged for a file's indexed study to be used, in the order the
    index keeps it (:attr:`Index.signatures`)."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


class StudyCache:
    """The evidence index for one set of evidence locations, and its store.

    :meth:`match` answers, for each file, where the index holds it if it holds it
    unchanged (one ``stat`` a file); :meth:`walked` whether the folders are as the last
    walk left them; :meth:`study`, :meth:`summary` and :meth:`column` read what the
    index keeps at that position; :meth:`put` indexes a study just parsed, and
    :meth:`save` writes the index if anything changed. ``notes`` says, for --verbose, why
    the cache was not used or was rebuilt when blinacli would not believe what it found;
    an index merely missing, outdated or damaged is rebuilt without a word.
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
        self._saving = False
        self._reader: trust.Reader | None = None
        self._base = 0
        """Where the store starts in the index file."""
        self._blocks: dict[tuple[int, int], bytes | None] = {}
        self._columns: dict[tuple[int, int], list[Any] | None] = {}
        self._readers: dict[int, Callable[[int], list[Any] | None]] = {}
        self.index: Index | None = self._read()
        files = self.index.files if self.index is not None else []
        self._positions = {file: position for position, file in enumerate(files)}
        self._new: dict[str, int | Fresh] = {}
        """What the next index holds, by file: a position in this one, or a study parsed now."""
        self._walk: Walk | None = self.index.walk if self.index is not None else None

    def _read(self) -> Index | None:
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
            return None
        except OSError:
            return None
        if reader is None:
            return None
        self._changed = True  # unless it is used below, the file is replaced
        head = reader.read_at(0, len(MAGIC) + LENGTH_BYTES)
        if head is None or not head.startswith(MAGIC):
            reader.close()
            return None
        length = int.from_bytes(head[len(MAGIC) :], "big")
        sealed = reader.read_at(len(head), length)
        content = None if sealed is None else trust.unseal(sealed, self._key)
        if content is None:
            reader.close()
            return None
        try:
            index = index_decoder.decode(content)
        except Exception:  # whatever is wrong with it, the index is rebuilt
            reader.close()
            return None
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
        ) or not whole(index, self.summaries):
            reader.close()
            return None
        self._reader = reader
        self._base = len(head) + length
        self._changed = False
        return index

    def walked(self, given: Sequence[Path], follow_links: bool) -> Discovery | None:
        """What walking ``given`` would find, from the last walk, if nothing it looked
        at has changed since (one ``stat`` a folder); else None."""
        walk = self._walk
        if walk is None or (walk.given, walk.cwd, walk.follow_links) != (
            [str(path) for path in given],
            os.getcwd(),
            follow_links,
        ):
            return None
        known = walk.signatures
        for number, path in enumerate(walk.paths):
            try:
                status = os.stat(path)
            except OSError:
                return None
            if tuple(known[number * 5 : number * 5 + 5]) != signature(status):
                return None
        real = list(walk.real)
        return Discovery(shown(real), [], list(walk.skipped), real, list(walk.unfollowed))

    def remember(
        self, given: Sequence[Path], follow_links: bool, walked: Walked, found: Discovery
    ) -> None:
        """Keep the walk that found ``found``, having looked at ``walked``, unless a path
        it looked at changed too recently to be sure of (as files are, :data:`FRESH_NS`)
        or it found a problem (whose wording may depend on more than these paths)."""
        recent = time.time_ns() - FRESH_NS
        if found.problems or any(
            max(status.st_mtime_ns, status.st_ctime_ns) > recent for _, status in walked
        ):
            walk = None
        else:
            walk = Walk(
                [str(path) for path in given],
                os.getcwd(),
                follow_links,
                [path for path, _ in walked],
                [number for _, status in walked for number in signature(status)],
                list(found.real),
                list(found.skipped),
                list(found.unfollowed),
            )
        if walk != self._walk:
            self._walk = walk
            self._changed = True

    def match(self, files: Sequence[str]) -> tuple[list[int], list[os.stat_result | None]]:
        """For each of ``files`` (resolved paths), one ``stat``: its position in the index
        if it is indexed unchanged, else -1; and, for the others, its status now (None
        if it has none). One loop with the comparisons written out: it runs once a file."""
        index, positions, kept = self.index, self._positions, self._new
        known = index.signatures if index is not None else []
        found = [-1] * len(files)
        statuses: list[os.stat_result | None] = [None] * len(files)
        stat = os.stat
        for number, file in enumerate(files):
            try:
                status = stat(file)
            except OSError:
                continue
            at = positions.get(file)
            if at is not None:
                start = at * 5
                if (
                    known[start] == status.st_size
                    and known[start + 1] == status.st_mtime_ns
                    and known[start + 2] == status.st_ctime_ns
                    and known[start + 3] == status.st_ino
                    and known[start + 4] == status.st_dev
                ):
                    found[number] = at
                    kept[file] = at
                    continue
            statuses[number] = status
        return found, statuses

    def names_at(self, position: int) -> tuple[str, str, str]:
        """The id, acronym and title of the study at ``position``."""
        assert self.index is not None
        index = self.index
        return index.ids[position], index.acronyms[position], index.titles[position]

    def study(self, position: int) -> Study | None:
        """The study at ``position`` in the store; None (and the index is to be
        rewritten) if the store no longer holds exactly what was indexed."""
        assert self.index is not None
        index = self.index
        digest = index.digests[position * DIGEST_BYTES : (position + 1) * DIGEST_BYTES]
        data = self._part(Block(index.offsets[position], index.lengths[position], digest))
        if data is not None:
            try:
                return decode_study(data)
            except Exception:  # pragma: no cover - the digest held, the model refused
                pass
        self._changed = True
        for key, kept in self._new.items():
            if kept == position:
                del self._new[key]
                break
        return None

    def _part(self, block: Block) -> bytes | None:
        """The bytes of ``block`` of the store, if they are what was indexed."""
        if self._reader is None:
            return None
        data = self._reader.read_at(self._base + block.offset, block.length)
        return data if data is not None and digest_of(data) == block.digest else None

    def _block(self, summary: int, number: int) -> bytes | None:
        """Block ``number`` of the summary numbered ``summary``, read once; None if it is
        damaged (the index is then rebuilt on the next run)."""
        key = summary, number
        if key not in self._blocks:
            assert self.index is not None
            found = self._part(self.index.blocks[summary][number])
            if found is None:
                self._forget()
            self._blocks[key] = found
        return self._blocks[key]

    def summary(self, position: int, wanted: Summary, made: Callable[[], Any]) -> Any:
        """The summary ``wanted`` of the study at ``position``, as it was made when the
        study was indexed (for a summary with columns, its :class:`Columns`); ``made``
        makes it from the study, should its block be damaged."""
        if wanted.columns:
            return Columns(self, self.names.index(wanted.name), position, made)
        found = self.summaries_at(wanted, [position])
        return made() if found is None else found[0]

    def summaries_at(self, wanted: Summary, positions: Sequence[int]) -> list[Any] | None:
        """The summary ``wanted`` (one made per study) of the studies at ``positions``,
        in that order; None if its block is damaged."""
        number = self.names.index(wanted.name)
        block = self._block(number, 0)
        if block is None:
            return None
        assert self.index is not None
        bounds, view = self.index.bounds[number], memoryview(block)
        decode = wanted.decode
        return [decode(view[bounds[at] : bounds[at + 1]]) for at in positions]

    def columns(self, wanted: Summary) -> Callable[[int], list[Any] | None]:
        """The columns of the summary ``wanted`` (one with columns): ``columns(n)`` is
        column ``n``, as :meth:`column` gives it. The same object every time."""
        number = self.names.index(wanted.name)
        found = self._readers.get(number)
        if found is None:
            found = self._readers[number] = partial(self.column, number)
        return found

    def column(self, summary: int, column: int) -> list[Any] | None:
        """Column ``column`` of the summary numbered ``summary``, one value a file;
        None if its block is damaged."""
        key = summary, column
        if key not in self._columns:
            block = self._block(summary, column)
            values = None if block is None else list_decoder.decode(block)
            assert self.index is not None
            if values is not None and len(values) != len(self.index.files):
                values = None
                self._forget()
            self._columns[key] = values
        return self._columns[key]

    def _forget(self) -> None:
        """Keep no study of this index: it is written anew without them, and rebuilt."""
        self._new = {key: item for key, item in self._new.items() if isinstance(item, Fresh)}
        self._changed = True
        if not self._saving:
            self.save()

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
            encoded = encoder.encode(study), encode_summaries(study, self.summaries)
        record, made = encoded
        summaries = [
            list_decoder.decode(encoded) if summary.columns else encoded
            for summary, encoded in zip(self.summaries, made, strict=True)
        ]
        self._new[key] = Fresh(
            signature(stat), study.id, study.acronym, study.title, record, summaries
        )

    def save(self) -> None:
        """Write the index if anything changed; quietly keep none if it cannot be written.
        The studies kept from the old store are copied as they are, each checked
        against its digest first."""
        if self._key is None:
            return  # the folder is not to be used
        if not self._changed and len(self._new) == len(self._positions):
            return
        self._saving = True
        try:
            index, parts = self._next()
        finally:
            self._saving = False
        data = pack(index, parts, self._key)
        if len(data) > MAX_BYTES:
            return
        try:
            with trust.Folder.open(self.file.parent) as folder:
                folder.write(self.file.name, data)
                folder.remove_regular(f"{self.name}{FORMER_SUFFIX}")
        except (trust.Untrusted, OSError):
            return

    def _next(self) -> tuple[Index, list[bytes]]:
        """The index to write, and the parts of its store."""
        old = self.index
        kept = self._kept_store()
        items: dict[str, Fresh] = {}
        for key, item in list(self._new.items()):
            if isinstance(item, int):
                assert old is not None and kept is not None
                start, size = old.offsets[item], old.lengths[item]
                record = kept[start : start + size]
                digest = old.digests[item * DIGEST_BYTES : (item + 1) * DIGEST_BYTES]
                summaries = self._kept_summaries(item)
                if len(record) != size or digest_of(record) != digest or summaries is None:
                    continue  # the old store lost it: parsed again next time
                size_, mtime, ctime, inode, device = old.signatures[item * 5 : item * 5 + 5]
                names = self.names_at(item)
                item = Fresh((size_, mtime, ctime, inode, device), *names, record, summaries)
            items[key] = item
        return assemble(self.locations, self.summaries, items, self._walk)

    def _kept_summaries(self, position: int) -> list[Any] | None:
        """The summaries of the study at ``position`` in this index, as the next index
        keeps them (encoded, or the values of the columns); None if any is damaged."""
        assert self.index is not None
        found: list[Any] = []
        for number, summary in enumerate(self.summaries):
            if summary.columns:
                values = [self.column(number, n) for n in range(summary.columns)]
                if any(column is None for column in values):
                    return None
                found.append([column[position] for column in values if column is not None])
            else:
                block = self._block(number, 0)
                if block is None:
                    return None
                bounds = self.index.bounds[number]
                found.append(block[bounds[position] : bounds[position + 1]])
        return found

    def _kept_store(self) -> bytes | None:
        """The old store, whole, if any study is kept from it."""
        if self._reader is None or not any(isinstance(i, int) for i in self._new.values()):
            return None
        return self._reader.read_at(self._base, self._reader.size - self._base)
