"""Anticipated absolute effects per 1000 and "№ of participants (studies)" in
Summary-of-Findings rows: the formulas against hand computation, the E1910 worked
example, every reason a row has none, the JSON and CSV numbers, and each format's display.

Studies are written in the test from the minimal study of ``tests/test_model.py``.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
from html.parser import HTMLParser
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.model import Study
from blinacli.render.documents import render, render_markdown
from blinacli.render.terminal import render_outcomes
from blinacli.views import absolute_stats as ast
from blinacli.views.absolute import ABSOLUTE_LEGEND, AbsoluteEffect, absolute_effect
from blinacli.views.derived import MARK
from blinacli.views.outcomes import OutcomeRow, outcome_row, outcomes_view
from blinacli.views.stats import NotComputable, wilson
from tests.markdown_reading import md_tables, md_text
from tests.test_derived_v2 import (
    SUBGROUPS,
    THREE_ARMS,
    arm,
    comparison,
    outcome,
    proportion,
    rate,
    trial,
    trial_data,
)
from tests.test_model import QUOTE

E1910_TEXT = (
    "Deaths per 1000: 320 with Chemotherapy alone, 146 with Blinatumomab + chemotherapy; "
    "174 fewer per 1000 (95% CI 235 fewer to 75 fewer)"
)
HR = {
    "measure": "hazard-ratio",
    "estimate": 0.41,
    "ci": {"level": 95, "lower": 0.23, "upper": 0.73},
}


def effect_of(study: Study, index: int = 0) -> AbsoluteEffect:
    return absolute_effect(study, study.outcomes[index])


def row_of(study: Study, index: int = 0) -> OutcomeRow:
    return outcome_row(study, study.outcomes[index])


def e1910_os(bundled: list[Study]) -> OutcomeRow:
    e1910 = next(s for s in bundled if s.id == "e1910")
    return outcome_row(e1910, next(o for o in e1910.outcomes if o.id == "os-3-years"))


def terminal(renderable: RenderableType) -> str:
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return " ".join(console.export_text().split())


def numbers(effect: AbsoluteEffect) -> tuple[Any, ...]:
    return (
        effect.comparator_risk,
        effect.intervention_risk,
        effect.difference,
        effect.difference_direction,
        effect.difference_lower,
        effect.difference_lower_direction,
        effect.difference_upper,
        effect.difference_upper_direction,
    )


# --- The formulas, against hand computation ------------------------------------------------


def test_hazard_ratio_gives_one_minus_the_event_free_rate_to_the_power_hr() -> None:
    """GRADE 27: S_i = S_c^HR. 0.68^0.41 = exp(0.41 × ln 0.68) = exp(−0.158122) = 0.853746."""
    assert ast.risk_from_hazard_ratio(0.68, 0.41) == pytest.approx(0.146254, abs=1e-6)
    assert ast.risk_from_hazard_ratio(0.68, 1) == pytest.approx(0.32)
    assert ast.risk_from_hazard_ratio(0.7, 0.5) == pytest.approx(1 - math.sqrt(0.7))
    # No one event-free, or everyone: the HR changes nothing.
    assert ast.risk_from_hazard_ratio(0.0, 0.41) == 1.0
    assert ast.risk_from_hazard_ratio(1.0, 0.41) == 0.0


def test_risk_and_odds_ratios_as_grade_12_applies_them() -> None:
    assert ast.risk_from_risk_ratio(0.4, 0.5) == pytest.approx(0.2)
    # OR × Rc / (1 − Rc + OR × Rc): 4.5 × 0.25 / (0.75 + 1.125) = 1.125 / 1.875 = 0.6.
    assert ast.risk_from_odds_ratio(0.25, 4.5) == pytest.approx(0.6)
    assert ast.risk_from_odds_ratio(0.3, 1.0) == pytest.approx(0.3)
    with pytest.raises(NotComputable, match="over 1000 per 1000"):
        ast.risk_from_risk_ratio(0.6, 2.0)


def test_the_difference_interval_matches_newcombes_published_examples() -> None:
    """Newcombe, Stat Med 1998;17:873, table II, method 10: 56/70 − 48/80 is 0.0524 to
    0.3339; 9/10 − 3/10 is 0.1705 to 0.8090."""
    for (a, m), (b, n), expected in (
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
    ):
        one, other = wilson(a, m), wilson(b, n)
        low, high = ast.difference_interval(
            (one.estimate, one.lower, one.upper), (other.estimate, other.lower, other.upper)
        )
        assert (round(low, 4), round(high, 4)) == expected


def test_rounding_is_half_away_from_zero_as_gradepro_shows_it() -> None:
    assert [ast.rounded(v) for v in (174.5, 2.5, 0.5, 173.75, -0.5, 146.254)] == [
        175,
        3,
        1,
        174,
        -1,
        146,
    ]
    # A reported percent gives its events per 1000 exactly, with no binary noise.
    assert ast.event_free_per_thousand(68) == 320.0
    assert ast.event_free_per_thousand(70.2) == 298.0
    assert ast.percent_per_thousand(12.5) == 125.0


# --- The worked example: E1910 overall survival -----------------------------------------


def test_e1910_overall_survival_worked_example(bundled: list[Study]) -> None:
    """68% alive at 3 years with chemotherapy, HR 0.41 (0.23–0.73): 1 − 0.68 = 320 deaths
    per 1000; 1 − 0.68^0.41 = 146; 174 fewer; the limits 1 − 0.68^0.23 = 85 and
    1 − 0.68^0.73 = 245 give 235 fewer to 75 fewer."""
    row = e1910_os(bundled)
    effect = row.absolute
    assert effect.text == E1910_TEXT
    assert effect.reason is None
    assert (effect.method, effect.event, effect.level) == ("hazard-ratio", "deaths", 95)
    assert (effect.intervention, effect.comparator) == ("blinatumomab", "chemotherapy")
    assert numbers(effect) == (320, 146, 174, "fewer", 235, "fewer", 75, "fewer")
    assert (effect.intervention_risk_lower, effect.intervention_risk_upper) == (85, 245)
    unrounded = effect.unrounded
    assert unrounded is not None
    assert unrounded["comparator_risk"] == 320
    assert unrounded["intervention_risk"] == pytest.approx(1000 * (1 - 0.68**0.41))
    assert unrounded["difference"] == pytest.approx(1000 * (1 - 0.68**0.41) - 320)
    assert unrounded["difference_lower"] == pytest.approx(1000 * (1 - 0.68**0.23) - 320)
    assert unrounded["difference_upper"] == pytest.approx(1000 * (1 - 0.68**0.73) - 320)
    figure = effect.figure
    assert figure is not None
    assert (figure.kind, figure.unit, figure.text) == ("absolute-effect", "per-1000", E1910_TEXT)
    assert figure.about == "Blinatumomab + chemotherapy vs Chemotherapy alone"
    assert figure.basis == (
        "HR 0.41 (95% CI 0.23–0.73) applied to 68% with Chemotherapy alone at 3 years"
    )
    assert figure.value == pytest.approx(-173.746, abs=1e-3)
    assert {(i.name, i.value, i.group) for i in figure.inputs} == {
        ("estimate", 0.41, None),
        ("ci-lower", 0.23, None),
        ("ci-upper", 0.73, None),
        ("ci-level", 95, None),
        ("percent", 68, "chemotherapy"),
    }
    assert row.participants_studies == "224 (1 RCT)"
    assert row.participants_n == 224


def test_the_hazard_ratio_is_preferred_to_the_arms_own_rates() -> None:
    """With an HR and two rates, GRADE 27 applies the HR to the comparator's rate: 146 per
    1000, not the 150 that 85% alive would give."""
    study = trial(
        outcome([rate("chemo", 68), rate("blina", 85)], compared=comparison("blina", "chemo", **HR))
    )
    assert effect_of(study).intervention_risk == 146


def test_whatever_order_the_file_lists_results_in() -> None:
    data = trial_data(outcome([rate("blina", 85), rate("chemo", 68)]))
    flipped = copy.deepcopy(data)
    flipped["outcomes"][0]["results"].reverse()
    one, other = (effect_of(msgspec.convert(d, Study)) for d in (data, flipped))
    assert one == other
    assert one.intervention == "blina"


# --- Binary outcomes and two arms' own figures --------------------------------------------


def test_two_arms_counts_give_the_difference_with_newcombes_interval() -> None:
    """56/70 vs 48/80 responses: 600 with the comparator, 800 with the intervention, 200
    more (95% CI 52 more to 334 more), Newcombe's published interval."""
    study = trial(
        outcome(
            [proportion("blina", 70, n=56), proportion("chemo", 80, n=48)],
            endpoint="complete-remission",
            timepoint=None,
        )
    )
    effect = effect_of(study)
    assert effect.method == "two-arm-risks"
    assert numbers(effect) == (600, 800, 200, "more", 52, "more", 334, "more")
    assert effect.text == (
        "Complete remissions per 1000: 600 with Chemotherapy, 800 with Blinatumomab; 200 more "
        "per 1000 (95% CI 52 more to 334 more)"
    )
    assert effect.figure is not None and effect.figure.basis == "56/70 vs 48/80"


