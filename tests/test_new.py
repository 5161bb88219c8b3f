"""`blinacli new`: a commented starter file that cannot validate until it is filled."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from typer.testing import CliRunner

from blinacli import model
from blinacli.cli.app import app
from blinacli.interop.starter import starter_text
from blinacli.load import loader

# A value for every placeholder of the starter: a made-up study that is consistent
# enough to pass `validate` and `check`. It describes nothing real.
FILLED: dict[str, Any] = {
    "TODO: the study's acronym or short name": "SYN-NEW",
    "TODO: the study's title": "Synthetic study drafted from the starter",
    "TODO: the drug studied": "examplumab",
    "TODO: the condition studied, in words": "a synthetic condition",
    "TODO: the first author, as Surname Initials": "Fixture Z",
    "TODO: true if the author list is incomplete, false if it is complete": True,
    "TODO: the article's title": "Synthetic study drafted from the starter",
    "TODO: the journal": "Journal of Test Fixtures",
    "TODO: the year of publication": 2022,
    "TODO: the publication date": "2022-03-04",
    "TODO: the volume": "1",
    "TODO: the issue": "2",
    "TODO: the pages": "3–9",
    "TODO: the DOI": "10.1000/synthetic.1",
    "TODO: the PubMed id": "1",
    "TODO: the PubMed Central id": "PMC1",
    "TODO: the source id": "syn",
    # Every cite gets this one quote, so it states every figure above and below
    # (`check` reports a figure that none of its quotes states).
    "TODO: the words of the source that support this, verbatim": (
        "A synthetic quote: 2022, volume 1, issue 2, pages 3–9; phase 2; 40 randomized; "
        "median follow-up 12 months; aged 18 to 65; MRD ≥10^-3; 10 mg daily for 14 days, "
        "then 14 days without, 4 cycles; 10 of 20 (50%); OR 2.0 (95% CI 1.2 to 3.5; "
        "P = 0.01); grade 3 events in 2 of 20 (10%)."
    ),
    "TODO: the registry, e.g. ClinicalTrials.gov": "Synthetic Registry",
    "TODO: the registry id": "SYN-0001",
    "TODO: the kind of source": "full-text",
    "TODO: how to find this source": "A synthetic test fixture, not a real document",
    "TODO: the trial phase": 2,
    "TODO: the allocation": "randomized",
    "TODO: the trial's state": "completed",
    "TODO: the first arm's part": 1,
    "TODO: the second arm's part": 1,
    "TODO: the source's name for the set, e.g. evaluable patients": "treated patients",
    "TODO: the masking": "open-label",
    "TODO: an id for the first arm": "examplumab",
    "TODO: the first arm's name, as the source gives it": "Examplumab",
    "TODO: the first arm's role": "experimental",
    "TODO: an id for the second arm": "control",
    "TODO: the second arm's name, as the source gives it": "Control",
    "TODO: the second arm's role": "active-comparator",
    "TODO: the endpoint's role in the study": "primary",
    "TODO: the endpoint term": "complete-remission",
    "TODO: the endpoint in the source's words": "Complete remission",
    "TODO: the stage": "randomized",
    "TODO: the number of people at this stage": 40,
    "TODO: the median follow-up, a number": 12,
    "TODO: the follow-up's unit": "months",
    "TODO: the disease, in words": "a synthetic disease",
    "TODO: the minimum age in years": 18,
    "TODO: the maximum age in years": 65,
    "TODO: the Philadelphia status": "negative",
    "TODO: the disease status at entry": "synthetic remission",
    "TODO: the MRD status required for entry": "positive",
    "TODO: the comparator": ">=",
    "TODO: the MRD threshold as a fraction": 0.001,
    "TODO: the MRD criterion in the source's words": "MRD at or above 10^-3",
    "TODO: the dose, a number": 10,
    "TODO: the dose unit": "mg",
    "TODO: the dose basis": "flat",
    "TODO: what the dose is given per": "day",
    "TODO: the route": "oral",
    "TODO: how long the drug is given per cycle": 14,
    "TODO: the unit of the infusion time": "days",
    "TODO: the treatment-free interval": 14,
    "TODO: the unit of the treatment-free interval": "days",
    "TODO: the number of cycles": 4,
    "TODO: true if the source says up to this many cycles, else false": False,
    "TODO: true if a transplant was allowed, false if not": True,
    "TODO: an id for this outcome": "cr",
    "TODO: the outcome in the source's words": "Complete remission",
    "TODO: the outcome's role": "primary",
    "TODO: the analysis population": "all",
    "TODO: the timepoint in the source's words": "after two cycles",
    "TODO: the timepoint, a number": 2,
    "TODO: the timepoint's unit": "months",
    "TODO: the number with the outcome in the first arm": 10,
    "TODO: the number assessed in the first arm": 20,
    "TODO: the percent the source reports for the first arm": 50,
    "TODO: the effect measure": "odds-ratio",
    "TODO: the estimate": 2.0,
    "TODO: the confidence level in percent, e.g. 95": 95,
    "TODO: the lower limit": 1.2,
    "TODO: the upper limit": 3.5,
    "TODO: the p-value": 0.01,
    "TODO: the adverse-event category": "synthetic events",
    "TODO: the grade": 3,
    "TODO: the number of people with the event": 2,
    "TODO: the denominator": 20,
    "TODO: the percent as reported": 10,
    "TODO: the category the statement is about": "synthetic reactions",
    "TODO: the statement, word for word from the source": "A synthetic statement",
    "TODO: the kind of claim": "conclusion",
    "TODO: the claim, word for word from the source": "A synthetic conclusion",
    "TODO: what the note is about": "sources",
    "TODO: what the sources leave unclear, and how this file records it": "A synthetic note",
}

QUOTED_PLACEHOLDER = re.compile(r'"(TODO[^"]*)"')


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def fill(text: str) -> str:
    """Replace each quoted placeholder with its value from FILLED, written as YAML."""
    return QUOTED_PLACEHOLDER.sub(
        lambda m: json.dumps(FILLED[m.group(1)], ensure_ascii=False), text
    )


def placeholder_texts(text: str) -> set[str]:
    return {value for _, value in loader.placeholders(yaml.safe_load(text))}


# --- Output and options -------------------------------------------------------------


def test_new_prints_the_starter_with_the_id(runner: CliRunner) -> None:
    """Without -o the starter goes to stdout, its id the one asked for."""
    result = run(runner, "new", "syn-draft")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == starter_text("syn-draft")
    assert result.stdout.startswith("# A new blinacli evidence file")
    assert yaml.safe_load(result.stdout)["id"] == "syn-draft"


@pytest.mark.parametrize("study_id", ["no", "123", "null", "0x1f", "true"])
def test_an_id_that_yaml_would_read_as_another_type_stays_a_string(study_id: str) -> None:
    """The id is written in quotes, so `no` is not false and `123` is not a number."""
    assert yaml.safe_load(starter_text(study_id))["id"] == study_id


@pytest.mark.parametrize(
    "study_id",
    ["E1910", "bad_id", "-lead", "two words", "", "a" * 64, "e1910\n", 'x"\nacronym: y'],
)
def test_an_invalid_id_is_a_usage_error(runner: CliRunner, study_id: str) -> None:
    """An id the model would reject exits 2 and says what an id may hold."""
    result = run(runner, "new", "--", study_id)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error: invalid study id" in result.stderr
    assert "lower-case letters, digits and hyphens" in result.stderr


def test_an_invalid_id_suggests_a_valid_one(runner: CliRunner) -> None:
    result = run(runner, "new", "My_Trial")
    assert result.exit_code == 2
    assert "e.g. 'my-trial'" in result.stderr


def test_output_file_is_the_same_text_as_stdout(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    result = run(runner, "new", "syn-draft", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"blinacli validate {target}" in result.stderr
    assert target.read_text(encoding="utf-8") == starter_text("syn-draft")


def test_an_existing_file_is_kept_without_force(runner: CliRunner, tmp_path: Path) -> None:
    """Like `templates copy`: exit 1, the file byte for byte as it was, until --force."""
    target = tmp_path / "draft.yaml"
    target.write_bytes(b"id: mine\n")
    result = run(runner, "new", "syn-draft", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: {target} already exists; use --force to replace it\n"
    assert target.read_bytes() == b"id: mine\n"
    result = run(runner, "new", "syn-draft", "-o", str(target), "--force")
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == starter_text("syn-draft")


def test_output_into_a_missing_directory_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "draft.yaml"
    result = run(runner, "new", "syn-draft", "-o", str(target))
    assert result.exit_code == 1
    assert "no such directory" in result.stderr
    assert not target.exists()


def test_output_onto_a_directory_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "new", "syn-draft", "-o", str(tmp_path), "--force")
    assert result.exit_code == 1
    assert "it is a directory" in result.stderr


# --- Contents -------------------------------------------------------------------------


def _structs() -> list[type[msgspec.Struct]]:
    return [
        value
        for value in vars(model).values()
        if isinstance(value, type)
        and issubclass(value, model.Model)
        and value not in (model.Model, model.Result, model.SafetyItem)
    ]


def test_every_field_of_the_model_is_in_the_starter() -> None:
    """Each field of each struct is a key in the starter, live or as a commented line."""
    text = starter_text("syn-draft")
    for struct in _structs():
        for field in struct.__struct_fields__:
            pattern = rf"(?m)^[ \t]*(?:#[ \t]*)?(?:-[ \t]+)?{field}:"
            assert re.search(pattern, text), f"{struct.__name__}.{field} is not in the starter"


def _literal_values(hint: Any) -> set[object]:
    """Every value of every Literal inside a type hint."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return set(typing.get_args(hint))
    found: set[object] = set()
    for argument in typing.get_args(hint):
        if not isinstance(argument, msgspec.Meta):
            found |= _literal_values(argument)
    return found


