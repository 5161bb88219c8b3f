"""`-o FILE`: every writer replaces only what it owns, and only with --force.

Each rule of the one output writer (``blinacli.render.output.write_output``), through
the commands that write files. Device nodes, FIFOs and sockets are made in tmp_path
(never a real /dev path); making a character or block device needs root, so those
tests skip for another user.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from blinacli.cli.app import app
from blinacli.render import leftovers, output
from blinacli.render.output import OutputError, check_output, write_output

CTGOV = Path(__file__).parent / "fixtures" / "ctgov" / "NCT02552212.json"

# Each command that writes a file with -o, and its arguments before -o.
WRITERS: dict[str, list[str]] = {
    "digest": ["digest"],
    "cite": ["cite", "e1910", "blast"],
    "export": ["export", "--format", "fhir"],
    "schema": ["schema"],
    "new": ["new", "alpha-1"],
    "import ctgov": ["import", "ctgov", str(CTGOV)],
}

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="making device nodes and chown need root")

NULL = os.makedev(1, 3)  # the numbers of /dev/null
FULL = os.makedev(1, 7)  # the numbers of /dev/full


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def shown(runner: CliRunner, name: str) -> bytes:
    """What the writer ``name`` prints on standard output: what -o must write."""
    result = invoke(runner, *WRITERS[name])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def write(runner: CliRunner, name: str, target: Path, *extra: str) -> Result:
    return invoke(runner, *WRITERS[name], "-o", str(target), *extra)


def char_device(path: Path, numbers: int = NULL) -> Path:
    os.mknod(path, stat.S_IFCHR | 0o666, numbers)
    return path


def assert_char_device(path: Path, numbers: int = NULL) -> None:
    info = os.lstat(path)
    assert stat.S_ISCHR(info.st_mode), stat.filemode(info.st_mode)
    assert info.st_rdev == numbers


# --- The existing-file rule, for every writer ------------------------------------------


@pytest.mark.parametrize("name", WRITERS)
def test_an_existing_file_is_replaced_only_with_force(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    """digest and cite follow the rule of export, schema, new and import ctgov."""
    target = tmp_path / "out.txt"
    target.write_bytes(b"mine\n")
    refused = write(runner, name, target)
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {target} already exists; use --force to replace it\n"
    assert refused.stdout == ""
    assert target.read_bytes() == b"mine\n"
    forced = write(runner, name, target, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert target.read_bytes() == shown(runner, name)
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("name", WRITERS)
def test_a_new_file_needs_no_force(runner: CliRunner, tmp_path: Path, name: str) -> None:
    target = tmp_path / "new.txt"
    result = write(runner, name, target)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == shown(runner, name)
    assert os.listdir(tmp_path) == ["new.txt"]


def test_templates_copy_follows_the_same_rule(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "markdown" / "list.md.j2"
    target.parent.mkdir()
    target.write_bytes(b"mine\n")
    refused = invoke(runner, "templates", "copy", "markdown/list.md.j2", str(tmp_path))
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {target} already exists; use --force to replace it\n"
    assert target.read_bytes() == b"mine\n"


def test_templates_copy_checks_every_target_before_writing_any(
    runner: CliRunner, tmp_path: Path
) -> None:
    for name in ("markdown/list.md.j2", "html/list.html.j2", "html/show.html.j2"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"mine\n")
    refused = invoke(runner, "templates", "copy", "--all", str(tmp_path))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {tmp_path / 'html/list.html.j2'} already exists; use --force to replace it "
        "(2 more templates are in the way too)\n"
    )
    assert sorted(os.listdir(tmp_path / "html")) == ["list.html.j2", "show.html.j2"]
    assert os.listdir(tmp_path / "markdown") == ["list.md.j2"]


# --- Character devices, FIFOs, sockets: written in place, never replaced ---------------


@needs_root
@pytest.mark.parametrize("name", WRITERS)
def test_a_character_device_stays_a_device(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """`-o NODE` on a twin of /dev/null writes into it; it is still the device after."""
    node = char_device(tmp_path / "null")
    result = write(runner, name, node)
    assert result.exit_code == 0, result.stderr
    assert_char_device(node)
    assert os.listdir(tmp_path) == ["null"]


@needs_root
def test_digest_onto_a_device_node_in_a_real_run(tmp_path: Path) -> None:
    """The done-when of the issue: the installed command, as a shell runs it."""
    node = char_device(tmp_path / "null")
    done = subprocess.run(
        [sys.executable, "-m", "blinacli", "digest", "-o", str(node)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert_char_device(node)


@needs_root
def test_a_full_device_is_an_error_and_stays_a_device(runner: CliRunner, tmp_path: Path) -> None:
    node = char_device(tmp_path / "full", FULL)
    result = write(runner, "digest", node)
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {node}: No space left on device\n"
    assert_char_device(node, FULL)


@needs_root
def test_a_symbolic_link_to_a_device_writes_into_the_device(
    runner: CliRunner, tmp_path: Path
) -> None:
    node = char_device(tmp_path / "null")
    link = tmp_path / "link"
    link.symlink_to("null")
    result = write(runner, "cite", link)
    assert result.exit_code == 0, result.stderr
    assert_char_device(node)
    assert os.readlink(link) == "null"


@needs_root
def test_a_block_device_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o660, os.makedev(7, 0))
    for extra in ([], ["--force"]):
        result = write(runner, "digest", node, *extra)
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: cannot write {node}: it is a block device (a disk), not a file\n"
        )
        assert stat.S_ISBLK(os.lstat(node).st_mode)


def _read_all(path: Path, into: list[bytes]) -> None:
    with open(path, "rb") as stream:
        into.append(stream.read())


def test_a_fifo_is_written_to_its_reader(runner: CliRunner, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(fifo, received), daemon=True)
    reader.start()
    result = write(runner, "digest", fifo)
    reader.join(30)
    assert result.exit_code == 0, result.stderr
    assert received == [shown(runner, "digest")]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["fifo"]


def test_a_fifo_without_a_reader_is_an_error_not_a_hang(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer waits FIFO_WAIT seconds for a reader, then says there is none."""
    monkeypatch.setattr(output, "FIFO_WAIT", 0.3)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = write(runner, "cite", fifo)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write {fifo}: no process is reading the FIFO (waited 0.3 s)\n"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_the_fifo_wait_is_documented() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"waits {output.FIFO_WAIT:g} seconds for a reader" in readme


