"""The evidence walk stays in the folders it was sent to, and reads only regular files.

Symbolic links inside an evidence folder are not followed unless ``--follow-links``
asks (as ripgrep and find do), a link back to an ancestor cannot loop, and named
pipes, sockets and devices are never opened for reading: named on the command line
they get a message of their own, met in a folder they are passed over with a note.
A path named directly is always read, even when it is a symbolic link.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import discovery, loader

E1910 = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
BLAST = (evidence_dir() / "blast.yaml").read_text(encoding="utf-8")
TIMEOUT = 20
"""Seconds before a child is killed: a guard against a hang, not a timing assertion."""
BIG = 3000
"""Files in the tree outside the evidence folder that a link points to."""
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, with an evidence folder holding E1910."""
    monkeypatch.chdir(tmp_path)
    Path("ev").mkdir()
    Path("ev/e1910.yaml").write_text(E1910, encoding="utf-8")
    return tmp_path


@pytest.fixture
def big_link(here: Path) -> Path:
    """ev/big: a link to a tree outside the evidence folder with thousands of files."""
    outside = here / "outside"
    for folder in range(BIG // 100):
        nested = outside / f"d{folder:02d}"
        nested.mkdir(parents=True)
        for index in range(100):
            (nested / f"f{index:03d}.yaml").write_text("secret: hunter2\n", encoding="utf-8")
    Path("ev/big").symlink_to(outside, target_is_directory=True)
    return outside


def run_blinacli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """blinacli as a separate process, killed after TIMEOUT seconds."""
    env = {k: v for k, v in os.environ.items() if k != "BLINACLI_EVIDENCE"}
    env.update(NO_COLOR="1", COLUMNS="80", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "blinacli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
    )


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the test run, if the block takes over ``seconds``."""
    import signal

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every folder the walk lists."""
    seen: list[str] = []
    real = os.scandir

    def recording(path: Any) -> Any:
        seen.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", recording)
    return seen


# --- Links inside a folder -----------------------------------------------------------------


def test_a_linked_big_tree_is_not_walked_by_default(
    big_link: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = scanned(monkeypatch)
    report, loaded = loader.check(["ev"])
    assert folders == ["ev"]
    assert report.files == ["ev/e1910.yaml"]
    assert report.findings == []
    assert [item.study.id for item in loaded] == ["e1910"]
    assert report.unfollowed == ["ev/big"]
    assert "skipped ev/big: a symbolic link (--follow-links follows links)" in report.notes


def test_the_linked_tree_is_walked_with_follow_links(big_link: Path) -> None:
    found = discovery.discover([Path("ev")], follow_links=True)
    assert len(found.files) == BIG + 1
    assert found.files[:2] == ["ev/e1910.yaml", "outside/d00/f000.yaml"]
    assert found.unfollowed == []


def test_validate_says_how_many_links_were_not_followed(runner: CliRunner, big_link: Path) -> None:
    result = runner.invoke(app, ["validate", "ev"])
    assert result.exit_code == 0
    assert result.stdout == (
        "valid: 1 file checked: 1 study, all valid; "
        "1 symbolic link not followed (--follow-links follows them)\n"
    )
    assert "hunter2" not in result.stdout


def test_a_linked_file_is_not_read_by_default(runner: CliRunner, here: Path) -> None:
    """ev/key.yaml links to a secret outside: its text never reaches a finding."""
    Path("secret.txt").write_text("password: [hunter2\n", encoding="utf-8")
    Path("ev/key.yaml").symlink_to("../secret.txt")
    result = runner.invoke(app, ["--verbose", "validate", "ev"])
    assert result.exit_code == 0
    assert "hunter2" not in result.stdout + result.stderr
    assert "note: skipped ev/key.yaml: a symbolic link (--follow-links follows links)" in (
        result.stderr.splitlines()
    )
    followed = runner.invoke(app, ["validate", "--follow-links", "ev"])
    assert followed.exit_code == 1
    assert followed.stdout.startswith("secret.txt:2:1: ")
    assert "invalid YAML" in followed.stdout


def test_a_link_named_directly_is_always_read(runner: CliRunner, here: Path) -> None:
    Path("real").mkdir()
    Path("real/blast.yaml").write_text(BLAST, encoding="utf-8")
    Path("folder-link").symlink_to("real", target_is_directory=True)
    Path("file-link.yaml").symlink_to("ev/e1910.yaml")
    report, _ = loader.check(["folder-link", "file-link.yaml"])
    assert report.findings == []
    assert report.studies == ["blast", "e1910"]


def test_other_commands_say_a_link_was_not_followed(runner: CliRunner, here: Path) -> None:
    """Not silent: without --verbose, one note says links were passed over."""
    Path("real").mkdir()
    Path("real/blast.yaml").write_text(BLAST, encoding="utf-8")
    Path("ev/more").symlink_to("../real", target_is_directory=True)
    result = runner.invoke(app, ["list", "-e", "ev", "-f", "json"])
    assert result.exit_code == 0
    assert result.stderr == (
        "note: 1 symbolic link in the evidence folders was not followed "
        "(--follow-links follows links; --verbose names them)\n"
    )
    followed = runner.invoke(app, ["list", "-e", "ev", "-f", "json", "--follow-links"])
    assert followed.exit_code == 0
    assert followed.stderr == ""
    assert '"id": "blast"' in followed.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["check"],
        ["list"],
        ["show", "blast"],
        ["compare", "blast", "e1910"],
        ["outcomes", "--list"],
        ["safety"],
        ["digest"],
        ["export", "--format", "fhir"],
        ["cite", "blast"],
    ],
    ids=lambda command: command[0],
)
def test_every_evidence_command_takes_follow_links(
    runner: CliRunner, here: Path, command: list[str]
) -> None:
    """Only a link leads to the studies: refused without --follow-links, read with it."""
    Path("real").mkdir()
    Path("real/blast.yaml").write_text(BLAST, encoding="utf-8")
    Path("real/e1910.yaml").write_text(E1910, encoding="utf-8")
    Path("only-links").mkdir()
    Path("only-links/studies").symlink_to("../real", target_is_directory=True)
    where = ["only-links"] if command[0] in ("validate", "check") else ["-e", "only-links"]
    refused = runner.invoke(app, [*command, *where])
    assert refused.exit_code == 1
    assert "only-links: no evidence files (*.yaml, *.yml) in this directory" in (
        refused.stdout + refused.stderr
    )
    followed = runner.invoke(app, [*command, *where, "--follow-links"])
    assert followed.exit_code == 0, followed.stdout + followed.stderr


