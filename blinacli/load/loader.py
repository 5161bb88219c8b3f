"""Find, parse and validate evidence files into :class:`~blinacli.model.Study` objects.

Every problem becomes a :class:`~blinacli.base.findings.Finding` naming the file, the
line and column, the field path, what was expected and what was found. Loading
never stops at the first bad file: all files are checked, so one run shows
every problem.
"""

from __future__ import annotations

import difflib
import errno
import gc
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from blinacli.base.errors import EvidenceError, StudyNotFound
from blinacli.base.findings import Finding, Report
from blinacli.base.resources import evidence_dir
from blinacli.model import Study, format_path, reference_problems

if TYPE_CHECKING:
    import yaml

    from blinacli.load import yamlfile

# PyYAML and blinacli.load.yamlfile are imported by the functions that parse, not here: a
# load served from the cache never needs them.

ENV_EVIDENCE = "BLINACLI_EVIDENCE"
SUFFIXES = (".yaml", ".yml")

DataPath = tuple[str | int, ...]


class LoadedStudy(msgspec.Struct, frozen=True):
    study: Study
    file: str


class Evidence:
    """The studies in use, in file order, with look-up by id or acronym."""

    def __init__(self, loaded: Sequence[LoadedStudy], notes: Sequence[str] = ()) -> None:
        self.loaded = list(loaded)
        self.notes = list(notes)
        self._files: dict[int, str] | None = None
        """What loading passed over (files that are not YAML, hidden entries)."""

    @property
    def studies(self) -> list[Study]:
        return [item.study for item in self.loaded]

    def file_of(self, study: Study) -> str:
        if self._files is None:
            self._files = {id(item.study): item.file for item in self.loaded}
        return self._files[id(study)]

    def find(self, query: str) -> Study:
        """The study whose id or acronym equals ``query``, ignoring case."""
        wanted = query.strip().casefold()
        for study in self.studies:
            if wanted in (study.id.casefold(), study.acronym.casefold()):
                return study
        ids = [s.id for s in self.studies]
        names = {s.id: s.id for s in self.studies}
        names.update({s.acronym.casefold(): s.id for s in self.studies})
        close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)
        suggestions = list(dict.fromkeys(names[c] for c in close))
        raise StudyNotFound(query, suggestions, ids)


# --- Choosing files -----------------------------------------------------------------


def evidence_paths(paths: Sequence[str | Path] | None = None) -> list[Path]:
    """The evidence locations in use: ``paths``, else $BLINACLI_EVIDENCE, else the bundled set."""
    if paths:
        return [Path(p) for p in paths]
    env = os.environ.get(ENV_EVIDENCE, "")
    from_env = [Path(p) for p in env.split(os.pathsep) if p.strip()]
    return from_env or [evidence_dir()]


class Discovery(msgspec.Struct):
    """The evidence files found under some paths, what was skipped, and what is wrong."""

    files: list[str]
    """The files as they are shown: relative to the working directory when inside it."""
    problems: list[Finding]
    skipped: list[str]
    """Notes on what was passed over (other files, hidden folders), for --verbose."""
    real: list[str] = msgspec.field(default_factory=list)
    """The resolved path of each file in ``files``: the key the cache knows it by."""


def discover(paths: Iterable[Path]) -> Discovery:
    """Expand directories into their YAML files: recursively, sorted, hidden entries
    skipped, symbolic links followed once (a link that loops back is reported)."""
    found = Discovery([], [], [])
    candidates: list[str] = []  # resolved paths, in order
    for path in paths:
        if path.is_dir():
            before = len(candidates)
            _walk(path, found, candidates)
            if len(candidates) == before:
                found.problems.append(
                    Finding(
                        _display(path),
                        "file",
                        "no evidence files (*.yaml, *.yml) in this directory",
                    )
                )
        elif path.is_file():
            candidates.append(os.path.realpath(path))
        elif path.is_symlink():
            found.problems.append(_link_problem(path))
        else:
            found.problems.append(Finding(_display(path), "file", "no such file or directory"))
    found.real = list(dict.fromkeys(candidates))
    cwd = os.getcwd()
    inside = cwd.rstrip(os.sep) + os.sep
    found.files = [real[len(inside) :] if real.startswith(inside) else real for real in found.real]
    return found


