"""The evidence index: a command reads only the studies it needs, and the index never
changes what a command prints.

Every test has a cache folder of its own ($XDG_CACHE_HOME is set per test in conftest.py).
Files are indexed however recently they changed (``_index_at_once``), except where a test
runs blinacli in processes of its own, which waits for the files to settle. Reads of the
store are counted by wrapping ``cache.decode_study``, through which every study read
from the store passes; parses by wrapping ``loader.load_file``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import cache, loader
from blinacli.model import Study
from blinacli.views import filters
from tests import index_files

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
SYNTHETIC_COUNT = 120
SETTLE_SECONDS = cache.FRESH_NS / 1e9 + 0.2
"""How long a process of its own waits before it indexes a file just changed, and a little
more (read before the tests set ``FRESH_NS`` to 0 in this process)."""


def _synthetic_module() -> object:
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "benchmarks" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _index_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "FRESH_NS", 0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled studies, the synthetic fixtures and a base of generated studies."""
    folder = tmp_path_factory.mktemp("generated") / "evidence"
    _synthetic_module().write(folder, SYNTHETIC_COUNT, seed=7)  # type: ignore[attr-defined]
    for source in [*evidence_dir().glob("*.yaml"), *SYNTHETIC.glob("*.yaml")]:
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture
def base(generated: Path, tmp_path: Path) -> Path:
    """A copy of the generated base that a test may change, dated a minute back."""
    folder = tmp_path / "evidence"
    shutil.copytree(generated, folder)
    then = time.time() - 60
    for path in folder.rglob("*"):
        os.utime(path, (then, then))
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the studies read from the store, in order."""
    seen: list[str] = []
    real = cache.decode_study

    def counted(data: bytes) -> Study:
        study = real(data)
        seen.append(study.id)
        return study

    monkeypatch.setattr(cache, "decode_study", counted)
    yield seen


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files parsed, in order."""
    return index_files.record_parses(monkeypatch)


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def listed_ids(runner: CliRunner, folder: Path) -> list[str]:
    code, out, err = run(runner, "list", "-e", folder, "--format", "json")
    assert code == 0, err
    return [row["id"] for row in json.loads(out)["studies"]]


# --- A command reads only what it needs --------------------------------------------


def test_show_of_one_study_reads_one_study(
    runner: CliRunner, base: Path, reads: list[str], parses: list[Path]
) -> None:
    run(runner, "list", "-e", base)  # the index is made
    reads.clear()
    parses.clear()
    code, out, _ = run(runner, "show", "syn-00042", "-e", base, "--format", "table")
    assert code == 0 and "SYN-42" in out
    assert reads == ["syn-00042"]
    assert parses == []
    code, _, _ = run(runner, "show", "E1910", "-e", base, "--format", "json")
    assert code == 0
    assert reads == ["syn-00042", "e1910"]


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param([], id="no-filter"),
        pytest.param(["--phase", "3"], id="phase"),
        pytest.param(["--design", "randomized", "--min-n", "100"], id="design-and-n"),
        pytest.param(["--drug", "EXAMPLUMAB", "--year-from", "2005"], id="drug-and-year"),
        pytest.param(["--endpoint", "os", "--age", "40", "--ph", "negative"], id="endpoint-age-ph"),
        pytest.param(["--mrd", "positive"], id="mrd"),
        pytest.param(
            ["--where", "population.age.max >= 70", "--where", "design.arms != 1"], id="where"
        ),
        pytest.param(["--where", "citation.authors ~ ^synthetic"], id="where-pattern"),
    ],
)
def test_list_and_indexed_filters_read_no_study(
    runner: CliRunner, base: Path, reads: list[str], filters: list[str]
) -> None:
    expected = run(runner, "list", "-e", base, "--format", "json", "--no-cache", *filters)
    run(runner, "list", "-e", base)  # the index is made
    reads.clear()
    for fmt in ("json", "markdown", "table", "csv"):
        got = run(runner, "list", "-e", base, "--format", fmt, *filters)
        assert got == run(runner, "list", "-e", base, "--format", fmt, "--no-cache", *filters)
    assert run(runner, "list", "-e", base, "--format", "json", *filters) == expected
    assert reads == []


