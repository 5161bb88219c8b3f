"""HTML documents: every view rendered through templates/html, read back with html.parser.

Each document must be one self-contained page (doctype, lang, inline CSS, no script,
nothing fetched), its tables semantic (caption, scoped headers), its evidence text
escaped, and its figures the same as the Markdown twin's, since both render one view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir, templates_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Study
from blinacli.render.documents import render
from blinacli.views.compare import compare_view
from blinacli.views.digest import digest_view
from blinacli.views.listing import list_view
from blinacli.views.outcomes import endpoints_view, outcomes_view
from blinacli.views.safety import safety_view
from blinacli.views.show import study_view
from tests.markdown_reading import md_headings, md_text

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
EVIDENCE = Path(__file__).parent.parent / "evidence"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_QUOTE = 'Patients & "controls": 224 randomized <b>in two groups</b>'
E1910_HR = "HR 0.41 (95% CI 0.23–0.73)"
BLAST_MEDIAN = "median 36.5 months (95% CI 22.0 to not estimable)"
E1910_MRD = "MRD-negative <10⁻⁴"
SCOPES = {"col", "row", "rowgroup", "colgroup"}
VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col", "area", "base"}


# --- Reading HTML ------------------------------------------------------------------------


@dataclass
class Table:
    caption: str = ""
    in_thead: list[bool] = field(default_factory=list)
    """For each <th>, whether it sits in <thead>."""
    scopes: list[str | None] = field(default_factory=list)
    """The scope of each <th>, in order."""
    cells: list[str] = field(default_factory=list)
    """The visible text of every <th> and <td>."""
    thead: bool = False


class Page(HTMLParser):
    """What a reader gets from a document: its tags, visible text, tables and headings."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: list[Table] = []
        self.style = ""
        self.title = ""
        self.open_elements: list[str] = []
        self._parts: list[str] = []
        self._capture: list[list[str]] = []
        self.feed(html)
        self.close()
        self.text = " ".join("".join(self._parts).split())

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._parts.append(" ")
        if tag in VOID:
            return
        self.open_elements.append(tag)
        if tag in ("caption", "th", "td") or re.fullmatch(r"h[1-6]", tag):
            self._capture.append([])
        if tag == "table":
            self.tables.append(Table())
        elif tag == "thead":
            self.tables[-1].thead = True
        elif tag == "th":
            self.tables[-1].scopes.append(dict(attrs).get("scope"))
            self.tables[-1].in_thead.append("thead" in self.open_elements)

    def handle_endtag(self, tag: str) -> None:
        self._parts.append(" ")
        assert self.open_elements and self.open_elements[-1] == tag, (
            f"</{tag}> closes {self.open_elements[-1:]}"
        )
        self.open_elements.pop()
        if tag in ("caption", "th", "td") or re.fullmatch(r"h[1-6]", tag):
            text = " ".join("".join(self._capture.pop()).split())
            if tag == "caption":
                self.tables[-1].caption = text
            elif tag in ("th", "td"):
                self.tables[-1].cells.append(text)
            else:
                self.headings.append((int(tag[1]), text))

    def handle_data(self, data: str) -> None:
        if self.open_elements and self.open_elements[-1] == "style":
            self.style += data
            return
        if self.open_elements and self.open_elements[-1] == "title":
            self.title += data
            return
        self._parts.append(data)
        for captured in self._capture:
            captured.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def read(html: str) -> Page:
    return Page(html)


# --- Views -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    return loader.load([evidence_dir(), SYNTHETIC]).studies


def by_id(studies: list[Study], *ids: str) -> list[Study]:
    found = {s.id: s for s in studies}
    return [found[i] for i in ids]


# name: (template, how to build its view from the studies)
Build = Callable[[list[Study]], Any]
VIEWS: dict[str, tuple[str, Build]] = {
    "list": ("list", list_view),
    "show-e1910": ("show", lambda s: study_view(by_id(s, "e1910")[0])),
    "show-blast": ("show", lambda s: study_view(by_id(s, "blast")[0])),
    "show-three-arm": ("show", lambda s: study_view(by_id(s, "syn-three-arm")[0])),
    "show-no-safety": ("show", lambda s: study_view(by_id(s, "syn-single-arm")[0])),
    "compare": ("compare", lambda s: compare_view(by_id(s, "blast", "e1910", "syn-three-arm"))),
    "outcomes-os": ("outcomes", lambda s: outcomes_view(s, "os")),
    "outcomes-rfs": ("outcomes", lambda s: outcomes_view(s, "rfs")),
    "outcomes-none": ("outcomes", lambda s: outcomes_view(s, "pfs")),
    "endpoints": ("endpoints", endpoints_view),
    "safety": ("safety", safety_view),
}


