"""The study cache is a convenience, never a source of truth.

Whatever is found in the cache folder that blinacli did not write there itself, as the
user running it, is never believed: a file or folder of another user, one that others
can write, a special file (a FIFO, a device, a symbolic link), a file larger than any
cache blinacli writes. Each test plants such a thing and checks that the command prints
exactly what ``--no-cache`` prints, with the same exit code, and ends promptly.

Forged caches are made the strongest way: through blinacli's own format, sealed with the
folder's own key, so that only the rule under test stands between the forgery and the
output. Tests run as root here; the ones that give a file to another user need root.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import cache, trust
from tests import index_files

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
OTHER = 1234
"""A user and group id that no one on the test machine has."""
MEMORY = 400 << 20
"""The address space a command run by these tests may use: a normal run needs well under
150 MiB, so a command that starts reading /dev/zero fails fast instead of filling the
machine's memory."""

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the cache is kept on POSIX only")
needs_root = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0, reason="only root can give a file to another user"
)


@pytest.fixture(autouse=True)
def _cache_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cache files however recently they changed: the files here were just copied, and
    their change time cannot be set back (see test_cache.py for that rule's own tests)."""
    monkeypatch.setattr(cache, "FRESH_NS", 0)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled and synthetic studies, copied into a folder of the test's own."""
    target = tmp_path / "evidence"
    target.mkdir()
    for source in [*evidence_dir().glob("*.yaml"), *SYNTHETIC.glob("*.yaml")]:
        shutil.copy(source, target / source.name)
    return target


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def without_cache(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    """Exit code and stdout of the command with --no-cache."""
    code, out, _ = invoke(runner, *args, "--no-cache")
    return code, out


def the_cache(runner: CliRunner, folder: Path) -> Path:
    """Load ``folder`` once, so its index exists; the index file's path."""
    assert invoke(runner, "list", "-e", folder, "--format", "json")[0] == 0
    [file] = index_files.index_files()
    return file


def key() -> bytes:
    return index_files.key()


def forge_figures(file: Path, folder: Path) -> None:
    """Make the index say that e1910 is called FORGED."""
    index, store = index_files.read(file)
    name = str((folder / "e1910.yaml").resolve())
    study = index_files.study_of(index, store, name)
    index_files.write(
        file,
        *index_files.with_study(
            index, store, name, msgspec.structs.replace(study, acronym="FORGED")
        ),
    )


def forge_validity(file: Path, folder: Path) -> None:
    """Break e1910.yaml, and make the index hold its old study for the broken file."""
    target = folder / "e1910.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("  year: 2024\n", "  year: soon\n"),
        encoding="utf-8",
    )
    index, store = index_files.read(file)
    name = str(target.resolve())
    study = index_files.study_of(index, store, name)
    index_files.write(file, *index_files.with_study(index, store, name, study, os.stat(target)))


FORGERIES = [
    pytest.param(forge_figures, "list", id="forged-figures"),
    pytest.param(forge_validity, "validate", id="broken-file-passed-as-valid"),
]


def command(kind: str, folder: Path) -> list[str | Path]:
    if kind == "list":
        return ["list", "-e", folder, "--format", "json"]
    return ["validate", folder]


def test_a_forged_cache_is_believed_when_blinacli_would_trust_it(
    runner: CliRunner, folder: Path
) -> None:
    """The forgeries below do change the output when nothing else is wrong with them:
    each test that follows fails only because of the one rule it breaks."""
    file = the_cache(runner, folder)
    forge_figures(file, folder)
    code, out, _ = invoke(runner, "list", "-e", folder, "--format", "json")
    assert code == 0 and "FORGED" in out


@needs_root
@pytest.mark.parametrize(("forge", "kind"), FORGERIES)
def test_a_cache_file_of_another_user_is_not_believed(
    runner: CliRunner, folder: Path, forge: Callable[[Path, Path], None], kind: str
) -> None:
    file = the_cache(runner, folder)
    forge(file, folder)
    os.chown(file, OTHER, OTHER)
    expected = without_cache(runner, *command(kind, folder))
    code, out, err = invoke(runner, *command(kind, folder))
    assert (code, out) == expected
    assert "Traceback" not in err


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
@pytest.mark.parametrize(("forge", "kind"), FORGERIES)
def test_a_cache_file_others_can_write_is_not_believed(
    runner: CliRunner, folder: Path, forge: Callable[[Path, Path], None], kind: str, mode: int
) -> None:
    file = the_cache(runner, folder)
    forge(file, folder)
    file.chmod(mode)
    expected = without_cache(runner, *command(kind, folder))
    assert invoke(runner, *command(kind, folder))[:2] == expected


def test_an_untrusted_cache_file_is_replaced_by_a_good_one(runner: CliRunner, folder: Path) -> None:
    file = the_cache(runner, folder)
    forge_figures(file, folder)
    file.chmod(0o666)
    expected = without_cache(runner, "list", "-e", folder, "--format", "json")
    code, _, err = invoke(runner, "--verbose", "list", "-e", folder, "--format", "json")
    assert code == 0
    assert f"note: the study cache is rebuilt: {file} is writable by other users\n" in err
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert invoke(runner, "list", "-e", folder, "--format", "json")[:2] == expected


def plant_folder_problem(problem: str) -> str:
    """Make the cache folder untrustworthy in the way named; the reason a note gives."""
    here = cache.cache_dir()
    if problem == "folder-of-another-user":
        os.chown(here, OTHER, OTHER)
        return f"{here} belongs to another user"
    if problem == "folder-writable-by-others":
        here.chmod(0o777)
        return f"{here} is writable by other users"
    if problem == "base-writable-by-others":
        here.parent.chmod(0o777)
        return f"{here.parent} is writable by other users"
    raise AssertionError(problem)


FOLDER_PROBLEMS = [
    pytest.param("folder-of-another-user", marks=needs_root),
    "folder-writable-by-others",
    "base-writable-by-others",
]


@pytest.mark.parametrize("problem", FOLDER_PROBLEMS)
@pytest.mark.parametrize(("forge", "kind"), FORGERIES)
def test_an_untrusted_cache_folder_is_not_used(
    runner: CliRunner,
    folder: Path,
    forge: Callable[[Path, Path], None],
    kind: str,
    problem: str,
) -> None:
    """The forged cache in it is not read, nothing is written there, and --verbose says
    why in one note."""
    file = the_cache(runner, folder)
    forge(file, folder)
    reason = plant_folder_problem(problem)
    before = file.read_bytes(), file.stat().st_mtime_ns
    expected = without_cache(runner, *command(kind, folder))
    assert invoke(runner, *command(kind, folder))[:2] == expected
    code, out, err = invoke(runner, "--verbose", *command(kind, folder))
    assert (code, out) == expected
    assert f"note: the study cache is not used: {reason}\n" in err
    assert (file.read_bytes(), file.stat().st_mtime_ns) == before
    assert sorted(p.name for p in cache.cache_dir().iterdir()) == [file.name, trust.KEY]


def test_a_sticky_base_folder_that_others_can_write_is_used(
    runner: CliRunner, folder: Path
) -> None:
    """As for /tmp: others may write in it, but not rename or remove blinacli's folder."""
    cache.cache_dir().parent.chmod(0o1777)
    file = the_cache(runner, folder)
    forge_figures(file, folder)
    assert "FORGED" in invoke(runner, "list", "-e", folder, "--format", "json")[1]


@needs_root
def test_a_base_folder_of_another_user_is_not_used(runner: CliRunner, folder: Path) -> None:
    file = the_cache(runner, folder)
    forge_figures(file, folder)
    os.chown(cache.cache_dir().parent, OTHER, OTHER)
    expected = without_cache(runner, "list", "-e", folder, "--format", "json")
    assert invoke(runner, "list", "-e", folder, "--format", "json")[:2] == expected


def test_a_cache_folder_made_by_blinacli_is_private(
    runner: CliRunner, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = Path(os.environ["XDG_CACHE_HOME"]) / "new" / "base"
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    file = the_cache(runner, folder)
    assert stat.S_IMODE(base.stat().st_mode) == 0o700
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE((file.parent / trust.KEY).stat().st_mode) == 0o600


def test_without_a_home_folder_no_cache_is_kept_in_the_working_one(
    runner: CliRunner, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no $XDG_CACHE_HOME and a $HOME that is not an absolute path, ``~/.cache``
    would be a folder under wherever the command runs."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "home")
    expected = without_cache(runner, "list", "-e", folder, "--format", "json")
    code, out, err = invoke(runner, "--verbose", "list", "-e", folder, "--format", "json")
    assert (code, out) == expected
    assert "note: the study cache is not used: home/.cache/blinacli is not an absolute path" in err
    assert list(work.iterdir()) == []


def test_a_symbolic_link_as_the_cache_folder_is_not_used(
    runner: CliRunner, folder: Path, tmp_path: Path
) -> None:
    file = the_cache(runner, folder)
    forge_figures(file, folder)
    elsewhere = tmp_path / "elsewhere"
    cache.cache_dir().rename(elsewhere)
    cache.cache_dir().symlink_to(elsewhere)
    expected = without_cache(runner, "list", "-e", folder, "--format", "json")
    assert invoke(runner, "list", "-e", folder, "--format", "json")[:2] == expected


# --- Special files: the run must end, promptly, with what --no-cache prints ----------


def plant_special(file: Path, kind: str, tmp_path: Path) -> None:
    """Replace the cache file by the special file named."""
    file.unlink()
    if kind == "fifo":
        os.mkfifo(file)
    elif kind == "fifo-behind-a-link":
        os.mkfifo(tmp_path / "pipe")
        file.symlink_to(tmp_path / "pipe")
    elif kind in ("zero-device", "link-to-a-zero-device"):
        # A device node like /dev/zero (major 1, minor 5), made in the test's own folder.
        node = file if kind == "zero-device" else tmp_path / "zero"
        try:
            os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 5))
        except PermissionError:
            pytest.skip("making a device node needs root")
        if node != file:
            file.symlink_to(node)
    elif kind == "folder":
        file.mkdir()
    elif kind == "larger-than-any-cache":
        with file.open("wb") as stream:  # sparse: no disk space is used
            stream.truncate(cache.MAX_BYTES + 1)
    else:
        raise AssertionError(kind)


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


SPECIAL = ["fifo", "fifo-behind-a-link", "zero-device", "link-to-a-zero-device", "folder"]


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        *(("cache", kind) for kind in [*SPECIAL, "larger-than-any-cache"]),
        *(("key", kind) for kind in SPECIAL),
    ],
)
def test_a_special_file_in_the_cache_folder_is_passed_over_promptly(
    runner: CliRunner, folder: Path, tmp_path: Path, target: str, kind: str
) -> None:
    """In a process of its own, with a time limit (a FIFO would block the open) and a
    memory limit (a device like /dev/zero never ends); as the cache file, or as the key
    that seals it."""
    file = the_cache(runner, folder)
    plant_special(file if target == "cache" else file.parent / trust.KEY, kind, tmp_path)
    args = [sys.executable, "-m", "blinacli", "list", "-e", str(folder), "--format", "json"]
    expected = subprocess.run(
        [*args, "--no-cache"], capture_output=True, timeout=60, preexec_fn=limited
    )
    started = time.monotonic()
    try:
        result = subprocess.run(args, capture_output=True, timeout=20, preexec_fn=limited)
    except subprocess.TimeoutExpired:
        pytest.fail(f"a {kind} as the {target} file kept the command from ending")
    assert time.monotonic() - started < 20
    assert result.stderr == b""
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)
    assert expected.returncode == 0


