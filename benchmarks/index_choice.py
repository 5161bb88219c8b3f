"""Compare two ways to keep an index of the evidence in the cache: one sealed file read by
offset, or SQLite from the standard library. This is the record of that choice.

An index lets a command answer from a summary of every study instead of decoding all of
them. Every warm run needs each evidence file's signature (size, mtime_ns, ctime_ns,
inode, device), to know which entries are still current: any changed file may now hold
the study asked for. ``list`` needs, besides, a few fields to filter on and a ready-made
row; ``show`` needs one study. The two layouts measured:

(a) **one file**: a header (a magic line, the lengths of two index sections and a keyed
    BLAKE2b tag over each, personalised by section so neither can stand in for the
    other), a *files* section (msgspec MessagePack: per study its file's path and
    signature, its id and acronym, and the offset, length and BLAKE2b digest of its
    record), a *listing* section (per study its phase, allocation, drugs and endpoints,
    and its list row, kept as raw MessagePack until the filter keeps it), then the
    records (each a ``blinacli.model.Study`` in MessagePack). ``list`` reads and checks
    both sections; ``show`` reads and checks the files section, then reads the one
    record with ``os.pread`` at its offset, checks its digest (which is under the seal)
    and decodes it. The whole content is thereby under the key, and a run checks only
    what it reads.
(b) **SQLite** (``sqlite3``): one table, a row per study: the path and the id as columns
    (the id indexed), the same two entries as MessagePack blobs, each with its keyed
    BLAKE2b tag, and the record as a BLOB. ``list`` reads every row's entries and checks
    their tags; ``show`` reads every files entry (the signatures) and then one record
    by id. "Show one, its row alone" is what SQLite's index gives a ``show`` that skips
    the other signatures, and "seal the whole file" the cost of one tag over the whole
    database, as the rule for cache files asks, paid by every run that opens it.

Both are written to a temporary file renamed into place (SQLite with its journal off:
a file nobody reads until it is complete needs none). The records are real ``Study``
objects, made from ``benchmarks/synthetic.py`` studies with ``msgspec.convert``, and the
rows are real ``list`` rows. Each operation runs in a fresh process with the garbage
collector paused, as blinacli pauses it while a load builds objects; its time is taken
inside the process after the imports, which are timed apart; both layouts interleaved,
medians of ``--runs`` (7 by default). Peak RSS is the process's ``VmHWM``. The files are
in the page cache, as a warm run finds them. Listing and stat-ing the evidence files
costs the same with either layout and is left out.

Run: ``python benchmarks/index_choice.py [--sizes 10000 50000] [--runs 7]`` (about 2
minutes).

Measured on the development machine (AMD EPYC, 2 cores, Linux, Python 3.11.7), medians
of 7 fresh processes each:

- ``import sqlite3``, after msgspec, ``_blake2`` and the model: 1.0 ms (1.4 and 1.8 ms in
  two earlier runs of this script). The one-file layout imports nothing the cache does
  not import already (``os``, msgspec, ``_blake2``).
- A process that only imports the model and the list row peaks at 19 MB.

| studies | layout | build | list | show | show, row alone | whole-file seal | peak RSS | size |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
| 10,000 | one file | 0.37 s | 32 ms | 8 ms | — | — | 43, 28 MB | 37.9 MB |
| 10,000 | SQLite | 0.45 s | 71 ms | 34 ms | 2 ms | 84 ms | 45, 33 MB | 47.1 MB |
| 50,000 | one file | 1.19 s | 193 ms | 46 ms | — | — | 136, 59 MB | 190.0 MB |
| 50,000 | SQLite | 1.89 s | 357 ms | 147 ms | 2 ms | 370 ms | 130, 70 MB | 236.1 MB |

"build" is building and writing the file, "peak RSS" that of the list and of the show.
The one file's index sections are 5.9 MB of its 37.9 MB at 10,000 and 29.9 MB of its
190.0 MB at 50,000.

Of the one-file list of 50,000 (measured in one process, three times): reading the two
sections (6.2 and 23.7 MB) 2 to 11 ms, checking their seals 25 ms, decoding the files
section 30 ms, the listing section 45 ms, and the 21,211 phase 3 rows 35 to 60 ms.

**Recommendation: the one file (a).**

- *It fits the rule that every cache file is sealed* as the study cache is today: one
  keyed tag per section, and each record under a digest inside a sealed section, so
  nothing in the file is believed without the key, while a run hashes only what it
  reads. SQLite can be sealed only row by row (which makes its ``list`` 2 times and its
  ``show`` 4 times slower than (a): 71 against 32 ms and 34 against 8 ms at 10,000) or
  by hashing the whole database on every run (84 ms at 10,000, 370 ms at 50,000: more
  than a whole ``show`` may cost).
- *It fits replacement by rename under concurrent writers*: a writer builds the file and
  renames it into place through ``blinacli.load.trust``, readers see the old file or the
  new one, the last writer wins, exactly as the study cache works. SQLite's reason to be,
  updating rows in place under its own locks with a journal or WAL beside the file, is
  the opposite of that rule; used by rename it is only a larger (24 percent) and slower
  (0.45 against 0.37 s, 1.89 against 1.19 s) file format.
- *It can be read under the trust rules*: ``trust.Folder`` opens the file itself (no
  link followed, not blocking, ``fstat`` on the open descriptor, through the folder's
  descriptor), and ``os.pread`` reads ranges of that same descriptor. ``sqlite3`` opens
  the database by its path itself: none of those checks can be made on what it reads, a
  check beforehand by path leaves a window before SQLite's own open, and its journal or
  WAL files beside the database are more files the rules would have to judge.
- *Memory and time fit the targets*: at 50,000 its list peaks at 136 MB within 0.2 s,
  against 200 MB and 0.02 times a cold load of about a minute (1.1 s) for the whole
  command, which adds its own imports, the stat of every file and the JSON; the memory
  is the closer of the two.

What (a) costs: a change to any evidence file rewrites the whole file on the run that
found it (0.37 s at 10,000, 1.19 s at 50,000, as the study cache rewrites itself now),
and every run reads and checks the whole files section, even to show one study (8 ms at
10,000, 46 ms at 50,000), where an SQLite ``show`` that skipped the other files'
signatures would take 2 ms; but such a ``show`` could miss a file changed to hold the
study asked for. The import of ``sqlite3`` (1 to 2 ms) decided nothing.

The list row is a view (``blinacli.views.listing.StudyRow``), and the cache is in
``blinacli.load``, below the views: the index keeps the row as MessagePack bytes the
view layer encodes and decodes (``msgspec.Raw`` here), so the load layer never imports
a view.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

try:  # the C module alone, as blinacli's cache imports it (hashlib would load OpenSSL)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the module
    from hashlib import blake2b

from blinacli.model import Study
from blinacli.views.listing import StudyRow

MAGIC = b"blinacli-index-1\n"
TAG_BYTES = 32
DIGEST_BYTES = 32
HEADER_BYTES = len(MAGIC) + 8 + 8 + TAG_BYTES + TAG_BYTES
"""The magic line, the lengths of the two index sections (8 bytes each, little-endian)
and their tags."""


class FileEntry(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One study's file, as every warm run needs it: its signature (to know the entry is
    current), its id and acronym (to find it), and where its record is."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int
    id: str
    acronym: str
    offset: int
    """Where the record starts, counted from the end of the index sections (layout a)."""
    length: int
    digest: bytes
    """BLAKE2b of the record, under the index's seal."""


