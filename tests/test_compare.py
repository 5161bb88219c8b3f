"""compare: the view as data once, then each renderer, then the command in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from markdown_it.token import Token
from rich.console import Console
from typer.testing import CliRunner, Result

from blinacli.base.errors import UsageError
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Study
from blinacli.render.documents import render_markdown
from blinacli.render.terminal import render_compare
from blinacli.views.compare import SECTIONS, CompareRow, CompareView, compare_view
from tests.markdown_reading import MD, md_headings, md_tables

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
TITLES = [
    "Citation and sources",
    "Design",
    "Population",
    "Dosing",
    "Follow-up",
    "Outcomes",
    "Safety",
]

MRD = ["MRD-positive ≥10⁻³", "MRD-negative <10⁻⁴"]
MRD_WORDING = ["MRD (≥10−3)", "<0.01% leukemic cells in bone marrow"]
E1910_OS_DERIVED = [
    "difference +17 percentage points; number needed to treat 6 (from 85% vs 68% at 3 years)",
    "P ≈ 0.0025 implied by the CI (from HR 0.41 (95% CI 0.23–0.73))",
]
E1910_OS = (
    "Blinatumomab + chemotherapy 85% vs Chemotherapy alone 68%; "
    "HR 0.41 (95% CI 0.23–0.73); P = 0.002"
)
# Markdown cells: the reported text and its sources, then each derived figure marked.
E1910_OS_MD = " ".join([E1910_OS, "[memo]", *(f"† {d}" for d in E1910_OS_DERIVED)])
# CSV cells hold the reported text, then each derived figure behind its mark.
E1910_OS_CSV = " ".join([E1910_OS, *(f"† {d}" for d in E1910_OS_DERIVED)])
BLAST_OS = "Blinatumomab median 36.5 months (95% CI 22.0 to not estimable)"
OS_3_YEARS = "3 years; population not stated"
OS_MEDIAN = "no timepoint; Ph-negative ALL in hematologic remission"
ODDS_TITLE = 'Synthetic trial, with "quotes", commas | pipes (synthetic)'


@pytest.fixture(scope="module")
def studies() -> dict[str, Study]:
    found = loader.load([evidence_dir(), SYNTHETIC]).studies
    return {study.id: study for study in found}


@pytest.fixture(scope="module")
def view(studies: dict[str, Study]) -> CompareView:
    """BLAST against E1910, every section."""
    return compare_view([studies["blast"], studies["e1910"]])


def pick(studies: dict[str, Study], *ids: str) -> list[Study]:
    return [studies[i] for i in ids]


def row(view: CompareView, section: str, label: str, group: str | None = None) -> CompareRow:
    """The one row of ``section`` with ``label`` (and ``group``, for outcome rows)."""
    (found,) = [
        r
        for s in view.sections
        if s.name == section
        for r in s.rows
        if r.label == label and (group is None or r.group == group)
    ]
    return found


def texts(compare_row: CompareRow) -> list[str]:
    return [cell.text for cell in compare_row.cells]


def flat(value: str) -> str:
    return " ".join(value.split())


# --- the view as data ----------------------------------------------------------------


def test_sections_in_order_with_titles(view: CompareView) -> None:
    """Every section, in SECTIONS order, each with its title and at least one row."""
    assert [s.name for s in view.sections] == list(SECTIONS)
    assert [s.title for s in view.sections] == TITLES
    assert all(s.rows for s in view.sections)


def test_studies_are_the_columns(view: CompareView) -> None:
    """One column per study: id, acronym and first author with year."""
    assert [(s.id, s.acronym, s.author_year) for s in view.studies] == [
        ("blast", "BLAST", "Gökbuget N 2018"),
        ("e1910", "E1910", "Litzow MR 2024"),
    ]
    assert all(len(r.cells) == 2 for s in view.sections for r in s.rows)


def test_mrd_criteria_in_one_notation_beside_the_source_wording(view: CompareView) -> None:
    """The MRD criterion row is normalized; the next row holds each source's own wording."""
    population = next(s for s in view.sections if s.name == "population")
    labels = [r.label for r in population.rows]
    criterion = labels.index("MRD criterion")
    assert labels[criterion + 1] == "MRD, source's wording"
    assert texts(population.rows[criterion]) == MRD
    assert texts(population.rows[criterion + 1]) == MRD_WORDING
    assert [c.sources for c in population.rows[criterion].cells] == [["abstract"], ["memo"]]
    assert population.rows[criterion].differs


