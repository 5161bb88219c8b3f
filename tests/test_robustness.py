"""Robustness: evidence text is data in every format, pipes and Ctrl-C end quietly,
nothing written is ever half a file, and filesystem trouble gets a clear message.

Covered elsewhere and not repeated here:

- tests/test_templates.py::test_copy_refuses_to_overwrite_without_force:
  `templates copy` never replaces a file without --force.
- tests/test_digest.py::test_output_replaces_an_existing_file_only_with_force and
  ::test_output_file_holds_the_same_bytes_as_stdout: `digest -o` replaces the file
  the user named (with --force), with exactly what stdout would show.
- tests/test_output.py: the rules of -o for devices, FIFOs, sockets, links, hard
  links, read-only files, mode, owner and temporary files;
  tests/test_streams.py: standard output checked like a file (full, closed,
  short writes, encodings) and the width of tables.
- tests/test_digest.py::test_failure_leaves_an_existing_file_untouched and
  ::test_template_error_leaves_an_existing_file_untouched: a failure before
  rendering, or a template failing on its first line, leaves `-o FILE` as it was.
- tests/test_digest.py::test_write_output_*: write_output on its own (mode, umask,
  a failed rename, an interrupt, a directory as target).
- tests/test_html.py::test_evidence_text_is_escaped: a script title in HTML.
- tests/test_cli.py::test_show_table_makes_control_characters_visible,
  ::test_validate_missing_path.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it.token import Token
from typer.testing import CliRunner, Result

import blinacli.render.documents
from blinacli.base.controls import visible
from blinacli.base.errors import TemplateProblem
from blinacli.base.resources import evidence_dir
from blinacli.cli import app as cli
from blinacli.cli.app import BROKEN_PIPE, app
from tests.markdown_reading import MD, md_tables, md_text

E1910 = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
BLAST = (evidence_dir() / "blast.yaml").read_text(encoding="utf-8")

# --- Safe output ---------------------------------------------------------------------

# Every hostile piece at once: markup, a table pipe, a code span, a line break, an
# OSC sequence that retitles a terminal, a colour sequence, a carriage return that
# would overwrite the line, and a control character.
RISKY = "<script>alert(1)</script> a | b `code` line one\nline two"
CONTROLS = " \x1b]0;pwned\x07 \x1b[31mred\r\x01end"
# What a terminal table shows of CONTROLS: each control character made visible.
CONTROLS_SHOWN = ("\\x1b]0;pwned\\x07", "\\x1b[31mred\\r\\x01end")
# The evidence's own control bytes; the terminal must never receive one.
CONTROL_BYTES = ("\x1b", "\x07", "\r", "\x01")
# YAML refuses raw control characters, so the file spells them as double-quoted
# escapes: \e and \a are YAML's names for ESC and BEL.
RISKY_YAML = (
    "<script>alert(1)</script> a | b `code` line one\\nline two"
    " \\e]0;pwned\\a \\x1b[31mred\\r\\x01end"
)

# Where each hostile string goes in e1910.yaml: the text replaced, and its
# replacement with {} for the double-quoted YAML scalar.
FIELDS = {
    "TITLE": (
        "title: Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults\ndrugs",
        "title: {}\ndrugs",
    ),
    "ARM": ("      label: Blinatumomab + chemotherapy\n", "      label: {}\n"),
    "OUTCOME": ("    label: Overall survival at 3 years\n", "    label: {}\n"),
    "NOTE": (
        "      - >-\n"
        "        The memo does not say how the 3-year rates were estimated (for example\n"
        "        by Kaplan-Meier).\n",
        "      - {}\n",
    ),
    "STATEMENT": (
        "    text: Higher incidence of neuropsychiatric events in the blinatumomab group\n",
        "    text: {}\n",
    ),
}


def hostile(tag: str) -> str:
    """The string the evidence file holds for the field ``tag``."""
    return f"{tag} {RISKY}{CONTROLS}"


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    """E1910 with every field of FIELDS hostile, beside the bundled BLAST."""
    text = E1910
    for tag, (old, new) in FIELDS.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new.format(f'"{tag} {RISKY_YAML}"'))
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "e1910.yaml").write_text(text, encoding="utf-8")
    (folder / "blast.yaml").write_text(BLAST, encoding="utf-8")
    return folder


def test_yaml_reads_the_escapes_as_the_control_characters(evidence: Path) -> None:
    """The double-quoted escapes load as exactly the strings the tests below expect."""
    data = yaml.safe_load((evidence / "e1910.yaml").read_text(encoding="utf-8"))
    assert data["title"] == hostile("TITLE")
    assert data["design"]["arms"][0]["label"] == hostile("ARM")
    assert data["outcomes"][0]["label"] == hostile("OUTCOME")
    assert data["outcomes"][0]["notes"] == [hostile("NOTE")]
    assert data["safety"][0]["text"] == hostile("STATEMENT")


# Each read command and the hostile fields it shows.
COMMANDS: dict[str, tuple[list[str], set[str]]] = {
    "list": (["list"], {"ARM"}),
    "show": (["show", "e1910", "--full"], {"TITLE", "ARM", "OUTCOME", "NOTE", "STATEMENT"}),
    "compare": (["compare", "e1910", "blast"], {"TITLE", "ARM", "STATEMENT"}),
    "outcomes": (["outcomes", "os"], {"ARM", "OUTCOME", "NOTE"}),
    "safety": (["safety"], {"ARM", "STATEMENT"}),
    "digest": (["digest"], {"TITLE", "ARM", "OUTCOME", "NOTE", "STATEMENT"}),
}
TABLE_COMMANDS = [name for name in COMMANDS if name != "digest"]


def run(runner: CliRunner, name: str, fmt: str, folder: Path) -> Result:
    args, _ = COMMANDS[name]
    result = runner.invoke(app, [*args, "--format", fmt, "-e", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result


@pytest.mark.parametrize("name", list(COMMANDS))
def test_html_shows_evidence_as_text(runner: CliRunner, evidence: Path, name: str) -> None:
    """No evidence string becomes markup: the script is escaped, every field readable."""
    html = run(runner, name, "html", evidence).stdout
    assert "<script" not in html.lower()
    for tag in COMMANDS[name][1]:
        assert f"{tag} &lt;script&gt;alert(1)&lt;/script&gt; a | b `code` line one" in html, tag


def _html_tokens(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        if token.type.startswith("html"):
            found.append(token)
        found += _html_tokens(token.children or [])
    return found


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_markdown_keeps_evidence_as_text(runner: CliRunner, evidence: Path, name: str) -> None:
    """Pipes, backticks, < and line breaks are escaped: tables keep their rows and cells,
    nothing parses as HTML or code, and a reader sees each field's words."""
    markdown = run(runner, name, "markdown", evidence).stdout
    tokens = MD.parse(markdown)
    assert _html_tokens(tokens) == []
    assert [t for t in tokens if t.type == "code_inline"] == []
    for header, rows in md_tables(markdown):
        assert all(len(row) == len(header) for row in rows), header
    # The parser pads or drops cells silently, so count the raw separators too: every
    # line of a table has as many unescaped pipes as its header.
    tables = re.findall(r"(?:^\|.*\n)+", markdown, flags=re.MULTILINE)
    assert tables
    for table in tables:
        lines = table.splitlines()
        assert {_unescaped_pipes(line) for line in lines} == {_unescaped_pipes(lines[0])}, table
    visible = md_text(markdown)
    for tag in COMMANDS[name][1]:
        # A line break folds into a space; the words of every field are there.
        assert f"{tag} <script>alert(1)</script> a | b `code` line one line two" in visible, tag
    assert "]0;pwned" in visible
    assert "[31mred" in visible


