"""Standard output is checked like a file, in every command, and tables have a sane width.

The gate is installed by ``blinacli.cli.app.main``, so these tests run blinacli as a
process (``python -m blinacli``), with its standard output on /dev/full (opened for
writing only), closed, read-only, under a file-size limit, or unable to encode.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import BROKEN_PIPE, app
from blinacli.render import streams

CTGOV = Path(__file__).parent / "fixtures" / "ctgov" / "NCT02552212.json"

# Every command that prints on standard output, with arguments that make it print.
PRINTERS: dict[str, list[str]] = {
    "list": ["list"],
    "show": ["show", "e1910"],
    "compare": ["compare", "e1910", "blast"],
    "outcomes": ["outcomes", "os"],
    "safety": ["safety"],
    "digest": ["digest"],
    "validate": ["validate", str(evidence_dir())],
    "check": ["check"],
    "cite": ["cite", "e1910"],
    "export": ["export", "--format", "fhir"],
    "schema": ["schema"],
    "new": ["new", "alpha-1"],
    "templates list": ["templates", "list"],
    "import ctgov": ["import", "ctgov", str(CTGOV)],
    "--help": ["--help"],
    "digest --help": ["digest", "--help"],
    "--version": ["--version"],
}

needs_dev_full = pytest.mark.skipif(
    not Path("/dev/full").exists(), reason="no /dev/full (a Linux device) on this system"
)

NO_SPACE = "error: cannot write to standard output: No space left on device\n"
CLOSED = "error: cannot write to standard output: it is closed\n"


def environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """The test's environment for a child blinacli, a cache of its own, and ``changes``
    (None removes a variable)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def blinacli(
    args: list[str], env: dict[str, str], stdout: IO[Any] | int, **options: Any
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "blinacli", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
        timeout=120,
        **options,
    )


# --- A write that fails ------------------------------------------------------------


@needs_dev_full
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("name", PRINTERS)
def test_a_full_standard_output_is_one_line_and_exit_1(
    tmp_path: Path, name: str, unbuffered: bool
) -> None:
    """`blinacli ... > /dev/full`: the reason on stderr, no traceback, exit 1."""
    env = environment(tmp_path, PYTHONUNBUFFERED="1" if unbuffered else None)
    with open("/dev/full", "w") as full:
        done = blinacli(PRINTERS[name], env, full)
    assert done.stderr.decode() == NO_SPACE
    assert done.returncode == 1


@pytest.mark.parametrize("name", PRINTERS)
def test_a_closed_standard_output_is_one_line_and_exit_1(tmp_path: Path, name: str) -> None:
    """`blinacli ... >&-`: Python starts with sys.stdout None; no AttributeError."""
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "bash", sys.executable, "-m", "blinacli", *PRINTERS[name]],
        capture_output=True,
        env=environment(tmp_path),
        check=False,
        timeout=120,
    )
    assert done.stderr.decode() == CLOSED
    assert done.returncode == 1


def test_a_read_only_standard_output_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """Descriptor 1 open for reading only: the write fails with EBADF."""
    (tmp_path / "in.txt").write_bytes(b"")
    with open(tmp_path / "in.txt", "rb") as readable:
        done = blinacli(["list"], environment(tmp_path), readable)
    assert done.stderr.decode() == ("error: cannot write to standard output: Bad file descriptor\n")
    assert done.returncode == 1


def test_output_to_a_file_needs_no_standard_output(tmp_path: Path) -> None:
    """With stdout closed, `digest -o FILE` still works: nothing was to be printed."""
    target = tmp_path / "digest.md"
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "bash", sys.executable, "-m", "blinacli"]
        + ["digest", "-o", str(target)],
        capture_output=True,
        env=environment(tmp_path),
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8").startswith("# Evidence digest\n")
    assert set(os.listdir(tmp_path)) <= {"cache", "digest.md"}


@pytest.mark.parametrize(
    ("args", "code", "printed"),
    [(["list"], 0, True), (["show", "no-such-study"], 1, False)],
    ids=["success", "failure"],
)
def test_a_closed_standard_error_does_not_crash(
    tmp_path: Path, args: list[str], code: int, printed: bool
) -> None:
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" 2>&-', "bash", sys.executable, "-m", "blinacli", *args],
        stdout=subprocess.PIPE,
        env=environment(tmp_path),
        check=False,
        timeout=120,
    )
    assert done.returncode == code
    assert bool(done.stdout) == printed


@needs_dev_full
def test_a_full_standard_error_does_not_change_the_exit(tmp_path: Path) -> None:
    """The message cannot be written either: the exit status still says what happened."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "blinacli", "show", "no-such-study"],
            stdout=subprocess.PIPE,
            stderr=full,
            env=environment(tmp_path),
            check=False,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stdout == b""


def _file_size_limit(size: int) -> Any:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_short_write_is_an_error_not_a_short_document(tmp_path: Path, unbuffered: bool) -> None:
    """A file that can take only 8 KB of a 26 KB digest (a disk nearly full; here a
    file-size limit): the writes after the short one fail, and that is an error.
    Python's own unbuffered stdout dropped the rest and exited 0."""
    env = environment(tmp_path, PYTHONUNBUFFERED="1" if unbuffered else None)
    target = tmp_path / "digest.md"
    with open(target, "wb") as stdout:
        done = blinacli(["digest", "--no-cache"], env, stdout, preexec_fn=_file_size_limit(8192))
    assert done.stderr.decode() == "error: cannot write to standard output: File too large\n"
    assert done.returncode == 1
    assert target.stat().st_size == 8192


