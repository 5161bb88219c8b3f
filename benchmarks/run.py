"""Time blinacli as a user meets it: whole processes, interleaved rounds, medians and ratios.

    python benchmarks/run.py               # the full benchmark (1,000, 10,000 and 50,000 studies)
    python benchmarks/run.py --quick       # without the 50,000-study set
    python benchmarks/run.py --cold-huge   # also time the cold load of the 50,000
    python benchmarks/run.py --runs 5 --slow-runs 2
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --lookup-only # the lookup against its floor, in seconds

How long it takes, on the development machine (2 cores): the full run 3.6 minutes,
writing, validating and indexing the 50,000 studies included; ``--quick``
2.5 minutes; ``--cold-huge`` adds about 3 (three cold loads of 50,000, about a minute
each); ``--lookup-only`` about a minute. The run prints its own duration at the end.

It writes synthetic, valid, varied study files (``benchmarks/synthetic.py``) into a
temporary folder, then runs each case as a separate process, interleaving the cases
round by round so a slow moment of the machine touches all of them alike. The cache
lives in a temporary XDG_CACHE_HOME, so a user's own cache is never read or written.

Cases (``LARGE`` is 10,000 studies, ``SMALL`` 1,000, ``HUGE`` 50,000):

- lookup: ``blinacli show e1910 --format table`` on the bundled evidence, against the
  floor ``python -c "import typer, rich.table"``;
- show-large: ``blinacli show syn-05000 --format table --evidence LARGE``, cached,
  against the same floor: one study looked up in a large evidence base;
- cold load: ``blinacli list --phase 3 --format json --evidence LARGE --no-cache``,
  against a plain loop parsing the same files with PyYAML's C loader;
- warm load: the same ``list`` with the cache in place, against the cold load;
- warm load of HUGE: the same ``list`` over 50,000 studies, cached, against their cold
  load. That cold load is estimated from the 10,000 (five times its median: parsing
  costs the same per study), unless ``--cold-huge`` asks for it to be timed; the table
  says which;
- document: ``blinacli digest --format markdown --no-cache`` over SMALL, against the
  cold load of SMALL;
- peak resident memory of the cold and warm LARGE runs and of the warm HUGE run: the
  largest resident set of the process tree, sampled every 5 ms, and the kernel's peak
  for the process.

The floor, the lookup and show-large run five times a round, alternating, and every
other sub-second case once a round (``--runs``, 9 by default). The slow cases (the bare
parse and the cold loads of LARGE and HUGE) run in ``--slow-runs`` of those rounds (3
by default), spread evenly among them. Each case is timed twice: wall time from start
to exit, and CPU time (user and system) of the process tree, from the rusage that
``os.wait4`` returns, which covers the process and every descendant it waited for (the
cold load's parsing workers). A single-process case whose wall time is well above its
CPU time waited for something else: a busy machine, or the disk.

blinacli's modules are byte-compiled first, as an installed package is.

Prints a Markdown table of medians, ratios and targets. Nothing here is asserted by the
test suite; timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

QUICK_REPEAT = 5
"""The floor, the lookup and show-large run this many times a round, alternating."""
MEMORY_MB = 300
"""The peak memory allowed to a cold or warm load of LARGE."""
HUGE_MEMORY_MB = 200
"""The peak memory allowed to a warm load of HUGE."""

BASELINE = """\
import sys
from pathlib import Path
import yaml
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    with open(path, encoding="utf-8") as stream:
        yaml.load(stream, Loader=yaml.CSafeLoader)
"""


@dataclass
class Case:
    name: str
    command: list[str]
    env: dict[str, str]
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    """User and system time of the process and the descendants it waited for."""
    peak_tree_mb: list[float] = field(default_factory=list)
    peak_process_mb: list[float] = field(default_factory=list)
    measure_memory: bool = False
    slow: bool = False
    """Run in the slow rounds only (see :func:`slow_rounds`)."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_seconds)


@dataclass(frozen=True)
class Row:
    """One line of the table: a case's medians against a reference, and its target."""

    name: str
    seconds: float
    cpu_seconds: float
    against: str
    ratio: float
    target: float


