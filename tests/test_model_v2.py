"""What real trials report and the version-1 model could not say, through every view and format.

The two invented studies in tests/fixtures/model-v2 hold each case: grade ranges, a percent
of a denominator with no count, follow-up per arm, a 2:1 allocation, trial status, a ratio
reported as comparator vs intervention (its direction unconfirmed), comparisons with no
estimate, an analysis population, a responder analysis, a composite endpoint, a citation
with no title, an endpoint with no stated role, and a result's note. Each test runs the
command a user would, in the formats they would read it in.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Study

FIXTURES = Path(__file__).parent / "fixtures" / "model-v2"
RANDOMIZED = "syn-v2-randomized"
SINGLE_ARM = "syn-v2-single-arm"
FORMATS = ["table", "markdown", "html", "json", "csv"]

DEFINITION = (
    "complete remission (CR), CR with partial hematologic recovery (CRh) or CR with "
    "incomplete hematologic recovery (CRi)"
)
RESULT_NOTE = "Two patients were assessed after the end of induction."
EVALUABLE = "57 evaluable patients of 60 treated"
STOPPED = "stopped early: futility at the planned interim analysis (as of 2025-03)"
RATIO = "2:1 (Fictumab : Standard care)"
DIRECTION = "reported as Standard care vs Fictumab (comparator vs intervention)"


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, [*args, "--evidence", str(FIXTURES)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def flat(text: str) -> str:
    """Text with line wraps and runs of spaces folded, Markdown's and HTML's escapes undone."""
    for escaped in ("\\[", "\\]", "\\|"):
        text = text.replace(escaped, escaped[1])
    return " ".join(html.unescape(text).split())


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def studies() -> dict[str, Study]:
    return {s.id: s for s in loader.load([FIXTURES]).studies}


def test_the_fixtures_are_invented_valid_and_clean(runner: CliRunner) -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        assert "SYNTHETIC TEST FIXTURE: invented" in path.read_text(encoding="utf-8")
    result = runner.invoke(app, ["check", str(FIXTURES)], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "no errors, no warnings" in result.stdout


# --- grade ranges ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_grade_ranges_are_shown_as_ranges_in_safety(runner: CliRunner, fmt: str) -> None:
    text = flat(run(runner, "safety", "--format", fmt))
    for grade in ("≥3", "3–4", "1–2"):
        assert grade in text
    if fmt != "json":  # JSON's "reported" keeps the file's own "1-2"
        assert "1-2" not in text  # the file's hyphen is shown as the range it is


def test_safety_json_carries_the_range_as_numbers(runner: CliRunner) -> None:
    events = json.loads(run(runner, "safety", "--format", "json"))["events"]
    bounds = {(e["grade"], e["grade_min"], e["grade_max"]) for e in events}
    assert bounds == {("≥3", 3, 5), ("3–4", 3, 4), ("1–2", 1, 2)}
    assert {e["n"] for e in events} == {"21", "3", "18"}


def test_min_grade_keeps_ranges_whose_every_grade_is_that_high(runner: CliRunner) -> None:
    kept = json.loads(run(runner, "safety", "--min-grade", "3", "--format", "json"))
    assert sorted(e["grade"] for e in kept["events"]) == ["3–4", "≥3"]
    assert "ranges reaching below it left out" in kept["filters"][0]
    # "3–4" and "≥3" may hold grade 3 events: nothing is at least grade 4.
    four = runner.invoke(
        app, ["safety", "--min-grade", "4", "--evidence", str(FIXTURES)], catch_exceptions=False
    )
    assert four.exit_code == 0
    assert "no safety data matches" in four.stderr


def test_grade_ranges_in_show_compare_and_digest(runner: CliRunner) -> None:
    show = flat(run(runner, "show", RANDOMIZED, "--full", "--format", "table"))
    assert "neutropenia ≥3 Fictumab 21 (35%)" in show
    compare = flat(run(runner, "compare", RANDOMIZED, SINGLE_ARM, "--format", "markdown"))
    assert "grade ≥3: 21/60 (35%)" in compare
    assert "grades 3–4: 3/60 (5%)" in compare
    digest = flat(run(runner, "digest"))
    assert "| neutropenia | ≥3 | Fictumab |" in digest


def test_an_unconfirmed_grade_is_marked_with_its_reason(runner: CliRunner) -> None:
    for fmt in ("table", "markdown", "html"):
        text = flat(run(runner, "show", RANDOMIZED, "--full", "--format", fmt))
        assert "Unconfirmed grade: The abstract's table and text give different grade" in text
    rows = csv_rows(run(runner, "safety", "--format", "csv"))
    noted = [r for r in rows if r["grade"] == "1–2"]
    assert noted[0]["note"].startswith("Unconfirmed grade:")


def test_a_grade_range_must_run_upwards(tmp_path: Path, runner: CliRunner) -> None:
    text = (FIXTURES / f"{RANDOMIZED}.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(text.replace('grade: "3–4"', 'grade: "4–3"'), "utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert "grade range '4–3' must run from a lower grade to a higher one" in result.stdout


# --- a percent of a denominator, with no count ---------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_a_percent_of_a_total_stays_a_proportion(runner: CliRunner, fmt: str) -> None:
    for command in (["show", RANDOMIZED], ["outcomes", "composite"]):
        text = flat(run(runner, *command, "--format", fmt))
        assert "52% of 60" in text and "31% of 30" in text


def test_a_percent_of_a_total_in_json_has_no_invented_count(runner: CliRunner) -> None:
    data = json.loads(run(runner, "show", RANDOMIZED, "--format", "json"))
    results = data["outcomes"][0]["results"]
    assert {(r["measure"], r["percent"], r["total"]) for r in results} == {
        ("proportion", 52, 60),
        ("proportion", 31, 30),
    }
    assert all("n" not in r or r["n"] is None for r in results)


# --- follow-up per arm, allocation ratio, status -------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_show_gives_follow_up_per_arm_the_ratio_and_the_status(runner: CliRunner, fmt: str) -> None:
    text = flat(run(runner, "show", RANDOMIZED, "--full", "--format", fmt))
    assert RATIO in text
    assert STOPPED in text
    assert "14.2 months" in text and "13.1 months" in text
    assert text.count("Median follow-up,") == 2  # one row per arm (labels wrap in a table)


def test_compare_lines_up_ratio_status_and_follow_up(runner: CliRunner) -> None:
    data = json.loads(run(runner, "compare", RANDOMIZED, SINGLE_ARM, "--format", "json"))
    rows = {r["label"]: r for s in data["sections"] for r in s["rows"]}
    texts = {label: [c["text"] for c in row["cells"]] for label, row in rows.items()}
    assert texts["Allocation ratio"] == [RATIO, "not stated"]
    assert texts["Status"] == [STOPPED, "ongoing"]
    assert texts["Median follow-up"] == [
        "Fictumab: 14.2 months; Standard care: 13.1 months",
        "20 months",
    ]


def test_status_and_ratio_in_json_are_numbers_and_states(runner: CliRunner) -> None:
    data = json.loads(run(runner, "show", RANDOMIZED, "--format", "json"))
    assert data["status"]["state"] == "stopped-early"
    assert data["design"]["allocation_ratio"]["ratio"] == [2, 1]
    assert [f["median"] for f in data["design"]["follow_up"]] == [14.2, 13.1]


def test_a_study_that_states_no_status_says_so(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["show", "e1910", "--full", "--format", "table"], catch_exceptions=False
    )
    assert "Status not stated" in flat(result.stdout)


def test_a_ratio_with_the_wrong_number_of_parts_is_refused(
    tmp_path: Path, runner: CliRunner
) -> None:
    text = (FIXTURES / f"{RANDOMIZED}.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(text.replace("ratio: [2, 1]", "ratio: [2, 1, 1]"), "utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert "the ratio has 3 parts but the design has 2 arms" in result.stdout


def test_stopped_early_needs_its_reason(tmp_path: Path, runner: CliRunner) -> None:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / f"{RANDOMIZED}.yaml").read_text("utf-8"))
    del data["status"]["reason"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert "a trial stopped early needs its reason" in result.stdout


# --- the direction of a comparison -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_a_ratio_given_as_comparator_vs_intervention_is_labelled_so(
    runner: CliRunner, fmt: str
) -> None:
    for command in (["show", RANDOMIZED], ["outcomes", "os"]):
        text = flat(run(runner, *command, "--format", fmt))
        assert "HR 0.82 (95% CI 0.51–1.32)" in text
        assert DIRECTION in text
        assert "[unconfirmed: direction]" in text


def test_the_arms_stay_in_their_roles_whatever_the_order(runner: CliRunner) -> None:
    """The file lists Standard care's result first and the comparison as standard vs
    fictumab; the intervention is still Fictumab, the comparator Standard care."""
    data = json.loads(run(runner, "outcomes", "os", "--format", "json"))
    (row,) = data["rows"]
    assert (row["intervention"], row["comparator"]) == ("Fictumab: 48%", "Standard care: 55%")
    assert row["groups_compared"] == ""
    assert any(n.startswith("Comparison: unconfirmed direction:") for n in row["notes"])


def test_a_reversed_ratio_is_kept_off_the_forest_axis(runner: CliRunner) -> None:
    data = json.loads(run(runner, "outcomes", "os", "--format", "json"))
    assert data["forest"] == []  # no plot would place HR 0.82 on the right side


# --- comparisons with no estimate ------------------------------------------------------------


def test_two_rates_with_a_p_bound_and_no_estimate(runner: CliRunner) -> None:
    data = json.loads(run(runner, "outcomes", "composite", "--format", "json"))
    (row,) = data["rows"]
    assert row["relative_effect"] == "P < 0.05"
    assert row["reported"]["comparison"]["p"] == "<0.05"
    assert row["reported"]["comparison"]["estimate"] is None


def test_two_rates_alone_are_both_shown(runner: CliRunner) -> None:
    for fmt in ("table", "markdown", "html"):
        text = flat(run(runner, "outcomes", "transplant-rate", "--format", fmt))
        assert "Fictumab: 40%" in text and "Standard care: 25%" in text
    data = json.loads(run(runner, "outcomes", "transplant-rate", "--format", "json"))
    (row,) = data["rows"]
    assert row["reported"]["comparison"] is None
    assert row["relative_effect"] == "not reported"


# --- the analysis population ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_analysis_population_is_named_never_all(runner: CliRunner, fmt: str) -> None:
    commands = [["outcomes", "mrd"]] + ([["show", SINGLE_ARM]] if fmt != "json" else [])
    for command in commands:
        text = flat(run(runner, *command, "--format", fmt))
        assert EVALUABLE in text
    show = json.loads(run(runner, "show", SINGLE_ARM, "--format", "json"))
    analysis = show["outcomes"][0]["analysis"]
    assert (analysis["label"], analysis["n"], analysis["of"]) == ("evaluable patients", 57, 60)
    outcomes = json.loads(run(runner, "outcomes", "mrd", "--format", "json"))
    assert [r["population"] for r in outcomes["rows"]] == [EVALUABLE]


def test_the_analysis_population_in_compare_and_digest(runner: CliRunner) -> None:
    compare = flat(run(runner, "compare", RANDOMIZED, SINGLE_ARM, "--format", "markdown"))
    assert f"after 2 cycles; {EVALUABLE}" in compare
    assert EVALUABLE in flat(run(runner, "digest"))


def test_an_outcome_without_population_says_not_stated(runner: CliRunner) -> None:
    data = json.loads(run(runner, "outcomes", "transplant-rate", "--format", "json"))
    assert data["rows"][0]["population"] == "not stated"
    assert "population not stated" in data["rows"][0]["comment"]


# --- responder and landmark analyses ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_a_responder_analysis_is_group_a_vs_group_b(runner: CliRunner, fmt: str) -> None:
    text = flat(run(runner, "outcomes", "rfs", "--format", fmt))
    assert "Groups compared" in text
    assert (
        "Complete MRD responders: median 25.1 months vs MRD nonresponders: median 6.3 months"
        in text
    )
    assert "Intervention Complete MRD responders" not in text


def test_a_responder_analysis_in_json_and_csv_has_no_intervention(runner: CliRunner) -> None:
    (row,) = json.loads(run(runner, "outcomes", "rfs", "--format", "json"))["rows"]
    assert row["intervention"] == row["comparator"] == "— (groups compared, not arms)"
    assert row["groups_compared"].startswith("Complete MRD responders: median 25.1 months vs ")
    (record,) = csv_rows(run(runner, "outcomes", "rfs", "--format", "csv"))
    assert record["groups_compared"] == row["groups_compared"]
    assert record["intervention"] == "— (groups compared, not arms)"


def test_a_subgroup_comparison_has_no_place_on_a_forest_axis(runner: CliRunner) -> None:
    data = json.loads(run(runner, "outcomes", "rfs", "--format", "json"))
    assert data["forest"] == []


def test_an_intervention_may_only_be_an_arm(tmp_path: Path, runner: CliRunner) -> None:
    text = (FIXTURES / f"{SINGLE_ARM}.yaml").read_text(encoding="utf-8")
    edited = text.replace(
        "      groups: [responders, nonresponders]\n",
        "      groups: [responders, nonresponders]\n      intervention: responders\n",
    )
    (tmp_path / "bad.yaml").write_text(edited, "utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert "'responders' is not an arm: a comparison of subgroups has no intervention" in (
        result.stdout
    )


# --- composite endpoints, unknown titles, unstated roles, notes ---------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_a_composite_endpoint_carries_its_definition(runner: CliRunner, fmt: str) -> None:
    for command in (["show", RANDOMIZED], ["outcomes", "composite"]):
        text = flat(run(runner, *command, "--format", fmt))
        assert "CR/CRh/CRi" in text
        assert DEFINITION in text


def test_a_composite_endpoint_in_compare_and_digest(runner: CliRunner) -> None:
    assert "Composite endpoint" in flat(run(runner, "compare", RANDOMIZED, SINGLE_ARM))
    digest = flat(run(runner, "digest"))
    assert "### Composite endpoint" in run(runner, "digest")
    assert f"Definition: {DEFINITION}" in digest


def test_a_citation_without_title_says_not_stated_and_never_reaches_bibtex(
    runner: CliRunner,
) -> None:
    show = flat(run(runner, "show", RANDOMIZED, "--full", "--format", "table"))
    assert "[title not stated]" in show
    bibtex = run(runner, "cite", RANDOMIZED, "--format", "bibtex")
    assert "title" not in bibtex.replace("booktitle", "")
    assert "not stated" not in bibtex and "TODO" not in bibtex
    ris = run(runner, "cite", RANDOMIZED, "--format", "ris")
    assert "\nTI  -" not in ris
    csl = json.loads(run(runner, "cite", RANDOMIZED, "--format", "csl-json"))
    assert "title" not in csl[0]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_an_endpoint_role_not_stated(runner: CliRunner, fmt: str) -> None:
    text = flat(run(runner, "show", RANDOMIZED, "--full", "--format", fmt))
    assert "Endpoint (role not" in text  # "stated)" may wrap in a table's label column
    assert "proportion proceeding to transplant" in text


@pytest.mark.parametrize(
    "command",
    [
        ["show", RANDOMIZED, "--format", "table"],
        ["show", RANDOMIZED, "--format", "markdown"],
        ["show", RANDOMIZED, "--format", "html"],
        ["show", RANDOMIZED, "--format", "csv"],
        ["outcomes", "composite", "--format", "table"],
        ["outcomes", "composite", "--format", "markdown"],
        ["outcomes", "composite", "--format", "html"],
        ["outcomes", "composite", "--format", "csv"],
        ["compare", RANDOMIZED, SINGLE_ARM, "--format", "table"],
        ["compare", RANDOMIZED, SINGLE_ARM, "--format", "markdown"],
        ["digest"],
        ["digest", "--format", "html"],
    ],
    ids=lambda c: "-".join(c[:1] + c[-1:]),
)
def test_a_results_note_is_shown_wherever_the_result_is(
    runner: CliRunner, command: list[str]
) -> None:
    assert RESULT_NOTE in flat(run(runner, *command))


def test_a_results_note_in_json(runner: CliRunner) -> None:
    (row,) = json.loads(run(runner, "outcomes", "composite", "--format", "json"))["rows"]
    assert f"Fictumab: {RESULT_NOTE}" in row["notes"]
    show = json.loads(run(runner, "show", RANDOMIZED, "--format", "json"))
    notes = [r.get("note") for r in show["outcomes"][0]["results"]]
    assert RESULT_NOTE in notes


# --- a file of version 1 whose comparison order disagrees with its arms' roles --------------


def test_check_names_a_comparison_whose_order_and_roles_disagree(
    tmp_path: Path, runner: CliRunner
) -> None:
    """Version 1 read the first group as the intervention; version 2 reads the roles. A
    file listing the comparator first without `intervention` gets a warning saying what
    to add, and stays valid (exit 0)."""
    text = (FIXTURES / f"{RANDOMIZED}.yaml").read_text(encoding="utf-8")
    old = text.replace("      intervention: fictumab\n", "")
    (tmp_path / "v1.yaml").write_text(old, "utf-8")
    result = runner.invoke(app, ["check", str(tmp_path / "v1.yaml")], catch_exceptions=False)
    assert result.exit_code == 0
    assert "[warning]" in result.stdout and "direction-from-roles" not in result.stderr
    assert "add `intervention: fictumab`" in flat(result.stdout)
    given = runner.invoke(app, ["check", str(FIXTURES / f"{RANDOMIZED}.yaml")])
    assert "intervention" not in given.stdout


# --- FHIR ----------------------------------------------------------------------------------


def fhir_bundle(runner: CliRunner) -> dict[str, Any]:
    """The fixtures' export, validated by fhir.resources as an R5 Bundle, as plain JSON."""
    from fhir.resources.bundle import Bundle

    text = run(runner, "export", "--format", "fhir")
    Bundle.model_validate_json(text)
    data: dict[str, Any] = json.loads(text)
    return {entry["resource"]["id"]: entry["resource"] for entry in data["entry"]}


