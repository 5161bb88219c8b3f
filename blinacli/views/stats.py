"""Derived statistics, from the standard library only, each with its reference.

Everything here is *derived* from reported figures; the views keep the results
apart from what the sources reported and mark them as derived. Confidence
levels are taken as given (90, 95, 99 ...), never assumed to be 95 %.

Every function is total over the figures the evidence model admits: it returns
finite numbers, or raises :class:`NotComputable` with the reason a figure cannot
be derived, which the views show in its place.
"""

from __future__ import annotations

import math
from decimal import Decimal
from statistics import NormalDist

import msgspec

from blinacli.model import MAX_CI_LEVEL

_STANDARD_NORMAL = NormalDist()


class NotComputable(ValueError):
    """Valid reported figures from which a derived figure cannot be computed; the
    message says why, in words a reader of the view understands."""


def z_for_level(level_percent: float) -> float:
    """The two-sided standard-normal quantile of a confidence level: 95 -> 1.959964.

    Levels run from 50 to the model's ``MAX_CI_LEVEL`` (99.99, z = 3.89); closer to
    100, 0.5 + level/200 rounds to 1, whose quantile is infinite.
    """
    if not 50 <= level_percent <= MAX_CI_LEVEL:
        raise ValueError(f"a confidence level is from 50 to {MAX_CI_LEVEL}, not {level_percent}")
    return _STANDARD_NORMAL.inv_cdf(0.5 + level_percent / 200)


class Interval(msgspec.Struct, frozen=True):
    estimate: float
    lower: float
    upper: float
    level: float


def wilson(n: int, total: int, level: float = 95) -> Interval:
    """A proportion n/N and its Wilson score interval (as fractions of 1).

    Wilson EB. Probable inference, the law of succession, and statistical
    inference. J Am Stat Assoc. 1927;22(158):209-212. Recommended over the Wald
    interval by Newcombe RG, Stat Med. 1998;17(8):857-872 (method 3).
    """
    if total <= 0 or not 0 <= n <= total:
        raise ValueError(f"need 0 <= n <= N and N > 0, got {n}/{total}")
    z = z_for_level(level)
    p = n / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    # At 0/N and N/N the limit is exactly the estimate; computing it leaves float noise.
    lower = 0.0 if n == 0 else max(0.0, centre - half)
    upper = 1.0 if n == total else min(1.0, centre + half)
    return Interval(p, lower, upper, level)


MAX_NUMBER_NEEDED = 1_000_000
"""The largest number needed to treat or harm that is computed. Past it (a difference
under 0.0001 percentage points, which only rates reported to four or more decimals
can show) the number is beyond any trial that could show it, and at the smallest
differences 100 / difference is infinite; the difference is still given."""


class RiskDifference(msgspec.Struct, frozen=True):
    """Two rates at one timepoint: the difference and the number needed to treat or harm."""

    difference_points: float
    """Intervention minus comparator, in percentage points."""
    number_needed: int | None
    """ceil(100 / |difference|); None when the rates are equal, when the endpoint has no
    better direction, or when it would exceed :data:`MAX_NUMBER_NEEDED`."""
    benefit: bool | None
    """True for a number needed to treat, False to harm; None when the rates are equal or
    the endpoint has no better direction."""


def _exact(value: float | int) -> Decimal:
    """A percent as the decimal it was written as: 70.2 is 70.2, not the binary float
    nearest to it (70.2000000000000028...), so 81.5 - 70.2 is 11.3 exactly."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def risk_difference(
    intervention_percent: float, comparator_percent: float, *, higher_is_better: bool | None
) -> RiskDifference:
    """Absolute difference of two rates and the number needed to treat (or harm).

    NNT = 1 / |absolute risk difference|, rounded up to a whole patient.
    Laupacis A, Sackett DL, Roberts RS. An assessment of clinically useful
    measures of the consequences of treatment. N Engl J Med. 1988;318:1728-1733.
    Altman DG. Confidence intervals for the number needed to treat. BMJ.
    1998;317:1309-1312 (rounding up; "NNT (benefit)" and "NNT (harm)").
    A number over :data:`MAX_NUMBER_NEEDED` is not computed (None).

    ``higher_is_better`` is None for an endpoint with no better direction (a
    transplant rate): the difference is given, with no number needed and no benefit.
    The difference is taken between the percents as written, in decimal arithmetic:
    10.1 - 9.3 is 0.8 points (one patient in 125), not 0.7999999999999989.
    """
    exact = _exact(intervention_percent) - _exact(comparator_percent)
    difference = float(exact)
    if exact == 0:
        return RiskDifference(0.0, None, None)
    if higher_is_better is None:
        return RiskDifference(difference, None, None)
    needed_exact = 100 / abs(exact)
    needed = math.ceil(needed_exact) if needed_exact <= MAX_NUMBER_NEEDED else None
    better = (exact > 0) == higher_is_better
    return RiskDifference(difference, needed, better)


def unrounded_number_needed(difference_points: float) -> float | None:
    """100 / |difference|, before rounding up to a whole patient: 17 points -> 5.882...

    None for no difference, or past :data:`MAX_NUMBER_NEEDED`, where the number is
    not computed (and at the smallest differences would be infinite)."""
    if difference_points == 0:
        return None
    exact = 100 / abs(_exact(difference_points))
    return float(exact) if exact <= MAX_NUMBER_NEEDED else None


class RatioTest(msgspec.Struct, frozen=True):
    """What a ratio estimate and its CI imply: the log-scale SE, z and two-sided p."""

    se_log: float
    z: float
    p: float


def ratio_test(estimate: float, lower: float, upper: float, level: float = 95) -> RatioTest:
    """The standard error of log(ratio) from a CI, z, and the two-sided p-value.

    SE = (ln upper - ln lower) / (2 z_level); z = ln(estimate) / SE;
    p = 2 (1 - Φ(|z|)). Altman DG, Bland JM. How to obtain the P value from a
    confidence interval. BMJ. 2011;343:d2304. Works for hazard, odds and risk
    ratios whose CI is symmetric on the log scale.

    Raises :class:`NotComputable` when the limits are so close (1e-300 and the next
    float) that their logarithms are equal: the SE would be 0 and z infinite.
    """
    if min(estimate, lower, upper) <= 0 or lower >= upper:
        raise ValueError(
            f"need 0 < lower < upper and a positive estimate, got {estimate} ({lower}-{upper})"
        )
    se = (math.log(upper) - math.log(lower)) / (2 * z_for_level(level))
    if se == 0:
        raise NotComputable("the CI's limits are too close together to give a standard error")
    z = math.log(estimate) / se
    p = 2 * (1 - _STANDARD_NORMAL.cdf(abs(z)))
    return RatioTest(se, z, p)


def decimals(value: float | int) -> int:
    """How many decimals a reported number was written with: 0.41 -> 2, 78 -> 0."""
    if isinstance(value, int):
        return 0
    text = repr(value)
    if "e" in text or "E" in text:
        mantissa, _, exponent = text.lower().partition("e")
        places = len(mantissa.partition(".")[2].rstrip("0")) if "." in mantissa else 0
        return max(0, places - int(exponent))
    return len(text.partition(".")[2])


def rounding_half_width(value: float | int) -> float:
    """Half a unit in the last reported decimal: 0.41 -> 0.005, 78 -> 0.5."""
    return 0.5 * 10.0 ** (-decimals(value))
