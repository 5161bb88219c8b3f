"""Derived figures from the study's facts: arms' roles, the comparison's direction, the
endpoint's better direction; never from the order results are listed in.

Each study here is written in the test, from the minimal study of ``tests/test_model.py``.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.model import Study, reference_problems
from blinacli.model.vocabulary import ENDPOINTS
from blinacli.views import compare, derived, outcomes, show
from blinacli.views.derived import MARK, DerivedFigure, benefit_direction, outcome_figures
from tests.test_model import QUOTE, minimal_study

TIMEPOINT = {"label": "2 years", "value": 2, "unit": "years"}


# --- Small studies ------------------------------------------------------------------------


def arm(arm_id: str, label: str, role: str) -> dict[str, Any]:
    return {"id": arm_id, "label": label, "role": role, "cite": QUOTE}


def rate(group: str, percent: float) -> dict[str, Any]:
    return {"measure": "rate", "group": group, "percent": percent, "cite": QUOTE}


def proportion(
    group: str, total: int, *, n: int | None = None, percent: float | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {"measure": "proportion", "group": group, "total": total}
    if n is not None:
        result["n"] = n
    if percent is not None:
        result["percent"] = percent
    return {**result, "cite": QUOTE}


def comparison(*groups: str, **fields: Any) -> dict[str, Any]:
    return {"groups": list(groups), **fields, "cite": QUOTE}


def outcome(
    results: list[dict[str, Any]],
    *,
    endpoint: str = "overall-survival",
    timepoint: dict[str, Any] | None = TIMEPOINT,
    compared: dict[str, Any] | None = None,
    population: str = "all",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "result",
        "endpoint": endpoint,
        "label": "An outcome",
        "role": "primary",
        "population": population,
        "results": results,
    }
    if timepoint is not None:
        data["timepoint"] = timepoint
    if compared is not None:
        data["comparison"] = compared
    return data


TWO_ARMS = [
    arm("blina", "Blinatumomab", "experimental"),
    arm("chemo", "Chemotherapy", "active-comparator"),
]
THREE_ARMS = [
    arm("high", "High dose", "experimental"),
    arm("low", "Low dose", "experimental"),
    arm("control", "Control", "active-comparator"),
]
SUBGROUPS = [
    {"id": "responders", "label": "Responders", "n": 60, "cite": QUOTE},
    {"id": "nonresponders", "label": "Nonresponders", "n": 40, "cite": QUOTE},
]


def trial_data(
    *outcomes_: dict[str, Any],
    arms: list[dict[str, Any]] | None = None,
    subgroups: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    data = minimal_study()
    data["design"]["arms"] = copy.deepcopy(arms if arms is not None else TWO_ARMS)
    if subgroups is not None:
        data["population"]["subgroups"] = copy.deepcopy(subgroups)
    data["outcomes"] = [
        {**copy.deepcopy(o), "id": f"result-{index}"} for index, o in enumerate(outcomes_)
    ]
    return data


def trial(*outcomes_: dict[str, Any], **kwargs: Any) -> Study:
    study = msgspec.convert(trial_data(*outcomes_, **kwargs), Study)
    assert not reference_problems(study)
    return study


def figures(study: Study) -> list[DerivedFigure]:
    return [figure for o in study.outcomes for figure in outcome_figures(study, o)]


def of_kind(study: Study, kind: str) -> list[DerivedFigure]:
    return [figure for figure in figures(study) if figure.kind == kind]


def reversed_results(data: dict[str, Any]) -> Study:
    """The same study with every outcome's results listed in reverse order."""
    flipped = copy.deepcopy(data)
    for item in flipped["outcomes"]:
        item["results"].reverse()
    study = msgspec.convert(flipped, Study)
    assert not reference_problems(study)
    return study


def only(items: list[DerivedFigure]) -> DerivedFigure:
    assert len(items) == 1, items
    return items[0]