def test_survival_rates_count_the_event_as_100_minus_the_rate() -> None:
    """85% vs 68% alive without a ratio: 150 vs 320 deaths per 1000, 170 fewer; the rates
    have no CIs, so the difference has none, and says why."""
    effect = effect_of(trial(outcome([rate("blina", 85), rate("chemo", 68)])))
    assert numbers(effect)[:4] == (320, 150, 170, "fewer")
    assert effect.difference_lower is None and effect.level is None
    assert effect.text.endswith("170 fewer per 1000 (no CI: the rates are reported without CIs)")


def test_rates_with_their_cis_give_an_interval_for_the_difference() -> None:
    with_ci = [
        {**rate("blina", 80), "ci": {"level": 95, "lower": 70, "upper": 88}},
        {**rate("chemo", 60), "ci": {"level": 95, "lower": 50, "upper": 70}},
    ]
    effect = effect_of(trial(outcome(with_ci)))
    # Deaths: 200 (120–300) vs 400 (300–500). Lower: −200 − √(80² + 100²) = −328.06;
    # upper: −200 + √(100² + 100²) = −58.58.
    assert numbers(effect) == (400, 200, 200, "fewer", 328, "fewer", 59, "fewer")


def test_a_cumulative_incidence_counts_the_event_itself() -> None:
    effect = effect_of(
        trial(
            outcome(
                [rate("blina", 20), rate("chemo", 30)], endpoint="cumulative-incidence-of-relapse"
            )
        )
    )
    assert numbers(effect)[:4] == (300, 200, 100, "fewer")
    assert effect.event == "relapses"


