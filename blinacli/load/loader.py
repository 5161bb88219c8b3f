"""Find, parse and validate evidence files into :class:`~blinacli.model.Study` objects.

Every problem becomes a :class:`~blinacli.base.findings.Finding` naming the file, the
line and column, the field path, what was expected and what was found. Loading
never stops at the first bad file: all files are checked, so one run shows
every problem.

Which files are read is :mod:`blinacli.load.discovery`'s job, and the wording of each
finding :mod:`blinacli.load.messages`'s; this module reads and validates the files, in
parallel or from the cache when that pays, and gathers the results.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from blinacli.base.errors import EvidenceError
from blinacli.base.findings import Finding, Report
from blinacli.load import resolution
from blinacli.load.cache import StudyCache, Summary, decode_study, encode_summaries
from blinacli.load.discovery import (
    Discovery,
    Walked,
    discover,
    evidence_paths,
    named_by,
    open_regular,
)
from blinacli.load.messages import (
    DataPath,
    describe,
    limit_finding,
    line_and_column,
    schema_finding,
    shorten,
    too_large,
    yaml_finding,
)
from blinacli.model import Study, format_path, reference_problems

# PyYAML and blinacli.load.yamlfile are imported by the functions that parse, not here: a
# load served from the cache never needs them.


class LoadedStudy:
    """A study in use and the file it was read from.

    A study parsed in this run is held whole; one the evidence index holds unchanged
    is read from the index's store only when something asks for :attr:`study` (its id,
    acronym and title, and its summaries, come from the index without it), and then
    kept: the same object every time."""

    __slots__ = ("file", "id", "acronym", "title", "_study", "_position", "_store", "_real")

    def __init__(self, study: Study, file: str) -> None:
        self.file = file
        self.id, self.acronym, self.title = study.id, study.acronym, study.title
        self._study: Study | None = study
        self._position = -1
        self._store: StudyCache | None = None
        self._real = ""

    @classmethod
    def indexed(cls, store: StudyCache, position: int, file: str, real: str) -> LoadedStudy:
        """The study ``store`` indexes at ``position`` for ``file`` (resolved: ``real``)."""
        loaded = cls.__new__(cls)
        loaded.file = file
        index = store.index
        assert index is not None
        loaded.id = index.ids[position]
        loaded.acronym = index.acronyms[position]
        loaded.title = index.titles[position]
        loaded._study = None
        loaded._position, loaded._store, loaded._real = position, store, real
        return loaded

    @property
    def study(self) -> Study:
        if self._study is None:
            self._study = self._from_store()
        return self._study

    def summary(self, wanted: Summary) -> Any:
        """The summary ``wanted`` of this study: from the index when it holds it, else
        made from the study now."""
        if self._store is not None and wanted.name in self._store.names:
            return self._store.summary(self._position, wanted, lambda: wanted.make(self.study))
        return wanted.make(self.study)

    def columns(self, wanted: Summary) -> tuple[Callable[[int], list[Any] | None], int] | None:
        """Where the index keeps the summary ``wanted`` (one with columns) of this study:
        the columns of every study it indexes, and this study's position in them; None
        if it keeps none for it."""
        if self._store is None or wanted.name not in self._store.names:
            return None
        return self._store.columns(wanted), self._position

    def _from_store(self) -> Study:
        """The study from the store; if the store no longer holds it as indexed, the
        file is parsed again (unchanged since it was indexed, so valid) and the index
        repaired."""
        assert self._store is not None
        found = self._store.study(self._position)
        if found is not None:
            return found
        study, findings = load_file(Path(self.file))
        if study is None:
            raise EvidenceError(Report(files=[self.file], findings=findings, found=1))
        try:
            self._store.put(self._real, os.stat(self._real), study)
            self._store.save()
        except OSError:
            pass
        return study

    def __repr__(self) -> str:
        return f"LoadedStudy({self.id!r}, file={self.file!r})"


def summaries_of(loaded: Sequence[LoadedStudy], wanted: Summary) -> list[Any]:
    """The summary ``wanted`` of each study of ``loaded``, in order: from the index, a
    block at a time, where it keeps them; else made from the studies."""
    made: list[Any] = [None] * len(loaded)
    by_store: dict[StudyCache, list[int]] = {}
    for number, item in enumerate(loaded):
        store = item._store
        if store is not None and wanted.name in store.names:
            by_store.setdefault(store, []).append(number)
        else:
            made[number] = wanted.make(item.study)
    for store, numbers in by_store.items():
        found = store.summaries_at(wanted, [loaded[number]._position for number in numbers])
        for at, number in enumerate(numbers):  # made from the study if the block is damaged
            made[number] = found[at] if found is not None else wanted.make(loaded[number].study)
    return made


class Evidence:
    """The studies in use, in file order, with look-up by id or acronym."""

    def __init__(
        self,
        loaded: Sequence[LoadedStudy],
        notes: Sequence[str] = (),
        unfollowed: Sequence[str] = (),
    ) -> None:
        self.loaded = list(loaded)
        self.notes = list(notes)
        """What loading passed over (files that are not YAML, hidden entries, links)."""
        self.unfollowed = list(unfollowed)
        """The symbolic links inside evidence folders that were not followed."""
        self._files: dict[int, str] | None = None

    @property
    def studies(self) -> list[Study]:
        """Every study in use, whole (read from the index's store where it is kept)."""
        return [item.study for item in self.loaded]

    def file_of(self, study: Study) -> str:
        """The file of ``study``, one of those read whole (by :attr:`studies`, or through
        an item's :attr:`LoadedStudy.study`): the map is made again when one read since
        is asked for."""
        found = self._files.get(id(study)) if self._files is not None else None
        if found is None:
            self._files = {
                id(item._study): item.file for item in self.loaded if item._study is not None
            }
            found = self._files[id(study)]
        return found

    def find(self, query: str) -> Study:
        """The study ``query`` names, ignoring case: the one whose id it is, else the only
        one whose acronym it is (see :func:`blinacli.load.resolution.find`)."""
        return resolution.find(self.loaded, query).study


# --- Loading -----------------------------------------------------------------------


Progress = Callable[[int, int], None]
"""Told (files parsed, files to parse) as a load goes on."""

PARALLEL_FROM = 300
"""Files to parse from which a load is split across processes (when there is more than
one core): below it, starting the processes costs more than they save."""


def check(
    paths: Sequence[str | Path] | None = None,
    *,
    cache: bool = False,
    progress: Progress | None = None,
    follow_links: bool = False,
    summaries: Sequence[Summary] = (),
    acronyms: bool = True,
) -> tuple[Report, list[LoadedStudy]]:
    """Load and validate every file; return the report and the studies that are valid.

    With ``cache``, files unchanged since an earlier load come from the evidence index
    (:mod:`blinacli.load.cache`), read whole only when asked for, and the others are
    added to it with their ``summaries``. The report is the same either way: only valid
    files are indexed. Symbolic links inside folders are followed only with
    ``follow_links`` (see :func:`blinacli.load.discovery.discover`). Acronyms that make a
    look-up ambiguous are findings too (kind ``acronym``), unless ``acronyms`` is False.
    """
    locations = evidence_paths(paths)
    store = StudyCache(locations, summaries) if cache else None
    found = store.walked(locations, follow_links) if store is not None else None
    if found is None:
        walked: Walked = []
        found = discover(
            locations, follow_links=follow_links, named_by=named_by(paths), walked=walked
        )
        if store is not None:
            store.remember(locations, follow_links, walked, found)
    files = found.files
    # A path that could not be read still counts as one of the files asked for.
    report = Report(
        files=[*(f.file for f in found.problems), *files],
        notes=found.skipped,
        found=len(files),
        unfollowed=found.unfollowed,
    )
    report.findings.extend(found.problems)
    with _collections_paused():
        results = _read_all(found, store, progress, report.notes, summaries)
        loaded = _collect(report, files, results)
    if acronyms:
        report.findings.extend(resolution.acronym_findings(loaded, lambda f: read_text(Path(f))))
    return report, loaded


def _collect(report: Report, files: list[str], results: list[Result]) -> list[LoadedStudy]:
    """The valid studies in file order, each id once; a repeated id is a finding."""
    loaded: list[LoadedStudy] = []
    owners: dict[str, str] = {}
    for file, (study, findings) in zip(files, results, strict=True):
        report.findings.extend(findings)
        if study is None:
            continue
        key = study.id.casefold()
        if key in owners:
            report.findings.append(
                Finding(
                    file,
                    "duplicate-id",
                    f"study id {study.id!r} is already used by {owners[key]}",
                    *line_and_column(read_text(Path(file)), ("id",)),
                    path="id",
                    hint="each study needs its own id",
                )
            )
            continue
        owners[key] = file
        loaded.append(study)
        report.studies.append(study.id)
    return loaded


Result = tuple[LoadedStudy | None, Sequence[Finding]]


@contextmanager
def _collections_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while studies pile up.

    Parsing and decoding make millions of objects that all stay alive, which sets off
    collection after collection, each scanning everything made so far (a third of a warm
    load's time at 10,000 studies). Nothing built here forms a cycle, so pausing frees
    no less memory; the collector's previous state is restored after.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _read_all(
    found: Discovery,
    store: StudyCache | None,
    progress: Progress | None,
    notes: list[str],
    summaries: Sequence[Summary],
) -> list[Result]:
    """Each file's study and findings, in order: from the index when given the locations
    it is kept for and the file is unchanged, else parsed. Why the cache was not used, if
    it was not believed, is added to ``notes``."""
    results: list[Result | None] = [None] * len(found.files)
    stats: list[os.stat_result | None] = [None] * len(found.files)
    if store is not None:
        # a file that cannot be stat'ed is parsed below, which reports why it cannot be read
        positions, stats = store.match(found.real)
        indexed, none = LoadedStudy.indexed, ()
        files, reals = found.files, found.real
        for index, position in enumerate(positions):
            if position >= 0:
                results[index] = (indexed(store, position, files[index], reals[index]), none)
    todo = [index for index, result in enumerate(results) if result is None]
    wanted = summaries if store is not None else ()
    parsed = _parse_all([Path(found.files[index]) for index in todo], progress, wanted)
    for index, (study, findings, encoded) in zip(todo, parsed, strict=True):
        item = None if study is None else LoadedStudy(study, found.files[index])
        results[index] = (item, findings)
        known = stats[index]
        if store is not None and study is not None and known is not None:
            store.put(found.real[index], known, study, encoded)
    if store is not None:
        store.save()
        notes.extend(store.notes)
    return results  # type: ignore[return-value]


Parsed = tuple[Study | None, list[Finding], tuple[bytes, list[bytes]] | None]
"""A file's study and findings, and, when a parsing process encoded them for the index,
the study and its summaries as MessagePack."""


def _parse_all(
    files: list[Path], progress: Progress | None, summaries: Sequence[Summary]
) -> list[Parsed]:
    workers = _workers() if len(files) >= PARALLEL_FROM else 1
    if workers > 1:
        return _parse_in_parallel(files, workers, progress, summaries)
    results: list[Parsed] = []
    for done, file in enumerate(files, 1):
        results.append((*load_file(file), None))
        if progress is not None:
            progress(done, len(files))
    return results


def _workers() -> int:
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # without fork, each process would import everything again
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_worker_summaries: Sequence[Summary] = ()
"""The summaries the parsing processes make (set before they are forked)."""


def _parse_in_parallel(
    files: list[Path], workers: int, progress: Progress | None, summaries: Sequence[Summary]
) -> list[Parsed]:
    """Parse ``files`` in ``workers`` forked processes, in batches, keeping their order.
    Studies come back as MessagePack, with their summaries when the index is kept, and
    are decoded (and so validated again) here."""
    import multiprocessing

    global _worker_summaries
    size = max(20, min(200, len(files) // (workers * 8)))
    batches = [files[start : start + size] for start in range(0, len(files), size)]
    results: list[Parsed] = []
    _worker_summaries = summaries
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        for batch in pool.imap(_parse_batch, batches):
            results.extend(
                (None, findings, None)
                if data is None
                else (decode_study(data), findings, (data, made))
                for data, made, findings in batch
            )
            if progress is not None:
                progress(len(results), len(files))
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _worker_summaries = ()
    return results


def _worker_start() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us


def _parse_batch(files: list[Path]) -> list[tuple[bytes | None, list[bytes], list[Finding]]]:
    encode = msgspec.msgpack.encode
    return [
        (None, [], findings)
        if study is None
        else (encode(study), encode_summaries(study, _worker_summaries), findings)
        for study, findings in map(load_file, files)
    ]


def load(
    paths: Sequence[str | Path] | None = None,
    *,
    cache: bool = False,
    progress: Progress | None = None,
    follow_links: bool = False,
    summaries: Sequence[Summary] = (),
) -> Evidence:
    """The evidence in use, or :class:`EvidenceError` listing every problem in it.

    Acronym findings alone do not refuse the evidence: no study is lost and each id
    still names one study; a look-up by an ambiguous acronym is refused instead."""
    report, loaded = check(  # acronym findings alone would not refuse it: not sought
        paths,
        cache=cache,
        progress=progress,
        follow_links=follow_links,
        summaries=summaries,
        acronyms=False,
    )
    if any(finding.kind != "acronym" for finding in report.findings):
        raise EvidenceError(report)
    return Evidence(loaded, report.notes, report.unfollowed)


def read_text(file: Path) -> str:
    """A loaded file's text again, to point a finding at its line; "" when it cannot be
    read now. Only a regular file is opened (:func:`discovery.open_regular`)."""
    try:
        with open_regular(file) as handle:
            return handle.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def load_file(file: Path) -> tuple[Study | None, list[Finding]]:
    """One file's study, or None and the findings that explain why not."""
    import yaml

    from blinacli.load import yamlfile

    name = str(file)
    try:
        with open_regular(file) as handle:  # never a named pipe or a device
            size = os.fstat(handle.fileno()).st_size
            if size > yamlfile.MAX_BYTES:
                return None, [too_large(name, size)]
            raw = handle.read(yamlfile.MAX_BYTES + 1)
        if len(raw) > yamlfile.MAX_BYTES:  # it grew since
            return None, [too_large(name, len(raw))]
    except OSError as exc:
        return None, [Finding(name, "file", f"cannot read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is accepted
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line_start = raw.rfind(b"\n", 0, start) + 1
        line = raw.count(b"\n", 0, start) + 1
        prefix = raw[line_start:start].removeprefix(b"\xef\xbb\xbf")
        column = len(prefix.decode("utf-8", errors="replace")) + 1
        return None, [
            Finding(
                name,
                "encoding",
                f"not valid UTF-8: byte 0x{raw[start]:02x} cannot be decoded",
                line,
                column,
                hint="save the file as UTF-8",
            )
        ]
    try:
        yamlfile.check_flow_depth(text)
        yamlfile.check_indentation(text)
        data = yamlfile.parse(text)
        if "*" in text:  # only aliases (*name) can make a value stand for many
            yamlfile.check_expansion(data)
    except yaml.YAMLError as exc:
        return None, [yaml_finding(name, exc, text)]
    except yamlfile.LimitError as exc:
        return None, [limit_finding(name, text, exc)]
    except RecursionError:
        return None, [Finding(name, "yaml", "nesting too deep to read", 1, 1)]
    if not isinstance(data, dict):
        return None, [
            Finding(
                name,
                "schema",
                f"expected a mapping of study fields, found {describe(data)}",
                1,
                1,
                hint="an evidence file holds one study, starting with 'id:'",
            )
        ]
    if PLACEHOLDER in text:
        unfilled = [
            Finding(
                name,
                "placeholder",
                f"unfilled placeholder: {shorten(value)}",
                *line_and_column(text, path),
                path=format_path(path),
                hint="replace it with the value from the source, or remove the field",
            )
            for path, value in placeholders(data)
        ]
        if unfilled:
            return None, unfilled
    try:
        study = msgspec.convert(data, Study)
    except msgspec.ValidationError as exc:
        return None, [schema_finding(name, text, data, str(exc))]
    findings = [
        Finding(name, "reference", message, *line_and_column(text, path), path=format_path(path))
        for path, message in reference_problems(study)
    ]
    return (None if findings else study), findings


PLACEHOLDER = "TODO"
"""A text value starting with this is a placeholder that ``blinacli new`` or an import
left for a person to fill; a file that still holds one is never valid."""


def placeholders(data: Any, path: DataPath = ()) -> list[tuple[DataPath, str]]:
    """Every text value in ``data`` that starts with :data:`PLACEHOLDER`, with its path."""
    if isinstance(data, str):
        return [(path, data)] if data.lstrip().startswith(PLACEHOLDER) else []
    if isinstance(data, dict):
        items: Iterable[tuple[Any, Any]] = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return []
    found: list[tuple[DataPath, str]] = []
    for step, child in items:
        found.extend(placeholders(child, (*path, step if isinstance(step, int) else str(step))))
    return found
