"""Formulas for anticipated absolute effects per 1000, from the standard library only.

A Summary-of-Findings table gives, beside a relative effect, how many people out of
1000 would have the event with the comparator and how many more or fewer with the
intervention. Every function here works on risks as fractions of 1 (0.32, not 32 % or
320 per 1000) and is total over the figures the evidence model admits: it returns a
finite number, or raises :class:`blinacli.views.stats.NotComputable` with the reason.

References:

- Guyatt GH, Oxman AD, Santesso N, et al. GRADE guidelines: 12. Preparing summary of
  findings tables—binary outcomes. J Clin Epidemiol. 2013;66(2):158-172. Risk with the
  intervention from a risk ratio (RR × Rc) or an odds ratio
  (OR × Rc / (1 − Rc + OR × Rc)) and the comparator's risk Rc, its CI from the ratio's.
- Skoetz N, Goldkuhle M, van Dalen EC, et al. GRADE guidelines 27: how to calculate
  absolute effects for time-to-event outcomes in summary of findings tables and
  Evidence Profiles. J Clin Epidemiol. 2020;118:124-131. Under proportional hazards the
  intervention's event-free proportion at a time t is S_i(t) = S_c(t)^HR, so its risk is
  1 − S_c(t)^HR, its CI from the HR's limits.
- Newcombe RG. Interval estimation for the difference between independent proportions:
  comparison of eleven methods. Stat Med. 1998;17(8):873-890 (method 10), and Zou GY,
  Donner A. Construction of confidence limits about effect measures: a general approach.
  Stat Med. 2008;27(10):1693-1702: the CI of a difference of two independent risks from
  each risk's own interval (the MOVER).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from blinacli.views.stats import NotComputable

PER = 1000
"""Absolute effects are counted per this many people, as GRADE's tables do."""


def _check_risk(risk: float, what: str) -> None:
    if not 0 <= risk <= 1:
        raise ValueError(f"{what} must be a fraction from 0 to 1, not {risk}")


def _check_ratio(ratio: float) -> None:
    if not ratio > 0 or math.isinf(ratio):
        raise ValueError(f"a ratio must be a positive finite number, not {ratio}")


def risk_from_hazard_ratio(event_free: float, hazard_ratio: float) -> float:
    """The intervention's risk of the event by time t: 1 − S_c(t)^HR, where ``event_free``
    is the comparator's event-free proportion S_c(t) (0.68 alive at 3 years) and the HR is
    of the intervention relative to the comparator (GRADE 27). 0.68 and 0.41 -> 0.1462."""
    _check_risk(event_free, "an event-free proportion")
    _check_ratio(hazard_ratio)
    if event_free == 0:
        return 1.0
    # expm1 keeps the digits of a risk close to 0: 1 − exp(x) = −expm1(x).
    return min(1.0, max(0.0, -math.expm1(hazard_ratio * math.log(event_free))))


def risk_from_risk_ratio(comparator_risk: float, risk_ratio: float) -> float:
    """RR × Rc (GRADE 12). Raises :class:`NotComputable` when the product is over 1: a risk
    ratio cannot hold at so high a comparator risk."""
    _check_risk(comparator_risk, "a risk")
    _check_ratio(risk_ratio)
    risk = risk_ratio * comparator_risk
    if risk > 1:
        raise NotComputable(
            f"the risk ratio {risk_ratio:g} times the comparator's risk is over {PER} per {PER}"
        )
    return risk


def risk_from_odds_ratio(comparator_risk: float, odds_ratio: float) -> float:
    """OR × Rc / (1 − Rc + OR × Rc) (GRADE 12): the risk whose odds are OR times the
    comparator's. 0.25 and 4.5 -> 0.6."""
    _check_risk(comparator_risk, "a risk")
    _check_ratio(odds_ratio)
    product = odds_ratio * comparator_risk
    return min(1.0, product / (1 - comparator_risk + product))


def difference_interval(
    intervention: tuple[float, float, float], comparator: tuple[float, float, float]
) -> tuple[float, float]:
    """The CI of a difference of two independent risks, intervention minus comparator, from
    each risk's (estimate, lower, upper) at one confidence level (Newcombe method 10;
    Zou & Donner's MOVER): lower = d − √((p₁ − l₁)² + (u₂ − p₂)²),
    upper = d + √((u₁ − p₁)² + (p₂ − l₂)²)."""
    p1, l1, u1 = intervention
    p2, l2, u2 = comparator
    for estimate, low, high in (intervention, comparator):
        if not 0 <= low <= estimate <= high <= 1:
            raise ValueError(
                f"need 0 <= lower <= estimate <= upper <= 1, got {low, estimate, high}"
            )
    difference = p1 - p2
    lower = difference - math.hypot(p1 - l1, u2 - p2)
    upper = difference + math.hypot(u1 - p1, p2 - l2)
    return max(-1.0, lower), min(1.0, upper)


def per_thousand(risk: float) -> float:
    """A fraction of 1 as a number per 1000: 0.1462 -> 146.2."""
    return risk * PER


def event_free_per_thousand(percent: float | int) -> float:
    """The events per 1000 behind a reported event-free percent, in decimal arithmetic so a
    reported 68 % gives exactly 320 (not 319.99999999999994)."""
    exact = Decimal(percent) if isinstance(percent, int) else Decimal(repr(float(percent)))
    return float((100 - exact) * (PER // 100))


def percent_per_thousand(percent: float | int) -> float:
    """A reported percent as a number per 1000, exactly: 25 -> 250, 12.5 -> 125."""
    exact = Decimal(percent) if isinstance(percent, int) else Decimal(repr(float(percent)))
    return float(exact * (PER // 100))


def rounded(value: float) -> int:
    """A number per 1000 rounded to a whole number as GRADEpro shows it: halves away from
    zero (174.5 -> 175, −0.5 -> −1), not to the even neighbour."""
    exact = Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(exact)
