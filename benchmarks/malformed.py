"""Time each malformed-input case of tests/test_corpus.py as a whole process.

Every case is built by the test module's own builder in a fresh folder and run as
``python -m blinacli validate FILE`` (the same command, environment and 1 GiB
address-space cap as the test), three times. The table shows the median wall
time against the 2-second budget of the issue, the peak resident memory of the
process itself (its own ``ru_maxrss``, read with ``os.wait4``, so no other child
counts), the exit status, and whether the answer is the one the test expects.
The first row, ``blinacli --version``, is the start-up cost every case pays.

The budget is measured here and never asserted in a test. The script exits 1
when a case is over budget, so it can gate a CI job if one wants it to.

Run: .venv/bin/python benchmarks/malformed.py [--runs N] [-k SUBSTRING]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_corpus import (  # noqa: E402 - the repository root is on the path only now
    CASES,
    TIMEOUT,
    Builder,
    Expected,
    child_environment,
    command,
    limit_memory,
)

BUDGET = 2.0
"""Seconds within which each case must be answered (the issue's target)."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int
    status: int
    stdout: str
    stderr: str


def run_once(args: list[str], folder: Path) -> Run:
    """One process: wall time, its own peak RSS (KiB on Linux), status and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command(args),
            cwd=folder,
            env=child_environment(),
            stdout=out,
            stderr=err,
            preexec_fn=limit_memory,
        )
        timer = threading.Timer(TIMEOUT, process.kill)
        timer.start()
        try:
            _, wait_status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(wait_status)  # already reaped
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            usage.ru_maxrss,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def as_expected(run: Run, expected: Expected, folder: Path) -> bool:
    return (
        (run.stdout, run.stderr, run.status) == (expected.stdout, "", expected.exit_code)
        and "Traceback" not in run.stdout + run.stderr
        and not any((folder / name).exists() for name in expected.absent)
    )


def measure(name: str, build: Builder | None, runs: int) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        if build is None:
            args, expected = ["--version"], None
        else:
            expected = build(folder)
            args = ["validate", expected.target]
        results = [run_once(args, folder) for _ in range(runs)]
        median = statistics.median(r.seconds for r in results)
        peak = max(r.peak_kib for r in results) / 1024
        statuses = sorted({r.status for r in results})
        ok = (
            "-"
            if expected is None
            else _yes(all(as_expected(r, expected, folder) for r in results))
        )
        within = _yes(median <= BUDGET)
        status = "/".join(str(s) for s in statuses)
        return (name, f"{median:.3f}", f"{BUDGET:.1f}", within, f"{peak:.1f}", status, ok)


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median is shown)")
    parser.add_argument("-k", default="", help="only the cases whose id contains this")
    options = parser.parse_args()

    cases: list[tuple[str, Builder | None]] = [("startup (blinacli --version)", None)]
    cases += [(str(p.id), p.values[0]) for p in CASES if options.k in str(p.id)]
    header = ("case", "median s", "budget s", "within", "peak RSS MiB", "exit", "as expected")
    rows = [measure(name, build, options.runs) for name, build in cases]

    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"{sys.version.split()[0]}, {options.runs} runs per case, medians of wall time")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
    over = [row[0] for row in rows if row[3] != "yes"]
    wrong = [row[0] for row in rows if row[6] == "NO"]
    print(f"\nover budget: {', '.join(over) or 'none'}")
    print(f"not the expected answer: {', '.join(wrong) or 'none'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
