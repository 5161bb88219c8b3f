"""FHIR export of comparisons: the direction made explicit, comparisons without an
estimate, the analysis population, notes and unconfirmed details."""

from __future__ import annotations

from typing import Any

from fhir.resources.evidence import Evidence

from blinacli.interop import fhir
from blinacli.interop.fhir import evidence_id, full_url, result_ids
from blinacli.model import Study
from tests.test_fhir import P_VALUE_TYPE, decimal, estimate_of, exported, resources, study_from
from tests.test_fhir_results import roles
from tests.test_model import QUOTE, minimal_study

HR = {"measure": "hazard-ratio", "estimate": 2.44, "ci": {"level": 95, "lower": 1.3, "upper": 4.6}}


def with_comparison(comparison: dict[str, Any], **outcome: Any) -> Study:
    """The minimal two-arm study (blina experimental, chemo active comparator) whose one
    outcome has both arms' figures and this comparison."""
    data = minimal_study()
    results = [
        {"measure": "rate", "group": "blina", "percent": 85, "cite": QUOTE},
        {"measure": "rate", "group": "chemo", "percent": 68, "cite": QUOTE},
    ]
    data["outcomes"][0] = {
        **data["outcomes"][0],
        "results": results,
        "comparison": {**comparison, "cite": QUOTE},
        **outcome,
    }
    return study_from(data)


def comparison_evidence(study: Study) -> Any:
    return resources(exported(study), Evidence)[evidence_id(study, study.outcomes[0])]


def test_the_intervention_is_the_exposure_whatever_the_order_of_groups() -> None:
    """groups [chemo, blina]: blina (experimental) is still the exposure; the estimate
    stays as reported (2.44, not inverted) and a note says whose relative to whose."""
    study = with_comparison({"groups": ["chemo", "blina"], **HR})
    evidence = comparison_evidence(study)
    variables = roles(evidence)
    assert variables["exposure"].startswith("Arm blina:")
    assert variables["referenceExposure"].startswith("Arm chemo:")
    assert evidence.title.endswith("Blinatumomab vs Chemotherapy")
    (statistic,) = evidence.statistic
    assert statistic.quantity.value == decimal(2.44)
    texts = [n.text for n in statistic.note]
    assert any(
        "of Chemotherapy relative to Blinatumomab" in t and "not inverted" in t for t in texts
    )


def test_an_explicit_intervention_overrides_the_roles() -> None:
    study = with_comparison({"groups": ["blina", "chemo"], "intervention": "chemo", **HR})
    variables = roles(comparison_evidence(study))
    assert variables["exposure"].startswith("Arm chemo:")
    assert variables["referenceExposure"].startswith("Arm blina:")


def test_subgroups_keep_the_reported_order_and_say_neither_is_an_intervention() -> None:
    data = minimal_study()
    data["population"]["subgroups"] = [
        {"id": "responders", "label": "Responders", "cite": QUOTE},
        {"id": "others", "label": "Nonresponders", "cite": QUOTE},
    ]
    data["outcomes"][0]["results"][0]["group"] = "responders"
    data["outcomes"][0]["comparison"] = {"groups": ["responders", "others"], "p": 0.01}
    data["outcomes"][0]["comparison"]["cite"] = QUOTE
    study = study_from(data)
    evidence = comparison_evidence(study)
    variables = roles(evidence)
    assert (
        "Responders" in variables["exposure"] and "Nonresponders" in variables["referenceExposure"]
    )
    assert any("neither group is an intervention" in n.text for n in evidence.note)


def test_a_p_value_alone_is_kept() -> None:
    study = with_comparison({"groups": ["blina", "chemo"], "p": "<0.001"})
    (statistic,) = comparison_evidence(study).statistic
    assert statistic.statisticType is None and statistic.quantity is None
    quantity = estimate_of(statistic, P_VALUE_TYPE).quantity
    assert (quantity.comparator, quantity.value) == ("<", decimal(0.001))


def test_no_estimate_and_no_p_value_exports_the_two_groups_figures() -> None:
    """A side-by-side comparison: no statistic type, no estimate, no p-value, nothing
    computed; the two figures named, and linked to their own Evidence."""
    study = with_comparison({"groups": ["blina", "chemo"]})
    evidence = comparison_evidence(study)
    (statistic,) = evidence.statistic
    assert statistic.statisticType is None and statistic.quantity is None
    assert statistic.attributeEstimate is None
    texts = [n.text for n in statistic.note]
    assert any(
        "no effect estimate and no p-value" in t and "Blinatumomab: 85%; Chemotherapy: 68%" in t
        for t in texts
    )
    assert "no estimate or P reported" in evidence.description
    links = [a for a in evidence.relatedArtifact if a.type == "composed-of"]
    expected = [full_url("Evidence", i) for i in result_ids(study, study.outcomes[0])]
    assert [a.resourceReference.reference for a in links] == expected
    found = resources(exported(study), Evidence)
    assert all(i in found for i in result_ids(study, study.outcomes[0]))


def test_the_analysis_population_is_the_population_and_its_size() -> None:
    """113 evaluable of 116 treated: in the population's words, and its n as sample size."""
    analysis = {"label": "evaluable patients", "n": 113, "of": 116, "of_label": "treated"}
    study = with_comparison(
        {"groups": ["blina", "chemo"], **HR}, population="all", analysis={**analysis, "cite": QUOTE}
    )
    evidence = comparison_evidence(study)
    population = roles(evidence)["population"]
    assert "113 evaluable patients of 116 treated" in population
    (statistic,) = evidence.statistic
    assert statistic.sampleSize.numberOfParticipants == 113
    results = resources(exported(study), Evidence)
    for resource_id in result_ids(study, study.outcomes[0]):
        assert "113 evaluable patients of 116 treated" in roles(results[resource_id])["population"]


def test_an_analysis_set_without_its_size_has_no_sample_size() -> None:
    study = with_comparison(
        {"groups": ["blina", "chemo"], **HR},
        analysis={"label": "intention to treat", "cite": QUOTE},
    )
    evidence = comparison_evidence(study)
    assert "intention to treat" in roles(evidence)["population"]
    assert "not stated" not in roles(evidence)["population"]
    assert evidence.statistic[0].sampleSize is None


def test_notes_and_unconfirmed_details_are_annotations() -> None:
    study = with_comparison(
        {
            "groups": ["blina", "chemo"],
            **HR,
            "note": "Stratified by age.",
            "unconfirmed": [{"detail": "direction", "note": "the memo does not say"}],
        },
        unconfirmed=[{"detail": "timepoint", "note": "given only in a figure"}],
    )
    texts = [n.text for n in comparison_evidence(study).note]
    assert "Stratified by age." in texts
    assert "Unconfirmed (comparison): direction — the memo does not say" in texts
    assert "Unconfirmed (outcome): timepoint — given only in a figure" in texts


def test_the_same_evidence_gives_the_same_bytes_and_ids() -> None:
    """Built twice from equal studies: identical text; ids from the evidence ids only."""
    first = with_comparison({"groups": ["chemo", "blina"], **HR})
    second = with_comparison({"groups": ["chemo", "blina"], **HR})
    assert fhir.bundle_json([first]) == fhir.bundle_json([second])
    ids = [e.resource.id for e in exported(first).entry]
    assert ids == ["trial", "trial.os", "trial.os.blina", "trial.os.chemo"]
