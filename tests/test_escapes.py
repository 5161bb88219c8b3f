"""No escape sequence, hidden character or injected markup reaches a reader from any input.

Text from outside (every value of an evidence file, its unknown keys, file names,
ClinicalTrials.gov records) is shown as text on stdout and stderr, in every command
and format: control characters, bidirectional overrides and other invisible characters
as visible escapes (``\\x1b``, ``\\u202e``); JSON with its own ``\\u`` escapes, so it
reads back exactly; Markdown with no link, image, HTML or emphasis made from evidence;
CSV with no cell a spreadsheet would run as a formula.

Also covered elsewhere: tests/test_robustness.py (markup and control characters in
five fields of every read command) and, in tests/test_cli.py,
test_show_table_makes_control_characters_visible.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token
from typer.testing import CliRunner, Result

from blinacli.base.controls import escape_json, spreadsheet_cell, visible
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.interop import ctgov
from blinacli.model import Study, reference_problems
from blinacli.render.documents import markdown_cell, markdown_text
from blinacli.views.digest import registry_url
from tests.markdown_reading import MD, inline_text, md_anchors, md_text

E1910 = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
BLAST = (evidence_dir() / "blast.yaml").read_text(encoding="utf-8")
CTGOV = Path(__file__).parent / "fixtures" / "ctgov" / "NCT02552212.json"

# --- What a reader must never receive --------------------------------------------------

HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
"""Controls, format characters (bidi overrides and isolates, zero-width characters, tags),
surrogates and the line and paragraph separators."""


def hidden(text: str) -> list[str]:
    """The characters of ``text`` a reader would not see as themselves (tab and line
    feed are text)."""
    return sorted(
        {ch for ch in text if ch not in "\t\n" and unicodedata.category(ch) in HIDDEN_CATEGORIES}
    )


def assert_shown_as_text(text: str, what: str = "") -> None:
    found = hidden(text)
    assert found == [], f"{what}: raw {[f'U+{ord(c):04X}' for c in found]}"


# --- controls.visible, for every character of the classes ------------------------------


def _every_hidden_code_point() -> Iterator[str]:
    for code in range(0x110000):
        ch = chr(code)
        if ch in "\t\n":
            continue
        if unicodedata.category(ch) in HIDDEN_CATEGORIES:
            yield ch


def test_every_hidden_character_is_shown_as_an_escape() -> None:
    """Each control, format, surrogate or separator character of this Python's Unicode
    database becomes a printable ASCII escape, alone and among other text."""
    missed = []
    for ch in _every_hidden_code_point():
        alone, among = visible(ch), visible(f"a\u00e9{ch}b")
        shown = alone.startswith("\\") and alone.isascii() and alone.isprintable()
        if not shown or among != f"a\u00e9{alone}b":
            missed.append(f"U+{ord(ch):04X}")
    assert missed == []


@given(st.text())
def test_visible_changes_only_hidden_characters(text: str) -> None:
    shown = visible(text)
    assert hidden(shown) == []
    if not hidden(text):
        assert shown == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;PWNED\x07", "\\x1b]0;PWNED\\x07"),
        ("a\rb", "a\\rb"),
        ("\x9b31m", "\\x9b31m"),
        ("\x7f", "\\x7f"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("line\u2028separator", "line\\u2028separator"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("\ud800", "\\ud800"),
    ],
)
def test_visible_escapes(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert visible(shown) == shown  # applying it twice changes nothing


@pytest.mark.parametrize(
    "text",
    [
        "Blinatumomab for MRD-Negative ALL: HR 0.42 (95% CI 0.24–0.75)",
        "line one\nline two\tand a tab",
        "non\xa0breaking space, ± ≥ ≤ × µ é ß",
        "日本語の表題, עברית, العربية, Ελληνικά",
        "emoji 🙂 and symbols † ‡ §",
        # Variation selectors and Hangul fillers are text (see the module's docstring).
        "a heart \u2764\ufe0f, a text-style \u2764\ufe0e, Hangul \u3164 filler",
    ],
)
def test_visible_leaves_printable_text_as_it_is(text: str) -> None:
    assert visible(text) is text or visible(text) == text


# --- Unknown keys and file names in findings, errors and notes -----------------------------

ESC_KEY = '"\\e]0;PWNED\\a\\u202e": 1\n'
"""An unknown top-level key holding ESC ] 0 ; PWNED BEL and a right-to-left override."""


def _no_hidden_output(result: Result, what: str) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert_shown_as_text(result.stdout, f"{what} stdout")
    assert_shown_as_text(result.stderr, f"{what} stderr")


@pytest.mark.parametrize("command", ["validate", "check"])
@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_unknown_key_with_an_escape_sequence_is_reported_as_text(
    runner: CliRunner, tmp_path: Path, command: str, fmt: str
) -> None:
    (tmp_path / "study.yaml").write_text(
        E1910.replace("id: e1910\n", "id: e1910\n" + ESC_KEY, 1), encoding="utf-8"
    )
    result = runner.invoke(app, [command, str(tmp_path), "--format", fmt])
    assert result.exit_code == 1
    _no_hidden_output(result, f"{command} --format {fmt}")
    if fmt == "json":  # JSON keeps the key exactly, in its own escapes
        data = json.loads(result.stdout)
        findings = data["findings"] if command == "validate" else data["validation"]["findings"]
        assert findings[0]["path"] == "\x1b]0;PWNED\x07\u202e"
    else:
        assert "\\x1b]0;PWNED\\x07\\u202e" in result.stdout


def test_unknown_key_with_an_escape_sequence_in_an_error_on_stderr(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Any command that loads invalid evidence lists the findings on stderr."""
    (tmp_path / "study.yaml").write_text(
        E1910.replace("id: e1910\n", "id: e1910\n" + ESC_KEY, 1), encoding="utf-8"
    )
    result = runner.invoke(app, ["list", "-e", str(tmp_path), "--format", "markdown"])
    assert result.exit_code == 1
    _no_hidden_output(result, "list")
    assert "\\x1b]0;PWNED\\x07\\u202e" in result.stderr


