"""Shell completion and the pre-commit hooks: what other tools call blinacli with.

Completion runs the installed entry point as a shell would, with Typer's completion
variables set (zsh and bash forms).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from blinacli.cli.app import app

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"


def complete_zsh(line: str) -> str:
    env = {**os.environ, "_BLINACLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
    result = subprocess.run(
        [sys.executable, "-m", "blinacli"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def complete_bash(line: str) -> list[str]:
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    env = {
        **os.environ,
        "_BLINACLI_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = subprocess.run(
        [sys.executable, "-m", "blinacli"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_study_ids_complete_from_the_evidence_in_use() -> None:
    assert complete_bash("blinacli show ") == ["blast", "e1910"]
    assert complete_bash("blinacli show e") == ["e1910"]
    assert complete_bash("blinacli compare blast ") == ["blast", "e1910"]
    assert complete_bash("blinacli cite b") == ["blast"]
    zsh = complete_zsh("blinacli show e")
    assert '"e1910":"E1910\\\\: Blinatumomab for MRD-Negative' in zsh


def test_ids_and_acronyms_complete_in_any_case() -> None:
    """What is typed is matched against ids and acronyms in any case, and the shell gets
    the id: Typer's own case-sensitive filter no longer drops it after blinacli's match."""
    assert complete_bash("blinacli show BL") == ["blast"]
    assert complete_bash("blinacli show bl") == ["blast"]
    assert complete_bash("blinacli show Bla") == ["blast"]
    assert complete_bash("blinacli show E19") == ["e1910"]
    assert complete_bash("blinacli compare blast E") == ["e1910"]
    assert complete_bash("blinacli cite BLAST") == ["blast"]
    assert complete_bash("blinacli show X") == []
    assert '"blast":"BLAST\\\\: Blinatumomab for minimal' in complete_zsh("blinacli show BL")
    line = f"blinacli show --evidence {SYNTHETIC} SYN-O"
    assert complete_bash(line) == ["syn-odds"]


def test_endpoints_complete_in_any_case() -> None:
    assert complete_bash("blinacli outcomes OS") == ["os"]
    assert complete_bash("blinacli list --endpoint OV") == ["overall-survival", "overall-response"]


def test_study_ids_complete_from_the_evidence_typed_before() -> None:
    line = f"blinacli show --evidence {SYNTHETIC} syn-"
    assert complete_bash(line) == [
        "syn-paediatric",
        "syn-odds",
        "syn-single-arm",
        "syn-three-arm",
    ]


def test_broken_evidence_completes_nothing_and_says_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: [\n", encoding="utf-8")
    assert complete_bash(f"blinacli show -e {tmp_path} ") == []


def test_endpoints_complete_with_terms_and_aliases() -> None:
    assert complete_bash("blinacli outcomes r") == ["relapse-free-survival", "rfs"]
    assert complete_bash("blinacli list --endpoint ov") == ["overall-survival", "overall-response"]
    assert '"os":"overall survival (overall-survival)"' in complete_zsh("blinacli outcomes o")


def test_completion_can_be_installed() -> None:
    """--install-completion and --show-completion are on the top-level help."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def _install(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``blinacli ARGUMENTS`` with a home folder of its own, run from the current shell."""
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    return subprocess.run(
        [sys.executable, "-m", "blinacli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_install_completion_for_a_named_shell_installs_that_shell(tmp_path: Path) -> None:
    """``--install-completion zsh`` run from bash installs zsh completion, not bash's."""
    result = _install(tmp_path, "--install-completion", "zsh")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("zsh completion installed in ")
    script = (tmp_path / ".zfunc" / "_blinacli").read_text(encoding="utf-8")
    assert "#compdef blinacli" in script and "_BLINACLI_COMPLETE=complete_zsh" in script
    assert "compinit" in (tmp_path / ".zshrc").read_text(encoding="utf-8")
    assert not (tmp_path / ".bashrc").exists()
    assert not (tmp_path / ".bash_completions").exists()


def test_show_completion_for_a_named_shell_prints_that_shell(tmp_path: Path) -> None:
    for arguments in (["--show-completion", "fish"], ["--show-completion=fish"]):
        result = _install(tmp_path, *arguments)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("complete --command blinacli ")


def test_install_completion_for_an_unknown_shell_is_refused(tmp_path: Path) -> None:
    result = _install(tmp_path, "--install-completion", "tcsh")
    assert result.returncode == 2
    assert "'tcsh' is not a shell blinacli completes" in result.stderr
    assert "bash, zsh, fish, powershell, pwsh" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_pre_commit_check_hook_shows_its_warnings() -> None:
    """pre-commit prints a passing hook's output only when the hook is verbose: the
    check hook's warnings would otherwise never be seen."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    check = next(hook for hook in hooks if hook["id"] == "blinacli-check")
    assert check["verbose"] is True


def test_pre_commit_hooks_run_commands_that_exist() -> None:
    """Each hook's entry, with its default args, is a blinacli command that passes on the
    bundled evidence, and the definition has the keys pre-commit requires."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["blinacli-validate", "blinacli-check"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        program, *arguments = shlex.split(hook["entry"])
        assert program == "blinacli"
        result = subprocess.run(
            [sys.executable, "-m", "blinacli", *arguments, *hook["args"]],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1].startswith(("valid: ", "check passed: "))