def no_number_needed(figure: DerivedFigure) -> None:
    """No number needed to treat or harm, in the numbers or in the words."""
    assert figure.number_needed is None
    assert "number needed" not in figure.text
    assert "NNT" not in figure.text and "NNH" not in figure.text


# --- 1. From the arms' roles, whatever the file order -----------------------------------


def test_two_arms_without_a_comparison_block_get_a_difference_and_nnt() -> None:
    study = trial(outcome([rate("blina", 85), rate("chemo", 68)]))
    figure = only(of_kind(study, "risk-difference"))
    assert figure.about == "Blinatumomab vs Chemotherapy"
    assert figure.groups == ["blina", "chemo"]
    assert figure.text == "difference +17 percentage points; number needed to treat 6"
    assert figure.basis == "85% vs 68% at 2 years"
    assert figure.value == 17
    assert figure.number_needed is not None and figure.number_needed.value == 6


def test_the_comparator_listed_first_does_not_turn_the_difference_round() -> None:
    """No comparison block, comparator first: the experimental arm is still the intervention."""
    study = trial(outcome([rate("chemo", 68), rate("blina", 85)]))
    figure = only(of_kind(study, "risk-difference"))
    assert (figure.about, figure.value) == ("Blinatumomab vs Chemotherapy", 17)


def test_a_comparison_reported_comparator_first_keeps_the_intervention() -> None:
    """The source reports "chemotherapy vs blinatumomab"; the experimental arm is the
    intervention all the same (Study.intervention_of), so 85 vs 68 is +17, a benefit."""
    study = trial(
        outcome([rate("blina", 85), rate("chemo", 68)], compared=comparison("chemo", "blina"))
    )
    figure = only(of_kind(study, "risk-difference"))
    assert (figure.about, figure.value) == ("Blinatumomab vs Chemotherapy", 17)
    assert figure.text.endswith("number needed to treat 6")


def test_a_named_intervention_wins_over_the_roles() -> None:
    study = trial(
        outcome(
            [rate("blina", 85), rate("chemo", 68)],
            compared=comparison("blina", "chemo", intervention="chemo"),
        )
    )
    figure = only(of_kind(study, "risk-difference"))
    assert (figure.about, figure.value) == ("Chemotherapy vs Blinatumomab", -17)
    assert figure.text == "difference -17 percentage points; number needed to harm 6"


@pytest.mark.parametrize(
    "data",
    [
        trial_data(outcome([rate("blina", 85), rate("chemo", 68)])),
        trial_data(
            outcome(
                [proportion("blina", 60, n=30), proportion("chemo", 58, percent=40)],
                endpoint="complete-remission",
                timepoint=None,
            )
        ),
        trial_data(
            outcome([rate("high", 81.5), rate("low", 77.0), rate("control", 70.2)]),
            outcome(
                [rate("high", 81.5), rate("low", 77.0), rate("control", 70.2)],
                compared=comparison(
                    "high",
                    "control",
                    measure="hazard-ratio",
                    estimate=0.72,
                    ci={"level": 90, "lower": 0.55, "upper": 0.94},
                ),
            ),
            arms=THREE_ARMS,
        ),
        trial_data(
            outcome(
                [proportion("responders", 60, n=40), proportion("nonresponders", 40, n=10)],
                compared=comparison("responders", "nonresponders"),
                timepoint=None,
            ),
            subgroups=SUBGROUPS,
        ),
    ],
    ids=["rates", "proportions", "three-arms", "subgroups"],
)
def test_results_in_reverse_order_give_identical_derived_figures(data: dict[str, Any]) -> None:
    study = msgspec.convert(data, Study)
    forward = figures(study)
    assert any(f.kind != "wilson-interval" for f in forward)  # a difference to keep steady
    assert figures(reversed_results(data)) == forward
    shown = show.study_view(study).derived_json()
    assert show.study_view(reversed_results(data)).derived_json() == shown