HOSTILE_NAME = "x\x1b]0;PWNED\x07\u202e\u2028"
"""A file name holding an OSC sequence, a right-to-left override and a line separator."""


@pytest.fixture
def hostile_names(tmp_path: Path) -> Path:
    """A valid study, an invalid file, a file that is not YAML and a hidden entry, each
    named with escape sequences."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "e1910.yaml").write_text(E1910, encoding="utf-8")
    (folder / f"{HOSTILE_NAME}.yaml").write_text("id: [\n", encoding="utf-8")
    (folder / f"{HOSTILE_NAME}.txt").write_text("not evidence", encoding="utf-8")
    (folder / f".{HOSTILE_NAME}.yaml").write_text("hidden", encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_file_named_with_escapes_in_validate(
    runner: CliRunner, hostile_names: Path, fmt: str
) -> None:
    result = runner.invoke(app, ["--verbose", "validate", str(hostile_names), "--format", fmt])
    assert result.exit_code == 1
    _no_hidden_output(result, f"validate --format {fmt}")
    assert "x\\x1b]0;PWNED\\x07\\u202e\\u2028.txt" in result.stderr  # a note
    if fmt == "json":
        files = json.loads(result.stdout)["files"]
        assert any(HOSTILE_NAME in f for f in files)
    else:
        assert "x\\x1b]0;PWNED\\x07\\u202e\\u2028.yaml" in result.stdout


def test_file_named_with_escapes_in_errors(runner: CliRunner, hostile_names: Path) -> None:
    """The invalid file's findings, on stderr before the error line."""
    result = runner.invoke(app, ["--verbose", "list", "-e", str(hostile_names)])
    assert result.exit_code == 1
    _no_hidden_output(result, "list")
    assert "x\\x1b]0;PWNED\\x07\\u202e\\u2028.yaml:2:1: " in result.stderr