def slow_rounds(runs: int, slow_runs: int) -> list[int]:
    """The rounds (counted from 0) in which the slow cases run: ``slow_runs`` of the ``runs``
    rounds, each in the middle of an equal share of them, so the slow cases meet the
    machine at moments spread over the whole run, as the rest do."""
    slow_runs = max(1, min(slow_runs, runs))
    return [(2 * number + 1) * runs // (2 * slow_runs) for number in range(slow_runs)]


def verdict(value: float, target: float, unit: str) -> str:
    """Whether ``value`` meets its ``target`` (at most), and by how much it missed."""
    return "met" if value <= target else f"missed by {value - target:.3g} {unit}"


def show_large_id(large: int) -> str:
    """The study show-large looks up: the one in the middle of the large set (``syn-05000``
    of 10,000)."""
    return f"syn-{large // 2:05d}"


def cold_huge_estimate(cold_large: float, large: int, huge: int) -> float:
    """The cold load of ``huge`` studies estimated from that of ``large``: parsing, checking
    and listing cost the same for each study, so the time grows with their number."""
    return cold_large * huge / large


def _tree_rss_kib(root: int) -> int:
    """Resident memory of ``root`` and its descendants, from /proc (0 if it has gone)."""
    total = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run(case: Case) -> None:
    """Run ``case`` once as a whole process, recording its wall and CPU time and peak memory."""
    start = time.perf_counter()
    process = subprocess.Popen(
        case.command, env=case.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True) if case.measure_memory else None
    if sampler:
        sampler.start()
    # wait4's rusage is the child's own and that of every descendant it waited for, so
    # the cold load's forked parsers count; the sampling thread is this process's.
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    if sampler:
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{case.name}: exit {process.returncode}\n{error}")
    case.seconds.append(elapsed)
    case.cpu_seconds.append(usage.ru_utime + usage.ru_stime)
    if case.measure_memory:
        case.peak_tree_mb.append(peak * 1024 / 1e6)
        case.peak_process_mb.append(usage.ru_maxrss * 1024 / 1e6)


def blinacli_command() -> list[str]:
    script = Path(sys.executable).parent / "blinacli"
    return [str(script)] if script.exists() else [sys.executable, "-m", "blinacli"]


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                "",
            )
    except OSError:
        pass
    return (
        f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=9, help="interleaved rounds of every case (default 9)"
    )
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=3,
        help="rounds, of those, in which the bare parse and the cold loads run (default 3)",
    )
    parser.add_argument(
        "--large", type=int, default=10_000, help="studies in the large set (default 10000)"
    )
    parser.add_argument(
        "--small", type=int, default=1_000, help="studies in the small set (default 1000)"
    )
    # The huge set's size is for trying the benchmark out on a small machine or in a hurry;
    # the targets are stated for 50,000.
    parser.add_argument("--huge", type=int, default=50_000, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="skip the 50,000-study set entirely")
    parser.add_argument(
        "--cold-huge",
        action="store_true",
        help="time the cold load of the 50,000 instead of estimating it from the 10,000",
    )
    parser.add_argument("--json", type=Path, help="also write the raw timings to this file")
    parser.add_argument(
        "--lookup-only",
        action="store_true",
        help="time only the lookup and its floor (no synthetic sets; about a minute)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.slow_runs < 1:
        parser.error("--runs and --slow-runs must be at least 1")
    if args.quick and args.cold_huge:
        parser.error("--cold-huge times the 50,000, which --quick skips")
    return args


def main() -> None:
    began = time.perf_counter()
    args = arguments()
    blinacli = blinacli_command()
    # Byte-compile blinacli as pip does when it installs a package: an editable
    # install under PYTHONDONTWRITEBYTECODE would otherwise compile every module on
    # every run, and the lookup would time the compiler.
    package = subprocess.run(
        [sys.executable, "-c", "import blinacli, os; print(os.path.dirname(blinacli.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=False)
    work = Path(tempfile.mkdtemp(prefix="blinacli-bench-"))
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("BLINACLI_EVIDENCE", "CI")}
        env.update(XDG_CACHE_HOME=str(work / "cache"), COLUMNS="80", NO_COLOR="1")
        if args.lookup_only:
            lookup_only(blinacli, env, args)
            return
        cases = prepare(blinacli, env, work, args)
        quick = [cases[name] for name in ("floor", "lookup", "show-large")]
        rest = [case for case in cases.values() if case not in quick]
        slow_at = slow_rounds(args.runs, args.slow_runs)
        for number in range(args.runs):
            print(f"round {number + 1} of {args.runs}", file=sys.stderr)
            for _ in range(QUICK_REPEAT):
                for case in quick:
                    run(case)
            for case in rest:
                if not case.slow or number in slow_at:
                    run(case)
        report(cases, args)
        print(f"\nThe whole run took {(time.perf_counter() - began) / 60:.1f} minutes.")
        if args.json:
            write_json(args.json, cases, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def prepare(
    blinacli: list[str], env: dict[str, str], work: Path, args: argparse.Namespace
) -> dict[str, Case]:
    """Write the synthetic sets, check that they are valid, fill the caches the warm cases
    read, and return every case to run."""
    small, large, huge = work / "small", work / "large", work / "huge"
    sets = [(small, args.small, 1), (large, args.large, 2)]
    if not args.quick:
        sets.append((huge, args.huge, 3))
    print(
        "writing "
        + ", ".join(f"{count:,}" for _, count, _ in sets)
        + f" synthetic studies in {work}",
        file=sys.stderr,
    )
    for folder, count, seed in sets:
        synthetic.write(folder, count, seed=seed)
    # Every generated file must be valid evidence. The small set is read without the
    # cache only; validating the others with it in place fills their cache as well.
    for folder, _, _ in sets:
        extra = ["--no-cache"] if folder == small else []
        subprocess.run(
            [*blinacli, "validate", str(folder), *extra],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def list_over(folder: Path) -> list[str]:
        return [*blinacli, "list", "--phase", "3", "--format", "json", "--evidence", str(folder)]

    floor = [sys.executable, "-c", "import typer, rich.table"]
    cases = [
        Case("floor", floor, env),
        Case("lookup", [*blinacli, "show", "e1910", "--format", "table"], env),
        Case(
            "show-large",
            [*blinacli, "show", show_large_id(args.large), "--format", "table"]
            + ["--evidence", str(large)],
            env,
        ),
        Case("warm-large", list_over(large), env, measure_memory=True),
        Case("cold-small", [*list_over(small), "--no-cache"], env),
        Case(
            "digest-small",
            [*blinacli, "digest", "--format", "markdown", "--evidence", str(small), "--no-cache"],
            env,
        ),
        Case(
            "parse-large",
            [sys.executable, "-c", BASELINE, str(large)],
            env,
            measure_memory=True,
            slow=True,
        ),
        Case("cold-large", [*list_over(large), "--no-cache"], env, measure_memory=True, slow=True),
    ]
    if not args.quick:
        cases.insert(4, Case("warm-huge", list_over(huge), env, measure_memory=True))
        if args.cold_huge:
            cases.append(
                Case(
                    "cold-huge",
                    [*list_over(huge), "--no-cache"],
                    env,
                    measure_memory=True,
                    slow=True,
                )
            )
    by_name = {case.name: case for case in cases}
    # Fill the caches the warm cases read (twice: files changed in the last seconds are
    # not trusted to the cache on the first pass).
    warm = [name for name in ("lookup", "show-large", "warm-large", "warm-huge") if name in by_name]
    for _ in range(2):
        for name in warm:
            subprocess.run(by_name[name].command, env=env, check=True, stdout=subprocess.DEVNULL)
    return by_name


def lookup_only(blinacli: list[str], env: dict[str, str], args: argparse.Namespace) -> None:
    """The lookup and its floor alone, interleaved as in the full run."""
    floor = Case("floor", [sys.executable, "-c", "import typer, rich.table"], env)
    lookup = Case("lookup", [*blinacli, "show", "e1910", "--format", "table"], env)
    for _ in range(2):  # fill the cache, as the full run does
        subprocess.run(lookup.command, env=env, check=True, stdout=subprocess.DEVNULL)
    for number in range(args.runs):
        print(f"run {number + 1} of {args.runs}", file=sys.stderr)
        for _ in range(QUICK_REPEAT):
            run(floor)
            run(lookup)
    print(f"Machine: {machine()}; {args.runs * QUICK_REPEAT} runs of each, alternating, medians.\n")
    print(
        f"lookup {lookup.median:.3f} s (cpu {lookup.cpu_median:.3f} s), "
        f"floor {floor.median:.3f} s (cpu {floor.cpu_median:.3f} s), "
        f"ratio {lookup.median / floor.median:.2f} × (target ≤ 1.2 ×)"
    )


def rows(cases: dict[str, Case], args: argparse.Namespace) -> list[Row]:
    """The table's timed lines, from the cases' medians."""
    c = cases
    floor = c["floor"].median
    cold_large = c["cold-large"].median

    def line(name: str, case: str, against: str, reference: float, target: float) -> Row:
        return Row(
            name,
            c[case].median,
            c[case].cpu_median,
            f"{against}, {reference:.3f} s",
            c[case].median / reference,
            target,
        )

    table = [
        line("lookup: `show e1910 --format table`", "lookup", "floor", floor, 1.2),
        line(
            f"show-large: `show {show_large_id(args.large)} --format table` "
            f"over {args.large:,}, cached",
            "show-large",
            "floor",
            floor,
            1.5,
        ),
        line(
            f"cold load: `list --phase 3 --format json` over {args.large:,}, `--no-cache`",
            "cold-large",
            "bare C-loader parse",
            c["parse-large"].median,
            1.3,
        ),
        line(
            f"warm load: the same `list` over {args.large:,}, cached",
            "warm-large",
            "cold load",
            cold_large,
            0.02,
        ),
    ]
    if "warm-huge" in c:
        if "cold-huge" in c:
            against, reference = f"cold load of {args.huge:,}, timed", c["cold-huge"].median
        else:
            factor = args.huge / args.large
            against = f"cold load of {args.huge:,}, estimated ({factor:g} × the {args.large:,})"
            reference = cold_huge_estimate(cold_large, args.large, args.huge)
        table.append(
            line(
                f"warm load: the same `list` over {args.huge:,}, cached",
                "warm-huge",
                against,
                reference,
                0.02,
            )
        )
    table.append(
        line(
            f"document: `digest --format markdown` over {args.small:,}, `--no-cache`",
            "digest-small",
            f"cold load of {args.small:,}",
            c["cold-small"].median,
            1.5,
        )
    )
    return table


def memory_rows(cases: dict[str, Case], args: argparse.Namespace) -> list[tuple[str, float, int]]:
    """The table's memory lines: the largest tree resident set of each run, and its target."""
    lines = [
        (f"peak memory, cold load of {args.large:,}", "cold-large", MEMORY_MB),
        (f"peak memory, warm load of {args.large:,}", "warm-large", MEMORY_MB),
        (f"peak memory, warm load of {args.huge:,}", "warm-huge", HUGE_MEMORY_MB),
    ]
    return [
        (name, max(cases[case].peak_tree_mb), target)
        for name, case, target in lines
        if case in cases
    ]


def table(timed: list[Row], memory: list[tuple[str, float, int]]) -> list[str]:
    """The Markdown table of the timed and the memory lines."""
    out = [
        "| case | wall | cpu | against | ratio | target | |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for row in timed:
        out.append(
            f"| {row.name} | {row.seconds:.3f} s | {row.cpu_seconds:.3f} s | {row.against} "
            f"| {row.ratio:.3f} × | ≤ {row.target} × | {verdict(row.ratio, row.target, '×')} |"
        )
    for name, peak, target in memory:
        out.append(
            f"| {name} | {peak:.0f} MB | | | | ≤ {target} MB | {verdict(peak, target, 'MB')} |"
        )
    return out


def report(cases: dict[str, Case], args: argparse.Namespace) -> None:
    c = cases
    quick = args.runs * QUICK_REPEAT
    slow = len(slow_rounds(args.runs, args.slow_runs))
    print(
        f"Machine: {machine()}; {args.runs} interleaved rounds ({quick} runs of the floor, the "
        f"lookup and show-large; {slow} of the bare parse and the cold loads), medians. "
        "Wall: start to exit; cpu: user and system time of the process tree; ratios of wall "
        "medians.\n"
    )
    print("\n".join(table(rows(c, args), memory_rows(c, args))))
    if args.quick:
        print(f"\nThe {args.huge:,}-study set was skipped (`--quick`).")
    print("\nReference medians (wall, cpu):")
    references = {
        "floor": 'the floor, `python -c "import typer, rich.table"`',
        "parse-large": f"the bare PyYAML C-loader loop over the {args.large:,} files",
        "cold-small": f"cold load: `list` over {args.small:,}, `--no-cache`",
        "cold-huge": f"cold load: `list` over {args.huge:,}, `--no-cache`",
    }
    for name, text in references.items():
        if name in c:
            print(f"- {text}: {c[name].median:.3f} s, {c[name].cpu_median:.3f} s")
    process = ", ".join(
        f"{name} {max(c[name].peak_process_mb):.0f} MB"
        for name in ("cold-large", "warm-large", "warm-huge", "cold-huge")
        if name in c
    )
    print(
        f"- peak memory of a single process: {process}; "
        f"C-loader parse (tree) {max(c['parse-large'].peak_tree_mb):.0f} MB"
    )
    if "cold-huge" in c:
        print(
            f"- peak memory, cold load of {args.huge:,}: {max(c['cold-huge'].peak_tree_mb):.0f} MB"
        )


def write_json(path: Path, cases: dict[str, Case], args: argparse.Namespace) -> None:
    path.write_text(
        json.dumps(
            {
                "machine": machine(),
                "rounds": args.runs,
                "slow_rounds": slow_rounds(args.runs, args.slow_runs),
                "cold_huge": (
                    "timed" if "cold-huge" in cases else "skipped" if args.quick else "estimated"
                ),
                "cases": {
                    name: {
                        "command": case.command,
                        "seconds": case.seconds,
                        "cpu_seconds": case.cpu_seconds,
                        "peak_tree_mb": case.peak_tree_mb,
                        "peak_process_mb": case.peak_process_mb,
                    }
                    for name, case in cases.items()
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
