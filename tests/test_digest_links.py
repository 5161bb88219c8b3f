"""The digest's links: its table of contents, and every [source] mark leading to the quotes
behind it, in HTML (ids) and Markdown (the anchors GitHub gives headings). No browser."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from blinacli.base.errors import TemplateProblem
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.render.anchors import Slugger, github_slug, heading_text, marker, resolve_targets
from blinacli.render.documents import render
from blinacli.views.digest import DigestView, anchor, digest_view, source_links
from tests.markdown_reading import MD, inline_text, md_anchors, md_headings, md_links, md_text

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
MARK = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]")
"""A source mark as a reader sees it: "[memo]"."""
LINKED_SECTIONS = ("overview", "findings", "studies", "safety", "limitations")
"""The sections whose source marks are links (References and Quotes are their targets)."""


def view_of(*folders: Path) -> DigestView:
    found = loader.load(list(folders))
    return digest_view(
        found.studies, [found.file_of(s) for s in found.studies], title=None, date=None
    )


@pytest.fixture(scope="module")
def bundled() -> DigestView:
    return view_of(evidence_dir())


@pytest.fixture(scope="module")
def everything() -> DigestView:
    return view_of(evidence_dir(), SYNTHETIC)


# --- Reading the HTML ------------------------------------------------------------------------


class Links(HTMLParser):
    """Every id, every link within the page, and every source mark with the link it is in."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []
        """(target id, visible text) of every link to "#id"."""
        self.plain_marks: list[tuple[str, str]] = []
        """(section, text) of each "[id]" outside a link in a section whose marks link."""
        self.text_of: dict[str, str] = {}
        """An element's visible text, by id (headings and list items)."""
        self.order: list[tuple[str, str]] = []
        """(tag, id or class) of headings, figures and tables, in document order."""
        self._section = ""
        self._link: list[str] | None = None
        self._href = ""
        self._open: list[tuple[str, str | None]] = []
        self._texts: dict[str, list[str]] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id") is not None:
            self.ids.append(str(a["id"]))
        if tag == "section":
            self._section = str(a.get("id") or "")
        if tag == "a" and str(a.get("href", "")).startswith("#"):
            self._href, self._link = str(a["href"])[1:], []
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "figure", "table"):
            self.order.append((tag, str(a.get("id") or a.get("class") or "")))
        if tag in ("meta", "br", "wbr", "col", "hr"):
            return
        ident = a.get("id")
        self._open.append((tag, ident))
        if ident:
            self._texts[ident] = []

    def handle_endtag(self, tag: str) -> None:
        opened, ident = self._open.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if tag == "a" and self._link is not None:
            self.links.append((self._href, "".join(self._link)))
            self._link = None
        if ident:
            self.text_of[ident] = " ".join("".join(self._texts.pop(ident)).split())

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)
        elif self._section.removeprefix("section_") in LINKED_SECTIONS:
            self.plain_marks += [(self._section, m) for m in MARK.findall(data)]
        for parts in self._texts.values():
            parts.append(data)


def html_of(view: DigestView) -> Links:
    return Links(render("html", "digest", view=view))


# --- HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["bundled", "everything"])
def test_html_ids_are_unique_and_every_internal_link_lands(
    which: str, request: pytest.FixtureRequest
) -> None:
    page = html_of(request.getfixturevalue(which))
    repeated = [i for i, n in Counter(page.ids).items() if n > 1]
    assert repeated == []
    assert all(i and not re.search(r"\s", i) for i in page.ids)
    targets = {target for target, _ in page.links}
    assert len(targets) >= 20
    assert sorted(targets - set(page.ids)) == []


def test_html_contents_follow_the_title_and_name_every_part(bundled: DigestView) -> None:
    html = render("html", "digest", view=bundled)
    assert re.search(r"</h1>\n<nav class=\"contents\" aria-label=\"Contents\">", html)
    nav = html[html.index("<nav") : html.index("</nav>")]
    wanted = [
        "section_overview",
        "section_findings",
        *[anchor("findings", sof.endpoint) for sof in bundled.endpoints],
        "section_studies",
        "study_blast",
        "study_e1910",
        "section_safety",
        "section_limitations",
        "section_references",
        "section_quotes",
        "quotes_blast",
        "quotes_e1910",
    ]
    assert re.findall(r'href="#([^"]+)"', nav) == wanted
    page = html_of(bundled)
    assert page.text_of["findings_overall-survival"] == "Overall survival"
    assert page.text_of["study_e1910"].startswith("E1910 — Blinatumomab for MRD-Negative")


def test_html_every_source_mark_links_to_its_own_quotes(everything: DigestView) -> None:
    page = html_of(everything)
    assert page.plain_marks == []
    marks = [(target, text) for target, text in page.links if MARK.fullmatch(text)]
    assert len(marks) > 100
    studies = {s.id: s for s in everything.studies}
    for target, text in marks:
        kind, study, source = target.split("_")
        assert (kind, f"[{source}]") == ("quotes", text)
        assert source in {s.id for s in studies[study].sources}
        # The target is that study's quotes from that source, with the quotes under it.
        assert page.text_of[target] == f"[{source}] " + next(
            g.kind for g in everything.quotes if (g.study_id, g.source) == (study, source)
        )
    # Marks in a study's section lead to that study's quotes.
    e1910 = page.text_of["study_e1910"]
    assert "[memo]" in e1910 and "[syn]" not in e1910