@pytest.mark.parametrize("name", TABLE_COMMANDS)
def test_terminal_makes_control_characters_visible(
    runner: CliRunner, evidence: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A file cannot retitle the terminal, fake colours or overwrite a line: every
    control character reaches the terminal as a visible escape such as \\x1b."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = run(runner, name, "table", evidence).stdout
    for byte in CONTROL_BYTES:
        assert byte not in out, repr(byte)
    for shown in CONTROLS_SHOWN:
        assert out.count(shown) >= len(COMMANDS[name][1]), shown
    assert "<script>alert(1)</script>" in out
    assert "`code`" in out


def test_digest_on_a_terminal_cannot_retitle_it(runner: CliRunner, evidence: Path) -> None:
    """`blinacli digest` prints Markdown to the terminal by default (there is no table
    form), so its evidence text must not carry the file's escape sequences either."""
    result = runner.invoke(app, ["digest", "-e", str(evidence)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    for byte in CONTROL_BYTES:
        assert byte not in result.stdout, repr(byte)
    assert "]0;pwned" in result.stdout


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("name", TABLE_COMMANDS)
def test_json_keeps_the_original_strings(runner: CliRunner, evidence: Path, name: str) -> None:
    """JSON is data: each field comes back exactly as written, escaped by JSON itself."""
    out = run(runner, name, "json", evidence).stdout
    for byte in CONTROL_BYTES:
        assert byte not in out, repr(byte)
    strings = list(_strings(json.loads(out)))
    kept = {tag for tag in FIELDS if any(hostile(tag) in s for s in strings)}
    assert kept == COMMANDS[name][1]


def test_show_json_title_is_the_title_as_written(runner: CliRunner, evidence: Path) -> None:
    data = json.loads(run(runner, "show", "json", evidence).stdout)
    assert data["title"] == hostile("TITLE")
    assert data["safety"][0]["text"] == hostile("STATEMENT")


@pytest.mark.parametrize(
    ("name", "tags"),
    [
        ("list", {"ARM"}),
        ("show", {"ARM", "OUTCOME", "NOTE", "STATEMENT"}),
        ("compare", {"TITLE", "ARM", "STATEMENT"}),
        ("outcomes", {"ARM", "OUTCOME", "NOTE"}),
        ("safety", {"ARM", "STATEMENT"}),
    ],
)
def test_csv_keeps_the_original_strings(
    runner: CliRunner, evidence: Path, name: str, tags: set[str]
) -> None:
    """CSV is data too: a reader gets each cell's text back, line break and all, with its
    control characters shown as escapes, since a CSV file is also read on a terminal
    (JSON gives them back exactly: test_json_keeps_the_original_strings)."""
    out = run(runner, name, "csv", evidence).stdout
    for byte in CONTROL_BYTES:
        assert byte not in out, repr(byte)
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len({len(row) for row in rows}) == 1
    cells = [cell for row in rows for cell in row]
    kept = {tag for tag in FIELDS if any(visible(hostile(tag)) in cell for cell in cells)}
    assert kept == tags


def test_raw_control_character_in_a_file_is_a_finding_with_its_place(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """YAML refuses a raw ESC in a plain scalar; validate says where, with no wrong hint."""
    monkeypatch.chdir(tmp_path)
    old = "title: Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults\ndrugs"
    text = E1910.replace(old, "title: Bad \x1b]0;pwned\x07 title\ndrugs")
    Path("study.yaml").write_text(text, encoding="utf-8")
    line = text[: text.index("\x1b")].count("\n") + 1
    column = text.index("\x1b") - text.rfind("\n", 0, text.index("\x1b"))
    result = runner.invoke(app, ["validate", "study.yaml"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    first, summary = result.stdout.splitlines()
    assert first.startswith(f"study.yaml:{line}:{column}: invalid YAML: ")
    assert re.search(r"#x001b|U\+001B", first, flags=re.IGNORECASE), first
    assert "indent with spaces" not in first
    assert summary == "invalid: 1 problem in 1 of 1 file"


# --- Pipes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sixty_studies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sixty copies of E1910 with their own ids: a digest far larger than a pipe holds."""
    folder = tmp_path_factory.mktemp("sixty")
    for number in range(1, 61):
        text = E1910.replace("id: e1910\n", f"id: e1910-{number:02}\n", 1)
        (folder / f"e1910-{number:02}.yaml").write_text(text, encoding="utf-8")
    return folder


def _read_then_close(args: list[str], *, lines: int = 0, size: int = 0) -> tuple[bytes, int, bytes]:
    """Run blinacli with stdout on a real pipe, read ``lines`` lines (or ``size`` bytes)
    and close the pipe, like `| head`; return what was read, the exit code and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "blinacli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        if lines:
            read = b"".join(process.stdout.readline() for _ in range(lines))
        else:
            read = process.stdout.read(size)
        process.stdout.close()
        stderr = process.stderr.read()
        return read, process.wait(timeout=60), stderr
    finally:
        if process.poll() is None:  # pragma: no cover - only when the test fails
            process.kill()
            process.wait()


def test_list_markdown_piped_to_head_ends_quietly() -> None:
    """`blinacli list --format markdown | head -1`."""
    read, code, stderr = _read_then_close(["list", "--format", "markdown"], lines=1)
    assert read == b"| Study | Design | Population | N | Headline result |\n"
    assert stderr == b""
    assert code in (0, BROKEN_PIPE)


def test_digest_markdown_piped_to_head_ends_quietly() -> None:
    """`blinacli digest --format markdown | head -3`."""
    read, code, stderr = _read_then_close(["digest", "--format", "markdown"], lines=3)
    assert read.startswith(b"# Evidence digest\n\n**Contents**\n")
    assert stderr == b""
    assert code in (0, BROKEN_PIPE)


@pytest.mark.parametrize(
    ("fmt", "lines", "size", "at_least"),
    [("html", 0, 100, 1_000_000), ("markdown", 1, 0, 500_000)],
    ids=["html", "markdown"],
)
def test_large_digest_piped_to_head_ends_quietly(
    runner: CliRunner, sixty_studies: Path, fmt: str, lines: int, size: int, at_least: int
) -> None:
    """A digest many times a pipe's buffer (over 1 MB in HTML) whose reader leaves after
    100 bytes or a line: no traceback, no "Exception ignored", exit 0 or 141."""
    args = ["digest", "--format", fmt, "-e", str(sixty_studies)]
    whole = runner.invoke(app, args, catch_exceptions=False)
    assert whole.exit_code == 0, whole.stderr
    assert len(whole.stdout_bytes) > at_least
    read, code, stderr = _read_then_close(args, lines=lines, size=size)
    assert whole.stdout_bytes.startswith(read)
    assert len(read) == (size or len(whole.stdout.splitlines(keepends=True)[0]))
    assert stderr == b""
    assert code in (0, BROKEN_PIPE)


RAISING_STDOUT = """
import io, sys
from blinacli.cli import app as cli

class ClosedPipe(io.TextIOBase):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        return 1

sys.stdout = ClosedPipe()
sys.argv = ["blinacli", "list", "--format", "markdown"]
cli.main()
"""

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


def test_broken_pipe_inside_a_command_exits_141_quietly() -> None:
    """A write raising BrokenPipeError ends the command with 141 and nothing on stderr."""
    done = subprocess.run(
        [sys.executable, "-c", RAISING_STDOUT], capture_output=True, text=True, check=False
    )
    assert done.stderr == ""
    assert done.returncode == BROKEN_PIPE


@pytest.mark.parametrize(
    ("args", "unbuffered"),
    [
        # Under a buffer's worth: the pipe breaks at the final flush in main().
        (["list", "--format", "markdown"], False),
        # PYTHONUNBUFFERED=1: the pipe breaks at the write, inside the command.
        (["list", "--format", "markdown"], True),
        # Some 50 kB, more than the buffer: the pipe breaks inside the command.
        (["digest", "--format", "html"], False),
    ],
    ids=["at-the-final-flush", "unbuffered", "inside-the-command"],
)
def test_pipe_closed_before_any_output_exits_141_quietly(args: list[str], unbuffered: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", CLOSED_PIPE, *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.stderr == ""
    assert done.returncode == BROKEN_PIPE


# --- Signals -------------------------------------------------------------------------

# Stalls at the function named by the first argument, says "ready", then waits for
# Ctrl-C. The default handler is set explicitly: a test runner started in the
# background may have inherited SIGINT ignored, which a child would keep.
STALL = """
import importlib, signal, sys, time
from blinacli.cli import app as cli

signal.signal(signal.SIGINT, signal.default_int_handler)

def stall(*args, **kwargs):
    sys.stderr.write("ready\\n")
    sys.stderr.flush()
    time.sleep(30)

module, name = sys.argv[1].rsplit(".", 1)
setattr(importlib.import_module(module), name, stall)
sys.argv = ["blinacli", *sys.argv[2:]]
cli.main()
"""


def _interrupt(stall_at: str, args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run blinacli until it stalls at ``stall_at``, send SIGINT, return code, stdout, stderr."""
    process = subprocess.Popen(
        [sys.executable, "-c", STALL, stall_at, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    try:
        assert process.stderr is not None
        readable, _, _ = select.select([process.stderr], [], [], 30)
        assert readable, "blinacli never reached the stall"
        ready = process.stderr.readline()
        assert ready == "ready\n", ready + process.stderr.read()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        return process.returncode, stdout, ready + stderr
    finally:
        if process.poll() is None:  # pragma: no cover - only when the test fails
            process.kill()
            process.wait()


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path) -> None:
    code, stdout, stderr = _interrupt("blinacli.load.loader.check", ["list"], tmp_path)
    assert code == 130
    assert stdout == ""
    assert stderr == "ready\ninterrupted\n"


@pytest.mark.parametrize(
    "stall_at",
    ["blinacli.load.loader.check", "os.fsync"],
    ids=["while-loading", "while-writing-the-temporary-file"],
)
def test_ctrl_c_leaves_the_output_file_as_it_was(tmp_path: Path, stall_at: str) -> None:
    """Interrupted while loading or with the new document half on disk: the old file
    is byte-identical and no temporary file is left beside it."""
    target = tmp_path / "digest.md"
    target.write_bytes(b"previous digest\n")
    code, stdout, stderr = _interrupt(stall_at, ["digest", "-o", "digest.md", "--force"], tmp_path)
    assert code == 130
    assert stdout == ""
    assert stderr == "ready\ninterrupted\n"
    assert target.read_bytes() == b"previous digest\n"
    assert os.listdir(tmp_path) == ["digest.md"]


def test_ctrl_c_outside_a_command_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() itself turns an interrupt that no command caught into 130."""

    def interrupted(**options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_app_for", lambda argv: interrupted)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


# --- Nothing lost --------------------------------------------------------------------


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An existing output file, alone in its folder."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / "digest.md"
    target.write_bytes(b"previous digest\n")
    return target


def test_render_failing_midway_leaves_the_file_as_it_was(
    runner: CliRunner, tmp_path: Path, previous: Path
) -> None:
    """A template that fails after rendering the whole built-in document writes nothing."""
    folder = tmp_path / "templates" / "html"
    folder.mkdir(parents=True)
    (folder / "digest.html.j2").write_text(
        '{% include "default:html/digest.html.j2" %}\n{{ view.no_such_field }}\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["digest", "-f", "html", "--templates", str(tmp_path / "templates"), "-o", str(previous)]
        + ["--force"],
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: template {folder / 'digest.html.j2'}, line 2: ")
    assert previous.read_bytes() == b"previous digest\n"
    assert os.listdir(previous.parent) == ["digest.md"]


def test_render_raising_leaves_the_file_as_it_was(
    runner: CliRunner, previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object, **kwargs: object) -> str:
        raise TemplateProblem("template markdown/digest.md.j2, line 9: injected")

    monkeypatch.setattr(blinacli.render.documents, "render", failing)
    result = runner.invoke(app, ["digest", "-o", str(previous), "--force"])
    assert result.exit_code == 1
    assert result.stderr == "error: template markdown/digest.md.j2, line 9: injected\n"
    assert previous.read_bytes() == b"previous digest\n"
    assert os.listdir(previous.parent) == ["digest.md"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        ("fsync", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        ("replace", PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    ],
    ids=["disk-full", "rename-refused"],
)
def test_write_failing_leaves_the_file_as_it_was(
    runner: CliRunner,
    previous: Path,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    error: OSError,
    message: str,
) -> None:
    """Through the CLI: the disk fills or the rename is refused, exit 1 with a message,
    the old file is byte-identical and the temporary file is gone."""

    def fail(*args: object) -> None:
        raise error

    monkeypatch.setattr(os, call, fail)
    result = runner.invoke(app, ["digest", "-o", str(previous), "--force"])
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {previous}: {message}\n"
    assert previous.read_bytes() == b"previous digest\n"
    assert os.listdir(previous.parent) == ["digest.md"]


def test_templates_copy_force_failing_leaves_the_template_as_it_was(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "markdown" / "list.md.j2"
    target.parent.mkdir()
    target.write_bytes(b"mine\n")

    def refuse(*args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = runner.invoke(
        app, ["templates", "copy", "markdown/list.md.j2", str(tmp_path), "--force"]
    )
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: Permission denied\n"
    assert target.read_bytes() == b"mine\n"
    assert os.listdir(target.parent) == ["list.md.j2"]


# --- Filesystem ----------------------------------------------------------------------


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, so paths are shown as typed; an evidence folder with two studies."""
    monkeypatch.chdir(tmp_path)
    folder = Path("evidence")
    folder.mkdir()
    (folder / "blast.yaml").write_text(BLAST, encoding="utf-8")
    (folder / "e1910.yaml").write_text(E1910, encoding="utf-8")
    return folder


def assert_findings(runner: CliRunner, target: str, findings: list[str], *options: str) -> None:
    """validate TARGET prints ``findings`` and exits 1; `list -e TARGET` prints them on
    stderr, refuses the evidence and exits 1; neither shows a traceback. ``options`` are
    given to both commands."""
    validated = runner.invoke(app, ["validate", *options, target], catch_exceptions=False)
    assert validated.exit_code == 1
    assert validated.stdout.splitlines()[:-1] == findings
    assert validated.stdout.splitlines()[-1].startswith(f"invalid: {len(findings)} problem")
    assert validated.stderr == ""
    listed = runner.invoke(app, ["list", *options, "-e", target], catch_exceptions=False)
    assert listed.exit_code == 1
    assert listed.stdout == ""
    assert listed.stderr.splitlines()[:-1] == findings
    assert listed.stderr.splitlines()[-1].startswith(
        f"error: the evidence in use is invalid: {len(findings)} problem"
    )


@pytest.mark.parametrize("missing", ["missing.yaml", "no-such-folder"])
def test_missing_path(runner: CliRunner, here: Path, missing: str) -> None:
    assert_findings(runner, missing, [f"{missing}: no such file or directory"])


def test_directory_without_evidence(runner: CliRunner, here: Path) -> None:
    Path("empty").mkdir()
    (Path("empty") / "README.txt").write_text("not evidence\n", encoding="utf-8")
    assert_findings(runner, "empty", ["empty: no evidence files (*.yaml, *.yml) in this directory"])


def test_digest_output_is_an_existing_directory(runner: CliRunner, here: Path) -> None:
    Path("out").mkdir()
    result = runner.invoke(app, ["digest", "-o", "out"])
    assert result.exit_code == 1
    assert result.stderr == "error: cannot write out: it is a directory\n"
    assert os.listdir("out") == []


@pytest.mark.parametrize(
    ("args", "folder"),
    [(["markdown/list.md.j2", "taken"], "markdown"), (["--all", "taken"], "html")],
    ids=["one", "all"],
)
def test_templates_copy_into_an_existing_file(
    runner: CliRunner, here: Path, args: list[str], folder: str
) -> None:
    """The directory named is a file: a clear message, exit 1, the file untouched."""
    Path("taken").write_bytes(b"a file\n")
    result = runner.invoke(app, ["templates", "copy", *args])
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot create taken/{folder}: Not a directory\n"
    assert Path("taken").read_bytes() == b"a file\n"


@pytest.mark.parametrize(
    "link", ["evidence/self", "evidence/nested/up"], ids=["to-itself", "to-its-parent"]
)
def test_symbolic_link_loop_in_an_evidence_directory(
    runner: CliRunner, here: Path, link: str
) -> None:
    """Followed (--follow-links), a folder link leading back up is named, not followed
    again; every study is still read."""
    Path(link).parent.mkdir(exist_ok=True)
    Path(link).symlink_to(".." if link.endswith("up") else ".", target_is_directory=True)
    assert_findings(
        runner,
        "evidence",
        [f"{link}: symbolic link loop: leads back to evidence; not followed"],
        "--follow-links",
    )
    report = json.loads(
        runner.invoke(app, ["validate", "--follow-links", "--format", "json", "evidence"]).stdout
    )
    assert report["studies"] == ["blast", "e1910"]


def test_broken_symbolic_link(runner: CliRunner, here: Path) -> None:
    Path("evidence/x.yaml").symlink_to("nothing.yaml")
    finding = "evidence/x.yaml: broken symbolic link: its target does not exist"
    assert_findings(runner, "evidence", [finding], "--follow-links")
    assert_findings(runner, "evidence/x.yaml", [finding])


def test_looping_file_links(runner: CliRunner, here: Path) -> None:
    """a.yaml -> b.yaml -> a.yaml: each is a finding, in a folder followed with
    --follow-links and named alone."""
    Path("evidence/a.yaml").symlink_to("b.yaml")
    Path("evidence/b.yaml").symlink_to("a.yaml")
    assert_findings(
        runner,
        "evidence",
        ["evidence/a.yaml: symbolic link loop", "evidence/b.yaml: symbolic link loop"],
        "--follow-links",
    )
    assert_findings(runner, "evidence/a.yaml", ["evidence/a.yaml: symbolic link loop"])


def test_unreadable_file(runner: CliRunner, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading fails (as it would without permission; root reads anything, so simulated)."""
    locked = here / "locked.yaml"
    locked.write_text(E1910.replace("id: e1910\n", "id: locked\n", 1), encoding="utf-8")
    opener = os.open

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path).name == "locked.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opener(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert_findings(runner, "evidence", ["evidence/locked.yaml: cannot read: Permission denied"])
    report = json.loads(runner.invoke(app, ["validate", "--format", "json", "evidence"]).stdout)
    assert report["studies"] == ["blast", "e1910"]


def test_unreadable_folder(runner: CliRunner, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "locked").mkdir()
    scandir = os.scandir

    def refuse(path: Path) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    assert_findings(runner, "evidence", ["evidence/locked: cannot read: Permission denied"])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_by_permission(runner: CliRunner, here: Path) -> None:
    locked = here / "locked.yaml"
    locked.write_text(E1910.replace("id: e1910\n", "id: locked\n", 1), encoding="utf-8")
    locked.chmod(0)
    try:
        assert_findings(
            runner, "evidence", ["evidence/locked.yaml: cannot read: Permission denied"]
        )
    finally:
        locked.chmod(0o644)


SKIPPED = [
    "note: skipped evidence/.git: hidden",
    "note: skipped evidence/README.txt: not a .yaml or .yml file",
    "note: skipped evidence/image.png: not a .yaml or .yml file",
    "note: skipped evidence/notes.md: not a .yaml or .yml file",
]


@pytest.fixture
def cluttered(here: Path) -> Path:
    """The evidence folder with other files and a hidden folder holding broken YAML."""
    (here / "README.txt").write_text("About this folder\n", encoding="utf-8")
    (here / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (here / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (here / ".git").mkdir()
    (here / ".git" / "config.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    return here


@pytest.mark.parametrize("command", ["validate", "list"])
def test_other_files_are_skipped_silently(runner: CliRunner, cluttered: Path, command: str) -> None:
    args = [command, "evidence"] if command == "validate" else [command, "-e", "evidence"]
    result = runner.invoke(app, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == ""
    data = json.loads(result.stdout)
    ids = data["studies"] if command == "validate" else [s["id"] for s in data["studies"]]
    assert ids == ["blast", "e1910"]


@pytest.mark.parametrize("command", ["validate", "list"])
def test_verbose_notes_what_was_skipped(runner: CliRunner, cluttered: Path, command: str) -> None:
    """With --verbose each file passed over is one note on stderr; stdout is unchanged."""
    args = [command, "evidence"] if command == "validate" else [command, "-e", "evidence"]
    quiet = runner.invoke(app, [*args, "--format", "json"], catch_exceptions=False)
    result = runner.invoke(app, ["--verbose", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == quiet.stdout
    assert sorted(result.stderr.splitlines()) == SKIPPED
