"""The README's examples are what the program prints: cog blocks run the real commands on
files that ship, ``cog --check README.md`` passes, and a stale example fails it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from docs import readme_examples

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- \[\[\[cog\n(.*?)\n\]\]\] -->\n(.*?)<!-- \[\[\[end\]\]\] -->", re.S)


def cog(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The virtualenv's cog (the one `.ci/run` uses), run on ``args``."""
    script = Path(sys.executable).parent / "cog"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cogapp"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True)


def blocks() -> list[tuple[str, str]]:
    """(code, generated text) of every cog block of the README."""
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_cog_check_passes() -> None:
    done = cog("--check", "README.md")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_stale_example_fails_the_check(tmp_path: Path) -> None:
    """An example edited by hand (or left behind by a change to the program) fails
    `cog --check`, which `.ci/run` runs."""
    text = README.read_text(encoding="utf-8")
    stale = text.replace("valid: 2 files checked: 2 studies, all valid", "valid: all good", 1)
    assert stale != text
    copy = tmp_path / "README.md"
    copy.write_text(stale, encoding="utf-8")
    done = cog("-I", str(ROOT), "--check", str(copy), cwd=tmp_path)
    assert done.returncode != 0
    assert "Check failed" in done.stdout + done.stderr


def test_every_output_example_is_a_cog_block_of_blinacli_commands() -> None:
    found = blocks()
    assert len(found) >= 10
    commands = [c for code, _ in found for c in re.findall(r'"(blinacli [^"]*)"', code)]
    assert all(c.startswith("blinacli ") for c in commands)
    assert len(commands) >= 12
    for code, generated in found:
        assert "example(" in code, code
        assert generated.startswith("```\n") and generated.endswith("```\n"), code
        assert "Traceback" not in generated, code
        assert not [line for line in generated.split("\n") if line != line.rstrip()], code
    # No example output is typed by hand: a fenced block starting with "$ blinacli"
    # outside a cog block would be one.
    outside = BLOCK.sub("", README.read_text(encoding="utf-8"))
    assert re.search(r"^```\n\$ blinacli", outside, re.M) is None


def test_the_readme_shows_the_forest_plot() -> None:
    text = README.read_text(encoding="utf-8")
    assert "forest plot" in text
    [(code, generated)] = [b for b in blocks() if "outcomes os --format table" in b[0]]
    assert "Hazard ratios for overall survival" in generated
    assert "┼" in generated and "■ randomized comparison" in generated


def test_examples_run_on_files_that_ship() -> None:
    """The example files are made from the bundled evidence, and every path an example
    names exists among them."""
    folder = readme_examples.workdir()
    for code, _ in blocks():
        for command in re.findall(r'"(blinacli [^"]*)"', code):
            for word in command.split()[1:]:
                if word.endswith((".yaml", "/")):
                    assert (folder / word).exists(), (command, word)
    assert readme_examples.EVIDENCE == ROOT / "evidence"


def test_an_excerpt_that_is_not_there_is_an_error() -> None:
    text = "Outcomes\nA\n\nSafety\n"
    assert readme_examples.excerpt(text, "Outcomes", "") == "Outcomes\nA\n"
    assert readme_examples.excerpt(text, "A", "Safety") == "A\n"
    with pytest.raises(ValueError, match="no line contains 'Quotes'"):
        readme_examples.excerpt(text, "Quotes", None)
    with pytest.raises(ValueError, match="contains 'Limitations'"):
        readme_examples.excerpt(text, "Outcomes", "Limitations")


def test_the_helper_does_not_ship_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["blinacli"]
    assert not any(str(p).startswith("docs") for p in wheel.get("force-include", {}))
    assert Path(readme_examples.__file__).resolve().parent == ROOT / "docs"
