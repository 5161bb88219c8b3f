"""`blinacli export --format fhir`: an HL7 FHIR R5 Bundle that fhir.resources accepts.

Every expected figure is read from the loaded evidence model, never written here,
and compared as a Decimal with what fhir.resources parsed from the command's JSON.
The helpers here are shared by the other ``test_fhir_*`` modules.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.evidence import Evidence
from fhir.resources.researchstudy import ResearchStudy
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.interop import fhir
from blinacli.interop.fhir import (
    ATTRIBUTE_ESTIMATE_SYSTEM,
    CLINICALTRIALS_GOV,
    STATISTIC_TYPE_SYSTEM,
    VARIABLE_ROLE_SYSTEM,
    adverse_event_id,
    evidence_id,
    full_url,
    result_ids,
)
from blinacli.load import loader
from blinacli.model import AdverseEvent, Comparison, Outcome, Study, reference_problems

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic"
CI_TYPE = "C53324"
P_VALUE_TYPE = "C44185"


def export(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["export", "--format", "fhir", *args], catch_exceptions=False)


def parsed(runner: CliRunner, *args: str) -> Bundle:
    """The command's stdout, validated by fhir.resources as an R5 Bundle."""
    result = export(runner, *args)
    assert result.exit_code == 0, result.stderr
    return Bundle.model_validate_json(result.stdout)


def resources(bundle: Bundle, kind: type[Any]) -> dict[str, Any]:
    return {e.resource.id: e.resource for e in bundle.entry if isinstance(e.resource, kind)}


def compared(study: Study) -> list[tuple[Outcome, Comparison]]:
    return [(o, o.comparison) for o in study.outcomes if o.comparison is not None]


def evidence_ids(study: Study) -> list[str]:
    """The id of every Evidence a study exports: comparisons, group figures, adverse events."""
    ids = [evidence_id(study, o) for o, _ in compared(study)]
    ids += [i for o in study.outcomes for i in result_ids(study, o)]
    ids += [
        adverse_event_id(study, i)
        for i, e in enumerate(study.safety)
        if isinstance(e, AdverseEvent)
    ]
    return ids


def study_from(data: dict[str, Any]) -> Study:
    """A study the model and its cross-references accept, from test data."""
    study = msgspec.convert(data, Study)
    assert not reference_problems(study)
    return study


def exported(*studies: Study) -> Bundle:
    """The library's Bundle JSON for these studies, validated by fhir.resources as R5."""
    text = fhir.bundle_json(list(studies))
    assert text == fhir.bundle_json(list(studies))  # the same evidence, the same bytes
    return Bundle.model_validate_json(text)


def codes(concept: Any) -> list[tuple[str, str]]:
    return [(c.system, c.code) for c in concept.coding]


def decimal(value: float | int) -> Decimal:
    """A reported number as the Decimal its JSON text denotes (0.41 -> Decimal('0.41'))."""
    return Decimal(repr(value))


def estimate_of(statistic: Any, code: str) -> Any:
    matches = [
        a
        for a in statistic.attributeEstimate or []
        if (ATTRIBUTE_ESTIMATE_SYSTEM, code) in codes(a.type)
    ]
    assert len(matches) <= 1
    return matches[0] if matches else None


@pytest.mark.parametrize("evidence", [None, SYNTHETIC], ids=["bundled", "synthetic"])
def test_export_is_a_valid_r5_bundle_of_studies_and_results(
    runner: CliRunner, evidence: Path | None
) -> None:
    """fhir.resources accepts it: a ResearchStudy per study, an Evidence per comparison,
    per group figure and per adverse-event figure."""
    args = ["--evidence", str(evidence)] if evidence is not None else []
    bundle = parsed(runner, *args)
    studies = loader.load([evidence] if evidence is not None else None).studies
    assert bundle.type == "collection"
    assert sorted(resources(bundle, ResearchStudy)) == sorted(s.id for s in studies)
    expected = [i for s in studies for i in evidence_ids(s)]
    assert len(set(expected)) == len(expected)
    assert sum(len(o.results) for s in studies for o in s.outcomes) > len(studies)
    assert sorted(resources(bundle, Evidence)) == sorted(expected)
    assert len(bundle.entry) == len(studies) + len(expected)
    urls = [e.fullUrl for e in bundle.entry]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith("urn:uuid:") for url in urls)


