"""FHIR export of adverse events: one Evidence per figure, its grade kept as reported (a
range stays a range), its count and denominator per arm, nothing computed."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.evidence import Evidence
from fhir.resources.researchstudy import ResearchStudy
from typer.testing import CliRunner

from blinacli.interop.fhir import STATISTIC_TYPE_SYSTEM, adverse_event_id
from blinacli.load import loader
from blinacli.model import AdverseEvent, Study, grade_bounds
from tests.test_fhir import codes, exported, parsed, resources, study_from
from tests.test_model import QUOTE, minimal_study

PROPORTION, COUNT = "C44256", "C25463"


def with_safety(*items: dict[str, Any]) -> Study:
    data = minimal_study()
    data["safety"] = [{**item, "cite": QUOTE} for item in items]
    return study_from(data)


def event_evidence(study: Study) -> list[tuple[AdverseEvent, Any]]:
    """Each adverse event of the study with its Evidence, in the study's order."""
    found = resources(exported(study), Evidence)
    return [
        (item, found[adverse_event_id(study, index)])
        for index, item in enumerate(study.safety)
        if isinstance(item, AdverseEvent)
    ]


def category(evidence: Any) -> Any:
    """The grade category of the contained EvidenceVariable the Evidence measures."""
    (variable,) = evidence.contained
    measured = [
        v
        for v in evidence.variableDefinition
        if v.variableRole.coding[0].code == "measuredVariable"
    ]
    assert [v.observed.reference for v in measured] == [f"#{variable.id}"]
    (value,) = variable.category
    return value


EVENT = {"kind": "event", "category": "neutropenia", "arm": "blina"}


@pytest.mark.parametrize(
    ("grade", "phrase", "low", "high"),
    [("≥3", "grade ≥3", 3, 5), ("3–4", "grades 3–4", 3, 4), ("1 to 2", "grades 1–2", 1, 2)],
)
def test_a_grade_range_stays_one_figure_with_its_bounds(
    grade: str, phrase: str, low: int, high: int
) -> None:
    """One Evidence for the range, never one per grade: the range in the title, the
    statistic's category and the variable's category, with its lower and upper grade."""
    study = with_safety({**EVENT, "grade": grade, "n": 9, "total": 58, "percent": 16})
    ((event, evidence),) = event_evidence(study)
    assert (low, high) == grade_bounds(event.grade)
    assert phrase in evidence.title
    (statistic,) = evidence.statistic
    assert statistic.category.text == phrase
    value = category(evidence)
    assert value.name == phrase
    assert (value.valueRange.low.value, value.valueRange.high.value) == (low, high)
    assert value.valueQuantity is None


def test_a_single_grade_and_any_grade() -> None:
    """Grade 4 is a quantity 4; "any grade" has no place on the scale and no value."""
    study = with_safety(
        {**EVENT, "grade": 4, "n": 2}, {**EVENT, "grade": "any", "n": 11, "arm": "chemo"}
    )
    (_, four), (_, any_grade) = event_evidence(study)
    assert category(four).valueQuantity.value == 4 and category(four).valueRange is None
    assert category(any_grade).name == "any grade"
    assert category(any_grade).valueQuantity is None and category(any_grade).valueRange is None
    assert "Chemotherapy" in any_grade.title


def test_count_percent_and_denominator_per_arm() -> None:
    """n, percent and denominator as reported: numberAffected, quantity in %, sample size;
    the arm is the exposure."""
    study = with_safety({**EVENT, "grade": 3, "n": 9, "total": 58, "percent": 15.5})
    ((_, evidence),) = event_evidence(study)
    (statistic,) = evidence.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, PROPORTION)]
    assert (statistic.numberAffected, statistic.sampleSize.numberOfParticipants) == (9, 58)
    assert (str(statistic.quantity.value), statistic.quantity.unit) == ("15.5", "%")
    exposure = [
        v for v in evidence.variableDefinition if v.variableRole.coding[0].code == "exposure"
    ]
    assert [v.description for v in exposure] == ["Arm blina: Blinatumomab"]


def test_figures_the_source_leaves_out_are_not_computed() -> None:
    """A count alone is a count (no percent); a percent without a count has no count; no
    denominator is supplied where none is stated."""
    study = with_safety(
        {**EVENT, "grade": 3, "n": 7, "total": 50},
        {**EVENT, "grade": 2, "percent": 12, "total": 50},
        {**EVENT, "grade": 1, "n": 3},
    )
    (_, count), (_, percent), (_, bare) = event_evidence(study)
    (statistic,) = count.statistic
    assert codes(statistic.statisticType) == [(STATISTIC_TYPE_SYSTEM, COUNT)]
    assert (statistic.quantity.value, statistic.numberAffected) == (7, 7)
    assert statistic.quantity.unit is None
    (statistic,) = percent.statistic
    assert statistic.quantity.value == 12 and statistic.numberAffected is None
    assert statistic.sampleSize.numberOfParticipants == 50
    (statistic,) = bare.statistic
    assert statistic.sampleSize is None
    assert any("no denominator" in n.text for n in statistic.note)


def test_notes_and_unconfirmed_details_of_an_event() -> None:
    unconfirmed = [{"detail": "grade", "note": "the text and the table differ"}]
    study = with_safety(
        {
            **EVENT,
            "grade": "3-4",
            "n": 5,
            "note": "Investigator-assessed.",
            "unconfirmed": unconfirmed,
        }
    )
    ((_, evidence),) = event_evidence(study)
    texts = [n.text for n in evidence.note]
    assert "Investigator-assessed." in texts
    assert any("grade" in t and "the text and the table differ" in t for t in texts)


def test_bundled_events_are_exported_with_their_figures(runner: CliRunner) -> None:
    """Every BLAST event: its count, percent and grade; its statements are study notes."""
    study = loader.load(None).find("blast")
    bundle = parsed(runner)
    found = resources(bundle, Evidence)
    events = [(i, e) for i, e in enumerate(study.safety) if isinstance(e, AdverseEvent)]
    assert events
    for index, event in events:
        (statistic,) = found[adverse_event_id(study, index)].statistic
        assert statistic.numberAffected == event.n
        if event.percent is not None:
            assert statistic.quantity.value == event.percent
        assert statistic.sampleSize is None and event.total is None
    notes = " ".join(n.text for n in resources(bundle, ResearchStudy)[study.id].note)
    for item in study.safety:
        if not isinstance(item, AdverseEvent):
            assert item.text in notes
