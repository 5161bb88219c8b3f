"""The derived statistics: values computed by hand, and properties that must always hold."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blinacli.model.results import MAX_CI_LEVEL
from blinacli.views import stats

# --- Hand-computed values -------------------------------------------------------------


def test_wilson_of_88_of_113_is_77_9_percent_69_4_to_84_5() -> None:
    # BLAST's primary outcome: 88 of 113 complete MRD responders.
    interval = stats.wilson(88, 113)
    assert round(100 * interval.estimate, 1) == 77.9
    assert round(100 * interval.lower, 1) == 69.4
    assert round(100 * interval.upper, 1) == 84.5
    assert interval.level == 95


def test_wilson_at_90_percent_is_narrower_than_at_95() -> None:
    at_90 = stats.wilson(88, 113, 90)
    at_95 = stats.wilson(88, 113, 95)
    assert at_90.estimate == at_95.estimate
    assert (round(100 * at_90.lower, 1), round(100 * at_90.upper, 1)) == (70.8, 83.6)
    assert at_95.lower < at_90.lower < at_90.upper < at_95.upper
    assert at_90.level == 90


@pytest.mark.parametrize(("n", "total"), [(-1, 10), (11, 10), (0, 0)])
def test_wilson_rejects_impossible_counts(n: int, total: int) -> None:
    with pytest.raises(ValueError, match="need 0 <= n <= N"):
        stats.wilson(n, total)


def test_hazard_ratio_0_41_with_ci_0_23_to_0_73_gives_p_0_0025() -> None:
    # E1910: SE = (ln 0.73 - ln 0.23) / (2 x 1.96) = 0.2946; z = ln 0.41 / 0.2946 = -3.026.
    test = stats.ratio_test(0.41, 0.23, 0.73)
    assert test.se_log == pytest.approx(0.2946, abs=1e-4)
    assert test.z == pytest.approx(-3.026, abs=1e-3)
    assert round(test.p, 4) == 0.0025


def test_ratio_test_uses_the_level_of_the_ci() -> None:
    # HR 0.72 with a 90% CI 0.55-0.94: SE = 0.5360 / (2 x 1.6449) = 0.1629; z = -2.016.
    at_90 = stats.ratio_test(0.72, 0.55, 0.94, level=90)
    assert at_90.se_log == pytest.approx(0.1629, abs=1e-4)
    assert at_90.z == pytest.approx(-2.016, abs=1e-3)
    assert round(at_90.p, 3) == 0.044
    # Read as a 95% CI the same limits would imply a smaller SE and p = 0.016.
    assert round(stats.ratio_test(0.72, 0.55, 0.94, level=95).p, 3) == 0.016


@pytest.mark.parametrize(
    ("estimate", "lower", "upper"), [(0.41, 0.73, 0.23), (0.41, 0.5, 0.5), (0, 0.2, 0.7)]
)
def test_ratio_test_rejects_impossible_intervals(
    estimate: float, lower: float, upper: float
) -> None:
    with pytest.raises(ValueError, match="need 0 < lower < upper"):
        stats.ratio_test(estimate, lower, upper)


def test_85_versus_68_percent_is_17_points_and_nnt_6() -> None:
    # E1910's 3-year overall survival; 100 / 17 = 5.88, rounded up to 6 patients.
    difference = stats.risk_difference(85, 68, higher_is_better=True)
    assert difference == stats.RiskDifference(17, 6, True)


def test_a_higher_rate_of_a_harm_is_a_number_needed_to_harm() -> None:
    # Cytokine release syndrome in 15% against 5%: 10 points more, one harmed per 10.
    harm = stats.risk_difference(15, 5, higher_is_better=False)
    assert harm == stats.RiskDifference(10, 10, False)
    # A lower rate of a harm is a benefit: relapse in 20% against 30%.
    fewer = stats.risk_difference(20, 30, higher_is_better=False)
    assert fewer == stats.RiskDifference(-10, 10, True)


def test_equal_rates_have_no_number_needed() -> None:
    assert stats.risk_difference(54, 54, higher_is_better=True) == stats.RiskDifference(
        0.0, None, None
    )


def test_nnt_is_rounded_up_but_not_past_float_noise() -> None:
    # 100 / 16 = 6.25 -> 7. 10.1 - 9.3 is 0.7999999999999989 in floats, and 100 / that
    # is 125.00000000000017, but 0.8 points is one patient in 125, not 126.
    assert stats.risk_difference(66, 50, higher_is_better=True).number_needed == 7
    assert stats.risk_difference(10.1, 9.3, higher_is_better=True).number_needed == 125


def test_z_for_level() -> None:
    assert stats.z_for_level(95) == pytest.approx(1.959964, abs=1e-6)
    assert stats.z_for_level(90) == pytest.approx(1.644854, abs=1e-6)
    assert stats.z_for_level(99) == pytest.approx(2.575829, abs=1e-6)
    assert stats.z_for_level(50) == pytest.approx(0.674490, abs=1e-6)
    # Below 50 % a "confidence" interval is not one, and z would tend to 0.
    for level in (0, 1e-32, 49.9, 100, -5, 120):
        with pytest.raises(ValueError, match="from 50 to 99.99"):
            stats.z_for_level(level)


# --- At the bounds of what the model admits ---------------------------------------------


def test_z_for_level_at_the_models_bounds() -> None:
    """50 and MAX_CI_LEVEL (99.99) give finite quantiles; closer to 100 is refused
    with a ValueError, not the StatisticsError of a quantile at 1."""
    assert stats.z_for_level(MAX_CI_LEVEL) == pytest.approx(3.890592, abs=1e-6)
    assert stats.z_for_level(50.0) == pytest.approx(0.674490, abs=1e-6)
    for level in (99.99999999999999, math.nextafter(MAX_CI_LEVEL, 100), 99.995):
        with pytest.raises(ValueError, match="from 50 to 99.99"):
            stats.z_for_level(level)


@pytest.mark.parametrize(
    ("n", "total"), [(0, 1), (1, 1), (1, 10**9), (10**9 - 1, 10**9), (10**9, 10**9)]
)
@pytest.mark.parametrize("level", [50, 95, MAX_CI_LEVEL])
def test_wilson_is_finite_at_the_extremes_of_n_and_n(n: int, total: int, level: float) -> None:
    interval = stats.wilson(n, total, level)
    assert all(math.isfinite(v) for v in (interval.estimate, interval.lower, interval.upper))
    assert 0.0 <= interval.lower <= interval.estimate <= interval.upper <= 1.0


@pytest.mark.parametrize(
    ("estimate", "lower", "upper"),
    [
        (5e-324, 5e-324, 1e12),
        (1e12, 5e-324, 1e12),
        (1.0, 5e-324, 1e-323),
        (1e12, 1e11, 1e12),
        (1.0, 1.0, math.nextafter(1.0, 2)),
        (1e12, 1.0, math.nextafter(1.0, 2)),
    ],
)
@pytest.mark.parametrize("level", [50, 95, MAX_CI_LEVEL])
def test_ratio_test_is_finite_at_the_models_bounds(
    estimate: float, lower: float, upper: float, level: float
) -> None:
    test = stats.ratio_test(estimate, lower, upper, level)
    assert math.isfinite(test.se_log) and test.se_log > 0
    assert math.isfinite(test.z)
    assert 0.0 <= test.p <= 1.0


@pytest.mark.parametrize(
    ("lower", "upper"), [(1e-300, math.nextafter(1e-300, 1)), (1e12, math.nextafter(1e12, 2e12))]
)
def test_ratio_test_of_limits_with_equal_logarithms_is_not_computable(
    lower: float, upper: float
) -> None:
    """Limits one float apart whose logarithms are equal: an SE of 0, an infinite z."""
    assert math.log(lower) == math.log(upper)
    with pytest.raises(stats.NotComputable, match="too close together"):
        stats.ratio_test(lower, lower, upper)


def test_a_vanishing_difference_has_a_direction_but_no_number_needed() -> None:
    """5e-324 % against 0 %: 100 / 5e-324 is infinite, and ceil(inf) an OverflowError."""
    assert stats.risk_difference(5e-324, 0, higher_is_better=True) == stats.RiskDifference(
        5e-324, None, True
    )
    assert stats.risk_difference(0, 5e-324, higher_is_better=True) == stats.RiskDifference(
        -5e-324, None, False
    )
    assert stats.risk_difference(1e-12, 0, higher_is_better=False).number_needed is None


def test_the_number_needed_stops_at_a_million() -> None:
    """0.0001 points is one patient in 1,000,000, the largest number computed; less is none."""
    assert stats.MAX_NUMBER_NEEDED == 1_000_000
    assert stats.risk_difference(0.0001, 0, higher_is_better=True).number_needed == 1_000_000
    assert stats.risk_difference(50.0001, 50, higher_is_better=True).number_needed == 1_000_000
    assert stats.risk_difference(0.00009, 0, higher_is_better=True).number_needed is None
    assert stats.risk_difference(100, 0, higher_is_better=True).number_needed == 1
    assert stats.risk_difference(0, 100, higher_is_better=True) == stats.RiskDifference(
        -100, 1, False
    )


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100), st.booleans())
def test_risk_difference_is_total_over_percents(
    intervention: float, comparator: float, higher_is_better: bool
) -> None:
    result = stats.risk_difference(intervention, comparator, higher_is_better=higher_is_better)
    assert math.isfinite(result.difference_points)
    needed = result.number_needed
    assert needed is None or 1 <= needed <= stats.MAX_NUMBER_NEEDED
    assert (result.benefit is None) == (intervention == comparator)


@pytest.mark.parametrize(
    ("value", "places", "half_width"),
    [
        (0.41, 2, 0.005),
        (78, 0, 0.5),
        (22.0, 1, 0.05),
        (12.5, 1, 0.05),
        (0.002, 3, 0.0005),
        (1e-05, 5, 0.000005),
        (2.5e-05, 6, 0.0000005),
        (100, 0, 0.5),
    ],
)
def test_decimals_and_rounding_half_width(value: float, places: int, half_width: float) -> None:
    assert stats.decimals(value) == places
    assert stats.rounding_half_width(value) == pytest.approx(half_width, rel=1e-12)


# --- Properties --------------------------------------------------------------------------

LEVELS = st.floats(min_value=50, max_value=99.9, exclude_min=True, exclude_max=True)


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    total = draw(st.integers(min_value=1, max_value=10**6))
    return draw(st.integers(min_value=0, max_value=total)), total


@settings(max_examples=200, deadline=None)
@given(counts(), LEVELS)
def test_wilson_contains_the_estimate_and_stays_in_0_1(nt: tuple[int, int], level: float) -> None:
    n, total = nt
    interval = stats.wilson(n, total, level)
    assert interval.estimate == n / total
    assert 0.0 <= interval.lower <= interval.upper <= 1.0
    assert interval.lower <= interval.estimate <= interval.upper


@pytest.mark.parametrize(("n", "total", "level"), [(0, 3, 99.9), (4, 4, 99.9), (0, 5, 95)])
def test_wilson_limits_at_the_ends_are_exact(n: int, total: int, level: float) -> None:
    """At 0/N the lower limit is exactly 0, at N/N the upper limit exactly 1."""
    interval = stats.wilson(n, total, level)
    assert interval.lower <= interval.estimate <= interval.upper
    assert (interval.lower if n == 0 else interval.upper) == interval.estimate


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.001, max_value=5),
    st.booleans(),
    st.floats(min_value=0.01, max_value=0.999),
    LEVELS,
)
def test_p_from_a_ci_excluding_1_is_below_1_minus_the_level(
    distance: float, below_one: bool, fraction: float, level: float
) -> None:
    # A ratio CI symmetric on the log scale: ln(estimate) +- half; excluding 1 means
    # half < |ln(estimate)|.
    log_estimate = -distance if below_one else distance
    half = fraction * distance
    lower, upper = math.exp(log_estimate - half), math.exp(log_estimate + half)
    assert upper < 1 or lower > 1
    p = stats.ratio_test(math.exp(log_estimate), lower, upper, level).p
    assert p < 1 - level / 100


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.001, max_value=5),
    st.booleans(),
    st.floats(min_value=1.001, max_value=20),
    LEVELS,
)
def test_p_from_a_ci_including_1_is_at_least_1_minus_the_level(
    distance: float, below_one: bool, factor: float, level: float
) -> None:
    log_estimate = -distance if below_one else distance
    half = factor * distance
    lower, upper = math.exp(log_estimate - half), math.exp(log_estimate + half)
    assert lower < 1 < upper
    p = stats.ratio_test(math.exp(log_estimate), lower, upper, level).p
    assert p >= 1 - level / 100


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.001, max_value=1000),
    st.floats(min_value=0.001, max_value=1000),
    st.floats(min_value=1.001, max_value=1000),
    LEVELS,
)
def test_ratio_test_is_symmetric_in_log_space(
    estimate: float, lower: float, width: float, level: float
) -> None:
    # Swapping the groups inverts the ratio and its limits: same SE and p, z negated.
    upper = lower * width
    forward = stats.ratio_test(estimate, lower, upper, level)
    inverted = stats.ratio_test(1 / estimate, 1 / upper, 1 / lower, level)
    assert inverted.p == pytest.approx(forward.p, rel=1e-9, abs=1e-15)
    assert inverted.se_log == pytest.approx(forward.se_log, rel=1e-9)
    assert inverted.z == pytest.approx(-forward.z, rel=1e-9, abs=1e-12)


# Reported percents have a few decimals; the NNT's guard against float noise
# (100 / 19.999999999999996 is still 5) is why the products allow 1e-6.
REPORTED_PERCENTS = st.integers(min_value=0, max_value=3).flatmap(
    lambda places: st.integers(min_value=0, max_value=100 * 10**places).map(
        lambda k: k / 10**places
    )
)


@settings(max_examples=200, deadline=None)
@given(REPORTED_PERCENTS, REPORTED_PERCENTS, st.booleans())
def test_nnt_is_the_least_whole_number_of_patients_for_one_event(
    intervention: float, comparator: float, higher_is_better: bool
) -> None:
    result = stats.risk_difference(intervention, comparator, higher_is_better=higher_is_better)
    size = abs(result.difference_points)
    if intervention == comparator:
        assert (result.number_needed, result.benefit) == (None, None)
        return
    assert result.number_needed is not None
    assert result.number_needed * size >= 100 - 1e-6
    assert (result.number_needed - 1) * size < 100
    assert result.benefit == ((intervention > comparator) == higher_is_better)