def test_html_a_source_without_quotes_links_to_its_reference(bundled: DigestView) -> None:
    """A figure credited to a source no quote was recorded from still leads somewhere: to
    the source's entry under References."""
    quotes = [g for g in bundled.quotes if (g.study_id, g.source) != ("e1910", "memo")]
    view = replace(bundled, quotes=quotes, source_links=source_links(bundled.studies, quotes))
    assert view.source_links["e1910"] == {
        "memo": "source_e1910_memo",
        "facts": "quotes_e1910_facts",
    }
    page = html_of(view)
    memo = [target for target, text in page.links if text == "[memo]"]
    assert memo and set(memo) == {"source_e1910_memo"}
    assert page.text_of["source_e1910_memo"].startswith("Source [memo], secondary summary: HCN")
    assert {target for target, _ in page.links} <= set(page.ids)


def test_view_source_links(bundled: DigestView) -> None:
    assert bundled.source_links == {
        "blast": {"abstract": "quotes_blast_abstract", "facts": "quotes_blast_facts"},
        "e1910": {"memo": "quotes_e1910_memo", "facts": "quotes_e1910_facts"},
    }


def test_forest_plots_sit_with_their_endpoint(everything: DigestView) -> None:
    """Each forest plot comes after its endpoint's table, before the next endpoint."""
    order = html_of(everything).order
    endpoint = ""
    seen = []
    for tag, name in order:
        if name.startswith("findings_"):
            endpoint = name.removeprefix("findings_")
        elif tag == "figure":
            assert name.startswith(f"forest-{endpoint}-"), (name, endpoint)
            seen.append(name)
        elif tag == "h2" or name.startswith("section_"):
            endpoint = ""
    plots = [plot.id for sof in everything.endpoints for plot in sof.forest]
    assert len(plots) >= 3 and seen == plots


def test_other_documents_keep_plain_marks(runner: CliRunner) -> None:
    """show, outcomes and list name sources without links: they list no quotes to lead to."""
    for args in (["show", "e1910"], ["outcomes", "os"], ["list"]):
        for fmt in ("markdown", "html"):
            out = runner.invoke(app, [*args, "--format", fmt], catch_exceptions=False).stdout
            assert "[memo]" in out
            assert 'class="source-link"' not in out and "](#" not in out and "\x1f" not in out


# --- Markdown --------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["1", "3", "6"])
@pytest.mark.parametrize("evidence", ["bundled", "everything"])
def test_markdown_every_internal_link_lands_on_a_heading(
    runner: CliRunner, level: str, evidence: str
) -> None:
    args = ["-e", str(evidence_dir())] + (
        ["-e", str(SYNTHETIC)] if evidence == "everything" else []
    )
    text = runner.invoke(
        app, ["digest", "--heading-level", level, *args], catch_exceptions=False
    ).stdout
    anchors = md_anchors(text)
    inside = [unquote(href[1:]) for href, _ in md_links(text) if href.startswith("#")]
    assert len(inside) > 40
    assert sorted(set(inside) - set(anchors)) == []
    assert "\x1f" not in text and "_" not in "".join(inside)  # every id became an anchor


def test_markdown_contents_follow_the_title(bundled: DigestView) -> None:
    text = render("markdown", "digest", view=bundled)
    tokens = MD.parse(text)
    assert tokens[0].type == "heading_open"
    assert inline_text(tokens[4]) == "Contents"
    headings = dict(zip(md_anchors(text), [t for _, t in md_headings(text)], strict=True))
    first_list = text.split("\n\n")[2]
    targets = [unquote(href[1:]) for href, _ in md_links(first_list)]
    assert [headings[t] for t in targets] == [
        "Overview",
        "Summary of findings",
        "Overall survival",
        "Relapse-free survival",
        "Complete MRD response",
        "Studies",
        "BLAST — Blinatumomab for minimal residual disease in adults with B-cell precursor "
        "acute lymphoblastic leukemia",
        "E1910 — Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults",
        "Safety",
        "Limitations",
        "References",
        "Quotes",
        "BLAST",
        "E1910",
    ]
    # Repeated headings get numbered anchors: the digest's Safety follows each study's.
    assert targets[8] == "safety-2" and targets[12] == "blast-1"


