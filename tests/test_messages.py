"""Messages that say what is really wrong: a quoted number is text, a bound is the
bound the field declares, a suggestion is never the text already written, a folder
with no evidence says so, and a path from $BLINACLI_EVIDENCE names the variable.

Each case edits the bundled E1910 file once, so the line and column come from the
edited text; messages keep the form ``file:line:col: path: expected …, found …``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blinacli.base.findings import Finding
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import discovery, loader

E1910 = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
FILE = "study.yaml"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(discovery.ENV_EVIDENCE, raising=False)


def edited(old: str, new: str) -> str:
    assert E1910.count(old) == 1, old
    return E1910.replace(old, new)


def at(text: str, fragment: str) -> tuple[int, int]:
    """1-based (line, column) of the only ``fragment`` in ``text``."""
    assert text.count(fragment) == 1, fragment
    index = text.index(fragment)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def only_finding(text: str) -> Finding:
    Path(FILE).write_text(text, encoding="utf-8")
    report, loaded = loader.check([FILE])
    assert loaded == []
    assert len(report.findings) == 1, report.findings
    return report.findings[0]


# --- A quoted number is text -------------------------------------------------------------


@pytest.mark.parametrize("written", ['"2024"', "'2024'"])
def test_a_quoted_year_is_text_and_the_hint_says_remove_the_quotes(written: str) -> None:
    text = edited("  year: 2024\n", f"  year: {written}\n")
    line, column = at(text, written)
    finding = only_finding(text)
    assert finding == Finding(
        FILE,
        "schema",
        "expected a whole number, found the text '2024'",
        line,
        column,
        path="citation.year",
        hint="remove the quotes: in quotes, 2024 is text, not a number",
    )
    assert str(finding) == (
        f"{FILE}:{line}:{column}: citation.year: expected a whole number, found the text "
        "'2024' (remove the quotes: in quotes, 2024 is text, not a number)"
    )


def test_an_unquoted_huge_integer_still_says_how_many_digits() -> None:
    digits = "9" * 60
    finding = only_finding(edited("  year: 2024\n", f"  year: {digits}\n"))
    assert finding.message == "expected a whole number, found an integer of 60 digits"


def test_a_quoted_huge_integer_is_not_called_an_integer() -> None:
    digits = "9" * 60
    finding = only_finding(edited("  year: 2024\n", f'  year: "{digits}"\n'))
    assert "integer of" not in finding.message
    assert finding.message.startswith("expected a whole number, found '999")


def test_a_quoted_phase_is_not_answered_with_itself() -> None:
    text = edited("  phase: 3\n", '  phase: "3"\n')
    line, column = at(text, '"3"')
    finding = only_finding(text)
    assert finding == Finding(
        FILE,
        "schema",
        "expected one of 0, 1, 2, 3, 4, '1/2', '2/3', found the text '3'",
        line,
        column,
        path="design.phase",
        hint="remove the quotes: in quotes, 3 is text, not a number",
    )


def test_a_quoted_phase_that_is_no_phase_gets_no_suggestion_of_itself() -> None:
    finding = only_finding(edited("  phase: 3\n", '  phase: "5"\n'))
    assert finding.message == "expected one of 0, 1, 2, 3, 4, '1/2', '2/3', found '5'"
    assert finding.hint is None


def test_a_suggestion_of_a_number_is_written_as_a_number() -> None:
    """'2/4' is close to '2/3' (text) and to nothing else; a close number is shown bare."""
    finding = only_finding(edited("  phase: 3\n", '  phase: "2/4"\n'))
    assert finding.hint == "did you mean '2/3'?"


def test_a_quoted_p_value_says_remove_the_quotes() -> None:
    text = edited("      p: 0.002", '      p: "0.002"')
    finding = only_finding(text)
    assert finding.message == (
        "expected a number or a p-value bound such as \"<0.001\", found the text '0.002'"
    )
    assert finding.hint == "remove the quotes: in quotes, 0.002 is text, not a number"


@pytest.mark.parametrize("written", ["true", "yes"])
def test_a_quoted_boolean_says_remove_the_quotes(written: str) -> None:
    finding = only_finding(edited("  et_al: true\n", f'  et_al: "{written}"\n'))
    assert finding.message == f"expected true or false, found the text '{written}'"
    assert finding.hint == f"remove the quotes: in quotes, {written} is text, not true or false"


def test_a_number_with_a_unit_keeps_its_own_hint() -> None:
    finding = only_finding(edited("        percent: 85\n", '        percent: "85%"\n'))
    assert finding.message == "expected a number, found '85%'"
    assert finding.hint == "write the number without quotes or units"


# --- Bounds: the one the field declares -----------------------------------------------------


@pytest.mark.parametrize("value", ["0", "0.0", "-1", "-0.5"])
def test_a_positive_number_says_greater_than_zero(value: str) -> None:
    """0.5 is accepted, so the bound is > 0 whether 0 is written as 0 or 0.0."""
    text = edited("    median: 43\n", f"    median: {value}\n")
    line, column = at(text, f"median: {value}\n")
    finding = only_finding(text)
    assert finding == Finding(
        FILE,
        "schema",
        f"expected a number > 0, found {value}",
        line,
        column + len("median: "),
        path="design.follow_up.median",
    )


def test_a_positive_number_accepts_a_half() -> None:
    Path(FILE).write_text(edited("    median: 43\n", "    median: 0.5\n"), encoding="utf-8")
    report, _ = loader.check([FILE])
    assert report.findings == []


def test_an_estimate_of_zero_says_greater_than_zero() -> None:
    finding = only_finding(edited("estimate: 0.41", "estimate: 0"))
    assert finding.message == "expected a number > 0, found 0"


def test_a_whole_number_at_least_one_keeps_its_bound() -> None:
    finding = only_finding(
        edited(
            "    cycles: {count: 4}\n    combined_with", "    cycles: {count: 0}\n    combined_with"
        )
    )
    assert finding.message == "expected a whole number ≥ 1, found 0"


def test_an_upper_bound_is_unchanged() -> None:
    finding = only_finding(edited("        percent: 85\n", "        percent: 850\n"))
    assert finding.message == "expected a number ≤ 100, found 850"


# --- No evidence file, and the variable that named a path -----------------------------------


def test_validate_on_a_folder_without_evidence_says_so(runner: CliRunner) -> None:
    Path("empty").mkdir()
    result = runner.invoke(app, ["validate", "empty"])
    assert result.exit_code == 1
    assert result.stdout == (
        "empty: no evidence files (*.yaml, *.yml) in this directory\n"
        "invalid: 1 problem; no evidence file to check\n"
    )


def test_json_report_of_a_folder_without_evidence(runner: CliRunner) -> None:
    import json

    Path("empty").mkdir()
    result = runner.invoke(app, ["validate", "-f", "json", "empty"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["summary"] == "1 problem; no evidence file to check"


def test_a_missing_path_from_the_variable_names_the_variable(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(discovery.ENV_EVIDENCE, "gone")
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 1
    assert result.stderr == (
        "gone: BLINACLI_EVIDENCE names gone, which does not exist\n"
        "error: the evidence in use is invalid: 1 problem; no evidence file to check\n"
    )


def test_other_problems_with_a_path_from_the_variable_name_it_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path("empty").mkdir()
    Path("e1910.yaml").write_text(E1910, encoding="utf-8")
    monkeypatch.setenv(discovery.ENV_EVIDENCE, os.pathsep.join(["e1910.yaml", "empty"]))
    report, _ = loader.check()
    assert [str(f) for f in report.findings] == [
        "empty: no evidence files (*.yaml, *.yml) in this directory "
        "(BLINACLI_EVIDENCE names this path)"
    ]


def test_a_missing_path_given_directly_does_not_mention_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(discovery.ENV_EVIDENCE, "elsewhere")
    report, _ = loader.check(["gone"])
    assert [str(f) for f in report.findings] == ["gone: no such file or directory"]
