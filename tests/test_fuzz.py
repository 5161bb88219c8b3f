"""Fuzzing: mutated copies of the bundled study files never crash a command.

Each example takes one bundled file (blast.yaml or e1910.yaml), mutates it, writes it
into a fresh directory beside the other file unchanged, and runs through ``CliRunner``:

    validate DIR
    show ID -e DIR --format markdown       (and table; sometimes also html, json or csv)
    compare blast e1910 -e DIR --format markdown
    digest -e DIR --format markdown        (and sometimes --format html)

Two families of mutation, one to three per example:

- on the text (the file is written as bytes): delete, duplicate or re-indent a line;
  change one character of a ``key:``; replace the scalar after ``key: `` or ``- `` with
  a random one (numbers, nan and inf, yes/no/on/off, null and ~, dates, long text, text
  with ``: ``, ``#``, brackets or quotes, other scripts, control characters); replace a
  number with an edge one (0, 100, 1e12, 5e-324...) or another of the file's numbers;
  empty a flow list ``[a, b]`` or a block list; truncate the text; insert random bytes;
- on the structure: ``yaml.safe_load`` the file, delete a key, rename a key, replace a
  leaf or a whole mapping or list with random data, replace a number by a number or a
  text by a text, empty a list, then ``yaml.safe_dump(allow_unicode=True,
  sort_keys=False)``.

The edge numbers and the like-for-like replacements keep some files valid (about one
example in eight), so odd values reach the views, derived figures and renderers.

The property, for every command:

- the exit code is 0 or 1, no exception but SystemExit escapes, and no traceback is
  printed;
- exit 1 names the mutated file in the output (stdout and stderr together). The one
  exit 1 that need not: ``show`` and ``compare`` saying ``error: no study 'ID'``. A
  mutation can leave valid evidence in which a study's id and acronym no longer match
  the id asked for; that is a bad request, and the message rightly names the id, not
  a file;
- validate agrees with the other commands: when it exits 1 they all exit 1 (the
  evidence in use is invalid); when it exits 0, digest exits 0 and show and compare
  exit 0 or fail only with "no study";
- no command takes more than ``HANG_SECONDS`` (a hang fails the example).

A failing example's message holds the mutations, a diff against the bundled file and
the whole mutated text; the regression tests at the end of this file are crashes found
this way, kept as plain tests.

The suite runs the "default" Hypothesis profile of tests/conftest.py (a few hundred
examples in all; derandomized when $CI is set). A long run, thousands of examples per
test, from the repository's top folder:

    HYPOTHESIS_PROFILE=fuzz .venv/bin/pytest tests/test_fuzz.py
"""

from __future__ import annotations

import difflib
import json
import re
import signal
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import currently_in_test_context, event, given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app

STUDY_OF_FILE = {"blast.yaml": "blast", "e1910.yaml": "e1910"}
ORIGINALS = {name: (evidence_dir() / name).read_bytes() for name in STUDY_OF_FILE}
PARSED = {name: yaml.safe_load(text) for name, text in ORIGINALS.items()}
HANG_SECONDS = 30
"""Longest a single command may take; a bundled file takes well under a second."""
TRACEBACK = "Traceback (most recent call last)"

RUNNER = CliRunner()  # holds no state, so one serves every example


# --- Random scalars, as YAML text and as Python values --------------------------------

_YAML_WORDS = [
    "yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "true", "false",
    "True", "FALSE", "null", "Null", "NULL", "~", "", ".nan", ".NaN", ".inf", "-.inf",
    "+.Inf", "nan", "inf", "-inf", "1e309", "-1e309", "1e-400", "-0", "0", "0.0", "-1",
    "0x1F", "0o17", "017", "0b101", "1_000", "1:30:00", "190:20:30", "2024-07-25",
    "2024-02-30", "0000-00-00", "2024-07-25T10:00:00Z", "2024-07-25 10:00:00.5 +02:00",
    "9999999999999999999999", "-9223372036854775809", "18446744073709551616", "<<",
    "=", "*alias", "&anchor", "!!str", "!!int x", "!!float nan", "!!binary aGk=",
    "!!python/object:os.system", "!tag", "!!set {a, b}", "!!omap [a: 1]", "|", ">-",
    "- x", "? x", "%YAML 1.1", "---", "...", "@", "`x`", "{}", "[]", "{a: 1}",
    "[1, [2, [3]]]", '"', "'", "''", '""', '"unterminated', "'unterminated",
]  # fmt: skip
_SPECIAL_PIECES = [
    ": ", ":", "#", " #", " # comment", "[", "]", "{", "}", ",", '"', "'", "\\", "\\x",
    "*", "&", "!", "|", ">", "-", "? ", "%", "@", "`", "<<", "\t", "\r", "\n", "  ",
]  # fmt: skip
_CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(
    ["\x7f", "\x85", "\xa0", "\u2028", "\u2029", "\ufeff", "\u200b", "\u202e", "\ufffd"]
)
_UNICODE = st.characters(codec="utf-8", exclude_categories=["Cs"])