@pytest.mark.parametrize("evidence", [None, SYNTHETIC], ids=["bundled", "synthetic"])
def test_statuses_are_codes_of_the_r5_value_set(runner: CliRunner, evidence: Path | None) -> None:
    """fhir.resources does not enforce code bindings, so check status against its own list."""
    args = ["--evidence", str(evidence)] if evidence is not None else []
    bundle = parsed(runner, *args)
    for kind in (ResearchStudy, Evidence):
        allowed = kind.model_fields["status"].json_schema_extra["enum_values"]
        for resource in resources(bundle, kind).values():
            assert resource.status in allowed


def test_e1910_overall_survival_hazard_ratio_is_exact(runner: CliRunner) -> None:
    """The HR, both CI limits, the CI level and the p-value equal the evidence file's values."""
    study = loader.load(None).find("e1910")
    outcome, comparison = next(
        (o, c)
        for o, c in compared(study)
        if o.endpoint == "overall-survival" and c.measure == "hazard-ratio"
    )
    assert comparison.estimate is not None and comparison.ci is not None
    assert comparison.p is not None and not isinstance(comparison.p, str)
    assert not isinstance(comparison.ci.lower, str) and not isinstance(comparison.ci.upper, str)

    result = export(runner)
    evidence = resources(Bundle.model_validate_json(result.stdout), Evidence)[
        evidence_id(study, outcome)
    ]
    (statistic,) = evidence.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, "C93150")]
    assert statistic.quantity.value == decimal(comparison.estimate)
    interval = estimate_of(statistic, CI_TYPE)
    assert interval.range.low.value == decimal(comparison.ci.lower)
    assert interval.range.high.value == decimal(comparison.ci.upper)
    assert interval.level == decimal(comparison.ci.level) / 100
    p_value = estimate_of(statistic, P_VALUE_TYPE)
    assert p_value.quantity.value == decimal(comparison.p)
    assert p_value.quantity.comparator is None
    # The JSON text itself carries the digits as written (no 0.4099999...).
    assert f'"value": {comparison.estimate!r}' in result.stdout


def test_evidence_defines_population_exposure_comparator_and_outcome(runner: CliRunner) -> None:
    """Each comparison's Evidence names its four variables: the intervention as exposure."""
    study = loader.load(None).find("e1910")
    found = resources(parsed(runner), Evidence)
    for outcome, comparison in compared(study):
        variables = {
            code: v.description
            for v in found[evidence_id(study, outcome)].variableDefinition
            for system, code in codes(v.variableRole)
            if system == VARIABLE_ROLE_SYSTEM
        }
        assert set(variables) == {"population", "exposure", "referenceExposure", "measuredVariable"}
        intervention = study.intervention_of(comparison)
        assert intervention is not None
        (comparator,) = [g for g in comparison.groups if g != intervention]
        assert study.group_label(intervention) in variables["exposure"]
        assert study.group_label(comparator) in variables["referenceExposure"]
        assert outcome.label in variables["measuredVariable"]


def test_evidence_points_at_its_research_study(runner: CliRunner) -> None:
    """relatedArtifact derived-from resolves to the study's entry in the same Bundle."""
    bundle = parsed(runner)
    urls = {e.resource.id: e.fullUrl for e in bundle.entry if isinstance(e.resource, ResearchStudy)}
    for study in loader.load(None).studies:
        for outcome, _ in compared(study):
            evidence = resources(bundle, Evidence)[evidence_id(study, outcome)]
            derived = [a for a in evidence.relatedArtifact if a.type == "derived-from"]
            assert [a.resourceReference.reference for a in derived] == [urls[study.id]]
            assert urls[study.id] == full_url("ResearchStudy", study.id)


@pytest.mark.parametrize("evidence", [None, SYNTHETIC], ids=["bundled", "synthetic"])
def test_arms_are_comparison_groups(runner: CliRunner, evidence: Path | None) -> None:
    """Every arm is a comparisonGroup: linkId is its id, name its label, in file order."""
    args = ["--evidence", str(evidence)] if evidence is not None else []
    found = resources(parsed(runner, *args), ResearchStudy)
    for study in loader.load([evidence] if evidence is not None else None).studies:
        groups = found[study.id].comparisonGroup
        assert [(g.linkId, g.name) for g in groups] == [(a.id, a.label) for a in study.design.arms]
        for group, arm in zip(groups, study.design.arms, strict=True):
            assert group.description == arm.description