def test_fhir_carries_status_ratio_and_every_figure(runner: CliRunner) -> None:
    resources = fhir_bundle(runner)
    study = resources[RANDOMIZED]
    assert study["progressStatus"][0]["state"]["text"] == "stopped early"
    assert study["whyStopped"]["text"] == "futility at the planned interim analysis"
    assert any("2:1" in design.get("text", "") for design in study["studyDesign"])
    assert resources[SINGLE_ARM]["progressStatus"][0]["state"]["text"] == "ongoing"
    # Each group's own figure is an Evidence: the percent-only proportion with no count.
    fictumab = resources[f"{RANDOMIZED}.cr-composite.fictumab"]["statistic"][0]
    assert fictumab["quantity"]["value"] == 52
    assert fictumab["sampleSize"]["numberOfParticipants"] == 60
    assert "numberAffected" not in fictumab


def test_fhir_keeps_grade_ranges_whole(runner: CliRunner) -> None:
    resources = fhir_bundle(runner)
    events = [r for key, r in resources.items() if key.startswith(f"{RANDOMIZED}.AE-")]
    grades = sorted(e["statistic"][0]["category"]["text"] for e in events)
    assert grades == ["grade ≥3", "grades 1–2", "grades 3–4"]
    assert sorted(e["statistic"][0]["numberAffected"] for e in events) == [3, 18, 21]


# --- derived figures from the arms' roles -------------------------------------------------------


def derived_of(runner: CliRunner, outcome: str) -> list[dict[str, Any]]:
    data = json.loads(run(runner, "show", RANDOMIZED, "--format", "json"))
    return [d for d in data["derived"] if d["outcome"] == outcome]


def test_a_reversed_comparison_still_subtracts_comparator_from_intervention(
    runner: CliRunner,
) -> None:
    (difference,) = [d for d in derived_of(runner, "os-hr") if d["kind"] == "risk-difference"]
    assert difference["value"] == -7
    assert difference["unit"] == "percentage-points"
    assert difference["number_needed"]["kind"] == "to-harm"
    assert "number needed to harm 15" in difference["text"]


def test_endpoints_without_a_direction_get_a_difference_and_no_nnt(runner: CliRunner) -> None:
    for outcome, points in (("transplant", 15), ("cr-composite", 21)):
        (difference,) = [d for d in derived_of(runner, outcome) if d["kind"] == "risk-difference"]
        assert difference["value"] == points
        assert difference["number_needed"] is None
        assert "number needed" not in difference["text"]
