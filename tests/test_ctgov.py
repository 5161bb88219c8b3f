"""`blinacli import ctgov`: a registry record in, a draft that validates once its TODOs are filled.

The records in tests/fixtures/ctgov/ are real ClinicalTrials.gov API v2 downloads:
NCT02552212 (C-axSpAnd, certolizumab pegol; with results) and NCT06388018 (NRG-GY032;
protocol only). Every expected value below is read from those records, never copied.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.interop import ctgov
from blinacli.interop.ctgov.document import draft
from blinacli.interop.ctgov.record import RecordError, parse_record, read_record
from blinacli.interop.ctgov.values import Number, endpoint_of
from blinacli.interop.ctgov.yaml_out import dump
from blinacli.load import loader
from blinacli.model import format_path

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"
RESULTS = FIXTURES / "NCT02552212.json"
PROTOCOL_ONLY = FIXTURES / "NCT06388018.json"


def record(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def draft_text(data: dict[str, Any], tmp_path: Path, name: str = "record.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return ctgov.import_record(str(path))


@pytest.fixture(scope="module")
def results_text() -> str:
    return ctgov.import_record(str(RESULTS))


@pytest.fixture(scope="module")
def results_draft(results_text: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(results_text)
    return data


def measures(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    return found


def outcome_labelled(draft: dict[str, Any], title: str) -> dict[str, Any]:
    return next(o for o in draft["outcomes"] if o["label"] == title)


def group_ids(draft: dict[str, Any]) -> dict[str, str]:
    """Registry group title -> the id the draft gave it (an arm or a subgroup)."""
    ids = {arm["label"]: arm["id"] for arm in draft["design"]["arms"]}
    ids.update({s["label"]: s["id"] for s in draft["population"].get("subgroups", [])})
    return ids


def as_reported(text: str) -> float | int:
    return float(text) if "." in text else int(text)


# --- The command --------------------------------------------------------------------------------


def test_results_record_imports_as_a_marked_draft(runner: CliRunner) -> None:
    """The command writes YAML that opens with the draft notice and names the record."""
    result = runner.invoke(app, ["import", "ctgov", str(RESULTS)])
    assert result.exit_code == 0, result.stderr
    nct = record(RESULTS)["protocolSection"]["identificationModule"]["nctId"]
    assert result.stdout.startswith("# DRAFT imported by `blinacli import ctgov`")
    assert nct in result.stdout.split("\n\n")[0]
    assert "TODO" in result.stdout.split("\n\n")[0]
    draft = yaml.safe_load(result.stdout)
    registration = draft["registrations"][0]
    assert (registration["registry"], registration["id"]) == ("ClinicalTrials.gov", nct)
    registry = draft["sources"][0]
    assert (registry["id"], registry["kind"]) == ("registry", "registry-record")
    assert nct in registry["citation"] and registry["url"].endswith(nct)


def test_output_is_deterministic(runner: CliRunner) -> None:
    first = runner.invoke(app, ["import", "ctgov", str(RESULTS)])
    second = runner.invoke(app, ["import", "ctgov", str(RESULTS)])
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_stdin_gives_the_same_draft(runner: CliRunner) -> None:
    from_file = runner.invoke(app, ["import", "ctgov", str(RESULTS)])
    from_stdin = runner.invoke(app, ["import", "ctgov", "-"], input=RESULTS.read_bytes())
    assert from_stdin.exit_code == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout


def test_output_file_is_written_and_not_replaced_without_force(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "draft.yaml"
    written = runner.invoke(app, ["import", "ctgov", str(RESULTS), "-o", str(target)])
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == ctgov.import_record(str(RESULTS))
    assert f"fill every TODO in {target}" in written.stderr

    target.write_text("mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["import", "ctgov", str(PROTOCOL_ONLY), "-o", str(target)])
    assert refused.exit_code == 1
    assert f"{target} already exists; use --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"

    forced = runner.invoke(
        app, ["import", "ctgov", str(PROTOCOL_ONLY), "-o", str(target), "--force"]
    )
    assert forced.exit_code == 0, forced.stderr
    assert target.read_text(encoding="utf-8") == ctgov.import_record(str(PROTOCOL_ONLY))


# --- Validation: placeholders only, then valid once filled -------------------------------------


def test_draft_fails_validation_only_on_its_placeholders(results_text: str, tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(results_text, encoding="utf-8")
    report, loaded = loader.check([path])
    assert loaded == []
    assert report.findings, "a draft with placeholders must not validate"
    assert {f.kind for f in report.findings} == {"placeholder"}
    assert all("TODO" in f.message and f.line is not None for f in report.findings)
    expected = {format_path(p) for p, _ in loader.placeholders(yaml.safe_load(results_text))}
    assert {f.path for f in report.findings} == expected
    assert not report.valid


def test_header_counts_the_placeholders_to_fill(results_text: str) -> None:
    """The count a person fills: each value written in the text once (an alias repeats it)."""
    body = "\n".join(line for line in results_text.splitlines() if not line.startswith("#"))
    written = re.findall(r'"TODO|>-\n\s+TODO', body)
    stated = re.search(r"It holds (\d+) TODO placeholders", results_text)
    assert stated is not None and int(stated.group(1)) == len(written)
    assert len(loader.placeholders(yaml.safe_load(body))) > len(written)  # aliases


PLACEHOLDER_FILL: list[tuple[str, Any]] = [
    (r"citation\.authors\[\d+\]", "Example A"),
    (r"citation\.title", "An example title"),
    (r"citation\.journal", "J Example"),
    (r"citation\.year", 2020),
    (r".*\.cite\[\d+\]\.quote", "an example quote"),
    (r"sources\[\d+\]\.kind", "full-text"),
    (r"sources\[\d+\]\.citation", "An example citation"),
    (r"dosing\[\d+\]\.dose", {"value": 1, "unit": "mg", "basis": "flat", "per": "dose"}),
    (r"outcomes\[\d+\]\.results\[\d+\]\.n", 0),
    (r"drugs\[\d+\]", "an example drug"),
    (r"title", "An example study"),
    (r"condition|population\.disease", "an example disease"),
    (r"design\.arms\[\d+\]\.id", "example-arm"),
    (r"design\.arms\[\d+\]\.label", "Example arm"),
    (r"design\.arms\[\d+\]\.role", "experimental"),
    (r"design\.phase", 2),
    (r"design\.allocation", "randomized"),
    (r"population\.philadelphia\.status", "not-reported"),
]


def fill_placeholders(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft with every TODO replaced by a value of the right kind, as a person would."""
    filled = copy.deepcopy(draft)
    for path, text in loader.placeholders(filled):
        arms = [arm["id"] for arm in filled["design"]["arms"]]  # filled before safety is
        known = set(group_ids(filled).values())
        shown = format_path(path)
        value: Any
        if re.fullmatch(r"outcomes\[\d+\]\.comparison\.groups", shown):
            value = [g for g in re.findall(r"[a-z0-9][a-z0-9-]*", text) if g in known]
            assert len(value) == 2, text
        elif re.fullmatch(r"safety\[\d+\]\.arm", shown):
            value = arms[0]
        else:
            rule = next(
                (v for pattern, v in PLACEHOLDER_FILL if re.fullmatch(pattern, shown)), None
            )
            assert rule is not None, f"no fill rule for the placeholder at {shown}: {text}"
            value = rule
        target: Any = filled
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return filled