def test_an_empty_folder_of_links_says_why(here: Path) -> None:
    Path("links").mkdir()
    Path("links/e1910.yaml").symlink_to("../ev/e1910.yaml")
    report, _ = loader.check(["links"])
    (finding,) = report.findings
    assert finding.message == "no evidence files (*.yaml, *.yml) in this directory"
    assert finding.hint == "it holds 1 symbolic link, not followed without --follow-links"


# --- Loops -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "target", "finding"),
    [
        ("ev/self", ".", "ev/self: symbolic link loop: leads back to ev; not followed"),
        ("ev/nested/up", "..", "ev/nested/up: symbolic link loop: leads back to ev; not followed"),
        (
            "ev/nested/deeper/root",
            "../../..",
            "ev/nested/deeper/root/ev: folder loop: this is ev again, reached through a "
            "symbolic link; not followed",
        ),
    ],
    ids=["to-itself", "to-its-parent", "to-above-the-root"],
)
def test_a_link_to_an_ancestor_does_not_loop(
    here: Path, link: str, target: str, finding: str
) -> None:
    Path(link).parent.mkdir(parents=True, exist_ok=True)
    Path(link).symlink_to(target, target_is_directory=True)
    report, loaded = loader.check(["ev"], follow_links=True)
    assert [item.study.id for item in loaded] == ["e1910"]
    assert [str(f) for f in report.findings] == [finding]


