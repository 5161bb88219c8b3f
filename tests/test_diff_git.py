"""blinacli diff between git revisions, and digest --since, in a real temporary repository.

The repository has two commits: the bundled evidence, then E1910's OS HR changed from
0.41 to 0.42 and a study added. The evidence is read from the object database with no
checkout: the working tree, the index and HEAD are as they were.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import revisions
from tests.markdown_reading import md_headings, md_tables

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
TRACEBACK = "Traceback (most recent call last)"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits; the working directory is the repository's top."""
    top = tmp_path / "base"
    (top / "evidence").mkdir(parents=True)
    for name in ("blast.yaml", "e1910.yaml"):
        shutil.copy(evidence_dir() / name, top / "evidence" / name)
    git(top, "init", "-q")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "the bundled evidence")
    e1910 = top / "evidence" / "e1910.yaml"
    text = e1910.read_text(encoding="utf-8")
    e1910.write_text(text.replace("      estimate: 0.41\n", "      estimate: 0.42\n"), "utf-8")
    shutil.copy(SYNTHETIC / "syn-three-arm.yaml", top / "evidence" / "syn-three-arm.yaml")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "E1910 HR 0.42, SYN-3ARM added")
    monkeypatch.chdir(top)
    return top


def invoke(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert TRACEBACK not in result.stdout + result.stderr
    return result


def state(repo: Path) -> tuple[str, str, str, dict[str, bytes]]:
    """HEAD, the index, the status and every file's bytes: what a diff must not change."""
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return git(repo, "rev-parse", "HEAD"), git(repo, "ls-files", "-s"), git(repo, "status"), files


def test_two_commits_diffed_by_revision(runner: CliRunner, repo: Path) -> None:
    before = state(repo)
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "--evidence", "evidence", "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    rows = [row for _, body in md_tables(result.stdout) for row in body]
    assert ["Overall survival at 3 years › comparison › estimate", "0.41", "0.42"] in rows
    assert [
        "SYN-3ARM (syn-three-arm)",
        "Synthetic A, Fixture B. Synthetic three-arm trial of examplumab. Journal of Test "
        "Fixtures. 2021.",
        "HEAD:evidence/syn-three-arm.yaml",
    ] in rows
    assert md_headings(result.stdout)[0] == (1, "Evidence changes: HEAD~1 → HEAD")
    finding = next(row for row in rows if row[0] == "introduced")
    assert finding[-1].startswith("HEAD:evidence/e1910.yaml:")  # never the temporary folder
    assert state(repo) == before


def test_revisions_in_json_with_exit_code(runner: CliRunner, repo: Path) -> None:
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "-e", "evidence", "-f", "json", "--exit-code")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["old"] == {"label": "HEAD~1", "studies": 2, "files": 2}
    assert data["new"] == {"label": "HEAD", "studies": 3, "files": 3}
    hr = next(c for c in data["changes"] if c["path"].endswith("comparison.estimate"))
    assert (hr["old"], hr["new"]) == (0.41, 0.42)
    same = invoke(runner, "diff", "HEAD", "HEAD", "-e", "evidence", "--exit-code", "-f", "table")
    assert same.exit_code == 0
    assert same.stdout == "No change in the evidence between HEAD and HEAD (3 studies).\n"


