"""A template that fails, loops or grows without end is stopped with one line on stderr.

Whatever a user template does wrong (divides by zero, adds a number to text, asks for
a huge range, a huge power or a huge repetition, includes or extends itself, recurses,
loops for ever, prints without end, needs gigabytes), ``blinacli`` answers with
``error: template FILE, line N: MESSAGE`` on stderr, nothing on stdout, and exit 1,
within seconds and without taking a gigabyte. Most cases run in-process through
CliRunner; the cases about time and memory run as real processes, whose wall time
(a 10-second timeout) and peak resident memory (read with ``os.wait4``) are measured.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blinacli.cli.app import app

SHOW = "markdown/show.md.j2"
MIB = 1024 * 1024


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def show(runner: CliRunner, folder: Path) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["show", "e1910", "--full", "--format", "markdown", "--templates", str(folder)]
    )
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(stderr: str, path: Path, line: int, message: str) -> None:
    """stderr is exactly one line naming the template file and line, with ``message``."""
    assert "Traceback" not in stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr[:2000]
    assert stderr.startswith(f"error: template {path}, line {line}: "), stderr
    assert message in stderr, stderr


# --- Errors that are not Jinja's own ----------------------------------------------------------

HOSTILE = [
    ("zero", "a\n{{ 1/0 }}\n", 2, "ZeroDivisionError: division by zero"),
    ("concat", "{{ 'a' + 1 }}\n", 1, "TypeError: can only concatenate str"),
    ("int-filter-type", "\n\n{{ view.title // 2 }}\n", 3, "TypeError: unsupported operand"),
    ("range", "{% for i in range(10**9) %}x{% endfor %}\n", 1, "MAX_RANGE (100000)"),
    ("range-step", "{{ range(0, 10**12, 3) | list | length }}\n", 1, "MAX_RANGE (100000)"),
    ("power", "{{ 10**(10**8) }}\n", 1, "'**' would make a number of about 332,192,810 bits"),
    ("power-literal", "x\n{{ 7 ** 123456789 }}\n", 2, "'**' would make a number of about"),
    ("repeat-text", "{{ 'a' * 10**9 }}\n", 1, "'*' would make a text of 1,000,000,000 characters"),
    ("repeat-text-left", "{{ 10**9 * 'ab' }}\n", 1, "'*' would make a text of 2,000,000,000"),
    ("repeat-list", "{{ [1, 2] * 10**9 }}\n", 1, "'*' would make a list of 2,000,000,000 items"),
    ("repeat-tuple", "{{ (1, 2) * 10**8 }}\n", 1, "'*' would make a list of 200,000,000 items"),
    (
        "doubling-text",
        "{% set ns = namespace(s='ab') %}\n{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}\n",
        2,
        "'+' would make a text of 134,217,728 characters",
    ),
    (
        "squaring",
        "{% set ns = namespace(x=3) %}\n\n{% for i in range(60) %}{% set ns.x = ns.x * ns.x %}"
        "{% endfor %}\n",
        3,
        "'*' would make a number of about",
    ),
    ("self-include", '{% include "markdown/show.md.j2" %}\n', 1, "nesting too deep"),
    ("self-extends", '{% extends "markdown/show.md.j2" %}\n', 1, "nesting too deep"),
    (
        "macro",
        "{% macro f(n) %}\n{{ f(n + 1) }}\n{% endmacro %}\n{{ f(0) }}\n",
        2,
        "nesting too deep: this line reaches itself again and again",
    ),
    (
        "caller",
        "{% macro f() %}{{ caller() }}{% call f() %}x{% endcall %}{% endmacro %}\n"
        "{% call f() %}y{% endcall %}\n",
        1,
        "nesting too deep",
    ),
    ("self-block", "x\n{% block body %}{{ self.body() }}{% endblock %}\n", 2, "nesting too deep"),
    ("self-import", '\n{% import "markdown/show.md.j2" as me %}\n', 2, "nesting too deep"),
    (
        "recursive-loop",
        "{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}\n",
        1,
        "nesting too deep",
    ),
    ("float-overflow", "{{ 2.5 ** 100000 }}\n", 1, "OverflowError"),
    ("unknown-filter-arg", "{{ view.title | truncate('x') }}\n", 1, "TypeError"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [case[1:] for case in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_runtime_errors_are_one_line(
    runner: CliRunner, tmp_path: Path, text: str, line: int, message: str
) -> None:
    """Every error raised while rendering is one line naming template and line (exit 1)."""
    path = write(tmp_path, SHOW, text)
    start = time.monotonic()
    code, stdout, stderr = show(runner, tmp_path)
    assert time.monotonic() - start < 10
    assert code == 1
    assert stdout == ""
    assert_one_line_error(stderr, path, line, message)


def test_include_loop_names_every_template_on_the_way(runner: CliRunner, tmp_path: Path) -> None:
    """show includes _a, which includes _b, which includes show again: the loop is named."""
    path = write(tmp_path, SHOW, 'top\n{% include "markdown/_a.md.j2" %}\n')
    first = write(tmp_path, "markdown/_a.md.j2", '{% include "markdown/_b.md.j2" %}\n')
    second = write(tmp_path, "markdown/_b.md.j2", '\n\n{% include "markdown/show.md.j2" %}\n')
    code, stdout, stderr = show(runner, tmp_path)
    assert code == 1 and stdout == ""
    assert "Traceback" not in stderr and stderr.count("\n") == 1
    assert stderr.startswith("error: template "), stderr
    for template in (f"{path} line 2", f"{first} line 1", f"{second} line 3"):
        assert template in stderr, stderr


def test_extends_loop(runner: CliRunner, tmp_path: Path) -> None:
    """show extends _base, which extends show: nesting too deep, not a traceback."""
    write(tmp_path, SHOW, '{% extends "markdown/_base.md.j2" %}\n')
    base = write(tmp_path, "markdown/_base.md.j2", '\n{% extends "markdown/show.md.j2" %}\n')
    code, stdout, stderr = show(runner, tmp_path)
    assert code == 1 and stdout == ""
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert stderr.startswith("error: template "), stderr
    assert "nesting too deep" in stderr and f"{base} line 2" in stderr


def test_error_in_an_included_template_names_that_template(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The file and line are where the error happened, not the template that included it."""
    write(tmp_path, SHOW, 'a\n{% include "markdown/_part.md.j2" %}\n')
    part = write(tmp_path, "markdown/_part.md.j2", "one\ntwo\n{{ 1 // 0 }}\n")
    code, _, stderr = show(runner, tmp_path)
    assert code == 1
    assert_one_line_error(stderr, part, 3, "ZeroDivisionError: integer division")


