"""The HTML digest in a real browser: Debian's chromium, driven by Playwright.

The digest is rendered with the CLI and opened as a file:// URL at a phone width
(390 px) and a desktop width (1280 px). It must log no console error and raise no
page error, load nothing but itself (it is one self-contained file), show the
overview table, and fit the width without the page scrolling sideways. At 390 px
no element at all reaches past the screen's edges (tables are cards, forest plots
drawn for the phone), and each Summary-of-Findings row is a card whose cells name
their column; at 1280 px each relative effect and its CI take one or two lines.
Every link within the page has a target, and a [source] mark scrolls to its quotes.
Printed, there is no table of contents, nothing sticky or fixed, and only external
links show their address. A full-page screenshot of each width is kept in
``test-artifacts/`` at the root of the repository. A study titled
``<script>alert(1)</script>`` must render as text.

Playwright drives the chromium that Debian installs (``apt-get install
chromium``, which ``.ci/run`` does); ``playwright install`` and its browser
downloads are never used. Without that browser or the ``playwright`` package
these tests skip, except under CI (``CI`` set), where they fail instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from typer.testing import CliRunner

from blinacli.cli import app as cli

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
EVIDENCE = REPO / "evidence"
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
VIEWPORTS = [(390, 844), (1280, 800)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HOSTILE_TITLE = "<script>alert(1)</script>"


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail under CI, where the browser must be there."""
    if _under_ci():
        pytest.fail(
            f"{reason}, and CI is set: the browser test must run in CI "
            "(.ci/run installs chromium with apt-get; the venv gets playwright from "
            "the 'test' extra)",
            pytrace=False,
        )
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module's tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            chromium_sandbox=False,
            args=LAUNCH_ARGS,
        )
        try:
            yield launched
        finally:
            launched.close()


class Watched:
    """A page with everything it reported: console errors, page errors, dialogs and
    every request it made."""

    def __init__(self, browser: Any, width: int, height: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location})")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, document: Path) -> None:
        url = document.resolve().as_uri()
        self.page.goto(url, wait_until="load")
        # Let anything scheduled on load run, so its errors are caught too.
        self.page.wait_for_timeout(100)
        assert self.page_errors == [], f"page errors in {document.name}: {self.page_errors}"
        assert self.console_errors == [], (
            f"console errors in {document.name}: {self.console_errors}"
        )
        foreign = [u for u in self.requests if u != url and not u.startswith("data:")]
        assert foreign == [], f"{document.name} is not self-contained: it requested {foreign}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Any]:
    """Open pages at any viewport; every one is closed after the test."""
    opened: list[Watched] = []

    def make(width: int, height: int) -> Watched:
        page = Watched(browser, width, height)
        opened.append(page)
        return page

    yield make
    for page in opened:
        page.close()


# Where #overview is too wide for the viewport, the one acceptable layout is a
# wide table scrolling sideways inside its own wrapper (overflow-x: auto or scroll)
# that fits the viewport: the page itself keeps the device width, the text around
# the table reflows, and a reader swipes the table alone, the usual pattern for a
# data table with many columns on a phone. This finds that wrapper.
_GEOMETRY = """
() => {
    // #overview is the overview table, or an element holding it: measure the table.
    const found = document.querySelector('#overview');
    const overview = found.matches('table') ? found : found.querySelector('table') || found;
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, width: r.width};
    };
    let wrapper = null;
    for (let el = overview.parentElement; el && el !== document.body; el = el.parentElement) {
        const overflow = getComputedStyle(el).overflowX;
        if (overflow === 'auto' || overflow === 'scroll') {
            wrapper = {tag: el.tagName.toLowerCase(), ...box(el)};
            break;
        }
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        overview: box(overview),
        wrapper: wrapper,
    };
}
"""