def test_registry_identifiers_are_present(runner: CliRunner) -> None:
    """Each ClinicalTrials.gov registration is an identifier in that system, secondary ids too."""
    found = resources(parsed(runner), ResearchStudy)
    registered = [s for s in loader.load(None).studies if s.registrations]
    assert registered
    for study in registered:
        identifiers = [(i.system, i.value, i.use) for i in found[study.id].identifier]
        for registration in study.registrations:
            assert (CLINICALTRIALS_GOV, registration.id, "official") in identifiers
            for secondary in registration.secondary_ids:
                assert (None, secondary, "secondary") in identifiers


def test_phase_is_coded(runner: CliRunner) -> None:
    """The phase is a research-study-phase code whose text keeps the evidence's own phase."""
    found = resources(parsed(runner, "--evidence", str(SYNTHETIC)), ResearchStudy)
    for study in loader.load([SYNTHETIC]).studies:
        phase = found[study.id].phase
        assert phase.coding[0].system == "http://hl7.org/fhir/research-study-phase"
        assert phase.text == f"phase {study.design.phase}"
        if isinstance(study.design.phase, str):  # "1/2" -> phase-1-phase-2
            low, high = study.design.phase.split("/")
            assert phase.coding[0].code == f"phase-{low}-phase-{high}"


def test_p_value_bound_becomes_a_comparator(runner: CliRunner) -> None:
    """A p-value written "<0.001" is a Quantity with comparator "<" and the bound's digits."""
    studies = loader.load([SYNTHETIC]).studies
    bounded = [
        (s, o, c) for s in studies for o, c in compared(s) if isinstance(c.p, str) and "<" in c.p
    ]
    assert bounded
    found = resources(parsed(runner, "--evidence", str(SYNTHETIC)), Evidence)
    for study, outcome, comparison in bounded:
        assert isinstance(comparison.p, str)
        (statistic,) = found[evidence_id(study, outcome)].statistic
        quantity = estimate_of(statistic, P_VALUE_TYPE).quantity
        assert quantity.comparator == "<"
        assert quantity.value == Decimal(comparison.p.strip().lstrip("<"))


def test_comparison_without_estimate_keeps_its_p_value(runner: CliRunner) -> None:
    """A comparison reported by a p-value alone has no statistic type and says so."""
    study = loader.load(None).find("blast")
    p_only = [(o, c) for o, c in compared(study) if c.estimate is None]
    assert p_only
    found = resources(parsed(runner), Evidence)
    for outcome, comparison in p_only:
        assert comparison.p is not None and not isinstance(comparison.p, str)
        (statistic,) = found[evidence_id(study, outcome)].statistic
        assert statistic.statisticType is None and statistic.quantity is None
        assert estimate_of(statistic, P_VALUE_TYPE).quantity.value == decimal(comparison.p)
        assert any("no effect estimate" in n.text for n in statistic.note)


def test_not_estimable_limit_is_left_out_with_a_note(runner: CliRunner, tmp_path: Path) -> None:
    """An upper limit that could not be estimated is absent from the range and named in a note."""
    text = (SYNTHETIC / "syn-three-arm.yaml").read_text(encoding="utf-8")
    before = "ci: {level: 95, lower: 0.31, upper: 0.66}"
    assert text.count(before) == 1
    changed = tmp_path / "syn-three-arm.yaml"
    changed.write_text(
        text.replace(before, "ci: {level: 95, lower: 0.31, upper: not estimable}"),
        encoding="utf-8",
    )
    study = loader.load([changed]).studies[0]
    outcome, comparison = next((o, c) for o, c in compared(study) if c.ci is not None)
    assert comparison.ci is not None and comparison.ci.upper == "not estimable"
    assert not isinstance(comparison.ci.lower, str)

    found = resources(parsed(runner, "--evidence", str(changed)), Evidence)
    (statistic,) = found[evidence_id(study, outcome)].statistic
    interval = estimate_of(statistic, CI_TYPE)
    assert interval.range.low.value == decimal(comparison.ci.lower)
    assert interval.range.high is None
    assert any("upper limit is not estimable" in n.text for n in interval.note)


