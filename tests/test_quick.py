"""The quick start: --version and the read commands answered without Typer, exactly as
Typer answers them.

Each command line of the corpus below is run twice in a process of its own, once on the
quick path and once with ``launch.QUICK`` off (Typer reads everything), and the two give
the same standard output, standard error and exit status. The quick path's option specs
are held to the Click commands Typer builds, parameter by parameter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.main
from typer._click.core import Command, Context
from typer._click.types import BoolParamType, IntParamType, IntRange, StringParamType

from blinacli import __version__
from blinacli.base.resources import evidence_dir
from blinacli.cli import completion, launch, quick
from blinacli.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "fixtures" / "broken"
BUNDLED = str(evidence_dir())

_RUN = (
    "import sys\n"
    "from blinacli.cli import launch\n"
    "launch.QUICK = sys.argv.pop(1) == 'quick'\n"
    "sys.argv[0] = 'blinacli'\n"
    "launch.entry()\n"
)
"""A run of the ``blinacli`` command with the quick path on or off."""


def _run(args: list[str], *, quick_path: bool, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-c", _RUN, "quick" if quick_path else "typer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def _both(args: list[str], env: dict[str, str] | None = None) -> tuple[Any, Any]:
    """The command line run on the quick path and through Typer, side by side."""
    with ThreadPoolExecutor(2) as pool:
        fast = pool.submit(_run, args, quick_path=True, env=env)
        slow = pool.submit(_run, args, quick_path=False, env=env)
        return fast.result(), slow.result()


def _same(args: list[str], env: dict[str, str] | None = None) -> Any:
    fast, slow = _both(args, env)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    return fast


# --- what the quick path reads, and what it leaves to Typer ------------------------

QUICK_LINES = [
    ["list"],
    ["list", "--format", "table"],
    ["list", "-f", "json"],
    ["list", "--format=JSON"],
    ["list", "-f", "Csv"],
    ["list", "-f", "html", "--heading-level", "3"],
    ["list", "--format", "markdown", "--heading-level=6"],
    ["list", "--format", "table", "--format", "json"],
    ["list", "--drug", "blina"],
    ["list", "--drug", "nothing-like-it"],
    ["list", "--phase", "3"],
    ["list", "--design", "randomized"],
    ["list", "--design=single-arm"],
    ["list", "--mrd", "negative", "--ph", "negative"],
    ["list", "--endpoint", "os"],
    ["list", "--year-from", "2020", "--year-to", "2024"],
    ["list", "--min-n", "100"],
    ["list", "--age", "70"],
    ["list", "-q", "mrd"],
    ["list", "--search=MRD", "-f", "json"],
    ["list", "--where", "population.age.max >= 65"],
    ["list", "--where", "population.age.max >= 65", "--where", "design.phase = 3"],
    ["list", "--where", "no.such.field = 1"],
    ["list", "-e", BUNDLED, "-e", BUNDLED, "--no-cache"],
    ["list", "--follow-links", "-f", "json"],
    ["list", "-e", "tests/fixtures/broken"],
    ["list", "-e", "no/such/folder"],
    ["list", "--templates", "no/such/templates"],
    ["--debug", "list", "-f", "json"],
    ["-v", "list", "-f", "csv"],
    ["show", "e1910"],
    ["show", "E1910", "--format", "table"],
    ["show", "BLAST", "-f", "table"],
    ["show", "--format", "table", "blast"],
    ["show", "e1910", "--full"],
    ["show", "e1910", "-s", "design", "-s", "outcomes"],
    ["show", "e1910", "--section=safety", "-f", "json"],
    ["show", "blast", "-f", "csv"],
    ["show", "blast", "-f", "html"],
    ["show", "e1910", "--section", "no-such-section"],
    ["show", "nosuch"],
    ["show", "e1910", "-e", "tests/fixtures/broken/ci-order.yaml"],
    ["compare", "blast", "e1910"],
    ["compare", "blast", "E1910", "-s", "design", "-f", "json"],
    ["compare", "blast"],
    ["compare", "blast", "nosuch"],
    ["outcomes", "os"],
    ["outcomes", "OS", "-f", "json"],
    ["outcomes", "--list"],
    ["outcomes", "--list", "-f", "csv"],
    ["outcomes"],
    ["outcomes", "rfs", "--design", "randomized", "-f", "table"],
    ["outcomes", "no-such-endpoint"],
    ["safety"],
    ["safety", "--category", "neuro", "-f", "table"],
    ["safety", "--min-grade", "3", "-f", "csv"],
    ["safety", "--category", "zzz"],
    ["--version"],
    ["--debug", "--version"],
    ["-v", "--version", "--debug"],
    ["--version", "list", "--help"],
    ["--version", "no-such-command"],
]

TYPER_LINES = [
    [],
    ["--help"],
    ["-h"],
    ["list", "--help"],
    ["show", "-h"],
    ["show", "e1910", "--help"],
    ["list", "--version"],
    ["list", "--bogus"],
    ["list", "--format"],
    ["list", "--format", "xml"],
    ["list", "--format="],
    ["list", "--heading-level", "9"],
    ["list", "--heading-level", "+2"],
    ["list", "--min-n", "-1"],
    ["list", "--min-n=abc"],
    ["list", "--drug", "-x"],
    ["list", "--drug="],
    ["list", "--design", "Randomized"],
    ["list", "--follow-links=yes"],
    ["list", "stray"],
    ["list", "--", "x"],
    ["list", "-fjson"],
    ["list", "-"],
    ["show"],
    ["show", "blast", "e1910"],
    ["show", "e1910", "-sdesign"],
    ["safety", "--min-grade", "6"],
    ["outcomes", "os", "rfs"],
    ["compare"],
    ["no-such-command"],
    ["--bogus", "list"],
    ["--debug"],
    ["--help", "--version"],
    ["-vv", "list"],
    ["list", "-v"],
    ["show", "e1910", "--full=yes"],
    ["validate", "-f", "json"],
    ["--show-completion", "bash"],
]


def _id(args: list[str]) -> str:
    return " ".join(args) or "(nothing)"


@pytest.mark.parametrize("args", QUICK_LINES, ids=_id)
def test_the_quick_path_answers_as_typer_does(args: list[str]) -> None:
    assert launch._request(args) is not None, "the quick path should read this"
    _same(args)


@pytest.mark.parametrize("args", TYPER_LINES, ids=_id)
def test_what_the_quick_path_does_not_read_goes_to_typer(args: list[str]) -> None:
    assert launch._request(args) is None, "only Typer should read this"
    _same(args)


def test_the_version_is_what_typer_printed() -> None:
    result = _same(["--version"])
    assert (result.returncode, result.stdout, result.stderr) == (0, f"blinacli {__version__}\n", "")


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the completion variable set, every command line is Typer's, and completes the
    same."""
    assert launch.COMPLETE_VAR == completion.COMPLETE_VAR
    env = {
        "_BLINACLI_COMPLETE": "complete_bash",
        "COMP_WORDS": "blinacli show e",
        "COMP_CWORD": "2",
    }
    monkeypatch.setenv("_BLINACLI_COMPLETE", "complete_bash")
    assert launch._request(["show", "e1910"]) is None
    result = _same(["show", "e1910"], env)
    assert result.stdout.split() == ["e1910"]