def test_notes_about_files_named_with_escapes(runner: CliRunner, hostile_names: Path) -> None:
    (hostile_names / f"{HOSTILE_NAME}.yaml").unlink()
    result = runner.invoke(app, ["--verbose", "list", "-e", str(hostile_names)])
    assert result.exit_code == 0, result.stderr
    _no_hidden_output(result, "list")
    assert result.stderr.count("note: ") >= 2, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate", f"missing-{HOSTILE_NAME}.yaml"],
        ["list", "-e", f"missing-{HOSTILE_NAME}.yaml"],
        ["show", f"no-such-{HOSTILE_NAME}"],
        ["outcomes", f"no-such-{HOSTILE_NAME}"],
        ["list", "--where", f"{HOSTILE_NAME}=1"],
        ["import", "ctgov", f"missing-{HOSTILE_NAME}.json"],
    ],
)
def test_errors_naming_outside_text(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Missing paths, unknown ids and fields: the error line shows what was given as text."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code in (1, 2), result.stdout
    _no_hidden_output(result, " ".join(args))


def test_template_paths_are_shown_as_text(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`templates copy` lists the files it wrote; `templates list` the user's overrides."""
    monkeypatch.chdir(tmp_path)
    copied = runner.invoke(app, ["templates", "copy", "markdown/show.md.j2", HOSTILE_NAME])
    assert copied.exit_code == 0, copied.stderr
    _no_hidden_output(copied, "templates copy")
    listed = runner.invoke(app, ["templates", "list", "--templates", HOSTILE_NAME])
    assert listed.exit_code == 0, listed.stderr
    _no_hidden_output(listed, "templates list")
    assert "(overridden by x\\x1b]0;PWNED" in listed.stdout


def test_notes_naming_an_output_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "my-study", "-o", f"{HOSTILE_NAME}.yaml"])
    assert result.exit_code == 0, result.stderr
    _no_hidden_output(result, "new -o")
    again = runner.invoke(app, ["new", "my-study", "-o", f"{HOSTILE_NAME}.yaml"])
    assert again.exit_code == 1
    _no_hidden_output(again, "new -o again")


# --- Hostile text in every value of a study -------------------------------------------------

PAYLOAD = (
    "=1+2 [l](https://evil.example/l) ![i](https://evil.example/i.png) "
    "<https://evil.example/a> &#x202e; *a*b* ~c~ "
    "\x1b]0;PWNED\x07\x1b[31m\x9b1m\x7f\r\x01"
    "\u202e\u2066\u2069\u200e\u200f\u061c\u200b\u2028\U000e0041\ufe0f\xad end: "
)
"""Put before every free text of E1910: a spreadsheet formula first (so CSV cells start
with it), Markdown links, an image, an autolink, a character reference, emphasis and
strikethrough, an OSC and CSI sequence, C1, DEL, a carriage return, bidi overrides and
isolates, marks, a zero-width space, a line separator, a tag character, a variation
selector and a soft hyphen."""

_NOT_TEXT = {"id", "endpoint", "source", "sources"}
"""Keys whose values are ids or references: left as they are."""


def _text_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, str):
        yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in _NOT_TEXT:
                yield from _text_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _text_paths(value, (*path, index))


def _set(node: Any, path: tuple[Any, ...], value: str) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _valid(data: dict[str, Any]) -> bool:
    try:
        study = msgspec.convert(data, Study)
    except msgspec.ValidationError:
        return False
    return not reference_problems(study)


def hostile_study(payload: str) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """E1910 with ``payload`` before every free text the model accepts it in, and the
    paths of the texts changed."""
    data = yaml.safe_load(E1910)
    changed = []
    for path in list(_text_paths(data)):
        before = _get(data, path)
        _set(data, path, payload + before)
        if _valid(data):
            changed.append(path)
        else:
            _set(data, path, before)
    return data, changed


