"""The README's examples, run for real by cogapp: ``.venv/bin/cog -r README.md``.

Each example in README.md is a cog block that calls :func:`example` with the command
as a reader types it. The command runs as a process (``python -m blinacli``) at 80
columns, piped as a reader's pager or file would be, on files that ship: the bundled
evidence, or a file written to a temporary folder from it (a copy of E1910 with a
typo, two copies of BLAST under one acronym, an old and a new evidence folder for
``diff``). What it prints, standard error included,
becomes the example's text, so an example can never show what the program no longer
prints. ``cog --check README.md`` (in ``.ci/run``) fails when one is out of date.

This module is for the README only: it is not part of the installed package.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "evidence"
WIDTH = 80
_UNSET = ("BLINACLI_EVIDENCE", "BLINACLI_TEMPLATES", "FORCE_COLOR", "SOURCE_DATE_EPOCH")


def _edited(name: str, old: str, new: str) -> str:
    """A bundled file's text with ``old`` replaced by ``new``, which must occur once."""
    text = (EVIDENCE / name).read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise ValueError(f"README example files: {old!r} is not once in evidence/{name}")
    return text.replace(old, new)


@cache
def workdir() -> Path:
    """The folder examples run in, with the files they name, made from the shipped data."""
    folder = Path(tempfile.mkdtemp(prefix="blinacli-readme-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    files = {
        "blasts/a.yaml": _edited("blast.yaml", "\nid: blast\n", "\nid: blast-a\n"),
        "blasts/b.yaml": _edited("blast.yaml", "\nid: blast\n", "\nid: blast-b\n"),
        "bad/type.yaml": _edited("e1910.yaml", "lower: 0.23,", "lower: abc,"),
        "bad/unknown.yaml": _edited("e1910.yaml", "estimate: 0.41", "estimat: 0.41"),
        "blast.yaml": _edited("blast.yaml", "value: 36.5", "value: 36.6"),
        "old/blast.yaml": _edited("blast.yaml", "\nid: blast\n", "\nid: blast\n"),
        "old/e1910.yaml": _edited("e1910.yaml", "\nid: e1910\n", "\nid: e1910\n"),
        "new/blast.yaml": _edited("blast.yaml", "\nid: blast\n", "\nid: blast\n"),
        "new/e1910.yaml": _edited("e1910.yaml", "estimate: 0.41", "estimate: 0.42"),
        "new/blast-2.yaml": _edited(
            "blast.yaml", "\nid: blast\nacronym: BLAST\n", "\nid: blast-2\nacronym: BLAST-2\n"
        ),
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "empty").mkdir()
    (folder / "cache").mkdir()
    return folder


def output(command: str) -> str:
    """What ``command`` (starting with ``blinacli``) prints, standard error included."""
    words = shlex.split(command)
    if words[0] != "blinacli":
        raise ValueError(f"README example {command!r} does not run blinacli")
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env.update(COLUMNS=str(WIDTH), XDG_CACHE_HOME=str(workdir() / "cache"), NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "blinacli", *words[1:]],
        cwd=workdir(),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return done.stdout


def excerpt(text: str, start: str, stop: str | None) -> str:
    """The lines of ``text`` from the first that contains ``start`` to the line before the
    next that contains ``stop``: to the end when ``stop`` is None, to the next blank line
    when it is "". A ``start`` or ``stop`` found nowhere is an error, so a README example
    cannot silently lose its excerpt when the output changes."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if start in line), None)
    if first is None:
        raise ValueError(f"README example: no line contains {start!r}")
    end = len(lines)
    if stop is not None:
        ends = (
            i
            for i in range(first + 1, len(lines))
            if (stop in lines[i] if stop else not lines[i].strip())
        )
        end = next(ends, 0)
        if not end:
            raise ValueError(f"README example: no line after {start!r} contains {stop!r}")
    return "\n".join(lines[first:end]).rstrip("\n") + "\n"


def example(*commands: str, start: str | None = None, stop: str | None = None) -> None:
    """Write a fenced block into the README: each command after ``$`` and what it
    prints, or, with ``start`` (and ``stop``), only that excerpt of one command's output."""
    import cog  # the module cogapp gives the code it runs

    cog.outl("```")
    for command in commands:
        text = output(command)
        if start is not None:
            cog.out(excerpt(text, start, stop))
        else:
            cog.outl(f"$ {command}")
            cog.out(text)
    cog.outl("```")
