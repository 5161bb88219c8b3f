"""FHIR export of each group's own figure: medians, rates and proportions as Evidence.

Expected figures are read from the evidence model and compared as Decimals with what
fhir.resources parsed; the studies that hold the cases the bundled evidence lacks (a
median not reached, a percent-only proportion, a mean) are written here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fhir.resources.bundle import Bundle
from fhir.resources.evidence import Evidence
from hypothesis import given, settings
from typer.testing import CliRunner

from blinacli.interop import fhir
from blinacli.interop.fhir import STATISTIC_TYPE_SYSTEM, VARIABLE_ROLE_SYSTEM, result_ids
from blinacli.load import loader
from blinacli.model import Outcome, Proportion, Rate, Study, Time
from tests.test_fhir import (
    CI_TYPE,
    SYNTHETIC,
    codes,
    decimal,
    estimate_of,
    exported,
    parsed,
    resources,
    study_from,
)
from tests.test_model import QUOTE, minimal_study
from tests.test_totality import valid_studies

UCUM = "http://unitsofmeasure.org"
MEDIAN, MEAN, PROPORTION = "C28007", "C53319", "C44256"


def result_evidence(bundle: Bundle, study: Study, outcome_id: str) -> list[Any]:
    """The Evidence of each result of an outcome, in the order of the results."""
    outcome = next(o for o in study.outcomes if o.id == outcome_id)
    found = resources(bundle, Evidence)
    return [found[i] for i in result_ids(study, outcome)]


def roles(evidence: Any) -> dict[str, str]:
    return {
        code: v.description
        for v in evidence.variableDefinition
        for system, code in codes(v.variableRole)
        if system == VARIABLE_ROLE_SYSTEM
    }


def numbers(node: object) -> list[float | int]:
    """Every number in a JSON tree."""
    if isinstance(node, bool):
        return []
    if isinstance(node, int | float):
        return [node]
    if isinstance(node, dict):
        return [n for value in node.values() for n in numbers(value)]
    if isinstance(node, list):
        return [n for value in node for n in numbers(value)]
    return []


def with_results(*results: dict[str, Any], **outcome: Any) -> Study:
    """The minimal two-arm study whose one outcome has these results."""
    data = minimal_study()
    data["outcomes"][0] = {**data["outcomes"][0], "results": list(results), **outcome}
    return study_from(data)


@pytest.mark.parametrize("evidence", [None, SYNTHETIC], ids=["bundled", "synthetic"])
def test_every_result_of_every_outcome_is_an_evidence(
    runner: CliRunner, evidence: Path | None
) -> None:
    """One Evidence per result, with or without a comparison, each naming its group and
    its outcome."""
    bundle = parsed(runner, *(["--evidence", str(evidence)] if evidence is not None else []))
    studies = loader.load([evidence] if evidence is not None else None).studies
    assert any(o.comparison is None for s in studies for o in s.outcomes)
    for study in studies:
        for outcome in study.outcomes:
            found = result_evidence(bundle, study, outcome.id)
            for result, resource in zip(outcome.results, found, strict=True):
                assert study.group_label(result.group) in " ".join(roles(resource).values())
                assert outcome.label in roles(resource)["measuredVariable"]
                assert len(resource.statistic) == 1


def test_median_with_a_limit_not_estimable(runner: CliRunner) -> None:
    """BLAST's median OS: statistic type median, the value in months, the lower limit in the
    range and the upper limit, not estimable, left out and named."""
    study = loader.load(None).find("blast")
    (evidence,) = result_evidence(parsed(runner), study, "os-median")
    (result,) = next(o for o in study.outcomes if o.id == "os-median").results
    assert isinstance(result, Time) and result.ci is not None
    assert not isinstance(result.value, str) and not isinstance(result.ci.lower, str)
    (statistic,) = evidence.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, MEDIAN)]
    assert statistic.quantity.value == decimal(result.value)
    assert (statistic.quantity.system, statistic.quantity.code) == (UCUM, "mo")
    interval = estimate_of(statistic, CI_TYPE)
    assert interval.range.low.value == decimal(result.ci.lower)
    assert interval.range.low.code == "mo"
    assert interval.range.high is None
    assert any("upper limit is not estimable" in n.text for n in interval.note)


def test_median_not_reached_has_no_value() -> None:
    """A median not reached is no number: no quantity, a note, its CI's reported limit kept."""
    ci = {"level": 95, "lower": 14.2, "upper": "not estimable"}
    time = {"measure": "time", "group": "blina", "value": "not reached", "unit": "months"}
    study = with_results({**time, "ci": ci, "cite": QUOTE})
    (evidence,) = result_evidence(exported(study), study, "os")
    (statistic,) = evidence.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, MEDIAN)]
    assert statistic.quantity is None
    assert any("median was not reached" in n.text for n in statistic.note)
    interval = estimate_of(statistic, CI_TYPE)
    assert interval.range.low.value == decimal(14.2)
    assert interval.range.high is None


