"""The JSON Schema of evidence files: `blinacli schema`, the committed copy, and how it agrees
with the model.

The committed `schema/evidence.schema.json` must equal the command's output. Every bundled and
synthetic study validates against it, and a set of broken documents, each one change away from
the bundled E1910 study, is rejected by both the schema and the loader, at the same place.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
import yaml
from typer.testing import CliRunner

from blinacli import model
from blinacli.cli.app import app
from blinacli.load import loader, yamlfile
from blinacli.model.schema import DIALECT, SCHEMA_ID, schema_json

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schema" / "evidence.schema.json"
REGENERATE = "blinacli schema -o schema/evidence.schema.json --force"
BUNDLED = sorted((ROOT / "evidence").glob("*.yaml"))
SYNTHETIC = sorted((ROOT / "tests" / "fixtures" / "synthetic").glob("*.yaml"))
BROKEN = sorted((ROOT / "tests" / "fixtures" / "broken").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema="


def run(runner: CliRunner, *args: str) -> Any:
    """Invoke blinacli; an unexpected exception fails the test with its traceback."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def exported() -> dict[str, Any]:
    """The committed schema file, as JSON."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(exported())


def parsed(file: Path) -> Any:
    """A study file as the loader parses it, before validation."""
    return yamlfile.parse(file.read_text(encoding="utf-8"))


# --- The command and the committed file ------------------------------------------------------


def test_the_committed_schema_equals_the_command_output(runner: CliRunner) -> None:
    result = run(runner, "schema")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert result.stdout == committed, (
        f"{SCHEMA_FILE.relative_to(ROOT)} is out of date with the model; regenerate it with "
        f"`{REGENERATE}`"
    )


def test_the_output_is_sorted_indented_and_ends_with_a_newline() -> None:
    text = schema_json()
    assert text == schema_json()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert '\n  "$defs": {\n    "AdverseEvent": {\n      "additionalProperties": false,' in text


def test_output_writes_the_file_and_refuses_to_replace_it_without_force(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "evidence.schema.json"
    result = run(runner, "schema", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == schema_json()

    target.write_text("{}\n", encoding="utf-8")
    result = run(runner, "schema", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: {target} already exists; use --force to replace it\n"
    assert target.read_text(encoding="utf-8") == "{}\n"

    result = run(runner, "schema", "-o", str(target), "--force")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == schema_json()


def test_output_into_a_missing_directory_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "evidence.schema.json"
    result = run(runner, "schema", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot write {target}: no such directory {target.parent}\n")
    assert not target.parent.exists()


def test_force_without_output_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "schema", "--force")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: --force needs --output FILE\n"


def test_help_describes_the_command_and_both_options(runner: CliRunner) -> None:
    result = run(runner, "schema", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Print the JSON Schema (draft 2020-12) of evidence files." in text
    assert "-o, --output FILE Write the schema to FILE (atomically)" in text
    assert "--force Replace FILE if it already exists." in text


# --- What the schema is ----------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema_with_its_metadata() -> None:
    schema = exported()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == f"urn:blinacli:evidence:{model.SCHEMA_VERSION}"
    assert schema["title"] == "blinacli evidence file"
    assert schema["description"].startswith("One clinical study: its publication, design,")
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert "Study" not in schema["$defs"]


def _structs() -> Iterator[type[msgspec.Struct]]:
    """Every struct that an evidence file can contain, found through the model's types."""
    from msgspec import inspect as mi

    seen: set[type] = set()

    def walk(node: Any) -> Iterator[type[msgspec.Struct]]:
        if isinstance(node, mi.Metadata):
            yield from walk(node.type)
        elif isinstance(node, mi.UnionType):
            for member in node.types:
                yield from walk(member)
        elif isinstance(node, mi.ListType):
            yield from walk(node.item_type)
        elif isinstance(node, mi.StructType) and node.cls not in seen:
            seen.add(node.cls)
            yield node.cls
            for field in node.fields:
                yield from walk(field.type)

    yield from walk(mi.type_info(model.Study))


def test_every_struct_and_every_field_of_the_model_has_a_description() -> None:
    schema = exported()
    structs = list(_structs())
    assert len(structs) == len(schema["$defs"]) + 1  # Study is the root
    missing = []
    for cls in structs:
        node = schema if cls is model.Study else schema["$defs"][cls.__name__]
        if not node.get("description"):
            missing.append(cls.__name__)
        fields = [f.encode_name for f in msgspec.structs.fields(cls)]
        tag = cls.__struct_config__.tag_field
        assert sorted(node["properties"]) == sorted(fields + ([tag] if tag else [])), cls
        for name, prop in node["properties"].items():
            if not prop.get("description", "").strip():
                missing.append(f"{cls.__name__}.{name}")
    assert missing == [], f"add a docstring in blinacli/model.py for: {', '.join(missing)}"