def _yaml_float(value: float) -> str:
    """As YAML writes it: 1e-05 would be text to YAML 1.1, 1.0e-05 is a number."""
    return yaml.safe_dump(value).partition("\n")[0]


_EDGE_NUMBERS = [
    "0", "1", "2", "-1", "0.0", "0.5", "0.999999", "1.0", "1.000001", "99", "99.99", "100",
    "100.0", "101", "130", "131", "1900", "2200", "2201", "1000000000", "1000000001",
    "1000000000000", "1000000000001", "1.0e+12", "1.0e+13", "1.0e+300", "1.7976931348623157e+308",
    "0.0001", "0.001", "0.05", "0.0500", "1.005", "9.995", "1.0e-6", "1.0e-12", "1.0e-15",
    "1.0e-20", "1.0e-300", "2.2250738585072014e-308", "1.0e-320", "5.0e-324",
]  # fmt: skip
number_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(_EDGE_NUMBERS),
    st.sampled_from(_EDGE_NUMBERS),  # twice: the edges are where things break
    st.integers(0, 10**13).map(str),
    st.floats(0, 1e13).map(_yaml_float),
    st.floats(0, 2).map(_yaml_float),
    st.floats(0, 1e-10).map(_yaml_float),  # down to the subnormals, 5e-324
)
"""A number YAML reads as one (a float always has a dot), mostly one the schema accepts:
the edges where the derived figures, the forest plots and the formatting may break."""

yaml_scalar_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(_YAML_WORDS),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=True, allow_infinity=True).map(_yaml_float),
    st.dates().map(str),
    st.datetimes().map(str),
    st.integers(200, 20_000).map(lambda n: ("lorem ipsum " * n)[:n]),
    st.lists(st.sampled_from(_SPECIAL_PIECES) | st.text(max_size=4), min_size=1, max_size=6).map(
        "".join
    ),
    st.text(_UNICODE, min_size=1, max_size=40),
    st.text(_CONTROL | st.sampled_from("ab "), min_size=1, max_size=8),
)
"""A scalar as it might be typed after ``key: ``: what YAML reads it as is the point."""

_leaf_values: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(_UNICODE, max_size=30),
    st.text(_CONTROL | st.sampled_from("ab "), max_size=8),
    st.sampled_from(["", "yes", "no", "on", "off", "null", "~", "nan", "1e309", "2024-07-25"]),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=8),
    st.integers(200, 5_000).map(lambda n: "x" * n),
)
_keys: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["id", "n", "arm", "source", "kind", "measure", "cite", "label"]),
    st.text(_UNICODE, max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.dates(),
)
python_values: st.SearchStrategy[Any] = st.recursive(
    _leaf_values,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_keys, children, max_size=3),
    max_leaves=6,
)
"""Any value yaml.safe_dump can write: scalars of every YAML type, lists, mappings."""


# --- Mutations of the text --------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]

_KEY = re.compile(rb"^(?P<head> *(?:- )?)(?P<key>[A-Za-z_][A-Za-z0-9_-]*):(?= |$)")
_SCALAR = re.compile(rb"^(?P<head> *(?:- )?(?:[A-Za-z_][A-Za-z0-9_-]*: )?)(?P<value>\S.*)$")
_NUMBER = re.compile(rb"(?<=[ \[{,:])-?[0-9][0-9.e+-]*(?=[,}\]]|$)")
_FLOW_LIST = re.compile(rb"\[[^\[\]\n]*\]")
_BLOCK_KEY = re.compile(rb"^(?P<indent> *)(?:- )?[A-Za-z_][A-Za-z0-9_-]*:$")
_KEY_CHARACTERS = st.sampled_from("abcdexyzAZ019_- .:é#") | _UNICODE


def _indent(line: bytes) -> int:
    return len(line) - len(line.lstrip(b" "))