def test_claims_and_notes_become_notes(runner: CliRunner) -> None:
    """The study's claims and curator notes are ResearchStudy notes; outcome notes go on the
    Evidence, with the study's notes, so each result keeps its caveats."""
    bundle = parsed(runner)
    studies = resources(bundle, ResearchStudy)
    evidences = resources(bundle, Evidence)
    for study in loader.load(None).studies:
        study_notes = " ".join(n.text for n in studies[study.id].note)
        for claim in study.claims:
            assert claim.text in study_notes
        for note in study.notes:
            assert note.text in study_notes
        for outcome, _ in compared(study):
            evidence_notes = " ".join(n.text for n in evidences[evidence_id(study, outcome)].note)
            for text in [*outcome.notes, *(n.text for n in study.notes)]:
                assert text in evidence_notes


def test_output_is_deterministic(runner: CliRunner) -> None:
    """Two runs print the same bytes."""
    first, second = export(runner), export(runner)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["resourceType"] == "Bundle"


def test_filters_select_the_studies(runner: CliRunner) -> None:
    """--phase 3 keeps only the phase 3 study and its comparisons."""
    phase3 = [s for s in loader.load(None).studies if s.design.phase == 3]
    assert phase3
    bundle = parsed(runner, "--phase", "3")
    assert sorted(resources(bundle, ResearchStudy)) == sorted(s.id for s in phase3)
    assert sorted(resources(bundle, Evidence)) == sorted(i for s in phase3 for i in evidence_ids(s))


def test_no_matching_study_prints_nothing(runner: CliRunner) -> None:
    result = export(runner, "--drug", "no-such-drug")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no study matches the filters" in result.stderr


def test_output_file_holds_the_same_bytes_as_stdout(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    result = export(runner, "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == export(runner).stdout


def test_existing_file_is_kept_without_force(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_text("keep me", encoding="utf-8")
    result = export(runner, "--output", str(target))
    assert result.exit_code == 1
    assert "already exists; use --force" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"


def test_force_replaces_an_existing_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_text("old", encoding="utf-8")
    result = export(runner, "-o", str(target), "--force")
    assert result.exit_code == 0
    Bundle.model_validate_json(target.read_text(encoding="utf-8"))


def test_format_is_required_and_checked(runner: CliRunner) -> None:
    missing = runner.invoke(app, ["export"], catch_exceptions=False)
    assert missing.exit_code == 2
    assert "Missing option '--format'" in missing.stderr
    unknown = runner.invoke(app, ["export", "--format", "xml"], catch_exceptions=False)
    assert unknown.exit_code == 2
    assert "'xml'" in unknown.stderr
    upper = runner.invoke(app, ["export", "--format", "FHIR"], catch_exceptions=False)
    assert upper.exit_code == 0
    assert upper.stdout == export(runner).stdout


def test_the_library_does_not_need_fhir_resources() -> None:
    """fhir.resources is a test dependency only: exporting never imports it."""
    code = (
        "import sys; from blinacli.interop import fhir; from blinacli.load import loader; "
        "fhir.bundle_json(loader.load(None).studies); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fhir', 'fhir_core')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_long_ids_still_make_valid_unique_fhir_ids(runner: CliRunner, tmp_path: Path) -> None:
    """A study id and outcome id of 63 characters each still give ids of at most 64."""
    text = (SYNTHETIC / "syn-randomized-odds.yaml").read_text(encoding="utf-8")
    long_study, long_outcome = "s" * 63, "o" * 63
    for before, after in (
        ("id: syn-odds\n", f"id: {long_study}\n"),
        ("- id: cmr\n", f"- id: {long_outcome}\n"),
    ):
        assert text.count(before) == 1
        text = text.replace(before, after)
    changed = tmp_path / "long.yaml"
    changed.write_text(text, encoding="utf-8")
    bundle = parsed(runner, "--evidence", str(changed))
    ids = [e.resource.id for e in bundle.entry]
    (study,) = loader.load([changed]).studies
    assert len(set(ids)) == len(ids) == 1 + len(evidence_ids(study)) > 3
    assert all(re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", i) for i in ids)
    assert long_study in ids
