"""Every row of every view is marked with the sources that state its own figures, not with
every source of its block: the BLAST phase is in the fact sheet, not the abstract."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Study
from blinacli.views.compare import compare_view
from blinacli.views.digest import digest_view
from blinacli.views.forest import forest_plots
from blinacli.views.listing import list_view
from blinacli.views.outcomes import outcomes_view
from blinacli.views.safety import safety_view
from blinacli.views.show import Item, StudyView, study_view


@pytest.fixture(scope="module")
def studies() -> dict[str, Study]:
    return {s.id: s for s in loader.load([evidence_dir()]).studies}


def _items(items: list[Item]) -> dict[str, list[str]]:
    return {item.label: item.sources for item in items}


def _dosing(view: StudyView, arm: str) -> dict[str, list[str]]:
    return _items(next(r for r in view.dosing if r.arm == arm).items)


# --- show ------------------------------------------------------------------------------------


def test_show_blast_credits_each_citation_and_design_row(studies: dict[str, Study]) -> None:
    view = study_view(studies["blast"])
    assert _items(view.citation_items) == {
        "DOI": ["facts"],  # the abstract quote of the citation is its author list
        "Erratum": ["facts"],
        "ClinicalTrials.gov": ["abstract", "facts"],
    }
    design = _items(view.design)
    assert design["Phase"] == ["facts"]  # "phase 2, open-label, single-arm"
    assert design["Allocation"] == ["abstract", "facts"]
    assert design["Masking"] == ["abstract", "facts"]
    assert design["Enrolled"] == ["facts"]
    assert design["Treated"] == ["abstract"]


def test_show_blast_credits_each_population_and_dosing_row(studies: dict[str, Study]) -> None:
    view = study_view(studies["blast"])
    population = _items(view.population)
    assert population["Age"] == ["abstract"]
    assert population["MRD criterion"] == ["abstract"]
    assert population["Philadelphia / BCR::ABL1"] == []  # not reported, no quote
    assert population["Subgroup ph-negative"] == ["abstract"]
    dosing = _dosing(view, "Blinatumomab")
    assert dosing == {
        "Drug": ["abstract"],  # the fact sheet's dosing quote does not name the drug
        "Dose": ["abstract", "facts"],
        "Route": ["abstract", "facts"],
        # 4 weeks, 14 days and a 6-week cycle: the abstract's "4" is the number of cycles
        "Schedule": ["facts"],
        "Cycles": ["abstract", "facts"],
        "Transplant": ["abstract"],
    }


def test_show_blast_credits_each_figure_of_an_outcome(studies: dict[str, Study]) -> None:
    view = study_view(studies["blast"])
    outcomes = {o.id: o for o in view.outcomes}
    # median 36.5 from the abstract, its 95% CI 22.0 from the fact sheet: both
    assert outcomes["os-median"].results[0].sources == ["abstract", "facts"]
    assert outcomes["mrd-response"].results[0].sources == ["abstract"]
    assert outcomes["rfs-landmark"].comparison_sources == ["abstract"]
    assert [e.sources for e in view.events] == [["abstract"]] * 5
    assert [s.sources for s in view.statements] == [["abstract"]]


def test_show_e1910_credits_the_dosing_rows_to_the_fact_sheet(studies: dict[str, Study]) -> None:
    view = study_view(studies["e1910"])
    assert _dosing(view, "Blinatumomab + chemotherapy") == {
        "Drug": ["facts", "memo"],
        "Dose": ["facts"],  # 28 µg/day: the memo gives no dose,
        "Route": ["facts"],  # no route,
        "Schedule": ["facts"],  # and no schedule
        "Cycles": ["facts", "memo"],  # "4 cycles" and "Four cycles"
        "Combined with": ["facts", "memo"],
    }
    assert _dosing(view, "Chemotherapy alone") == {
        "Drug": ["memo"],
        "Dose": [],  # not stated: nothing to credit
        "Cycles": ["memo"],
        "Note": [],
    }


def test_show_e1910_credits_each_design_and_citation_row(studies: dict[str, Study]) -> None:
    view = study_view(studies["e1910"])
    assert _items(view.citation_items) == {
        "DOI": ["facts"],
        "PMID": ["facts"],
        "PMCID": ["facts"],
        "ClinicalTrials.gov": ["facts"],
    }
    design = _items(view.design)
    assert design["Phase"] == ["memo", "facts"]
    assert design["Allocation"] == ["memo"]  # the fact sheet's design quote says "phase 3" only
    assert design["Masking"] == []
    assert design["Reached remission"] == ["facts"]
    assert design["Randomized"] == ["memo", "facts"]
    assert design["Median follow-up"] == ["memo"]
    assert [s.sources for s in view.statements] == [["memo"]]


def test_show_csv_and_markdown_carry_the_credits(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "blast", "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0
    rows = {
        (r["section"], r["item"]): r["sources"] for r in csv.DictReader(io.StringIO(result.stdout))
    }
    assert rows[("design", "Phase")] == "facts"
    assert rows[("citation", "DOI")] == "facts"
    assert rows[("citation", "ClinicalTrials.gov")] == "abstract; facts"
    markdown = runner.invoke(app, ["show", "e1910", "--full", "--format", "markdown"]).stdout
    assert "- **Dose:** 28 µg/day (flat dose) [facts]\n" in markdown
    assert "- **Route:** continuous IV infusion [facts]\n" in markdown
    assert "- **Cycles:** 4 [facts] [memo]\n" in markdown


# --- the other views -----------------------------------------------------------------------------


def test_compare_credits_each_cell(studies: dict[str, Study]) -> None:
    view = compare_view([studies["blast"], studies["e1910"]])
    cells = {
        (section.name, row.label): [cell.sources for cell in row.cells]
        for section in view.sections
        for row in section.rows
    }
    assert cells[("design", "Phase")] == [["facts"], ["memo", "facts"]]
    assert cells[("design", "Allocation")] == [["abstract", "facts"], ["memo"]]
    assert cells[("citation", "DOI")] == [["facts"], ["facts"]]
    assert cells[("citation", "First author, year")] == [["facts"], ["facts"]]
    assert cells[("dosing", "Dose")] == [["abstract", "facts"], ["facts"]]
    assert cells[("dosing", "Route")] == [["abstract", "facts"], ["facts"]]
    assert cells[("dosing", "Schedule")] == [["facts"], ["facts"]]
    assert cells[("dosing", "Cycles")] == [["abstract", "facts"], ["facts", "memo"]]
    assert cells[("dosing", "Dosing notes")] == [[], []]
    assert cells[("population", "MRD method and tissue")] == [[], ["memo"]]
    payload = view.to_json()
    dose = next(r for s in payload["sections"] for r in s["rows"] if r["label"] == "Dose")
    assert [c["sources"] for c in dose["cells"]] == [["abstract", "facts"], ["facts"]]


def test_outcomes_safety_forest_and_list_credit_the_figures(studies: dict[str, Study]) -> None:
    both = [studies["blast"], studies["e1910"]]
    os_rows = {row.outcome_id: row.sources for row in outcomes_view(both, "os").rows}
    assert os_rows == {
        "os-median": ["abstract", "facts"],
        "os-landmark": ["abstract"],
        "os-3-years": ["memo"],
    }
    safety = safety_view(both)
    assert [e.sources for e in safety.events] == [["abstract"]] * 5
    assert [s.sources for s in safety.statements] == [["abstract"], ["memo"]]
    [plot] = forest_plots(both, ["overall-survival"])
    assert [row.sources for row in plot.rows] == [["memo"]]
    listed = {row.id: row.headline_sources for row in list_view(both).rows}
    assert listed == {"blast": ["abstract"], "e1910": ["memo"]}
    digest = digest_view(both, [], title=None, date=None)
    assert _items(digest.studies[0].design)["Phase"] == ["facts"]


def test_outcomes_json_and_csv_carry_the_credits(runner: CliRunner) -> None:
    result = runner.invoke(app, ["outcomes", "os", "--format", "json"], catch_exceptions=False)
    rows = json.loads(result.stdout)["rows"]
    assert {r["outcome_id"]: r["sources"] for r in rows}["os-median"] == ["abstract", "facts"]
    result = runner.invoke(app, ["outcomes", "os", "--format", "csv"], catch_exceptions=False)
    records = {r["outcome_id"]: r["sources"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert records["os-median"] == "abstract facts"


def test_a_figure_no_quote_holds_is_shown_without_a_mark(studies: dict[str, Study]) -> None:
    import msgspec

    blast = studies["blast"]
    outcome = blast.outcomes[2]
    result = msgspec.structs.replace(outcome.results[0], value=36.6)
    changed = msgspec.structs.replace(outcome, results=[result])
    view = study_view(msgspec.structs.replace(blast, outcomes=[changed]))
    # 36.6 is in no quote; the CI's 95 and 22.0 are in the fact sheet's
    assert view.outcomes[0].results[0].sources == ["facts"]
    only = msgspec.structs.replace(result, ci=None)
    bare = msgspec.structs.replace(outcome, results=[only])
    view = study_view(msgspec.structs.replace(blast, outcomes=[bare]))
    assert view.outcomes[0].results[0].sources == []