def test_three_arms_each_experimental_arm_against_the_comparator() -> None:
    study = trial(
        outcome(
            [rate("control", 70.2), rate("low", 77.0), rate("high", 81.5)],
            compared=comparison(
                "high",
                "control",
                measure="hazard-ratio",
                estimate=0.72,
                ci={"level": 90, "lower": 0.55, "upper": 0.94},
            ),
        ),
        arms=THREE_ARMS,
    )
    assert [(f.about, f.kind, f.text, f.basis) for f in figures(study)] == [
        (
            "High dose vs Control",
            "risk-difference",
            "difference +11.3 percentage points; number needed to treat 9",
            "81.5% vs 70.2% at 2 years",
        ),
        (
            "High dose vs Control",
            "p-from-ci",
            "P ≈ 0.044 implied by the CI",
            "HR 0.72 (90% CI 0.55–0.94)",
        ),
        (
            "Low dose vs Control",
            "risk-difference",
            "difference +6.8 percentage points; number needed to treat 15",
            "77.0% vs 70.2% at 2 years",
        ),
    ]
    # 81.5 - 70.2 is 11.3 as written, not the float 11.299999999999997.
    assert of_kind(study, "risk-difference")[0].value == 11.3


def test_two_experimental_arms_against_two_comparators_make_four_pairs() -> None:
    arms = [
        arm("a", "Drug A", "experimental"),
        arm("placebo", "Placebo", "placebo-comparator"),
        arm("b", "Drug B", "experimental"),
        arm("none", "Observation", "no-intervention"),
    ]
    study = trial(
        outcome([rate("none", 50), rate("b", 65), rate("placebo", 52), rate("a", 60)]),
        arms=arms,
    )
    assert [(f.about, f.value) for f in of_kind(study, "risk-difference")] == [
        ("Drug A vs Placebo", 8),
        ("Drug A vs Observation", 10),
        ("Drug B vs Placebo", 13),
        ("Drug B vs Observation", 15),
    ]


def test_arms_without_an_experimental_and_a_comparator_role_pair_only_by_comparison() -> None:
    """Two experimental arms (two doses) are set side by side only when the source compares
    them; an arm whose role is "other" is never a comparator by itself."""
    doses = [arm("high", "High dose", "experimental"), arm("low", "Low dose", "experimental")]
    assert (
        of_kind(trial(outcome([rate("high", 80), rate("low", 70)]), arms=doses), "risk-difference")
        == []
    )
    other = [arm("blina", "Blinatumomab", "experimental"), arm("obs", "Registry", "other")]
    assert (
        of_kind(trial(outcome([rate("blina", 80), rate("obs", 70)]), arms=other), "risk-difference")
        == []
    )
    compared = trial(
        outcome([rate("low", 70), rate("high", 80)], compared=comparison("high", "low")),
        arms=doses,
    )
    figure = only(of_kind(compared, "risk-difference"))
    assert (figure.about, figure.value) == ("High dose vs Low dose", 10)


def test_a_rate_difference_needs_the_outcomes_timepoint() -> None:
    """Rates without a timepoint: the figure says why there is no difference."""
    study = trial(outcome([rate("blina", 85), rate("chemo", 68)], timepoint=None))
    figure = only(of_kind(study, "risk-difference"))
    assert figure.value is None and figure.number_needed is None
    assert figure.text == "no difference computed: the outcome states no timepoint for its rates"


def test_a_rate_and_a_proportion_are_not_set_against_each_other() -> None:
    study = trial(outcome([rate("blina", 85), proportion("chemo", 60, n=40)]))
    figure = only(of_kind(study, "risk-difference"))
    assert figure.value is None
    assert figure.text == (
        "no difference computed: Blinatumomab reports a rate and Chemotherapy a proportion"
    )


# --- 2. Endpoints with no better direction ----------------------------------------------


