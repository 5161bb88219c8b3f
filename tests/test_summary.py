"""The outcomes (Summary of Findings) and safety views: as data first, then each renderer."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType
from typer.testing import CliRunner

from blinacli.base.errors import UsageError
from blinacli.cli.app import app
from blinacli.model import Study, vocabulary
from blinacli.render.documents import render_markdown
from blinacli.render.terminal import render_endpoints, render_outcomes, render_safety
from blinacli.views.outcomes import OutcomeRow, OutcomesView, endpoints_view, outcomes_view
from blinacli.views.safety import SafetyEventRow, SafetyView, safety_view
from blinacli.views.show import study_view
from tests.markdown_reading import (
    MD,
    SOF_BETWEEN_GROUPS,
    SOF_WITH_DERIVED,
    md_list_items,
    md_tables,
    md_text,
)

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"

SAFETY_HEADERS = ["Study", "Event", "Grade", "Arm", "n (%)", "Of", "Timing", "Sources"]
BLAST_MEDIAN_OS = "Blinatumomab: median 36.5 months (95% CI 22.0 to not estimable)"
PH_NEGATIVE = "Ph-negative ALL in hematologic remission (n = 110)"
LANDMARK = (
    "landmark analysis: Complete MRD responders vs MRD nonresponders, not a randomized comparison"
)
E1910_HR = "HR 0.41 (95% CI 0.23–0.73); P = 0.002"
E1910_STATEMENT = "Higher incidence of neuropsychiatric events in the blinatumomab group"


# --- helpers -------------------------------------------------------------------------


def row_of(view: OutcomesView, study_id: str, outcome_id: str) -> OutcomeRow:
    return next(r for r in view.rows if (r.study_id, r.outcome_id) == (study_id, outcome_id))


def events_of(view: SafetyView, study_id: str) -> list[tuple[str, str, str, str]]:
    """(category, grade, count, denominator) of one study's event rows."""
    return [
        (e.category, e.grade, e.count, e.denominator) for e in view.events if e.study_id == study_id
    ]


def event(view: SafetyView, study_id: str, category: str, grade: str) -> SafetyEventRow:
    return next(
        e for e in view.events if (e.study_id, e.category, e.grade) == (study_id, category, grade)
    )


def terminal(renderable: RenderableType) -> str:
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def flat(text: str) -> str:
    """Text with every run of whitespace (line wraps included) folded to one space."""
    return " ".join(text.split())


def rich_rows(output: str, headers: list[str], key: str) -> list[dict[str, str]]:
    """Rows of the first Rich table with ``headers``; a row starts where ``key`` has text."""
    lines = output.splitlines()
    top = next(i for i, line in enumerate(lines) if all(h in line for h in headers))
    starts = [lines[top].index(h) for h in headers]
    ends = [*starts[1:], None]
    rows: list[list[list[str]]] = []
    for line in lines[top + 2 :]:
        if not line.strip():
            break
        cells = [line[a:b].strip() for a, b in zip(starts, ends, strict=True)]
        if cells[headers.index(key)] or not rows:
            rows.append([])
        rows[-1].append(cells)
    return [{h: " ".join(c[i] for c in row if c[i]) for i, h in enumerate(headers)} for row in rows]


def assert_clean_markdown(markdown: str) -> None:
    """No raw HTML reaches the document and no line ends in whitespace."""
    tokens = MD.parse(markdown)
    inline = [c for t in tokens for c in (t.children or [])]
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]
    assert all(line == line.rstrip() for line in markdown.splitlines())


def by_header(header: list[str], row: list[str]) -> dict[str, str]:
    return dict(zip(header, row, strict=True))


def csv_records(view: Any) -> list[dict[str, str]]:
    """The view's CSV written and read back with the csv module, one dict per record."""
    header, rows = view.to_csv()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    records = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert records[0] == header
    assert all(len(record) == len(header) for record in records)
    return [by_header(header, record) for record in records[1:]]