def html_of(name: str, studies: list[Study], **context: Any) -> str:
    template, build = VIEWS[name]
    return render("html", template, view=build(studies), **context)


# --- The document ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_view_is_one_self_contained_page(studies: list[Study], name: str) -> None:
    html = html_of(name, studies)
    page = read(html)
    assert html.startswith("<!DOCTYPE html>\n")
    assert page.doctype == "DOCTYPE html"
    assert page.all("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in page.all("meta")
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.all(
        "meta"
    )
    assert page.title
    assert len(page.all("main")) == 1
    assert len(page.all("style")) == 1
    assert "@media print" in page.style
    assert page.open_elements == [], f"unclosed elements: {page.open_elements}"


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_no_script_and_nothing_fetched(studies: list[Study], name: str) -> None:
    page = read(html_of(name, studies))
    assert page.all("script") == []
    assert not [tag for tag, _ in page.tags if tag in ("link", "img", "iframe", "object")]
    assert not [(tag, attrs) for tag, attrs in page.tags if "src" in attrs]
    assert not [(tag, attrs) for tag, attrs in page.tags if "href" in attrs and tag != "a"]
    assert not [(tag, attrs) for tag, attrs in page.tags if any(a.startswith("on") for a in attrs)]
    assert "url(" not in page.style
    assert "@import" not in page.style


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_table_has_a_caption_and_scoped_headers(studies: list[Study], name: str) -> None:
    page = read(html_of(name, studies))
    for table in page.tables:
        assert table.caption, f"a table without a caption in {name}"
        assert table.thead, f"table {table.caption!r} has no <thead>"
        assert all(scope in SCOPES for scope in table.scopes), (table.caption, table.scopes)
        heads = [s for s, head in zip(table.scopes, table.in_thead, strict=True) if head]
        assert heads and set(heads) == {"col"}, table.caption
        body = [s for s, head in zip(table.scopes, table.in_thead, strict=True) if not head]
        assert body, f"table {table.caption!r} has no row headers"
    if name != "outcomes-none":
        assert page.tables, f"{name} renders no table"


@pytest.mark.parametrize(("name", "heading"), [
    ("list", "Studies"),
    ("show-e1910", "E1910 — Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults"),
    ("compare", "Comparison: BLAST vs E1910 vs SYN-3ARM"),
    ("outcomes-os", "Overall survival: summary of findings"),
    ("endpoints", "Endpoints"),
    ("safety", "Safety across studies"),
])  # fmt: skip
def test_top_heading_follows_level(studies: list[Study], name: str, heading: str) -> None:
    assert read(html_of(name, studies)).headings[0] == (1, heading)
    deeper = read(html_of(name, studies, level=3)).headings
    assert deeper[0] == (3, heading)
    assert min(level for level, _ in deeper) == 3
    assert read(html_of(name, studies, level=9)).headings[0] == (6, heading)


def test_show_sections_sit_one_level_below_the_study(studies: list[Study]) -> None:
    headings = read(html_of("show-e1910", studies, level=2)).headings
    assert headings[1:9] == [
        (3, "Design"),
        (3, "Population"),
        (3, "Dosing"),
        (4, "Blinatumomab + chemotherapy"),
        (4, "Chemotherapy alone"),
        (3, "Outcomes"),
        (3, "Safety"),
        (3, "Key points and conclusions"),
    ]
    assert [text for _, text in headings[-2:]] == ["Sources", "Quotes"]
    assert {level for level, _ in read(html_of("show-e1910", studies, level=6)).headings} == {6}


# --- The figures -------------------------------------------------------------------------


def test_done_when_figures_appear_as_text(studies: list[Study]) -> None:
    e1910 = read(html_of("show-e1910", studies))
    blast = read(html_of("show-blast", studies))
    assert f"Hazard ratio for death: {E1910_HR}; P = 0.002" in e1910.tables[0].cells
    assert BLAST_MEDIAN in blast.tables[0].cells
    assert f"{E1910_MRD} (source: “<0.01% leukemic cells in bone marrow”)" in e1910.text
    html = html_of("list", studies)
    assert "MRD-negative &lt;10⁻⁴" in html
    assert E1910_MRD in read(html).text
    assert E1910_HR in read(html).text


def test_outcome_table_groups_rows_by_outcome(studies: list[Study]) -> None:
    table = read(html_of("show-e1910", studies)).tables[0]
    assert table.caption == "E1910 outcomes, per group and between groups"
    assert table.cells[:7] == [
        "Outcome",
        "Population",
        "Timepoint",
        "Role",
        "Group",
        "Result",
        "Sources",
    ]
    assert table.cells[7:14] == [
        "Overall survival at 3 years",
        "not stated",
        "3 years",
        "primary",
        "Blinatumomab + chemotherapy",
        "85%",
        "[memo]",
    ]
    assert table.cells[14:17] == ["Chemotherapy alone", "68%", "[memo]"]
    # One row header per outcome (rowgroup); one per group, comparison and derived figure.
    assert table.scopes.count("rowgroup") == 2
    assert table.scopes.count("row") == 10
    assert table.cells[20:23] == [
        "† Blinatumomab + chemotherapy vs Chemotherapy alone",
        "† difference +17 percentage points; number needed to treat 6",
        "from 85% vs 68% at 3 years",
    ]


def test_sof_table_has_the_other_groups_column_only_when_needed(studies: list[Study]) -> None:
    os_table = read(html_of("outcomes-os", studies)).tables[0]
    assert "Other groups" in os_table.cells[:12]
    assert "Examplumab low dose: 77.0% (Kaplan-Meier)" in os_table.cells
    rfs_table = read(html_of("outcomes-rfs", studies)).tables[0]
    assert rfs_table.cells[7:9] == ["Groups compared", "Relative effect"]  # BLAST's landmark row
    assert "Other groups" not in rfs_table.cells


def test_outcomes_without_rows_say_so(studies: list[Study]) -> None:
    page = read(html_of("outcomes-none", studies))
    assert page.tables == []
    assert "No study in use reports progression-free survival." in page.text


def test_safety_has_a_study_column_and_show_has_not(studies: list[Study]) -> None:
    across = read(html_of("safety", studies)).tables[0]
    assert across.cells[:8] == [
        "Study",
        "Event",
        "Grade",
        "Arm",
        "n (%)",
        "Of",
        "Timing",
        "Sources",
    ]
    assert across.cells[8:12] == ["BLAST", "neurologic events", "3", "Blinatumomab"]
    page = read(html_of("show-three-arm", studies))
    one = next(t for t in page.tables if t.caption == "SYN-3ARM adverse events")
    assert one.cells[:7] == ["Event", "Grade", "Arm", "n (%)", "Of", "Timing", "Sources"]
    assert (
        "Note (BLAST): The abstract does not state the denominator"
        in read(html_of("safety", studies)).text
    )


def test_empty_safety_says_what_the_view_asks(studies: list[Study]) -> None:
    assert "No safety data recorded." in read(html_of("show-no-safety", studies)).text
    html = render("html", "safety", view=safety_view(studies, category="no such event"))
    page = read(html)
    assert page.tables == []
    assert "No safety data matches." in page.text
    assert "Showing category or term containing “no such event”." in page.text


def test_compare_marks_differing_rows(studies: list[Study]) -> None:
    view = compare_view(by_id(studies, "blast", "e1910", "syn-three-arm"))
    html = render("html", "compare", view=view)
    page = read(html)
    rows = [row for section in view.sections for row in section.rows]
    marked = [attrs for attrs in page.all("tr") if attrs.get("class") == "differs"]
    assert len(marked) == sum(row.differs for row in rows) > 0
    labels = [t.cells for t in page.tables]
    for row in rows:
        label = f"≠ {row.label}" if row.differs else row.label
        assert any(label in cells for cells in labels), label
    assert "≠ marks a row where the studies differ; [id] names the source of a figure." in (
        page.text
    )
    assert [t.caption for t in page.tables][:2] == [
        "Citation and sources: BLAST vs E1910 vs SYN-3ARM",
        "Design: BLAST vs E1910 vs SYN-3ARM",
    ]
    outcomes = page.tables[[s.name for s in view.sections].index("outcomes")]
    assert "Overall survival" in outcomes.cells
    assert "rowgroup" in outcomes.scopes


# --- The Markdown twin -------------------------------------------------------------------


def figures(name: str, view: Any) -> list[str]:
    """The display strings of every figure a view holds, by the view's own fields."""
    if name == "list":
        return [s for r in view.rows for s in (r.n, r.headline, r.population)]
    if name.startswith("show"):
        values = [r.value for o in view.outcomes for r in o.results]
        values += [o.comparison for o in view.outcomes if o.comparison]
        values += [e.count for e in view.events] + [i.value for i in view.design]
        return values
    if name == "compare":
        return [c.text for s in view.sections for r in s.rows for c in r.cells]
    if name.startswith("outcomes"):
        return [
            s
            for r in view.rows
            for s in (
                r.intervention,
                r.comparator,
                r.relative_effect,
                r.participants_studies,
                r.absolute.text,
            )
        ]
    if name == "endpoints":
        return [s for r in view.rows for s in (r.endpoint, r.name)]
    return [e.count for e in view.events] + [s.text for s in view.statements]


@pytest.mark.parametrize("name", sorted(set(VIEWS) - {"outcomes-none"}))
def test_the_same_figures_as_the_markdown_twin(studies: list[Study], name: str) -> None:
    template, build = VIEWS[name]
    view = build(studies)
    html_text = read(render("html", template, view=view)).text
    markdown = " ".join(md_text(render("markdown", template, view=view)).split())
    shown = [" ".join(value.split()) for value in figures(name, view) if value]
    assert shown
    missing = [s for s in shown if s not in html_text or s not in markdown]
    assert not missing


# --- Escaping ----------------------------------------------------------------------------


def hostile_evidence(tmp_path: Path) -> Path:
    """E1910 with a script for a title and a quote holding &, " and a tag."""
    text = (EVIDENCE / "e1910.yaml").read_text(encoding="utf-8")
    text, titles = re.subn(
        r"^title: .*$", f'title: "{HOSTILE_TITLE}"', text, count=1, flags=re.MULTILINE
    )
    text, quotes = re.subn(
        r"quote: 224 patients randomized to two groups of 112 each",
        "quote: '" + HOSTILE_QUOTE.replace("'", "''") + "'",
        text,
        count=1,
    )
    assert (titles, quotes) == (1, 1)
    directory = tmp_path / "evidence"
    directory.mkdir()
    (directory / "e1910.yaml").write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    "args",
    [
        ["show", "e1910", "--full"],
        ["compare", "e1910", "blast"],
        ["digest"],
    ],
    ids=["show", "compare", "digest"],
)
def test_evidence_text_is_escaped(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    evidence = hostile_evidence(tmp_path)
    if "blast" in args:
        (evidence / "blast.yaml").write_bytes((EVIDENCE / "blast.yaml").read_bytes())
    result = runner.invoke(
        app, [*args, "--format", "html", "-e", str(evidence)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    page = read(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert page.all("script") == []
    assert HOSTILE_TITLE in page.text
    assert page.all("b") == []
    if args[0] != "compare":  # compare shows no quotes
        assert "Patients &amp; &#34;controls&#34;: 224 randomized &lt;b&gt;" in html
        assert HOSTILE_QUOTE in page.text
    if args[0] in ("show", "digest"):
        assert any(HOSTILE_TITLE in text for _, text in page.headings)


# --- The command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["list"], "list"),
        (["show", "e1910", "--full"], "show-e1910"),
        (["compare", "blast", "e1910", "syn-three-arm"], "compare"),
        (["outcomes", "os"], "outcomes-os"),
        (["outcomes", "--list"], "endpoints"),
        (["safety"], "safety"),
    ],
    ids=["list", "show", "compare", "outcomes", "outcomes-list", "safety"],
)
def test_format_html_prints_the_template(
    runner: CliRunner, studies: list[Study], args: list[str], name: str
) -> None:
    evidence = ["-e", str(evidence_dir()), "-e", str(SYNTHETIC)]
    result = runner.invoke(app, [*args, "--format", "html", *evidence], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == html_of(name, studies)


def test_digest_html_has_every_section_in_order(runner: CliRunner) -> None:
    result = runner.invoke(app, ["digest", "--format", "html"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    page = read(result.stdout)
    assert [t for level, t in page.headings if level == 2] == [
        "Overview",
        "Summary of findings",
        "Studies",
        "Safety",
        "Limitations",
        "References",
        "Quotes",
    ]
    assert page.headings[0] == (1, "Evidence digest")
    assert [a for a in page.all("table") if a.get("id") == "overview"] == [
        {"class": "overview cards", "id": "overview"}
    ]
    assert "Built from 2 studies in 2 evidence files with blinacli" in page.text
    links = {attrs["href"] for attrs in page.all("a")}
    assert {
        "https://doi.org/10.1056/NEJMoa2312948",
        "https://pubmed.ncbi.nlm.nih.gov/39047240/",
        "https://clinicaltrials.gov/study/NCT02003222",
        "https://doi.org/10.1182/blood-2017-08-798322",
    } <= links
    assert E1910_HR in page.text and BLAST_MEDIAN in page.text
    markdown = runner.invoke(app, ["digest"], catch_exceptions=False).stdout
    assert [t for level, t in md_headings(markdown) if level == 2] == [
        t for level, t in page.headings if level == 2
    ]


def test_digest_html_shows_the_figures_of_its_markdown_twin(studies: list[Study]) -> None:
    view = digest_view(studies, [f"{s.id}.yaml" for s in studies], title=None, date=None)
    page = read(render("html", "digest", view=view))
    markdown = " ".join(md_text(render("markdown", "digest", view=view)).split())
    shown = [r.relative_effect for sof in view.endpoints for r in sof.rows]
    shown += [r.value for study in view.studies for o in study.outcomes for r in o.results]
    shown += [e.count for e in view.safety.events] + [s.text for s in view.safety.statements]
    shown += [q.quote for group in view.quotes for q in group.quotes]
    shown += [link.text for ref in view.references for link in ref.links]
    shown = [" ".join(value.split()) for value in shown]
    assert len(shown) > 50
    assert [s for s in shown if s not in page.text or s not in markdown] == []
    urls = [link.url for ref in view.references for link in ref.links if link.url]
    assert urls and set(urls) <= {attrs["href"] for attrs in page.all("a")}
    assert all(table.caption for table in page.tables)


def test_digest_html_level_and_quote_numbers(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["digest", "--format", "html", "--heading-level", "2"], catch_exceptions=False
    )
    page = read(result.stdout)
    assert page.headings[0] == (2, "Evidence digest")
    assert (4, "BLAST — Blinatumomab for minimal residual disease in adults with B-cell "
            "precursor acute lymphoblastic leukemia") in page.headings  # fmt: skip
    assert (5, "Design") in page.headings
    starts = [int(attrs["start"] or 0) for attrs in page.all("ol")]
    assert starts[0] == 1 and starts == sorted(starts)
    values = [int(attrs["value"] or 0) for attrs in page.all("li") if "value" in attrs]
    assert values == list(range(1, len(values) + 1))


# --- The stylesheet ----------------------------------------------------------------------


def test_stylesheet_covers_phone_print_and_focus() -> None:
    css = (templates_dir() / "html" / "_style.css.j2").read_text(encoding="utf-8")
    assert ".table-wrap { max-width: 100%; overflow-x: auto;" in css
    assert "@media screen and (max-width: 40rem)" in css
    assert "@media print" in css
    assert 'a[href^="http"]::after { content: " <" attr(href) ">";' in css
    assert "break-inside: avoid" in css
    assert ":focus-visible" in css
    assert ".derived {" in css and ".sources {" in css
    assert "font-family: system-ui" in css


def test_every_table_sits_in_a_scrollable_wrapper(studies: list[Study]) -> None:
    html = html_of("outcomes-os", studies) + html_of("compare", studies)
    # Tables each scroll inside their own wrapper; a forest plot is drawn twice (for a
    # wide screen and for a phone), each drawing as wide as the screen at most.
    assert html.count("<table") == html.count('<div class="table-wrap"')
    assert html.count('<figure class="forest"') == 1
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="forest-wide"') == 1
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="forest-narrow"') == 1
