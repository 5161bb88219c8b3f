"""Reading and forging evidence index files in tests, through blinacli's own format.

A forgery made here is sealed with the cache folder's own key, so that only the rule a
test is about stands between the forgery and the output.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
import pytest

from blinacli.load import cache, loader, trust
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


def write(file: Path, index: cache.Index, store: bytes, sealed_with: bytes | None = None) -> None:
    """Write ``index`` and ``store`` as blinacli would: the index sealed with the folder's
    key (or with ``sealed_with``)."""
    index = msgspec.structs.replace(index, store_bytes=len(store))
    file.write_bytes(cache.pack(index, [store], sealed_with or key()))


def study_of(index: cache.Index, store: bytes, name: str) -> Study:
    at = index.files.index(name)
    start = index.offsets[at]
    return cache.decode_study(store[start : start + index.lengths[at]])


def with_study(
    index: cache.Index,
    store: bytes,
    name: str,
    study: Study,
    stat: os.stat_result | None = None,
) -> tuple[cache.Index, bytes]:
    """``index`` and ``store`` with the file ``name`` holding ``study`` (and its summaries,
    id, acronym and title), under the signature of ``stat`` if given: every study read
    back from ``store`` and indexed again, as blinacli indexes them."""
    items: dict[str, cache.Fresh] = {}
    for at, file in enumerate(index.files):
        held = study if file == name else study_of(index, store, file)
        size, mtime, ctime, inode, device = index.signatures[at * 5 : at * 5 + 5]
        signature = (size, mtime, ctime, inode, device)
        if file == name and stat is not None:
            signature = cache.signature(stat)
        summaries: list[Any] = [
            msgspec.msgpack.decode(encoded) if summary.columns else encoded
            for summary, encoded in zip(
                SUMMARIES, cache.encode_summaries(held, SUMMARIES), strict=True
            )
        ]
        record = msgspec.msgpack.encode(held)
        items[file] = cache.Fresh(signature, held.id, held.acronym, held.title, record, summaries)
    forged, parts = cache.assemble(index.locations, SUMMARIES, items)
    return forged, b"".join(parts)


def record_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the loader parses from now on, in order (a study read from the index
    is not parsed)."""
    parsed: list[Path] = []
    real = loader.load_file

    def recorded(file: Path) -> tuple[Study | None, list[loader.Finding]]:
        parsed.append(file)
        return real(file)

    monkeypatch.setattr(loader, "load_file", recorded)
    return parsed