def test_the_benefit_direction_is_one_table_over_the_whole_vocabulary() -> None:
    assert set(derived.BENEFIT_DIRECTION) == set(ENDPOINTS)
    lower = {e for e, d in derived.BENEFIT_DIRECTION.items() if d == "lower-is-better"}
    assert lower == {"cumulative-incidence-of-relapse", "non-relapse-mortality"}
    for term in ("transplant-rate", "other", "composite", "duration-of-response"):
        assert benefit_direction(term) == "neither"
    assert benefit_direction("a-term-not-in-the-table") == "neither"
    assert benefit_direction("overall-survival") == "higher-is-better"


@pytest.mark.parametrize("endpoint", ["transplant-rate", "other", "composite"])
def test_an_endpoint_without_a_better_direction_gets_the_difference_only(endpoint: str) -> None:
    study = trial(
        outcome(
            [proportion("blina", 100, n=45), proportion("chemo", 100, n=30)],
            endpoint=endpoint,
            compared=comparison("blina", "chemo"),
        )
    )
    figure = only(of_kind(study, "risk-difference"))
    assert figure.value == 15
    assert figure.text == (
        "difference +15 percentage points; the endpoint has no better direction: "
        "not read as a benefit or a harm"
    )
    no_number_needed(figure)


def test_a_lower_rate_of_relapse_is_a_benefit() -> None:
    study = trial(
        outcome([rate("blina", 20), rate("chemo", 30)], endpoint="cumulative-incidence-of-relapse")
    )
    figure = only(of_kind(study, "risk-difference"))
    assert figure.text == "difference -10 percentage points; number needed to treat 10"
    assert figure.number_needed is not None and figure.number_needed.kind == "to-treat"


def test_non_relapse_mortality_higher_in_the_intervention_is_a_harm() -> None:
    study = trial(outcome([rate("blina", 12), rate("chemo", 8)], endpoint="non-relapse-mortality"))
    figure = only(of_kind(study, "risk-difference"))
    assert figure.text == "difference +4 percentage points; number needed to harm 25"
    assert figure.number_needed is not None and figure.number_needed.kind == "to-harm"


def test_the_statistics_take_no_side_for_an_endpoint_without_a_direction() -> None:
    from blinacli.views import stats

    assert stats.risk_difference(45, 30, higher_is_better=None) == stats.RiskDifference(
        15, None, None
    )
    # The percents are differenced as written: 10.1 - 9.3 is 0.8, not 0.7999999999999989.
    assert stats.risk_difference(10.1, 9.3, higher_is_better=True).difference_points == 0.8
    assert stats.unrounded_number_needed(17) == pytest.approx(5.882352941)
    assert stats.unrounded_number_needed(0) is None
    assert stats.unrounded_number_needed(0.00009) is None


# --- Subgroups -----------------------------------------------------------------------


def test_subgroups_compared_get_a_plain_difference_and_no_nnt() -> None:
    study = trial(
        outcome(
            [proportion("responders", 60, n=40), proportion("nonresponders", 40, n=10)],
            compared=comparison("responders", "nonresponders"),
            timepoint=None,
        ),
        subgroups=SUBGROUPS,
    )
    assert of_kind(study, "risk-difference") == []
    figure = only(of_kind(study, "group-difference"))
    assert figure.about == "Responders vs Nonresponders"
    assert figure.groups == ["responders", "nonresponders"]
    assert figure.value == pytest.approx(100 * 40 / 60 - 25)
    assert figure.text == (
        "difference +41.7 percentage points between subgroups; not an effect of treatment"
    )
    no_number_needed(figure)
    # Each subgroup keeps its own Wilson interval.
    assert [f.about for f in of_kind(study, "wilson-interval")] == ["Responders", "Nonresponders"]


def test_subgroups_are_differenced_only_when_the_source_compares_them() -> None:
    study = trial(
        outcome(
            [proportion("responders", 60, n=40), proportion("nonresponders", 40, n=10)],
            timepoint=None,
        ),
        subgroups=SUBGROUPS,
    )
    assert [f.kind for f in figures(study)] == ["wilson-interval", "wilson-interval"]


