"""Integrity checks: `blinacli check`, `validate --strict` and the library behind them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal, NamedTuple

import pytest
from typer.testing import CliRunner

from blinacli.base.findings import Report
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.views.checks import RULES, CheckFinding, CheckReport, check_studies, check_study

FIXTURES = Path(__file__).parent / "fixtures"
SYNTHETIC = FIXTURES / "synthetic"
BROKEN = FIXTURES / "broken"
BUNDLED_SUMMARY = (
    "check passed: validation: 2 files checked: 2 studies, all valid; "
    "integrity: 2 studies checked, no errors, no warnings\n"
)


class Expected(NamedTuple):
    """The one finding a broken fixture must produce."""

    rule: str
    severity: Literal["error", "warning"]
    study: str
    path: str
    reported: str
    derived: str
    line: int
    column: int
    message: str


BROKEN_FIXTURES = {
    "percent-vs-count.yaml": Expected(
        "percent-vs-count",
        "error",
        "blast",
        "outcomes[0].results[0].percent",
        "80",
        "77.9 (88/113)",
        229,
        18,
        "the percent disagrees with 88/113 by more than the rounding of the reported "
        "figure allows (±0.5 points)",
    ),
    "percent-vs-count-enrollment.yaml": Expected(
        "percent-vs-count",
        "error",
        "e1910",
        "design.enrollment[1].percent",
        "91",
        "80.9 (395/488 enrolled)",
        113,
        16,
        "the percent disagrees with 395/488 enrolled by more than the rounding of the "
        "reported figure allows (±0.5 points)",
    ),
    "ci-excludes-estimate.yaml": Expected(
        "ci-excludes-estimate",
        "error",
        "e1910",
        "outcomes[1].comparison.estimate",
        "HR 0.93",
        "95% CI 0.32–0.87",
        261,
        17,
        "the estimate lies above the upper limit of its own confidence interval",
    ),
    "direction-from-roles.yaml": Expected(
        "direction-from-roles",
        "warning",
        "e1910",
        "outcomes[0].comparison.groups",
        "groups [chemotherapy, blinatumomab]",
        "intervention blinatumomab (the experimental arm)",
        224,
        15,
        "the comparator arm 'chemotherapy' is listed first and the file does not say which "
        "arm is the intervention; add `intervention: blinatumomab` if the estimate is of "
        "'chemotherapy' relative to 'blinatumomab' as reported, or swap the groups if it is not",
    ),
    "p-vs-ci.yaml": Expected(
        "p-vs-ci",
        "warning",
        "e1910",
        "outcomes[0].comparison.p",
        "P = 0.02",
        "P ≈ 0.0025 (from HR 0.41, 95% CI 0.23–0.73)",
        229,
        10,
        "the reported p-value is outside 0.0017–0.0036, the range of Wald-test p-values "
        "the estimate and its 95% CI allow at their reported rounding (a different test, "
        "e.g. log-rank, may explain it)",
    ),
    "subgroup-over-population.yaml": Expected(
        "subgroup-over-population",
        "error",
        "blast",
        "population.subgroups[0].n",
        "120",
        "N = 116 (treated)",
        166,
        10,
        "subgroup 'ph-negative' is larger than the study's N",
    ),
    "denominator-over-group.yaml": Expected(
        "denominator-over-group",
        "error",
        "blast",
        "outcomes[0].results[0].total",
        "113",
        "112 (enrolled in the single-arm study)",
        228,
        16,
        "the denominator exceeds the size of group 'blinatumomab'",
    ),
    "denominator-over-group-safety.yaml": Expected(
        "denominator-over-group",
        "error",
        "syn-three-arm",
        "safety[1].total",
        "105",
        "100 (randomized to control)",
        94,
        79,
        "the denominator exceeds the size of group 'control'",
    ),
    "figure-not-in-quote.yaml": Expected(
        "figure-not-in-quote",
        "error",
        "blast",
        "outcomes[2].results[0].value",
        "36.6",
        "the quotes state 36.5; 2019, 2020, 110, 95%, 22.0",
        267,
        16,
        "36.6 is stated in none of the 2 quotes cited for it: [abstract] “Median overall "
        "survival (OS) was 36.5 months.”; [facts] “the final analysis (EHA 2019 abstract "
        "S1619; Leukemia & Lymphoma 2020) states it for the 110 patients with Ph-negative "
        "BCP-ALL in hematologic remission (95% CI 22.0 to not estimable).”",
    ),
    "arms-sum.yaml": Expected(
        "arms-sum",
        "error",
        "e1910",
        "design.enrollment[2].n",
        "224",
        "230 (112 blinatumomab + 118 chemotherapy)",
        117,
        10,
        "the per-arm randomized counts add up to 230, not 224",
    ),
}

# Rules the model enforces at load: the file fails validation, and check reports that.
VALIDATION_FIXTURES = {
    "ci-order.yaml": (
        "ci-order",
        "outcomes[0].comparison.ci",
        228,
        11,
        "lower limit 0.83 exceeds upper limit 0.73",
    ),
    "count-over-denominator.yaml": (
        "count-over-denominator",
        "outcomes[0].results[0]",
        225,
        9,
        "n (118) exceeds its denominator (113)",
    ),
}


def _check(*paths: Path | str) -> tuple[Report, CheckReport]:
    report, loaded = loader.check(list(paths))
    return report, check_studies(loaded)


def _check_edited(tmp_path: Path, base: Path, *edits: tuple[str, str]) -> list[CheckFinding]:
    """The findings on a copy of ``base`` with each (old, new) text replaced once."""
    text = base.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} is not unique in {base.name}"
        text = text.replace(old, new)
    edited = tmp_path / base.name
    edited.write_text(text, encoding="utf-8")
    report, checks = _check(edited)
    assert report.valid, [str(f) for f in report.findings]
    # These edits change figures and not the quotes behind them: what figure-not-in-quote
    # then reports is tested in tests/test_credit_rule.py, not here.
    return [f for f in checks.findings if f.rule != "figure-not-in-quote"]


def _summary(finding: CheckFinding) -> tuple[str, str, str, str, str]:
    return finding.rule, finding.path, finding.reported, finding.derived, finding.message


# --- The rules -------------------------------------------------------------------------------


def test_every_rule_is_documented_with_its_severity() -> None:
    assert set(RULES) == {
        "percent-vs-count",
        "ci-excludes-estimate",
        "ci-order",
        "count-over-denominator",
        "p-vs-ci",
        "subgroup-over-population",
        "denominator-over-group",
        "arms-sum",
        "figure-not-in-quote",
        "direction-from-roles",
    }
    warnings = {rule for rule, (severity, _) in RULES.items() if severity == "warning"}
    assert warnings == {"p-vs-ci", "direction-from-roles"}
    for rule, (severity, text) in RULES.items():
        assert severity in ("error", "warning"), rule
        assert text.endswith(".") and len(text) > 40, rule
    assert "log-rank" in RULES["p-vs-ci"][1]
    for rule in ("ci-order", "count-over-denominator"):
        assert "Enforced at validation" in RULES[rule][1]


def test_every_rule_has_a_broken_fixture_that_says_so() -> None:
    named: dict[str, str] = {}
    for file in sorted(BROKEN.glob("*.yaml")):
        header = file.read_text(encoding="utf-8").split("\n", 3)[:3]
        assert header[0].startswith("# SYNTHETIC BROKEN TEST FIXTURE, not evidence"), file.name
        found = re.search(r"integrity rule (\S+)", " ".join(header))
        assert found is not None, file.name
        named[file.name] = found.group(1)
    assert set(named.values()) == set(RULES)
    expected = {name: e.rule for name, e in BROKEN_FIXTURES.items()}
    expected.update({name: v[0] for name, v in VALIDATION_FIXTURES.items()})
    assert named == expected
    readme = (BROKEN / "README.md").read_text(encoding="utf-8")
    for name in named:
        assert f"`{name}`" in readme


# --- Evidence that passes --------------------------------------------------------------------


def test_the_bundled_evidence_has_no_findings() -> None:
    # No warnings either: E1910's P = 0.002 for HR 0.41 (95% CI 0.23-0.73) is within
    # the 0.0017-0.0036 its rounded figures allow.
    report, checks = _check(evidence_dir())
    assert report.valid
    assert checks.studies == ["blast", "e1910"]
    assert checks.findings == []
    assert checks.summary() == "integrity: 2 studies checked, no errors, no warnings"


def test_the_synthetic_studies_have_no_findings() -> None:
    # They include a 90% CI (HR 0.72, 0.55-0.94, P = 0.04), p-value bounds, an odds
    # ratio, and percents with a decimal (12.5% of 40).
    report, checks = _check(SYNTHETIC)
    assert report.valid
    assert sorted(checks.studies) == [
        "syn-odds",
        "syn-paediatric",
        "syn-single-arm",
        "syn-three-arm",
    ]
    assert checks.findings == []


# --- Each broken fixture: the library -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BROKEN_FIXTURES))
def test_each_broken_fixture_gives_exactly_its_finding(name: str) -> None:
    expected = BROKEN_FIXTURES[name]
    report, checks = _check(BROKEN / name)
    assert report.valid, "the fixture must load: only the integrity rule is broken"
    assert len(checks.findings) == 1, [str(f) for f in checks.findings]
    finding = checks.findings[0]
    assert Path(finding.file).name == name
    assert finding == CheckFinding(
        study=expected.study,
        file=finding.file,
        path=expected.path,
        rule=expected.rule,
        severity=expected.severity,
        message=expected.message,
        reported=expected.reported,
        derived=expected.derived,
        line=expected.line,
        column=expected.column,
    )
    assert finding.severity == RULES[expected.rule][0]
    assert (checks.errors, checks.warnings) == (
        ([finding], []) if expected.severity == "error" else ([], [finding])
    )


@pytest.mark.parametrize("name", sorted(VALIDATION_FIXTURES))
def test_rules_enforced_at_validation_fail_the_load(name: str) -> None:
    _, path, line, column, message = VALIDATION_FIXTURES[name]
    report, checks = _check(BROKEN / name)
    assert not report.valid
    assert [(f.kind, f.path, f.line, f.column, f.message) for f in report.findings] == [
        ("schema", path, line, column, message)
    ]
    assert checks.studies == []
    assert checks.findings == []


# --- Each broken fixture: the command line --------------------------------------------------------


@pytest.mark.parametrize("command", [["check"], ["validate", "--strict"]])
@pytest.mark.parametrize("name", sorted(BROKEN_FIXTURES))
def test_check_names_study_field_reported_and_derived(
    runner: CliRunner, command: list[str], name: str
) -> None:
    expected = BROKEN_FIXTURES[name]
    result = runner.invoke(app, [*command, str(BROKEN / name)], catch_exceptions=False)
    assert result.exit_code == (1 if expected.severity == "error" else 0)
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    finding, summary = lines
    assert finding.endswith(
        f"{name}:{expected.line}:{expected.column}: [{expected.severity}] "
        f"study {expected.study}: {expected.path}: {expected.message} "
        f"(reported {expected.reported}, derived {expected.derived})"
    )
    errors = "1 error, no warnings" if expected.severity == "error" else "no errors, 1 warning"
    state = "check failed" if expected.severity == "error" else "check passed"
    assert summary == (
        f"{state}: validation: 1 file checked: 1 study, all valid; "
        f"integrity: 1 study checked, {errors}"
    )
    assert result.stderr == ""


@pytest.mark.parametrize("command", [["check"], ["validate", "--strict"]])
@pytest.mark.parametrize("name", sorted(VALIDATION_FIXTURES))
def test_check_exits_1_with_the_validation_message(
    runner: CliRunner, command: list[str], name: str
) -> None:
    _, path, line, column, message = VALIDATION_FIXTURES[name]
    result = runner.invoke(app, [*command, str(BROKEN / name)], catch_exceptions=False)
    assert result.exit_code == 1
    first, summary = result.stdout.splitlines()
    assert first.endswith(f"{name}:{line}:{column}: {path}: {message}")
    assert summary == (
        "check failed: validation: 1 problem in 1 of 1 file; "
        "integrity: 0 studies checked, no errors, no warnings"
    )


@pytest.mark.parametrize("command", [["check"], ["validate", "--strict"]])
def test_check_passes_the_bundled_evidence(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, command, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == BUNDLED_SUMMARY


def test_check_and_validate_strict_print_the_same(runner: CliRunner) -> None:
    # Two studies (copies of one study would share its id and fail validation).
    paths = [str(BROKEN / "subgroup-over-population.yaml"), str(BROKEN / "p-vs-ci.yaml")]
    checked = runner.invoke(app, ["check", *paths], catch_exceptions=False)
    strict = runner.invoke(app, ["validate", "--strict", *paths], catch_exceptions=False)
    assert checked.exit_code == strict.exit_code == 1
    assert checked.stdout == strict.stdout
    assert "1 error, 1 warning" in checked.stdout


def test_validate_without_strict_ignores_the_integrity_rules(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(BROKEN / "arms-sum.yaml")], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == "valid: 1 file checked: 1 study, all valid\n"


def test_check_json_is_the_library_report(runner: CliRunner) -> None:
    paths = [BROKEN / "subgroup-over-population.yaml", BROKEN / "p-vs-ci.yaml"]
    result = runner.invoke(
        app, ["check", "--format", "json", *map(str, paths)], catch_exceptions=False
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    report, checks = _check(*paths)
    assert payload == {
        "valid": False,
        "validation": report.to_dict(),
        "checks": checks.to_dict(),
    }
    assert payload["checks"]["errors"] == 1
    assert payload["checks"]["warnings"] == 1
    assert payload["checks"]["summary"] == "integrity: 2 studies checked, 1 error, 1 warning"
    assert [
        (f["study"], f["rule"], f["severity"], f["path"], f["reported"], f["derived"], f["line"])
        for f in payload["checks"]["findings"]
    ] == [
        (
            "blast",
            "subgroup-over-population",
            "error",
            "population.subgroups[0].n",
            "120",
            "N = 116 (treated)",
            166,
        ),
        (
            "e1910",
            "p-vs-ci",
            "warning",
            "outcomes[0].comparison.p",
            "P = 0.02",
            "P ≈ 0.0025 (from HR 0.41, 95% CI 0.23–0.73)",
            229,
        ),
    ]
    assert payload["checks"]["rules"]["p-vs-ci"] == {
        "severity": "warning",
        "rule": RULES["p-vs-ci"][1],
    }


def test_check_json_on_the_bundled_evidence(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    checks = json.loads(result.stdout)["checks"]
    assert (checks["studies"], checks["findings"], checks["errors"], checks["warnings"]) == (
        ["blast", "e1910"],
        [],
        0,
        0,
    )


def test_check_github_annotations(runner: CliRunner) -> None:
    paths = [str(BROKEN / "subgroup-over-population.yaml"), str(BROKEN / "p-vs-ci.yaml")]
    result = runner.invoke(app, ["check", "--format", "github", *paths], catch_exceptions=False)
    assert result.exit_code == 1
    error, warning, summary = result.stdout.splitlines()
    assert re.fullmatch(
        r"::error file=[^,]*subgroup-over-population\.yaml,line=166,col=10,"
        r"title=blinacli check subgroup-over-population::"
        r"study blast: population\.subgroups\[0\]\.n: subgroup 'ph-negative' is larger than "
        r"the study's N \(reported 120, derived N = 116 \(treated\)\)",
        error,
    )
    assert re.fullmatch(
        r"::warning file=[^,]*p-vs-ci\.yaml,line=229,col=10,title=blinacli check p-vs-ci::"
        r"study e1910: outcomes\[0\]\.comparison\.p: .*",
        warning,
    )
    # "%" is escaped as "%25" in a workflow command.
    assert warning.endswith(
        "(reported P = 0.02, derived P ≈ 0.0025 (from HR 0.41, 95%25 CI 0.23–0.73))"
    )
    assert summary == (
        "check failed: validation: 2 files checked: 2 studies, all valid; "
        "integrity: 2 studies checked, 1 error, 1 warning"
    )


def test_check_github_annotation_of_a_validation_failure(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["check", "-f", "github", str(BROKEN / "ci-order.yaml")], catch_exceptions=False
    )
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=")
    assert first.endswith(
        ",line=228,col=11,title=blinacli schema::"
        "outcomes[0].comparison.ci: lower limit 0.83 exceeds upper limit 0.73"
    )


# --- The finding and the report as data -----------------------------------------------------------


def _finding(**changes: object) -> CheckFinding:
    fields: dict[str, object] = {
        "study": "e1910",
        "file": "evidence/e1910.yaml",
        "path": "outcomes[0].comparison.p",
        "rule": "p-vs-ci",
        "severity": "warning",
        "message": "the reported p-value is outside 0.0017–0.0036",
        "reported": "P = 0.02",
        "derived": "P ≈ 0.0025",
        "line": 229,
        "column": 10,
    }
    fields.update(changes)
    return CheckFinding(**fields)  # type: ignore[arg-type]


def test_finding_text() -> None:
    assert str(_finding()) == (
        "evidence/e1910.yaml:229:10: [warning] study e1910: outcomes[0].comparison.p: "
        "the reported p-value is outside 0.0017–0.0036 (reported P = 0.02, derived P ≈ 0.0025)"
    )
    assert str(_finding(line=None, column=None, severity="error")).startswith(
        "evidence/e1910.yaml: [error] study e1910: "
    )


def test_finding_github_annotation_escapes_its_properties_and_message() -> None:
    finding = _finding(file="a,b:c.yaml", message="50% of\nlines", severity="error")
    assert finding.github_annotation() == (
        "::error file=a%2Cb%3Ac.yaml,line=229,col=10,title=blinacli check p-vs-ci::"
        "study e1910: outcomes[0].comparison.p: 50%25 of%0Alines "
        "(reported P = 0.02, derived P ≈ 0.0025)"
    )
    assert (
        _finding(line=None, column=None)
        .github_annotation()
        .startswith("::warning file=evidence/e1910.yaml,title=blinacli check p-vs-ci::")
    )


def test_finding_to_dict() -> None:
    assert _finding().to_dict() == {
        "study": "e1910",
        "file": "evidence/e1910.yaml",
        "path": "outcomes[0].comparison.p",
        "rule": "p-vs-ci",
        "severity": "warning",
        "message": "the reported p-value is outside 0.0017–0.0036",
        "reported": "P = 0.02",
        "derived": "P ≈ 0.0025",
        "line": 229,
        "column": 10,
    }


@pytest.mark.parametrize(
    ("findings", "studies", "summary"),
    [
        ([], ["a"], "integrity: 1 study checked, no errors, no warnings"),
        ([_finding()], ["a", "b"], "integrity: 2 studies checked, no errors, 1 warning"),
        (
            [_finding(severity="error"), _finding(), _finding()],
            [],
            "integrity: 0 studies checked, 1 error, 2 warnings",
        ),
        (
            [_finding(severity="error"), _finding(severity="error")],
            ["a"],
            "integrity: 1 study checked, 2 errors, no warnings",
        ),
    ],
)
def test_report_summary(findings: list[CheckFinding], studies: list[str], summary: str) -> None:
    report = CheckReport(findings, studies)
    assert report.summary() == summary
    assert len(report.errors) + len(report.warnings) == len(findings)
    assert all(f.severity == "error" for f in report.errors)
    assert report.to_dict()["summary"] == summary


def test_a_finding_in_a_file_that_cannot_be_read_has_no_position(tmp_path: Path) -> None:
    study, _ = loader.load_file(BROKEN / "arms-sum.yaml")
    assert study is not None
    missing = str(tmp_path / "moved.yaml")
    [finding] = check_study(study, missing)
    assert (finding.rule, finding.line, finding.column) == ("arms-sum", None, None)
    assert str(finding).startswith(f"{missing}: [error] study e1910: design.enrollment[2].n: ")


# --- Each rule's other cases --------------------------------------------------------------------

THREE_ARM = SYNTHETIC / "syn-three-arm.yaml"
ODDS = SYNTHETIC / "syn-randomized-odds.yaml"
SINGLE_ARM = SYNTHETIC / "syn-single-arm-no-safety.yaml"
BLAST = evidence_dir() / "blast.yaml"
NEUTROPENIA_HIGH = "arm: high, n: 22, total: 100, percent: 22,"


@pytest.mark.parametrize(
    ("counts", "derived"),
    [
        ("arm: high, n: 1, total: 8, percent: 14,", "12.5 (1/8)"),
        ("arm: high, n: 1, total: 8, percent: 12.4,", "12.50 (1/8)"),
        ("arm: high, n: 22, total: 100, percent: 23,", "22.0 (22/100)"),
    ],
)
def test_an_adverse_event_percent_against_its_count(
    tmp_path: Path, counts: str, derived: str
) -> None:
    findings = _check_edited(tmp_path, THREE_ARM, (NEUTROPENIA_HIGH, counts))
    assert [(f.rule, f.path, f.derived) for f in findings] == [
        ("percent-vs-count", "safety[0].percent", derived)
    ]


@pytest.mark.parametrize("percent", ["12", "13", "12.5"])
def test_a_percent_may_differ_by_half_its_last_decimal(tmp_path: Path, percent: str) -> None:
    # 1/8 is 12.5%: reported as 12 or 13 (either rounding of the half) it passes.
    edit = (NEUTROPENIA_HIGH, f"arm: high, n: 1, total: 8, percent: {percent},")
    assert _check_edited(tmp_path, THREE_ARM, edit) == []


def test_a_per_arm_enrollment_percent_is_of_the_stage_above_it(tmp_path: Path) -> None:
    # Arm high's randomized 100 is of the whole study's 300 randomized (33.3%); its
    # treated 95 is of the same arm's randomized 100 (95%), not of the whole study.
    high = "{stage: randomized, arm: high, n: 100, cite"
    control = "{stage: randomized, arm: control, n: 100, cite: [{source: syn, quote: 100 per arm}]}"
    treated = "{stage: treated, arm: high, n: 95, percent: %s, cite: [{source: syn, quote: t}]}"
    consistent = _check_edited(
        tmp_path,
        THREE_ARM,
        (high, "{stage: randomized, arm: high, n: 100, percent: 33, cite"),
        (control, control + "\n    - " + treated % 95),
    )
    assert consistent == []
    findings = _check_edited(
        tmp_path,
        THREE_ARM,
        (high, "{stage: randomized, arm: high, n: 100, percent: 50, cite"),
        (control, control + "\n    - " + treated % 90),
    )
    assert [(f.path, f.reported, f.derived) for f in findings] == [
        ("design.enrollment[1].percent", "50", "33.3 (100/300 randomized)"),
        ("design.enrollment[4].percent", "90", "95.0 (95/100 randomized in high)"),
    ]


def test_a_rate_outside_its_ci(tmp_path: Path) -> None:
    findings = _check_edited(
        tmp_path,
        THREE_ARM,
        (
            "percent: 81.5, method: kaplan-meier,",
            "percent: 81.5, ci: {level: 95, lower: 60, upper: 80},",
        ),
    )
    assert [_summary(f) for f in findings] == [
        (
            "ci-excludes-estimate",
            "outcomes[1].results[0].percent",
            "81.5%",
            "95% CI 60–80",
            "the rate lies above the upper limit of its own confidence interval",
        )
    ]


def test_a_median_below_a_ci_with_an_open_end(tmp_path: Path) -> None:
    findings = _check_edited(
        tmp_path, BLAST, ("ci: {level: 95, lower: 22.0,", "ci: {level: 95, lower: 40.0,")
    )
    assert [_summary(f) for f in findings] == [
        (
            "ci-excludes-estimate",
            "outcomes[2].results[0].value",
            "36.5 months",
            "95% CI 40.0 to not estimable",
            "the median lies below the lower limit of its own confidence interval",
        )
    ]
    lines = BLAST.read_text(encoding="utf-8").splitlines()
    assert findings[0].line == lines.index("        value: 36.5") + 1


def test_not_reached_and_not_estimable_are_never_outside(tmp_path: Path) -> None:
    # BLAST's median 36.5 (95% CI 22.0 to not estimable) passes in the bundled file; a
    # "not reached" median has no place on the axis whatever its CI.
    edit = (
        "{measure: time, group: high, value: not reached, unit: months,",
        "{measure: time, group: high, value: not reached, unit: months, "
        "ci: {level: 95, lower: 40.0, upper: not estimable},",
    )
    assert _check_edited(tmp_path, THREE_ARM, edit) == []


def test_a_proportion_of_a_subgroup_larger_than_the_subgroup(tmp_path: Path) -> None:
    findings = _check_edited(
        tmp_path,
        SINGLE_ARM,
        (
            "  disease_status: relapsed or refractory\n",
            "  disease_status: relapsed or refractory\n"
            "  subgroups: [{id: older, label: Older, n: 30, cite: [{source: syn, quote: o}]}]\n",
        ),
        ("group: testinib, n: 14, total: 40,", "group: older, n: 14, total: 40,"),
    )
    assert [_summary(f) for f in findings] == [
        (
            "denominator-over-group",
            "outcomes[0].results[0].total",
            "40",
            "30 (subgroup older)",
            "the denominator exceeds the size of group 'older'",
        )
    ]


def test_a_whole_study_adverse_event_against_the_randomized(tmp_path: Path) -> None:
    findings = _check_edited(
        tmp_path, THREE_ARM, (NEUTROPENIA_HIGH, "n: 22, total: 310, percent: 7,")
    )
    assert [(f.rule, f.path, f.derived, f.message) for f in findings] == [
        (
            "denominator-over-group",
            "safety[0].total",
            "300 (randomized in the study)",
            "the denominator exceeds the size of the study",
        )
    ]


def test_some_arms_may_sum_to_less_but_not_to_more(tmp_path: Path) -> None:
    control = (
        "    - {stage: randomized, arm: control, n: 100, "
        "cite: [{source: syn, quote: 100 per arm}]}\n"
    )
    assert _check_edited(tmp_path, THREE_ARM, (control, "")) == []
    findings = _check_edited(
        tmp_path,
        THREE_ARM,
        (control, ""),
        ("{stage: randomized, arm: high, n: 100,", "{stage: randomized, arm: high, n: 250,"),
    )
    assert [_summary(f) for f in findings] == [
        (
            "arms-sum",
            "design.enrollment[0].n",
            "300",
            "350 (250 high + 100 low; not given: control)",
            "the per-arm randomized counts given add up to 350, more than the whole-study 300",
        )
    ]


def test_the_p_value_uses_the_level_of_the_ci(tmp_path: Path) -> None:
    # HR 0.72 with a 90% CI 0.55-0.94 implies P = 0.044, as reported (0.04); the same
    # limits as a 95% CI would imply 0.016.
    findings = _check_edited(
        tmp_path, THREE_ARM, ("ci: {level: 90, lower: 0.55,", "ci: {level: 95, lower: 0.55,")
    )
    assert [(f.rule, f.severity, f.path, f.reported, f.derived) for f in findings] == [
        (
            "p-vs-ci",
            "warning",
            "outcomes[1].comparison.p",
            "P = 0.04",
            "P ≈ 0.016 (from HR 0.72, 95% CI 0.55–0.94)",
        )
    ]


@pytest.mark.parametrize(
    ("p", "derived"),
    [
        ('"<0.001"', None),
        ('"<0.00001"', "P ≈ 3.4e-05 (from HR 0.45, 95% CI 0.31–0.66)"),
        ('">0.05"', "P ≈ 3.4e-05 (from HR 0.45, 95% CI 0.31–0.66)"),
        ("0.00003", None),
        ("0.001", "P ≈ 3.4e-05 (from HR 0.45, 95% CI 0.31–0.66)"),
    ],
)
def test_p_value_bounds_against_the_ci(tmp_path: Path, p: str, derived: str | None) -> None:
    findings = _check_edited(tmp_path, THREE_ARM, ('p: "<0.001"', f"p: {p}"))
    assert [f.derived for f in findings] == ([derived] if derived else [])


def test_a_p_value_bound_on_an_odds_ratio(tmp_path: Path) -> None:
    # OR 4.5 (95% CI 1.7-11.9) implies P = 0.0024; "<0.01" holds, "<0.001" cannot.
    assert _check_edited(tmp_path, ODDS, ('p: "<0.01"', 'p: "<0.005"')) == []
    findings = _check_edited(tmp_path, ODDS, ('p: "<0.01"', 'p: "<0.001"'))
    assert [(f.path, f.reported, f.derived) for f in findings] == [
        ("outcomes[0].comparison.p", "P < 0.001", "P ≈ 0.0024 (from OR 4.5, 95% CI 1.7–11.9)")
    ]


def test_an_estimate_that_rounds_from_1_allows_any_large_p(tmp_path: Path) -> None:
    # HR 1.0 stands for 0.95-1.05, which includes 1 itself, so P may be up to 1.
    findings = _check_edited(
        tmp_path,
        THREE_ARM,
        ("estimate: 0.72\n", "estimate: 1.0\n"),
        ("ci: {level: 90, lower: 0.55, upper: 0.94}", "ci: {level: 95, lower: 0.8, upper: 1.25}"),
        ("p: 0.04\n", "p: 0.99\n"),
    )
    assert findings == []


def test_findings_are_in_file_order(tmp_path: Path) -> None:
    findings = _check_edited(
        tmp_path,
        THREE_ARM,
        ("{stage: randomized, n: 300,", "{stage: randomized, n: 310,"),
        (NEUTROPENIA_HIGH, "arm: high, n: 22, total: 100, percent: 25,"),
        ("estimate: 0.45", "estimate: 0.75"),
    )
    assert [(f.rule, f.line) for f in findings] == [
        ("arms-sum", 31),
        ("ci-excludes-estimate", 69),
        ("p-vs-ci", 71),
        ("percent-vs-count", 91),
    ]
    assert [f.severity for f in findings] == ["error", "error", "warning", "error"]