def test_a_hazard_ratio_of_a_cumulative_incidence() -> None:
    """30% relapsed with the comparator, HR 0.5: 1 − 0.7^0.5 = 0.1633 -> 163 per 1000."""
    hr = {
        "measure": "hazard-ratio",
        "estimate": 0.5,
        "ci": {"level": 95, "lower": 0.3, "upper": 0.8},
    }
    effect = effect_of(
        trial(
            outcome(
                [rate("blina", 18), rate("chemo", 30)],
                endpoint="cumulative-incidence-of-relapse",
                compared=comparison("blina", "chemo", **hr),
            )
        )
    )
    assert (effect.comparator_risk, effect.intervention_risk, effect.difference) == (300, 163, 137)
    assert effect.intervention_risk_lower == round(1000 * (1 - 0.7**0.3))


def test_a_risk_ratio_applied_to_the_comparators_risk() -> None:
    """40/100 with the comparator, RR 0.5 (0.3–0.8): 200 (120–320), 200 fewer (280 fewer to
    80 fewer)."""
    rr = {"measure": "risk-ratio", "estimate": 0.5, "ci": {"level": 95, "lower": 0.3, "upper": 0.8}}
    effect = effect_of(
        trial(
            outcome(
                [proportion("blina", 100, n=20), proportion("chemo", 100, n=40)],
                endpoint="non-relapse-mortality",
                timepoint=None,
                compared=comparison("blina", "chemo", **rr),
            )
        )
    )
    assert effect.method == "risk-ratio"
    assert numbers(effect) == (400, 200, 200, "fewer", 280, "fewer", 80, "fewer")


def test_an_odds_ratio_applied_to_the_comparators_risk(synthetic: list[Study]) -> None:
    """SYN-OR: 10/40 with placebo, OR 4.5 (1.7–11.9): 4.5 × 0.25 / (0.75 + 1.125) = 600;
    1.7 × 0.25 / (0.75 + 0.425) = 362; 11.9 × 0.25 / (0.75 + 2.975) = 799."""
    study = next(s for s in synthetic if s.id == "syn-odds")
    effect = effect_of(study)
    assert effect.method == "odds-ratio"
    assert numbers(effect) == (250, 600, 350, "more", 112, "more", 549, "more")
    assert (effect.intervention_risk_lower, effect.intervention_risk_upper) == (362, 799)