def _listening(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    server.settimeout(30)
    return server


def _serve(server: socket.socket, into: list[bytes]) -> None:
    connection, _ = server.accept()
    with connection:
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    into.append(b"".join(chunks))


def test_a_socket_is_written_to_its_listener(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative path: socket paths hold 107 bytes
    received: list[bytes] = []
    with _listening(Path("sock")) as server:
        serving = threading.Thread(target=_serve, args=(server, received), daemon=True)
        serving.start()
        result = write(runner, "export", Path("sock"))
        serving.join(30)
    assert result.exit_code == 0, result.stderr
    assert received == [shown(runner, "export")]
    assert stat.S_ISSOCK(os.lstat("sock").st_mode)


def test_a_socket_nobody_listens_on_is_an_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _listening(Path("sock")).close()  # the socket file stays, with no listener
    result = write(runner, "digest", Path("sock"), "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: cannot write sock: no process accepts connections on the socket\n"
    )
    assert stat.S_ISSOCK(os.lstat("sock").st_mode)


def test_dev_stdout_writes_to_the_standard_output_as_it_is(tmp_path: Path) -> None:
    """`-o /dev/stdout > FILE`: the shell's file is written through, at its offset, not
    replaced by a rename and not refused as an existing file."""
    target = tmp_path / "digest.md"
    target.write_bytes(b"kept before\n")
    before = os.stat(target).st_ino
    with open(target, "ab") as appended:
        done = subprocess.run(
            [sys.executable, "-m", "blinacli", "cite", "e1910", "-o", "/dev/stdout"],
            stdout=appended,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("kept before\n@article{litzow2024-e1910,\n")
    assert os.stat(target).st_ino == before
    assert os.listdir(tmp_path) == ["digest.md"]


# --- Symbolic links ---------------------------------------------------------------------


def test_a_symbolic_link_stays_and_its_target_is_replaced(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "digest.md"
    target.write_bytes(b"old\n")
    link = tmp_path / "digest.md"
    link.symlink_to("real/digest.md")
    refused = write(runner, "digest", link)
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {link} already exists; use --force to replace it\n"
    assert target.read_bytes() == b"old\n"
    result = write(runner, "digest", link, "--force")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real/digest.md"
    assert target.read_bytes() == shown(runner, "digest")
    assert sorted(os.listdir(tmp_path)) == ["digest.md", "real"]
    assert os.listdir(tmp_path / "real") == ["digest.md"]


def test_a_chain_of_links_reaches_the_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "file.bib"
    target.write_bytes(b"old\n")
    (tmp_path / "one").symlink_to("file.bib")
    (tmp_path / "two").symlink_to(tmp_path / "one")
    result = write(runner, "cite", tmp_path / "two", "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == shown(runner, "cite")
    assert (tmp_path / "one").is_symlink() and (tmp_path / "two").is_symlink()


def test_a_dangling_link_needs_force_and_then_creates_its_target(
    runner: CliRunner, tmp_path: Path
) -> None:
    link = tmp_path / "schema.json"
    link.symlink_to("made/schema.json")
    (tmp_path / "made").mkdir()
    refused = write(runner, "schema", link)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {link} is a symbolic link to made/schema.json, which does not exist; "
        "use --force to create it\n"
    )
    assert os.listdir(tmp_path / "made") == []
    result = write(runner, "schema", link, "--force")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert (tmp_path / "made" / "schema.json").read_bytes() == shown(runner, "schema")


def test_a_link_to_a_directory_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to("folder")
    result = write(runner, "digest", tmp_path / "link", "--force")
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {tmp_path / 'link'}: it is a directory\n"
    assert os.listdir(tmp_path / "folder") == []


def test_a_link_loop_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    result = write(runner, "digest", tmp_path / "a", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write {tmp_path / 'a'}: Too many levels of symbolic links\n"
    )
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]


# --- Hard links, read-only files, mode and owner ----------------------------------------


def test_a_hard_linked_file_keeps_its_links(runner: CliRunner, tmp_path: Path) -> None:
    """With --force the file is written in place, so every name sees the new text."""
    first = tmp_path / "digest.md"
    first.write_bytes(b"an old digest, longer than nothing\n" * 2000)
    second = tmp_path / "copy.md"
    os.link(first, second)
    refused = write(runner, "digest", first)
    assert refused.exit_code == 1
    assert "already exists; use --force" in refused.stderr
    result = write(runner, "digest", first, "--force")
    assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == shown(runner, "digest")
    assert second.read_bytes() == first.read_bytes()
    assert os.stat(first).st_ino == os.stat(second).st_ino
    assert os.stat(first).st_nlink == 2
    assert sorted(os.listdir(tmp_path)) == ["copy.md", "digest.md"]


def test_a_read_only_file_is_refused_even_for_root(runner: CliRunner, tmp_path: Path) -> None:
    """Read-only is the mode bits, so root (whom os.access lets write) is refused too;
    --force replaces it and keeps it read-only."""
    target = tmp_path / "refs.bib"
    target.write_bytes(b"mine\n")
    target.chmod(0o444)
    refused = write(runner, "cite", target)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: {target} already exists and is read-only; use --force to replace it\n"
    )
    assert target.read_bytes() == b"mine\n"
    result = write(runner, "cite", target, "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == shown(runner, "cite")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o444


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o755, 0o2750])
def test_the_mode_is_kept(runner: CliRunner, tmp_path: Path, mode: int) -> None:
    target = tmp_path / "digest.md"
    target.write_bytes(b"old\n")
    target.chmod(mode)
    result = write(runner, "digest", target, "--force")
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == mode
    assert target.read_bytes() == shown(runner, "digest")


@needs_root
def test_the_owner_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old\n")
    os.chown(target, 1234, 4321)
    target.chmod(0o4750)  # chown clears set-user-id: the mode must be set after it
    result = write(runner, "export", target, "--force")
    assert result.exit_code == 0, result.stderr
    info = os.stat(target)
    assert (info.st_uid, info.st_gid) == (1234, 4321)
    assert stat.S_IMODE(info.st_mode) == 0o4750
    assert target.read_bytes() == shown(runner, "export")


def test_a_directory_stays_an_error(runner: CliRunner, tmp_path: Path) -> None:
    for extra in ([], ["--force"]):
        result = write(runner, "cite", tmp_path, *extra)
        assert result.exit_code == 1
        assert result.stderr == f"error: cannot write {tmp_path}: it is a directory\n"


# --- Temporary files: recognisable, and a killed run's are cleaned up -------------------


def _dead_pid() -> int:
    """A process id no process can have: above the kernel's maximum."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


def test_the_temporary_file_is_named_for_its_target_and_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        seen.extend(os.listdir(tmp_path))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    write_output(tmp_path / "digest.md", "text\n")
    pattern = rf"\.digest\.md\.blinacli-{os.getpid()}-[0-9a-f]{{8}}\.tmp"
    assert [name for name in seen if re.fullmatch(pattern, name)], seen
    assert leftovers.is_leftover_name(next(n for n in seen if n != "digest.md"))
    assert os.listdir(tmp_path) == ["digest.md"]


def test_a_killed_runs_temporary_files_are_removed(runner: CliRunner, tmp_path: Path) -> None:
    dead = _dead_pid()
    alive = os.getppid()
    stale = [
        f".digest.md.blinacli-{dead}-0123abcd.tmp",  # its process is gone
        f".other.html.blinacli-{dead}-89abcdef.tmp",  # another target's, same pattern
        f".digest.md.blinacli-{alive}-00000000.tmp",  # a live process, but two hours old
    ]
    kept = [
        f".digest.md.blinacli-{alive}-11111111.tmp",  # a live process, recent: in use
        ".digest.md.tmp",  # not blinacli's pattern
        f"digest.md.blinacli-{dead}-0123abcd.tmp",  # no leading dot: not blinacli's
        f".notes.blinacli-{dead}-0123abcd.txt",
    ]
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"partial")
    hours_ago = time.time() - 2 * 3600
    os.utime(tmp_path / stale[2], (hours_ago, hours_ago))
    folder = tmp_path / f".dir.blinacli-{dead}-22222222.tmp"  # a directory: never touched
    folder.mkdir()
    link = tmp_path / f".link.blinacli-{dead}-33333333.tmp"  # a link: never followed
    link.symlink_to(tmp_path / stale[0])
    result = write(runner, "digest", tmp_path / "digest.md")
    assert result.exit_code == 0, result.stderr
    left = set(os.listdir(tmp_path))
    assert left == {"digest.md", *kept, folder.name, link.name}


def test_the_leftover_rules_are_documented() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert ".NAME.blinacli-PID-RANDOM.tmp" in readme
    assert f"older than {leftovers.MAX_AGE // 3600} hour" in readme


# --- The writer on its own ----------------------------------------------------------------


def test_check_output_applies_the_rule_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    check_output(target)  # a new file: fine
    target.write_bytes(b"mine\n")
    with pytest.raises(OutputError, match="already exists; use --force"):
        check_output(target)
    check_output(target, force=True)
    with pytest.raises(OutputError, match="it is a directory"):
        check_output(tmp_path, force=True)


def test_a_file_that_appears_while_writing_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked as new, then someone else creates it before the document lands: the
    other file is kept and the write is refused, not silently clobbered."""
    target = tmp_path / "digest.md"
    real_fsync = os.fsync

    def meanwhile(fd: int) -> None:
        real_fsync(fd)
        if not target.exists():
            target.write_bytes(b"someone else's\n")

    monkeypatch.setattr(os, "fsync", meanwhile)
    with pytest.raises(OutputError, match="already exists; use --force"):
        write_output(target, "mine\n")
    assert target.read_bytes() == b"someone else's\n"
    assert os.listdir(tmp_path) == ["digest.md"]