def test_arms_within_a_subgroup_are_still_arms() -> None:
    study = trial(
        outcome([rate("blina", 85), rate("chemo", 68)], population="responders"),
        subgroups=SUBGROUPS,
    )
    assert only(of_kind(study, "risk-difference")).text.endswith("number needed to treat 6")


def test_an_arm_against_a_subgroup_is_not_an_effect_of_treatment() -> None:
    study = trial(
        outcome(
            [rate("blina", 85), rate("responders", 70)],
            compared=comparison("blina", "responders"),
        ),
        subgroups=SUBGROUPS,
    )
    figure = only(of_kind(study, "group-difference"))
    assert figure.text == (
        "difference +15 percentage points, not between two arms; not an effect of treatment"
    )
    no_number_needed(figure)


def test_a_group_with_two_figures_gets_no_difference_and_says_why() -> None:
    study = trial(outcome([rate("blina", 85), rate("blina", 80), rate("chemo", 68)]))
    figure = only(of_kind(study, "risk-difference"))
    assert figure.value is None
    assert figure.text == (
        "no difference computed: Blinatumomab has 2 rates or proportions in this outcome"
    )
    assert figure.basis == "80%; 85% vs 68%"
    flipped = reversed_results(
        trial_data(outcome([rate("blina", 85), rate("blina", 80), rate("chemo", 68)]))
    )
    assert figures(flipped) == figures(study)


# --- Percent-only proportions ------------------------------------------------------------


def test_a_percent_without_a_count_gets_no_wilson_interval_but_enters_a_difference() -> None:
    study = trial(
        outcome(
            [proportion("blina", 60, percent=52), proportion("chemo", 58, n=20)],
            endpoint="complete-remission",
            timepoint=None,
        )
    )
    assert [f.about for f in of_kind(study, "wilson-interval")] == ["Chemotherapy"]
    figure = only(of_kind(study, "risk-difference"))
    assert figure.basis == (
        "52% of 60 (reported percent) vs 20/58 = 34.5% (percent from the count)"
    )
    assert figure.value == pytest.approx(52 - 100 * 20 / 58)
    assert figure.text == "difference +17.5 percentage points; number needed to treat 6"
    assert [(i.name, i.group, i.value) for i in figure.inputs] == [
        ("percent", "blina", 52),
        ("n", "chemo", 20),
        ("total", "chemo", 58),
    ]


def test_a_reported_percent_is_used_over_the_count() -> None:
    study = trial(
        outcome(
            [
                proportion("blina", 113, n=88, percent=78),
                proportion("chemo", 100, n=60, percent=60),
            ],
            endpoint="complete-mrd-response",
            timepoint=None,
        )
    )
    figure = only(of_kind(study, "risk-difference"))
    assert figure.value == 18
    assert figure.basis == "78% of 113 (reported percent) vs 60% of 100 (reported percent)"


# --- 3. Numbers in JSON -------------------------------------------------------------------


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def numbers_only(figure: dict[str, Any]) -> None:
    """Every numeric field is a JSON number or null, never a string."""
    for key in ("value", "lower", "upper", "level"):
        assert figure[key] is None or isinstance(figure[key], int | float), (key, figure)
    for item in figure["inputs"]:
        assert isinstance(item["value"], int | float) and not isinstance(item["value"], bool)
        assert isinstance(item["name"], str)
    needed = figure["number_needed"]
    if needed is not None:
        assert needed["value"] is None or isinstance(needed["value"], int)
        assert needed["unrounded"] is None or isinstance(needed["unrounded"], float)


def test_show_json_carries_the_wilson_interval_as_numbers(runner: CliRunner) -> None:
    data = json.loads(run(runner, "show", "blast", "--format", "json"))
    wilson = next(d for d in data["derived"] if d["kind"] == "wilson-interval")
    numbers_only(wilson)
    assert wilson["value"] == pytest.approx(88 / 113)
    assert round(wilson["value"], 4) == 0.7788
    assert (round(wilson["lower"], 4), round(wilson["upper"], 4)) == (0.6938, 0.8454)
    assert wilson["level"] == 95
    assert wilson["unit"] == "proportion"
    assert wilson["inputs"] == [
        {"name": "n", "value": 88, "group": "blinatumomab"},
        {"name": "total", "value": 113, "group": "blinatumomab"},
    ]
    assert wilson["text"] == "77.9% (Wilson 95% CI 69.4–84.5%)"


