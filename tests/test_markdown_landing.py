"""Markdown that lands cleanly anywhere: the same text in Python-Markdown (MkDocs and
most Python sites) as in a CommonMark reader (GitHub, markdown-it), no stray backslash,
no raw HTML made of evidence, and headings that start at the level the page needs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown as python_markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.render.documents import markdown_cell, markdown_text
from tests.markdown_reading import md_headings, md_text
from tests.test_escapes import hostile_study, yaml_text

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "evidence"
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic"

EXTENSIONS = {"tables": ["tables"], "extra": ["extra"]}
"""Python-Markdown as sites use it: tables alone, and "extra" (attribute lists,
footnotes, abbreviations, definition lists, Markdown in HTML) as MkDocs sites often do."""
TAGS = {"p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "em"}
TAGS |= {"code", "a", "h1", "h2", "h3", "h4", "h5", "h6"}
"""The elements blinacli's own Markdown makes: anything else came from evidence text."""
ATTRIBUTES = {"href", "style"}
"""Links' addresses and the tables' column alignment."""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def python_markdown_page(markdown: str, extensions: list[str]) -> _Page:
    """The page Python-Markdown makes of ``markdown``: its elements and its text."""
    page = _Page()
    page.feed(python_markdown.markdown(markdown, extensions=extensions))
    page.close()
    return page


def squeezed(text: str) -> str:
    return "".join(text.split())


def assert_lands(markdown: str, *, backslashes: bool = False) -> None:
    """Both readers show the same text; Python-Markdown makes only blinacli's own elements,
    with no attribute from evidence; no backslash is left in what a reader sees (unless
    the text itself has them: ``backslashes``)."""
    commonmark = md_text(markdown)
    for name, extensions in EXTENSIONS.items():
        page = python_markdown_page(markdown, extensions)
        strange = [(tag, attrs) for tag, attrs in page.tags if tag not in TAGS]
        strange += [(tag, attrs) for tag, attrs in page.tags if {a for a, _ in attrs} - ATTRIBUTES]
        assert strange == [], name
        shown = "".join(page.text)
        if not backslashes:
            assert "\\" not in shown, (name, re.findall(r".{0,30}\\.{0,30}", shown)[:5])
        assert squeezed(shown) == squeezed(commonmark), name
    if not backslashes:
        assert "\\" not in commonmark


def run(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def studies() -> list[tuple[str, Path]]:
    found = loader.load([EVIDENCE, SYNTHETIC], cache=False).studies
    return [(s.id, EVIDENCE if s.id in ("blast", "e1910") else SYNTHETIC) for s in found]


def show_full(runner: CliRunner) -> list[str]:
    """``show``'s options for the whole record: ``--full`` where a study card is the default."""
    help_text = runner.invoke(app, ["show", "--help"], env={"COLUMNS": "200"}).stdout
    return ["--full"] if "--full" in help_text else []


# --- The documents of the bundled and synthetic studies ---------------------------------------


@pytest.mark.parametrize("folder", [EVIDENCE, SYNTHETIC], ids=["bundled", "synthetic"])
def test_the_digest_lands_in_python_markdown(runner: CliRunner, folder: Path) -> None:
    assert_lands(run(runner, ["digest", "-e", str(folder)]))


@pytest.mark.parametrize(("study", "folder"), studies())
def test_show_lands_in_python_markdown(runner: CliRunner, study: str, folder: Path) -> None:
    args = ["show", study, *show_full(runner), "--format", "markdown", "-e", str(folder)]
    assert_lands(run(runner, args))


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["compare", "blast", "e1910", "syn-three-arm"],
        ["outcomes", "os"],
        ["outcomes", "mrd-response"],
        ["outcomes", "--list"],
        ["safety"],
    ],
)
def test_every_markdown_command_lands(runner: CliRunner, args: list[str]) -> None:
    evidence = ["-e", str(EVIDENCE), "-e", str(SYNTHETIC)]
    assert_lands(run(runner, [*args, "--format", "markdown", *evidence]))


def test_less_than_is_a_character_reference(runner: CliRunner) -> None:
    """E1910's "<10⁻⁴" and "<0.01%" are written "&lt;": no backslash that Python-Markdown
    would show, no "<" that any reader could take for a tag."""
    text = run(runner, ["show", "e1910", *show_full(runner), "--format", "markdown"])
    assert "MRD-negative &lt;10⁻⁴" in text and "\\<" not in text and "<" not in text
    page = python_markdown_page(text, ["tables"])
    assert "MRD-negative <10⁻⁴" in "".join(page.text)


# --- Hostile text ---------------------------------------------------------------------------

