"""How diff is rendered: semantic HTML, evidence text that stays text, headings that fit.

The hostile case is E1910 with markup, table pipes, line breaks and control
characters in its title, an arm's label, an outcome's label, a note and a safety
statement (the strings of tests/test_robustness.py), diffed against the bundled E1910:
each appears as an old → new change, in the place-in-words column too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from markdown_it.token import Token
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from tests.markdown_reading import MD, md_headings, md_tables
from tests.test_html import SCOPES, read
from tests.test_robustness import CONTROL_BYTES, CONTROLS_SHOWN, FIELDS, RISKY_YAML, hostile

PAIRS = Path(__file__).parent / "fixtures" / "diff"


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old"
    shutil.copytree(evidence_dir(), old)
    new = tmp_path / "new"
    shutil.copytree(evidence_dir(), new)
    text = (new / "e1910.yaml").read_text(encoding="utf-8")
    for tag, (before, after) in FIELDS.items():
        assert text.count(before) == 1, before
        text = text.replace(before, after.format(f'"{tag} {RISKY_YAML}"'))
    (new / "e1910.yaml").write_text(text, encoding="utf-8")
    return old, new


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["diff", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_html_is_one_page_of_semantic_tables(runner: CliRunner) -> None:
    html = run(runner, str(PAIRS / "figures" / "old"), str(PAIRS / "figures" / "new"), "-f", "html")
    page = read(html)
    assert page.doctype == "DOCTYPE html"
    assert len(page.all("main")) == 1 and page.all("script") == []
    assert page.open_elements == []
    assert (
        page.title == f"Evidence changes: {PAIRS / 'figures' / 'old'} → {PAIRS / 'figures' / 'new'}"
    )
    assert page.tables
    for table in page.tables:
        assert table.caption and table.thead
        assert all(scope in SCOPES for scope in table.scopes)
        assert [s for s, head in zip(table.scopes, table.in_thead, strict=True) if not head]
    assert "Overall survival at 2 years › comparison › P P = 0.04 P = 0.03" in page.text


def test_html_with_nothing_changed_is_the_one_line(runner: CliRunner) -> None:
    side = str(PAIRS / "reordered" / "old")
    page = read(run(runner, side, side, "-f", "html"))
    assert page.tables == []
    assert f"No change in the evidence between {side} and {side} (1 study)." in page.text


def test_the_digest_with_changes_is_still_one_valid_page(
    runner: CliRunner, sides: tuple[Path, Path], tmp_path: Path
) -> None:
    """The section the digest includes, rendered from the view ``digest --since`` makes."""
    from blinacli.load import loader
    from blinacli.render.documents import render
    from blinacli.views.diff import Side, diff_view
    from blinacli.views.digest import digest_view

    old, new = (loader.load([side]) for side in sides)
    changes = diff_view(Side("main", old.loaded), Side("the evidence in use", new.loaded))
    view = digest_view(new.studies, [new.file_of(s) for s in new.studies], title=None, date=None)
    page = read(render("html", "digest", view=view, changes=changes))
    assert page.open_elements == []
    assert (2, "What changed since main") in page.headings
    assert page.all("script") == []
    markdown = render("markdown", "digest", view=view, changes=changes, level=2)
    assert (3, "What changed since main") in md_headings(markdown)
    assert (3, "E1910 (e1910)") not in md_headings(markdown)  # a study's heading is deeper
    assert (4, "E1910 (e1910)") in md_headings(markdown)


def _html_tokens(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        if token.type in ("html_block", "html_inline", "link_open", "code_inline"):
            found.append(token)
        found += _html_tokens(token.children or [])
    return found


def test_markdown_keeps_hostile_text_as_text(runner: CliRunner, sides: tuple[Path, Path]) -> None:
    old, new = sides
    markdown = run(runner, str(old), str(new), "-f", "markdown")
    tokens = MD.parse(markdown)
    assert [t.content for t in _html_tokens(tokens) if t.type != "code_inline"] == []
    assert [t.content for t in _html_tokens(tokens) if t.type == "code_inline"] == ["e1910"]
    tables = md_tables(markdown)
    for header, body in tables:
        assert all(len(row) == len(header) for row in body), header
    rows = [row for _, body in tables for row in body]
    title = [row for row in rows if row[0] == "title"]
    assert len(title) == 1
    assert title[0][2].startswith("TITLE <script>alert(1)</script> a | b `code` line one line two")
    assert all(byte not in markdown for byte in CONTROL_BYTES)


def test_html_keeps_hostile_text_as_text(runner: CliRunner, sides: tuple[Path, Path]) -> None:
    old, new = sides
    page = read(run(runner, str(old), str(new), "-f", "html"))
    assert page.all("script") == [] and page.all("b") == []
    assert "TITLE <script>alert(1)</script> a | b `code` line one" in page.text


def test_terminal_makes_control_characters_visible(
    runner: CliRunner, sides: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    old, new = sides
    table = run(runner, str(old), str(new), "-f", "table")
    assert all(byte not in table for byte in CONTROL_BYTES)
    for shown in CONTROLS_SHOWN:
        assert shown in table


def test_json_keeps_the_strings_as_written(runner: CliRunner, sides: tuple[Path, Path]) -> None:
    old, new = sides
    data = json.loads(run(runner, str(old), str(new), "-f", "json"))
    news = {c["path"]: c["new"] for c in data["changes"] if c["section"] == "figures"}
    assert news["title"] == hostile("TITLE")
    assert news["design.arms[blinatumomab].label"] == hostile("ARM")


def test_heading_level(runner: CliRunner) -> None:
    args = [str(PAIRS / "items" / "old"), str(PAIRS / "items" / "new"), "-f", "markdown"]
    headings = md_headings(run(runner, *args, "--heading-level", "3"))
    assert [level for level, _ in headings] == [3, 4, 5]
    assert headings[1:] == [(4, "SYN-3ARM (syn-three-arm)"), (5, "Added or removed")]