def test_show_json_carries_the_difference_nnt_and_implied_p_as_numbers(
    runner: CliRunner,
) -> None:
    data = json.loads(run(runner, "show", "e1910", "--format", "json"))
    os_figures = [d for d in data["derived"] if d["outcome"] == "os-3-years"]
    difference, implied = os_figures
    for figure in os_figures:
        numbers_only(figure)
    assert difference["kind"] == "risk-difference"
    assert difference["value"] == 17
    assert difference["unit"] == "percentage-points"
    assert difference["lower"] is None and difference["upper"] is None
    assert difference["number_needed"]["kind"] == "to-treat"
    assert difference["number_needed"]["value"] == 6
    assert difference["number_needed"]["unrounded"] == pytest.approx(100 / 17)
    assert difference["inputs"] == [
        {"name": "percent", "value": 85, "group": "blinatumomab"},
        {"name": "percent", "value": 68, "group": "chemotherapy"},
    ]
    assert implied["kind"] == "p-from-ci"
    assert float(f"{implied['value']:.3g}") == 0.00248
    assert implied["unit"] is None
    assert implied["inputs"] == [
        {"name": "estimate", "value": 0.41, "group": None},
        {"name": "ci-lower", "value": 0.23, "group": None},
        {"name": "ci-upper", "value": 0.73, "group": None},
        {"name": "ci-level", "value": 95, "group": None},
    ]


def test_a_figure_that_cannot_be_computed_is_null_and_says_why() -> None:
    study = trial(
        outcome(
            [rate("blina", 85), rate("chemo", 68)],
            compared=comparison(
                "blina",
                "chemo",
                measure="hazard-ratio",
                estimate=1.0e-300,
                ci={"level": 95, "lower": 1.0e-300, "upper": 1.0000000000000002e-300},
            ),
        )
    )
    implied = only(of_kind(study, "p-from-ci"))
    assert implied.value is None
    assert implied.text.startswith("no P implied by the CI: ")
    tiny = trial(outcome([rate("blina", 5e-324), rate("chemo", 0)]))
    figure = only(of_kind(tiny, "risk-difference"))
    assert figure.value == 5e-324
    assert figure.number_needed is not None
    assert (figure.number_needed.value, figure.number_needed.unrounded) == (None, None)
    assert "not computed" in figure.text


