"""digest: the evidence base as one deterministic, traceable document, and writing it safely."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from markdown_it.token import Token
from typer.testing import CliRunner

import blinacli.views.digest
from blinacli import __version__
from blinacli.base.errors import BlinacliError
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.render.output import OutputError, write_output
from blinacli.views.digest import DEFAULT_TITLE, NONE_STATED, digest_view, registry_url
from blinacli.views.show import study_view
from tests.markdown_reading import (
    MD,
    SOF_BETWEEN_GROUPS,
    SOF_WITH_DERIVED,
    inline_text,
    md_headings,
    md_tables,
    tables_in,
)

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic"
WITH_SYNTHETIC = ["-e", str(evidence_dir()), "-e", str(SYNTHETIC)]
OVERVIEW_HEADER = ["Study", "Design", "Population", "N", "Headline result"]
BUNDLED_ENDPOINTS = ["Overall survival", "Relapse-free survival", "Complete MRD response"]
SOURCE_ID = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]")


def digest(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> str:
    """The digest's stdout; the command must succeed."""
    result = runner.invoke(app, ["digest", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def section(markdown: str, title: str, level: int = 2) -> list[Token]:
    """The tokens under the heading ``title`` of ``level``, up to the next one as high."""
    tokens = MD.parse(markdown)
    start = next(
        i
        for i, t in enumerate(tokens)
        if t.tag == f"h{level}" and t.type == "heading_open" and inline_text(tokens[i + 1]) == title
    )
    end = next(
        (
            i
            for i in range(start + 3, len(tokens))
            if tokens[i].type == "heading_open" and int(tokens[i].tag[1:]) <= level
        ),
        len(tokens),
    )
    return tokens[start + 3 : end]


def section_text(tokens: list[Token]) -> list[str]:
    return [inline_text(t) for t in tokens if t.type == "inline"]


def sub_headings(tokens: list[Token]) -> list[str]:
    return [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]


# --- The view -------------------------------------------------------------------------------


def bundled_view(
    title: str | None = None, date: str | None = None
) -> blinacli.views.digest.DigestView:
    found = loader.load(None)
    files = [found.file_of(s) for s in found.studies]
    return digest_view(found.studies, files, title=title, date=date)


def synthetic_view() -> blinacli.views.digest.DigestView:
    found = loader.load([evidence_dir(), SYNTHETIC])
    files = [found.file_of(s) for s in found.studies]
    return digest_view(found.studies, files, title=None, date=None)


def test_view_says_what_it_was_built_from() -> None:
    view = bundled_view(date="1970-01-01")
    assert view.title == DEFAULT_TITLE == "Evidence digest"
    assert view.date == "1970-01-01"
    assert view.version == __version__
    assert view.study_count == 2
    assert [Path(f).name for f in view.files] == ["blast.yaml", "e1910.yaml"]
    assert [row.acronym for row in view.overview.rows] == ["BLAST", "E1910"]
    assert [s.acronym for s in view.studies] == ["BLAST", "E1910"]
    assert [r.acronym for r in view.references] == ["BLAST", "E1910"]


@pytest.mark.parametrize(
    ("given", "shown"), [(None, DEFAULT_TITLE), ("  ", DEFAULT_TITLE), ("X", "X")]
)
def test_view_title(given: str | None, shown: str) -> None:
    assert bundled_view(title=given).title == shown


def test_view_lists_each_file_once_in_the_order_given() -> None:
    found = loader.load(None)
    view = digest_view(found.studies, ["b.yaml", "a.yaml", "b.yaml"], title=None, date=None)
    assert view.files == ["b.yaml", "a.yaml"]


def test_view_endpoints_follow_the_vocabulary() -> None:
    view = bundled_view()
    assert [e.endpoint for e in view.endpoints] == [
        "overall-survival",
        "relapse-free-survival",
        "complete-mrd-response",
    ]
    assert [e.covers for e in view.endpoints] == [[e.endpoint] for e in view.endpoints]
    assert view.endpoints[2].not_reported_by == ["E1910"]


def test_every_analysis_is_in_exactly_one_endpoint_table() -> None:
    """complete-mrd-response is narrower than mrd-response, yet appears only in its own table."""
    found = loader.load([evidence_dir(), SYNTHETIC])
    view = synthetic_view()
    shown = [(row.study_id, row.outcome_id) for sof in view.endpoints for row in sof.rows]
    every = [(s.id, o.id) for s in found.studies for o in s.outcomes]
    assert sorted(shown) == sorted(every)
    assert len(shown) == len(set(shown))
    by_term = {sof.endpoint: [row.acronym for row in sof.rows] for sof in view.endpoints}
    assert by_term["complete-mrd-response"] == ["BLAST", "SYN-OR"]
    assert by_term["mrd-response"] == ["SYN-PED"]
    assert by_term["event-free-survival"] == ["SYN-3ARM"]
    for sof in view.endpoints:
        assert {row.endpoint for row in sof.rows} == {sof.endpoint}


def test_view_quotes_are_every_study_quote_numbered_once() -> None:
    view = synthetic_view()
    quotes = [q for group in view.quotes for q in group.quotes]
    assert [q.number for q in quotes] == list(range(1, len(quotes) + 1))
    expected = [(s.id, q.source, q.quote) for s in view.studies for q in s.quotes]
    assert sorted((q.study_id, q.source, q.quote) for q in quotes) == sorted(expected)
    for group in view.quotes:
        assert {(q.study_id, q.source) for q in group.quotes} == {(group.study_id, group.source)}


def test_every_figure_source_has_quotes_in_the_view() -> None:
    """Each [id] a table prints for a study leads to at least one quote of that study's id."""
    view = synthetic_view()
    quoted = {(g.study_id, g.source) for g in view.quotes}
    cited = {(r.study_id, s) for sof in view.endpoints for r in sof.rows for s in r.sources}
    cited |= {(r.id, s) for r in view.overview.rows for s in r.headline_sources}
    cited |= {(e.study_id, s) for e in view.safety.events for s in e.sources}
    cited |= {(e.study_id, s) for e in view.safety.statements for s in e.sources}
    for study in view.studies:
        cited |= {(study.id, s) for o in study.outcomes for r in o.results for s in r.sources}
        cited |= {(study.id, s) for item in study.design for s in item.sources}
    assert cited
    assert cited <= quoted


def test_view_limitations_say_none_stated() -> None:
    by_study = {item.acronym: item for item in synthetic_view().limitations}
    assert by_study["BLAST"].claims == []
    assert by_study["BLAST"].none_stated == NONE_STATED == "None stated by the sources"
    assert by_study["BLAST"].notes == ["The abstract states no limitations of its own."]
    three_arm = by_study["SYN-3ARM"]
    assert [c.text for c in three_arm.claims] == ["Synthetic limitation for tests."]
    assert three_arm.none_stated is None
    assert three_arm.notes == []


def test_view_references_link_identifiers() -> None:
    refs = {r.acronym: r for r in bundled_view().references}
    e1910 = {link.label: (link.text, link.url) for link in refs["E1910"].links}
    assert e1910 == {
        "DOI": ("10.1056/NEJMoa2312948", "https://doi.org/10.1056/NEJMoa2312948"),
        "PMID": ("39047240", "https://pubmed.ncbi.nlm.nih.gov/39047240/"),
        "PMCID": ("PMC11334054", "https://pmc.ncbi.nlm.nih.gov/articles/PMC11334054/"),
        "ClinicalTrials.gov": ("NCT02003222", "https://clinicaltrials.gov/study/NCT02003222"),
    }
    assert [s.id for s in refs["E1910"].sources] == ["memo", "facts"]
    assert refs["BLAST"].citation == study_view(loader.load(None).find("blast")).citation


@pytest.mark.parametrize(
    ("registry", "trial", "url"),
    [
        ("ClinicalTrials.gov", "NCT01207388", "https://clinicaltrials.gov/study/NCT01207388"),
        ("EudraCT", "2010-018314-35", None),
        ("ClinicalTrials.gov", "ECOG-E1910", None),
    ],
)
def test_registry_links_only_clinicaltrials_gov(registry: str, trial: str, url: str | None) -> None:
    assert registry_url(registry, trial) == url


# --- Determinism and the date -------------------------------------------------------------


def test_same_input_gives_identical_bytes_with_the_date(runner: CliRunner) -> None:
    """Done-when: SOURCE_DATE_EPOCH=0 twice gives identical bytes, dated 1970-01-01."""
    first = digest(runner, "--format", "markdown", env={"SOURCE_DATE_EPOCH": "0"})
    second = digest(runner, "--format", "markdown", env={"SOURCE_DATE_EPOCH": "0"})
    assert first.encode() == second.encode()
    assert f"with blinacli {__version__} on 1970-01-01:\n" in first
    assert len(md_tables(first)) > 0


def test_without_source_date_epoch_no_date_at_all(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    text = digest(runner)
    assert f"Built from 2 studies in 2 evidence files with blinacli {__version__}:\n" in text
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text)


@pytest.mark.parametrize("epoch", ["yesterday", "1.5", "99999999999999999999"])
def test_invalid_source_date_epoch_is_a_usage_error(runner: CliRunner, epoch: str) -> None:
    result = runner.invoke(app, ["digest"], env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "SOURCE_DATE_EPOCH must be whole seconds since 1970" in result.stderr


# --- The Markdown as a reader sees it -------------------------------------------------------


def test_one_summary_of_findings_table_per_endpoint(runner: CliRunner) -> None:
    text = digest(runner, env={"SOURCE_DATE_EPOCH": "0"})
    findings = section(text, "Summary of findings")
    assert sub_headings(findings) == BUNDLED_ENDPOINTS
    tables = tables_in(findings)
    # Every bundled endpoint has a derived figure (a Wilson interval, a difference
    # and NNT, an implied p), so each table has the "Derived †" column.
    # OS and RFS each hold BLAST's landmark row, a comparison of subgroups.
    assert [header for header, _ in tables] == [SOF_BETWEEN_GROUPS] * 2 + [SOF_WITH_DERIVED]
    assert [[row[0] for row in rows] for _, rows in tables] == [
        ["BLAST", "BLAST", "E1910"],
        ["BLAST", "BLAST", "E1910"],
        ["BLAST"],
    ]
    headers = [header for header, _ in md_tables(text)]
    assert (headers.count(SOF_BETWEEN_GROUPS), headers.count(SOF_WITH_DERIVED)) == (2, 1)
    # Each derived figure in the column is marked and names its group.
    assert tables_in(section(text, "Complete MRD response", 3))[0][1][0][9] == (
        "† Blinatumomab: 77.9% (Wilson 95% CI 69.4–84.5%)"
    )
    # A single-arm study's row says why it has no absolute effect.
    assert tables_in(section(text, "Complete MRD response", 3))[0][1][0][8] == (
        "no absolute effect: single-arm study, no comparator"
    )
    cmr = section(text, "Complete MRD response", 3)
    assert tables_in(cmr)[0][1][0][6] == "Blinatumomab: 88/113 (78%)"
    assert "Not reported by: E1910." in section_text(cmr)


def test_overview_table_has_one_row_per_study(runner: CliRunner) -> None:
    tables = tables_in(section(digest(runner), "Overview"))
    assert len(tables) == 1
    header, rows = tables[0]
    assert header == OVERVIEW_HEADER
    assert [row[0] for row in rows] == [
        "BLAST (blast), Gökbuget N 2018",
        "E1910 (e1910), Litzow MR 2024",
    ]


def test_overview_table_is_the_list_table(runner: CliRunner) -> None:
    """The overview shares its partial with `list`, so both show the same table."""
    listed = runner.invoke(app, ["list", "--format", "markdown"]).stdout
    assert tables_in(section(digest(runner), "Overview")) == md_tables(listed)


def test_top_level_sections_in_order(runner: CliRunner) -> None:
    headings = md_headings(digest(runner))
    assert headings[0] == (1, "Evidence digest")
    assert [text for level, text in headings if level == 2] == [
        "Overview",
        "Summary of findings",
        "Studies",
        "Safety",
        "Limitations",
        "References",
        "Quotes",
    ]


def test_heading_level_shifts_every_heading(runner: CliRunner) -> None:
    default = md_headings(digest(runner))
    shifted = md_headings(digest(runner, "--heading-level", "3"))
    assert shifted[0] == (3, "Evidence digest")
    assert [text for _, text in shifted] == [text for _, text in default]
    assert [min(level + 2, 6) for level, _ in default] == [level for level, _ in shifted]
    assert max(level for level, _ in shifted) == 6


def test_heading_level_six_flattens_to_six(runner: CliRunner) -> None:
    text = digest(runner, "--heading-level", "6")
    assert {level for level, _ in md_headings(text)} == {6}
    assert "#######" not in text


def test_title_option(runner: CliRunner) -> None:
    text = digest(runner, "--title", "Blinatumomab in MRD | ALL <review>")
    assert md_headings(text)[0] == (1, "Blinatumomab in MRD | ALL <review>")
    assert "Evidence digest" not in text


def test_markdown_is_clean(runner: CliRunner) -> None:
    """No raw HTML, no trailing whitespace, one final newline, no blank-line runs."""
    text = digest(runner, *WITH_SYNTHETIC)
    types = {t.type for t in MD.parse(text)} | {
        child.type for t in MD.parse(text) for child in t.children or []
    }
    assert not {"html_block", "html_inline"} & types
    assert not [line for line in text.split("\n") if line != line.rstrip()]
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text


def test_studies_section_has_each_study_without_repeating_quotes(runner: CliRunner) -> None:
    studies = section(digest(runner), "Studies")
    names = sub_headings(studies)
    assert names[0].startswith("BLAST — Blinatumomab for minimal residual disease")
    assert "E1910 — Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults" in names
    assert names.count("Design") == 2 and names.count("Limitations") == 2
    assert "Quotes" not in names and "Sources" not in names


def study_rows(text: str, acronyms: set[str]) -> list[tuple[str, str]]:
    """(study acronym, row text) for every table row.

    A cross-study table names the study in its first cell; any other table is in
    that study's section under Studies, headed two levels below the title.
    """
    tokens = MD.parse(text)
    study_level = int(tokens[0].tag[1:]) + 2
    found: list[tuple[str, str]] = []
    current, cells = "", []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and int(token.tag[1:]) == study_level:
            current = inline_text(tokens[i + 1]).split(" — ")[0]
        elif token.type in ("th_open", "td_open"):
            cells.append(inline_text(tokens[i + 1]))
        elif token.type == "tr_close":
            first = cells[0].split(" ")[0]
            found.append((first if first in acronyms else current, " ".join(cells)))
            cells = []
    return found


def quoted_sources(text: str) -> dict[tuple[str, str], int]:
    """(study acronym, source id) -> how many numbered quotes the Quotes section lists."""
    tokens = section(text, "Quotes")
    counts: dict[tuple[str, str], int] = {}
    study, source = "", ""
    study_level = min(int(t.tag[1:]) for t in tokens if t.type == "heading_open")
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and int(token.tag[1:]) == study_level:
            study = inline_text(tokens[i + 1])
        elif token.type == "heading_open":  # one source's quotes: "[memo] secondary summary"
            match = SOURCE_ID.match(inline_text(tokens[i + 1]))
            source = match.group(1) if match else ""
        elif token.type == "list_item_open" and token.info:
            counts[(study, source)] = counts.get((study, source), 0) + 1
    return counts


def test_every_source_in_a_table_has_quotes(runner: CliRunner) -> None:
    """From [memo] in any table a reader finds that study's [memo] quotes under Quotes."""
    text = digest(runner, *WITH_SYNTHETIC)
    quoted = quoted_sources(text)
    acronyms = {"BLAST", "E1910", "SYN-PED", "SYN-OR", "SYN-1ARM", "SYN-3ARM"}
    rows = study_rows(text, acronyms)
    cited = {(study, sid) for study, row in rows for sid in SOURCE_ID.findall(row)}
    assert ("E1910", "memo") in cited and ("SYN-3ARM", "syn") in cited
    assert {study for study, _ in cited} == acronyms
    missing = [pair for pair in sorted(cited) if not quoted.get(pair)]
    assert not missing


def test_quotes_are_numbered_and_verbatim(runner: CliRunner) -> None:
    text = digest(runner)
    tokens = section(text, "Quotes")
    starts = [int(t.attrGet("start") or 1) for t in tokens if t.type == "ordered_list_open"]
    items = [t for t in tokens if t.type == "list_item_open"]
    assert starts == [1, 22, 29, 45]
    assert [int(t.info) for t in items] == list(range(1, 53))
    assert sub_headings(tokens) == [
        "BLAST",
        "[abstract] journal abstract",
        "[facts] fact sheet",
        "E1910",
        "[memo] secondary summary",
        "[facts] fact sheet",
    ]
    assert (
        "“Median overall survival (OS) was 36.5 months.” (Median overall survival (OS), "
        "Blinatumomab)" in section_text(tokens)
    )
    assert quoted_sources(text) == {
        ("BLAST", "abstract"): 21,
        ("BLAST", "facts"): 7,
        ("E1910", "memo"): 16,
        ("E1910", "facts"): 8,
    }


def inline_text_of(tokens: list[Token], i: int, j: int) -> str:
    """The text of the link that opens at child ``j`` of inline token ``i``."""
    children = tokens[i].children or []
    return children[j + 1].content


def test_references_link_doi_pmid_and_registry(runner: CliRunner) -> None:
    tokens = section(digest(runner), "References")
    links = [
        (child.attrGet("href"), inline_text_of(tokens, i, j))
        for i, t in enumerate(tokens)
        if t.type == "inline"
        for j, child in enumerate(t.children or [])
        if child.type == "link_open"
    ]
    assert links == [
        ("https://doi.org/10.1182/blood-2017-08-798322", "10.1182/blood-2017-08-798322"),
        ("https://clinicaltrials.gov/study/NCT01207388", "NCT01207388"),
        ("https://doi.org/10.1056/NEJMoa2312948", "10.1056/NEJMoa2312948"),
        ("https://pubmed.ncbi.nlm.nih.gov/39047240/", "39047240"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC11334054/", "PMC11334054"),
        ("https://clinicaltrials.gov/study/NCT02003222", "NCT02003222"),
    ]
    text = section_text(tokens)
    assert any(
        line.startswith("Source [memo], secondary summary: HCN Medical Memo") for line in text
    )


def test_limitations_section(runner: CliRunner) -> None:
    text = section_text(section(digest(runner, *WITH_SYNTHETIC), "Limitations"))
    blast = text.index("BLAST")
    assert text[blast + 1 : blast + 3] == [
        "None stated by the sources.",
        "Curator's note: The abstract states no limitations of its own.",
    ]
    three_arm = text.index("SYN-3ARM")
    assert (
        text[three_arm + 1]
        == "“Synthetic limitation for tests.” — claim of the study's authors [syn]"
    )


def test_safety_across_studies_names_each_study(runner: CliRunner) -> None:
    tokens = section(digest(runner), "Safety")
    ((header, rows),) = tables_in(tokens)
    assert header[0] == "Study"
    assert {row[0] for row in rows} == {"BLAST"}
    assert any(line.startswith("E1910 — neuropsychiatric events") for line in section_text(tokens))


def test_filters_select_the_studies(runner: CliRunner) -> None:
    text = digest(runner, "--mrd", "negative")
    assert "Built from 1 study in 1 evidence file with blinacli" in text
    assert "BLAST" not in text
    headings = [t for _, t in md_headings(text)]
    assert (
        "E1910 — Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults" in headings
    )
    assert sub_headings(section(text, "Summary of findings")) == BUNDLED_ENDPOINTS[:2]
    assert [row[0] for row in tables_in(section(text, "Overview"))[0][1]] == [
        "E1910 (e1910), Litzow MR 2024"
    ]


def test_no_match_prints_nothing(runner: CliRunner) -> None:
    result = runner.invoke(app, ["digest", "--drug", "nothing-like-this"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no study matches the filters" in result.stderr


def test_synthetic_studies_have_an_event_free_survival_table(runner: CliRunner) -> None:
    text = digest(runner, *WITH_SYNTHETIC)
    assert "Event-free survival" in sub_headings(section(text, "Summary of findings"))
    ((header, rows),) = tables_in(section(text, "Event-free survival", 3))
    assert "Other groups" in header
    assert [row[0] for row in rows] == ["SYN-3ARM"]
    assert rows[0][header.index("Relative effect")] == "HR 0.45 (95% CI 0.31–0.66); P < 0.001"


# --- -o FILE -------------------------------------------------------------------------------------


def test_output_file_holds_the_same_bytes_as_stdout(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    env = {"SOURCE_DATE_EPOCH": "0"}
    written = runner.invoke(app, ["digest", "-o", str(target)], env=env)
    assert written.exit_code == 0
    assert written.stdout == ""
    assert target.read_bytes() == digest(runner, env=env).encode("utf-8")
    assert os.listdir(tmp_path) == ["digest.md"]


def test_output_replaces_an_existing_file_only_with_force(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "digest.md"
    target.write_text("old\n", encoding="utf-8")
    refused = runner.invoke(app, ["digest", "--output", str(target)])
    assert refused.exit_code == 1
    assert refused.stderr == f"error: {target} already exists; use --force to replace it\n"
    assert target.read_text(encoding="utf-8") == "old\n"
    assert runner.invoke(app, ["digest", "--output", str(target), "--force"]).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Evidence digest\n")


def failing_view(*args: object, **kwargs: object) -> None:
    raise BlinacliError("injected failure")


def test_failure_leaves_an_existing_file_untouched(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "digest.md"
    target.write_bytes(b"previous digest\n")
    monkeypatch.setattr(blinacli.views.digest, "digest_view", failing_view)
    result = runner.invoke(app, ["digest", "-o", str(target), "--force"])
    assert result.exit_code == 1
    assert result.stderr == "error: injected failure\n"
    assert target.read_bytes() == b"previous digest\n"
    assert os.listdir(tmp_path) == ["digest.md"]


def test_template_error_leaves_an_existing_file_untouched(
    runner: CliRunner, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    (templates / "markdown").mkdir(parents=True)
    (templates / "markdown" / "digest.md.j2").write_text("# {{ view.no_such_field }}\n")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "digest.md"
    target.write_bytes(b"previous digest\n")
    result = runner.invoke(
        app, ["digest", "--templates", str(templates), "-o", str(target), "--force"]
    )
    assert result.exit_code == 1
    assert "digest.md.j2, line 1" in result.stderr
    assert target.read_bytes() == b"previous digest\n"
    assert os.listdir(out) == ["digest.md"]


def test_writing_into_a_missing_directory_fails_clearly(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "digest.md"
    result = runner.invoke(app, ["digest", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write {target}: no such directory {tmp_path / 'missing'}\n"
    )
    assert not target.parent.exists()


# --- write_output ------------------------------------------------------------------------------


def test_write_output_replaces_content_exactly(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old content that is longer\n", encoding="utf-8")
    write_output(target, "new ≥10⁻³\nline two\n", force=True)
    assert target.read_bytes() == "new ≥10⁻³\nline two\n".encode()
    assert os.listdir(tmp_path) == ["out.md"]


def test_write_output_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_output(target, "new\n", force=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_output_new_file_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_output(tmp_path / "new.md", "text\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640


def test_write_output_failed_rename_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_bytes(b"original\n")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=r"cannot write .*out\.md: Permission denied"):
        write_output(target, "new\n", force=True)
    assert target.read_bytes() == b"original\n"
    assert os.listdir(tmp_path) == ["out.md"]


def test_write_output_interrupted_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_bytes(b"original\n")

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_output(target, "new\n", force=True)
    assert target.read_bytes() == b"original\n"
    assert os.listdir(tmp_path) == ["out.md"]


def test_write_output_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a directory"):
        write_output(tmp_path, "text\n", force=True)
    assert os.listdir(tmp_path) == []