def yaml_text(data: Any) -> str:
    """YAML that spells every character outside printable ASCII as an escape (YAML
    refuses raw control characters in a file)."""
    return yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1 << 20)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the hostile E1910 and the bundled BLAST."""
    data, changed = hostile_study(PAYLOAD)
    assert len(changed) > 40, changed  # titles, labels, notes, quotes, citations...
    for must in [("title",), ("citation", "title"), ("design", "arms", 0, "label")]:
        assert must in changed
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "e1910.yaml").write_text(yaml_text(data), encoding="utf-8")
    (folder / "blast.yaml").write_text(BLAST, encoding="utf-8")
    return folder


READ_COMMANDS = {
    "list": ["list"],
    "show": ["show", "e1910"],
    "compare": ["compare", "e1910", "blast"],
    "outcomes": ["outcomes", "os"],
    "safety": ["safety"],
}
FORMATS = ["table", "markdown", "html", "json", "csv"]


def run(runner: CliRunner, args: list[str], folder: Path) -> Result:
    result = runner.invoke(app, [*args, "-e", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def test_the_hostile_study_is_valid(runner: CliRunner, hostile: Path) -> None:
    result = runner.invoke(app, ["validate", str(hostile)])
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(READ_COMMANDS))
def test_read_commands_show_hostile_text_as_text(
    runner: CliRunner, hostile: Path, monkeypatch: pytest.MonkeyPatch, name: str, fmt: str
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = run(runner, [*READ_COMMANDS[name], "--format", fmt], hostile)
    _no_hidden_output(result, f"{name} --format {fmt}")
    assert "PWNED" in result.stdout


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_digest_shows_hostile_text_as_text(runner: CliRunner, hostile: Path, fmt: str) -> None:
    result = run(runner, ["digest", "--format", fmt], hostile)
    _no_hidden_output(result, f"digest --format {fmt}")
    assert "PWNED" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["cite", "e1910", "--format", "bibtex"],
        ["cite", "e1910", "--format", "ris"],
        ["cite", "e1910", "--format", "csl-json"],
        ["export", "--format", "fhir"],
        ["check"],
        ["check", "--format", "github"],
        ["check", "--format", "json"],
    ],
)
def test_citations_exports_and_checks_show_hostile_text_as_text(
    runner: CliRunner, hostile: Path, args: list[str]
) -> None:
    result = runner.invoke(app, [*args, "-e", str(hostile)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    ris = "ris" in args  # RIS lines end in CRLF, as the RIS specification asks
    assert_shown_as_text(result.stdout.replace("\r\n", "\n") if ris else result.stdout, "stdout")
    assert_shown_as_text(result.stderr, "stderr")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "e1910", "--format", "json"],
        ["export", "--format", "fhir"],
    ],
)
def test_json_reads_back_exactly(runner: CliRunner, hostile: Path, args: list[str]) -> None:
    """JSON spells hidden characters as its own \\u escapes: a reader gets the text exactly."""
    out = run(runner, args, hostile).stdout
    assert "\\u001b]0;PWNED\\u0007" in out
    assert "\\u202e" in out
    assert any(s.startswith(PAYLOAD) for s in _strings(json.loads(out)))


def test_show_json_is_the_study_as_written(runner: CliRunner, hostile: Path) -> None:
    data = json.loads(run(runner, ["show", "e1910", "--format", "json"], hostile).stdout)
    assert data["title"].startswith(PAYLOAD)


def test_escape_json_is_lossless() -> None:
    value = {"k\u202e": ["\x1b\x9b\u2028\U000e0041\ud800 é 🙂", 1.5]}
    text = escape_json(json.dumps(value, ensure_ascii=False))
    assert hidden(text) == []
    assert json.loads(text) == value
    assert "é 🙂" in text  # printable characters stay as they are


def test_table_shows_the_escapes(
    runner: CliRunner, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    out = run(runner, ["show", "e1910", "--format", "table"], hostile).stdout
    for shown in ("\\x1b]0;PWNED\\x07", "\\u202e", "\\u2066", "\\u200b", "\\U000e0041"):
        assert shown in out, shown


# --- Markdown: evidence text is text ---------------------------------------------------------


def _tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


def _markup(markdown: str, *, strict: bool = False) -> list[str]:
    """Every link, image, HTML, code span and emphasis a reader of ``markdown`` would see;
    unless ``strict``, but for the templates' own: emphasis (an acronym in bold, an arm
    in italics) and an id as code. (Emphasis made from evidence would eat its asterisks,
    which the tests look for in the visible text.)"""
    wanted = ["link_open", "image", "html_inline", "html_block", "s_open"]
    if strict:
        wanted += ["strong_open", "em_open"]
    found = []
    for token in _tokens(MD.parse(markdown)):
        own = not strict and re.fullmatch("[a-z0-9-]+", token.content)
        if token.type in wanted or (token.type == "code_inline" and not own):
            found.append(f"{token.type} {token.attrs} {token.content!r}")
    return found


@pytest.mark.parametrize("name", list(READ_COMMANDS))
def test_markdown_makes_no_link_image_or_emphasis_from_evidence(
    runner: CliRunner, hostile: Path, name: str
) -> None:
    markdown = run(runner, [*READ_COMMANDS[name], "--format", "markdown"], hostile).stdout
    assert _markup(markdown) == []
    shown = md_text(markdown)
    for piece in (
        "[l](https://evil.example/l)",
        "![i](https://evil.example/i.png)",
        "<https://evil.example/a>",
        "&#x202e;",
        "*a*b* ~c~",
    ):
        assert piece in shown, piece


def test_digest_links_only_its_own_addresses(runner: CliRunner, hostile: Path) -> None:
    """The digest links DOI, PubMed and registry pages it builds itself; no link comes
    from evidence text."""
    markdown = run(runner, ["digest"], hostile).stdout
    links = [dict(t.attrs)["href"] for t in _tokens(MD.parse(markdown)) if t.type == "link_open"]
    # Links within the digest lead to its own headings (the contents, the [source] marks).
    inside = [unquote(str(href)[1:]) for href in links if str(href).startswith("#")]
    assert inside and set(inside) <= set(md_anchors(markdown))
    links = [href for href in links if not str(href).startswith("#")]
    assert links
    assert all(
        str(href).startswith(
            (
                "https://doi.org/",
                "https://pubmed.ncbi.nlm.nih.gov/",
                "https://pmc.ncbi.nlm.nih.gov/",
                "https://clinicaltrials.gov/study/",
            )
        )
        for href in links
    ), links
    assert [t.type for t in _tokens(MD.parse(markdown)) if t.type == "image"] == []


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_digest_lists_file_names_as_text(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    """The digest names its evidence files: a file name is outside text like any other."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    name = "[x](javascript:alert(1)) *e* \x1b]0;PWNED\x07\u202e.yaml"
    (folder / name).write_text(E1910, encoding="utf-8")
    result = run(runner, ["digest", "--format", fmt], folder)
    _no_hidden_output(result, f"digest --format {fmt}")
    if fmt == "markdown":
        tokens = list(_tokens(MD.parse(result.stdout)))
        hrefs = [str(dict(t.attrs)["href"]) for t in tokens if t.type == "link_open"]
        anchors = {f"#{a}" for a in md_anchors(result.stdout)}
        assert [
            h for h in hrefs if not h.startswith("https://") and unquote(h) not in anchors
        ] == []
        assert "[x](javascript:alert(1)) *e* \\x1b]0;PWNED\\x07\\u202e.yaml" in md_text(
            result.stdout
        )
    else:
        assert "javascript:" not in "".join(re.findall(r"href=\"[^\"]*\"", result.stdout))