def evidence(tmp_path: Path, study: dict[str, Any]) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    (folder / f"{study['id']}.yaml").write_text(
        yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


THREE_ARM_STUDY = trial_data(
    outcome(
        [rate("high", 81.5), rate("low", 77.0), rate("control", 70.2)],
        compared=comparison(
            "high",
            "control",
            measure="hazard-ratio",
            estimate=0.72,
            ci={"level": 90, "lower": 0.55, "upper": 0.94},
        ),
    ),
    arms=THREE_ARMS,
)


def test_outcomes_and_compare_json_carry_the_numbers(runner: CliRunner, tmp_path: Path) -> None:
    folder = evidence(tmp_path, THREE_ARM_STUDY)
    data = json.loads(run(runner, "outcomes", "os", "-e", str(folder), "--format", "json"))
    [row] = data["rows"]
    assert [(d["about"], d["kind"], d["value"]) for d in row["derived"]] == [
        ("High dose vs Control", "risk-difference", 11.3),
        ("High dose vs Control", "p-from-ci", pytest.approx(0.04376, abs=1e-5)),
        ("Low dose vs Control", "risk-difference", 6.8),
    ]
    for figure in row["derived"]:
        numbers_only(figure)

    other = trial_data(outcome([rate("blina", 85), rate("chemo", 68)]))
    evidence(tmp_path, {**other, "id": "other", "acronym": "OTHER"})
    data = json.loads(
        run(runner, "compare", "trial", "other", "-e", str(folder), "--format", "json")
    )
    cells = [
        cell
        for section in data["sections"]
        for row in section["rows"]
        for cell in row["cells"]
        if cell["derived"]
    ]
    found = {(d["about"], d["kind"], d["value"]) for cell in cells for d in cell["derived"]}
    assert ("High dose vs Control", "risk-difference", 11.3) in found
    assert ("Blinatumomab vs Chemotherapy", "risk-difference", 17) in found
    for cell in cells:
        for figure in cell["derived"]:
            numbers_only(figure)
            assert isinstance(figure["text"], str) and isinstance(figure["basis"], str)


def test_every_json_twin_carries_the_same_figures() -> None:
    """show, outcomes and compare carry one derived figure the same way."""
    study = trial(outcome([rate("blina", 85), rate("chemo", 68)]))
    expected = [msgspec.to_builtins(f) for f in figures(study)]
    assert [f["kind"] for f in expected] == ["risk-difference"]
    shown = show.study_view(study).derived_json()
    assert [{k: v for k, v in d.items() if k != "outcome"} for d in shown] == expected
    row = outcomes.outcomes_view([study], "overall-survival").to_json()["rows"][0]
    assert row["derived"] == expected
    side = compare.compare_view([study, study]).to_json()
    cell_figures = [
        d for section in side["sections"] for r in section["rows"] for d in r["cells"][0]["derived"]
    ]
    assert cell_figures == expected


# --- 4. Marked and apart on every screen ------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_three_arm_figures_are_marked_and_named_on_every_screen(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # a figure must not wrap for a substring check
    folder = evidence(tmp_path, THREE_ARM_STUDY)
    for command in (["show", "trial"], ["outcomes", "os"]):
        text = run(runner, *command, "-e", str(folder), "--format", fmt)
        for pair, figure in (
            (
                "High dose vs Control",
                "difference +11.3 percentage points; number needed to treat 9",
            ),
            ("Low dose vs Control", "difference +6.8 percentage points; number needed to treat 15"),
        ):
            assert figure in text, (command, fmt)
            assert pair in text
            # Every appearance of the figure carries the mark just before it.
            at = text.index(figure)
            assert MARK in text[max(0, at - 60) : at], (command, fmt)
        assert "81.5%" in text and "70.2%" in text  # the reported rates stay, unmarked
        assert f"{MARK} 81.5%" not in text and f"{MARK} 70.2%" not in text


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_bundled_screens_keep_derived_figures_marked_and_apart(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    shown = run(runner, "show", "e1910", "--full", "--format", fmt)
    os_rows = run(runner, "outcomes", "os", "--format", fmt)
    for text in (shown, os_rows):
        figure = "difference +17 percentage points; number needed to treat 6"
        at = text.index(figure)
        assert MARK in text[max(0, at - 80) : at]
        assert "Blinatumomab + chemotherapy vs Chemotherapy alone" in text
        # The reported HR and P stay as reported, never marked.
        assert "P = 0.002" in text
        assert f"{MARK} HR 0.41" not in text and f"{MARK} P = 0.002" not in text


def test_no_number_needed_anywhere_for_a_transplant_rate(runner: CliRunner, tmp_path: Path) -> None:
    data = trial_data(
        outcome(
            [proportion("blina", 100, n=45), proportion("chemo", 100, n=30)],
            endpoint="transplant-rate",
            timepoint=None,
        )
    )
    folder = evidence(tmp_path, data)
    for fmt in ("table", "markdown", "html", "json", "csv"):
        text = run(runner, "show", "trial", "-e", str(folder), "--format", fmt)
        assert "difference +15 percentage points" in text
        assert "number needed" not in text
    assert math.isclose(
        json.loads(run(runner, "show", "trial", "-e", str(folder), "--format", "json"))["derived"][
            -1
        ]["value"],
        15,
    )