def test_a_ci_at_another_level_is_named_with_it(synthetic: list[Study]) -> None:
    study = next(s for s in synthetic if s.id == "syn-three-arm")
    effect = absolute_effect(study, next(o for o in study.outcomes if o.id == "os-2-years"))
    assert effect.level == 90
    assert "(90% CI 121 fewer to 15 fewer)" in effect.text


def test_a_tiny_risk_is_not_shown_as_none() -> None:
    effect = effect_of(
        trial(
            outcome(
                [proportion("blina", 10000, n=2), proportion("chemo", 10000, n=3)],
                endpoint="non-relapse-mortality",
                timepoint=None,
            )
        )
    )
    assert (effect.comparator_risk, effect.intervention_risk) == (0, 0)
    assert effect.text.startswith("Non-relapse deaths per 1000: <1 with Chemotherapy, <1 with")
    assert "<1 fewer per 1000" in effect.text


def test_a_limit_that_is_not_estimable_leaves_no_ci_and_says_why() -> None:
    hr = {
        "measure": "hazard-ratio",
        "estimate": 0.41,
        "ci": {"level": 95, "lower": 0.23, "upper": "not estimable"},
    }
    effect = effect_of(
        trial(
            outcome(
                [rate("blina", 85), rate("chemo", 68)], compared=comparison("blina", "chemo", **hr)
            )
        )
    )
    assert effect.difference == 174 and effect.difference_lower is None
    assert effect.text.endswith("(no CI: a limit of the HR's CI is not estimable)")


def test_an_rr_too_large_for_a_limit_leaves_no_ci() -> None:
    rr = {"measure": "risk-ratio", "estimate": 1.2, "ci": {"level": 95, "lower": 0.9, "upper": 2.5}}
    effect = effect_of(
        trial(
            outcome(
                [proportion("blina", 100, n=60), proportion("chemo", 100, n=50)],
                endpoint="complete-remission",
                timepoint=None,
                compared=comparison("blina", "chemo", **rr),
            )
        )
    )
    assert (effect.intervention_risk, effect.difference_lower) == (600, None)
    assert "no CI: at its upper limit the risk ratio 2.5 times the comparator's risk" in effect.text


# --- No absolute effect, and why ---------------------------------------------------------


def reason(study: Study, index: int = 0) -> str:
    effect = effect_of(study, index)
    assert effect.figure is None and effect.difference is None and effect.comparator_risk is None
    assert effect.reason is not None
    assert effect.text == f"no absolute effect: {effect.reason}"
    assert "\n" not in effect.text
    return effect.reason


def test_single_arm_and_landmark_rows_have_none(bundled: list[Study]) -> None:
    blast = next(s for s in bundled if s.id == "blast")
    reasons = {o.id: absolute_effect(blast, o).reason for o in blast.outcomes}
    assert reasons["mrd-response"] == "single-arm study, no comparator"
    assert reasons["os-landmark"] == (
        "a landmark analysis compares groups formed during treatment, not randomized arms"
    )


def test_a_comparison_of_subgroups_has_none() -> None:
    study = trial(
        outcome(
            [rate("responders", 80), rate("nonresponders", 40)],
            compared=comparison("responders", "nonresponders", **HR),
        ),
        subgroups=SUBGROUPS,
    )
    assert reason(study) == "a comparison of subgroups, not of two arms"


def test_a_ratio_reported_comparator_first_is_not_inverted() -> None:
    """HR 2.44 of chemotherapy relative to blinatumomab: 1/HR would be a figure the source
    did not report, so there is no absolute effect, even when the file names the
    intervention."""
    reversed_hr = {**HR, "estimate": 2.44, "ci": {"level": 95, "lower": 1.37, "upper": 4.35}}
    for named in ({}, {"intervention": "blina"}):
        study = trial(
            outcome(
                [rate("blina", 85), rate("chemo", 68)],
                compared=comparison("chemo", "blina", **reversed_hr, **named),
            )
        )
        assert reason(study) == (
            "the HR is reported as Chemotherapy vs Blinatumomab (comparator vs intervention), "
            "and a reported ratio is never inverted"
        )


