"""FHIR export of the ResearchStudy: the trial's status, its enrollment figures, the
allocation ratio, the follow-up and a publication without a title."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.researchstudy import ResearchStudy
from typer.testing import CliRunner

from blinacli.interop import fhir
from blinacli.interop.fhir import STUDY_STATUS_SYSTEM
from blinacli.load import loader
from tests.test_fhir import exported, parsed, resources, study_from
from tests.test_model import QUOTE, minimal_study


def research_study(data: dict[str, Any]) -> Any:
    study = study_from(data)
    return resources(exported(study), ResearchStudy)[study.id]


def with_status(**status: Any) -> dict[str, Any]:
    data = minimal_study()
    data["status"] = {**status, "cite": QUOTE}
    return data


@pytest.mark.parametrize(
    ("state", "code"), [("completed", "completed"), ("stopped-early", "administratively-completed")]
)
def test_status_is_a_progress_status(state: str, code: str) -> None:
    """A completed or stopped-early trial: its state coded from research-study-status,
    actual; a trial stopped early carries its reason as whyStopped."""
    reason = "futility at the interim analysis" if state == "stopped-early" else None
    status: dict[str, Any] = {"state": state, "as_of": "2023-05"}
    if reason is not None:
        status["reason"] = reason
    resource = research_study(with_status(**status))
    (progress,) = resource.progressStatus
    assert [(c.system, c.code) for c in progress.state.coding] == [(STUDY_STATUS_SYSTEM, code)]
    assert progress.actual is True
    assert progress.period is None  # "as of" is when the state was stated, not a period
    if reason is None:
        assert resource.whyStopped is None
    else:
        assert resource.whyStopped.text == reason
    notes = " ".join(n.text for n in resource.note)
    assert "as of 2023-05" in notes
    assert resource.status == "active"  # the record's status, not the trial's


def test_an_ongoing_trial_is_not_given_a_recruitment_code() -> None:
    """ "Ongoing" says nothing about recruitment, so it is the state's text, with no code."""
    resource = research_study(with_status(state="ongoing"))
    (progress,) = resource.progressStatus
    assert progress.state.text == "ongoing" and progress.state.coding is None


def test_a_status_not_stated_is_left_out(runner: CliRunner) -> None:
    """No status in the evidence: no progressStatus, no whyStopped, no invented state."""
    found = resources(parsed(runner), ResearchStudy)
    studies = loader.load(None).studies
    assert all(s.status is None for s in studies)
    for study in studies:
        assert found[study.id].progressStatus is None and found[study.id].whyStopped is None


def test_unconfirmed_status_details_are_notes() -> None:
    status = {"state": "completed", "unconfirmed": [{"detail": "date", "note": "two dates given"}]}
    resource = research_study(with_status(**status))
    assert any("date" in n.text and "two dates given" in n.text for n in resource.note)


def test_enrollment_figures(runner: CliRunner) -> None:
    """BLAST: 116 enrolled is recruitment.actualNumber; 116 treated and 113 evaluable are
    notes with their stage; E1910's randomized counts per arm too."""
    found = resources(parsed(runner), ResearchStudy)
    for study in loader.load(None).studies:
        resource = found[study.id]
        enrolled = [e.n for e in study.design.enrollment if e.stage == "enrolled" and not e.arm]
        assert resource.recruitment.actualNumber == enrolled[0]
        notes = [n.text for n in resource.note]
        for entry in study.design.enrollment:
            stage = entry.stage.replace("reached-", "reached ")
            where = f", {study.group_label(entry.arm)}" if entry.arm else ""
            assert any(t.startswith(f"Enrollment{where}: {entry.n} {stage}") for t in notes)


def test_randomized_count_without_an_enrolled_count() -> None:
    """With no enrolled count, the randomized one is the actual number; per-arm and other
    stages are notes, never summed."""
    data = minimal_study()
    data["design"]["enrollment"] = [
        {"stage": "randomized", "n": 90, "cite": QUOTE},
        {"stage": "randomized", "arm": "blina", "n": 60, "cite": QUOTE},
        {"stage": "treated", "n": 88, "cite": QUOTE},
        {"stage": "evaluable", "n": 80, "note": "Had a response assessment.", "cite": QUOTE},
    ]
    resource = research_study(data)
    assert resource.recruitment.actualNumber == 90
    notes = [n.text for n in resource.note]
    assert "Enrollment, Blinatumomab: 60 randomized (source: paper)" in notes
    assert "Enrollment: 88 treated (source: paper)" in notes
    assert "Enrollment: 80 evaluable — Had a response assessment. (source: paper)" in notes


def test_no_count_no_recruitment() -> None:
    data = minimal_study()
    data["design"]["enrollment"] = [{"stage": "treated", "n": 40, "cite": QUOTE}]
    assert research_study(data).recruitment is None


def test_allocation_ratio_and_follow_up_per_arm() -> None:
    """The ratio with its arms is a study-design characteristic; each arm's median
    follow-up is a note."""
    data = minimal_study()
    data["design"]["allocation_ratio"] = {"ratio": [2, 1], "cite": QUOTE}
    data["design"]["follow_up"] = [
        {"median": 24.5, "unit": "months", "arm": "blina", "cite": QUOTE},
        {"median": 23, "unit": "months", "arm": "chemo", "cite": QUOTE},
    ]
    resource = research_study(data)
    designs = [d.text for d in resource.studyDesign]
    assert "allocation ratio 2:1 (Blinatumomab : Chemotherapy)" in designs
    notes = [n.text for n in resource.note]
    assert "Median follow-up, Blinatumomab: 24.5 months (source: paper)" in notes
    assert "Median follow-up, Chemotherapy: 23 months (source: paper)" in notes


def test_a_publication_without_a_title_has_no_placeholder() -> None:
    """No title: no display and no "[title not stated]" in the citation text or anywhere."""
    data = minimal_study()
    del data["citation"]["title"]
    study = study_from(data)
    resource = resources(exported(study), ResearchStudy)[study.id]
    (publication,) = [a for a in resource.relatedArtifact if a.label == "publication"]
    assert publication.display is None
    assert publication.citation == "Doe J. Blood. 2020."
    text = fhir.bundle_json([study]).casefold()
    assert "title not stated" not in text and "[title" not in text


def test_endpoint_without_a_role_has_no_objective_code() -> None:
    data = minimal_study()
    data["design"]["endpoints"] = [
        {
            "role": "not-stated",
            "endpoint": "composite",
            "label": "CR/CRh",
            "definition": "complete remission or CR with partial recovery",
            "cite": QUOTE,
        }
    ]
    (measure,) = research_study(data).outcomeMeasure
    (kind,) = measure.type
    assert kind.coding is None and kind.text == "role not stated"
    assert "complete remission or CR with partial recovery" in measure.description