def test_descriptions_come_from_the_model_docstrings() -> None:
    schema = exported()
    defs = schema["$defs"]
    # A field's docstring, with ``code`` written as Markdown's `code`.
    assert schema["properties"]["headline"]["description"] == (
        "The id of the outcome that `list` shows; by default the first primary outcome."
    )
    # A field whose type has a description of its own keeps both: what it is, then its form.
    assert defs["Quote"]["properties"]["source"]["description"] == (
        "The id of the source the quote was read in, one of the study's `sources`. An id of "
        "lower-case letters, digits and hyphens, starting with a letter or digit."
    )
    # Inherited fields carry the base struct's docstring.
    assert defs["Rate"]["properties"]["group"] == defs["Time"]["properties"]["group"]
    assert defs["Rate"]["properties"]["group"]["description"].startswith(
        "The id of the arm or subgroup the figure is for."
    )
    # A docstring of several paragraphs keeps its paragraphs and loses its line breaks.
    assert defs["MRDCriterion"]["description"] == (
        "The measurable residual disease criterion for entry, as data.\n\n"
        "`threshold` is a fraction of cells, so that 10⁻³ (0.001) and 0.01 % (0.0001) compare; "
        "`wording` keeps the source's own notation."
    )
    assert defs["Proportion"]["properties"]["measure"] == {
        "description": "The measure of this entry: always `proportion`.",
        "enum": ["proportion"],
    }


def test_the_schema_mirrors_the_models_constraints() -> None:
    defs = exported()["$defs"]
    assert defs["Design"]["properties"]["phase"]["enum"] == [0, 1, 2, 3, 4, "1/2", "2/3"]
    threshold = defs["MRDCriterion"]["properties"]["threshold"]
    assert (threshold["minimum"], threshold["exclusiveMaximum"]) == (1e-9, 1)
    groups = defs["Comparison"]["properties"]["groups"]
    assert (groups["minItems"], groups["maxItems"]) == (2, 2)
    assert defs["Outcome"]["required"] == ["id", "endpoint", "label", "role"]
    assert all(d["additionalProperties"] is False for d in defs.values())


# --- Studies and editors ---------------------------------------------------------------------


@pytest.mark.parametrize("file", BUNDLED + SYNTHETIC, ids=lambda f: f.name)
def test_every_bundled_and_synthetic_study_validates(file: Path) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(parsed(file))
    ]
    assert errors == []
    study, findings = loader.load_file(file)
    assert findings == [] and study is not None


def test_there_are_studies_to_validate() -> None:
    assert [f.name for f in BUNDLED] == ["blast.yaml", "e1910.yaml"]
    assert len(SYNTHETIC) == 4


@pytest.mark.parametrize("file", BUNDLED + SYNTHETIC, ids=lambda f: f.name)
def test_each_study_file_names_the_schema_on_its_first_line(file: Path) -> None:
    first = file.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith(MODELINE)
    target = (file.parent / first.removeprefix(MODELINE)).resolve()
    assert target == SCHEMA_FILE.resolve()


def test_the_schema_checks_values_one_by_one_and_the_loader_does_more() -> None:
    """The broken fixtures break rules across values: the schema accepts every one of them,
    while the loader rejects those whose rule is part of validation."""
    check = validator()
    for file in BROKEN:
        assert list(check.iter_errors(parsed(file))) == [], file.name
    rejected = {f.name for f in BROKEN if loader.load_file(f)[0] is None}
    assert rejected == {"ci-order.yaml", "count-over-denominator.yaml"}


# --- What the schema rejects, the model rejects --------------------------------------------

DELETE = object()
E1910 = ROOT / "evidence" / "e1910.yaml"

