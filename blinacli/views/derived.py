"""Figures blinacli derives from reported ones, kept apart from what the sources reported.

Views show each :class:`DerivedFigure` beside the reported figure it comes from,
marked with :data:`MARK` and explained by :data:`LEGEND`; JSON carries them
under their own ``derived`` key. Nothing here is ever stored in evidence.

For any valid study each figure is total: it has a finite value, or its text says
why it has none (a number needed to treat over a million, a CI too narrow for a
standard error); it never shows ``inf`` or ``nan`` and never raises.
"""

from __future__ import annotations

import msgspec

from blinacli.model import Comparison, Outcome, Proportion, Rate, Study
from blinacli.views import formatting as fmt
from blinacli.views import stats

MARK = "†"
LEGEND = f"{MARK} derived by blinacli from the reported figures; not reported by the source."

# Endpoints whose rates are of a good outcome (being alive, event-free, in
# response): a higher rate in the intervention arm is a benefit.
HIGHER_IS_BETTER = frozenset(
    {
        "overall-survival",
        "relapse-free-survival",
        "event-free-survival",
        "disease-free-survival",
        "progression-free-survival",
        "complete-mrd-response",
        "mrd-response",
        "complete-remission",
        "overall-response",
    }
)


class DerivedFigure(msgspec.Struct, frozen=True):
    """One derived figure: what it is about, its text, and what it was derived from."""

    about: str
    """The group or comparison it belongs to, e.g. "Blinatumomab" or "between groups"."""
    kind: str
    """wilson-interval, risk-difference or p-from-ci."""
    text: str
    """As shown, without the mark, e.g. "77.9% (Wilson 95% CI 69.4–84.5%)"."""
    basis: str
    """The reported figures it was derived from, e.g. "88/113"."""


def _one_decimal(value: float) -> str:
    return f"{value:.1f}"


def proportion_figure(about: str, result: Proportion) -> DerivedFigure:
    """The percent of n/N to one decimal with its Wilson 95 % interval."""
    assert result.n is not None  # a percent alone is never turned back into a count
    interval = stats.wilson(result.n, result.total)
    text = (
        f"{_one_decimal(100 * interval.estimate)}% (Wilson 95% CI "
        f"{_one_decimal(100 * interval.lower)}–{_one_decimal(100 * interval.upper)}%)"
    )
    return DerivedFigure(about, "wilson-interval", text, f"{result.n}/{result.total}")


def _difference_text(points: float) -> str:
    rounded = round(points, 1)
    shown = str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return f"{'+' if points > 0 else ''}{shown}"


def rates_figure(outcome: Outcome, intervention: Rate, comparator: Rate) -> DerivedFigure | None:
    """Absolute difference of two rates at the outcome's timepoint, and the NNT or NNH."""
    if outcome.timepoint is None:
        return None
    difference = stats.risk_difference(
        float(intervention.percent),
        float(comparator.percent),
        higher_is_better=outcome.endpoint in HIGHER_IS_BETTER,
    )
    text = f"difference {_difference_text(difference.difference_points)} percentage points"
    kind = "to treat" if difference.benefit else "to harm"
    if difference.number_needed is not None:
        text += f"; number needed {kind} {difference.number_needed}"
    elif difference.benefit is not None:  # unequal rates, but too close for a number
        text += (
            f"; number needed {kind} not computed (over {stats.MAX_NUMBER_NEEDED:,} "
            f"for a difference under {100 / stats.MAX_NUMBER_NEEDED:g} points)"
        )
    basis = (
        f"{fmt.percent(intervention.percent)} vs {fmt.percent(comparator.percent)} "
        f"at {outcome.timepoint.label}"
    )
    return DerivedFigure("between groups", "risk-difference", text, basis)


def _p_text(p: float) -> str:
    if p < 0.0001:
        return "P < 0.0001"
    return f"P ≈ {p:.2g}"


def comparison_figure(comparison: Comparison) -> DerivedFigure | None:
    """The two-sided p-value a ratio's confidence interval implies, or why it has none."""
    ci = comparison.ci
    if (
        comparison.estimate is None
        or ci is None
        or isinstance(ci.lower, str)
        or isinstance(ci.upper, str)
        or not 0 < ci.lower < ci.upper
    ):
        return None
    try:
        test = stats.ratio_test(
            float(comparison.estimate), float(ci.lower), float(ci.upper), float(ci.level)
        )
    except stats.NotComputable as reason:
        text = f"no P implied by the CI: {reason}"
    else:
        text = f"{_p_text(test.p)} implied by the CI"
    return DerivedFigure("between groups", "p-from-ci", text, fmt.ratio(comparison))


def outcome_figures(study: Study, outcome: Outcome) -> list[DerivedFigure]:
    """Every figure derived for one outcome, in the order the outcome shows its figures."""
    figures = [
        proportion_figure(study.group_label(r.group), r)
        for r in outcome.results
        if isinstance(r, Proportion) and r.n is not None
    ]
    comparison = outcome.comparison
    if comparison is not None:
        by_group = {r.group: r for r in outcome.results}
        first, second = (by_group.get(g) for g in comparison.groups)
        if isinstance(first, Rate) and isinstance(second, Rate):
            figure = rates_figure(outcome, first, second)
            if figure is not None:
                figures.append(figure)
        implied = comparison_figure(comparison)
        if implied is not None:
            figures.append(implied)
    return figures