PAYLOAD = (
    '<b>bold</b> <script>alert(1)</script> <div markdown="1">*x*</div> '
    '{: onclick="alert(1)" } ~c~ $x$ &amp; &#x202e; R&D *[HTML]: Hyper [^1] '
    "= == 1) 2. # "
)
"""Raw HTML (a script, Python-Markdown's markdown-in-HTML), an attribute list, GitHub's
strikethrough and math, character references, an abbreviation and a footnote."""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, changed = hostile_study(PAYLOAD)
    assert ("title",) in changed and len(changed) > 40
    folder = tmp_path_factory.mktemp("hostile-markdown")
    (folder / "e1910.yaml").write_text(yaml_text(data), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "args",
    [["digest"], ["show", "e1910"], ["outcomes", "os"], ["safety"], ["list"]],
    ids=lambda a: a[0],
)
def test_hostile_text_is_text_in_python_markdown(
    runner: CliRunner, hostile: Path, args: list[str]
) -> None:
    fmt = [] if args == ["digest"] else ["--format", "markdown"]
    text = run(runner, [*args, *fmt, "-e", str(hostile)])
    assert_lands(text)
    for extensions in EXTENSIONS.values():
        shown = "".join(python_markdown_page(text, extensions).text)
        assert "<script>alert(1)</script>" in shown
        assert '{: onclick="alert(1)" } ~c~ $x$ &amp; &#x202e; R&D' in " ".join(shown.split())


_ALPHABET = st.sampled_from(
    list("abc 019.:;,?/()'\"%=+-_*~`!#$&<>[]{}|\\^@") + ["&amp;", "&#35;", "<b>", "{: x}"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_filters_read_back_as_written_in_python_markdown(text: str) -> None:
    """Whatever its punctuation, a text reads back exactly (spaces folded) in Python-Markdown,
    as running text, a heading, a list item and a table cell."""
    folded = " ".join(text.split())
    for template, prefix in (("{}", ""), ("# {}", ""), ("- {}", ""), ("Before: {}", "Before: ")):
        page = python_markdown_page(template.format(markdown_text(text)), ["tables"])
        assert [t for t, _ in page.tags if t not in TAGS] == [], template
        assert " ".join("".join(page.text).split()) == (prefix + folded).strip(), template
    table = f"| a | b |\n| --- | --- |\n| {markdown_cell(text)} | x |\n"
    page = python_markdown_page(table, ["tables"])
    cells = [t for t in page.text if t.strip()]
    assert " ".join(" ".join(cells[2:-1]).split()) == folded if folded else cells[-1] == "x"


# --- Heading levels -------------------------------------------------------------------------

DOCUMENTS = {
    "show": ["show", "e1910"],
    "outcomes": ["outcomes", "os"],
    "outcomes --list": ["outcomes", "--list"],
    "compare": ["compare", "blast", "e1910"],
    "safety": ["safety"],
    "digest": ["digest"],
}


def document(runner: CliRunner, name: str, level: int | None, fmt: str = "markdown") -> str:
    args = [*DOCUMENTS[name], "--format", fmt]
    return run(runner, args if level is None else [*args, "--heading-level", str(level)])


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_heading_level_two_leaves_no_h1(runner: CliRunner, name: str) -> None:
    text = document(runner, name, 2)
    assert [line for line in text.split("\n") if line.startswith("# ")] == []
    assert min(level for level, _ in md_headings(text)) == 2
    assert md_headings(text)[0][0] == 2


@pytest.mark.parametrize("name", list(DOCUMENTS))
@pytest.mark.parametrize("level", [2, 3, 6])
def test_every_heading_shifts_with_the_level(runner: CliRunner, name: str, level: int) -> None:
    """Level N moves every heading N-1 down, keeping their order and titles; Markdown has
    no level past 6, so deeper headings stop there."""
    base = md_headings(document(runner, name, None))
    shifted = md_headings(document(runner, name, level))
    assert [title for _, title in shifted] == [title for _, title in base]
    assert [lv for lv, _ in shifted] == [min(6, lv + level - 1) for lv, _ in base]


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_html_uses_the_heading_level(runner: CliRunner, name: str) -> None:
    html = document(runner, name, 3, "html")
    assert re.search(r"<h[12][ >]", html) is None
    assert re.search(r"<h3[ >]", html) is not None


@pytest.mark.parametrize("level", ["0", "7", "two"])
def test_a_heading_level_outside_1_to_6_is_a_usage_error(runner: CliRunner, level: str) -> None:
    for name in ("show", "compare", "outcomes", "safety", "digest"):
        result = runner.invoke(app, [*DOCUMENTS[name], "--heading-level", level])
        assert result.exit_code == 2, (name, result.stdout)
        assert "Invalid value for '--heading-level'" in result.output, (name, result.output)


def test_heading_level_is_in_every_document_commands_help(runner: CliRunner) -> None:
    for command in ("show", "compare", "outcomes", "safety", "digest", "list"):
        help_text: Any = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
        assert "--heading-level" in help_text, command