def test_error_in_a_template_of_any_name_is_located(runner: CliRunner, tmp_path: Path) -> None:
    """An included file need not end in .j2: its errors still name it and their line."""
    write(tmp_path, SHOW, '{% include "parts/note.txt" %}\n')
    part = write(tmp_path, "parts/note.txt", "fine\n{{ 'a' - 1 }}\n")
    code, _, stderr = show(runner, tmp_path)
    assert code == 1
    assert_one_line_error(stderr, part, 2, "TypeError: unsupported operand")


def test_long_runs_of_spaces_are_tidied_in_linear_time(runner: CliRunner, tmp_path: Path) -> None:
    """Markdown's trailing spaces are stripped line by line: a long run of spaces inside a
    line costs one pass (the regular expression it replaces retried at every space)."""
    write(tmp_path, SHOW, "{{ ' ' * 50000 }}x\ny{{ ' ' * 50000 }}\n")
    start = time.monotonic()
    result = runner.invoke(
        app, ["show", "e1910", "--full", "--format", "markdown", "--templates", str(tmp_path)]
    )
    assert time.monotonic() - start < 5
    assert result.exit_code == 0
    assert result.stdout == " " * 50000 + "x\ny\n"


def test_error_message_is_one_visible_line(runner: CliRunner, tmp_path: Path) -> None:
    """A path or message holding a line break or an escape stays one line, made visible."""
    folder = tmp_path / "odd\nname\x1b[31m"
    write(folder, SHOW, "{{ 1 / 0 }}\n")
    code, _, stderr = show(runner, folder)
    assert code == 1
    shown = str(folder / SHOW).replace("\n", "\\n").replace("\x1b", "\\x1b")
    assert_one_line_error(stderr, Path(shown), 1, "ZeroDivisionError")
    assert "\x1b" not in stderr