def run(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result


# --- outcomes ENDPOINT as data ---------------------------------------------------------


def test_outcomes_os_rows_are_in_study_order(bundled: list[Study]) -> None:
    """outcomes os has BLAST's two OS analyses, then E1910's, and no study without one."""
    view = outcomes_view(bundled, "overall-survival")
    assert [(r.study_id, r.outcome_id) for r in view.rows] == [
        ("blast", "os-median"),
        ("blast", "os-landmark"),
        ("e1910", "os-3-years"),
    ]
    assert (view.endpoint, view.title, view.covers) == (
        "overall-survival",
        "Overall survival",
        ["overall-survival"],
    )
    assert view.not_reported_by == []


def test_outcomes_accepts_an_alias_and_rejects_an_unknown_endpoint(bundled: list[Study]) -> None:
    assert outcomes_view(bundled, "os").endpoint == "overall-survival"
    assert outcomes_view(bundled, "rfs").endpoint == "relapse-free-survival"
    with pytest.raises(UsageError, match="unknown endpoint 'survival-ish'"):
        outcomes_view(bundled, "survival-ish")


def test_blast_median_os_row(bundled: list[Study]) -> None:
    """BLAST's median OS: 36.5 months in the 110 Ph-negative patients, single-arm."""
    row = row_of(outcomes_view(bundled, "os"), "blast", "os-median")
    assert row.intervention == BLAST_MEDIAN_OS
    assert row.population == PH_NEGATIVE
    assert row.participants == "110"
    assert row.comparator == "no comparator"
    assert row.relative_effect == "not reported"
    assert row.timepoint == "not stated"
    assert row.role == "not stated"
    assert row.comment == "single-arm study"
    assert row.sources == ["abstract", "facts"]
    assert row.notes[0].startswith("The 2018 abstract gives the median")


def test_blast_landmark_os_row_carries_the_landmark_caveat(bundled: list[Study]) -> None:
    row = row_of(outcomes_view(bundled, "os"), "blast", "os-landmark")
    # Responders vs nonresponders are groups, never shown as intervention and comparator.
    assert row.intervention == row.comparator == "— (groups compared, not arms)"
    assert row.groups_compared == (
        "Complete MRD responders: 38.9 months (statistic not stated) vs "
        "MRD nonresponders: 12.5 months (statistic not stated)"
    )
    assert row.relative_effect == "P = 0.002"
    assert row.role == "landmark"
    assert row.comment == (
        f"single-arm study; {LANDMARK}; statistic not stated; population not stated"
    )
    assert (row.population, row.participants) == ("not stated", "not reported")


def test_e1910_os_row(bundled: list[Study]) -> None:
    """E1910: HR 0.41 (0.23–0.73), 68% vs 85%, 224 randomized, from a secondary summary."""
    row = row_of(outcomes_view(bundled, "os"), "e1910", "os-3-years")
    assert row.relative_effect == E1910_HR
    assert row.comparator == "Chemotherapy alone: 68%"
    assert row.intervention == "Blinatumomab + chemotherapy: 85%"
    assert row.participants == "224 randomized (112 + 112)"
    # The memo does not name the analysis population: "not stated", never "all".
    assert row.comment == "population not stated; from a secondary summary"
    assert (row.timepoint, row.population, row.role) == ("3 years", "not stated", "primary")
    assert row.other_groups == []
    assert row.sources == ["memo"]


def test_e1910_rfs_row_without_p_value(bundled: list[Study]) -> None:
    row = row_of(outcomes_view(bundled, "rfs"), "e1910", "rfs-3-years")
    assert row.relative_effect == "HR 0.53 (95% CI 0.32–0.87)"
    assert (row.comparator, row.intervention) == (
        "Chemotherapy alone: 64%",
        "Blinatumomab + chemotherapy: 80%",
    )


def test_reported_holds_the_values_as_validated(bundled: list[Study]) -> None:
    """``reported`` keeps 0.41, 22.0 (a float) and "not estimable" as the evidence has them."""
    view = outcomes_view(bundled, "os")
    comparison = row_of(view, "e1910", "os-3-years").reported["comparison"]
    assert (comparison["measure"], comparison["estimate"], comparison["p"]) == (
        "hazard-ratio",
        0.41,
        0.002,
    )
    assert comparison["ci"] == {"level": 95, "lower": 0.23, "upper": 0.73}
    median = row_of(view, "blast", "os-median").reported["results"][0]
    assert (median["measure"], median["value"], median["unit"]) == ("time", 36.5, "months")
    assert median["ci"]["upper"] == "not estimable"
    assert isinstance(median["ci"]["lower"], float) and median["ci"]["lower"] == 22.0
    assert row_of(view, "blast", "os-median").reported["comparison"] is None


def test_not_reached_is_written_never_blank(synthetic: list[Study]) -> None:
    view = outcomes_view(synthetic, "os")
    row = row_of(view, "syn-odds", "os-median")
    assert row.intervention == "Placebolizumab: median not reached"
    assert row.comparator == "Placebo: median not reached"
    assert row.relative_effect == "P = 0.31"
    assert row.participants == "80 randomized"
    efs = row_of(outcomes_view(synthetic, "efs"), "syn-three-arm", "efs-median")
    assert efs.intervention == "Examplumab high dose: median not reached"
    assert efs.reported["results"][0]["value"] == "not reached"


def test_no_shown_field_is_blank(bundled: list[Study], synthetic: list[Study]) -> None:
    """Across every endpoint, every analysis gets a row whose shown fields all have text.

    Only a row without caveats has an empty comment.
    """
    studies = bundled + synthetic
    checked = set()
    for term in vocabulary.ENDPOINTS:
        for row in outcomes_view(studies, term).rows:
            for field in fields(row):
                value = getattr(row, field.name)
                # A comment may be empty, and only a comparison of subgroups fills
                # groups_compared (shown only then).
                if isinstance(value, str) and field.name not in ("comment", "groups_compared"):
                    assert value.strip(), f"{row.acronym} {row.outcome_id}: {field.name} is blank"
            checked.add((row.study_id, row.outcome_id))
    assert checked == {(s.id, o.id) for s in studies for o in s.outcomes}


def test_p_value_bound_is_kept(synthetic: list[Study]) -> None:
    row = row_of(outcomes_view(synthetic, "efs"), "syn-three-arm", "efs-median")
    assert row.relative_effect == "HR 0.45 (95% CI 0.31–0.66); P < 0.001"
    assert row.reported["comparison"]["p"] == "<0.001"


def test_three_arm_row_lists_the_group_outside_the_comparison(synthetic: list[Study]) -> None:
    row = row_of(outcomes_view(synthetic, "efs"), "syn-three-arm", "efs-median")
    assert row.intervention == "Examplumab high dose: median not reached"
    assert row.comparator == "Testinib: median 14.2 months"
    assert row.other_groups == [
        "Examplumab low dose: median 30.1 months (95% CI 24.0 to not estimable)"
    ]
    assert row.participants == "300 randomized (100 + 100 + 100)"
    assert row.comment == ""


def test_endpoint_absent_from_a_study_gives_it_no_row(synthetic: list[Study]) -> None:
    """Event-free survival is in SYN-3ARM only; the others are named as not reporting it."""
    view = outcomes_view(synthetic, "event-free-survival")
    assert [r.study_id for r in view.rows] == ["syn-three-arm"]
    assert view.not_reported_by == ["SYN-PED", "SYN-OR", "SYN-1ARM"]


def test_mrd_response_covers_complete_mrd_response(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    view = outcomes_view(bundled + synthetic, "mrd")
    assert view.covers == ["mrd-response", "complete-mrd-response"]
    assert [(r.study_id, r.endpoint) for r in view.rows] == [
        ("blast", "complete-mrd-response"),
        ("syn-paediatric", "mrd-response"),
        ("syn-odds", "complete-mrd-response"),
    ]
    blast = row_of(view, "blast", "mrd-response")
    assert (blast.intervention, blast.participants) == ("Blinatumomab: 88/113 (78%)", "113")
    odds = row_of(view, "syn-odds", "cmr")
    assert odds.relative_effect == "OR 4.5 (95% CI 1.7–11.9); P < 0.01"
    assert odds.participants == "40 + 40"


def test_non_randomized_cohorts_without_comparison(synthetic: list[Study]) -> None:
    row = row_of(outcomes_view(synthetic, "mrd-response"), "syn-paediatric", "mrd")
    assert row.intervention == "Cohort A: 20/30"
    assert row.comparator == "no comparison reported"
    assert row.other_groups == ["Cohort B: 18/30 (60%)"]
    assert row.participants == "30 + 30"
    assert row.comment == "non-randomized study; from a secondary summary"


# --- outcomes --list as data -------------------------------------------------------------


def test_endpoints_view_lists_every_term_with_counts(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    view = endpoints_view(bundled + synthetic)
    assert [r.endpoint for r in view.rows] == list(vocabulary.ENDPOINTS)
    counts = {r.endpoint: (r.studies, r.analyses) for r in view.rows}
    assert counts["overall-survival"] == (4, 5)
    assert counts["relapse-free-survival"] == (2, 3)
    assert counts["event-free-survival"] == (1, 1)
    assert counts["complete-mrd-response"] == (2, 2)
    assert counts["mrd-response"] == (3, 3)
    assert counts["transplant-rate"] == (0, 0)
    os_row = view.rows[0]
    assert (os_row.name, os_row.aliases, os_row.narrower) == ("overall survival", ["os"], [])
    mrd = next(r for r in view.rows if r.endpoint == "mrd-response")
    assert (mrd.aliases, mrd.narrower) == (["mrd"], ["complete-mrd-response"])


# --- safety as data ----------------------------------------------------------------------


def test_blast_events_by_grade(bundled: list[Study]) -> None:
    """BLAST: neurologic grade 3 12 (10%), grade 4 3 (3%); CRS 4 (3%), all during cycle 1."""
    view = safety_view(bundled)
    assert events_of(view, "blast") == [
        ("neurologic events", "3", "12 (10%)", "not stated"),
        ("neurologic events", "4", "3 (3%)", "not stated"),
        ("cytokine release syndrome", "any", "4 (3%)", "not stated"),
        ("cytokine release syndrome", "1", "2", "not stated"),
        ("cytokine release syndrome", "3", "2", "not stated"),
    ]
    crs = event(view, "blast", "cytokine release syndrome", "any")
    assert (crs.n, crs.percent, crs.timing) == ("4", "3%", "all during cycle 1")
    assert crs.arm == "Blinatumomab"
    assert crs.sources == ["abstract"]
    grade_3 = event(view, "blast", "neurologic events", "3")
    assert (grade_3.n, grade_3.percent) == ("12", "10%")
    assert grade_3.note == "The abstract does not state the denominator of these percentages."
    assert (grade_3.reported["n"], grade_3.reported["percent"]) == (12, 10)
    assert grade_3.reported["total"] is None


def test_e1910_neuropsychiatric_statement_with_its_sources(bundled: list[Study]) -> None:
    view = safety_view(bundled)
    statement = next(s for s in view.statements if s.study_id == "e1910")
    assert statement.category == "neuropsychiatric events"
    assert statement.text == E1910_STATEMENT
    assert statement.arm == "Blinatumomab + chemotherapy"
    # The statement is the memo's words; the fact sheet's quote in its cite paraphrases it.
    assert statement.sources == ["memo"]
    assert events_of(view, "e1910") == []
    assert view.studies == ["BLAST", "E1910"]


def test_category_matches_category_or_term_in_any_case(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    view = safety_view(bundled, category="NEURO")
    assert [(e.category, e.grade) for e in view.events] == [
        ("neurologic events", "3"),
        ("neurologic events", "4"),
    ]
    assert [s.category for s in view.statements] == ["neuropsychiatric events"]
    assert view.filters == ["category or term containing “NEURO”"]
    by_term = safety_view(synthetic, category="pneumonia")
    assert [(e.category, e.arm, e.count) for e in by_term.events] == [
        ("infection: pneumonia", "Examplumab low dose", "7 (7%)")
    ]
    assert by_term.statements == []


def test_min_grade_keeps_higher_grades_and_drops_any_grade(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    view = safety_view(bundled, min_grade=3)
    assert [(e.category, e.grade) for e in view.events] == [
        ("neurologic events", "3"),
        ("neurologic events", "4"),
        ("cytokine release syndrome", "3"),
    ]
    assert len(view.statements) == 2  # statements have no grade: kept
    assert view.filters == [
        "grade 3 or higher (any-grade figures and ranges reaching below it left out)"
    ]
    grade_1 = safety_view(synthetic, min_grade=1)
    assert ("infusion reaction", "any") not in [(e.category, e.grade) for e in grade_1.events]
    assert [(e.acronym, e.grade) for e in safety_view(synthetic, min_grade=4).events] == [
        ("SYN-3ARM", "4"),
        ("SYN-3ARM", "4"),
    ]


def test_category_and_min_grade_together(bundled: list[Study]) -> None:
    view = safety_view(bundled, category="cytokine", min_grade=2)
    assert [(e.category, e.grade, e.count) for e in view.events] == [
        ("cytokine release syndrome", "3", "2")
    ]
    assert view.statements == []


@pytest.mark.parametrize("grade", [0, 6, -1])
def test_min_grade_out_of_range_is_a_usage_error(bundled: list[Study], grade: int) -> None:
    with pytest.raises(UsageError, match=f"--min-grade must be 1 to 5, not {grade}"):
        safety_view(bundled, min_grade=grade)


def test_study_without_safety_data_contributes_nothing(synthetic: list[Study]) -> None:
    view = safety_view(synthetic)
    assert "syn-single-arm" not in {e.study_id for e in view.events}
    assert "syn-single-arm" not in {s.study_id for s in view.statements}
    assert view.studies == ["SYN-PED", "SYN-OR", "SYN-3ARM"]
    assert view.not_reported_by == ["SYN-1ARM"]
    only_percent = event(view, "syn-odds", "infusion reaction", "any")
    assert (only_percent.n, only_percent.count, only_percent.denominator) == (
        "not reported",
        "2.5%",
        "not stated",
    )
    stated = event(view, "syn-odds", "infusion reaction", "1")
    assert (stated.count, stated.denominator) == ("5 (12.5%)", "40")


# --- terminal ----------------------------------------------------------------------------


def test_outcomes_terminal_at_80_columns(bundled: list[Study]) -> None:
    """Each row is a block titled "ACRONYM — label"; every figure is there, nothing cut."""
    output = terminal(render_outcomes(outcomes_view(bundled, "os")))
    assert "…" not in output
    assert max(len(line) for line in output.splitlines()) <= 80
    lines = [line.strip() for line in output.splitlines()]
    assert "BLAST — Median overall survival (OS)" in lines
    assert "E1910 — Overall survival at 3 years" in lines
    text = flat(output)
    for expected in (
        f"Intervention {BLAST_MEDIAN_OS}",
        f"Population {PH_NEGATIVE}",
        "Comparator no comparator",
        f"Relative effect {E1910_HR}",
        "Comparator Chemotherapy alone: 68%",
        "Intervention Blinatumomab + chemotherapy: 85%",
        "№ of participants 224 (1 RCT)",
        "Absolute effect † † Deaths per 1000: 320 with Chemotherapy alone, 146 with "
        "Blinatumomab + chemotherapy; 174 fewer per 1000 (95% CI 235 fewer to 75 fewer)",
        "Absolute effect no absolute effect: single-arm study, no comparator",
        f"Comment single-arm study; {LANDMARK}",
        "Comment population not stated; from a secondary summary",
        "Sources [abstract] [facts]",
    ):
        assert expected in text


def test_outcomes_terminal_other_groups_and_absent_studies(synthetic: list[Study]) -> None:
    text = flat(terminal(render_outcomes(outcomes_view(synthetic, "efs"))))
    assert "Other group Examplumab low dose: median 30.1 months (95% CI 24.0 to not estimable)" in (
        text
    )
    assert "Relative effect HR 0.45 (95% CI 0.31–0.66); P < 0.001" in text
    assert "Not reported by: SYN-PED, SYN-OR, SYN-1ARM" in text


def test_endpoints_terminal_at_80_columns(bundled: list[Study], synthetic: list[Study]) -> None:
    output = terminal(render_endpoints(endpoints_view(bundled + synthetic)))
    assert "…" not in output
    rows = rich_rows(output, ["Endpoint (name)", "Aliases", "Studies", "Analyses"], "Studies")
    assert rows[0] == {
        "Endpoint (name)": "overall-survival overall survival",
        "Aliases": "os",
        "Studies": "4",
        "Analyses": "5",
    }
    mrd = next(r for r in rows if r["Aliases"] == "mrd")
    assert mrd["Endpoint (name)"] == "mrd-response MRD response includes complete-mrd-response"
    assert (mrd["Studies"], mrd["Analyses"]) == ("3", "3")


def test_safety_terminal_at_80_columns(bundled: list[Study]) -> None:
    output = terminal(render_safety(safety_view(bundled)))
    assert "…" not in output
    headers = ["Event", "Grade", "Arm", "n (%)", "Of", "Timing"]
    blast = output[output.index("\nBLAST\n") :]
    rows = rich_rows(blast, headers, "Grade")
    assert [(r["Event"], r["Grade"], r["n (%)"], r["Of"], r["Timing"]) for r in rows] == [
        ("neurologic events", "3", "12 (10%) [abstract]", "not stated", ""),
        ("neurologic events", "4", "3 (3%) [abstract]", "not stated", ""),
        (
            "cytokine release syndrome",
            "any",
            "4 (3%) [abstract]",
            "not stated",
            "all during cycle 1",
        ),
        ("cytokine release syndrome", "1", "2 [abstract]", "not stated", "all during cycle 1"),
        ("cytokine release syndrome", "3", "2 [abstract]", "not stated", "all during cycle 1"),
    ]
    text = flat(output)
    assert (
        f"neuropsychiatric events (Blinatumomab + chemotherapy): {E1910_STATEMENT} [memo]"
    ) in text
    assert "Note: The abstract does not state the denominator of these percentages." in text


def test_safety_terminal_names_filters_and_empty_results(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    text = flat(terminal(render_safety(safety_view(bundled, "zzz", 3))))
    assert "Showing category or term containing “zzz” and grade 3 or higher" in text
    assert "No safety data matches." in text
    assert "No safety data recorded: SYN-1ARM" in flat(
        terminal(render_safety(safety_view(synthetic)))
    )


def test_terminal_prints_bracketed_text_literally(bundled: list[Study]) -> None:
    """A category filter such as "[bold]x[/bold]" is shown as typed, never read as markup."""
    text = flat(terminal(render_safety(safety_view(bundled, category="[bold]x[/bold]"))))
    assert "containing “[bold]x[/bold]”" in text


# --- Markdown ----------------------------------------------------------------------------


def test_outcomes_markdown_sof_table(bundled: list[Study]) -> None:
    markdown = render_markdown("outcomes", view=outcomes_view(bundled, "os"))
    assert_clean_markdown(markdown)
    assert markdown.startswith("# Overall survival: summary of findings\n")
    [(header, rows)] = md_tables(markdown)
    assert header == SOF_BETWEEN_GROUPS
    records = [by_header(header, row) for row in rows]
    assert [r["Study"] for r in records] == ["BLAST", "BLAST", "E1910"]
    assert records[0]["Intervention"] == BLAST_MEDIAN_OS
    assert records[0]["Population"] == PH_NEGATIVE
    assert records[0]["Sources"] == "[abstract] [facts]"
    assert records[1]["Comment"].startswith(f"single-arm study; {LANDMARK}")
    assert records[2] == {
        "Study": "E1910",
        "Outcome": "Overall survival at 3 years",
        "Timepoint": "3 years",
        "Population": "not stated",
        "№ of participants (studies)": "224 (1 RCT)",
        "Comparator": "Chemotherapy alone: 68%",
        "Intervention": "Blinatumomab + chemotherapy: 85%",
        "Groups compared": "",
        "Relative effect": E1910_HR,
        "Anticipated absolute effects per 1000 †": "† Deaths per 1000: 320 with Chemotherapy "
        "alone, 146 with Blinatumomab + chemotherapy; 174 fewer per 1000 (95% CI 235 fewer to "
        "75 fewer)",
        # Each derived figure is marked and names the groups it is between.
        "Derived †": "† Blinatumomab + chemotherapy vs Chemotherapy alone: difference +17 "
        "percentage points; number needed to treat 6 † Blinatumomab + chemotherapy vs "
        "Chemotherapy alone: P ≈ 0.0025 implied by the CI",
        "Role": "primary",
        "Comment": "population not stated; from a secondary summary",
        "Sources": "[memo]",
    }
    assert records[0]["Derived †"] == ""
    notes = md_list_items(markdown)
    assert notes[-1] == (
        "Note on E1910, Overall survival at 3 years: The memo does not say how the 3-year "
        "rates were estimated (for example by Kaplan-Meier)."
    )


def test_outcomes_markdown_other_groups_column_and_bounds(synthetic: list[Study]) -> None:
    markdown = render_markdown("outcomes", view=outcomes_view(synthetic, "efs"), level=2)
    assert_clean_markdown(markdown)
    assert markdown.startswith("## Event-free survival: summary of findings\n")
    [(header, rows)] = md_tables(markdown)
    assert header == [*SOF_WITH_DERIVED[:7], "Other groups", *SOF_WITH_DERIVED[7:]]
    record = by_header(header, rows[0])
    assert record["Other groups"] == (
        "Examplumab low dose: median 30.1 months (95% CI 24.0 to not estimable)"
    )
    assert record["Relative effect"] == "HR 0.45 (95% CI 0.31–0.66); P < 0.001"
    assert record["Intervention"] == "Examplumab high dose: median not reached"
    assert "Not reported by: SYN-PED, SYN-OR, SYN-1ARM." in md_text(markdown)


def test_outcomes_markdown_without_rows(bundled: list[Study]) -> None:
    markdown = render_markdown("outcomes", view=outcomes_view(bundled, "dfs"))
    assert md_tables(markdown) == []
    assert "No study in use reports disease-free survival." in md_text(markdown)


def test_endpoints_markdown(bundled: list[Study]) -> None:
    markdown = render_markdown("endpoints", view=endpoints_view(bundled))
    assert_clean_markdown(markdown)
    [(header, rows)] = md_tables(markdown)
    assert header == ["Endpoint", "Name", "Aliases", "Includes", "Studies", "Analyses"]
    assert len(rows) == len(vocabulary.ENDPOINTS)
    assert rows[0] == ["overall-survival", "overall survival", "os", "", "2", "3"]
    assert ["mrd-response", "MRD response", "mrd", "complete-mrd-response", "1", "1"] in rows


def test_safety_markdown(bundled: list[Study]) -> None:
    markdown = render_markdown("safety", view=safety_view(bundled))
    assert_clean_markdown(markdown)
    [(header, rows)] = md_tables(markdown)
    assert header == SAFETY_HEADERS
    assert rows[0] == [
        "BLAST",
        "neurologic events",
        "3",
        "Blinatumomab",
        "12 (10%)",
        "not stated",
        "",
        "[abstract]",
    ]
    assert rows[1][4] == "3 (3%)"
    assert rows[2][1:7] == [
        "cytokine release syndrome",
        "any",
        "Blinatumomab",
        "4 (3%)",
        "not stated",
        "all during cycle 1",
    ]
    items = md_list_items(markdown)
    assert "Note (BLAST): The abstract does not state the denominator of these percentages." in (
        items
    )
    assert (
        f"E1910 — neuropsychiatric events (Blinatumomab + chemotherapy): {E1910_STATEMENT} "
        "[memo] Note: No counts or grades were confirmed in any source; none are recorded."
    ) in items


def test_safety_markdown_filters_and_nothing_matched(bundled: list[Study]) -> None:
    markdown = render_markdown("safety", view=safety_view(bundled, "zzz", 3))
    assert md_tables(markdown) == []
    text = md_text(markdown)
    assert "Showing category or term containing “zzz” and grade 3 or higher" in text
    assert "No safety data matches." in text


def test_show_safety_section_is_unchanged_by_the_shared_partial(bundled: list[Study]) -> None:
    """show keeps its own safety table: no Study column, notes and statements as before
    (the brackets of a source id in a cell are escaped, like every bracket in a cell)."""
    markdown = render_markdown("show", view=study_view(bundled[0]))
    section = markdown[markdown.index("## Safety\n") : markdown.index("## Key points")]
    assert section == (
        "## Safety\n\n"
        "| Event | Grade | Arm | n (%) | Of | Timing | Sources |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        "| neurologic events | 3 | Blinatumomab | 12 (10%) | not stated |  | [abstract] |\n"
        "| neurologic events | 4 | Blinatumomab | 3 (3%) | not stated |  | [abstract] |\n"
        "| cytokine release syndrome | any | Blinatumomab | 4 (3%) | not stated "
        "| all during cycle 1 | [abstract] |\n"
        "| cytokine release syndrome | 1 | Blinatumomab | 2 | not stated "
        "| all during cycle 1 | [abstract] |\n"
        "| cytokine release syndrome | 3 | Blinatumomab | 2 | not stated "
        "| all during cycle 1 | [abstract] |\n\n"
        "- Note: The abstract does not state the denominator of these percentages.\n"
        "- **adverse events overall** (Blinatumomab): Adverse events were consistent with "
        "previous studies of blinatumomab. [abstract]\n\n"
    )


# --- JSON and CSV --------------------------------------------------------------------------


def test_outcomes_json(bundled: list[Study]) -> None:
    data = json.loads(json.dumps(outcomes_view(bundled, "os").to_json(), ensure_ascii=False))
    assert set(data) == {
        "endpoint",
        "name",
        "title",
        "covers",
        "rows",
        "not_reported_by",
        "forest",
    }
    [plot] = data["forest"]
    assert [(r["acronym"], r["value"]) for r in plot["rows"]] == [
        ("E1910", "HR 0.41 (95% CI 0.23–0.73)")
    ]
    e1910 = data["rows"][2]
    assert (e1910["acronym"], e1910["relative_effect"]) == ("E1910", E1910_HR)
    assert e1910["reported"]["comparison"]["ci"] == {"level": 95, "lower": 0.23, "upper": 0.73}
    assert [r["percent"] for r in e1910["reported"]["results"]] == [85, 68]
    assert e1910["reported"]["results"][0]["cite"][0]["source"] == "memo"
    assert data["rows"][0]["intervention"] == BLAST_MEDIAN_OS


def test_endpoints_json(bundled: list[Study]) -> None:
    data = json.loads(json.dumps(endpoints_view(bundled).to_json()))
    assert data["rows"][0] == {
        "endpoint": "overall-survival",
        "name": "overall survival",
        "aliases": ["os"],
        "narrower": [],
        "studies": 2,
        "analyses": 3,
    }


def test_safety_json(bundled: list[Study]) -> None:
    data = json.loads(json.dumps(safety_view(bundled, min_grade=3).to_json()))
    assert (data["category"], data["min_grade"]) == (None, 3)
    first = data["events"][0]
    assert (first["acronym"], first["category"], first["grade"], first["n"]) == (
        "BLAST",
        "neurologic events",
        "3",
        "12",
    )
    assert (first["reported"]["grade"], first["reported"]["percent"]) == (3, 10)
    assert data["statements"][1]["sources"] == ["memo"]
    assert data["statements"][1]["text"] == E1910_STATEMENT


def test_outcomes_csv(bundled: list[Study]) -> None:
    records = csv_records(outcomes_view(bundled, "os"))
    assert [r["outcome_id"] for r in records] == ["os-median", "os-landmark", "os-3-years"]
    assert records[0]["intervention"] == BLAST_MEDIAN_OS
    assert records[0]["sources"] == "abstract facts"
    assert (records[2]["relative_effect"], records[2]["participants"]) == (
        E1910_HR,
        "224 randomized (112 + 112)",
    )


def test_endpoints_csv(bundled: list[Study]) -> None:
    records = csv_records(endpoints_view(bundled))
    assert records[0] == {
        "endpoint": "overall-survival",
        "name": "overall survival",
        "aliases": "os",
        "narrower": "",
        "studies": "2",
        "analyses": "3",
    }


def test_safety_csv_has_one_record_per_event_or_statement(bundled: list[Study]) -> None:
    records = csv_records(safety_view(bundled))
    assert [r["kind"] for r in records] == ["event"] * 5 + ["statement"] * 2
    assert {k: records[2][k] for k in ("grade", "n", "percent", "denominator", "timing")} == {
        "grade": "any",
        "n": "4",
        "percent": "3%",
        "denominator": "not stated",
        "timing": "all during cycle 1",
    }
    assert (records[-1]["acronym"], records[-1]["text"], records[-1]["sources"]) == (
        "E1910",
        E1910_STATEMENT,
        "memo",
    )


# --- the commands, in every format --------------------------------------------------------


def test_cli_outcomes_os_table(runner: CliRunner) -> None:
    text = flat(run(runner, "outcomes", "os", "--format", "table").stdout)
    assert f"Intervention {BLAST_MEDIAN_OS}" in text
    assert f"Population {PH_NEGATIVE}" in text
    assert f"Relative effect {E1910_HR}" in text


def test_cli_outcomes_os_markdown(runner: CliRunner) -> None:
    [(header, rows)] = md_tables(run(runner, "outcomes", "os", "--format", "markdown").stdout)
    records = {(r[0], r[1]): by_header(header, r) for r in rows}
    median = records[("BLAST", "Median overall survival (OS)")]
    assert (median["Intervention"], median["Population"]) == (BLAST_MEDIAN_OS, PH_NEGATIVE)
    assert records[("E1910", "Overall survival at 3 years")]["Relative effect"] == E1910_HR


def test_cli_outcomes_os_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "outcomes", "os", "--format", "json").stdout)
    rows = {r["outcome_id"]: r for r in data["rows"]}
    assert (rows["os-median"]["intervention"], rows["os-median"]["population"]) == (
        BLAST_MEDIAN_OS,
        PH_NEGATIVE,
    )
    assert rows["os-median"]["reported"]["results"][0]["value"] == 36.5
    assert rows["os-3-years"]["relative_effect"] == E1910_HR
    assert rows["os-3-years"]["reported"]["comparison"]["estimate"] == 0.41


def test_cli_outcomes_os_csv(runner: CliRunner) -> None:
    output = run(runner, "outcomes", "os", "--format", "csv").stdout
    records = {r["outcome_id"]: r for r in csv.DictReader(io.StringIO(output))}
    assert records["os-median"]["intervention"] == BLAST_MEDIAN_OS
    assert records["os-median"]["population"] == PH_NEGATIVE
    assert records["os-3-years"]["relative_effect"] == E1910_HR


def test_cli_outcomes_list(runner: CliRunner) -> None:
    data = json.loads(run(runner, "outcomes", "--list", "--format", "json").stdout)
    counts = {r["endpoint"]: (r["studies"], r["analyses"]) for r in data["rows"]}
    assert (counts["overall-survival"], counts["relapse-free-survival"]) == ((2, 3), (2, 3))
    table = run(runner, "outcomes", "--list", "--format", "table").stdout
    assert "relapse-free-survival" in table and "…" not in table


def test_cli_outcomes_unknown_endpoint_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["outcomes", "survival-ish"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "unknown endpoint 'survival-ish'" in result.stderr


def test_cli_safety_table(runner: CliRunner) -> None:
    output = run(runner, "safety", "--format", "table").stdout
    rows = rich_rows(output, ["Event", "Grade", "Arm", "n (%)", "Of", "Timing"], "Grade")
    shown = [(r["Event"], r["Grade"], r["n (%)"]) for r in rows]
    assert ("neurologic events", "3", "12 (10%) [abstract]") in shown
    assert ("neurologic events", "4", "3 (3%) [abstract]") in shown
    assert ("cytokine release syndrome", "any", "4 (3%) [abstract]") in shown
    assert f"{E1910_STATEMENT} [memo]" in flat(output)


def test_cli_safety_markdown(runner: CliRunner) -> None:
    markdown = run(runner, "safety", "--format", "markdown").stdout
    [(header, rows)] = md_tables(markdown)
    assert header == SAFETY_HEADERS
    shown = [(r[0], r[1], r[2], r[4]) for r in rows]
    assert ("BLAST", "neurologic events", "3", "12 (10%)") in shown
    assert ("BLAST", "neurologic events", "4", "3 (3%)") in shown
    assert ("BLAST", "cytokine release syndrome", "any", "4 (3%)") in shown
    assert any(E1910_STATEMENT in item and "[memo]" in item for item in md_list_items(markdown))


def test_cli_safety_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "safety", "--format", "json").stdout)
    shown = [
        (e["acronym"], e["category"], e["grade"], e["n"], e["percent"]) for e in data["events"]
    ]
    assert ("BLAST", "neurologic events", "3", "12", "10%") in shown
    assert ("BLAST", "neurologic events", "4", "3", "3%") in shown
    assert ("BLAST", "cytokine release syndrome", "any", "4", "3%") in shown
    [statement] = [s for s in data["statements"] if s["acronym"] == "E1910"]
    assert (statement["text"], statement["sources"]) == (E1910_STATEMENT, ["memo"])


def test_cli_safety_csv(runner: CliRunner) -> None:
    output = run(runner, "safety", "--format", "csv").stdout
    records = list(csv.DictReader(io.StringIO(output)))
    shown = [(r["kind"], r["acronym"], r["category"], r["grade"], r["n"]) for r in records]
    assert ("event", "BLAST", "neurologic events", "3", "12") in shown
    assert ("event", "BLAST", "neurologic events", "4", "3") in shown
    assert ("event", "BLAST", "cytokine release syndrome", "any", "4") in shown
    assert ("statement", "E1910", "neuropsychiatric events", "", "") in shown


def test_cli_safety_filters(runner: CliRunner) -> None:
    output = run(runner, "safety", "--category", "neuro", "--min-grade", "4", "-f", "json").stdout
    data = json.loads(output)
    assert [(e["category"], e["grade"]) for e in data["events"]] == [("neurologic events", "4")]
    assert [s["category"] for s in data["statements"]] == ["neuropsychiatric events"]


def test_cli_safety_min_grade_out_of_range_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["safety", "--min-grade", "6"], catch_exceptions=False)
    assert result.exit_code == 2