def plant_key_problem(key_file: Path, problem: str) -> bytes:
    """Put a key of the forger's in place, made untrustworthy as named; the key."""
    forged = b"k" * {"too-short": 16, "too-long": 33}.get(problem, trust.KEY_BYTES)
    key_file.unlink()
    key_file.write_bytes(forged)
    if problem == "writable-by-others":
        key_file.chmod(0o666)
    elif problem == "of-another-user":
        os.chown(key_file, OTHER, OTHER)
    return forged


@pytest.mark.parametrize(
    "problem",
    [
        "writable-by-others",
        pytest.param("of-another-user", marks=needs_root),
        "too-short",
        "too-long",
    ],
)
def test_a_key_not_to_be_believed_is_replaced(
    runner: CliRunner, folder: Path, problem: str
) -> None:
    """A cache sealed with a key of the forger's is not believed: the key is replaced
    by a new one of the user's, and the cache rebuilt."""
    file = the_cache(runner, folder)
    index, store = index_files.read(file)
    key_file = file.parent / trust.KEY
    forged_key = plant_key_problem(key_file, problem)
    name = str((folder / "e1910.yaml").resolve())
    study = msgspec.structs.replace(index_files.study_of(index, store, name), acronym="FORGED")
    index_files.write(
        file, *index_files.with_study(index, store, name, study), sealed_with=forged_key
    )
    expected = without_cache(runner, "list", "-e", folder, "--format", "json")
    assert invoke(runner, "list", "-e", folder, "--format", "json")[:2] == expected
    status = key_file.stat()
    assert (status.st_uid, stat.S_IMODE(status.st_mode), status.st_size) == (
        os.geteuid(),
        0o600,
        trust.KEY_BYTES,
    )
    assert key_file.read_bytes() != forged_key
    index, store = index_files.read(file)
    assert index_files.study_of(index, store, name).acronym != "FORGED"
    assert "FORGED" not in index.acronyms