def test_search_reads_only_the_studies_the_other_filters_kept(
    runner: CliRunner, base: Path, reads: list[str]
) -> None:
    run(runner, "list", "-e", base)
    reads.clear()
    code, out, _ = run(
        runner, "list", "-e", base, "--format", "json", "--phase", "3", "-q", "trial 1"
    )
    assert code == 0
    phase_3 = listed_phase(runner, base, "3")
    assert sorted(reads) == sorted(phase_3)
    found = [row["id"] for row in json.loads(out)["studies"]]
    assert found and set(found) <= set(phase_3)


def listed_phase(runner: CliRunner, base: Path, phase: str) -> list[str]:
    code, out, _ = run(runner, "list", "-e", base, "--format", "json", "--phase", phase)
    assert code == 0
    return [row["id"] for row in json.loads(out)["studies"]]


def test_a_document_reads_the_studies_it_selects(
    runner: CliRunner, base: Path, reads: list[str]
) -> None:
    run(runner, "list", "-e", base)
    selected = listed_phase(runner, base, "3")
    reads.clear()
    code, _, _ = run(runner, "digest", "-e", base, "--phase", "3", "--format", "markdown")
    assert code == 0
    assert sorted(set(reads)) == sorted(selected)


def test_validate_and_completion_read_no_study(
    runner: CliRunner, base: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(runner, "list", "-e", base)
    reads.clear()
    code, out, _ = run(runner, "validate", base)
    assert code == 0 and "all valid" in out
    from blinacli.cli.options import _complete_study

    class Context:
        params = {"evidence": [base]}

    assert [c[0] for c in _complete_study(Context(), "SYN-4")][:2] == ["syn-00004", "syn-00040"]
    assert reads == []


# --- Every change to the evidence is seen -----------------------------------------


def test_an_edited_added_removed_or_renamed_file_is_seen(
    runner: CliRunner, base: Path, reads: list[str]
) -> None:
    before = listed_ids(runner, base)
    assert listed_ids(runner, base) == before
    edited = base / "batch-000" / "syn-00003.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("acronym: SYN-3\n", "acronym: SYN-EDITED\n"), encoding="utf-8")
    code, out, _ = run(runner, "show", "syn-edited", "-e", base, "--format", "json")
    assert code == 0 and json.loads(out)["id"] == "syn-00003"

    added = base / "batch-000" / "added.yaml"
    added.write_text(text.replace("id: syn-00003\n", "id: syn-added\n"), encoding="utf-8")
    assert listed_ids(runner, base) == sorted_like(before + ["syn-added"], runner, base)

    (base / "batch-000" / "syn-00005.yaml").unlink()
    assert "syn-00005" not in listed_ids(runner, base)
    assert run(runner, "show", "syn-00005", "-e", base)[0] == 1

    renamed = base / "batch-000" / "zz-renamed.yaml"
    (base / "batch-000" / "syn-00006.yaml").rename(renamed)
    code, _, _ = run(runner, "show", "syn-00006", "-e", base, "--format", "json")
    assert code == 0
    ids = listed_ids(runner, base)
    assert ids.count("syn-00006") == 1
    assert ids == listed_without_index(runner, base)


def sorted_like(ids: list[str], runner: CliRunner, base: Path) -> list[str]:
    """``ids`` in the order a load without the index lists them."""
    order = listed_without_index(runner, base)
    assert sorted(order) == sorted(ids)
    return order


def listed_without_index(runner: CliRunner, base: Path) -> list[str]:
    code, out, _ = run(runner, "list", "-e", base, "--format", "json", "--no-cache")
    assert code == 0
    return [row["id"] for row in json.loads(out)["studies"]]


def test_a_file_turned_invalid_is_reported_and_never_indexed(runner: CliRunner, base: Path) -> None:
    run(runner, "list", "-e", base)
    target = base / "e1910.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("  year: 2024\n", "  year: soon\n"),
        encoding="utf-8",
    )
    for _ in range(2):
        code, out, _ = run(runner, "validate", base)
        assert code == 1 and "expected a whole number, found 'soon'" in out
    [file] = index_files.index_files()
    index, _ = index_files.read(file)
    assert str(target.resolve()) not in index.files
    assert len(index.files) == len(list(base.rglob("*.yaml"))) - 1


