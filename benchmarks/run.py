"""Time blinacli as a user meets it: whole processes, several runs, medians and ratios.

    python benchmarks/run.py               # the full benchmark (1,000 and 10,000 studies)
    python benchmarks/run.py --runs 3      # fewer runs of each case
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --lookup-only # the lookup against its floor, in seconds

It writes synthetic, valid, varied study files (``benchmarks/synthetic.py``) into a
temporary folder, then runs each case as a separate process, interleaving the cases
run by run so a slow moment of the machine touches all of them alike. The cache lives
in a temporary XDG_CACHE_HOME, so a user's own cache is never read or written.

Cases:
- lookup: ``blinacli show e1910 --format table`` on the bundled evidence, against the
  floor ``python -c "import typer, rich.table"``;
- cold load: ``blinacli list --phase 3 --format json --evidence DIR --no-cache`` over
  10,000 files, against a plain loop parsing the same files with PyYAML's C loader;
- warm load: the same ``list`` with the cache in place;
- document: ``blinacli digest --format markdown --no-cache`` over 1,000 files, against
  the cold load of those 1,000;
- peak resident memory of the cold and warm 10,000-file runs: the largest resident set
  of the process tree, sampled every 5 ms, and the kernel's peak for the process.

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
"""The floor and the lookup run this many times a round, alternating."""

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
    peak_tree_mb: list[float] = field(default_factory=list)
    peak_process_mb: list[float] = field(default_factory=list)
    measure_memory: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


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
    """Run ``case`` once as a whole process, recording its time and peak memory."""
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
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    if sampler:
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{case.name}: exit {process.returncode}\n{error}")
    case.seconds.append(elapsed)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each case (default 5)")
    parser.add_argument(
        "--large", type=int, default=10_000, help="studies in the large set (default 10000)"
    )
    parser.add_argument(
        "--small", type=int, default=1_000, help="studies in the small set (default 1000)"
    )
    parser.add_argument("--json", type=Path, help="also write the raw timings to this file")
    parser.add_argument(
        "--lookup-only",
        action="store_true",
        help="time only the lookup and its floor (no synthetic sets; about a minute)",
    )
    args = parser.parse_args()

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
        small, large = work / "small", work / "large"
        print(
            f"writing {args.small:,} and {args.large:,} synthetic studies in {work}",
            file=sys.stderr,
        )
        env = {k: v for k, v in os.environ.items() if k not in ("BLINACLI_EVIDENCE", "CI")}
        env.update(XDG_CACHE_HOME=str(work / "cache"), COLUMNS="80", NO_COLOR="1")
        if args.lookup_only:
            lookup_only(blinacli, env, args)
            return
        synthetic.write(small, args.small, seed=1)
        synthetic.write(large, args.large, seed=2)
        for folder in (small, large):  # every generated file is valid evidence
            subprocess.run(
                [*blinacli, "validate", str(folder), "--no-cache"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )

        def list_over(folder: Path, *extra: str) -> list[str]:
            return [
                *blinacli,
                "list",
                "--phase",
                "3",
                "--format",
                "json",
                "--evidence",
                str(folder),
                *extra,
            ]

        cases = {
            "floor": Case("floor", [sys.executable, "-c", "import typer, rich.table"], env),
            "lookup": Case("lookup", [*blinacli, "show", "e1910", "--format", "table"], env),
            "parse-large": Case(
                "parse-large",
                [sys.executable, "-c", BASELINE, str(large)],
                env,
                measure_memory=True,
            ),
            "cold-large": Case(
                "cold-large", list_over(large, "--no-cache"), env, measure_memory=True
            ),
            "warm-large": Case("warm-large", list_over(large), env, measure_memory=True),
            "cold-small": Case("cold-small", list_over(small, "--no-cache"), env),
            "digest-small": Case(
                "digest-small",
                [
                    *blinacli,
                    "digest",
                    "--format",
                    "markdown",
                    "--evidence",
                    str(small),
                    "--no-cache",
                ],
                env,
            ),
        }
        # Fill the caches the warm cases read (twice: files changed in the last
        # seconds are not trusted to the cache on the first pass).
        for _ in range(2):
            for command in (cases["lookup"].command, cases["warm-large"].command):
                subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        for number in range(args.runs):
            print(f"run {number + 1} of {args.runs}", file=sys.stderr)
            for _ in range(QUICK_REPEAT):
                run(cases["floor"])
                run(cases["lookup"])
            for case in cases.values():
                if case.name not in ("floor", "lookup"):
                    run(case)
        report(cases, args)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": machine(),
                        "cases": {
                            name: {
                                "command": case.command,
                                "seconds": case.seconds,
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
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
        f"lookup {lookup.median:.3f} s, floor {floor.median:.3f} s, "
        f"ratio {lookup.median / floor.median:.2f} × (target ≤ 1.5 ×)"
    )


def report(cases: dict[str, Case], args: argparse.Namespace) -> None:
    c = cases
    mem_cold = max(c["cold-large"].peak_tree_mb)
    mem_warm = max(c["warm-large"].peak_tree_mb)
    rows = [
        (
            "lookup: `show e1910 --format table`",
            c["lookup"].median,
            "floor",
            c["lookup"].median / c["floor"].median,
            1.5,
        ),
        (
            f"cold load: `list` over {args.large:,}, `--no-cache`",
            c["cold-large"].median,
            "C-loader parse",
            c["cold-large"].median / c["parse-large"].median,
            1.3,
        ),
        (
            f"warm load: `list` over {args.large:,}, cached",
            c["warm-large"].median,
            "cold load",
            c["warm-large"].median / c["cold-large"].median,
            0.1,
        ),
        (
            f"document: `digest` over {args.small:,}, `--no-cache`",
            c["digest-small"].median,
            f"cold load of {args.small:,}",
            c["digest-small"].median / c["cold-small"].median,
            1.5,
        ),
    ]
    print(
        f"Machine: {machine()}; {args.runs} interleaved rounds ({args.runs * QUICK_REPEAT} "
        "runs of the floor and the lookup), medians.\n"
    )
    print("| case | median | against | ratio | target | |")
    print("|---|---:|---|---:|---:|---|")
    for name, seconds, against, ratio, target in rows:
        verdict = "met" if ratio <= target else "missed"
        print(
            f"| {name} | {seconds:.3f} s | {against} | {ratio:.2f} × | ≤ {target} × | {verdict} |"
        )
    for name, peak in (
        (f"peak memory, cold {args.large:,}", mem_cold),
        (f"peak memory, warm {args.large:,}", mem_warm),
    ):
        verdict = "met" if peak <= 300 else "missed"
        print(f"| {name} | {peak:.0f} MB | | | ≤ 300 MB | {verdict} |")
    print("\nReference medians:")
    references = {
        "floor": 'the floor, `python -c "import typer, rich.table"`',
        "parse-large": f"the bare PyYAML C-loader loop over the {args.large:,} files",
        "cold-small": f"cold load: `list` over {args.small:,}, `--no-cache`",
    }
    for name, text in references.items():
        print(f"- {text}: {c[name].median:.3f} s")
    print(
        f"- peak memory of a single process: cold {max(c['cold-large'].peak_process_mb):.0f} MB, "
        f"warm {max(c['warm-large'].peak_process_mb):.0f} MB; "
        f"C-loader parse {max(c['parse-large'].peak_tree_mb):.0f} MB"
    )


if __name__ == "__main__":
    main()