def test_overall_survival_rows_line_up(view: CompareView) -> None:
    """OS rows are keyed by timepoint and population; a study without the analysis says so."""
    os_rows = [r for r in view.sections[5].rows if r.group == "Overall survival"]
    assert [r.label for r in os_rows] == [
        OS_MEDIAN,
        "no timepoint; population not stated",
        OS_3_YEARS,
    ]
    three_years = row(view, "outcomes", OS_3_YEARS, "Overall survival")
    assert texts(three_years) == ["not reported", E1910_OS]
    assert [c.sources for c in three_years.cells] == [[], ["memo"]]
    assert texts(row(view, "outcomes", OS_MEDIAN, "Overall survival")) == [
        BLAST_OS,
        "not reported",
    ]
    landmark = row(view, "outcomes", "no timepoint; population not stated", "Overall survival")
    assert texts(landmark) == [
        "Complete MRD responders 38.9 months (statistic not stated) vs "
        "MRD nonresponders 12.5 months (statistic not stated); P = 0.002",
        "not reported",
    ]


def test_endpoint_groups_follow_the_vocabulary_and_stay_together(view: CompareView) -> None:
    """Groups appear in vocabulary order, each block of rows contiguous."""
    groups = [r.group for r in view.sections[5].rows]
    assert list(dict.fromkeys(groups)) == [
        "Overall survival",
        "Relapse-free survival",
        "Complete MRD response",
    ]
    assert groups == sorted(groups, key=list(dict.fromkeys(groups)).index)
    assert texts(row(view, "outcomes", OS_3_YEARS, "Relapse-free survival")) == [
        "not reported",
        "Blinatumomab + chemotherapy 80% vs Chemotherapy alone 64%; HR 0.53 (95% CI 0.32–0.87)",
    ]


def test_swapping_the_studies_swaps_the_cells_of_the_same_rows(
    studies: dict[str, Study], view: CompareView
) -> None:
    """E1910 first: the same outcome rows, each with its cells in the new column order."""
    swapped = compare_view(pick(studies, "e1910", "blast"), ["outcomes"])

    def cells(v: CompareView) -> dict[tuple[str | None, str], list[str]]:
        return {(r.group, r.label): texts(r) for s in v.sections for r in s.rows}

    original = cells(compare_view(pick(studies, "blast", "e1910"), ["outcomes"]))
    assert cells(swapped) == {key: value[::-1] for key, value in original.items()}


def test_dose_row_shows_per_m2_against_flat(view: CompareView) -> None:
    """Doses written by formatting.dose with their basis; arms named where a study has several."""
    dose = row(view, "dosing", "Dose")
    assert texts(dose) == [
        "blinatumomab 15 µg/m²/day (per m² of body surface area)",
        "Blinatumomab + chemotherapy: blinatumomab 28 µg/day (flat dose); "
        "Chemotherapy alone: consolidation chemotherapy, dose not stated",
    ]
    assert dose.differs
    assert texts(row(view, "dosing", "Cycles")) == [
        "up to 4",
        "Blinatumomab + chemotherapy: 4; Chemotherapy alone: 4",
    ]


def test_design_citation_and_follow_up_rows(view: CompareView) -> None:
    """Design, citation and follow-up rows hold each study's facts, or say they are missing."""
    assert texts(row(view, "design", "Phase")) == ["2", "3"]
    assert texts(row(view, "design", "Masking")) == ["open-label", "not stated"]
    assert texts(row(view, "design", "N")) == ["116 treated", "224 randomized"]
    assert texts(row(view, "citation", "Source kinds")) == [
        "journal abstract; fact sheet",
        "secondary summary; fact sheet",
    ]
    assert texts(row(view, "citation", "PMID")) == ["none recorded", "39047240"]
    assert texts(row(view, "citation", "Registry ids")) == [
        "ClinicalTrials.gov NCT01207388",
        "ClinicalTrials.gov NCT02003222 (also ECOG-E1910)",
    ]
    assert texts(row(view, "follow-up", "Median follow-up")) == ["not reported", "43 months"]