def _pick(draw: Draw, candidates: Sequence[int]) -> int:
    return candidates[draw(st.integers(0, len(candidates) - 1))]


def _delete_line(draw: Draw, lines: list[bytes]) -> str:
    i = draw(st.integers(0, len(lines) - 1))
    del lines[i]
    return f"delete line {i + 1}"


def _duplicate_line(draw: Draw, lines: list[bytes]) -> str:
    i = draw(st.integers(0, len(lines) - 1))
    lines.insert(i, lines[i])
    return f"duplicate line {i + 1}"


def _reindent_line(draw: Draw, lines: list[bytes]) -> str:
    i = draw(st.integers(0, len(lines) - 1))
    body = lines[i].lstrip(b" ")
    indent = draw(
        st.sampled_from([b"", b" ", b"   ", b"\t", b"  \t"]) | st.integers(0, 12).map(b" ".__mul__)
    )
    lines[i] = indent + body
    return f"re-indent line {i + 1} with {indent!r}"


def _rename_key(draw: Draw, lines: list[bytes]) -> str:
    found = [i for i, line in enumerate(lines) if _KEY.match(line)]
    if not found:
        return "rename a key: none left"
    i = _pick(draw, found)
    match = _KEY.match(lines[i])
    assert match is not None
    key = match.group("key").decode()
    at = draw(st.integers(0, len(key) - 1))
    renamed = key[:at] + draw(_KEY_CHARACTERS) + key[at + 1 :]
    lines[i] = match.group("head") + renamed.encode() + lines[i][match.end("key") :]
    return f"rename key {key!r} to {renamed!r} on line {i + 1}"


def _replace_scalar(draw: Draw, lines: list[bytes]) -> str:
    found = [i for i, line in enumerate(lines) if _SCALAR.match(line)]
    if not found:
        return "replace a scalar: none left"
    i = _pick(draw, found)
    match = _SCALAR.match(lines[i])
    assert match is not None
    scalar = draw(yaml_scalar_text)
    if draw(st.booleans()):
        scalar = json.dumps(scalar, ensure_ascii=False)  # a YAML double-quoted string
    lines[i] = match.group("head") + scalar.encode("utf-8", "surrogatepass")
    return f"replace the value on line {i + 1} with {scalar[:80]!r}"


def _replace_number(draw: Draw, lines: list[bytes]) -> str:
    """A number (in a block or a flow mapping) becomes another, mostly a valid one, or
    another number of the same file, so bounds may meet: a CI of 0.41 to 0.41."""
    found = [(i, m) for i, line in enumerate(lines) for m in _NUMBER.finditer(line)]
    if not found:
        return "replace a number: none left"
    i, match = found[draw(st.integers(0, len(found) - 1))]
    others = [m.group().decode() for _, m in found]
    number = draw(number_text | st.sampled_from(others))
    lines[i] = lines[i][: match.start()] + number.encode() + lines[i][match.end() :]
    return f"replace the number {match.group().decode()} on line {i + 1} with {number}"


def _empty_flow_list(draw: Draw, lines: list[bytes]) -> str:
    found = [i for i, line in enumerate(lines) if _FLOW_LIST.search(line)]
    if not found:
        return "empty a flow list: none left"
    i = _pick(draw, found)
    lines[i] = _FLOW_LIST.sub(b"[]", lines[i], count=1)
    return f"empty the flow list on line {i + 1}"


def _empty_block_list(draw: Draw, lines: list[bytes]) -> str:
    """``key:`` followed by ``- item`` lines becomes ``key: []``."""
    found = [
        i
        for i in range(len(lines) - 1)
        if _BLOCK_KEY.match(lines[i]) and lines[i + 1].lstrip(b" ").startswith(b"- ")
    ]
    if not found:
        return "empty a block list: none left"
    i = _pick(draw, found)
    indent = _indent(lines[i]) + (2 if lines[i].lstrip(b" ").startswith(b"- ") else 0)
    end = i + 1
    while end < len(lines) and (
        not lines[end].strip()
        or _indent(lines[end]) > indent
        or (_indent(lines[end]) == indent and lines[end].lstrip(b" ").startswith(b"- "))
    ):
        end += 1
    lines[i:end] = [lines[i] + b" []"]
    return f"empty the block list of line {i + 1} (lines {i + 2}-{end})"


_LINE_MUTATIONS = (
    _delete_line,
    _rename_key,
    _replace_scalar,
    _replace_number,
    _empty_flow_list,
    _empty_block_list,
    _duplicate_line,
    _reindent_line,
)