# Sub-pixel layout can put an edge a fraction of a pixel past the viewport.
_SLACK = 1.0


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}px" for w, _ in VIEWPORTS])
def test_digest_in_a_browser(
    runner: CliRunner, watched: Any, tmp_path: Path, width: int, height: int
) -> None:
    digest = tmp_path / "digest.html"
    result = runner.invoke(cli.app, ["digest", "--format", "html", "-o", str(digest)])
    assert result.exit_code == 0, f"blinacli digest --format html: {result.stderr}"
    assert digest.is_file()

    view = watched(width, height)
    view.open(digest)
    page = view.page

    overview = page.locator("#overview")
    found = overview.count()
    assert found == 1, f"expected one element with id='overview' in the digest, found {found}"
    assert overview.is_visible(), f"#overview is not visible at {width} px"

    geometry = page.evaluate(_GEOMETRY)
    assert geometry["innerWidth"] == width
    assert geometry["scrollWidth"] <= geometry["innerWidth"], (
        f"the page scrolls sideways at {width} px: "
        f"content {geometry['scrollWidth']} px wide in a {geometry['innerWidth']} px viewport"
    )
    table = geometry["overview"]
    fits = table["left"] >= -_SLACK and table["right"] <= width + _SLACK
    if not fits:
        wrapper = geometry["wrapper"]
        assert wrapper is not None, (
            f"#overview spans {table['left']:.0f}-{table['right']:.0f} px in a {width} px "
            "viewport, with no horizontally scrollable wrapper around it"
        )
        assert wrapper["left"] >= -_SLACK and wrapper["right"] <= width + _SLACK, (
            f"the scrollable <{wrapper['tag']}> around #overview spans "
            f"{wrapper['left']:.0f}-{wrapper['right']:.0f} px in a {width} px viewport"
        )
    # The bounding box Playwright reports agrees: the table starts on screen.
    bounding = overview.bounding_box()
    assert bounding is not None and bounding["x"] >= -_SLACK

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest-{width}px.png"
    shot.unlink(missing_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.is_file()
    assert shot.read_bytes()[:8] == PNG_SIGNATURE


# Every element whose box reaches past the viewport's left or right edge, described so
# that a failure names it: tag, id or class, its edges and the start of its text.
_OFFENDERS = """
() => {
    const width = window.innerWidth;
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < -1 || r.right > width + 1) {
            const name = el.id ? '#' + el.id : (el.getAttribute('class') || '');
            const text = (el.textContent || '').trim().slice(0, 50);
            const edges = `${Math.round(r.left)}-${Math.round(r.right)} px`;
            found.push(`<${el.tagName.toLowerCase()} ${name}> ${edges}: ${text}`);
        }
    }
    return found;
}
"""

# Links within the page whose target is missing.
_DANGLING = """
() => [...document.querySelectorAll('a[href^="#"]')]
    .map(a => decodeURIComponent(a.getAttribute('href').slice(1)))
    .filter(id => !document.getElementById(id))
"""

# How many lines each relative effect takes (the distinct tops of its text's line boxes),
# and how many its first part, the estimate with its CI, takes.
_EFFECT_LINES = """
() => [...document.querySelectorAll('table.sof td.effect')].map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    const first = td.firstElementChild || td;
    range.selectNodeContents(first);
    const own = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return [td.textContent.trim(), tops.size, own.size];
})
"""

# Each Summary-of-Findings row: how it is displayed, and each shown cell's label.
_CARDS = """
() => [...document.querySelectorAll('table.sof > tbody > tr')].map(tr => ({
    display: getComputedStyle(tr).display,
    cells: [...tr.querySelectorAll('td')]
        .filter(td => getComputedStyle(td).display !== 'none')
        .map(td => [td.dataset.label, getComputedStyle(td, '::before').content]),
}))
"""

# What printing keeps: the contents, sticky or fixed elements, and link addresses shown.
_PRINTED = """
() => ({
    nav: getComputedStyle(document.querySelector('nav.contents')).display,
    pinned: [...document.querySelectorAll('*')]
        .map(el => getComputedStyle(el).position)
        .filter(p => p === 'sticky' || p === 'fixed').length,
    inside: [...new Set([...document.querySelectorAll('a[href^="#"]')]
        .map(a => getComputedStyle(a, '::after').content))],
    outside: [...document.querySelectorAll('a[href^="http"]')]
        .map(a => [a.getAttribute('href'), getComputedStyle(a, '::after').content]),
    rows: [...new Set([...document.querySelectorAll('tr')]
        .map(tr => getComputedStyle(tr).breakInside))],
    tables: [...new Set([...document.querySelectorAll('table.sof')]
        .map(t => getComputedStyle(t).display))],
    forests: [...document.querySelectorAll('figure.forest > svg')]
        .map(svg => [svg.getAttribute('class'), getComputedStyle(svg).display]),
})
"""


def _digest(runner: CliRunner, tmp_path: Path, *evidence: Path) -> Path:
    digest = tmp_path / "digest.html"
    folders = [arg for folder in evidence for arg in ("-e", str(folder))]
    result = runner.invoke(cli.app, ["digest", "--format", "html", *folders, "-o", str(digest)])
    assert result.exit_code == 0, f"blinacli digest --format html: {result.stderr}"
    return digest


@pytest.mark.parametrize("evidence", ["bundled", "synthetic"])
def test_nothing_reaches_past_a_phone_screen(
    runner: CliRunner, watched: Any, tmp_path: Path, evidence: str
) -> None:
    folders = [EVIDENCE] + ([SYNTHETIC] if evidence == "synthetic" else [])
    view = watched(390, 844)
    view.open(_digest(runner, tmp_path, *folders))
    offenders = view.page.evaluate(_OFFENDERS)
    assert offenders == [], "elements past the edges of a 390 px screen:\n" + "\n".join(
        offenders[:40]
    )
    assert view.page.evaluate(_DANGLING) == []
    rows = view.page.evaluate(_CARDS)
    assert rows and all(row["display"] == "block" for row in rows)
    for row in rows:
        assert row["cells"] and all(content == f'"{label}"' for label, content in row["cells"])
    # The phone's forest plots are the drawings laid out for it.
    shown = view.page.evaluate(
        "() => [...document.querySelectorAll('figure.forest > svg')]"
        ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.getAttribute('class'))"
    )
    assert shown and set(shown) == {"forest-narrow"}