def test_mean_and_an_unnamed_statistic() -> None:
    """A mean is coded as a mean; a time whose statistic the source does not name has no
    statistic type, and a note says so."""
    mean = {"measure": "time", "group": "blina", "statistic": "mean", "value": 7.5}
    unnamed = {"measure": "time", "group": "chemo", "statistic": "not-stated", "value": 4}
    study = with_results(
        {**mean, "unit": "weeks", "cite": QUOTE}, {**unnamed, "unit": "years", "cite": QUOTE}
    )
    first, second = result_evidence(exported(study), study, "os")
    (statistic,) = first.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, MEAN)]
    assert (statistic.quantity.value, statistic.quantity.code) == (decimal(7.5), "wk")
    (statistic,) = second.statistic
    assert statistic.statisticType is None
    assert (statistic.quantity.value, statistic.quantity.code) == (4, "a")
    assert any("does not name the statistic" in n.text for n in statistic.note)


def test_rates_are_percentages() -> None:
    """A rate is a proportion in percent, as reported (85 stays 85, never 0.85), with its
    CI in percent and its method."""
    ci = {"level": 90, "lower": 71.5, "upper": 88}
    rate = {"measure": "rate", "group": "blina", "percent": 80.5, "method": "kaplan-meier"}
    study = with_results({**rate, "ci": ci, "cite": QUOTE})
    (evidence,) = result_evidence(exported(study), study, "os")
    (statistic,) = evidence.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, PROPORTION)]
    assert statistic.quantity.value == decimal(80.5)
    assert (statistic.quantity.unit, statistic.quantity.system) == ("%", UCUM)
    interval = estimate_of(statistic, CI_TYPE)
    assert (interval.range.low.value, interval.range.high.value) == (decimal(71.5), 88)
    assert interval.level == decimal(0.9)
    assert [m.code.text for m in statistic.modelCharacteristic] == ["Kaplan-Meier estimate"]


def test_bundled_rates_keep_the_reported_percent(runner: CliRunner) -> None:
    """E1910's 3-year rates: each arm's percent, in its own Evidence."""
    study = loader.load(None).find("e1910")
    bundle = parsed(runner)
    for outcome in study.outcomes:
        for result, evidence in zip(
            outcome.results, result_evidence(bundle, study, outcome.id), strict=True
        ):
            assert isinstance(result, Rate)
            (statistic,) = evidence.statistic
            assert statistic.quantity.value == decimal(result.percent)
            assert statistic.numberAffected is None and statistic.sampleSize is None


def test_proportion_with_count_and_denominator(runner: CliRunner) -> None:
    """BLAST's 88/113 (78%): numberAffected 88, numberOfParticipants 113, quantity 78 %."""
    study = loader.load(None).find("blast")
    (evidence,) = result_evidence(parsed(runner), study, "mrd-response")
    (result,) = next(o for o in study.outcomes if o.id == "mrd-response").results
    assert isinstance(result, Proportion) and result.n is not None and result.percent is not None
    (statistic,) = evidence.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, PROPORTION)]
    assert statistic.numberAffected == result.n
    assert statistic.sampleSize.numberOfParticipants == result.total
    assert statistic.quantity.value == decimal(result.percent)
    assert statistic.quantity.unit == "%"


def test_percent_only_proportion_invents_no_count() -> None:
    """52% of 60: the percent and the denominator; no count (31.2 or 31) anywhere."""
    proportion = {"measure": "proportion", "group": "blina", "percent": 52, "total": 60}
    study = with_results({**proportion, "cite": QUOTE})
    bundle = exported(study)
    (evidence,) = result_evidence(bundle, study, "os")
    (statistic,) = evidence.statistic
    assert statistic.quantity.value == 52
    assert statistic.sampleSize.numberOfParticipants == 60
    assert statistic.numberAffected is None
    assert any("no count is computed" in n.text for n in statistic.note)
    assert not {31, 31.2} & set(numbers(json.loads(fhir.bundle_json([study]))))