def test_verbose_notes_are_the_same(tmp_path: Path) -> None:
    """--verbose before the command sets what core.main_options sets: notes on stderr."""
    (tmp_path / "README.txt").write_text("About this folder\n", encoding="utf-8")
    (tmp_path / "e1910.yaml").write_bytes((evidence_dir() / "e1910.yaml").read_bytes())
    args = ["--verbose", "list", "-e", str(tmp_path), "-f", "json"]
    assert launch._request(args) is not None
    result = _same(args)
    assert "note:" in result.stderr


def _beyond_the_edge(text: str) -> str:
    """A --debug traceback from the command's body on: the frames above it are the
    runner's (Click's and core's, or launch's)."""
    lines = text.splitlines(keepends=True)
    if "Traceback (most recent call last):\n" not in lines:
        return text
    start = lines.index("Traceback (most recent call last):\n")
    body = next(i for i, line in enumerate(lines) if "blinacli/cli/reading.py" in line)
    return "".join(lines[: start + 1] + lines[body:])


@pytest.mark.parametrize(
    "args",
    [["--debug", "show", "nosuch"], ["--debug", "list", "-e", "tests/fixtures/broken"]],
    ids=_id,
)
def test_debug_shows_the_same_traceback_from_the_command_on(args: list[str]) -> None:
    assert launch._request(args) is not None
    fast, slow = _both(args)
    assert "Traceback (most recent call last):" in fast.stderr
    assert (fast.returncode, fast.stdout) == (slow.returncode, slow.stdout)
    assert _beyond_the_edge(fast.stderr) == _beyond_the_edge(slow.stderr)


