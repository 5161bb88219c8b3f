"""Reading and forging evidence index files in tests, through blinacli's own format.

A forgery made here is sealed with the cache folder's own key, so that only the rule a
test is about stands between the forgery and the output.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from blinacli.load import cache, trust
from blinacli.model import Study
from blinacli.views.indexed import SUMMARIES


def index_files() -> list[Path]:
    """The index files in the cache folder."""
    folder = cache.cache_dir()
    return sorted(folder.glob(f"evidence-*{cache.SUFFIX}")) if folder.is_dir() else []


def key() -> bytes:
    return (cache.cache_dir() / trust.KEY).read_bytes()


def read(file: Path) -> tuple[cache.Index, bytes]:
    """The index and the store of ``file``, which must carry the folder's seal."""
    found = cache.unpack(file.read_bytes(), key())
    assert found is not None, f"{file} does not carry the cache folder's seal"
    return found


def write(file: Path, index: cache.Index, store: bytes) -> None:
    """Write ``index`` and ``store`` as blinacli would: the index sealed with the folder's key."""
    index = msgspec.structs.replace(index, store_bytes=len(store))
    file.write_bytes(cache.pack(index, [store], key()))


def study_of(index: cache.Index, store: bytes, name: str) -> Study:
    entry = index.entries[name]
    return cache.decode_study(store[entry.offset : entry.offset + entry.length])


def with_study(
    index: cache.Index,
    store: bytes,
    name: str,
    study: Study,
    stat: os.stat_result | None = None,
) -> tuple[cache.Index, bytes]:
    """``index`` and ``store`` with the entry of the file ``name`` holding ``study`` (and
    its summaries, id, acronym and title), under the signature of ``stat`` if given."""
    entry = index.entries[name]
    record = msgspec.msgpack.encode(study)
    signature = (
        cache.signature(stat)
        if stat is not None
        else (entry.size, entry.mtime_ns, entry.ctime_ns, entry.inode, entry.device)
    )
    forged = cache.Entry(
        *signature,
        study.id,
        study.acronym,
        study.title,
        len(store),
        len(record),
        cache._digest(record),
        [msgspec.Raw(s) for s in cache.encode_summaries(study, SUMMARIES)],
    )
    entries = {**index.entries, name: forged}
    return msgspec.structs.replace(index, entries=entries), store + record