def test_a_ratio_whose_direction_is_unconfirmed_has_none() -> None:
    doubt = [{"detail": "direction", "note": "the memo does not say which way"}]
    study = trial(
        outcome(
            [rate("blina", 85), rate("chemo", 68)],
            compared=comparison("blina", "chemo", **HR, unconfirmed=doubt),
        )
    )
    assert reason(study) == "the direction of the HR is unconfirmed"


def test_a_hazard_ratio_without_a_timepoint_has_none() -> None:
    study = trial(
        outcome(
            [rate("blina", 85), rate("chemo", 68)],
            timepoint=None,
            compared=comparison("blina", "chemo", **HR),
        )
    )
    assert reason(study).startswith("the outcome states no timepoint for its rates")


def test_a_hazard_ratio_without_the_comparators_rate_has_none() -> None:
    medians = [
        {"measure": "time", "group": g, "value": v, "unit": "months", "cite": QUOTE}
        for g, v in (("blina", 30), ("chemo", 14))
    ]
    study = trial(outcome(medians, timepoint=None, compared=comparison("blina", "chemo", **HR)))
    assert reason(study) == (
        "Chemotherapy reports no event-free rate at a timepoint to apply the HR to"
    )
    # Without a ratio, medians are no risks either.
    assert reason(trial(outcome(medians, timepoint=None))) == (
        "neither arm reports a proportion or a rate (a median time is not a risk)"
    )


def test_a_study_without_a_comparator_arm_has_none() -> None:
    cohorts = [arm("a", "Cohort A", "experimental"), arm("b", "Cohort B", "experimental")]
    study = trial(
        outcome([proportion("a", 30, n=20), proportion("b", 30, n=18)], timepoint=None),
        arms=cohorts,
    )
    assert reason(study) == "no comparator arm: every arm of the study is experimental or other"
    # Three arms and no comparison block: which two are compared is not said.
    three = trial(
        outcome([rate("high", 80), rate("low", 75), rate("control", 70)]), arms=THREE_ARMS
    )
    assert reason(three) == "no comparator: the outcome names no two arms to compare"


def test_ratios_that_cannot_be_read_honestly_have_none() -> None:
    odds = {
        "measure": "odds-ratio",
        "estimate": 0.5,
        "ci": {"level": 95, "lower": 0.3, "upper": 0.8},
    }
    survival_or = trial(
        outcome(
            [proportion("blina", 50, n=40), proportion("chemo", 50, n=30)],
            compared=comparison("blina", "chemo", **odds),
        )
    )
    assert reason(survival_or) == (
        "an odds ratio of a survival endpoint may be of survival or of the event, and the "
        "file does not say which"
    )
    response_hr = trial(
        outcome(
            [rate("blina", 60), rate("chemo", 40)],
            endpoint="complete-remission",
            compared=comparison("blina", "chemo", **HR),
        )
    )
    assert reason(response_hr) == (
        "a hazard ratio is applied only to survival and cumulative-incidence endpoints, not "
        "to complete remission"
    )
    too_high = {
        "measure": "risk-ratio",
        "estimate": 2.0,
        "ci": {"level": 95, "lower": 1.5, "upper": 2.5},
    }
    over = trial(
        outcome(
            [proportion("blina", 100, n=90), proportion("chemo", 100, n=60)],
            endpoint="complete-remission",
            timepoint=None,
            compared=comparison("blina", "chemo", **too_high),
        )
    )
    assert reason(over) == "the risk ratio 2 times the comparator's risk is over 1000 per 1000"


def test_figures_that_cannot_be_set_side_by_side_have_none() -> None:
    assert reason(trial(outcome([rate("blina", 85), rate("chemo", 68)], timepoint=None))) == (
        "the outcome states no timepoint for its rates"
    )
    assert reason(
        trial(
            outcome(
                [rate("blina", 85), proportion("chemo", 50, n=30)], endpoint="complete-remission"
            )
        )
    ) == ("Blinatumomab reports a rate and Chemotherapy a proportion")
    assert reason(
        trial(
            outcome(
                [rate("blina", 60), rate("chemo", 40)],
                endpoint="duration-of-response",
            )
        )
    ).startswith("a rate among responders only")