# --- no Typer on the quick path -------------------------------------------------------

_MODULES = (
    "import sys\n"
    "from blinacli.cli import launch\n"
    "sys.argv = ['blinacli', *sys.argv[1:]]\n"
    "try:\n"
    "    launch.main()\n"
    "except SystemExit as stop:\n"
    "    code = stop.code\n"
    "imported = sorted(n for n in sys.modules if n.split('.')[0] in ('typer', 'click'))\n"
    "sys.stderr.write(f'exit {code}; imported {imported}\\n')\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--debug", "--version"],
        ["list", "-f", "table"],
        ["show", "e1910", "--format", "table"],
        ["compare", "blast", "e1910", "-f", "json"],
        ["outcomes", "os"],
        ["safety", "--min-grade", "3"],
        ["show", "nosuch"],
    ],
    ids=_id,
)
def test_the_quick_path_imports_no_typer(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _MODULES, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    code = 1 if args == ["show", "nosuch"] else 0
    assert done.stderr.splitlines()[-1] == f"exit {code}; imported []"


def test_the_version_imports_no_typer_at_all() -> None:
    """Not even at start-up: ``python -X importtime -m blinacli --version``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "blinacli", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == f"blinacli {__version__}\n"
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "blinacli.cli.launch" in imported
    assert [name for name in imported if name.split(".")[0] in ("typer", "click")] == []


def test_a_fallback_still_gets_typer() -> None:
    """The control for the test above: a help request does import Typer."""
    done = subprocess.run(
        [sys.executable, "-c", _MODULES, "list", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert "'typer'" in done.stderr.splitlines()[-1]


# --- the loaded evidence is never freed before the process ends ----------------------


def _witnessed(how: str, *args: str) -> Any:
    """A run whose loaded evidence says on stderr when it is freed (by the collector, a
    deletion, or the interpreter's teardown), ended by ``launch.entry`` or, for
    ``how="main"``, by a plain SystemExit."""
    script = (
        "import os, sys, weakref\n"
        "from blinacli.cli import launch\n"
        "from blinacli.load import loader\n"
        "real = loader.load\n"
        "def load(*args, **kwargs):\n"
        "    found = real(*args, **kwargs)\n"
        "    weakref.finalize(found, os.write, 2, b'freed %d studies\\n' % len(found.studies))\n"
        "    return found\n"
        "loader.load = load\n"
        "sys.argv = ['blinacli', *sys.argv[1:]]\n"
        f"launch.{how}()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "args", [["list", "-f", "json"], ["show", "e1910", "-f", "table"], ["list", "--help"]], ids=_id
)
def test_the_loaded_evidence_is_never_freed(args: list[str]) -> None:
    done = _witnessed("entry", *args)
    assert done.returncode == 0
    assert done.stdout
    assert "freed" not in done.stderr


def test_the_witness_speaks_when_the_evidence_is_freed() -> None:
    """The control: ended by SystemExit, the interpreter frees the evidence and says so."""
    done = _witnessed("main", "list", "-f", "json")
    assert done.returncode == 0
    assert done.stderr == "freed 2 studies\n"


# --- the specs are the Click commands' --------------------------------------------------


def _click_command(name: str, typer_app: typer.Typer = app) -> Command:
    group = typer.main.get_group(typer_app)
    command = group.get_command(Context(group), name)
    assert command is not None
    return command


def differences(spec: quick.Spec, command: Command) -> list[str]:
    """Where ``spec`` does not say what the Click ``command`` reads; empty when it does."""
    found: list[str] = []
    arguments = {argument.name: argument for argument in spec.arguments}
    options = {option.name: option for option in spec.options}
    click_names = [param.name for param in command.params]
    spec_names = [*arguments, *options]
    if click_names != spec_names:
        found.append(f"parameters: Click {click_names}, spec {spec_names}")
    for param in command.params:
        assert param.name is not None
        if param.param_type_name == "argument":
            argument = arguments.get(param.name)
            if argument is None:
                continue
            seen = (param.nargs, param.required, param.default)
            wanted = (argument.nargs, argument.required, None)
            if seen != wanted:
                found.append(f"{param.name}: Click {seen}, spec {wanted}")
            continue
        option = options.get(param.name)
        if option is None:
            continue
        kind, choices, case_sensitive, low, high = _click_kind(param.type)
        seen_option = (
            tuple(param.opts),
            tuple(param.secondary_opts),
            kind,
            param.multiple,
            param.nargs,
            choices,
            case_sensitive,
            low,
            high,
            param.default,
            param.is_eager,
            param.callback is None,
            param.envvar,
        )
        wanted_option = (
            option.flags,
            (),
            option.kind,
            option.multiple,
            1,
            tuple(choice.value for choice in option.choices) if option.choices else None,
            option.case_sensitive if option.choices else None,
            option.min,
            option.max,
            option.default,
            False,
            True,
            None,
        )
        if seen_option != wanted_option:
            found.append(f"{param.name}: Click {seen_option}, spec {wanted_option}")
    return found


def _click_kind(kind: Any) -> tuple[str, Any, Any, Any, Any]:
    """A Click type as the spec names it: kind, choices, case sensitivity, bounds."""
    if isinstance(kind, BoolParamType):
        return "flag", None, None, None, None
    if type(kind).__name__ == "TyperChoice":
        return "choice", tuple(kind.choices), kind.case_sensitive, None, None
    if isinstance(kind, IntRange):
        assert not (kind.min_open or kind.max_open or kind.clamp)
        return "int", None, None, kind.min, kind.max
    if isinstance(kind, IntParamType):
        return "int", None, None, None, None
    if type(kind).__name__ == "TyperPath":
        checks = ("exists", "file_okay", "dir_okay", "writable", "readable", "resolve_path", "type")
        assert [getattr(kind, check) for check in checks] == [
            False,
            True,
            True,
            False,
            True,
            False,
            None,
        ]
        return "path", None, None, None, None
    if isinstance(kind, StringParamType):  # Completing too: it only adds completions
        return "text", None, None, None, None
    return type(kind).__name__, None, None, None, None


@pytest.mark.parametrize("name", sorted(quick.SPECS))
def test_each_spec_is_its_click_command(name: str) -> None:
    command = _click_command(name)
    assert differences(quick.SPECS[name], command) == []
    flags = [option for option in command.params if getattr(option, "is_flag", False)]
    assert all(not option.secondary_opts for option in flags)


def test_an_option_missing_from_a_spec_is_found() -> None:
    """A command given one more option than its spec, or one changed, differs."""
    from blinacli.cli import browsing

    def with_more(extra: Annotated[int, typer.Option("--extra", min=0)] = 0) -> None: ...

    more = typer.Typer()
    more.command("list")(browsing.list_command)
    more.command("other")(with_more)
    extended = _click_command("list", more)
    extended.params.append(_click_command("other", more).params[-1])
    assert differences(quick.SPECS["list"], _click_command("list", more)) == []
    assert differences(quick.SPECS["list"], extended) != []
    changed = quick.SPECS["list"]._replace(
        options=tuple(
            option._replace(max=7) if option.name == "heading_level" else option
            for option in quick.SPECS["list"].options
        )
    )
    assert differences(changed, _click_command("list")) != []


def test_the_quick_commands_are_typer_commands_of_the_app() -> None:
    from blinacli.cli.app import COMMANDS

    assert set(quick.SPECS) <= set(COMMANDS)
    assert all(COMMANDS[name] == "browsing" for name in quick.SPECS)