def test_html_links_only_its_own_addresses(
    runner: CliRunner, tmp_path: Path, hostile: Path
) -> None:
    """A javascript: address in evidence (a source's url, a registry id) never becomes an
    href: the only hrefs are the digest's DOI, PubMed and registry links."""
    text = (hostile / "e1910.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["sources"][0]["url"] = "javascript:alert(1)"
    data["citation"]["journal"] = "javascript:alert(1)"
    folder = tmp_path / "js"
    folder.mkdir()
    (folder / "e1910.yaml").write_text(yaml_text(data), encoding="utf-8")
    for args in (["digest", "--format", "html"], ["show", "e1910", "--format", "html"]):
        html = run(runner, args, folder).stdout
        hrefs = re.findall(r"""\b(?:href|src|action)\s*=\s*["']?([^"'\s>]*)""", html, re.I)
        ids = set(re.findall(r'\bid="([^"]*)"', html))
        inside = [h for h in hrefs if h[:1] == "#"]
        assert all(h[1:] in ids for h in inside), inside
        assert all(h.startswith("https://") for h in hrefs if h not in inside), hrefs
        assert "<script" not in html.lower()


@pytest.mark.parametrize(
    "trial_id", ["NCT01234567\n", "NCT0123456\u0667", "javascript:NCT01234567", " NCT01234567"]
)
def test_registry_link_only_for_a_plain_nct_number(trial_id: str) -> None:
    assert registry_url("ClinicalTrials.gov", trial_id) is None
    assert registry_url("ClinicalTrials.gov", "nct01234567") == (
        "https://clinicaltrials.gov/study/NCT01234567"
    )


_MARKDOWN_ALPHABET = st.sampled_from(
    list("abc 019.:;,?/()'\"%=+-_*~`!#$&<>[]{}|\\^@") + ["https://", "www.", "&amp;", "&#35;"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MARKDOWN_ALPHABET, max_size=30).map("".join))
def test_markdown_filters_read_back_as_written(text: str) -> None:
    """Whatever its punctuation, a text reads back exactly (spaces folded) as running
    text, in a heading, in a list item and in a table cell: no markup is made of it."""
    folded = " ".join(text.split())
    for template in ("{}", "# {}", "- {}", "Before: {}"):
        markdown = template.format(markdown_text(text))
        tokens = MD.parse(markdown)
        inline = [t for t in tokens if t.type == "inline"]
        prefix = template.split("{}")[0].lstrip("#- ")
        seen = " ".join(inline_text(t) for t in inline) if inline else ""
        assert seen == (prefix + folded).strip(), (template, markdown)
        assert _markup(markdown, strict=True) == [], markdown
    table = f"| a | b |\n| --- | --- |\n| {markdown_cell(text)} | x |\n"
    cells = [inline_text(t) for t in MD.parse(table) if t.type == "inline"]
    assert cells[2:] == [folded, "x"], table


# --- CSV: no cell is a formula --------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\\r=1"),  # a carriage return is made visible first
        ("- a list item", "'- a list item"),
        ("-0.5", "-0.5"),  # a number is written as the number
        ("+3", "+3"),
        ("-12", "-12"),
        ("-1.5e-3", "-1.5e-3"),
        ("0.42 (0.24-0.75)", "0.42 (0.24-0.75)"),
        ("HR =0.5", "HR =0.5"),
        ("", ""),
        ("'quoted", "'quoted"),
        ("\x1b]0;x\x07", "\\x1b]0;x\\x07"),
    ],
)
def test_spreadsheet_cell(cell: str, written: str) -> None:
    assert spreadsheet_cell(cell) == written