def test_count_without_percent_invents_no_percent() -> None:
    """5/10 as reported: count and denominator, no quantity (no 50 %)."""
    study = study_from(minimal_study())
    (evidence,) = result_evidence(exported(study), study, "os")
    (statistic,) = evidence.statistic
    assert (statistic.numberAffected, statistic.sampleSize.numberOfParticipants) == (5, 10)
    assert statistic.quantity is None
    assert any("none is computed" in n.text for n in statistic.note)


def test_subgroup_figures_and_duplicate_groups() -> None:
    """A subgroup's figure names the subgroup as its population; a group with two figures
    for one outcome gets two Evidence, each id unique and stable."""
    data = minimal_study()
    data["population"]["subgroups"] = [
        {"id": "responders", "label": "Responders", "defined_by": "a response", "cite": QUOTE}
    ]
    rate = {"measure": "rate", "group": "responders", "percent": 40, "cite": QUOTE}
    data["outcomes"][0]["results"] = [rate, {**rate, "percent": 45}]
    study = study_from(data)
    first, second = result_evidence(exported(study), study, "os")
    assert first.id != second.id
    assert "Responders" in roles(first)["population"]
    assert "exposure" not in roles(first)
    assert (first.statistic[0].quantity.value, second.statistic[0].quantity.value) == (40, 45)
    assert result_ids(study, study.outcomes[0]) == result_ids(study_from(data), study.outcomes[0])


def test_result_notes_and_unconfirmed_details_are_annotations() -> None:
    """A result's note, its unconfirmed details and the outcome's become Evidence notes;
    the outcome's definition is part of the measured variable."""
    unconfirmed = [{"detail": "denominator", "note": "the abstract gives two totals"}]
    result = copy.deepcopy(minimal_study()["outcomes"][0]["results"][0])
    result.update(note="Read from a figure.", unconfirmed=unconfirmed)
    study = with_results(
        result,
        definition="death from any cause",
        unconfirmed=[{"detail": "timepoint", "note": "not repeated in the results"}],
    )
    (evidence,) = result_evidence(exported(study), study, "os")
    texts = [n.text for n in evidence.note]
    assert "Read from a figure." in texts
    assert any("denominator" in t and "two totals" in t for t in texts)
    assert any("timepoint" in t and "not repeated" in t for t in texts)
    assert "death from any cause" in roles(evidence)["measuredVariable"]


def test_results_exported_from_a_yaml_file(runner: CliRunner, tmp_path: Path) -> None:
    """The same through the command: a file with a median not reached and a percent-only
    proportion exports, validates and keeps both as reported."""
    data = minimal_study()
    data["outcomes"].append(
        {
            "id": "remission",
            "endpoint": "complete-remission",
            "label": "Complete remission",
            "role": "secondary",
            "results": [
                {"measure": "proportion", "group": "blina", "percent": 52, "total": 60},
                {"measure": "time", "group": "chemo", "value": "not reached", "unit": "months"},
            ],
        }
    )
    for result in data["outcomes"][1]["results"]:
        result["cite"] = QUOTE
    path = tmp_path / "trial.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (study,) = loader.load([path]).studies
    outcome: Outcome = study.outcomes[1]
    proportion, time = result_evidence(parsed(runner, "--evidence", str(path)), study, outcome.id)
    assert proportion.statistic[0].quantity.value == 52
    assert proportion.statistic[0].numberAffected is None
    assert time.statistic[0].quantity is None


@settings(max_examples=60)
@given(study=valid_studies())
def test_any_valid_study_exports_every_figure_exactly(study: Study) -> None:
    """Any two-arm study the model accepts (numbers at the model's bounds, limits not
    estimable, p-value bounds): the Bundle validates and each group's figure is in its
    Evidence exactly as reported, nothing added."""
    bundle = exported(study)
    for outcome in study.outcomes:
        for result, evidence in zip(
            outcome.results, result_evidence(bundle, study, outcome.id), strict=True
        ):
            (statistic,) = evidence.statistic
            if isinstance(result, Proportion):
                assert statistic.numberAffected == result.n
                assert statistic.sampleSize.numberOfParticipants == result.total
            if isinstance(result, Proportion | Rate):
                if result.percent is None:
                    assert statistic.quantity is None
                else:
                    assert statistic.quantity.value == decimal(result.percent)
            if isinstance(result, Rate) and result.ci is not None:
                interval = estimate_of(statistic, CI_TYPE)
                for side, limit in (("low", result.ci.lower), ("high", result.ci.upper)):
                    bound = getattr(interval.range, side) if interval.range else None
                    if isinstance(limit, str):
                        assert bound is None
                    else:
                        assert bound.value == decimal(limit)