def test_safety_rows_by_category(view: CompareView) -> None:
    """One row per category: events by grade, statements verbatim, 'not reported' elsewhere."""
    assert [r.label for r in view.sections[6].rows] == [
        "Adverse events overall",
        "Neurologic events",
        "Cytokine release syndrome",
        "Neuropsychiatric events",
    ]
    assert texts(row(view, "safety", "Neurologic events")) == [
        "grade 3: 12 (10%); grade 4: 3 (3%)",
        "not reported",
    ]
    assert texts(row(view, "safety", "Neuropsychiatric events")) == [
        "not reported",
        "Blinatumomab + chemotherapy — Higher incidence of neuropsychiatric events in the "
        "blinatumomab group",
    ]


def test_differs_marks_only_rows_whose_texts_differ(view: CompareView) -> None:
    """Same disease in both: not marked; different ages: marked."""
    assert not row(view, "population", "Disease").differs
    assert row(view, "population", "Age").differs
    for section in view.sections:
        for r in section.rows:
            assert r.differs == (len(set(texts(r))) > 1), r.label


def test_the_same_study_twice_differs_nowhere(studies: dict[str, Study]) -> None:
    """Comparing E1910 with itself works and marks no row."""
    same = compare_view(pick(studies, "e1910", "e1910"))
    assert [s.name for s in same.sections] == list(SECTIONS)
    assert not [r.label for s in same.sections for r in s.rows if r.differs]
    assert texts(row(same, "outcomes", OS_3_YEARS, "Overall survival")) == [E1910_OS, E1910_OS]


def test_sections_limit_the_view(studies: dict[str, Study]) -> None:
    """Only the sections asked for, in SECTIONS order, names in any case."""
    limited = compare_view(pick(studies, "blast", "e1910"), ["Safety", "follow-up", "citation"])
    assert [s.name for s in limited.sections] == ["citation", "follow-up", "safety"]
    assert [s.name for s in compare_view(pick(studies, "blast", "e1910"), []).sections] == list(
        SECTIONS
    )


def test_unknown_section_is_a_usage_error_naming_the_sections(
    studies: dict[str, Study],
) -> None:
    with pytest.raises(UsageError) as caught:
        compare_view(pick(studies, "blast", "e1910"), ["outcomes", "efficacy"])
    message = str(caught.value)
    assert message.startswith("unknown section 'efficacy'; sections: ")
    assert all(name in message for name in SECTIONS)


def test_one_study_is_a_usage_error(studies: dict[str, Study]) -> None:
    with pytest.raises(UsageError, match="at least two studies"):
        compare_view(pick(studies, "blast"))


def test_three_studies_with_the_three_arm_study(studies: dict[str, Study]) -> None:
    """Three columns; the three-arm study names its arms and the arms its comparison is between."""
    three = compare_view(pick(studies, "blast", "e1910", "syn-three-arm"))
    assert all(len(r.cells) == 3 for s in three.sections for r in s.rows)
    assert texts(row(three, "population", "MRD criterion")) == [*MRD, "MRD-positive ≥10⁻⁴"]
    assert texts(row(three, "population", "MRD, source's wording"))[2] == "MRD ≥0.01%"
    assert texts(row(three, "outcomes", "2 years; whole population", "Overall survival")) == [
        "not reported",
        "not reported",
        # The compared arms first (intervention, comparator), whatever the file's order.
        "Examplumab high dose 81.5% (Kaplan-Meier) vs Testinib 70.2% (Kaplan-Meier) "
        "vs Examplumab low dose 77.0% (Kaplan-Meier); Examplumab high dose vs Testinib: "
        "HR 0.72 (90% CI 0.55–0.94); P = 0.04",
    ]
    efs = row(three, "outcomes", "no timepoint; whole population", "Event-free survival")
    assert texts(efs)[:2] == ["not reported", "not reported"]
    assert texts(efs)[2].startswith("Examplumab high dose median not reached vs ")
    assert texts(efs)[2].endswith("; P < 0.001")
    assert texts(row(three, "dosing", "Dose"))[2] == (
        "Examplumab high dose: examplumab 30 mg/dose (flat dose); "
        "Examplumab low dose: examplumab 10 mg/dose (flat dose); "
        "Testinib: testinib 100 mg/m²/day (per m² of body surface area)"
    )
    assert texts(row(three, "safety", "Neutropenia")) == [
        "not reported",
        "not reported",
        "Examplumab high dose — grade 4: 22/100 (22%); Testinib — grade 4: 9/100 (9%)",
    ]
    assert texts(row(three, "design", "Masking")) == ["open-label", "not stated", "double-blind"]