# --- Temporary files a killed run left behind ----------------------------------------


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The id of a process that is running (and is not this one)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temporary_files_of_ended_runs_are_removed(
    runner: CliRunner, folder: Path, live_pid: int, dead_pid: int
) -> None:
    """A temporary file is removed once the process that named it has ended, or when
    it is older than a process would take to write it; the others are kept, and so is
    anything not named like blinacli's temporary files."""
    file = the_cache(runner, folder)
    here = file.parent
    an_hour_ago = time.time() - 3600
    planted = {
        f".{file.name}.{dead_pid}.tmp": False,
        f".{trust.KEY}.{dead_pid}.tmp": False,
        f".{file.name}.{live_pid}.tmp": True,
        f".old-{file.name}.{live_pid}.tmp": False,
        ".evidence-k3j_x9a2.tmp": False,  # how earlier versions named them, aged
        ".evidence-fresh123.tmp": True,  # the same, written just now
        "notes.txt": True,
        f".{file.name}.tmp": True,
        f"{file.name}.{dead_pid}.tmp": True,
    }
    for name in planted:
        (here / name).write_bytes(b"partial")
    for name in (f".old-{file.name}.{live_pid}.tmp", ".evidence-k3j_x9a2.tmp"):
        os.utime(here / name, (an_hour_ago, an_hour_ago))
    (here / f".dir.{dead_pid}.tmp").mkdir()  # never blinacli's: kept
    invoke(runner, "list", "-e", folder, "--format", "json")  # served by the cache, no write
    kept = {name for name in planted if (here / name).exists()}
    assert kept == {name for name, keep in planted.items() if keep}
    assert (here / f".dir.{dead_pid}.tmp").is_dir()


def test_a_run_leaves_no_temporary_file(runner: CliRunner, folder: Path) -> None:
    file = the_cache(runner, folder)
    assert sorted(p.name for p in file.parent.iterdir()) == [file.name, trust.KEY]
