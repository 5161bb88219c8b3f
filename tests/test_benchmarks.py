"""The benchmarks' own arithmetic and the index layouts they measure, on tiny inputs.

Nothing here times anything: the benchmark's medians are given, and the index layouts
of ``benchmarks/index_choice.py`` are checked to keep, find and refuse what they should,
so that what they measure is work a cache would really do.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import msgspec
import pytest

from blinacli.model import Study
from blinacli.views.listing import list_view

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # msgspec and dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _module("run")
index_choice = _module("index_choice")
synthetic = _module("synthetic")


def test_the_slow_cases_run_in_rounds_spread_over_the_run() -> None:
    assert bench.slow_rounds(9, 3) == [1, 4, 7]
    assert bench.slow_rounds(3, 2) == [0, 2]
    assert bench.slow_rounds(9, 1) == [4]
    assert bench.slow_rounds(2, 5) == [0, 1]  # never more rounds than there are


def test_defaults_are_nine_rounds_three_slow_and_fifty_thousand_studies() -> None:
    args = bench.arguments([])
    assert (args.runs, args.slow_runs, args.huge, args.quick, args.cold_huge) == (
        9,
        3,
        50_000,
        False,
        False,
    )


def test_quick_and_cold_huge_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench.arguments(["--quick", "--cold-huge"])
    assert stopped.value.code == 2
    assert "--cold-huge times the 50,000, which --quick skips" in capsys.readouterr().err


def _cases(*, huge: bool, cold_huge: bool) -> dict[str, object]:
    """Cases with given timings (seconds, cpu seconds), as the rounds would leave them."""
    given = {
        "floor": (0.10, 0.10),
        "lookup": (0.11, 0.11),
        "show-large": (0.30, 0.25),
        "parse-large": (10.0, 10.0),
        "cold-large": (12.0, 20.0),
        "warm-large": (0.20, 0.19),
        "cold-small": (1.0, 1.5),
        "digest-small": (1.4, 1.4),
    }
    if huge:
        given["warm-huge"] = (1.5, 1.4)
    if cold_huge:
        given["cold-huge"] = (50.0, 90.0)
    cases = {}
    for name, (wall, cpu) in given.items():
        case = bench.Case(name, [name], {}, measure_memory=True)
        case.seconds, case.cpu_seconds = [wall, wall * 2, wall / 2], [cpu]
        case.peak_tree_mb, case.peak_process_mb = [150.0, 250.0], [100.0]
        cases[name] = case
    return cases


def test_the_warm_huge_load_is_held_to_five_times_the_cold_large_unless_timed() -> None:
    args = bench.arguments(["--large", "10000"])
    estimated = {row.name: row for row in bench.rows(_cases(huge=True, cold_huge=False), args)}
    warm = estimated["warm load: the same `list` over 50,000, cached"]
    assert warm.against == "cold load of 50,000, estimated (5 × the 10,000), 60.000 s"
    assert warm.ratio == pytest.approx(1.5 / 60.0)
    assert warm.target == 0.02

    args = bench.arguments(["--cold-huge"])
    timed = {row.name: row for row in bench.rows(_cases(huge=True, cold_huge=True), args)}
    warm = timed["warm load: the same `list` over 50,000, cached"]
    assert warm.against == "cold load of 50,000, timed, 50.000 s"
    assert warm.ratio == pytest.approx(1.5 / 50.0)


def test_the_table_has_the_targets_of_the_brief_and_the_cpu_time_of_each_case() -> None:
    args = bench.arguments([])
    cases = _cases(huge=True, cold_huge=False)
    lines = bench.table(bench.rows(cases, args), bench.memory_rows(cases, args))
    assert lines[0] == "| case | wall | cpu | against | ratio | target | |"
    body = "\n".join(lines)
    assert (
        "| lookup: `show e1910 --format table` | 0.110 s | 0.110 s | floor, 0.100 s "
        "| 1.100 × | ≤ 1.2 × | met |" in body
    )
    assert (
        "| show-large: `show syn-05000 --format table` over 10,000, cached | 0.300 s | 0.250 s "
        "| floor, 0.100 s | 3.000 × | ≤ 1.5 × | missed by 1.5 × |" in body
    )
    assert "| bare C-loader parse, 10.000 s | 1.200 × | ≤ 1.3 × | met |" in body
    assert "| cold load, 12.000 s | 0.017 × | ≤ 0.02 × | met |" in body
    assert "| cold load of 1,000, 1.000 s | 1.400 × | ≤ 1.5 × | met |" in body
    assert "| peak memory, cold load of 10,000 | 250 MB | | | | ≤ 300 MB | met |" in body
    assert (
        "| peak memory, warm load of 50,000 | 250 MB | | | | ≤ 200 MB | missed by 50 MB |" in body
    )


def test_quick_leaves_the_huge_set_out_of_the_table() -> None:
    args = bench.arguments(["--quick"])
    cases = _cases(huge=False, cold_huge=False)
    body = "\n".join(bench.table(bench.rows(cases, args), bench.memory_rows(cases, args)))
    assert "50,000" not in body
    assert len(bench.rows(cases, args)) == 5


@pytest.fixture(scope="module")
def source() -> object:
    studies = [msgspec.convert(synthetic.study(n, seed=2), Study) for n in range(12)]
    paths = [f"/evidence/syn-{n:05d}.yaml" for n in range(12)]
    return index_choice.Source(paths, studies, list_view(studies).rows)


LAYOUTS = ["file", "sqlite"]
"""The two layouts :mod:`index_choice` measures."""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_index_layout_lists_the_phase_3_rows_and_shows_one_study(
    layout: str, source: object, tmp_path: Path
) -> None:
    operations = index_choice.OPERATIONS[layout]
    key, target = b"k" * 32, tmp_path / "index"
    operations["build"](source, target, key)
    expected = [row for row in source.rows if str(row.phase) == "3"]  # type: ignore[attr-defined]
    assert expected and operations["list"](target, key) == expected
    for show in ("show", "show-row"):
        if show in operations:
            found = operations[show](target, key, "syn-00007")
            assert found == source.studies[7]  # type: ignore[attr-defined]
    assert [p.name for p in tmp_path.iterdir()] == ["index"]  # the temporary file was renamed


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_index_layout_refuses_another_key(layout: str, source: object, tmp_path: Path) -> None:
    operations = index_choice.OPERATIONS[layout]
    target = tmp_path / "index"
    operations["build"](source, target, b"k" * 32)
    for name in ("list", "show", "show-row"):
        if name in operations:
            arguments = (target, b"x" * 32) if name == "list" else (target, b"x" * 32, "syn-00003")
            with pytest.raises(ValueError, match="seal"):
                operations[name](*arguments)


def test_the_one_file_layout_refuses_a_changed_record(source: object, tmp_path: Path) -> None:
    target, key = tmp_path / "index.bin", b"k" * 32
    index_choice.build_file(source, target, key)
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF  # inside the last record, outside the sealed index section
    target.write_bytes(bytes(data))
    assert index_choice.list_file(target, key)  # the index section still holds
    assert index_choice.show_file(target, key, "syn-00000").id == "syn-00000"
    with pytest.raises(ValueError, match="digest"):
        index_choice.show_file(target, key, "syn-00011")