def test_filled_draft_validates(
    runner: CliRunner, results_draft: dict[str, Any], tmp_path: Path
) -> None:
    """Filling only the marked fields makes the results record's draft valid evidence."""
    filled = fill_placeholders(results_draft)
    assert loader.placeholders(filled) == []
    path = tmp_path / "filled.yaml"
    path.write_text(yaml.safe_dump(filled, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("valid:")


def test_filled_protocol_only_draft_validates(runner: CliRunner, tmp_path: Path) -> None:
    draft = yaml.safe_load(ctgov.import_record(str(PROTOCOL_ONLY)))
    path = tmp_path / "filled.yaml"
    path.write_text(yaml.safe_dump(fill_placeholders(draft), sort_keys=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.stdout


# --- Imported numbers against the record ---------------------------------------------------------


def test_identification_and_design_come_from_the_record(results_draft: dict[str, Any]) -> None:
    data = record(RESULTS)
    protocol = data["protocolSection"]
    ident = protocol["identificationModule"]
    assert results_draft["acronym"] == ident["acronym"]
    assert results_draft["title"] == ident["officialTitle"]
    registration = results_draft["registrations"][0]
    assert registration["secondary_ids"] == [ident["orgStudyIdInfo"]["id"]] + [
        s["id"] for s in ident["secondaryIdInfos"]
    ]
    design = protocol["designModule"]
    assert design["phases"] == ["PHASE3"] and results_draft["design"]["phase"] == 3
    assert design["designInfo"]["allocation"] == "RANDOMIZED"
    assert results_draft["design"]["allocation"] == "randomized"
    assert design["designInfo"]["maskingInfo"]["masking"] == "QUADRUPLE"
    assert results_draft["design"]["masking"] == "quadruple-blind"
    arms = protocol["armsInterventionsModule"]["armGroups"]
    assert [a["label"] for a in results_draft["design"]["arms"]] == [a["label"] for a in arms]
    assert [a["description"] for a in results_draft["design"]["arms"]] == [
        a["description"] for a in arms
    ]
    assert [a["role"] for a in results_draft["design"]["arms"]] == [
        a["type"].lower().replace("_", "-") for a in arms
    ]
    enrollment = results_draft["design"]["enrollment"]
    assert enrollment[0]["n"] == design["enrollmentInfo"]["count"]
    age = protocol["eligibilityModule"]["minimumAge"]
    assert results_draft["population"]["age"]["min"] == int(age.split()[0])
    assert "max" not in results_draft["population"]["age"]
    definitions = protocol["outcomesModule"]
    assert [e["label"] for e in results_draft["design"]["endpoints"]] == [
        d["measure"] for d in definitions["primaryOutcomes"] + definitions["secondaryOutcomes"]
    ]
    drug = next(
        i for i in protocol["armsInterventionsModule"]["interventions"] if i["type"] == "BIOLOGICAL"
    )
    assert results_draft["drugs"] == [drug["name"]]
    regimen = results_draft["dosing"][0]
    assert regimen["drug"] == drug["name"] and regimen["note"] == drug["description"]
    assert str(regimen["dose"]).startswith("TODO")


def test_group_results_match_the_record(results_draft: dict[str, Any]) -> None:
    """Percentages and counts per group, with their denominators, as the record gives them."""
    ids = group_ids(results_draft)
    checked = 0
    for measure in measures(record(RESULTS)):
        if measure.get("paramType") not in ("NUMBER", "COUNT_OF_PARTICIPANTS"):
            continue
        outcome = outcome_labelled(results_draft, measure["title"])
        assert outcome["role"] == measure["type"].lower()
        by_group = {r["group"]: r for r in outcome["results"]}
        denominators = {c["groupId"]: int(c["value"]) for c in measure["denoms"][0]["counts"]}
        cells = measure["classes"][0]["categories"][0]["measurements"]
        groups = {g["id"]: g["title"] for g in measure["groups"]}
        assert len(by_group) == len(cells)
        for cell in cells:
            result = by_group[ids[groups[cell["groupId"]]]]
            assert result["measure"] == "proportion"
            assert result["total"] == denominators[cell["groupId"]]
            if measure["paramType"] == "NUMBER":
                assert result["percent"] == as_reported(cell["value"])
                assert str(result["n"]).startswith("TODO")
                assert cell["value"] in result["n"]
            else:
                assert result["n"] == int(cell["value"]) and "percent" not in result
            quote = result["cite"][0]["quote"]
            assert f"value: {cell['value']}" in quote and groups[cell["groupId"]] in quote
            checked += 1
    assert checked >= 10


def test_analyses_match_the_record(results_draft: dict[str, Any]) -> None:
    """Ratio, CI and p-value of every odds-ratio analysis, kept as reported."""
    checked = 0
    for measure in measures(record(RESULTS)):
        ratios = [a for a in measure.get("analyses", []) if a["paramType"] == "Odds Ratio (OR)"]
        if not ratios:
            continue
        analysis = ratios[0]
        comparison = outcome_labelled(results_draft, measure["title"])["comparison"]
        assert comparison["measure"] == "odds-ratio"
        assert comparison["estimate"] == as_reported(analysis["paramValue"])
        assert comparison["ci"] == {
            "level": as_reported(analysis["ciPctValue"]),
            "lower": as_reported(analysis["ciLowerLimit"]),
            "upper": as_reported(analysis["ciUpperLimit"]),
        }
        reported = analysis["pValue"]
        if reported.startswith("<"):
            assert comparison["p"] == reported  # a bound stays a bound
        else:
            assert comparison["p"] == float(reported.lstrip("="))
        assert f"pValue: {reported}" in comparison["cite"][0]["quote"]
        groups = {g["id"]: g["title"] for g in measure["groups"]}
        ids = group_ids(results_draft)
        for group in analysis["groupIds"]:
            assert ids[groups[group]] in comparison["groups"]  # still a placeholder
        assert comparison["groups"].startswith("TODO")
        checked += 1
    assert checked >= 4


def test_analyses_the_model_cannot_hold_are_noted_with_their_values(
    results_draft: dict[str, Any],
) -> None:
    """A mean difference has no measure in the model: left out, its values in a note."""
    notes = " ".join(n["text"] for n in results_draft["notes"])
    differences = [
        (m, a)
        for m in measures(record(RESULTS))
        for a in m.get("analyses", [])
        if a["paramType"] == "Difference"
    ]
    assert differences
    for measure, analysis in differences:
        assert measure["title"] in notes
        assert f"Difference {analysis['paramValue']}" in notes
    labels = {o["label"] for o in results_draft["outcomes"]}
    assert not labels & {m["title"] for m, _ in differences}


def test_numbers_keep_the_registrys_decimals(results_text: str) -> None:
    """A limit written 3.800 stays 3.800; a percentage 7.0 stays 7.0."""
    trailing = [
        a["ciLowerLimit"]
        for m in measures(record(RESULTS))
        for a in m.get("analyses", [])
        if a["paramType"] == "Odds Ratio (OR)" and a["ciLowerLimit"].endswith("0")
    ]
    assert trailing
    for limit in trailing:
        assert f"lower: {limit}," in results_text
    percents = [
        cell["value"]
        for m in measures(record(RESULTS))
        if m.get("paramType") == "NUMBER"
        for cell in m["classes"][0]["categories"][0]["measurements"]
        if cell["value"].endswith(".0")
    ]
    assert percents
    for value in percents:
        assert f"percent: {value}\n" in results_text


def test_adverse_events_match_the_record(results_draft: dict[str, Any]) -> None:
    """Serious and other events per group: affected of at risk, every term and every total."""
    module = record(RESULTS)["resultsSection"]["adverseEventsModule"]
    titles = {g["id"]: g["title"] for g in module["eventGroups"]}
    events = {
        (
            e["category"],
            e.get("term"),
            e["cite"][0]["quote"].split(" | ")[2 if "term" in e else 0],
        ): e
        for e in results_draft["safety"]
    }
    expected = 0
    for key, category in (("seriousEvents", "serious"), ("otherEvents", "other")):
        for event in module[key]:
            for stat in event["stats"]:
                found = next(
                    v
                    for (cat, term, group), v in events.items()
                    if cat.startswith(category)
                    and term == event["term"]
                    and group == titles[stat["groupId"]]
                )
                assert (found["n"], found["total"]) == (stat["numAffected"], stat["numAtRisk"])
                assert found["grade"] == "any"
                expected += 1
    for group in module["eventGroups"]:
        serious = events[("serious adverse events", None, group["title"])]
        assert (serious["n"], serious["total"]) == (
            group["seriousNumAffected"],
            group["seriousNumAtRisk"],
        )
        other = events[("other adverse events (not including serious)", None, group["title"])]
        assert (other["n"], other["total"]) == (group["otherNumAffected"], group["otherNumAtRisk"])
        expected += 2
    assert len(results_draft["safety"]) == expected


def test_adverse_event_groups_that_are_not_arms_share_one_placeholder(
    results_text: str, results_draft: dict[str, Any]
) -> None:
    """Each group's arm is asked once (an anchor), and its events follow as one block."""
    module = record(RESULTS)["resultsSection"]["adverseEventsModule"]
    arm_labels = {a["label"] for a in results_draft["design"]["arms"]}
    assert not arm_labels & {g["title"] for g in module["eventGroups"]}
    anchors = re.findall(r"arm: &([\w-]+) ", results_text)
    assert len(anchors) == len(module["eventGroups"])
    order = re.findall(r"arm: [&*]([\w-]+)", results_text)
    blocks = [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name]
    assert blocks == anchors  # one contiguous block per group
    for item in results_draft["safety"]:
        title = next(
            g["title"]
            for g in module["eventGroups"]
            if g["title"] in item["cite"][0]["quote"].split(" | ")
        )
        assert item["arm"].startswith("TODO") and f"group {title!r}" in item["arm"]


def test_every_registry_quote_is_made_of_the_records_values(results_draft: dict[str, Any]) -> None:
    """Each piece of a registry quote is a text of the record, a key: value field of it, or a
    denominator as units: count."""
    data = record(RESULTS)
    texts: list[str] = []
    fields: set[tuple[str, str]] = set()
    denominators: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "units" in node and "counts" in node:
                for count in node["counts"]:
                    denominators.add((node["units"], str(count["value"])))
            for key, value in node.items():
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    fields.add((key, str(value)))
                    if isinstance(value, str):
                        texts.append(" ".join(value.split()))
                elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                    fields.add((key, ", ".join(value)))
                    texts.extend(" ".join(v.split()) for v in value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)

    def found(piece: str) -> bool:
        if any(piece in text for text in texts):
            return True
        if ": " in piece:
            key, value = piece.split(": ", 1)
            if (key.rsplit(".", 1)[-1], value) in fields or (key, value) in denominators:
                return True
        return False

    quotes = list(registry_quotes(results_draft))
    assert len(quotes) > 200
    for quote in quotes:
        assert len(quote) <= 600
        for piece in quote.split(" | "):
            assert found(piece), f"{piece!r} of {quote!r} is not in the record"


def registry_quotes(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("source") == "registry" and "quote" in node:
            yield node["quote"]
        for value in node.values():
            yield from registry_quotes(value)
    elif isinstance(node, list):
        for item in node:
            yield from registry_quotes(item)


def test_the_yaml_holds_exactly_the_built_document() -> None:
    """The emitter (folded texts, kept decimals, anchors) changes no value."""

    def plain(node: Any) -> Any:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return str(node) if isinstance(node, str) else node

    for path in (RESULTS, PROTOCOL_ONLY):
        raw, name = read_record(str(path))
        document = draft(parse_record(raw, name))
        assert yaml.safe_load(dump(document)) == plain(document)


# --- The protocol-only record ---------------------------------------------------------------


def test_protocol_only_record_has_definitions_but_no_results(runner: CliRunner) -> None:
    data = record(PROTOCOL_ONLY)
    assert "resultsSection" not in data
    result = runner.invoke(app, ["import", "ctgov", str(PROTOCOL_ONLY)])
    assert result.exit_code == 0, result.stderr
    draft = yaml.safe_load(result.stdout)
    assert "outcomes" not in draft and "safety" not in draft
    definitions = data["protocolSection"]["outcomesModule"]
    assert [e["label"] for e in draft["design"]["endpoints"]] == [
        d["measure"]
        for d in definitions.get("primaryOutcomes", []) + definitions.get("secondaryOutcomes", [])
    ]
    info = data["protocolSection"]["designModule"]
    assert (info["designInfo"]["allocation"], draft["design"]["allocation"]) == (
        "NON_RANDOMIZED",
        "non-randomized",
    )
    assert (info["designInfo"]["maskingInfo"]["masking"], draft["design"]["masking"]) == (
        "NONE",
        "open-label",
    )
    # an estimated enrollment is not a count of people: left out, with a note
    assert info["enrollmentInfo"]["type"] == "ESTIMATED"
    assert "enrollment" not in draft["design"]
    assert any(str(info["enrollmentInfo"]["count"]) in n["text"] for n in draft["notes"])
    # no drug or biological intervention: the drug is a placeholder, not a procedure's name
    assert draft["drugs"][0].startswith("TODO")
    assert "dosing" not in draft


# --- Vocabulary edge cases, on edited copies of the real records ---------------------------------


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        (["EARLY_PHASE1"], 0),
        (["PHASE1"], 1),
        (["PHASE1", "PHASE2"], "1/2"),
        (["PHASE2", "PHASE3"], "2/3"),
        (["PHASE4"], 4),
    ],
)
def test_phases_map_onto_the_models(phases: list[str], expected: object, tmp_path: Path) -> None:
    data = record(PROTOCOL_ONLY)
    data["protocolSection"]["designModule"]["phases"] = phases
    assert yaml.safe_load(draft_text(data, tmp_path))["design"]["phase"] == expected


@pytest.mark.parametrize("phases", [[], ["NA"]])
def test_a_phase_the_registry_does_not_give_is_a_placeholder(
    phases: list[str], tmp_path: Path
) -> None:
    data = record(PROTOCOL_ONLY)
    data["protocolSection"]["designModule"]["phases"] = phases
    phase = yaml.safe_load(draft_text(data, tmp_path))["design"]["phase"]
    assert phase.startswith("TODO")


def test_hazard_ratio_with_a_limit_not_estimable_and_a_p_value_equal(tmp_path: Path) -> None:
    """'NA' becomes 'not estimable' only when the record says so; '=0.02' becomes 0.02."""
    data = record(RESULTS)
    measure = next(m for m in measures(data) if m.get("analyses") and m["paramType"] == "NUMBER")
    analysis = measure["analyses"][0]
    analysis.update(
        paramType="Hazard Ratio (HR)",
        paramValue="0.41",
        ciUpperLimit="NA",
        ciUpperLimitComment="Upper limit not estimable",
        pValue="=0.02",
    )
    comparison = outcome_labelled(yaml.safe_load(draft_text(data, tmp_path)), measure["title"])[
        "comparison"
    ]
    assert comparison["measure"] == "hazard-ratio"
    assert comparison["estimate"] == 0.41
    assert comparison["ci"]["upper"] == "not estimable"
    assert comparison["p"] == 0.02

    del analysis["ciUpperLimitComment"]  # NA without a reason: no interval at all
    outcome = outcome_labelled(yaml.safe_load(draft_text(data, tmp_path)), measure["title"])
    assert "comparison" not in outcome
    assert any("a confidence limit is missing" in n for n in outcome["notes"])


def test_a_one_sided_interval_is_not_imported(tmp_path: Path) -> None:
    data = record(RESULTS)
    measure = next(m for m in measures(data) if m.get("analyses") and m["paramType"] == "NUMBER")
    measure["analyses"][0]["ciNumSides"] = "ONE_SIDED"
    outcome = outcome_labelled(yaml.safe_load(draft_text(data, tmp_path)), measure["title"])
    assert "comparison" not in outcome
    assert any("ONE_SIDED" in n for n in outcome["notes"])


def test_a_level_the_model_cannot_hold_leaves_the_interval_out_with_a_note(
    tmp_path: Path,
) -> None:
    """A registry CI level above the model's 99.99 % would make a draft that validate
    rejects; like any value the model cannot hold, it is left out and a note says why."""
    data = record(RESULTS)
    measure = next(m for m in measures(data) if m.get("analyses") and m["paramType"] == "NUMBER")
    measure["analyses"][0]["ciPctValue"] = "99.995"
    outcome = outcome_labelled(yaml.safe_load(draft_text(data, tmp_path)), measure["title"])
    assert "comparison" not in outcome
    assert any("99.995" in n and "99.99" in n for n in outcome["notes"])


def test_median_survival_not_reached_is_a_time_result(tmp_path: Path) -> None:
    """A median in months with 'NA' and a comment saying not reached stays "not reached"."""
    data = record(RESULTS)
    measure = next(m for m in measures(data) if m.get("paramType") == "NUMBER")
    measure.update(
        title="Overall Survival",
        paramType="MEDIAN",
        unitOfMeasure="months",
        dispersionType="95% Confidence Interval",
    )
    cells = measure["classes"][0]["categories"][0]["measurements"]
    cells[0].update(value="36.5", lowerLimit="22.0", upperLimit="NA", comment="not estimable")
    cells[1].update(value="NA", comment="Median not reached")
    outcome = outcome_labelled(yaml.safe_load(draft_text(data, tmp_path)), "Overall Survival")
    assert outcome["endpoint"] == "overall-survival"
    first, second = outcome["results"]
    assert (first["measure"], first["statistic"], first["value"], first["unit"]) == (
        "time",
        "median",
        36.5,
        "months",
    )
    assert first["ci"] == {"level": 95, "lower": 22.0, "upper": "not estimable"}
    assert second["value"] == "not reached"


@pytest.mark.parametrize(
    ("title", "endpoint"),
    [
        ("Overall Survival (OS)", "overall-survival"),
        ("Progression-free Survival", "progression-free-survival"),
        ("Rate of Complete MRD Response", "complete-mrd-response"),
        ("Change From Baseline in BASFI", "other"),
    ],
)
def test_endpoint_vocabulary_from_the_title(title: str, endpoint: str) -> None:
    assert endpoint_of(title) == endpoint


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"protocolSection": ', "is not JSON: Expecting value at line 1"),
        (b"", "is empty"),
        (b"\xff\xfe{}", "is not JSON: byte 0 is not UTF-8"),
        (b"NaN", "is not JSON: NaN is not a number JSON allows"),
        (b"[]", "not a ClinicalTrials.gov API v2 study record: the file holds a list"),
        (
            b'{"FullStudiesResponse": {"FullStudies": []}}',
            "a response of the retired API v1",
        ),
        (b'{"studies": [], "nextPageToken": "x"}', "a v2 search response"),
        (b'{"hasResults": false}', "it has no protocolSection"),
        (
            b'{"protocolSection": {"identificationModule": {}}}',
            "protocolSection.identificationModule.nctId is missing",
        ),
        (
            b'{"protocolSection": {"identificationModule": {"nctId": "12345"}}}',
            "nctId is '12345', not an NCT number",
        ),
        (
            b'{"protocolSection": {"identificationModule": {"nctId": "NCT02552212"},'
            b' "armsInterventionsModule": {"armGroups": {}}}}',
            "protocolSection.armsInterventionsModule.armGroups: expected a list, found an object",
        ),
    ],
)
def test_bad_input_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["import", "ctgov", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {path}")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_stdin_is_named_as_standard_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["import", "ctgov", "-"], input=b"[1, 2]")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: standard input is not a ClinicalTrials.gov API v2")


def test_missing_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "NCT00000000.json"
    result = runner.invoke(app, ["import", "ctgov", str(missing)])
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot read {missing}: No such file or directory\n"


# --- Any record: an error, or a draft whose only problems are its placeholders ------------------


def _paths(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


EDITS: list[Any] = ["", " ", "NA", "-1", "0", "101", "1e5", "<0.001", "=2", "0.0", None, 0, -3]
EDITS += [10**12, [], {}, "Overall survival", "PHASE9", "x" * 700, "EXPERIMENTAL"]


@pytest.mark.parametrize("fixture", [RESULTS, PROTOCOL_ONLY], ids=lambda p: p.stem)
def test_edited_records_give_an_error_or_a_draft_valid_once_filled(
    fixture: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Values blanked, retyped or removed anywhere in a real record: the import either
    refuses the record with a RecordError or drafts a file that validates once filled."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    base = record(fixture)
    paths = list(_paths(base))
    edit = st.tuples(st.sampled_from(paths), st.sampled_from(EDITS) | st.none(), st.booleans())

    @settings(max_examples=20)
    @given(st.lists(edit, min_size=1, max_size=5))
    def check(edits: list[tuple[tuple[str | int, ...], Any, bool]]) -> None:
        data = copy.deepcopy(base)
        for path, value, remove in edits:
            parent: Any = data
            try:
                for step in path[:-1]:
                    parent = parent[step]
                if remove and isinstance(parent, dict):
                    del parent[path[-1]]
                else:
                    parent[path[-1]] = copy.deepcopy(value)
            except (KeyError, IndexError, TypeError):
                continue  # an earlier edit removed or replaced the way there
        try:
            record_ = parse_record(json.dumps(data).encode(), "edited.json")
        except RecordError as exc:
            assert str(exc).startswith("edited.json ")
            return
        filled = fill_placeholders(yaml.safe_load(dump(draft(record_))))
        path = tmp_path_factory.mktemp("edited") / "filled.yaml"
        path.write_text(yaml.safe_dump(filled, sort_keys=False), encoding="utf-8")
        report, _ = loader.check([path])
        assert report.valid, [str(f) for f in report.findings]

    check()