# --- A damaged index is rebuilt without a word -------------------------------------


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def store_start(data: bytes) -> int:
    start = len(cache.MAGIC) + cache.LENGTH_BYTES
    return start + int.from_bytes(data[len(cache.MAGIC) : start], "big")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: flip(data, 3), id="header"),
        pytest.param(lambda data: flip(data, len(cache.MAGIC) + 2), id="length"),
        pytest.param(lambda data: flip(data, store_start(data) - 10), id="index"),
        pytest.param(lambda data: data[: store_start(data) + 100], id="store-truncated"),
        pytest.param(lambda data: data + b"\x00" * 10, id="store-grown"),
        pytest.param(lambda data: data[: len(data) // 3], id="half"),
        pytest.param(lambda data: os.urandom(len(data)), id="noise"),
    ],
)
def test_a_damaged_index_is_rebuilt(
    runner: CliRunner, base: Path, parses: list[Path], damage: object
) -> None:
    expected = run(runner, "list", "-e", base, "--format", "json", "--no-cache")
    shown = run(runner, "show", "e1910", "-e", base, "--no-cache", "--format", "table")
    run(runner, "list", "-e", base)
    [file] = index_files.index_files()
    file.write_bytes(damage(file.read_bytes()))  # type: ignore[operator]
    assert run(runner, "list", "-e", base, "--format", "json") == expected
    assert run(runner, "show", "e1910", "-e", base, "--format", "table") == shown
    parses.clear()
    assert run(runner, "list", "-e", base, "--format", "json") == expected
    assert run(runner, "show", "e1910", "-e", base, "--format", "table") == shown
    assert parses == [], "the damaged index was not replaced by a good one"