def test_every_allowed_value_of_the_model_is_named_in_a_comment() -> None:
    """The comments list every vocabulary term, so a user never needs model.py."""
    comments = "\n".join(
        line for line in starter_text("syn-draft").splitlines() if line.lstrip().startswith("#")
    )
    values: set[object] = set()
    for struct in _structs():
        for hint in typing.get_type_hints(struct, include_extras=True).values():
            values |= _literal_values(hint)
    assert {"overall-survival", "per-m2", "continuous-iv-infusion", "not-reported"} <= values
    for value in sorted(values, key=str):
        word = re.escape(str(value))
        assert re.search(rf"(?<![\w-]){word}(?![\w-])", comments), f"{value!r} is not listed"


def test_examples_in_comments_are_plainly_made_up() -> None:
    """No real study's identifiers appear, only the documented example forms."""
    text = starter_text("syn-draft")
    assert re.findall(r"NCT\d{8}", text) == ["NCT00000000"]
    assert re.findall(r"10\.\d{4,9}/\S+", text) == ["10.1000/example.123"]
    assert "describe no real study" in text


def test_every_placeholder_is_a_quoted_todo_string() -> None:
    """The placeholders the loader finds are exactly the double-quoted TODO strings, so
    the file is valid YAML as it stands and each can be found and replaced."""
    text = starter_text("syn-draft")
    assert set(QUOTED_PLACEHOLDER.findall(text)) == placeholder_texts(text)
    assert len(loader.placeholders(yaml.safe_load(text))) == len(QUOTED_PLACEHOLDER.findall(text))