def test_long_message_is_shortened(runner: CliRunner, tmp_path: Path) -> None:
    """A message quoting a long value is cut, so the one line stays readable."""
    path = write(tmp_path, SHOW, "{{ {}['k' * 50000] }}\n")
    code, _, stderr = show(runner, tmp_path)
    assert code == 1
    assert_one_line_error(stderr, path, 1, "has no attribute 'kkkk")
    assert len(stderr) < 1000 and stderr.endswith("…\n")


def test_small_powers_and_repetitions_still_work(runner: CliRunner, tmp_path: Path) -> None:
    """The limits refuse only huge results: ordinary arithmetic and repetition are unchanged."""
    write(
        tmp_path,
        SHOW,
        "{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1.5 ** 2 }} {{ (-1) ** 10**12 }} {{ 0 ** 10**12 }}\n"
        "{{ 'ab' * 3 }}|{{ 3 * '-' }}|{{ [1, 2] * 2 }}|{{ 'x' * -4 }}|{{ 6 * 7 }}\n"
        "{{ 'a' + 'b' }} {{ [1] + [2] }} {{ 2 + 3 }} {{ (10 ** 30) * (10 ** 30) }}\n"
        "{{ '=' * (view.title | length) }}\n",
    )
    result = runner.invoke(
        app, ["show", "e1910", "--full", "--format", "markdown", "--templates", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "1024 0.5 2.25 1 0",
        "ababab|---|[1, 2, 1, 2]||42",
        "ab [1, 2] 5 " + str(10**60),
    ]
    assert set(lines[3]) == {"="} and len(lines[3]) > 10


def test_unreadable_template_names_the_file(runner: CliRunner, tmp_path: Path) -> None:
    """A template that is not UTF-8 text is an error naming the file, not a traceback."""
    write(tmp_path, SHOW, 'x\n{% include "markdown/_bad.md.j2" %}\n')
    bad = write(tmp_path, "markdown/_bad.md.j2", b"ok\n\xff\xfe\n")
    code, _, stderr = show(runner, tmp_path)
    assert code == 1
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"{bad} is not UTF-8 text" in stderr


def test_huge_template_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """A template file over the size limit is refused before it is read whole or compiled."""
    from blinacli.render import sandbox

    path = write(tmp_path, SHOW, "x" * (sandbox.MAX_TEMPLATE_BYTES + 1))
    code, stdout, stderr = show(runner, tmp_path)
    assert code == 1 and stdout == ""
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"{path} is larger than" in stderr


# --- Output, time and memory ------------------------------------------------------------------


def test_endless_output_is_stopped(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document longer than the limit stops at the line printing it (limit lowered here)."""
    from blinacli.render import sandbox

    monkeypatch.setattr(sandbox, "CHARACTERS", 2 * MIB)
    path = write(
        tmp_path,
        SHOW,
        "{% for i in range(100000) %}\n{{ 'x' * 1000 }}\n{% endfor %}\n",
    )
    code, stdout, stderr = show(runner, tmp_path)
    assert code == 1 and stdout == ""
    assert_one_line_error(stderr, path, 2, "the document would be longer than 2,")


def test_endless_loop_is_stopped_in_time(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loops that print nothing and would run for hours are stopped (limit lowered here)."""
    from blinacli.render import sandbox

    monkeypatch.setattr(sandbox, "SECONDS", 0.3)
    path = write(
        tmp_path,
        SHOW,
        "{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}\n{% endfor %}\n",
    )
    start = time.monotonic()
    code, stdout, stderr = show(runner, tmp_path)
    assert time.monotonic() - start < 5
    assert code == 1 and stdout == ""
    assert_one_line_error(stderr, path, 2, "rendering used more than")


def test_limits_grow_with_the_evidence() -> None:
    """A document about more evidence may take longer and be longer; small ones get the base."""
    from blinacli.render import sandbox

    small = sandbox.Limits.for_context({"view": "x" * 1000})
    large = sandbox.Limits.for_context({"view": "x" * (10 * MIB)})
    assert small.seconds == pytest.approx(sandbox.SECONDS, abs=0.1)
    assert small.characters >= sandbox.CHARACTERS
    assert large.seconds > 10 * small.seconds
    assert large.characters > small.characters and large.memory > small.memory


def run_process(folder: Path, template: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """``blinacli show e1910 --format markdown --templates FOLDER`` as a process: its result
    and its own peak resident memory in bytes. Killed after 10 s; its address space is
    capped at 3 GiB, so that a regression fails the test instead of swapping."""
    write(folder, SHOW, template)
    env = {k: v for k, v in os.environ.items() if k not in ("BLINACLI_EVIDENCE",)}
    env.update(NO_COLOR="1", COLUMNS="80", PYTHONIOENCODING="utf-8")
    args = [sys.executable, "-m", "blinacli", "show", "e1910", "--full", "--format", "markdown"]
    cap = 3 * 1024 * MIB

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [*args, "--templates", str(folder)],
            env=env,
            stdout=out,
            stderr=err,
            preexec_fn=limit,
        )
        deadline = time.monotonic() + 10
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                pytest.fail(f"{template!r} was still running after 10 s")
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(
            process.args, process.returncode, out.read().decode(), err.read().decode()
        )
    return result, usage.ru_maxrss * 1024


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 10**(10**8) }}\n", "'**' would make a number"),
        ("{{ 'a' * 10**9 }}\n", "'*' would make a text"),
        ("{{ 'a' | center(1000000000) }}\n", "more memory than"),
        ("{{ [0] | batch(300000000, 0) | list }}\n", "more memory than"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
            "rendering used more than",
        ),
    ],
    ids=["power", "repeat", "center", "batch", "loop"],
)
def test_hanging_or_huge_templates_end_within_seconds_and_stay_small(
    tmp_path: Path, template: str, message: str
) -> None:
    """Done-when: as a real process, each ends with exit 1 within 10 s, under 1 GiB."""
    result, peak = run_process(tmp_path, template)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: template {tmp_path / SHOW}, line 1: ")
    assert message in result.stderr
    assert peak < 1024 * MIB, f"peak resident memory {peak // MIB} MiB"