@pytest.mark.parametrize("name", list(READ_COMMANDS))
def test_csv_cells_are_never_formulas(runner: CliRunner, hostile: Path, name: str) -> None:
    out = run(runner, [*READ_COMMANDS[name], "--format", "csv"], hostile).stdout
    rows = list(csv.reader(io.StringIO(out, newline="")))
    cells = [cell for row in rows for cell in row]
    starts = [
        c
        for c in cells
        if c.startswith(FORMULA_START) and not re.fullmatch(r"[+-]?[0-9.]+(e[+-]?[0-9]+)?", c)
    ]
    assert starts == []
    assert any(cell.startswith("'=1+2 ") for cell in cells)


# --- The ClinicalTrials.gov draft -----------------------------------------------------------

REGISTRY_PAYLOAD = "\x1b]0;PWNED\x07\x1b[2J\u202e\u2066\u200b\u2028\x85\U000e0041"


def _hostile_record(tmp_path: Path, payload: str) -> tuple[Path, dict[str, Any]]:
    data = json.loads(CTGOV.read_text(encoding="utf-8"))
    protocol = data["protocolSection"]
    ident = protocol["identificationModule"]
    ident["briefTitle"] = f"Brief {payload} title"
    ident["officialTitle"] = f"Official {payload} title"
    ident["acronym"] = f"AC{payload}"
    protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = f"2024-01-02{payload}"
    protocol["referencesModule"] = {
        "references": [
            {"pmid": f"123{payload}", "type": f"RESULT{payload}", "citation": f"Cite {payload} me"}
        ]
    }
    for arm in protocol["armsInterventionsModule"]["armGroups"]:
        arm["label"] = f"{arm['label']} {payload}"
    for measure in data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]:
        measure["title"] = f"{measure['title']} {payload}"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, data