def test_a_study_without_safety_data_says_none_recorded(studies: dict[str, Study]) -> None:
    """Every safety row says 'none recorded' for it; alone, one row says so for all."""
    mixed = compare_view(pick(studies, "blast", "syn-single-arm"), ["safety"])
    assert {texts(r)[1] for r in mixed.sections[0].rows} == {"none recorded"}
    empty = compare_view(pick(studies, "syn-single-arm", "syn-single-arm"), ["safety"])
    assert [(r.label, texts(r)) for r in empty.sections[0].rows] == [
        ("Safety data", ["none recorded", "none recorded"])
    ]


# --- JSON and CSV ----------------------------------------------------------------------


def test_json_round_trips_with_texts_and_sources(view: CompareView) -> None:
    """to_json survives json.dumps; every cell has its study, text and sources."""
    data = view.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert list(data) == ["studies", "sections"]
    assert [s["name"] for s in data["sections"]] == list(SECTIONS)
    outcomes = data["sections"][5]
    os_row = next(
        r for r in outcomes["rows"] if r["label"] == OS_3_YEARS and r["group"] == "Overall survival"
    )
    assert os_row == {
        "group": "Overall survival",
        "label": OS_3_YEARS,
        "differs": True,
        "cells": [
            {"study": "blast", "text": "not reported", "sources": [], "derived": []},
            {
                "study": "e1910",
                "text": E1910_OS,
                "sources": ["memo"],
                "derived": os_row["cells"][1]["derived"],
            },
        ],
    }
    # Each derived figure is an object with its text and its numbers.
    derived = os_row["cells"][1]["derived"]
    assert [f"{d['text']} (from {d['basis']})" for d in derived] == E1910_OS_DERIVED
    assert [(d["kind"], d["value"]) for d in derived] == [
        ("risk-difference", 17),
        ("p-from-ci", pytest.approx(0.00248, abs=5e-6)),
    ]