def _truncate(draw: Draw, data: bytes) -> tuple[bytes, str]:
    at = draw(st.integers(0, len(data)))
    return data[:at], f"truncate at byte {at}"


def _insert_bytes(draw: Draw, data: bytes) -> tuple[bytes, str]:
    at = draw(st.integers(0, len(data)))
    inserted = draw(st.binary(min_size=1, max_size=16))
    return data[:at] + inserted + data[at:], f"insert {inserted!r} at byte {at}"


@dataclass
class Case:
    """One mutated file: its name, its bytes and the mutations that made it."""

    name: str
    content: bytes
    mutations: list[str] = field(default_factory=list)

    @property
    def study_id(self) -> str:
        return STUDY_OF_FILE[self.name]

    def describe(self) -> str:
        original = ORIGINALS[self.name].decode().splitlines(keepends=True)
        mutated = self.content.decode("utf-8", "backslashreplace").splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(original, mutated, "bundled", "mutated", n=1))
        return (
            f"{self.name} mutated by: {'; '.join(self.mutations)}\n"
            f"--- diff ---\n{diff}\n"
            f"--- mutated text ({len(self.content)} bytes) ---\n"
            f"{self.content.decode('utf-8', 'backslashreplace')}"
        )


@st.composite
def text_mutated(draw: Draw) -> Case:
    """A bundled file's bytes after one to three mutations of its text."""
    name = draw(st.sampled_from(sorted(STUDY_OF_FILE)))
    case = Case(name, ORIGINALS[name])
    for _ in range(draw(st.integers(1, 3))):
        # Numbers get a share of their own: most other mutations make the file invalid,
        # and a valid file with odd numbers is what reaches the derived figures and plots.
        kind = draw(st.sampled_from(["line", "truncate", "insert", "number"]))
        if kind == "truncate":
            case.content, what = _truncate(draw, case.content)
        elif kind == "insert":
            case.content, what = _insert_bytes(draw, case.content)
        else:
            lines = case.content.split(b"\n")
            mutate = _replace_number if kind == "number" else draw(st.sampled_from(_LINE_MUTATIONS))
            what = mutate(draw, lines)
            case.content = b"\n".join(lines)
        case.mutations.append(what)
    return case


# --- Mutations of the structure ------------------------------------------------------------

DataPath = tuple[Any, ...]