# --- Validation: fails until filled ----------------------------------------------------


def test_the_model_alone_rejects_the_unfilled_starter() -> None:
    """Even without the loader's placeholder rule, the model refuses the starter
    (a TODO string where a number or a vocabulary term belongs)."""
    data = yaml.safe_load(starter_text("syn-draft"))
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(data, model.Study)


def test_the_starter_fails_validation_naming_each_placeholder(tmp_path: Path) -> None:
    """Every placeholder is a finding at its own line and column, and nothing else is."""
    target = tmp_path / "draft.yaml"
    text = starter_text("syn-draft")
    target.write_text(text, encoding="utf-8")
    report, loaded = loader.check([target])
    assert loaded == [] and not report.valid
    lines = text.splitlines()
    expected = loader.placeholders(yaml.safe_load(text))
    assert len(report.findings) == len(expected)
    for finding, (path, value) in zip(report.findings, expected, strict=True):
        assert finding.kind == "placeholder"
        assert finding.message == f"unfilled placeholder: {value}"
        assert finding.path == model.format_path(path)
        assert finding.line is not None and finding.column is not None
        assert lines[finding.line - 1][finding.column - 1 :].startswith(f'"{value}"')


def test_validate_exits_1_on_the_starter(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    assert run(runner, "new", "syn-draft", "-o", str(target)).exit_code == 0
    result = run(runner, "validate", str(target))
    assert result.exit_code == 1
    findings = result.stdout.splitlines()[:-1]
    assert findings and all("unfilled placeholder: TODO" in line for line in findings)
    assert f"{target}:" in findings[0]
    assert result.stdout.splitlines()[-1].startswith("invalid: ")


def test_one_placeholder_left_is_enough_to_fail(runner: CliRunner, tmp_path: Path) -> None:
    """A half-written file cannot pass: filling all but one still exits 1."""
    text = starter_text("syn-draft")
    kept = '"TODO: the p-value"'
    filled = fill(text.replace(kept, "@KEPT@")).replace("@KEPT@", kept)
    target = tmp_path / "draft.yaml"
    target.write_text(filled, encoding="utf-8")
    result = run(runner, "validate", str(target))
    assert result.exit_code == 1
    assert "outcomes[0].comparison.p: unfilled placeholder: TODO: the p-value" in result.stdout
    assert "invalid: 1 problem" in result.stdout


def test_the_filled_starter_validates_and_checks(runner: CliRunner, tmp_path: Path) -> None:
    """With every placeholder replaced by a plausible value the file is valid, its
    numbers agree, and the study shows like any other."""
    text = starter_text("syn-draft")
    assert placeholder_texts(text) == set(FILLED), "FILLED must cover every placeholder"
    target = tmp_path / "draft.yaml"
    target.write_text(fill(text), encoding="utf-8")
    result = run(runner, "validate", str(target))
    assert result.stdout.endswith("valid: 1 file checked: 1 study, all valid\n"), result.stdout
    assert result.exit_code == 0
    result = run(runner, "check", str(target))
    assert result.exit_code == 0, result.stdout
    result = run(runner, "show", "syn-new", "-e", str(target), "--format", "json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["id"] == "syn-draft"
    assert shown["design"]["arms"][1]["id"] == "control"