# (what is broken, where, the new value or DELETE, the schema keyword that rejects it,
#  the path of the loader's finding)
BROKEN_CASES: list[tuple[str, tuple[str | int, ...], object, str, str]] = [
    ("year as text", ("citation", "year"), "2024", "type", "citation.year"),
    ("drugs not a list", ("drugs",), "blinatumomab", "type", "drugs"),
    ("title null", ("title",), None, "type", "title"),
    (
        "estimate a boolean",
        ("outcomes", 0, "comparison", "estimate"),
        True,
        "type",
        "outcomes[0].comparison.estimate",
    ),
    ("unknown key", ("registry",), "NCT02003222", "additionalProperties", "registry"),
    (
        "unknown nested key",
        ("outcomes", 0, "comparison", "hazard_ratio"),
        0.41,
        "additionalProperties",
        "outcomes[0].comparison.hazard_ratio",
    ),
    ("missing Ph status", ("population", "philadelphia"), DELETE, "required", "population"),
    ("missing quote", ("citation", "cite", 0, "quote"), DELETE, "required", "citation.cite[0]"),
    (
        "percent over 100",
        ("outcomes", 0, "results", 0, "percent"),
        120,
        "maximum",
        "outcomes[0].results[0].percent",
    ),
    ("negative count", ("design", "enrollment", 0, "n"), -1, "minimum", "design.enrollment[0].n"),
    (
        "CI level of 100",
        ("outcomes", 0, "comparison", "ci", "level"),
        100,
        "exclusiveMaximum",
        "outcomes[0].comparison.ci.level",
    ),
    ("p above 1", ("outcomes", 0, "comparison", "p"), 1.5, "maximum", "outcomes[0].comparison.p"),
    (
        "p not a bound",
        ("outcomes", 0, "comparison", "p"),
        "p<0.05",
        "pattern",
        "outcomes[0].comparison.p",
    ),
    (
        "MRD threshold of 1",
        ("population", "mrd", "threshold"),
        1,
        "exclusiveMaximum",
        "population.mrd.threshold",
    ),
    ("allocation misspelt", ("design", "allocation"), "randomised", "enum", "design.allocation"),
    ("phase 5", ("design", "phase"), 5, "enum", "design.phase"),
    ("unknown endpoint", ("outcomes", 0, "endpoint"), "survival", "enum", "outcomes[0].endpoint"),
    (
        "unknown measure",
        ("outcomes", 0, "results", 0, "measure"),
        "mean",
        "enum",
        "outcomes[0].results[0].measure",
    ),
    ("study id in capitals", ("id",), "E1910", "pattern", "id"),
    ("outcome id with spaces", ("outcomes", 0, "id"), "os 3 years", "pattern", "outcomes[0].id"),
    ("date in words", ("citation", "date"), "25 July 2024", "pattern", "citation.date"),
    ("DOI with a prefix", ("citation", "doi"), "doi:10.1056/x", "pattern", "citation.doi"),
    ("no sources", ("sources",), [], "minItems", "sources"),
    (
        "no quotes",
        ("outcomes", 0, "comparison", "cite"),
        [],
        "minItems",
        "outcomes[0].comparison.cite",
    ),
    (
        "three groups compared",
        ("outcomes", 0, "comparison", "groups"),
        ["blinatumomab", "chemotherapy", "blinatumomab"],
        "maxItems",
        "outcomes[0].comparison.groups",
    ),
    ("empty acronym", ("acronym",), "", "minLength", "acronym"),
    (
        "quote too long",
        ("citation", "cite", 0, "quote"),
        "x" * 601,
        "maxLength",
        "citation.cite[0].quote",
    ),
]


def broken(where: tuple[str | int, ...], value: object) -> Any:
    """The parsed E1910 study with one value replaced, added or (DELETE) removed."""
    data = copy.deepcopy(parsed(E1910))
    node = data
    for step in where[:-1]:
        node = node[step]
    if value is DELETE:
        del node[where[-1]]
    else:
        node[where[-1]] = value
    return data


def keywords(error: jsonschema.ValidationError) -> set[str]:
    """The keywords behind an error, including those inside anyOf alternatives."""
    found = {str(error.validator)}
    for inner in error.context or []:
        found |= keywords(inner)
    return found


@pytest.mark.parametrize(
    ("where", "value", "keyword", "path"),
    [case[1:] for case in BROKEN_CASES],
    ids=[case[0] for case in BROKEN_CASES],
)
def test_what_the_schema_rejects_the_model_rejects_too(
    tmp_path: Path, where: tuple[str | int, ...], value: object, keyword: str, path: str
) -> None:
    data = broken(where, value)

    errors = list(validator().iter_errors(data))
    assert errors, "the schema accepts it"
    assert any(keyword in keywords(e) for e in errors), [e.message for e in errors]
    # The schema points at the same place as the loader, or at the object holding it.
    schema_paths = {model.format_path(tuple(e.absolute_path)) for e in errors}
    assert any(path.startswith(p) for p in schema_paths), schema_paths

    file = tmp_path / "study.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    study, findings = loader.load_file(file)
    assert study is None
    assert [(f.kind, f.path) for f in findings] == [("schema", path)], findings


def test_the_broken_cases_cover_the_schemas_keywords() -> None:
    assert len(BROKEN_CASES) >= 10
    assert {case[3] for case in BROKEN_CASES} == {
        "type",
        "additionalProperties",
        "required",
        "minimum",
        "maximum",
        "exclusiveMaximum",
        "enum",
        "pattern",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
    }


def test_an_unchanged_copy_of_the_base_study_is_valid_in_both(tmp_path: Path) -> None:
    """The broken cases start from a valid document, so each failure is the one change's."""
    data = copy.deepcopy(parsed(E1910))
    assert list(validator().iter_errors(data)) == []
    file = tmp_path / "study.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    study, findings = loader.load_file(file)
    assert findings == [] and study is not None and study.id == "e1910"