def test_a_revision_against_the_working_tree_and_from_a_subfolder(
    runner: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A side that is a folder is read as such; paths are relative to where diff runs."""
    (repo / "evidence" / "syn-three-arm.yaml").unlink()  # not committed: the working tree
    result = invoke(runner, "diff", "HEAD", "evidence", "-e", "evidence", "-f", "json")
    data = json.loads(result.stdout)
    assert [(c["kind"], c["study"]) for c in data["changes"] if c["section"] == "studies"] == [
        ("removed", "syn-three-arm")
    ]
    monkeypatch.chdir(repo / "evidence")
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "-e", ".", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"]["studies"] == 3
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "-e", "e1910.yaml", "-f", "json")
    assert json.loads(result.stdout)["new"]["studies"] == 1


def test_the_committed_bytes_are_read_whatever_the_export_attributes(
    runner: CliRunner, repo: Path
) -> None:
    """git archive would leave out files marked export-ignore; diff reads them."""
    (repo / ".gitattributes").write_text("evidence/* export-ignore\n", encoding="utf-8")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "attributes")
    result = invoke(runner, "diff", "HEAD~2", "HEAD", "-e", "evidence", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["new"]["studies"] == 3


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope", "HEAD", "-e", "evidence"], 2, "'nope' is neither a file or folder nor a git"),
        (["HEAD~9", "HEAD", "-e", "evidence"], 2, "'HEAD~9' is neither a file or folder nor"),
        (["-e", "evidence", "--", "-x", "HEAD"], 2, "'-x' is neither a file or folder nor a git"),
        (["HEAD~1", "HEAD", "-e", "absent"], 1, "absent does not exist at HEAD~1 (commit "),
        (["HEAD~1", "HEAD", "-e", "/"], 2, "/ is outside the git repository at"),
        (["HEAD~1", "HEAD"], 2, "name the evidence to read at the revision with --evidence"),
    ],
)
def test_a_bad_revision_or_path_is_a_clear_error(
    runner: CliRunner, repo: Path, args: list[str], code: int, message: str
) -> None:
    result = invoke(runner, "diff", *args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_a_path_absent_at_one_revision_only(runner: CliRunner, repo: Path) -> None:
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "-e", "evidence/syn-three-arm.yaml")
    assert result.exit_code == 1
    assert "evidence/syn-three-arm.yaml does not exist at HEAD~1" in result.stderr


def test_outside_a_repository_a_missing_path_is_named(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = invoke(runner, "diff", "old-folder", str(evidence_dir()))
    assert result.exit_code == 2
    assert "'old-folder': no such file or folder, and the working directory is not in a git" in (
        result.stderr
    )


def test_without_git_a_revision_is_a_clear_error(
    runner: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "-e", "evidence")
    assert result.exit_code == 1
    assert "git is not installed (or not on PATH)" in result.stderr


def test_an_invalid_revision_is_named_by_revision_and_file(runner: CliRunner, repo: Path) -> None:
    broken = repo / "evidence" / "blast.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("year: 2018", "year: twenty", 1), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    result = invoke(runner, "diff", "HEAD~1", "HEAD", "-e", "evidence")
    assert result.exit_code == 1
    assert "HEAD:evidence/blast.yaml:" in result.stderr
    assert "error: the evidence at HEAD (" in result.stderr
    assert "is invalid: 1 problem in 1 of 3 files" in result.stderr
    assert "blinacli-revision-" not in result.stderr


def test_the_temporary_folder_is_removed(runner: CliRunner, repo: Path) -> None:
    repository = revisions.repository()
    with revisions.snapshot("HEAD~1", ["evidence"], repo=repository) as snap:
        root = snap.root
        assert sorted(p.name for p in snap.paths[0].iterdir()) == ["blast.yaml", "e1910.yaml"]
        assert snap.shown(str(snap.paths[0] / "blast.yaml")) == "HEAD~1:evidence/blast.yaml"
    assert not root.exists()


# --- digest --since ---------------------------------------------------------------------------


def test_digest_since_adds_what_changed(runner: CliRunner, repo: Path) -> None:
    result = invoke(runner, "digest", "-e", "evidence", "--since", "HEAD~1")
    assert result.exit_code == 0, result.stderr
    headings = md_headings(result.stdout)
    assert (2, "What changed since HEAD~1") in headings
    assert headings.index((2, "What changed since HEAD~1")) < headings.index((2, "Overview"))
    rows = [row for _, body in md_tables(result.stdout) for row in body]
    assert ["Overall survival at 3 years › comparison › estimate", "0.41", "0.42"] in rows
    html = invoke(runner, "digest", "-e", "evidence", "--since", "HEAD~1", "-f", "html").stdout
    assert "What changed since HEAD~1</h2>" in html
    plain = invoke(runner, "digest", "-e", "evidence").stdout
    assert "What changed" not in plain


def test_digest_since_follows_the_filters(runner: CliRunner, repo: Path) -> None:
    """Only the studies the digest shows are compared, on both sides."""
    result = invoke(runner, "digest", "-e", "evidence", "--since", "HEAD~1", "--drug", "testinib")
    assert (2, "What changed since HEAD~1") in md_headings(result.stdout)
    changes = result.stdout.split("## Overview")[0]
    assert "HEAD&#126;1 → the evidence in use: 1 study added." in changes
    assert "E1910" not in changes


def test_digest_since_takes_a_revision(runner: CliRunner, repo: Path) -> None:
    result = invoke(runner, "digest", "-e", "evidence", "--since", "evidence")
    assert result.exit_code == 2
    assert "--since takes a git revision; 'evidence' is a file or folder" in result.stderr
    assert os.path.isdir(repo / "evidence")