def parse_csv(header: list[str], records: list[list[str]]) -> list[list[str]]:
    """Write the CSV as the CLI does, then read it back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_csv_has_a_header_and_one_record_per_row(view: CompareView) -> None:
    header, records = view.to_csv()
    parsed = parse_csv(header, records)
    assert parsed[0] == ["section", "group", "row", "differs", "blast", "e1910"]
    assert len(parsed) - 1 == sum(len(s.rows) for s in view.sections)
    assert ["population", "", "MRD criterion", "true", *MRD] in parsed
    assert [
        "outcomes",
        "Overall survival",
        OS_3_YEARS,
        "true",
        "not reported",
        E1910_OS_CSV,
    ] in parsed
    disease = next(r for r in parsed if r[2] == "Disease")
    assert disease[:4] == ["population", "", "Disease", "false"]


def test_csv_keeps_commas_quotes_and_pipes(studies: dict[str, Study]) -> None:
    """A study title with commas, quotes and a pipe comes back from the CSV unchanged."""
    header, records = compare_view(pick(studies, "syn-odds", "blast"), ["citation"]).to_csv()
    title = next(r for r in parse_csv(header, records)[1:] if r[2] == "Title")
    assert title[4] == ODDS_TITLE
    assert len(title) == 6


# --- Rich --------------------------------------------------------------------------------


def rich_text(compare: CompareView, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(render_compare(compare))
    return console.export_text()


def rich_table(output: str, title: str) -> tuple[list[str], list[dict[str, str]]]:
    """The Rich table under ``title``: its column names and its body lines, cut by column.

    Columns are the marker (""), "Item" and the study acronyms of the header's first line.
    """
    lines = output.splitlines()
    top = next(i for i, line in enumerate(lines) if line.strip() == title)
    item = next(i for i in range(top, len(lines)) if " Item " in lines[i])
    names = ["", "Item", *lines[item - 1].split()]
    starts = [0, lines[item].index("Item")]
    starts += [lines[item - 1].index(name) for name in names[2:]]
    body = []
    for line in lines[item + 2 :]:
        if not line.strip() and (not body or not any(body[-1].values())):
            break  # two blank lines in a row: the table has ended
        cut = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        body.append(dict(zip(names, cut, strict=True)))
    return names, body


def rich_rows(output: str, title: str) -> list[dict[str, str]]:
    """The table's rows, each column's lines joined with spaces.

    A row starts after a blank line, at a ≠ marker, and after a group heading (a label
    with empty study cells after a blank line); so unmarked rows that follow each other
    merge.
    """
    names, body = rich_table(output, title)
    groups: list[list[dict[str, str]]] = []
    start, in_heading = True, False
    for cells in body:
        if not any(cells.values()):
            start, in_heading = True, False
            continue
        empty = not any(cells[n] for n in names[2:])
        heading = empty and (start or in_heading)
        if start or cells[""] or (in_heading and not heading):
            groups.append([])
        groups[-1].append(cells)
        start, in_heading = False, heading
    return [{n: " ".join(c[n] for c in g if c[n]) for n in names} for g in groups]


def rich_row(output: str, title: str, label_start: str) -> dict[str, str]:
    """The first row whose label starts with ``label_start``."""
    return next(r for r in rich_rows(output, title) if r["Item"].startswith(label_start))


def test_rich_at_80_columns_folds_and_never_truncates(view: CompareView) -> None:
    """Seven titled tables, a legend, no "…", and the figures in their study's column."""
    output = rich_text(view)
    assert "…" not in output
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "≠ marks a row where the studies differ" in output
    assert [line.strip() for line in output.splitlines() if line.strip() in TITLES] == TITLES
    mrd = rich_row(output, "Population", "MRD criterion")
    assert mrd == {
        "": "≠",
        "Item": "MRD criterion",
        "BLAST": "MRD-positive ≥10⁻³ [abstract]",
        "E1910": "MRD-negative <10⁻⁴ [memo]",
    }
    wording = rich_row(output, "Population", "MRD, source's")
    assert wording["BLAST"] == "MRD (≥10−3) [abstract]"
    assert wording["E1910"] == "<0.01% leukemic cells in bone marrow [memo]"


def test_rich_three_studies_at_80_columns(studies: dict[str, Study]) -> None:
    """Three columns still fit 80 columns, folded; the three-arm figures are whole."""
    output = rich_text(compare_view(pick(studies, "blast", "e1910", "syn-three-arm")))
    assert "…" not in output
    assert max(len(line) for line in output.splitlines()) <= 80
    mrd = rich_row(output, "Population", "MRD criterion")
    assert [mrd[n] for n in ("BLAST", "E1910", "SYN-3ARM")] == [
        f"{MRD[0]} [abstract]",
        f"{MRD[1]} [memo]",
        "MRD-positive ≥10⁻⁴ [syn]",
    ]
    neutropenia = rich_row(output, "Safety", "Neutropenia")
    assert flat(neutropenia["SYN-3ARM"]) == (
        "Examplumab high dose — grade 4: 22/100 (22%); Testinib — grade 4: 9/100 (9%) [syn]"
    )


def test_rich_outcome_rows_line_up_under_group_headings(view: CompareView) -> None:
    """Endpoint headings, then one marked row per analysis with every study's cell on it."""
    rows = rich_rows(rich_text(view), "Outcomes")
    not_stated = "no timepoint; population not stated"
    assert [(r[""], r["Item"]) for r in rows] == [
        ("", "Overall survival"),
        ("≠", OS_MEDIAN),
        ("≠", not_stated),
        ("≠", OS_3_YEARS),
        ("", "Relapse-free survival"),
        ("≠", "18 months; Ph-negative ALL in hematologic remission"),
        ("≠", not_stated),
        ("≠", OS_3_YEARS),
        ("", "Complete MRD response"),
        ("≠", "after 1 cycle; 113 evaluable patients of 116 treated"),
    ]
    assert rows[0]["BLAST"] == rows[0]["E1910"] == ""
    assert (flat(rows[1]["BLAST"]), rows[1]["E1910"]) == (
        f"{BLAST_OS} [abstract] [facts]",
        "not reported",
    )
    assert (rows[3]["BLAST"], flat(rows[3]["E1910"])) == ("not reported", E1910_OS_MD)