def test_markdown_every_source_mark_links_to_its_own_quotes(everything: DigestView) -> None:
    text = render("markdown", "digest", view=everything)
    anchors = md_anchors(text)
    headings = md_headings(text)
    # Under each study's heading in Quotes, one heading per source: "[memo] secondary summary".
    quotes_at = next(i for i, (level, t) in enumerate(headings) if (level, t) == (2, "Quotes"))
    owner: dict[str, tuple[str, str]] = {}
    study = ""
    for (level, heading), slug in list(zip(headings, anchors, strict=True))[quotes_at + 1 :]:
        if level == 3:
            study = heading
        elif level == 4:
            owner[slug] = (study, MARK.match(heading).group(1))  # type: ignore[union-attr]
    acronym = {s.id: s.acronym for s in everything.studies}
    marks = [(href, t) for href, t in md_links(text) if MARK.fullmatch(t)]
    assert len(marks) > 100
    assert {unquote(href[1:]) for href, _ in marks} <= set(owner)
    cited = {owner[unquote(href[1:])] for href, _ in marks}
    assert ("E1910", "memo") in cited and ("SYN-3ARM", "syn") in cited
    # No mark outside References and Quotes is left as plain text.
    before = text[: text.index("\n## References")]
    assert MARK.findall(re.sub(r"\[\\\[[a-z0-9-]+\\\]\]\(#[^)]*\)", "", before)) == []
    # Each study's section marks lead to its own quotes.
    for view in everything.studies:
        start = text.index(f"\n### {view.acronym} — ")
        end = min(text.find(h, start + 1) % len(text) for h in ("\n### ", "\n## "))
        studied = {
            owner[unquote(h[1:])][0] for h, t in md_links(text[start:end]) if MARK.fullmatch(t)
        }
        assert studied == {acronym[view.id]}


def test_markdown_quote_groups_link_back_to_references(bundled: DigestView) -> None:
    text = render("markdown", "digest", view=bundled)
    headings = dict(zip(md_anchors(text), md_headings(text), strict=True))
    back = [href for href, t in md_links(text) if t == "(in References)"]
    assert len(back) == 4
    assert [headings[unquote(h[1:])] for h in back] == [
        (3, "BLAST"),
        (3, "BLAST"),
        (3, "E1910"),
        (3, "E1910"),
    ]
    assert back[0] != back[2]  # each study's own References heading


# --- Anchors as GitHub makes them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Overall survival", "overall-survival"),
        ("foo bar baz", "foo-bar-baz"),
        ("E1910 — Blinatumomab for MRD-Negative ALL", "e1910--blinatumomab-for-mrd-negative-all"),
        ("[memo] secondary summary", "memo-secondary-summary"),
        ("Привет non-latin 你好", "привет-non-latin-你好"),
        ("😄 emoji", "-emoji"),
        ("MRD-negative <10⁻⁴", "mrd-negative-10"),
        ("snake_case & co.", "snake_case--co"),
    ],
)
def test_github_slug(text: str, slug: str) -> None:
    assert github_slug(text) == slug


def test_repeated_headings_are_numbered_as_github_does() -> None:
    slugger = Slugger()
    assert [slugger.slug(t) for t in ["foo", "foo", "bar", "foo", "foo-1"]] == [
        "foo",
        "foo-1",
        "bar",
        "foo-2",
        "foo-1-1",
    ]


def test_heading_text_resolves_escapes_and_drops_closing_hashes() -> None:
    assert heading_text(r" \[abstract\] 1\. a \#b ## ") == "[abstract] 1. a #b"


def test_links_are_rewritten_to_their_headings() -> None:
    text = (
        f"# Title\n\n- [a](#x_a)\n- [b](#x_b)\n- [c](#elsewhere)\n\n## Safety{marker('x_a')}\n\n"
        f"## Safety {marker('x_b', 'x_c')}\n\nsee [c](#x_c)\n"
    )
    assert resolve_targets(text, "t") == (
        "# Title\n\n- [a](#safety)\n- [b](#safety-1)\n- [c](#elsewhere)\n\n## Safety\n\n"
        "## Safety\n\nsee [c](#safety-1)\n"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"para {marker('x')}\n", "not on a heading line"),
        (f"## a{marker('x')}\n## b{marker('x')}\n", "marks a second heading"),
        (f"```\n# a{marker('x')}\n```\n", "inside a fenced code block"),
    ],
)
def test_a_misplaced_target_is_a_template_problem(text: str, problem: str) -> None:
    with pytest.raises(TemplateProblem, match=problem):
        resolve_targets(text, "markdown/digest.md.j2")


def test_target_takes_ids_only() -> None:
    with pytest.raises(ValueError, match="target"):
        marker("Not an id")


def test_evidence_text_cannot_mark_a_heading(tmp_path: Path, runner: CliRunner) -> None:
    """A title holding the marker's character prints it as an escape: it moves no link."""
    text = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "evidence"
    folder.mkdir()
    forged = text.replace("title: ", 'title: "\\x1fquotes_e1910_memo\\x1f" # ', 1)
    (folder / "e1910.yaml").write_text(forged, encoding="utf-8")
    out = runner.invoke(app, ["digest", "-e", str(folder)], catch_exceptions=False).stdout
    assert "\x1f" not in out and "\\x1fquotes_e1910_memo\\x1f" in md_text(out)
    headings = dict(zip(md_anchors(out), md_headings(out), strict=True))
    memo = {unquote(h[1:]) for h, t in md_links(out) if t == "[memo]"}
    assert [headings[m] for m in memo] == [(4, "[memo] secondary summary")]