# --- Pipes ---------------------------------------------------------------------------

# A real pipe whose reader is gone before blinacli writes a byte.
CLOSED_PIPE = """
import os, sys
from blinacli.cli import app as cli

read_end, write_end = os.pipe()
os.close(read_end)
os.dup2(write_end, sys.stdout.fileno())
sys.argv = ["blinacli", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["templates", "list"]])
def test_a_closed_pipe_outside_the_tables_exits_141_quietly(
    tmp_path: Path, args: list[str], unbuffered: bool
) -> None:
    """Help and the version go through the same gate: 141, as every command does."""
    env = environment(tmp_path, PYTHONUNBUFFERED="1" if unbuffered else None)
    done = subprocess.run(
        [sys.executable, "-c", CLOSED_PIPE, *args],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.stderr == b""
    assert done.returncode == BROKEN_PIPE


# --- Encodings -----------------------------------------------------------------------

ENCODED = {
    "show": ["show", "e1910"],
    "show table": ["show", "e1910", "-f", "table"],
    "digest": ["digest"],
    "list": ["list"],
    "list table": ["list", "-f", "table"],
}
LOCALE = ("LANG", "LANGUAGE", "LC_CTYPE", "LC_ALL", "PYTHONIOENCODING", "PYTHONUTF8")


def _utf8(tmp_path: Path, args: list[str]) -> bytes:
    env = environment(tmp_path, **{**dict.fromkeys(LOCALE), "PYTHONIOENCODING": "utf-8"})
    done = blinacli(args, env, subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "setting",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}],
    ids=["PYTHONIOENCODING=ascii", "LC_ALL=C-without-utf8-mode"],
)
@pytest.mark.parametrize("name", ENCODED)
def test_an_ascii_output_gets_backslash_escapes(
    tmp_path: Path, name: str, setting: dict[str, str]
) -> None:
    """≥, – and the like become \\u2265, \\u2013: nothing dropped, no UnicodeEncodeError.
    Markdown is the UTF-8 text with exactly those escapes; tables switch to ASCII
    borders by themselves."""
    env = environment(tmp_path, **{**dict.fromkeys(LOCALE), **setting})
    done = blinacli(ENCODED[name], env, subprocess.PIPE)
    assert done.stderr == b""
    assert done.returncode == 0
    text = done.stdout.decode("ascii")
    assert "\\u" in text
    if "table" not in name:
        assert done.stdout == _utf8(tmp_path, ENCODED[name]).decode().encode(
            "ascii", "backslashreplace"
        )


@pytest.mark.parametrize("name", ENCODED)
def test_the_c_locale_writes_utf8(tmp_path: Path, name: str) -> None:
    """LC_ALL=C alone: Python's UTF-8 mode, so the output is the UTF-8 text."""
    env = environment(tmp_path, **{**dict.fromkeys(LOCALE), "LC_ALL": "C"})
    done = blinacli(ENCODED[name], env, subprocess.PIPE)
    assert done.stderr == b""
    assert done.returncode == 0
    assert done.stdout == _utf8(tmp_path, ENCODED[name])


# --- Table width ---------------------------------------------------------------------


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if no standard stream were a terminal, wherever the tests run."""
    monkeypatch.setattr(streams, "_terminal_size", lambda: (0, 0))


def table(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, columns: str, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", columns)
    result = runner.invoke(app, [*args, "-f", "table"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("no_terminal")
@pytest.mark.parametrize("columns", ["0", "1", "19", "", "wide", "²"])
@pytest.mark.parametrize("args", [["list"], ["show", "e1910"]])
def test_an_unusable_width_draws_80_columns(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, columns: str, args: list[str]
) -> None:
    """COLUMNS=0 drew empty tables with exit 0; below 20, or not a number, it is 80."""
    drawn = table(runner, monkeypatch, columns, *args)
    assert drawn == table(runner, monkeypatch, "80", *args)
    assert "E1910" in drawn


@pytest.mark.usefixtures("no_terminal")
def test_a_narrow_but_usable_width_is_honoured(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = table(runner, monkeypatch, "20", "list")
    assert max(len(line) for line in drawn.splitlines()) <= 20
    assert drawn != table(runner, monkeypatch, "80", "list")


@pytest.mark.usefixtures("no_terminal")
def test_a_huge_width_is_capped(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """COLUMNS=100000000 never finished (every line is padded to the width)."""
    drawn = table(runner, monkeypatch, "100000000", "list")
    assert max(len(line) for line in drawn.splitlines()) <= streams.MAX_WIDTH
    assert drawn == table(runner, monkeypatch, str(streams.MAX_WIDTH), "list")


def test_columns_zero_in_a_real_run(tmp_path: Path) -> None:
    done = blinacli(["list", "-f", "table"], environment(tmp_path, COLUMNS="0"), subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert b"E1910" in done.stdout
    assert max(len(line) for line in done.stdout.decode().splitlines()) <= 80


def test_a_closed_standard_input_is_an_error_for_import_from_it(tmp_path: Path) -> None:
    """`blinacli import ctgov - <&-`: a message, not an AttributeError on sys.stdin."""
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" <&-', "bash", sys.executable, "-m", "blinacli"]
        + ["import", "ctgov", "-"],
        capture_output=True,
        env=environment(tmp_path),
        check=False,
        timeout=120,
    )
    assert done.stderr.decode() == "error: cannot read standard input: it is closed\n"
    assert done.returncode == 1
    assert done.stdout == b""