# --- Every figure of every valid study ---------------------------------------------------


@given(
    comparator=st.floats(0, 100).map(lambda v: round(v, 1)),
    estimate=st.floats(0.01, 20),
    spread=st.floats(1.0, 5.0),
    endpoint=st.sampled_from(["overall-survival", "cumulative-incidence-of-relapse"]),
)
def test_every_absolute_effect_is_finite_and_inside_its_interval(
    comparator: float, estimate: float, spread: float, endpoint: str
) -> None:
    hr = {
        "measure": "hazard-ratio",
        "estimate": estimate,
        "ci": {"level": 95, "lower": estimate / spread, "upper": estimate * spread},
    }
    study = trial(
        outcome(
            [rate("blina", 50), rate("chemo", comparator)],
            endpoint=endpoint,
            compared=comparison("blina", "chemo", **hr),
        )
    )
    effect = effect_of(study)
    figure = effect.figure
    assert figure is not None and effect.unrounded is not None
    values = [v for v in effect.unrounded.values() if v is not None]
    assert all(math.isfinite(v) for v in values)
    assert 0 <= effect.unrounded["intervention_risk"] <= 1000  # type: ignore[operator]
    assert figure.lower is not None and figure.upper is not None and figure.value is not None
    assert figure.lower - 1e-9 <= figure.value <= figure.upper + 1e-9
    assert "nan" not in effect.text and "inf" not in effect.text


