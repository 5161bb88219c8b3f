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