def test_a_damaged_study_in_the_store_is_parsed_again_and_the_index_repaired(
    runner: CliRunner, base: Path, parses: list[Path]
) -> None:
    """The index is whole but one study's bytes in the store are not what was indexed:
    the study is parsed from its file instead, and the index written anew."""
    shown = run(runner, "show", "e1910", "-e", base, "--no-cache", "--format", "json")
    run(runner, "list", "-e", base)
    [file] = index_files.index_files()
    data = file.read_bytes()
    index, _ = index_files.read(file)
    at = index.files.index(str((base / "e1910.yaml").resolve()))
    file.write_bytes(flip(data, store_start(data) + index.offsets[at] + index.lengths[at] // 2))
    parses.clear()
    assert run(runner, "show", "e1910", "-e", base, "--format", "json") == shown
    assert [p.name for p in parses] == ["e1910.yaml"]
    parses.clear()
    assert run(runner, "show", "e1910", "-e", base, "--format", "json") == shown
    assert parses == []


@pytest.mark.parametrize("block", ["list-row", "filter-facts"])
def test_a_damaged_summary_block_is_made_again_and_the_index_rebuilt(
    runner: CliRunner, base: Path, parses: list[Path], block: str
) -> None:
    """The index is whole but a block of summaries in the store is not what was indexed
    (the list rows, or the column of the phase): the output is made from the studies,
    and the index is rebuilt."""
    expected = run(runner, "list", "-e", base, "--phase", "3", "--format", "json", "--no-cache")
    run(runner, "list", "-e", base)
    [file] = index_files.index_files()
    data = file.read_bytes()
    index, _ = index_files.read(file)
    number = index.summaries.index(block)
    column = 0 if block == "list-row" else filters.POSITION["design.phase"]
    damaged = index.blocks[number][column]
    file.write_bytes(flip(data, store_start(data) + damaged.offset + damaged.length // 2))
    assert run(runner, "list", "-e", base, "--phase", "3", "--format", "json") == expected
    assert run(runner, "list", "-e", base, "--phase", "3", "--format", "json") == expected
    parses.clear()
    assert run(runner, "list", "-e", base, "--phase", "3", "--format", "json") == expected
    assert parses == [], "the damaged index was not replaced by a good one"


# --- Output is the same with and without the index ---------------------------------


COMMANDS = [
    ["list"],
    ["list", "--phase", "3", "--design", "randomized"],
    ["list", "-q", "relapse"],
    ["show", "e1910"],
    ["show", "blast", "--full"],
    ["show", "syn-00011"],
    ["compare", "e1910", "blast"],
    ["outcomes", "os"],
    ["safety", "--drug", "blinatumomab"],
    ["digest", "--phase", "2"],
    ["validate"],
    ["check"],
]


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
def test_output_is_byte_identical_with_and_without_the_index(
    runner: CliRunner, base: Path, fmt: str
) -> None:
    for command in COMMANDS:
        where = [str(base)] if command[0] in ("validate", "check") else ["-e", str(base)]
        args = (
            [*command, *where, "--format", fmt] if command[0] != "validate" else [*command, *where]
        )
        if command[0] == "check" and fmt == "html":
            continue
        without = run(runner, *args, "--no-cache")
        first = run(runner, *args)  # builds the index
        second = run(runner, *args)  # reads it
        assert first == without, command
        assert second == without, command


# --- Processes at once --------------------------------------------------------------


def test_processes_at_once_neither_fail_nor_corrupt_the_index(base: Path) -> None:
    """Commands of several kinds start together, on a cold index and then on one being
    rewritten (a file changes between rounds); each prints what it prints without the
    index, and the index left behind is whole."""
    then = time.time() - 60
    commands = [
        ["list", "-e", str(base), "--format", "json"],
        ["show", "syn-00017", "-e", str(base), "--format", "json"],
        ["validate", str(base)],
        ["list", "-e", str(base), "--format", "json", "--phase", "3"],
    ]
    env = {**os.environ, "COLUMNS": "80"}

    def blinacli(args: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "blinacli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )

    for round_ in range(3):
        if round_:
            edited = base / "batch-000" / "syn-00009.yaml"
            text = edited.read_text(encoding="utf-8")
            edited.write_text(text.replace("SYN-9", f"SYN-9-{round_}"), encoding="utf-8")
            os.utime(edited, (then + round_, then + round_))
        expected = []
        for args in commands:
            done = subprocess.run(
                [sys.executable, "-m", "blinacli", *args, "--no-cache"],
                capture_output=True,
                env=env,
                check=False,
            )
            expected.append((done.returncode, done.stdout))
        processes = [blinacli(args) for args in commands for _ in range(2)]
        for number, process in enumerate(processes):
            stdout, stderr = process.communicate(timeout=300)
            assert stderr == b""
            assert (process.returncode, stdout) == expected[number // 2]
    time.sleep(SETTLE_SECONDS)  # the last edit is old enough to be indexed
    blinacli(commands[0]).communicate(timeout=300)
    [file] = index_files.index_files()
    index, _ = index_files.read(file)
    assert len(index.files) == len(list(base.rglob("*.yaml")))
    assert list(cache.cache_dir().glob(".*")) == []  # no temporary file left


# --- The list's JSON, written by msgspec ---------------------------------------------


def _float_free(kind: object) -> bool:
    """Whether values of the msgspec type ``kind`` can never be floats."""
    import msgspec.inspect as mi

    if isinstance(kind, mi.FloatType | mi.AnyType | mi.DecimalType):
        return False
    if isinstance(kind, mi.UnionType):
        return all(_float_free(t) for t in kind.types)
    if isinstance(kind, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        return _float_free(kind.item_type)
    if isinstance(kind, mi.StructType):
        return all(_float_free(f.type) for f in kind.fields)
    return isinstance(kind, mi.StrType | mi.IntType | mi.NoneType | mi.LiteralType)


def test_a_list_row_never_holds_a_float() -> None:
    import msgspec.inspect

    from blinacli.views.listing import StudyRow

    assert _float_free(msgspec.inspect.type_info(StudyRow))


HOSTILE = ["plain", 'quote " and \\ back', "tab\tnew\nline\r", "\x00\x1f\x7f\x85", "é 𝄞 ≥ µ"]
HOSTILE += ["\u2028\u2029", "\u202e bidi \u200b zero", "\ud7ff\ue000\uffff", ""]


def test_the_list_json_is_what_json_dumps_writes(base: Path) -> None:
    import json as stdlib_json

    import msgspec

    from blinacli.views.listing import list_view

    view = list_view([item.study for item in loader.load([base]).loaded])
    rows = [
        msgspec.structs.replace(
            row, acronym=text, headline=text * 3, headline_sources=[text, text], n_stage=None
        )
        for row in view.rows[:3]
        for text in HOSTILE
    ]
    for rows_of in (view.rows, rows, []):
        listed = type(view)(rows_of)
        expected = stdlib_json.dumps(listed.to_json(), ensure_ascii=False, separators=(",", ":"))
        assert listed.json_compact() == expected.encode("utf-8")


# --- The walk that found the files is kept while its folders are unchanged ----------


def walk_of() -> cache.Walk | None:
    [file] = index_files.index_files()
    return index_files.read(file)[0].walk


def test_a_file_added_deep_down_or_through_a_followed_link_is_seen(
    runner: CliRunner, base: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "deeper").mkdir(parents=True)
    source = (base / "batch-000" / "syn-00001.yaml").read_text(encoding="utf-8")
    (base / "link").symlink_to(outside, target_is_directory=True)
    for follow in ([], ["--follow-links"]):
        code, out, _ = run(runner, "list", "-e", base, "--format", "json", *follow)
        assert code == 0
        assert walk_of() is not None
    (base / "batch-000" / "nested").mkdir()
    (base / "batch-000" / "nested" / "deep.yaml").write_text(
        source.replace("id: syn-00001\n", "id: syn-deep\n"), encoding="utf-8"
    )
    assert "syn-deep" in listed_ids(runner, base)
    (outside / "deeper" / "linked.yaml").write_text(
        source.replace("id: syn-00001\n", "id: syn-linked\n"), encoding="utf-8"
    )
    code, out, _ = run(runner, "list", "-e", base, "--format", "json", "--follow-links")
    assert "syn-linked" in [row["id"] for row in json.loads(out)["studies"]]
    assert "syn-linked" not in listed_ids(runner, base)


def test_files_are_shown_from_where_the_command_runs(
    runner: CliRunner, base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = base / "e1910.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("  year: 2024\n", "  year: soon\n"),
        encoding="utf-8",
    )
    shown = []
    for where in (base.parent, base, base / "batch-000"):
        monkeypatch.chdir(where)
        for _ in range(2):
            code, out, _ = run(runner, "validate", base)
            assert code == 1
            shown.append(next(line for line in out.splitlines() if "soon" in line))
    assert shown[0] == shown[1] and shown[0].startswith("evidence/e1910.yaml:")
    assert shown[2] == shown[3] and shown[2].startswith("e1910.yaml:")
    assert shown[4] == shown[5] and shown[4].startswith(str(target) + ":")


def test_a_walk_is_not_kept_while_a_folder_has_just_changed(
    runner: CliRunner, base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "FRESH_NS", 10**12)  # every change is recent
    listed_ids(runner, base)
    assert walk_of() is None
    monkeypatch.setattr(cache, "FRESH_NS", 0)
    listed_ids(runner, base)
    walk = walk_of()
    assert walk is not None and str(base / "batch-000") in walk.paths


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_large_json_written_in_pieces_is_the_json_of_the_whole(
    chunk: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Indented as bytes, escaped and written a piece at a time: the same text, hidden
    characters escaped, as the whole document through ``_json``."""
    import json as stdlib_json

    from blinacli.cli import common

    payload = {
        "studies": [
            {"id": text, "n": number, "notes": [text, text * 2]}
            for number, text in enumerate(HOSTILE * 3)
        ]
    }
    monkeypatch.setattr(common, "CHUNK", chunk)
    compact = stdlib_json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    common._write_json(compact.encode("utf-8"))
    assert capsys.readouterr().out == common._json(payload) + "\n"
