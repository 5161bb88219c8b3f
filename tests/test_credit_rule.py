"""The integrity rule figure-not-in-quote: a reported number that none of its quotes
states, found by ``blinacli check`` with its file, line and column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from msgspec import Struct
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import CI, Model, Quote
from blinacli.views import check_quotes
from blinacli.views.checks import RULES, check_studies
from blinacli.views.covered import cited, figures

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
BLAST = evidence_dir() / "blast.yaml"
E1910 = evidence_dir() / "e1910.yaml"
THREE_ARM = SYNTHETIC / "syn-three-arm.yaml"
RULE = "figure-not-in-quote"


def _edited(tmp_path: Path, base: Path, *edits: tuple[str, str]) -> Path:
    text = base.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target = tmp_path / base.name
    target.write_text(text, encoding="utf-8")
    return target


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    [line] = [i for i, line in enumerate(lines, start=1) if text in line]
    return line


def _findings(path: Path) -> list[tuple[str, str, str]]:
    report, loaded = loader.check([path])
    assert report.valid, [str(f) for f in report.findings]
    return [(f.rule, f.path, f.reported) for f in check_studies(loaded).findings]


# --- Through the command line --------------------------------------------------------------


def test_the_rule_is_registered_as_an_error() -> None:
    severity, text = RULES[RULE]
    assert severity == "error"
    assert "timepoint" in text and "none of the quotes" in text


def test_the_bundled_and_synthetic_studies_pass(runner: CliRunner) -> None:
    for where in ([], [str(SYNTHETIC)]):
        result = runner.invoke(app, ["check", *where], catch_exceptions=False)
        assert result.exit_code == 0, result.stdout
        assert "no errors, no warnings" in result.stdout


def test_blast_median_typed_as_366_fails_with_its_line(runner: CliRunner, tmp_path: Path) -> None:
    target = _edited(tmp_path, BLAST, ("        value: 36.5\n", "        value: 36.6\n"))
    line = _line_of(target, "value: 36.6")
    result = runner.invoke(app, ["check", str(target)], catch_exceptions=False)
    assert result.exit_code == 1
    finding, summary = result.stdout.splitlines()
    assert finding.startswith(
        f"{target}:{line}:16: [error] study blast: outcomes[2].results[0].value: 36.6 is "
        "stated in none of the 2 quotes cited for it: [abstract] “Median overall survival "
        "(OS) was 36.5 months.”; [facts] “the final analysis"
    )
    assert finding.endswith(
        "(reported 36.6, derived the quotes state 36.5; 2019, 2020, 110, 95%, 22.0)"
    )
    assert summary.endswith("integrity: 1 study checked, 1 error, no warnings")


def test_e1910_hazard_ratio_typed_as_042_fails_with_its_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = _edited(tmp_path, E1910, ("      estimate: 0.41\n", "      estimate: 0.42\n"))
    line = _line_of(target, "estimate: 0.42")
    result = runner.invoke(app, ["check", str(target)], catch_exceptions=False)
    assert result.exit_code == 1
    assert (
        f"{target}:{line}:17: [error] study e1910: outcomes[0].comparison.estimate: 0.42 is "
        "not stated in the quote cited for it: [memo] “Hazard ratio for death: 0.41 (95% CI, "
        "0.23 to 0.73; P=0.002)” (reported 0.42, derived the quotes state 0.41, 95%, 0.23, "
        "0.73, 0.002)"
    ) in result.stdout


def test_the_json_report_names_the_value_and_its_position(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = _edited(tmp_path, E1910, ("      estimate: 0.41\n", "      estimate: 0.42\n"))
    result = runner.invoke(app, ["check", "-f", "json", str(target)], catch_exceptions=False)
    assert result.exit_code == 1
    checks = json.loads(result.stdout)["checks"]
    [finding] = checks["findings"]
    assert {k: finding[k] for k in ("rule", "severity", "path", "reported", "line", "column")} == {
        "rule": RULE,
        "severity": "error",
        "path": "outcomes[0].comparison.estimate",
        "reported": "0.42",
        "line": _line_of(target, "estimate: 0.42"),
        "column": 17,
    }
    assert "Hazard ratio for death: 0.41" in finding["message"]
    assert checks["rules"][RULE] == {"severity": "error", "rule": RULES[RULE][1]}


def test_the_github_annotation_points_at_the_number(runner: CliRunner, tmp_path: Path) -> None:
    target = _edited(tmp_path, BLAST, ("        value: 36.5\n", "        value: 36.6\n"))
    result = runner.invoke(app, ["check", "-f", "github", str(target)], catch_exceptions=False)
    assert result.exit_code == 1
    line = _line_of(target, "value: 36.6")
    assert re.match(
        rf"::error file=[^,]*blast\.yaml,line={line},col=16,title=blinacli check {RULE}::",
        result.stdout,
    )


# --- What is covered ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "path", "reported"),
    [
        # a CI limit and level are covered by their result's quotes
        (
            ("ci: {level: 95, lower: 22.0,", "ci: {level: 95, lower: 22.5,"),
            "outcomes[2].results[0].ci.lower",
            "22.5",
        ),
        (
            ("ci: {level: 95, lower: 22.0,", "ci: {level: 90, lower: 22.0,"),
            "outcomes[2].results[0].ci.level",
            "90",
        ),
        # a dose, a schedule's durations and cycles, by their regimen's
        (("dose: {value: 15,", "dose: {value: 16,"), "dosing[0].dose.value", "16"),
        (
            ("rest: {value: 14, unit: days}", "rest: {value: 15, unit: days}"),
            "dosing[0].schedule.rest.value",
            "15",
        ),
        (
            ("cycles: {count: 4, up_to: true}", "cycles: {count: 5, up_to: true}"),
            "dosing[0].cycles.count",
            "5",
        ),
        # the MRD threshold, written 10−3 in its quote
        (
            ("    threshold: 0.001\n", "    threshold: 0.0001\n"),
            "population.mrd.threshold",
            "0.0001",
        ),
        # the design's phase, an adverse event's grade, a p-value
        (("  phase: 2\n", "  phase: 3\n"), "design.phase", "3"),
        (("    grade: 4\n", "    grade: 5\n"), "safety[2].grade", "5"),
        (
            (
                "      p: 0.002\n      cite: *os-landmark",
                "      p: 0.003\n      cite: *os-landmark",
            ),
            "outcomes[4].comparison.p",
            "0.003",
        ),
        # text that is only a number: the citation's volume
        (('volume: "131"', 'volume: "132"'), "citation.volume", "132"),
    ],
)
def test_every_number_is_covered_by_the_nearest_cite(
    tmp_path: Path, edit: tuple[str, str], path: str, reported: str
) -> None:
    assert _findings(_edited(tmp_path, BLAST, edit)) == [(RULE, path, reported)]


def test_a_p_value_bound_needs_a_quote_with_that_bound(tmp_path: Path) -> None:
    quote = 'quote: "HR 0.45 (95% CI 0.31–0.66); P<0.001"'
    equal = _edited(tmp_path, THREE_ARM, (quote, quote.replace("P<0.001", "P=0.001")))
    assert _findings(equal) == [(RULE, "outcomes[0].comparison.p", "<0.001")]
    # a number recorded where the quote gives a bound turns the bound into an equality
    number = _edited(tmp_path, THREE_ARM, ('p: "<0.001"', "p: 0.001"))
    report, loaded = loader.check([number])
    [finding] = [f for f in check_studies(loaded).findings if f.rule == RULE]
    assert finding.path == "outcomes[0].comparison.p"
    assert "as a number (a bound on it is not the number)" in finding.message


def test_a_page_range_needs_both_pages(tmp_path: Path) -> None:
    target = _edited(tmp_path, E1910, ("  pages: 320–333\n", "  pages: 320–334\n"))
    assert _findings(target) == [(RULE, "citation.pages", "334")]


def test_an_outcome_timepoint_is_not_covered(tmp_path: Path) -> None:
    # An outcome has no cite of its own, so nothing states its timepoint to check it by.
    timepoint = "timepoint: {label: 3 years, value: 3, unit: years}\n"
    text = E1910.read_text(encoding="utf-8")
    assert text.count(timepoint) == 2
    target = tmp_path / "e1910.yaml"
    target.write_text(text.replace(timepoint, timepoint.replace("value: 3", "value: 4"), 1))
    assert _findings(target) == []
    assert "timepoint is not checked" in RULES[RULE][1]


def test_ids_dates_and_yes_no_fields_are_not_figures(tmp_path: Path) -> None:
    target = _edited(
        tmp_path,
        E1910,
        ('date: "2024-07-25"', 'date: "2024-07-26"'),
        ("  - id: os-3-years\n", "  - id: os-2024\n"),
    )
    assert _findings(target) == []


class _Window(Model, kw_only=True, frozen=True):
    weeks: float
    label: str


class _FutureField(Model, kw_only=True, frozen=True):
    """An object a later model might add: new numbers, a nested object without a cite."""

    ratio: int
    status: str
    grades: list[int]
    window: _Window
    ci: CI | None = None
    flag: bool = False
    cite: list[Quote]


def test_fields_added_to_the_model_later_are_covered_unchanged() -> None:
    item = _FutureField(
        ratio=2,
        status="recruiting",
        grades=[3, 4],
        window=_Window(weeks=6.5, label="6.5 weeks"),
        ci=CI(level=95, lower=1.2, upper=3.4),
        flag=True,
        cite=[
            Quote(
                source="s", quote="randomized 2:1; grade 3 or 4; over 6.5 weeks; 95% CI 1.2 to 3.5"
            )
        ],
    )
    assert [(f.path, f.value) for f in figures(item, ("x",))] == [
        (("x", "ratio"), 2),
        (("x", "grades", 0), 3),
        (("x", "grades", 1), 4),
        (("x", "window", "weeks"), 6.5),
        (("x", "ci", "level"), 95),
        (("x", "ci", "lower"), 1.2),
        (("x", "ci", "upper"), 3.4),
    ]
    assert [p for p, _ in cited(item)] == [()]

    class _Holder(Struct):
        items: list[_FutureField]

    found = [(p.path, p.reported) for p in check_quotes.problems(_Holder(items=[item]))]
    assert found == [(("items", 0, "ci", "upper"), "3.4")]