def test_links_to_each_other_terminate(here: Path) -> None:
    Path("ev/a").symlink_to("b", target_is_directory=True)
    Path("ev/b").symlink_to("a", target_is_directory=True)
    report, loaded = loader.check(["ev"], follow_links=True)
    assert [item.study.id for item in loaded] == ["e1910"]
    assert report.findings == []
    assert "skipped ev/a: symbolic link loop" in report.notes


def test_two_links_to_one_folder_read_it_once(here: Path) -> None:
    Path("real").mkdir()
    Path("real/blast.yaml").write_text(BLAST, encoding="utf-8")
    Path("ev/one").symlink_to("../real", target_is_directory=True)
    Path("ev/two").symlink_to("../real", target_is_directory=True)
    report, _ = loader.check(["ev"], follow_links=True)
    assert report.findings == []
    assert report.studies == ["e1910", "blast"]
    assert "skipped ev/two: the same folder as real" in report.notes


# --- Named pipes and other special files -------------------------------------------------


@needs_fifo
def test_a_fifo_named_directly_gets_its_own_message(here: Path) -> None:
    os.mkfifo("pipe")
    result = run_blinacli(["validate", "pipe"], here)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "pipe: a named pipe (FIFO), not a regular file: evidence is read from regular "
        "files and folders only",
        "invalid: 1 problem; no evidence file to check",
    ]
    assert "no such file" not in result.stdout
    listed = run_blinacli(["list", "-e", "pipe"], here)
    assert listed.returncode == 1
    assert listed.stderr.startswith("pipe: a named pipe (FIFO), not a regular file")


@needs_fifo
def test_a_fifo_inside_a_folder_is_skipped_with_a_note(here: Path) -> None:
    os.mkfifo("ev/pipe.yaml")
    os.mkfifo("ev/other")
    result = run_blinacli(["--verbose", "validate", "ev"], here)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "valid: 1 file checked: 1 study, all valid\n"
    assert "note: skipped ev/pipe.yaml: a named pipe (FIFO), not a regular file" in (
        result.stderr.splitlines()
    )
    assert "note: skipped ev/other: a named pipe (FIFO), not a regular file" in (
        result.stderr.splitlines()
    )


@needs_fifo
def test_a_link_to_a_fifo_is_skipped_when_following_links(here: Path) -> None:
    os.mkfifo("pipe")
    Path("ev/pipe.yaml").symlink_to("../pipe")
    result = run_blinacli(["--verbose", "validate", "--follow-links", "ev"], here)
    assert result.returncode == 0, result.stdout
    assert "note: skipped ev/pipe.yaml: a named pipe (FIFO), not a regular file" in (
        result.stderr.splitlines()
    )


@needs_fifo
def test_the_reader_never_opens_a_fifo_for_reading(here: Path) -> None:
    """Even handed a pipe directly (as if one replaced a file after the walk), the
    reader does not block on it: it reports that it is not a regular file."""
    os.mkfifo("swapped.yaml")
    with deadline(TIMEOUT):
        study, findings = loader.load_file(Path("swapped.yaml"))
    assert study is None
    assert [str(f) for f in findings] == [
        "swapped.yaml: cannot read: a named pipe (FIFO), not a regular file"
    ]


def test_a_device_named_directly_is_not_read(here: Path) -> None:
    try:
        os.mknod("device", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    report, _ = loader.check(["device"])
    assert [str(f) for f in report.findings] == [
        "device: a character device, not a regular file: evidence is read from regular "
        "files and folders only"
    ]


def test_a_socket_inside_a_folder_is_skipped(here: Path) -> None:
    import socket

    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("ev/sock.yaml")
        report, loaded = loader.check(["ev"])
    finally:
        server.close()
    assert report.findings == []
    assert "skipped ev/sock.yaml: a socket, not a regular file" in report.notes
    assert len(loaded) == 1