def _walk(root: Path, found: Discovery, candidates: list[str]) -> None:
    """Add the YAML files under ``root`` to ``candidates`` (resolved paths, sorted by
    their parts). Works on strings and directory entries: a folder of 10,000 files is
    listed in milliseconds, without resolving every file."""
    real_root = os.path.realpath(root)
    seen = {real_root}
    pending = [(root, real_root)]
    files: list[tuple[list[str], str]] = []
    while pending:
        folder, real_folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            found.problems.append(
                Finding(_display(folder), "file", f"cannot read: {exc.strerror or exc}")
            )
            continue
        folders: list[tuple[Path, str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                found.skipped.append(f"skipped {_display(folder / name)}: hidden")
            elif _is_dir(entry):
                _enter(folder / name, real_folder, entry.is_symlink(), seen, folders, found)
            elif name.endswith(SUFFIXES):
                if _is_file(entry):
                    real = (
                        os.path.realpath(entry.path)
                        if entry.is_symlink()
                        else os.path.join(real_folder, name)
                    )
                    files.append((real.split(os.sep), real))
                else:
                    found.problems.append(_link_problem(folder / name))
            else:
                found.skipped.append(f"skipped {_display(folder / name)}: not a .yaml or .yml file")
        pending.extend(reversed(folders))
    files.sort(key=lambda item: item[0])
    candidates.extend(real for _, real in files)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _enter(
    folder: Path,
    real_parent: str,
    is_link: bool,
    seen: set[str],
    folders: list[tuple[Path, str]],
    found: Discovery,
) -> None:
    """Queue a folder, unless it is a link back into its own ancestors (a loop) or a
    second way into a folder already searched."""
    real = os.path.realpath(folder) if is_link else os.path.join(real_parent, folder.name)
    if is_link and (real_parent == real or real_parent.startswith(real.rstrip(os.sep) + os.sep)):
        found.problems.append(
            Finding(
                _display(folder),
                "file",
                f"symbolic link loop: leads back to {_display(Path(real))}; not followed",
            )
        )
    elif real in seen:
        found.skipped.append(
            f"skipped {_display(folder)}: the same folder as {_display(Path(real))}"
        )
    else:
        seen.add(real)
        folders.append((folder, real))


def _link_problem(path: Path) -> Finding:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11-3.12 report a loop this way
        return Finding(_display(path), "file", "symbolic link loop")
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # Python 3.13 and later
            return Finding(_display(path), "file", "symbolic link loop")
        return Finding(_display(path), "file", "broken symbolic link: its target does not exist")
    return Finding(_display(path), "file", "not a regular file")


def _display(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when inside it.

    Links are not followed: a problem with a link names the link.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
) -> tuple[Report, list[LoadedStudy]]:
    """Load and validate every file; return the report and the studies that are valid.

    With ``cache``, files unchanged since an earlier load come from the study cache
    (:mod:`blinacli.load.cache`) and the others are added to it. The report is the same either
    way: only valid files are cached.
    """
    locations = evidence_paths(paths)
    found = discover(locations)
    files = found.files
    # A path that could not be read still counts as one of the files asked for.
    report = Report(files=[*(f.file for f in found.problems), *files], notes=found.skipped)
    report.findings.extend(found.problems)
    with _collections_paused():
        results = _read_all(found, locations if cache else None, progress)
        loaded, owners = _collect(report, files, results)
    return report, loaded


def _collect(
    report: Report, files: list[str], results: list[Result]
) -> tuple[list[LoadedStudy], dict[str, tuple[str, str]]]:
    """The valid studies in file order, each id once; a repeated id is a finding."""
    loaded: list[LoadedStudy] = []
    owners: dict[str, tuple[str, str]] = {}
    for file, (study, findings) in zip(files, results, strict=True):
        report.findings.extend(findings)
        if study is None:
            continue
        key = study.id.casefold()
        if key in owners:
            first_file, _ = owners[key]
            report.findings.append(
                Finding(
                    file,
                    "duplicate-id",
                    f"study id {study.id!r} is already used by {first_file}",
                    *_at(_read_text(Path(file)), ("id",)),
                    path="id",
                    hint="each study needs its own id",
                )
            )
            continue
        owners[key] = (file, study.id)
        loaded.append(LoadedStudy(study, file))
        report.studies.append(study.id)
    return loaded, owners


Result = tuple[Study | None, list[Finding]]


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
    found: Discovery, cached_for: list[Path] | None, progress: Progress | None
) -> list[Result]:
    """Each file's study and findings, in order: from the cache when given the locations
    it is kept for and the file is unchanged, else parsed."""
    results: list[Result | None] = [None] * len(found.files)
    stats: list[os.stat_result | None] = [None] * len(found.files)
    store = None
    if cached_for is not None:
        from blinacli.load.cache import StudyCache

        store = StudyCache(cached_for)
        for index, real in enumerate(found.real):
            try:
                stat = os.stat(real)
            except OSError:
                continue  # parsed below, which reports why it cannot be read
            stats[index] = stat
            study = store.get(real, stat)
            if study is not None:
                results[index] = (study, [])
    todo = [index for index, result in enumerate(results) if result is None]
    parsed = _parse_all([Path(found.files[index]) for index in todo], progress)
    for index, result in zip(todo, parsed, strict=True):
        results[index] = result
        known = stats[index]
        if store is not None and result[0] is not None and known is not None:
            store.put(found.real[index], known, result[0])
    if store is not None:
        store.save()
    return results  # type: ignore[return-value]


def _parse_all(files: list[Path], progress: Progress | None) -> list[Result]:
    workers = _workers() if len(files) >= PARALLEL_FROM else 1
    if workers > 1:
        return _parse_in_parallel(files, workers, progress)
    results = []
    for done, file in enumerate(files, 1):
        results.append(load_file(file))
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


def _parse_in_parallel(files: list[Path], workers: int, progress: Progress | None) -> list[Result]:
    """Parse ``files`` in ``workers`` forked processes, in batches, keeping their order.
    Studies come back as MessagePack and are decoded (and so validated again) here."""
    import multiprocessing

    size = max(20, min(200, len(files) // (workers * 8)))
    batches = [files[start : start + size] for start in range(0, len(files), size)]
    results: list[Result] = []
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        for batch in pool.imap(_parse_batch, batches):
            results.extend(
                (None if data is None else msgspec.msgpack.decode(data, type=Study), findings)
                for data, findings in batch
            )
            if progress is not None:
                progress(len(results), len(files))
        pool.close()
    finally:
        pool.terminate()
        pool.join()
    return results


def _worker_start() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us


def _parse_batch(files: list[Path]) -> list[tuple[bytes | None, list[Finding]]]:
    encode = msgspec.msgpack.encode
    return [
        (None if study is None else encode(study), findings)
        for study, findings in map(load_file, files)
    ]


def load(
    paths: Sequence[str | Path] | None = None,
    *,
    cache: bool = False,
    progress: Progress | None = None,
) -> Evidence:
    """The evidence in use, or :class:`EvidenceError` listing every problem in it."""
    report, loaded = check(paths, cache=cache, progress=progress)
    if not report.valid:
        raise EvidenceError(report)
    return Evidence(loaded, report.notes)


def _read_text(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def load_file(file: Path) -> tuple[Study | None, list[Finding]]:
    """One file's study, or None and the findings that explain why not."""
    import yaml

    from blinacli.load import yamlfile

    name = str(file)
    try:
        size = file.stat().st_size
        if size > yamlfile.MAX_BYTES:
            return None, [_too_large(name, size)]
        raw = file.read_bytes()
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
        return None, [_yaml_finding(name, exc, text)]
    except yamlfile.LimitError as exc:
        return None, [_limit_finding(name, text, exc)]
    except RecursionError:
        return None, [Finding(name, "yaml", "nesting too deep to read", 1, 1)]
    if not isinstance(data, dict):
        return None, [
            Finding(
                name,
                "schema",
                f"expected a mapping of study fields, found {_describe(data)}",
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
                f"unfilled placeholder: {_shorten(value)}",
                *_at(text, path),
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
        return None, [_schema_finding(name, text, data, str(exc))]
    findings = [
        Finding(name, "reference", message, *_at(text, path), path=format_path(path))
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


def _shorten(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _too_large(name: str, size: int) -> Finding:
    from blinacli.load import yamlfile

    limit = yamlfile.MAX_BYTES // (1024 * 1024)
    return Finding(
        name,
        "file",
        f"file is {size / (1024 * 1024):.1f} MiB, over the {limit} MiB limit for evidence files",
        hint="one study per file; a study file is typically well under 1 MiB",
    )


def _limit_finding(name: str, text: str, exc: yamlfile.LimitError) -> Finding:
    line: int | None
    column: int | None
    if exc.offset is not None:
        line = text.count("\n", 0, exc.offset) + 1
        column = exc.offset - (text.rfind("\n", 0, exc.offset) + 1) + 1
    else:
        line, column = _at(text, exc.path)
    return Finding(name, "yaml", str(exc), line, column, path=format_path(exc.path))


def _at(text: str, path: DataPath, *, key: bool = False) -> tuple[int | None, int | None]:
    from blinacli.load import yamlfile

    found = yamlfile.position(text, path, key=key)
    return found if found is not None else (None, None)


def _yaml_finding(name: str, exc: yaml.YAMLError, text: str) -> Finding:
    import yaml

    from blinacli.load import yamlfile

    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml reports the position as a byte offset into the UTF-8 text.
        prefix = text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Finding(
            name,
            "yaml",
            f"invalid YAML: character U+{code:04X} is not allowed (control characters "
            "cannot appear in YAML text)",
            line,
            column,
        )
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    # An unclosed quote or bracket is found at the end of the file; where it
    # opened is what the writer needs.
    ends = "end of stream" in problem
    mark = (context_mark if ends else None) or problem_mark or context_mark
    if problem == "but found another document":
        message = "the file holds more than one YAML document; an evidence file holds one study"
    else:
        message = problem
        if context and not isinstance(exc, yamlfile.DuplicateKeyError):
            message += f" ({context})"
    hint = "indent with spaces, not tabs" if "tab character" in problem else None
    if mark is None:
        return Finding(name, "yaml", f"invalid YAML: {message}", hint=hint)
    return Finding(
        name, "yaml", f"invalid YAML: {message}", mark.line + 1, mark.column + 1, hint=hint
    )


# --- Translating validation errors ---------------------------------------------------

_AT = re.compile(r"^(?P<message>.*?)(?: - at (?P<key>`key` in )?`\$(?P<path>[^`]*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_TYPE_NAMES = {
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "bool": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing (null)",
}


def parse_path(text: str) -> DataPath:
    """``.outcomes[2].ci`` -> ("outcomes", 2, "ci")."""
    return tuple(name if name else int(index) for name, index in _STEP.findall(text))


def _value_at(data: Any, path: DataPath) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(types: str) -> str:
    names = [_TYPE_NAMES.get(t.strip(), t.strip()) for t in types.split("|")]
    if {"a whole number", "a number"} <= set(names):
        names.remove("a whole number")
    if "nothing (null)" in names and len(names) > 1:
        names.remove("nothing (null)")
    return " or ".join(dict.fromkeys(names))


def _schema_finding(name: str, text: str, data: Any, error: str) -> Finding:
    from blinacli.load import yamlfile

    match = _AT.match(error.strip())
    assert match is not None  # the pattern matches any text
    message = match.group("message")
    path = parse_path(match.group("path") or "")
    value = _value_at(data, path)
    key_position = False
    hint: str | None = None

    if match.group("key"):
        keys = [k for k in value if not isinstance(k, str)] if isinstance(value, dict) else []
        message = "keys must be text, found " + (_describe(keys[0]) if keys else "another kind")
        hint = "YAML reads yes, no, on, off, true and false as booleans; quote the key"
        found_at = yamlfile.non_text_key_position(text, path)
        if found_at is not None:
            return Finding(name, "schema", message, *found_at, path=format_path(path), hint=hint)
    elif unknown := re.match(r"Object contains unknown field `(.+)`", message):
        field_name = unknown.group(1)
        fields = _fields(path, data)
        path = path + (field_name,)
        key_position = True
        message = "unknown key"
        if fields:
            message += "; expected one of: " + ", ".join(fields)
        hint = _did_you_mean(field_name, fields)
    elif missing := re.match(r"Object missing required field `(.+)`", message):
        message = f"missing required key {missing.group(1)!r}"
    elif typed := re.match(r"Expected `([^`]+)`, got `([^`]+)`", message):
        expected = _expectation(path, data) or _expected(typed.group(1))
        if isinstance(value, str) and _HUGE_INTEGER.fullmatch(value):
            # Kept as text by the YAML loader: too long to be any count or figure.
            digits = len(value.replace("_", "")) - (2 if "x" in value.lower() else 0)
            message = f"expected {expected}, found an integer of {digits} digits"
        else:
            message = f"expected {expected}, found {_describe(value)}"
            hint = _type_hint(typed.group(1), value)
    elif isinstance(value, float) and not math.isfinite(value):
        message = f"expected a finite number, found {_describe(value)}"
    elif bound := re.match(r"Expected `([^`]+)` (>=|<=|>|<) (\S+)", message):
        symbol = {">=": "≥", "<=": "≤"}.get(bound.group(2), bound.group(2))
        kind = "a whole number" if _whole_only(path, data) else "a number"
        message = f"expected {kind} {symbol} {_number(bound.group(3))}, found {_describe(value)}"
    elif length := re.match(r"Expected `(str|array)` of length (>=|<=) (\d+)", message):
        noun = "character" if length.group(1) == "str" else "item"
        count = int(length.group(3))
        most = "at least" if length.group(2) == ">=" else "at most"
        found = str(len(value)) if isinstance(value, str | list) else _describe(value)
        message = f"expected {most} {count} {noun}{'s' if count != 1 else ''}, found {found}"
    elif re.match(r"Invalid (enum )?value|Expected `str` matching regex", message):
        expected = _expectation(path, data) or "a value in the documented form"
        message = f"expected {expected}, found {_describe(value)}"
        hint = _did_you_mean(str(value), [str(a) for a in _allowed(path, data)])
    else:
        message = message[:1].lower() + message[1:]

    line, column = _at(text, path, key=key_position)
    return Finding(name, "schema", message, line, column, path=format_path(path), hint=hint)


_HUGE_INTEGER = re.compile(r"[-+]?(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|[0-9_]+)")


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else text


def _choices(values: Sequence[object]) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values)


def _did_you_mean(found: str, options: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(found, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _type_hint(expected: str, value: Any) -> str | None:
    wants_text = "str" in expected.split(" | ")
    wants_number = {"int", "float"} & {t.strip() for t in expected.split("|")}
    if wants_text and isinstance(value, int | float) and not isinstance(value, bool):
        return f'put it in quotes: "{value}"'
    if wants_text and value.__class__.__name__ in ("date", "datetime"):
        return f'dates are text here: write "{value}" in quotes'
    if wants_number and isinstance(value, str) and re.fullmatch(r"[0-9.]+[eE][-+]?\d+", value):
        number = float(value)
        if math.isfinite(number) and number != 0:
            return f"YAML reads {value} as text; write it as a decimal such as {number:.10g}"
        return None
    if (
        wants_number
        and isinstance(value, str)
        and value.strip().rstrip("%").strip().replace(".", "", 1).isdigit()
    ):
        return "write the number without quotes or units"
    return None


# --- Finding the declared type of a path, for allowed values and descriptions ---------


def _resolve(path: DataPath, data: Any) -> Any:
    """The msgspec type info at ``path``, following tagged unions by the data's tags."""
    from msgspec import inspect as mi

    node: Any = mi.type_info(Study)
    walked: DataPath = ()
    for step in path:
        node = _narrow(node, _value_at(data, walked))
        if isinstance(step, int) and isinstance(node, mi.ListType):
            node = node.item_type
        elif isinstance(step, str) and isinstance(node, mi.StructType):
            node = next((f.type for f in node.fields if f.name == step), None)
            if node is None:
                return None
        else:
            return None
        walked = walked + (step,)
    return node


def _narrow(node: Any, value: Any) -> Any:
    """Unwrap metadata, and choose the union member that fits ``value``."""
    from msgspec import inspect as mi

    while isinstance(node, mi.Metadata):
        node = node.type
    if isinstance(node, mi.UnionType):
        for member in node.types:
            member = _narrow(member, value)
            if isinstance(member, mi.StructType) and isinstance(value, dict):
                if member.tag_field is None or value.get(member.tag_field) == member.tag:
                    return member
            if isinstance(member, mi.ListType) and isinstance(value, list):
                return member
    return node


def _members(node: Any) -> list[Any]:
    from msgspec import inspect as mi

    while isinstance(node, mi.Metadata):
        node = node.type
    if isinstance(node, mi.UnionType):
        return [m for t in node.types for m in _members(t)]
    return [node]


def _tags(path: DataPath) -> list[str]:
    """The tags a tagged union accepts, when ``path`` ends at its tag field."""
    from msgspec import inspect as mi

    if not path or path[-1] not in ("measure", "kind"):
        return []
    members = _members(_resolve(path[:-1], {}))
    return [
        str(m.tag)
        for m in members
        if isinstance(m, mi.StructType) and m.tag_field == path[-1] and m.tag is not None
    ]


def _allowed(path: DataPath, data: Any) -> list[object]:
    """The literal values a field accepts (empty when it is not an enumeration)."""
    from msgspec import inspect as mi

    tags = _tags(path)
    if tags:
        return list(tags)
    node = _resolve(path, data)
    values: list[object] = []
    for member in _members(node):
        if isinstance(member, mi.LiteralType):
            values.extend(member.values)
    return values


def _fields(path: DataPath, data: Any) -> list[str]:
    from msgspec import inspect as mi

    node = _narrow(_resolve(path, data), _value_at(data, path))
    if isinstance(node, mi.StructType):
        return [f.name for f in node.fields]
    return []


def _expectation(path: DataPath, data: Any) -> str | None:
    """What the field at ``path`` accepts, in words; None when it is a plain type."""
    from msgspec import inspect as mi

    tags = _tags(path)
    if tags:
        return "one of " + _choices(tags)
    members = _members(_resolve(path, data))
    parts: list[str] = []
    literals: list[object] = []
    for member in _members_with_metadata(_resolve(path, data)):
        description = _described(member)
        inner = member.type if isinstance(member, mi.Metadata) else member
        if isinstance(inner, mi.LiteralType):
            literals.extend(inner.values)
        elif isinstance(inner, mi.IntType | mi.FloatType):
            parts.append("a number")
        elif isinstance(inner, mi.StrType) and description:
            parts.append(description)
    if literals:
        parts.append(("one of " if len(literals) > 1 else "") + _choices(literals))
    if not parts or (parts == ["a number"] and len(members) == 1):
        return None
    return " or ".join(dict.fromkeys(parts))


def _members_with_metadata(node: Any) -> list[Any]:
    from msgspec import inspect as mi

    if isinstance(node, mi.Metadata) and isinstance(node.type, mi.UnionType):
        node = node.type
    if isinstance(node, mi.UnionType):
        return [m for t in node.types for m in _members_with_metadata(t)]
    return [node]


def _described(node: Any) -> str | None:
    from msgspec import inspect as mi

    if isinstance(node, mi.Metadata) and node.extra_json_schema:
        description = node.extra_json_schema.get("description")
        if description:
            return str(description)[:1].lower() + str(description)[1:].rstrip(".")
    return None


def _whole_only(path: DataPath, data: Any) -> bool:
    from msgspec import inspect as mi

    kinds = {type(m) for m in _members(_resolve(path, data))}
    return mi.IntType in kinds and mi.FloatType not in kinds