def test_ctgov_draft_holds_no_raw_control_character(runner: CliRunner, tmp_path: Path) -> None:
    path, _ = _hostile_record(tmp_path, REGISTRY_PAYLOAD)
    result = runner.invoke(app, ["import", "ctgov", str(path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    _no_hidden_output(result, "import ctgov")
    header = "".join(line + "\n" for line in result.stdout.splitlines() if line.startswith("#"))
    assert "# - PMID 123\\x1b]0;PWNED\\x07\\x1b[2J\\u202e" in header, header


def test_ctgov_record_with_a_lone_surrogate(tmp_path: Path) -> None:
    """JSON can spell half a character ("\\ud800"), which no terminal or file can take as
    it is: the draft shows it as an escape instead of failing to write it (a real
    process, where standard output is strict UTF-8)."""
    path, _ = _hostile_record(tmp_path, "\ud800 lone surrogate")
    done = subprocess.run(
        [sys.executable, "-m", "blinacli", "import", "ctgov", str(path)],
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert_shown_as_text(out, "draft")
    assert "# - PMID 123\\ud800 lone surrogate" in out


def test_ctgov_draft_keeps_the_registry_text_exactly(tmp_path: Path) -> None:
    """The YAML body spells hidden characters as YAML escapes: the draft reads back as
    the registry wrote it, and the comment block shows them as visible escapes."""
    path, _ = _hostile_record(tmp_path, REGISTRY_PAYLOAD)
    text = ctgov.import_record(str(path))
    assert_shown_as_text(text, "draft")
    draft = yaml.safe_load(text)
    assert draft["title"] == f"Official {REGISTRY_PAYLOAD} title"
    assert any(REGISTRY_PAYLOAD in s for s in _strings(draft["design"]))
    assert "# - PMID 123\\x1b]0;PWNED\\x07" in text


# --- The property ----------------------------------------------------------------------------

_HIDDEN_TEXT = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"], exclude_characters="\t\n"),
    min_size=1,
    max_size=12,
)
_TITLE_LINE = "title: Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults\ndrugs"


def _yaml_escaped(text: str) -> str:
    return "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else f"\\U{ord(ch):08x}"
        for ch in text
    )


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_HIDDEN_TEXT)
def test_no_hidden_character_in_a_title_reaches_any_output(
    runner: CliRunner, tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """Any text of control, format and separator characters, in a study's title, is never
    written raw by show (in every format), compare, list or the digest."""
    folder = tmp_path_factory.mktemp("title")
    title = f"T {text} end"
    (folder / "e1910.yaml").write_text(
        E1910.replace(_TITLE_LINE, f'title: "{_yaml_escaped(title)}"\ndrugs'),
        encoding="utf-8",
    )
    (folder / "blast.yaml").write_text(BLAST, encoding="utf-8")
    for args in (
        *(["show", "e1910", "--format", fmt] for fmt in FORMATS),
        ["compare", "e1910", "blast", "--format", "markdown"],
        ["digest", "--format", "html"],
    ):
        result = runner.invoke(app, [*args, "-e", str(folder), "--no-cache"])
        assert result.exit_code == 0, result.stdout + result.stderr
        assert_shown_as_text(result.stdout, " ".join(args))