class Files(msgspec.Struct, array_like=True, frozen=True):
    schema: int
    version: str
    locations: str
    entries: list[FileEntry]


class Listing(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One study as ``list`` needs it: the fields it filters on, and its row."""

    phase: int | str
    allocation: str
    drugs: list[str]
    endpoints: list[str]
    row: msgspec.Raw
    """The list row, decoded only for the studies the filter keeps."""


class Source(msgspec.Struct, array_like=True, frozen=True):
    """What a build starts from: the studies and rows a load has in memory."""

    paths: list[str]
    studies: list[Study]
    rows: list[StudyRow]


_file_decoder = msgspec.msgpack.Decoder(FileEntry)
_files_decoder = msgspec.msgpack.Decoder(Files)
_listing_decoder = msgspec.msgpack.Decoder(Listing)
_listings_decoder = msgspec.msgpack.Decoder(list[Listing])
_row_decoder = msgspec.msgpack.Decoder(StudyRow)
_study_decoder = msgspec.msgpack.Decoder(Study)
_encoder = msgspec.msgpack.Encoder()


def _tag(content: bytes | memoryview, key: bytes, section: bytes) -> bytes:
    """The keyed tag over ``content``; ``section`` names what it is, so that no sealed
    section can stand in for another."""
    return blake2b(content, key=key, person=section, digest_size=TAG_BYTES).digest()


def _digest(record: bytes | memoryview) -> bytes:
    return blake2b(record, digest_size=DIGEST_BYTES).digest()


def _signature(number: int) -> tuple[int, int, int, int, int]:
    """An invented file signature, different for every study."""
    return 3_000 + number, 1_700_000_000_000_000_000 + number, 1_700_000_000_000_000_007, number, 64


def _entries(source: Source) -> tuple[list[FileEntry], list[Listing], list[bytes]]:
    files, listings, records, offset = [], [], [], 0
    for number, (path, study, row) in enumerate(
        zip(source.paths, source.studies, source.rows, strict=True)
    ):
        record = _encoder.encode(study)
        files.append(
            FileEntry(
                path,
                *_signature(number),
                study.id,
                study.acronym,
                offset,
                len(record),
                _digest(record),
            )
        )
        listings.append(
            Listing(
                study.design.phase,
                study.design.allocation,
                list(study.drugs),
                [outcome.endpoint for outcome in study.outcomes],
                msgspec.Raw(_encoder.encode(row)),
            )
        )
        records.append(record)
        offset += len(record)
    return files, listings, records


def _listed(listings: list[Listing]) -> list[StudyRow]:
    return [_row_decoder.decode(e.row) for e in listings if str(e.phase) == "3"]


# -- layout (a): one file, read by offset ---------------------------------------------------


def build_file(source: Source, path: Path, key: bytes) -> None:
    """Write the index file beside ``path`` and rename it into place, as the cache does."""
    files, listings, records = _entries(source)
    first = _encoder.encode(Files(1, "bench", "/evidence", files))
    second = _encoder.encode(listings)
    header = b"".join(
        (
            MAGIC,
            len(first).to_bytes(8, "little"),
            len(second).to_bytes(8, "little"),
            _tag(first, key, b"files"),
            _tag(second, key, b"listing"),
        )
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for part in (header, first, second, *records):
            view = memoryview(part)
            while view:
                view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)
    os.rename(temporary, path)


class _Sections(msgspec.Struct, frozen=True):
    files: Files
    listings: list[Listing] | None
    records: int
    """Where the records start."""


def _read_file(descriptor: int, key: bytes, *, listing: bool) -> _Sections:
    """The index sections, their seals checked (the listing only if asked for)."""
    header = os.pread(descriptor, HEADER_BYTES, 0)
    if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
        raise ValueError("not an index file")
    at = len(MAGIC)
    first = int.from_bytes(header[at : at + 8], "little")
    second = int.from_bytes(header[at + 8 : at + 16], "little")
    tags = header[at + 16 :]
    section = os.pread(descriptor, first, HEADER_BYTES)
    if len(section) != first or _tag(section, key, b"files") != tags[:TAG_BYTES]:
        raise ValueError("the files section's seal does not hold")
    files = _files_decoder.decode(section)
    listings = None
    if listing:
        section = os.pread(descriptor, second, HEADER_BYTES + first)
        if len(section) != second or _tag(section, key, b"listing") != tags[TAG_BYTES:]:
            raise ValueError("the listing section's seal does not hold")
        listings = _listings_decoder.decode(section)
    return _Sections(files, listings, HEADER_BYTES + first + second)


def list_file(path: Path, key: bytes) -> list[StudyRow]:
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        sections = _read_file(descriptor, key, listing=True)
    finally:
        os.close(descriptor)
    assert sections.listings is not None
    return _listed(sections.listings)


def show_file(path: Path, key: bytes, study_id: str) -> Study:
    """One study, after reading every file's signature (as a warm ``show`` must)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        sections = _read_file(descriptor, key, listing=False)
        entry = next(e for e in sections.files.entries if e.id == study_id)
        record = os.pread(descriptor, entry.length, sections.records + entry.offset)
    finally:
        os.close(descriptor)
    if _digest(record) != entry.digest:
        raise ValueError("the record's digest does not hold")
    return _study_decoder.decode(record)


# -- layout (b): SQLite ----------------------------------------------------------------------


def build_sqlite(source: Source, path: Path, key: bytes) -> None:
    """Write the database beside ``path`` and rename it into place, as the cache does: a
    fresh file needs no journal until it is complete."""
    import sqlite3

    files, listings, records = _entries(source)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    connection = sqlite3.connect(temporary)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute(
            "CREATE TABLE studies (path TEXT PRIMARY KEY, id TEXT NOT NULL,"
            " file BLOB NOT NULL, file_seal BLOB NOT NULL,"
            " listing BLOB NOT NULL, listing_seal BLOB NOT NULL, record BLOB NOT NULL)"
        )
        rows = []
        for entry, listing, record in zip(files, listings, records, strict=True):
            file, row = _encoder.encode(entry), _encoder.encode(listing)
            seals = _tag(file, key, b"files"), _tag(row, key, b"listing")
            rows.append((entry.path, entry.id, file, seals[0], row, seals[1], record))
        connection.executemany("INSERT INTO studies VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("CREATE INDEX studies_id ON studies (id)")
        connection.commit()
    finally:
        connection.close()
    os.rename(temporary, path)


def _query(path: Path, sql: str, *parameters: str) -> list[tuple[bytes, ...]]:
    import sqlite3

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def _sealed(blob: bytes, seal: bytes, key: bytes, section: bytes) -> bytes:
    if _tag(blob, key, section) != seal:
        raise ValueError(f"a {section.decode()} entry's seal does not hold")
    return blob


def list_sqlite(path: Path, key: bytes) -> list[StudyRow]:
    found = _query(
        path, "SELECT file, file_seal, listing, listing_seal FROM studies ORDER BY rowid"
    )
    listings = []
    for file, file_seal, listing, listing_seal in found:
        _file_decoder.decode(_sealed(file, file_seal, key, b"files"))  # its signature
        listings.append(_listing_decoder.decode(_sealed(listing, listing_seal, key, b"listing")))
    return _listed(listings)


def show_sqlite(path: Path, key: bytes, study_id: str) -> Study:
    """One study, after reading every file's signature (as a warm ``show`` must)."""
    found = _query(path, "SELECT file, file_seal FROM studies ORDER BY rowid")
    entries = [_file_decoder.decode(_sealed(f, seal, key, b"files")) for f, seal in found]
    entry = next(e for e in entries if e.id == study_id)
    ((record,),) = _query(path, "SELECT record FROM studies WHERE id = ?", study_id)
    if _digest(record) != entry.digest:
        raise ValueError("the record's digest does not hold")
    return _study_decoder.decode(record)


def show_sqlite_row(path: Path, key: bytes, study_id: str) -> Study:
    """One study from its row alone, no other file's signature read: what SQLite's index
    could give a ``show`` that did not check the rest of the evidence."""
    ((file, seal, record),) = _query(
        path, "SELECT file, file_seal, record FROM studies WHERE id = ?", study_id
    )
    entry = _file_decoder.decode(_sealed(file, seal, key, b"files"))
    if _digest(record) != entry.digest:
        raise ValueError("the record's digest does not hold")
    return _study_decoder.decode(record)


def seal_whole(path: Path, key: bytes) -> bytes:
    """The keyed tag over a whole file: what sealing the SQLite file itself would cost
    every run that opens it."""
    with open(path, "rb") as stream:
        return _tag(stream.read(), key, b"whole")


# -- the measurement -------------------------------------------------------------------------

OPERATIONS: dict[str, dict[str, Callable[..., object]]] = {
    "file": {"build": build_file, "list": list_file, "show": show_file},
    "sqlite": {
        "build": build_sqlite,
        "list": list_sqlite,
        "show": show_sqlite,
        "show-row": show_sqlite_row,
        "seal": seal_whole,
    },
}
"""What each layout is timed doing, in the order of a run."""


def peak_mb() -> float:
    """This process's peak resident set since it started (``VmHWM``: unlike ``ru_maxrss``,
    it does not carry over the parent's peak from before ``exec``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise OSError("no VmHWM in /proc/self/status")


def child(operation: str, layout: str, folder: Path, study_id: str) -> None:
    """One operation in this fresh process; prints its seconds and the process's peak RSS."""
    gc.disable()  # as blinacli pauses collection while a load builds its objects
    key = (folder / "seal.key").read_bytes()
    target = folder / ("index.bin" if layout == "file" else "index.sqlite")
    action = OPERATIONS[layout][operation]
    if operation == "build":
        source = msgspec.msgpack.decode((folder / "source.msgpack").read_bytes(), type=Source)
        start = time.perf_counter()
        action(source, target, key)
    elif operation == "list":
        start = time.perf_counter()
        if not action(target, key):
            raise SystemExit("no phase 3 study listed")
    elif operation in ("show", "show-row"):
        start = time.perf_counter()
        found = action(target, key, study_id)
        if not isinstance(found, Study) or found.id != study_id:
            raise SystemExit("another study shown")
    else:
        start = time.perf_counter()
        action(target, key)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


IMPORT_SQLITE = """\
import time, msgspec, _blake2, blinacli.model
start = time.perf_counter()
import sqlite3
print(time.perf_counter() - start)
"""


def _fresh(arguments: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *arguments], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"{arguments}: exit {out.returncode}\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout)
    return result


def write_source(folder: Path, count: int) -> str:
    """The studies and rows a build starts from, and the id ``show`` looks up."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synthetic

    from blinacli.views.listing import list_view

    studies = [msgspec.convert(synthetic.study(n, seed=2), Study) for n in range(count)]
    paths = [f"/evidence/batch-{n // 500:03d}/syn-{n:05d}.yaml" for n in range(count)]
    source = Source(paths, studies, list_view(studies).rows)
    (folder / "source.msgpack").write_bytes(_encoder.encode(source))
    (folder / "seal.key").write_bytes(os.urandom(32))
    return f"syn-{count // 2:05d}"


def measure(count: int, runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Medians of ``runs`` fresh processes for every operation of both layouts, interleaved."""
    folder = work / str(count)
    folder.mkdir()
    print(f"{count:,} studies: writing the source", file=sys.stderr)
    study_id = write_source(folder, count)
    results: dict[str, dict[str, list[float]]] = {layout: {} for layout in OPERATIONS}
    for number in range(runs):
        print(f"{count:,} studies: run {number + 1} of {runs}", file=sys.stderr)
        for operation in ("build", "list", "show", "show-row", "seal"):
            for layout, operations in OPERATIONS.items():
                if operation in operations:
                    found = _fresh([operation, layout, str(folder), study_id])
                    results[layout].setdefault(operation, []).append(found["seconds"])
                    results[layout].setdefault(f"{operation} MB", []).append(found["peak_mb"])
    summary = {
        layout: {name: statistics.median(values) for name, values in measured.items()}
        for layout, measured in results.items()
    }
    summary["file"]["size MB"] = (folder / "index.bin").stat().st_size / 1e6
    summary["sqlite"]["size MB"] = (folder / "index.sqlite").stat().st_size / 1e6
    with open(folder / "index.bin", "rb") as stream:
        header = stream.read(HEADER_BYTES)
    at = len(MAGIC)
    summary["file"]["index MB"] = (
        int.from_bytes(header[at : at + 8], "little")
        + int.from_bytes(header[at + 8 : at + 16], "little")
    ) / 1e6
    return summary


def import_cost(runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_SQLITE], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def baseline_peak_mb() -> float:
    """Peak RSS of a process that imports what every operation imports and does nothing."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import index_choice; "
        "print(index_choice.peak_mb())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).resolve().parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


def _ms(found: dict[str, float], operation: str) -> str:
    return f"{found[operation] * 1000:.0f} ms" if operation in found else "—"


def report(sizes: list[int], runs: int, found: dict[int, dict[str, dict[str, float]]]) -> None:
    print(f"Medians of {runs} fresh processes each; time inside the process, after imports.\n")
    imports = import_cost(runs) * 1000
    print(
        f"- import sqlite3 (after msgspec, _blake2 and the model): {imports:.1f} ms; the one-file"
        " layout imports nothing the cache does not already import"
    )
    print(
        "- peak RSS of a process that only imports the model and the list row: "
        f"{baseline_peak_mb():.0f} MB\n"
    )
    print(
        "| studies | layout | build | list | show | show, row alone | whole-file seal "
        "| peak RSS | size |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for count in sizes:
        for layout, name in (("file", "one file"), ("sqlite", "SQLite")):
            r = found[count][layout]
            print(
                f"| {count:,} | {name} | {r['build']:.2f} s | {_ms(r, 'list')} | {_ms(r, 'show')} "
                f"| {_ms(r, 'show-row')} | {_ms(r, 'seal')} "
                f"| {r['list MB']:.0f}, {r['show MB']:.0f} MB | {r['size MB']:.1f} MB |"
            )
    print(
        '\n"build" is building and writing the file, "peak RSS" that of the list and of the '
        "show. The one file's index sections: "
        + ", ".join(f"{found[count]['file']['index MB']:.1f} MB at {count:,}" for count in sizes)
        + "."
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        operation, layout, folder, study_id = sys.argv[2:6]
        child(operation, layout, Path(folder), study_id)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument(
        "--runs", type=int, default=7, help="fresh processes per figure (default 7)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="blinacli-index-") as work:
        found = {count: measure(count, args.runs, Path(work)) for count in args.sizes}
        report(args.sizes, args.runs, found)


if __name__ == "__main__":
    main()
