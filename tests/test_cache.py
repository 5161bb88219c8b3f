"""The study cache: never stale, never in the way.

Every test has a cache folder of its own ($XDG_CACHE_HOME is set per test in
conftest.py). A file changed in the last two seconds is deliberately not cached (see
blinacli/load/cache.py), and a file's change time cannot be set back: tests in this
process cache files however recently they changed (``_cache_at_once``), except the ones
that test that rule; the tests that run blinacli in processes of their own wait for the
files to settle. What the cache refuses to believe is tested in test_cache_trust.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import cache, loader, progress, trust
from tests import index_files

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
SETTLE_NS = cache.FRESH_NS
"""How recently a file may have changed and still be cached, outside these tests."""


@pytest.fixture(autouse=True)
def _cache_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "FRESH_NS", 0)


def settle(folder: Path) -> None:
    """Wait until every file in ``folder`` changed long enough ago to be cached."""
    last = max(max(p.stat().st_mtime_ns, p.stat().st_ctime_ns) for p in folder.iterdir())
    while time.time_ns() < last + SETTLE_NS + 50_000_000:
        time.sleep(0.1)


def sealed_index(data: bytes) -> bytes:
    """The sealed index inside an index file (after its header)."""
    start = len(cache.MAGIC) + cache.LENGTH_BYTES
    return data[start : start + int.from_bytes(data[len(cache.MAGIC) : start], "big")]


def repack(data: bytes, contents: bytes) -> bytes:
    """The index file ``data`` holding ``contents`` as its index instead, as a forger
    would make it without the cache folder's key: the seal is the old one."""
    sealed = sealed_index(data)
    new = sealed[: trust.HEADER_BYTES] + contents
    start = len(cache.MAGIC) + cache.LENGTH_BYTES
    store = data[start + len(sealed) :]
    return cache.MAGIC + len(new).to_bytes(cache.LENGTH_BYTES, "big") + new + store


def payload(data: bytes) -> bytes:
    """The MessagePack of the index inside an index file."""
    return sealed_index(data)[trust.HEADER_BYTES :]


def rewritten(data: bytes, change: Callable[[cache.Index], cache.Index]) -> bytes:
    """The index file ``data`` with its index changed by ``change``, the seal kept."""
    index = msgspec.msgpack.decode(payload(data), type=cache.Index)
    return repack(data, msgspec.msgpack.encode(change(index)))


def position(index: cache.Index, name: str) -> int:
    return next(at for at, file in enumerate(index.files) if Path(file).name == name)


def dangling_headline(index: cache.Index) -> cache.Index:
    """Make e1910's entry claim another acronym and a study one byte long."""
    at = position(index, "e1910.yaml")
    acronyms, lengths = list(index.acronyms), list(index.lengths)
    acronyms[at], lengths[at] = "DANGLING", 1
    return msgspec.structs.replace(index, acronyms=acronyms, lengths=lengths)


def swapped_studies(index: cache.Index) -> cache.Index:
    """Make e1910's entry point at blast's study in the store, and blast's at e1910's."""
    one, two = position(index, "e1910.yaml"), position(index, "blast.yaml")
    offsets, lengths = list(index.offsets), list(index.lengths)
    offsets[one], offsets[two] = offsets[two], offsets[one]
    lengths[one], lengths[two] = lengths[two], lengths[one]
    size = cache.DIGEST_BYTES
    digests = bytearray(index.digests)
    first, second = digests[one * size : (one + 1) * size], digests[two * size : (two + 1) * size]
    digests[one * size : (one + 1) * size], digests[two * size : (two + 1) * size] = second, first
    return msgspec.structs.replace(index, offsets=offsets, lengths=lengths, digests=bytes(digests))


def wrong_types(data: bytes) -> bytes:
    contents = msgspec.msgpack.decode(payload(data))
    contents["signatures"][0] = str(contents["signatures"][0])
    return repack(data, msgspec.msgpack.encode(contents))


def evidence_copy(folder: Path) -> Path:
    """The bundled and synthetic studies copied into ``folder``, dated a minute back."""
    folder.mkdir()
    for source in [*evidence_dir().glob("*.yaml"), *SYNTHETIC.glob("*.yaml")]:
        shutil.copy(source, folder / source.name)
    age(folder)
    return folder