@pytest.mark.parametrize(
    "text",
    ["{{ 1/0 }}\n", '{% include "markdown/list.md.j2" %}\n', "{{ 'x' | center(900000000) }}\n"],
    ids=["error", "nesting", "memory"],
)
def test_limits_are_lifted_after_rendering(tmp_path: Path, text: str) -> None:
    """The recursion limit, the address-space cap and the timer are the process's own
    again once a render ends, whether it failed or not."""
    import signal

    from blinacli.base.errors import TemplateProblem
    from blinacli.render.documents import render

    def state() -> tuple[object, ...]:
        return (
            sys.getrecursionlimit(),
            resource.getrlimit(resource.RLIMIT_AS),
            signal.getsignal(signal.SIGPROF),
            signal.getitimer(signal.ITIMER_PROF),
        )

    before = state()
    write(tmp_path, "markdown/list.md.j2", text)
    with pytest.raises(TemplateProblem, match=r"^template .*list\.md\.j2, line 1: "):
        render("markdown", "list", [tmp_path], view=None)
    assert state() == before
    assert render("markdown", "list", view=_list_view()).startswith("| Study |")
    assert state() == before


def _list_view() -> object:
    from blinacli.base.resources import evidence_dir
    from blinacli.load import loader
    from blinacli.views.listing import list_view

    return list_view(loader.load([evidence_dir()]).studies)
