"""What a release promises its users: dependency floors that are tested, the licence in
every archive, a changelog for the version, and pins that resolve.

The archives are built here as pip builds them, with the project's build backend
(hatchling), and listed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from blinacli import __version__

REPO = Path(__file__).resolve().parents[1]


def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def floors() -> dict[str, str]:
    """Each direct dependency's lowest allowed version, by normalized name."""
    found: dict[str, str] = {}
    for line in pyproject()["project"]["dependencies"]:
        requirement = Requirement(line)
        lows = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert len(lows) == 1, f"{line}: a direct dependency needs one >= floor"
        found[requirement.name.lower()] = lows[0]
    return found


def lowest_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (REPO / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def _release(version: str) -> tuple[int, ...]:
    """``0.22`` and ``0.22.0`` alike, as (0, 22, 0)."""
    parts = tuple(int(part) for part in version.split("."))
    return parts + (0,) * (3 - len(parts))


def test_ci_installs_every_floor_and_only_the_floors() -> None:
    """.ci/run's lowest-versions step installs .ci/lowest.txt: it must pin every direct
    dependency at exactly the floor pyproject.toml declares, so the step tests them."""
    pins = lowest_pins()
    declared = floors()
    assert pins.keys() == declared.keys()
    for name, floor in declared.items():
        assert _release(pins[name]) == _release(floor), name


def test_msgspec_floor_inspects_the_model() -> None:
    """Older msgspec sorts a Literal's values to inspect it and fails on Phase's mix of
    numbers and text, so every invalid file crashed validate, check and schema."""
    assert _release(floors()["msgspec"]) >= (0, 22, 0)
    from msgspec import inspect

    from blinacli.model import Study

    assert inspect.type_info(Study) is not None


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, built as ``pip wheel`` and ``python -m build`` do."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [sdist] = out.glob("blinacli-*.tar.gz")
    [wheel] = out.glob("blinacli-*.whl")
    return sdist, wheel


def test_licence_is_in_the_sdist_and_the_wheel(archives: tuple[Path, Path]) -> None:
    sdist, wheel = archives
    licence = (REPO / "LICENSE").read_bytes()
    root = f"blinacli-{__version__}"
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(f"{root}/LICENSE")
        assert member is not None and member.read() == licence
        assert f"{root}/CHANGELOG.md" in tar.getnames()
    with zipfile.ZipFile(wheel) as whl:
        info = f"blinacli-{__version__}.dist-info"
        assert whl.read(f"{info}/licenses/LICENSE") == licence
        metadata = whl.read(f"{info}/METADATA").decode("utf-8")
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "License-File: LICENSE" in metadata.splitlines()


def test_licence_is_the_mit_text_of_the_declared_authors() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert pyproject()["project"]["license"] == "MIT"
    assert text.startswith("MIT License\n")
    [author] = pyproject()["project"]["authors"]
    assert re.search(rf"^Copyright \(c\) \d{{4}} {re.escape(author['name'])}$", text, re.M)
    assert "WITHOUT WARRANTY OF ANY KIND" in text


def test_changelog_has_the_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+)", changelog, re.M)
    assert headings[0] == "Unreleased"
    assert __version__ in headings
    assert "0.1.0" in headings


def _pinned_tags() -> list[tuple[str, str]]:
    """Every version tag the README and docs/ci.md tell users to pin, with its file."""
    pins = []
    for name in ("README.md", "docs/ci.md", "docs/releasing.md"):
        text = (REPO / name).read_text(encoding="utf-8")
        for match in re.finditer(r"(?:rev:\s*|@)(v\d+\.\d+\.\d+)\b", text):
            pins.append((name, match.group(1)))
    return pins


def test_pins_in_the_docs_are_tags_that_exist() -> None:
    """A ``rev: vX.Y.Z`` or ``@vX.Y.Z`` in the docs must be a tag of this repository:
    pre-commit and pip fail on a tag that does not exist ("pathspec 'v0.1.0' did not
    match")."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: no tags to check the pins against")
    tags = set(
        subprocess.run(
            ["git", "tag", "--list", "v*"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    missing = [(name, tag) for name, tag in _pinned_tags() if tag not in tags]
    assert missing == []