def age(folder: Path, seconds: int = 60) -> None:
    """Date every file in ``folder`` ``seconds`` back, as files not edited just now."""
    then = time.time() - seconds
    for file in folder.iterdir():
        os.utime(file, (then, then))


def cache_files() -> list[Path]:
    return index_files.index_files()


def listed(runner: CliRunner, folder: Path, *extra: str) -> dict[str, object]:
    result = runner.invoke(
        app, ["list", "-e", str(folder), "--format", "json", *extra], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def refuse_to_parse(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The list of files parsed from now on (a test then asserts it is empty)."""
    return index_files.record_parses(monkeypatch)


def test_a_second_load_comes_from_the_cache(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = evidence_copy(tmp_path / "evidence")
    first = listed(runner, folder)
    assert len(cache_files()) == 1
    parsed = refuse_to_parse(monkeypatch)
    assert listed(runner, folder) == first
    assert parsed == []


def test_cached_studies_equal_the_parsed_ones(tmp_path: Path) -> None:
    """Through the cache, every study is equal to the one parsed: ints stay ints, 22.0
    stays a float, "not reached" stays text."""
    folder = evidence_copy(tmp_path / "evidence")
    _, parsed = loader.check([folder])
    loader.check([folder], cache=True)
    _, cached = loader.check([folder], cache=True)
    assert [item.study for item in cached] == [item.study for item in parsed]
    assert [item.file for item in cached] == [item.file for item in parsed]
    for before, after in zip(parsed, cached, strict=True):
        assert msgspec.json.encode(before.study) == msgspec.json.encode(after.study)


def test_an_edited_file_is_seen_on_the_next_run(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of the same size, dated a second later, is read again; so is one made
    just now, within the same second as the first load."""
    folder = evidence_copy(tmp_path / "evidence")
    listed(runner, folder)
    target = folder / "e1910.yaml"
    text = target.read_text(encoding="utf-8")
    stat = target.stat()
    edited = text.replace("acronym: E1910\n", "acronym: E1911\n", 1)
    assert len(edited) == len(text) and edited != text
    target.write_text(edited, encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    parsed = refuse_to_parse(monkeypatch)
    acronyms = {row["id"]: row["acronym"] for row in listed(runner, folder)["studies"]}  # type: ignore[index]
    assert acronyms["e1910"] == "E1911"
    assert [path.name for path in parsed] == ["e1910.yaml"]

    target.write_text(text, encoding="utf-8")  # now, undated: the same second as before
    acronyms = {row["id"]: row["acronym"] for row in listed(runner, folder)["studies"]}  # type: ignore[index]
    assert acronyms["e1910"] == "E1910"


def test_an_edit_with_its_times_set_back_is_seen(runner: CliRunner, tmp_path: Path) -> None:
    """A same-size edit whose access and modification times are put back to the
    nanosecond (as `touch -d` or a copy keeping times would) is read again: the change
    time, which no user can set, tells."""
    folder = evidence_copy(tmp_path / "evidence")
    listed(runner, folder)
    target = folder / "e1910.yaml"
    before = target.stat()
    text = target.read_text(encoding="utf-8")
    broken = text.replace("  year: 2024\n", "  year: 2O24\n")
    assert len(broken) == len(text) and broken != text
    time.sleep(0.01)  # past the file system's timestamp granularity
    target.write_text(broken, encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "citation.year: expected a whole number, found '2O24'" in result.stdout


def test_a_file_turned_invalid_is_reported_not_served_from_the_cache(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = evidence_copy(tmp_path / "evidence")
    listed(runner, folder)
    target = folder / "e1910.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("  year: 2024\n", "  year: soon\n")
    )
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "citation.year: expected a whole number, found 'soon'" in result.stdout


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"\x00garbage" * 100, id="garbage"),
        pytest.param(
            lambda data: msgspec.msgpack.encode({"schema": 1, "entries": [1, 2]}), id="wrong-shape"
        ),
        pytest.param(lambda data: data.replace(b"e1910", b"E1910"), id="edited-inside"),
        pytest.param(lambda data: data[:40], id="only-the-start"),
        pytest.param(lambda data: data + b"\x00", id="one-byte-more"),
        pytest.param(lambda data: repack(data, b"\x91" * 100_000 + b"\xc0"), id="deep-nesting"),
        pytest.param(lambda data: repack(data, b"\xc1" * 64), id="not-msgpack"),
        pytest.param(wrong_types, id="wrong-types"),
        pytest.param(lambda data: rewritten(data, dangling_headline), id="dangling-reference"),
        pytest.param(lambda data: rewritten(data, swapped_studies), id="swapped-studies"),
    ],
)
def test_a_damaged_cache_is_rebuilt_silently(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    folder = evidence_copy(tmp_path / "evidence")
    expected = listed(runner, folder)
    [file] = cache_files()
    file.write_bytes(damage(file.read_bytes()))  # type: ignore[operator]
    assert listed(runner, folder) == expected  # no message: stderr is checked empty
    result = runner.invoke(app, ["validate", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == ""
    parsed = refuse_to_parse(monkeypatch)
    assert listed(runner, folder) == expected
    assert parsed == [], "the damaged cache was not replaced by a good one"


def test_a_cache_from_another_version_is_not_used(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = evidence_copy(tmp_path / "evidence")
    expected = listed(runner, folder)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    parsed = refuse_to_parse(monkeypatch)
    assert listed(runner, folder) == expected
    assert len(parsed) == len(list(folder.iterdir()))


def test_a_cache_folder_that_cannot_be_written_is_no_obstacle(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$XDG_CACHE_HOME is a file, so no folder can be made in it (as for a read-only
    disk, and unlike permissions, this holds for root too)."""
    folder = evidence_copy(tmp_path / "evidence")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    expected = listed(runner, folder, "--no-cache")
    assert listed(runner, folder) == expected
    assert listed(runner, folder) == expected
    assert blocked.read_text(encoding="utf-8") == ""


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_cache_folder_is_no_obstacle(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = evidence_copy(tmp_path / "evidence")
    cache.cache_dir().mkdir(parents=True)
    cache.cache_dir().chmod(0o500)
    try:
        expected = listed(runner, folder, "--no-cache")
        assert listed(runner, folder) == expected
        assert cache_files() == []
    finally:
        cache.cache_dir().chmod(0o700)


def test_no_cache_neither_reads_nor_writes_it(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = evidence_copy(tmp_path / "evidence")
    listed(runner, folder, "--no-cache")
    assert cache_files() == []
    listed(runner, folder)
    [file] = cache_files()
    before = file.read_bytes()
    parsed = refuse_to_parse(monkeypatch)
    listed(runner, folder, "--no-cache")
    assert len(parsed) == len(list(folder.iterdir()))
    assert file.read_bytes() == before


def test_every_command_that_reads_evidence_takes_no_cache(runner: CliRunner) -> None:
    commands = ["validate", "check", "list", "show", "compare", "outcomes", "safety", "digest"]
    commands += ["cite", "export"]
    for command in commands:
        result = runner.invoke(app, [command, "--help"])
        assert "--no-cache" in result.stdout, command


def test_two_processes_loading_at_once_neither_fail_nor_corrupt_the_cache(
    tmp_path: Path,
) -> None:
    """Four processes start together on a cold cache, three rounds; every one prints the
    same studies, and the cache left behind is whole and used by the next run."""
    folder = evidence_copy(tmp_path / "evidence")
    for extra in range(30):  # more files, so the loads overlap
        source = (SYNTHETIC / "syn-single-arm-no-safety.yaml").read_text(encoding="utf-8")
        copy = source.replace("id: syn-single-arm\n", f"id: syn-copy-{extra}\n", 1)
        copy = copy.replace("acronym: SYN-1ARM\n", f"acronym: SYN-COPY-{extra}\n", 1)
        (folder / f"copy-{extra}.yaml").write_text(copy, encoding="utf-8")
    age(folder)
    settle(folder)
    command = [sys.executable, "-m", "blinacli", "list", "-e", str(folder), "--format", "json"]
    outputs = set()
    for _ in range(3):
        for file in cache_files():
            file.unlink()
        processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        for process in processes:
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr.decode()
            assert stderr == b""
            outputs.add(stdout)
    assert len(outputs) == 1
    assert len(json.loads(outputs.pop())["studies"]) == 36
    [file] = cache_files()
    index, _ = index_files.read(file)
    assert len(index.files) == 36
    assert list(cache.cache_dir().glob(".*")) == []  # no temporary file left


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda file: os.utime(file), id="modified"),
        pytest.param(lambda file: file.chmod(0o600), id="status-changed"),
    ],
)
def test_files_changed_in_the_last_seconds_are_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None]
) -> None:
    """Neither a file modified just now nor one whose status changed just now (its
    modification time kept, as a copy keeping times does): a second change within the
    file system's timestamp granularity could go unseen."""
    folder = evidence_copy(tmp_path / "evidence")
    settle(folder)
    monkeypatch.setattr(cache, "FRESH_NS", SETTLE_NS)
    change(folder / "e1910.yaml")
    loader.check([folder], cache=True)
    [file] = cache_files()
    entries = index_files.read(file)[0].files
    assert sorted(Path(key).name for key in entries) == sorted(
        path.name for path in folder.iterdir() if path.name != "e1910.yaml"
    )


def test_parallel_parsing_gives_the_same_report_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Split across processes, a load reports the same studies and findings, in file
    order, as one process does, broken files and duplicate ids included."""
    folder = evidence_copy(tmp_path / "evidence")
    (folder / "a-broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    (folder / "m-duplicate.yaml").write_text(
        (folder / "e1910.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "z-schema.yaml").write_text(
        (folder / "blast.yaml").read_text(encoding="utf-8").replace("id: blast\n", "id: Bad!\n"),
        encoding="utf-8",
    )
    one_report, one_loaded = loader.check([folder])
    monkeypatch.setattr(loader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(loader, "_workers", lambda: 2)
    seen: list[tuple[int, int]] = []
    report, loaded = loader.check([folder], progress=lambda done, total: seen.append((done, total)))
    assert report.findings == one_report.findings and len(report.findings) >= 3
    assert [(i.file, i.study) for i in loaded] == [(i.file, i.study) for i in one_loaded]
    assert seen and seen[-1] == (9, 9)


def test_progress_is_never_shown_when_piped_or_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.delenv("CI", raising=False)
    assert progress.wanted()
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted()
    monkeypatch.setenv("CI", "false")
    assert progress.wanted()
    monkeypatch.setattr(
        sys, "stderr", object.__new__(type("Pipe", (), {"isatty": lambda s: False}))
    )
    monkeypatch.delenv("CI")
    assert not progress.wanted()


def test_a_slow_load_shows_a_bar_on_stderr_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a load has run past AFTER seconds, the bar counts files on stderr and is
    removed at the end; before that, nothing is drawn."""
    import io

    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(
        "rich.console.Console",
        lambda **options: Console(file=screen, force_terminal=True, width=60),
    )
    quick = progress.LoadProgress()
    quick(5, 10)
    quick.close()
    assert screen.getvalue() == ""
    monkeypatch.setattr(progress, "AFTER", 0.0)
    slow = progress.LoadProgress()
    slow(5, 10)
    slow(10, 10)
    slow.close()
    assert "reading evidence" in screen.getvalue() and "10/10" in screen.getvalue()


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linux", ".cache/blinacli"),
        ("darwin", "Library/Caches/blinacli"),
        ("freebsd14", ".cache/blinacli"),
    ],
)
def test_the_cache_folder_follows_the_platform_without_xdg_cache_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str, expected: str
) -> None:
    """The user cache folder of each platform's conventions (those platformdirs gives)."""
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(cache.sys, "platform", platform)
    assert cache.cache_dir() == tmp_path / expected


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_xdg_cache_home_wins_on_every_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache.sys, "platform", platform)
    assert cache.cache_dir() == tmp_path / "xdg" / "blinacli"