def _unshared(value: Any) -> Any:
    """A copy in which no two places share an object, as aliases made them: a mutation
    then changes one place, and the dump has no anchors."""
    if isinstance(value, dict):
        return {k: _unshared(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshared(v) for v in value]
    return value


def _nodes(value: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _nodes(child, (*path, index))


def _at(root: Any, path: DataPath) -> Any:
    for step in path:
        root = root[step]
    return root


def _show(path: DataPath) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path) or "."


def _structure_mutation(draw: Draw, root: Any) -> tuple[Any, str]:
    nodes = list(_nodes(root))
    kind = draw(
        st.sampled_from(
            # like for like twice: see text_mutated on keeping some files valid
            ["delete", "replace leaf", "like for like", "empty list", "rename", "replace"]
            + ["like for like"]
        )
    )
    if kind == "like for like":
        return _like_for_like(draw, root, nodes)
    if kind in ("delete", "rename"):
        keyed = [p for p, _ in nodes if p and isinstance(_at(root, p[:-1]), dict)]
        if not keyed:
            return root, f"{kind} a key: none left"
        path = keyed[draw(st.integers(0, len(keyed) - 1))]
        parent = _at(root, path[:-1])
        if kind == "delete":
            del parent[path[-1]]
            return root, f"delete {_show(path)}"
        new_key = draw(_keys)
        items = [(new_key if k == path[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
        return root, f"rename {_show(path)} to {new_key!r}"
    if kind == "empty list":
        lists = [p for p, v in nodes if isinstance(v, list) and v]
        if not lists:
            return root, "empty a list: none left"
        path = lists[draw(st.integers(0, len(lists) - 1))]
        _at(root, path).clear()
        return root, f"empty the list {_show(path)}"
    if kind == "replace leaf":
        targets = [p for p, v in nodes if p and not isinstance(v, dict | list)]
    else:
        targets = [p for p, v in nodes if isinstance(v, dict | list)]
    if not targets:
        return root, f"{kind}: nothing left"
    path = targets[draw(st.integers(0, len(targets) - 1))]
    value = draw(python_values)
    if not path:
        return value, f"replace the whole document with {value!r:.80}"
    _at(root, path[:-1])[path[-1]] = value
    return root, f"replace {_show(path)} with {value!r:.80}"


def _like_for_like(draw: Draw, root: Any, nodes: list[tuple[DataPath, Any]]) -> tuple[Any, str]:
    """A number becomes another number, a text another text: the file stays valid more
    often, so the views, derived figures and renderers see the odd values."""
    numbers = [v for _, v in nodes if isinstance(v, int | float) and not isinstance(v, bool)]
    leaves = [p for p, v in nodes if p and isinstance(v, int | float | str)]
    if not leaves:
        return root, "like for like: nothing left"
    path = leaves[draw(st.integers(0, len(leaves) - 1))]
    old = _at(root, path)
    if isinstance(old, str):
        new: Any = draw(
            st.text(_UNICODE, min_size=1, max_size=60)
            | st.sampled_from(
                [old.upper(), old + "-x", old[:1], old * 3, "x" * 4000, "x" * 4001, "a\u2028b"]
            )
        )
    else:
        new = draw(number_text.map(yaml.safe_load) | st.sampled_from(numbers))
    _at(root, path[:-1])[path[-1]] = new
    return root, f"replace {_show(path)} ({old!r:.40}) with {new!r:.80}"


@st.composite
def structure_mutated(draw: Draw) -> Case:
    """A bundled file loaded, changed in one to three places, and dumped again."""
    name = draw(st.sampled_from(sorted(STUDY_OF_FILE)))
    root = _unshared(PARSED[name])
    mutations = []
    for _ in range(draw(st.integers(1, 3))):
        root, what = _structure_mutation(draw, root)
        mutations.append(what)
    text = yaml.safe_dump(root, allow_unicode=True, sort_keys=False)
    return Case(name, text.encode("utf-8", "surrogatepass"), mutations)


# --- Running the commands and checking the property ------------------------------------------


class CommandHung(Exception):
    """A command ran longer than HANG_SECONDS."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Raise CommandHung in the command after ``seconds`` (where SIGALRM exists)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hung(signum: int, frame: object) -> None:
        raise CommandHung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(args: list[str]) -> Result:
    with _time_limit(HANG_SECONDS):
        return RUNNER.invoke(app, args, catch_exceptions=True)


def write_evidence(directory: Path, case: Case) -> None:
    """The mutated file and the other bundled file, unchanged, in ``directory``."""
    for name, original in ORIGINALS.items():
        (directory / name).write_bytes(case.content if name == case.name else original)


def command_lines(directory: Path, study_id: str, show_format: str, html: bool) -> list[list[str]]:
    where = str(directory)
    lines = [
        ["validate", where],
        ["show", study_id, "-e", where, "--format", "markdown"],
        ["show", study_id, "-e", where, "--format", "table"],
        ["compare", "blast", "e1910", "-e", where, "--format", "markdown"],
        ["digest", "-e", where, "--format", "markdown"],
    ]
    if show_format not in ("markdown", "table"):
        lines.append(["show", study_id, "-e", where, "--format", show_format])
    if html:
        lines.append(["digest", "-e", where, "--format", "html"])
    return lines


def no_study(args: Sequence[str], output: str) -> bool:
    """The one exit 1 that need not name a file: show or compare asked for an id that
    the (valid) evidence no longer has."""
    return args[0] in ("show", "compare") and "error: no study '" in output


def problem(args: Sequence[str], result: Result, mutated: str, validate: int) -> str | None:
    """What is wrong with one command's result, or None when it keeps the property."""
    if isinstance(result.exception, CommandHung):
        return f"hung: {result.exception}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        return "crashed:\n" + "".join(traceback.format_exception(*result.exc_info))
    output = result.output
    if TRACEBACK in output:
        return "printed a traceback"
    if result.exit_code not in (0, 1):
        return f"exit code {result.exit_code}"
    if result.exit_code == 1 and mutated not in output and not no_study(args, output):
        return f"exit 1 without naming {mutated}"
    if args[0] != "validate":
        if validate == 1 and result.exit_code != 1:
            return "exit 0 although validate found the evidence invalid"
        if validate == 0 and result.exit_code == 1 and not no_study(args, output):
            return "exit 1 although validate found the evidence valid"
    return None


def check_case(case: Case, show_format: str = "markdown", html: bool = False) -> None:
    """Run every command on ``case`` and assert the property of the module docstring."""
    with tempfile.TemporaryDirectory(prefix="blinacli-fuzz-") as tmp:
        directory = Path(tmp)
        write_evidence(directory, case)
        validate = None
        for args in command_lines(directory, case.study_id, show_format, html):
            result = run(args)
            if validate is None:
                validate = result.exit_code
                if currently_in_test_context():  # shown by --hypothesis-show-statistics
                    event(f"validate exit {validate}")
            wrong = problem(args, result, case.name, validate)
            assert wrong is None, (
                f"blinacli {' '.join(args)}\n{wrong}\n"
                f"--- output (exit {result.exit_code}) ---\n{result.output[-3000:]}\n"
                f"{case.describe()}"
            )


# --- The fuzz tests ---------------------------------------------------------------------------

SHOW_FORMATS = st.sampled_from(["markdown", "table", "html", "json", "csv"])


@given(case=text_mutated(), show_format=SHOW_FORMATS, html=st.booleans())
def test_text_mutations_exit_0_or_1_naming_the_file(
    case: Case, show_format: str, html: bool
) -> None:
    check_case(case, show_format, html)


@given(case=structure_mutated(), show_format=SHOW_FORMATS, html=st.booleans())
def test_structure_mutations_exit_0_or_1_naming_the_file(
    case: Case, show_format: str, html: bool
) -> None:
    check_case(case, show_format, html)


# --- The harness itself -----------------------------------------------------------------------


def test_unmutated_files_pass_every_command() -> None:
    for name, original in ORIGINALS.items():
        check_case(Case(name, original), "json", html=True)


def test_a_broken_file_exits_1_naming_it() -> None:
    broken = Case("blast.yaml", ORIGINALS["blast.yaml"].replace(b"id: blast", b"id: [blast", 1))
    check_case(broken, "table", html=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_evidence(Path(tmp), broken)
        result = run(["digest", "-e", tmp])
    assert result.exit_code == 1
    # libyaml reports the unclosed list on the line after "id: [blast", at column 8.
    line = ORIGINALS["blast.yaml"][: ORIGINALS["blast.yaml"].index(b"id: blast")].count(b"\n") + 2
    assert f"blast.yaml:{line}:8: invalid YAML" in result.output
    assert problem(["digest"], result, "e1910.yaml", validate=1) == (
        "exit 1 without naming e1910.yaml"
    )


# --- Regression tests: crashes fuzzing found --------------------------------------------------
#
# Each is the bundled file with one value changed; each runs the whole property
# (every command, every format) through check_case, and then pins what a user sees.


def replaced(name: str, old: bytes, new: bytes) -> Case:
    """The bundled file ``name`` with its one occurrence of ``old`` replaced by ``new``."""
    original = ORIGINALS[name]
    assert original.count(old) == 1, old
    return Case(name, original.replace(old, new), [f"replace {old!r} with {new!r}"])


def test_a_confidence_level_near_zero_is_reported_not_divided_by() -> None:
    # A CI level of 1.0e-15 (under about 1e-14 the normal quantile is 0) made
    # stats.ratio_test divide by zero in show, compare, digest and check: exit 1
    # with a ZeroDivisionError traceback, although validate called the file valid.
    case = replaced(
        "e1910.yaml", b"ci: {level: 95, lower: 0.23", b"ci: {level: 1.0e-15, lower: 0.23"
    )
    check_case(case, "json", html=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_evidence(Path(tmp), case)
        result = run(["show", "e1910", "-e", tmp, "--format", "markdown"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert "e1910.yaml:" in result.stderr
    assert "outcomes[0].comparison.ci.level" in result.stderr


def test_an_mrd_threshold_of_5e_324_is_not_divided_by() -> None:
    # The smallest float above 0 was a valid threshold (0 < threshold < 1), but
    # formatting.threshold divided by 10**-324, which is 0.0: show, compare,
    # digest and list exited 1 with a ZeroDivisionError traceback while validate
    # exited 0. Either answer is right: shown (exit 0), or reported in the file.
    case = replaced("e1910.yaml", b"threshold: 0.0001", b"threshold: 5.0e-324")
    check_case(case, "json", html=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_evidence(Path(tmp), case)
        for args in (["show", "e1910"], ["list"]):
            result = run([*args, "-e", tmp, "--format", "markdown"])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert result.exit_code in (0, 1), args
            assert result.exit_code == 0 or "e1910.yaml" in result.stderr, args
