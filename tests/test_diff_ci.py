"""docs/ci.md's pull-request workflow: valid YAML that runs blinacli's real commands.

The workflow is read from the documentation itself, parsed as YAML, and its
``blinacli`` command lines are parsed by the command line's own parser; the diff
step's command is then run as written, in a repository whose head introduces an
integrity error, and fails as the workflow says it does.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import typer
import yaml
from typer.testing import CliRunner

from blinacli.cli.app import app
from tests.markdown_reading import md_tables
from tests.test_diff_git import git, repo  # noqa: F401 - the repository fixture

CI = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
SECTION = "## Pull requests: what changed in the evidence"


def workflow() -> dict[Any, Any]:
    text = CI.read_text(encoding="utf-8")
    assert SECTION in text
    block = re.search(r"^```yaml\n(.*?)^```$", text.split(SECTION, 1)[1], re.S | re.M)
    assert block is not None
    data = yaml.safe_load(block.group(1))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    jobs = workflow()["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def command_lines() -> list[list[str]]:
    """Every ``blinacli`` command of the workflow's run scripts, without redirections."""
    found = []
    for step in steps():
        for line in step.get("run", "").splitlines():
            words = shlex.split(line.strip())
            if words[:1] == ["blinacli"]:
                cut = next((i for i, w in enumerate(words) if re.fullmatch(r"\d?>>?", w)), None)
                found.append(words[1:cut])
    return found


def test_the_workflow_is_valid_yaml_for_pull_requests() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert data["permissions"] == {"contents": "read", "pull-requests": "write"}
    names = [step.get("name") for step in steps()]
    assert names[-3:] == [
        "Diff the evidence",
        "Comment on the pull request",
        "Fail on a new integrity error",
    ]
    checkout = steps()[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    diff = next(step for step in steps() if step.get("id") == "diff")
    assert '>> "$GITHUB_STEP_SUMMARY"' in diff["run"]
    assert "gh pr comment" in steps()[-2]["run"]
    assert steps()[-2]["continue-on-error"] is True
    assert steps()[-1]["if"] == "steps.diff.outputs.status != '0'"


def test_every_blinacli_command_in_the_workflow_exists_with_its_options() -> None:
    group = typer.main.get_command(app)
    lines = command_lines()
    assert [words[0] for words in lines] == ["diff"]
    for words in lines:
        command = group.commands[words[0]]  # type: ignore[attr-defined]
        try:
            context = command.make_context(words[0], list(words[1:]))
        except click.UsageError as exc:  # pragma: no cover - the failure being tested
            pytest.fail(f"blinacli {' '.join(words)}: {exc}")
        assert context.params["fail_on_new_errors"] is True
        assert context.params["output"] == "markdown"


def test_the_diff_step_fails_on_an_introduced_error(
    runner: CliRunner,
    repo: Path,  # noqa: F811 - the fixture
) -> None:
    """The step's command, as written, with BASE and HEAD: the diff is written, and the
    exit status (1) is what makes the last step fail the job."""
    words = command_lines()[0]
    base, head = git(repo, "rev-parse", "HEAD~1").strip(), git(repo, "rev-parse", "HEAD").strip()
    args = [{"$BASE": base, "$HEAD": head}.get(word, word) for word in words]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "introduces 1 integrity error(s)" in result.stderr
    rows = [row for _, body in md_tables(result.stdout) for row in body]
    assert ["Overall survival at 3 years › comparison › estimate", "0.41", "0.42"] in rows
    assert result.stdout.startswith(f"## Evidence changes: {base} → {head}\n")
    back = runner.invoke(app, [{"$BASE": head, "$HEAD": base}.get(w, w) for w in words])
    assert back.exit_code == 0  # going back resolves it: the job passes
