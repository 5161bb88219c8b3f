"""The evidence index file's format: what it holds, and how it is packed and unpacked.

An index file is a header (:data:`MAGIC`, then the length of the sealed index in
:data:`LENGTH_BYTES` bytes, big endian), the index (:class:`Index`, MessagePack, sealed
with the cache folder's key by :mod:`blinacli.load.trust`) and the store: the studies one
after another, then the blocks of the summaries. :mod:`blinacli.load.cache` reads and
writes it; this module knows its layout alone.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import msgspec

from blinacli import __version__
from blinacli.load import trust
from blinacli.model import SCHEMA_VERSION, Study

try:  # the C implementation alone: importing hashlib loads OpenSSL (see trust)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the module
    from hashlib import blake2b

MAGIC = b"blinacli-index-2\n"
"""How an index file starts; the length of the sealed index (:data:`LENGTH_BYTES`, big
endian), the sealed index and the store follow."""
LENGTH_BYTES = 8
DIGEST_BYTES = 16


@dataclass(frozen=True, eq=False)
class Summary:
    """A ready-made part of what a command shows, computed from a study when it is
    indexed and kept beside it: ``make`` computes it (from the study alone), ``type`` is
    what it decodes back into (a msgspec type). ``name`` identifies it in the index.
    The views define the summaries; the command line names those it wants indexed.

    A summary with ``columns`` is a list of that many values (the fields filters read),
    kept column by column: a filter on one field decodes that field's column alone."""

    name: str
    make: Callable[[Study], Any]
    type: Any
    columns: int = 0

    @cached_property
    def _decoder(self) -> msgspec.msgpack.Decoder[Any]:
        return msgspec.msgpack.Decoder(self.type)

    def decode(self, data: bytes | memoryview | msgspec.Raw) -> Any:
        return self._decoder.decode(data)


class Block(msgspec.Struct, array_like=True, frozen=True):
    """A part of the store: where it starts (after the studies' start), how long it
    is, and its digest."""

    offset: int
    length: int
    digest: bytes


class Walk(msgspec.Struct, frozen=True):
    """What finding the files found (:func:`blinacli.load.discovery.discover`), and what it
    looked at: the paths named (as named, from ``cwd``, following links or not), each
    path named and each folder searched with its signature then (five numbers a path),
    and what it found (the files by resolved path, and the notes). While no path or
    folder changes (a file added, removed or renamed changes its folder), a walk would
    find the same, so it is not walked again."""

    given: list[str]
    cwd: str
    follow_links: bool
    paths: list[str]
    signatures: list[int]
    real: list[str]
    skipped: list[str]
    unfollowed: list[str]


class Index(msgspec.Struct, frozen=True):
    """What an index file holds (sealed): the versions and the code it was written by,
    the evidence locations it is for, the summaries it keeps, and, position by position,
    each file indexed (its resolved path), its signature (five numbers a file), its
    study's id, acronym and title, where its study lies in the store and the digest of
    that study (16 bytes a file, one after another), and how long the store is.

    ``blocks`` holds, in the order of ``summaries``, the blocks of each summary: for a
    summary made per study, one block of the encoded summaries one after another, which
    ``bounds`` cuts (one more bound than files); for a summary with columns, one block a
    column (an encoded list, one value a file; its ``bounds`` are empty)."""

    schema: int
    version: str
    code: str
    locations: str
    summaries: list[str]
    files: list[str]
    signatures: list[int]
    ids: list[str]
    acronyms: list[str]
    titles: list[str]
    offsets: list[int]
    lengths: list[int]
    digests: bytes
    blocks: list[list[Block]]
    bounds: list[list[int]]
    store_bytes: int
    """How long the store after the index is: a file of another length is not used."""
    walk: Walk | None = None
    """The last walk that found the files, if nothing it looked at had just changed."""


class Fresh(msgspec.Struct, frozen=True):
    """A study to index: its file's signature, its names, the study encoded, and its
    summaries (encoded, or, for a summary with columns, the list of its values)."""

    signature: tuple[int, int, int, int, int]
    id: str
    acronym: str
    title: str
    record: bytes
    summaries: list[Any]


index_decoder = msgspec.msgpack.Decoder(Index)
list_decoder = msgspec.msgpack.Decoder(list[Any])
encoder = msgspec.msgpack.Encoder()


def encode_summaries(study: Study, summaries: Sequence[Summary]) -> list[bytes]:
    return [encoder.encode(summary.make(study)) for summary in summaries]


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


def digest_of(data: bytes | memoryview) -> bytes:
    return blake2b(data, digest_size=DIGEST_BYTES).digest()


def pack(index: Index, parts: Sequence[bytes], key: bytes) -> bytes:
    """An index file: the header, ``index`` sealed with ``key``, then the store (the
    ``parts`` one after another, at the offsets the index gives)."""
    sealed = trust.seal(encoder.encode(index), key)
    return b"".join([MAGIC, len(sealed).to_bytes(LENGTH_BYTES, "big"), sealed, *parts])


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
    return index_decoder.decode(content), data[start + length :]


def whole(index: Index, summaries: Sequence[Summary]) -> bool:
    """Whether every list of ``index`` has an item for each of its files, and each
    summary its blocks."""
    count = len(index.files)
    sizes = {len(index.ids), len(index.acronyms), len(index.titles)}
    sizes |= {len(index.offsets), len(index.lengths)}
    if sizes != {count} or len(index.signatures) != 5 * count:
        return False
    if len(index.digests) != DIGEST_BYTES * count:
        return False
    if len(index.blocks) != len(summaries) or len(index.bounds) != len(summaries):
        return False
    for blocks, bounds, summary in zip(index.blocks, index.bounds, summaries, strict=True):
        expected = (summary.columns, 0) if summary.columns else (1, count + 1)
        if (len(blocks), len(bounds)) != expected:
            return False
    return True


def assemble(
    locations: str,
    summaries: Sequence[Summary],
    items: dict[str, Fresh],
    walk: Walk | None = None,
) -> tuple[Index, list[bytes]]:
    """The index of the studies ``items`` (by resolved path, in their order) for the
    evidence locations ``locations``, and the parts of its store."""
    count = len(items)
    signatures: list[int] = []
    offsets: list[int] = []
    parts: list[bytes] = []
    offset = 0
    for item in items.values():
        signatures += item.signature
        offsets.append(offset)
        parts.append(item.record)
        offset += len(item.record)
    blocks: list[list[Block]] = []
    bounds: list[list[int]] = []
    for number, summary in enumerate(summaries):
        made = [item.summaries[number] for item in items.values()]
        if summary.columns:
            columns = [list(values) for values in zip(*made, strict=True)] or [[]] * summary.columns
            contents = [encoder.encode(values) for values in columns]
            bounds.append([])
        else:
            contents = [b"".join(made)]
            cuts = [0] * (count + 1)
            for at, encoded in enumerate(made):
                cuts[at + 1] = cuts[at] + len(encoded)
            bounds.append(cuts)
        blocks.append([])
        for content in contents:
            blocks[-1].append(Block(offset, len(content), digest_of(content)))
            parts.append(content)
            offset += len(content)
    index = Index(
        SCHEMA_VERSION,
        __version__,
        code_version(),
        locations,
        [summary.name for summary in summaries],
        list(items),
        signatures,
        [item.id for item in items.values()],
        [item.acronym for item in items.values()],
        [item.title for item in items.values()],
        offsets,
        [len(item.record) for item in items.values()],
        b"".join(digest_of(item.record) for item in items.values()),
        blocks,
        bounds,
        offset,
        walk,
    )
    return index, parts