def test_rich_leaves_unmarked_rows_unmarked(studies: dict[str, Study]) -> None:
    """The same study twice: no ≠ beside any row."""
    output = rich_text(compare_view(pick(studies, "blast", "blast"), ["population"]))
    _, body = rich_table(output, "Population")
    assert body and not [c for c in body if c[""]]


def test_rich_shows_evidence_brackets_as_text(studies: dict[str, Study]) -> None:
    """A title with quotes and a pipe is shown as written (no markup is read)."""
    output = rich_text(compare_view(pick(studies, "syn-odds", "blast"), ["citation"]), 120)
    title = rich_row(output, "Citation and sources", "Title")
    assert flat(title["SYN-OR"]) == ODDS_TITLE


# --- Markdown ----------------------------------------------------------------------------


def all_tokens(tokens: list[Token]) -> list[Token]:
    return [t for token in tokens for t in [token, *all_tokens(token.children or [])]]


def test_markdown_one_table_per_section(view: CompareView) -> None:
    """A heading, a table per section headed Item + acronyms; clean GFM."""
    markdown = render_markdown("compare", view=view)
    assert md_headings(markdown) == [(1, "Comparison: BLAST vs E1910"), *((2, t) for t in TITLES)]
    tables = md_tables(markdown)
    assert len(tables) == len(SECTIONS)
    assert all(header == ["Item", "BLAST", "E1910"] for header, _ in tables)
    assert all(len(r) == 3 for _, rows in tables for r in rows)
    assert not [t for t in all_tokens(MD.parse(markdown)) if t.type.startswith("html")]
    assert not [line for line in markdown.splitlines() if line != line.rstrip()]
    assert "≠ marks a row where the studies differ; [id] names the source of a figure." in markdown


def test_markdown_marks_differences_and_aligns_outcomes(view: CompareView) -> None:
    """≠ in the label of differing rows; outcome blocks under a bold group row."""
    markdown = render_markdown("compare", view=view)
    tables = {title: rows for title, (_, rows) in zip(TITLES, md_tables(markdown), strict=True)}
    assert ["≠ MRD criterion", f"{MRD[0]} [abstract]", f"{MRD[1]} [memo]"] in tables["Population"]
    assert [
        "≠ MRD, source's wording",
        f"{MRD_WORDING[0]} [abstract]",
        f"{MRD_WORDING[1]} [memo]",
    ] in tables["Population"]
    disease = "B-cell precursor acute lymphoblastic leukemia (BCP-ALL)"
    assert ["Disease", f"{disease} [abstract]", f"{disease} [memo]"] in tables["Population"]
    outcomes = tables["Outcomes"]
    heading = outcomes.index(["Overall survival", "", ""])
    assert outcomes[heading + 3] == [f"≠ {OS_3_YEARS}", "not reported", E1910_OS_MD]
    assert outcomes[heading + 4] == ["Relapse-free survival", "", ""]


def test_markdown_heading_level_and_escaped_cells(studies: dict[str, Study]) -> None:
    """level=3 moves every heading down; a pipe in a title stays inside its cell."""
    compare = compare_view(pick(studies, "syn-odds", "blast"), ["citation"])
    markdown = render_markdown("compare", view=compare, level=3)
    assert md_headings(markdown) == [
        (3, "Comparison: SYN-OR vs BLAST"),
        (4, "Citation and sources"),
    ]
    ((header, rows),) = md_tables(markdown)
    assert header == ["Item", "SYN-OR", "BLAST"]
    assert rows[0][:2] == ["≠ Title", ODDS_TITLE]


# --- the command -----------------------------------------------------------------------


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_compare_help(runner: CliRunner) -> None:
    result = run(runner, "compare", "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: blinacli compare [OPTIONS]")
    assert "--section" in result.stdout


