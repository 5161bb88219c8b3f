"""The filters of list, outcomes and safety: each one, combined, --where, and the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from blinacli.base.errors import UsageError
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Study
from blinacli.views import filters

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
ALL = ["blast", "e1910", "syn-paediatric", "syn-odds", "syn-single-arm", "syn-three-arm"]


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    return loader.load([evidence_dir(), SYNTHETIC]).studies


def ids(studies: list[Study], **given: object) -> list[str]:
    where = given.pop("where", ())
    criteria = filters.Criteria.build(where=where, **given)  # type: ignore[arg-type]
    return [s.id for s in filters.select(studies, criteria)]


def test_no_filter_selects_every_study(studies: list[Study]) -> None:
    """An empty set of filters keeps every study, in file order."""
    assert ids(studies) == ALL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"drug": "blinatumomab"}, ["blast", "e1910", "syn-paediatric"]),
        ({"drug": "EXAMPLU"}, ["syn-paediatric", "syn-three-arm"]),
        ({"drug": "consolidation"}, ["e1910"]),  # a regimen's drug counts too
        ({"phase": "2"}, ["blast", "syn-paediatric", "syn-odds"]),
        ({"phase": "1/2"}, ["syn-single-arm"]),
        ({"phase": "3"}, ["e1910", "syn-three-arm"]),
        ({"design": "single-arm"}, ["blast", "syn-single-arm"]),
        ({"design": "randomized"}, ["e1910", "syn-odds", "syn-three-arm"]),
        ({"design": "non-randomized"}, ["syn-paediatric"]),
        ({"mrd": "negative"}, ["e1910", "syn-paediatric"]),
        ({"mrd": "positive"}, ["blast", "syn-three-arm"]),
        ({"ph": "negative"}, ["e1910", "syn-single-arm"]),
        ({"ph": "positive"}, ["syn-three-arm"]),
        ({"endpoint": "os"}, ["blast", "e1910", "syn-odds", "syn-three-arm"]),
        ({"endpoint": "event-free survival"}, ["syn-three-arm"]),
        # MRD response covers the narrower complete MRD response.
        ({"endpoint": "mrd-response"}, ["blast", "syn-paediatric", "syn-odds"]),
        ({"year_from": 2020}, ["e1910", "syn-paediatric", "syn-odds", "syn-three-arm"]),
        ({"year_to": 2018}, ["blast", "syn-single-arm"]),
        ({"year_from": 2018, "year_to": 2021}, ["blast", "syn-paediatric", "syn-three-arm"]),
        ({"min_n": 116}, ["blast", "e1910", "syn-three-arm"]),
        ({"min_n": 117}, ["e1910", "syn-three-arm"]),
        ({"age": 10}, ["syn-paediatric"]),
        # "adults" alone is not a numeric range, so BLAST never matches an age.
        ({"age": 70}, ["e1910", "syn-odds", "syn-single-arm"]),
        ({"age": 90}, ["syn-odds"]),
        ({"search": "XYLOPHONE"}, ["syn-three-arm"]),  # a note
        ({"search": "landmark"}, ["blast"]),  # an outcome label
        ({"search": "MRD-negative"}, ["e1910"]),  # a title
    ],
)
def test_each_filter(studies: list[Study], given: dict[str, object], expected: list[str]) -> None:
    """Each filter keeps exactly the studies that match it."""
    assert ids(studies, **given) == expected


def test_filters_combine(studies: list[Study]) -> None:
    """All filters must match: randomized, phase 3 and Ph-negative leaves E1910."""
    assert ids(studies, design="randomized", phase="3", ph="negative") == ["e1910"]
    assert ids(studies, design="single-arm", mrd="negative") == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (["population.age.max >= 70"], ["e1910", "syn-single-arm"]),
        (["population.age.max<18"], ["syn-paediatric"]),
        (["population.mrd.threshold = 0.0001"], ["e1910", "syn-three-arm"]),
        (["citation.year > 2020"], ["e1910", "syn-odds", "syn-three-arm"]),
        (["design.n <= 60"], ["syn-paediatric", "syn-single-arm"]),
        (["design.arms = 3"], ["syn-three-arm"]),
        (["design.allocation = Randomized"], ["e1910", "syn-odds", "syn-three-arm"]),
        (["drugs = testinib"], ["syn-single-arm", "syn-three-arm"]),
        (["drugs != blinatumomab"], ["syn-odds", "syn-single-arm", "syn-three-arm"]),
        (["registrations.id ~ ^NCT0"], ["blast", "e1910"]),
        (["title ~ 'mrd-negative'"], ["e1910"]),
        (["design.masking != open-label"], ["e1910", "syn-paediatric", "syn-three-arm"]),
        (["sources.kind = secondary-summary"], ["e1910", "syn-paediatric"]),
        (["outcomes.role = landmark"], ["blast"]),
        (["design.phase = 1/2"], ["syn-single-arm"]),
        (["citation.year >= 2018", "design.n > 100"], ["blast", "e1910", "syn-three-arm"]),
    ],
)
def test_where(studies: list[Study], where: list[str], expected: list[str]) -> None:
    """--where conditions on documented fields; a missing value matches only !=."""
    assert ids(studies, where=where) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("population.age.maximum >= 65", "unknown field 'population.age.maximum' in --where"),
        ("population.age.max >= old", "field 'population.age.max' holds numbers; 'old' is not"),
        ("title > a", "field 'title' holds text; compare it with =, != or ~, not >"),
        ("population.age.max", "cannot read --where 'population.age.max'"),
        ("title ~ (", "not a valid pattern"),
        ("title =", "has no value"),
    ],
)
def test_where_errors(expression: str, message: str) -> None:
    """A malformed --where is a usage error that says what is wrong."""
    with pytest.raises(UsageError) as raised:
        filters.parse_where(expression)
    assert message in str(raised.value)


def test_unknown_field_lists_the_fields() -> None:
    """The error for an unknown field lists every documented field with its type."""
    with pytest.raises(UsageError) as raised:
        filters.parse_where("nope = 1")
    for name, field in filters.FIELDS.items():
        assert name in str(raised.value)
        assert field.help in str(raised.value)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"phase": "5"}, "unknown phase '5'; phases are 0, 1, 2, 3, 4, 1/2, 2/3"),
        ({"endpoint": "survival"}, "unknown endpoint 'survival'"),
    ],
)
def test_bad_filter_values(given: dict[str, object], message: str) -> None:
    """A phase or endpoint outside the vocabulary is a usage error naming the valid ones."""
    with pytest.raises(UsageError) as raised:
        filters.Criteria.build(**given)  # type: ignore[arg-type]
    assert message in str(raised.value)


# --- Through the command line ------------------------------------------------------


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["list", "-e", str(evidence_dir()), "-e", str(SYNTHETIC), *args])


def test_list_mrd_negative_lists_only_e1910(runner: CliRunner) -> None:
    """Done-when: `blinacli list --mrd negative` lists only E1910, in every format."""
    for fmt in ("table", "markdown", "csv"):
        result = runner.invoke(app, ["list", "--mrd", "negative", "--format", fmt])
        assert result.exit_code == 0
        assert "E1910" in result.stdout and "BLAST" not in result.stdout
    result = runner.invoke(app, ["list", "--mrd", "negative", "--format", "json"])
    assert result.exit_code == 0
    assert [row["id"] for row in json.loads(result.stdout)["studies"]] == ["e1910"]


def test_list_single_arm_lists_only_blast(runner: CliRunner) -> None:
    """Done-when: `blinacli list --design single-arm` lists only BLAST, in every format."""
    for fmt in ("table", "markdown", "csv"):
        result = runner.invoke(app, ["list", "--design", "single-arm", "--format", fmt])
        assert result.exit_code == 0
        assert "BLAST" in result.stdout and "E1910" not in result.stdout
    result = runner.invoke(app, ["list", "--design", "single-arm", "--format", "json"])
    assert [row["id"] for row in json.loads(result.stdout)["studies"]] == ["blast"]


def test_no_match_prints_nothing_and_exits_0(runner: CliRunner) -> None:
    """No match: nothing on stdout, a note on stderr, exit 0."""
    result = runner.invoke(app, ["list", "--phase", "4"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "note: no study matches the filters\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--where", "population.age.maximum >= 65"], "unknown field 'population.age.maximum'"),
        (["--where", "population.age.max >= abc"], "'abc' is not a number"),
        (["--endpoint", "nonsense"], "unknown endpoint 'nonsense'"),
        (["--phase", "9"], "unknown phase '9'"),
    ],
)
def test_bad_filters_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    """An unknown field or a value of the wrong type exits 2 with the reason."""
    result = runner.invoke(app, ["list", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_field_exit_2_lists_fields(runner: CliRunner) -> None:
    """The usage error for an unknown --where field lists the valid fields."""
    result = runner.invoke(app, ["list", "--where", "foo = 1"])
    assert result.exit_code == 2
    assert "population.age.max" in result.stderr
    assert "design.allocation" in result.stderr


def test_choice_filters_reject_other_values(runner: CliRunner) -> None:
    """--design, --mrd and --ph take only their documented values (exit 2)."""
    for option, value in (("--design", "crossover"), ("--mrd", "maybe"), ("--ph", "unknown")):
        result = runner.invoke(app, ["list", option, value])
        assert result.exit_code == 2, option


def test_filters_through_the_cli_combine(runner: CliRunner) -> None:
    """The CLI passes every filter through: drug, year range, N, age, search, where."""
    result = run(
        runner,
        "--drug",
        "examplumab",
        "--year-from",
        "2019",
        "--min-n",
        "100",
        "--age",
        "30",
        "-q",
        "synthetic",
        "--where",
        "design.arms >= 3",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)["studies"]] == ["syn-three-arm"]


def test_filters_work_on_outcomes(runner: CliRunner) -> None:
    """The list filters select the studies whose analyses `outcomes` shows."""
    result = runner.invoke(app, ["outcomes", "os", "--mrd", "negative", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert {row["study_id"] for row in json.loads(result.stdout)["rows"]} == {"e1910"}
    result = runner.invoke(
        app, ["outcomes", "os", "--where", "design.allocation = single-arm", "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    assert {line.split(",")[0] for line in result.stdout.splitlines()[1:]} == {"blast"}


def test_filters_work_on_safety(runner: CliRunner) -> None:
    """The list filters select the studies whose safety data `safety` shows."""
    result = runner.invoke(app, ["safety", "--design", "randomized", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["events"] == []
    assert [s["study_id"] for s in data["statements"]] == ["e1910"]


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["outcomes", "os", "--phase", "4"], "note: no selected study reports overall-survival\n"),
        (["outcomes", "efs"], "note: no selected study reports event-free-survival\n"),
        (["safety", "--year-to", "2000"], "note: no safety data matches\n"),
        (["safety", "--category", "hepatotoxicity"], "note: no safety data matches\n"),
    ],
)
def test_no_match_on_outcomes_and_safety(runner: CliRunner, args: list[str], note: str) -> None:
    """Nothing selected: nothing on stdout, a note on stderr, exit 0."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == note


@pytest.mark.parametrize(
    "args",
    [
        ["outcomes", "os", "--where", "nope = 1"],
        ["safety", "--where", "citation.year > soon"],
        ["outcomes", "survival"],
        ["outcomes"],
    ],
)
def test_usage_errors_on_outcomes_and_safety_exit_2(runner: CliRunner, args: list[str]) -> None:
    """Bad filters, an unknown endpoint, or no endpoint at all are usage errors."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error:" in result.stderr and "Traceback" not in result.stderr