def test_every_bundled_and_synthetic_row_has_an_effect_or_a_reason(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    for study in bundled + synthetic:
        for item in study.outcomes:
            effect = absolute_effect(study, item)
            assert (effect.figure is None) == (effect.reason is not None)


# --- № of participants (studies) ------------------------------------------------------


def test_participants_and_studies_as_grade_writes_them(
    bundled: list[Study], synthetic: list[Study]
) -> None:
    by_id = {s.id: s for s in bundled + synthetic}
    texts = {
        (s, o): outcome_row(by_id[s], next(x for x in by_id[s].outcomes if x.id == o))
        for s, o in (
            ("blast", "mrd-response"),
            ("blast", "os-landmark"),
            ("e1910", "os-3-years"),
            ("syn-paediatric", "mrd"),
            ("syn-three-arm", "os-2-years"),
        )
    }
    assert {key: (r.participants_studies, r.participants_n) for key, r in texts.items()} == {
        ("blast", "mrd-response"): ("113 (1 single-arm study)", 113),
        ("blast", "os-landmark"): ("not reported (1 single-arm study)", None),
        ("e1910", "os-3-years"): ("224 (1 RCT)", 224),
        ("syn-paediatric", "mrd"): ("60 (1 non-randomized study)", 60),
        ("syn-three-arm", "os-2-years"): ("300 (1 RCT)", 300),
    }


# --- JSON and CSV: numbers ----------------------------------------------------------------


def test_json_carries_the_numbers_as_numbers(runner: CliRunner) -> None:
    result = runner.invoke(app, ["outcomes", "os", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    e1910 = next(r for r in rows if r["outcome_id"] == "os-3-years")
    effect = e1910["absolute"]
    assert [effect[k] for k in ("comparator_risk", "intervention_risk", "difference")] == [
        320,
        146,
        174,
    ]
    assert [effect["difference_lower"], effect["difference_upper"]] == [235, 75]
    assert all(type(effect[k]) is int for k in ("comparator_risk", "difference_lower"))
    assert effect["difference_direction"] == "fewer"
    assert effect["unrounded"]["intervention_risk"] == pytest.approx(146.254, abs=1e-3)
    assert effect["unrounded"]["difference"] == pytest.approx(-173.746, abs=1e-3)
    assert effect["figure"]["kind"] == "absolute-effect"
    assert effect["figure"]["value"] == pytest.approx(-173.746, abs=1e-3)
    assert (e1910["participants_studies"], e1910["participants_n"]) == ("224 (1 RCT)", 224)
    landmark = next(r for r in rows if r["outcome_id"] == "os-landmark")["absolute"]
    assert landmark["reason"].startswith("a landmark analysis")
    assert (landmark["difference"], landmark["figure"]) == (None, None)


def test_csv_carries_the_numbers_in_their_own_columns(runner: CliRunner) -> None:
    result = runner.invoke(app, ["outcomes", "os", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    e1910 = next(r for r in records if r["outcome_id"] == "os-3-years")
    assert e1910["absolute_effect"] == f"{MARK} {E1910_TEXT}"
    assert [e1910[f"{k}_per_1000"] for k in ("comparator", "intervention", "difference")] == [
        "320",
        "146",
        "174",
    ]
    assert (e1910["difference_lower_per_1000"], e1910["difference_upper_per_1000"]) == ("235", "75")
    assert e1910["difference_direction"] == "fewer"
    assert (e1910["participants_studies"], e1910["participants_n"]) == ("224 (1 RCT)", "224")
    single = next(r for r in records if r["outcome_id"] == "os-median")
    assert single["absolute_reason"] == "single-arm study, no comparator"
    assert single["difference_per_1000"] == ""


# --- Display: terminal, Markdown, HTML, and the derived mark ------------------------------


def test_terminal_rows_show_the_effect_marked_and_the_reason_unmarked(
    bundled: list[Study],
) -> None:
    text = terminal(render_outcomes(outcomes_view(bundled, "os")))
    assert f"Absolute effect {MARK} {MARK} {E1910_TEXT}" in text
    assert "(from HR 0.41 (95% CI 0.23–0.73) applied to 68% with Chemotherapy alone" in text
    assert "Absolute effect no absolute effect: single-arm study, no comparator" in text
    assert "№ of participants 224 (1 RCT)" in text
    assert "№ of participants 110 (1 single-arm study)" in text
    assert " ".join(ABSOLUTE_LEGEND.split()) in text


def test_markdown_says_per_1000_and_names_the_formulas(bundled: list[Study]) -> None:
    markdown = render_markdown("outcomes", view=outcomes_view(bundled, "os"))
    [(header, rows)] = md_tables(markdown)
    column = header.index(f"Anticipated absolute effects per 1000 {MARK}")
    participants = header.index("№ of participants (studies)")
    cells = {row[1]: (row[participants], row[column]) for row in rows}
    assert cells["Overall survival at 3 years"] == ("224 (1 RCT)", f"{MARK} {E1910_TEXT}")
    assert cells["Median overall survival (OS)"] == (
        "110 (1 single-arm study)",
        "no absolute effect: single-arm study, no comparator",
    )
    text = md_text(markdown)
    for words in ("1 − S^HR", "GRADE 27, Skoetz 2020", "GRADE 12, Guyatt 2013", "OR × Rc"):
        assert words in text


class Cells(HTMLParser):
    """The text of every table cell with a class, by class."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, list[str]] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class")
        if tag in ("td", "th") and classes in ("absolute", "participants"):
            self._open = classes
            self.cells.setdefault(classes, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.cells[self._open][-1] += data


def test_html_cells_carry_their_class_names(bundled: list[Study]) -> None:
    page = render("html", "outcomes", view=outcomes_view(bundled, "os"))
    cells = Cells()
    cells.feed(page)
    assert cells.cells["absolute"][0] == f"Anticipated absolute effects per 1000 {MARK}"
    assert f"{MARK} {E1910_TEXT}" in cells.cells["absolute"]
    assert "no absolute effect: single-arm study, no comparator" in cells.cells["absolute"]
    assert cells.cells["participants"][0] == "№ of participants (studies)"
    assert "224 (1 RCT)" in cells.cells["participants"]
    assert "GRADE 27, Skoetz 2020" in page


def test_the_digest_rows_carry_the_absolute_effect(runner: CliRunner) -> None:
    result = runner.invoke(app, ["digest", "--format", "markdown"], env={"SOURCE_DATE_EPOCH": "0"})
    assert result.exit_code == 0, result.stderr
    assert f"{MARK} {E1910_TEXT}" in md_text(result.stdout)
    assert "224 (1 RCT)" in md_text(result.stdout)


def test_a_comparator_with_two_figures_has_none() -> None:
    two = [rate("blina", 85), rate("chemo", 68), rate("chemo", 70)]
    for compared in (comparison("blina", "chemo", p=0.01), comparison("blina", "chemo", **HR)):
        assert reason(trial(outcome(two, compared=compared))) == (
            "Chemotherapy reports 2 proportions or rates, and which to use is not said"
        )