@pytest.mark.parametrize("evidence", ["bundled", "synthetic"])
def test_effects_keep_to_two_lines_on_a_desktop(
    runner: CliRunner, watched: Any, tmp_path: Path, evidence: str
) -> None:
    folders = [EVIDENCE] + ([SYNTHETIC] if evidence == "synthetic" else [])
    view = watched(1280, 800)
    view.open(_digest(runner, tmp_path, *folders))
    effects = view.page.evaluate(_EFFECT_LINES)
    assert len(effects) >= 7
    assert [(text, lines) for text, lines, _ in effects if lines > 2] == []
    assert [(text, lines) for text, _, lines in effects if lines > 1] == []
    # The estimate and its CI on one line, the P value on the next.
    assert ["HR 0.41 (95% CI 0.23–0.73); P = 0.002", 2, 1] in effects
    assert view.page.evaluate(_DANGLING) == []


def test_a_source_mark_leads_to_its_quotes(runner: CliRunner, watched: Any, tmp_path: Path) -> None:
    view = watched(1280, 800)
    view.open(_digest(runner, tmp_path, EVIDENCE))
    page = view.page
    mark = page.locator("table.sof a.source-link", has_text="[memo]").first
    mark.click()
    page.wait_for_timeout(100)
    assert page.evaluate("location.hash") == "#quotes_e1910_memo"
    top = page.evaluate("document.getElementById('quotes_e1910_memo').getBoundingClientRect().top")
    assert 0 <= top < 50
    assert page.locator("#quotes_e1910_memo").inner_text() == "[memo] secondary summary"


def test_print_keeps_the_content_and_drops_the_screen_furniture(
    runner: CliRunner, watched: Any, tmp_path: Path
) -> None:
    view = watched(1280, 800)
    view.open(_digest(runner, tmp_path, EVIDENCE))
    view.page.emulate_media(media="print")
    printed = view.page.evaluate(_PRINTED)
    assert printed["nav"] == "none"
    assert printed["pinned"] == 0
    assert printed["inside"] == ["none"]
    assert printed["outside"] and all(
        content == f'" <{href}>"' for href, content in printed["outside"]
    )
    assert printed["rows"] == ["avoid"]
    assert printed["tables"] == ["table"]
    assert dict(printed["forests"]) == {
        "forest-wide": "block",
        "forest-narrow": "none",
    }


def _hostile_evidence(tmp_path: Path) -> Path:
    """The bundled E1910 study, retitled as a script."""
    directory = tmp_path / "evidence"
    directory.mkdir()
    text = (EVIDENCE / "e1910.yaml").read_text(encoding="utf-8")
    retitled, count = re.subn(
        r"^title: .*$", f'title: "{HOSTILE_TITLE}"', text, count=1, flags=re.MULTILINE
    )
    assert count == 1, "evidence/e1910.yaml has no top-level title: line"
    (directory / "e1910.yaml").write_text(retitled, encoding="utf-8")
    return directory


def test_a_script_in_a_title_renders_as_text(
    runner: CliRunner, watched: Any, tmp_path: Path
) -> None:
    evidence = _hostile_evidence(tmp_path)
    show = tmp_path / "show.html"
    result = runner.invoke(cli.app, ["show", "e1910", "--format", "html", "-e", str(evidence)])
    assert result.exit_code == 0, f"blinacli show e1910 --format html: {result.stderr}"
    show.write_text(result.stdout, encoding="utf-8")
    digest = tmp_path / "digest.html"
    result = runner.invoke(
        cli.app, ["digest", "--format", "html", "-e", str(evidence), "-o", str(digest)]
    )
    assert result.exit_code == 0, f"blinacli digest --format html: {result.stderr}"

    for document in (show, digest):
        view = watched(1280, 800)
        view.open(document)
        assert view.dialogs == [], f"{document.name} ran the title: {view.dialogs}"
        text = view.page.locator("body").inner_text()
        assert HOSTILE_TITLE in text, f"{document.name} does not show the title as text"
        scripts = view.page.evaluate(
            "() => [...document.scripts].filter(s => s.text.includes('alert(1)')).length"
        )
        assert scripts == 0, f"{document.name} has the title as a <script> element"