def test_cli_table_shows_mrd_in_one_notation_and_aligned_os(runner: CliRunner) -> None:
    result = run(runner, "compare", "blast", "e1910", "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "…" not in result.stdout
    mrd = rich_row(result.stdout, "Population", "MRD criterion")
    assert (mrd["BLAST"], mrd["E1910"]) == (f"{MRD[0]} [abstract]", f"{MRD[1]} [memo]")
    assert rich_row(result.stdout, "Population", "MRD, source's")["E1910"] == (
        f"{MRD_WORDING[1]} [memo]"
    )
    os_row = rich_row(result.stdout, "Outcomes", "3 years; population")
    assert (os_row["BLAST"], flat(os_row["E1910"])) == ("not reported", E1910_OS_MD)
    median = rich_row(result.stdout, "Outcomes", "no timepoint; Ph-negative")
    assert (flat(median["BLAST"]), median["E1910"]) == (
        f"{BLAST_OS} [abstract] [facts]",
        "not reported",
    )


@pytest.mark.parametrize("args", [["--format", "markdown"], []], ids=["markdown", "piped"])
def test_cli_markdown_shows_mrd_in_one_notation_and_aligned_os(
    runner: CliRunner, args: list[str]
) -> None:
    """--format markdown, and the default when stdout is not a terminal."""
    result = run(runner, "compare", "blast", "e1910", *args)
    assert result.exit_code == 0, result.stderr
    rows = [r for _, table in md_tables(result.stdout) for r in table]
    assert ["≠ MRD criterion", f"{MRD[0]} [abstract]", f"{MRD[1]} [memo]"] in rows
    assert [f"≠ {OS_3_YEARS}", "not reported", E1910_OS_MD] in rows
    assert [f"≠ {OS_MEDIAN}", f"{BLAST_OS} [abstract] [facts]", "not reported"] in rows


def test_cli_json_shows_mrd_in_one_notation_and_aligned_os(runner: CliRunner) -> None:
    result = run(runner, "compare", "blast", "e1910", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {
        (s["name"], r["group"], r["label"]): [c["text"] for c in r["cells"]]
        for s in data["sections"]
        for r in s["rows"]
    }
    assert rows["population", None, "MRD criterion"] == MRD
    assert rows["population", None, "MRD, source's wording"] == MRD_WORDING
    assert rows["outcomes", "Overall survival", OS_3_YEARS] == ["not reported", E1910_OS]
    assert rows["outcomes", "Overall survival", OS_MEDIAN] == [BLAST_OS, "not reported"]


def test_cli_csv_shows_mrd_in_one_notation_and_aligned_os(runner: CliRunner) -> None:
    result = run(runner, "compare", "blast", "e1910", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    records = list(csv.reader(io.StringIO(result.stdout)))
    assert records[0] == ["section", "group", "row", "differs", "blast", "e1910"]
    assert ["population", "", "MRD criterion", "true", *MRD] in records
    assert ["population", "", "MRD, source's wording", "true", *MRD_WORDING] in records
    assert [
        "outcomes",
        "Overall survival",
        OS_3_YEARS,
        "true",
        "not reported",
        E1910_OS_CSV,
    ] in records
    assert ["outcomes", "Overall survival", OS_MEDIAN, "true", BLAST_OS, "not reported"] in records


def test_cli_section_limits_the_output(runner: CliRunner) -> None:
    """--section twice: only those sections, in their usual order."""
    result = run(runner, "compare", "BLAST", "E1910", "-s", "safety", "-s", "dosing", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [s["name"] for s in json.loads(result.stdout)["sections"]] == ["dosing", "safety"]


def test_cli_unknown_section_exits_2_naming_the_sections(runner: CliRunner) -> None:
    result = run(runner, "compare", "blast", "e1910", "--section", "efficacy")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: unknown section 'efficacy'; sections: citation, design, population, "
        "dosing, follow-up, outcomes, safety\n"
    )


def test_cli_needs_two_studies(runner: CliRunner) -> None:
    result = run(runner, "compare", "blast")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "at least two" in result.stderr


def test_cli_compares_three_studies_from_extra_evidence(runner: CliRunner) -> None:
    """--evidence adds the synthetic three-arm study as a third column."""
    result = run(
        runner,
        "compare",
        "blast",
        "e1910",
        "syn-three-arm",
        "--evidence",
        str(evidence_dir()),
        "--evidence",
        str(SYNTHETIC / "syn-three-arm.yaml"),
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    records = list(csv.reader(io.StringIO(result.stdout)))
    assert records[0][4:] == ["blast", "e1910", "syn-three-arm"]
    assert ["population", "", "MRD criterion", "true", *MRD, "MRD-positive ≥10⁻⁴"] in records
