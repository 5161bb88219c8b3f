"""Anticipated absolute effects per 1000, as GRADE's Summary-of-Findings tables give them.

A relative effect (HR 0.41) says little on its own to a clinician deciding with a
patient; an absolute one does: of 1000 people like those in the trial, 320 died by
3 years with chemotherapy, and 174 fewer would with blinatumomab added. Each row of
``outcomes`` and of the digest gets one, derived by blinacli and marked as such, or a
one-line reason why it has none.

Which arm is the intervention comes from :func:`blinacli.views.comparisons.compared_groups`
(arms' roles and the comparison's own direction), never from the file's order. What a
risk counts comes from the endpoint: a survival rate (68 % alive) is freedom from the
event, so its risk is of the event (320 deaths per 1000); a cumulative incidence, a
response or a remission rate is the event itself.

The figure comes, in this order of preference (GRADE guidelines 12 and 27):

- from a reported ratio and the comparator's risk: a hazard ratio applied to the
  comparator's event-free rate at the outcome's timepoint, S_i = S_c^HR; a risk or odds
  ratio applied to the comparator's proportion or rate, RR × Rc or
  OR × Rc / (1 − Rc + OR × Rc); the CI from the ratio's limits;
- else from the two arms' own proportions or rates, their difference, with a CI from each
  arm's interval (Newcombe's method 10) when both have one.

Formulas and references are in :mod:`blinacli.views.absolute_stats`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Literal

import msgspec

from blinacli.model import (
    COMPARATOR_ROLES,
    ENDPOINT_NAMES,
    Comparison,
    Outcome,
    Proportion,
    Rate,
    Study,
    vocabulary,
)
from blinacli.views import absolute_stats as ast
from blinacli.views import formatting as fmt
from blinacli.views import stats
from blinacli.views.comparisons import compared_groups
from blinacli.views.derived import MARK, DerivedFigure, Input, benefit_direction

Method = Literal["hazard-ratio", "risk-ratio", "odds-ratio", "two-arm-risks"]
Way = Literal["fewer", "more", "none"]

EVENT_FREE: frozenset[str] = frozenset(
    e for e in vocabulary.TIME_TO_EVENT if benefit_direction(e) == "higher-is-better"
)
"""Endpoints whose rates are freedom from the event (overall, relapse-free, event-free,
disease-free, progression-free survival): their risk is 100 − the reported rate."""

CUMULATIVE: frozenset[str] = frozenset(
    {"cumulative-incidence-of-relapse", "non-relapse-mortality", "transplant-rate"}
)
"""Endpoints whose rates are the cumulative incidence of the event itself."""

EVENTS: dict[str, str] = {
    "overall-survival": "deaths",
    "relapse-free-survival": "relapses or deaths",
    "event-free-survival": "EFS events",
    "disease-free-survival": "recurrences or deaths",
    "progression-free-survival": "progressions or deaths",
    "cumulative-incidence-of-relapse": "relapses",
    "non-relapse-mortality": "non-relapse deaths",
    "complete-mrd-response": "complete MRD responses",
    "mrd-response": "MRD responses",
    "complete-remission": "complete remissions",
    "overall-response": "responses",
    "transplant-rate": "transplants",
}
"""What a risk of each endpoint counts, per 1000 people; any other endpoint (composite,
other) counts "people with the outcome"."""

OTHER_EVENT = "people with the outcome"

NO_EFFECT = "no absolute effect"
"""How the text of a row without an absolute effect begins, before the reason."""

_ABBREVIATION = {"hazard-ratio": "HR", "odds-ratio": "OR", "risk-ratio": "RR"}


class AbsoluteEffect(msgspec.Struct, frozen=True, kw_only=True):
    """The anticipated absolute effect of one Summary-of-Findings row, per 1000 people.

    The numbers are as shown, rounded to whole numbers per 1000 as GRADEpro does; the
    differences are sizes with their direction, as the text reads them ("174 fewer").
    ``figure`` holds the same figure unrounded, signed (intervention minus comparator),
    with what it was derived from. Without an absolute effect, every number is None and
    ``reason`` says why.
    """

    text: str
    """As shown, without the derived mark: "Deaths per 1000: 320 with Chemotherapy alone,
    146 with Blinatumomab + chemotherapy; 174 fewer per 1000 (95% CI 235 fewer to 75
    fewer)", or "no absolute effect: single-arm study, no comparator"."""
    reason: str | None
    """Why there is no absolute effect; None when there is one."""
    method: Method | None
    """What it was derived from: the reported ratio (hazard-ratio, risk-ratio, odds-ratio) with
    the comparator's risk, or the two arms' own risks (two-arm-risks)."""
    event: str | None
    """What the risks count: "deaths" (for overall survival, the complement of the rate)."""
    intervention: str | None
    """The id of the intervention arm."""
    comparator: str | None
    """The id of the comparator arm."""
    level: float | None
    """The confidence level of the difference's CI in percent; None without a CI."""
    comparator_risk: int | None
    """Events per 1000 with the comparator (320)."""
    intervention_risk: int | None
    """Events per 1000 with the intervention (146)."""
    intervention_risk_lower: int | None
    intervention_risk_upper: int | None
    difference: int | None
    """How many fewer or more per 1000 with the intervention (174)."""
    difference_direction: Way | None
    """fewer, more, or none (no difference)."""
    difference_lower: int | None
    """The CI's lower limit as a size (235, of "235 fewer")."""
    difference_lower_direction: Way | None
    difference_upper: int | None
    """The CI's upper limit as a size (75, of "75 fewer")."""
    difference_upper_direction: Way | None
    unrounded: dict[str, float | None] | None
    """The same numbers before rounding, the differences signed (intervention minus
    comparator): comparator_risk 320.0, intervention_risk 146.25…, difference −173.75…"""
    figure: DerivedFigure | None
    """The derived figure (kind ``absolute-effect``, unit ``per-1000``); None without one."""


def _none(reason: str, intervention: str | None, comparator: str | None) -> AbsoluteEffect:
    return AbsoluteEffect(
        text=f"{NO_EFFECT}: {reason}",
        reason=reason,
        method=None,
        event=None,
        intervention=intervention,
        comparator=comparator,
        level=None,
        comparator_risk=None,
        intervention_risk=None,
        intervention_risk_lower=None,
        intervention_risk_upper=None,
        difference=None,
        difference_direction=None,
        difference_lower=None,
        difference_lower_direction=None,
        difference_upper=None,
        difference_upper_direction=None,
        unrounded=None,
        figure=None,
    )


# --- Which rows have one -------------------------------------------------------------------


def absolute_effect(study: Study, outcome: Outcome) -> AbsoluteEffect:
    """The anticipated absolute effect of an outcome, or why it has none."""
    intervention, comparator = compared_groups(study, outcome)
    reason = _why_none(study, outcome, intervention, comparator)
    if reason is not None or intervention is None or comparator is None:
        return _none(reason or "no two arms compared", intervention, comparator)
    comparison = outcome.comparison
    if comparison is not None and comparison.estimate is not None:
        return _from_ratio(study, outcome, comparison, intervention, comparator)
    return _from_arms(study, outcome, intervention, comparator)


def _why_none(
    study: Study, outcome: Outcome, intervention: str | None, comparator: str | None
) -> str | None:
    comparison = outcome.comparison
    if outcome.role == "landmark":
        return "a landmark analysis compares groups formed during treatment, not randomized arms"
    if comparison is not None and study.intervention_of(comparison) is None:
        return "a comparison of subgroups, not of two arms"
    if comparator is None or intervention is None:
        if study.design.allocation == "single-arm":
            return "single-arm study, no comparator"
        if not any(arm.role in COMPARATOR_ROLES for arm in study.design.arms):
            return "no comparator arm: every arm of the study is experimental or other"
        return "no comparator: the outcome names no two arms to compare"
    if outcome.endpoint == "duration-of-response":
        return (
            "a rate among responders only, whose number differs by arm, is not a risk per "
            "person treated"
        )
    return None


def _figures(outcome: Outcome, group: str) -> list[Proportion | Rate]:
    return [r for r in outcome.results if r.group == group and isinstance(r, Proportion | Rate)]


def _single(study: Study, outcome: Outcome, group: str) -> Proportion | Rate | str:
    """The group's one proportion or rate, or the reason it has none to use."""
    found = _figures(outcome, group)
    label = study.group_label(group)
    if not found:
        return f"{label} reports no proportion or rate"
    if len(found) > 1:
        return f"{label} reports {len(found)} proportions or rates, and which to use is not said"
    return found[0]


# --- From a reported ratio -----------------------------------------------------------------


def _from_ratio(
    study: Study, outcome: Outcome, comparison: Comparison, intervention: str, comparator: str
) -> AbsoluteEffect:
    assert comparison.measure is not None and comparison.estimate is not None
    measure = comparison.measure
    abbreviation = _ABBREVIATION[measure]
    first, second = comparison.groups

    def none(reason: str) -> AbsoluteEffect:
        return _none(reason, intervention, comparator)

    if first != intervention:
        return none(
            f"the {abbreviation} is reported as {study.group_label(first)} vs "
            f"{study.group_label(second)} (comparator vs intervention), and a reported "
            "ratio is never inverted"
        )
    if any(u.detail.strip().casefold() == "direction" for u in comparison.unconfirmed):
        return none(f"the direction of the {abbreviation} is unconfirmed")
    endpoint = outcome.endpoint
    figure = _single(study, outcome, comparator)
    if len(_figures(outcome, comparator)) > 1 and isinstance(figure, str):
        return none(figure)
    if measure == "hazard-ratio":
        if endpoint not in EVENT_FREE | CUMULATIVE:
            return none(
                f"a hazard ratio is applied only to survival and cumulative-incidence "
                f"endpoints, not to {ENDPOINT_NAMES.get(endpoint, endpoint)}"
            )
        if not isinstance(figure, Rate):
            return none(
                f"{study.group_label(comparator)} reports no event-free rate at a timepoint "
                "to apply the HR to"
            )
        if outcome.timepoint is None:
            return none(
                "the outcome states no timepoint for its rates, and an HR gives a risk only "
                "at a stated time"
            )
        event_free = figure.percent / 100 if endpoint in EVENT_FREE else 1 - figure.percent / 100
        risk: Callable[[float], float] = partial(ast.risk_from_hazard_ratio, event_free)
    else:
        if endpoint in EVENT_FREE:
            return none(
                f"an {'odds' if measure == 'odds-ratio' else 'risk'} ratio of a survival "
                "endpoint may be of survival or of the event, and the file does not say which"
            )
        if isinstance(figure, str):
            return none(f"{figure} to apply the {abbreviation} to")
        if isinstance(figure, Rate) and outcome.timepoint is None:
            return none("the outcome states no timepoint for the comparator's rate")
        comparator_share = _risk_of(endpoint, figure)[0] / ast.PER
        apply = ast.risk_from_risk_ratio if measure == "risk-ratio" else ast.risk_from_odds_ratio
        risk = partial(apply, comparator_share)
    assert not isinstance(figure, str)
    comparator_risk, comparator_basis, comparator_inputs = _risk_of(endpoint, figure)
    try:
        intervention_risk = ast.per_thousand(risk(float(comparison.estimate)))
    except stats.NotComputable as problem:
        return none(str(problem))
    limits, no_ci = _ratio_limits(comparison, abbreviation, risk)
    timepoint = f" at {outcome.timepoint.label}" if outcome.timepoint is not None else ""
    basis = (
        f"{fmt.ratio(comparison)} applied to {comparator_basis} with "
        f"{study.group_label(comparator)}{timepoint}"
    )
    ci = comparison.ci
    inputs = [Input("estimate", comparison.estimate, None)]
    if ci is not None:
        inputs += [
            Input(name, value, None)
            for name, value in (("ci-lower", ci.lower), ("ci-upper", ci.upper))
            if not isinstance(value, str)
        ] + [Input("ci-level", ci.level, None)]
    return _effect(
        study,
        outcome,
        method=measure,
        intervention=intervention,
        comparator=comparator,
        risks=(comparator_risk, intervention_risk),
        intervention_limits=limits,
        difference_limits=(
            None if limits is None else (limits[0] - comparator_risk, limits[1] - comparator_risk)
        ),
        level=float(ci.level) if ci is not None and limits is not None else None,
        no_ci=no_ci,
        basis=basis,
        inputs=[*inputs, *comparator_inputs],
    )


def _ratio_limits(
    comparison: Comparison, abbreviation: str, risk: Callable[[float], float]
) -> tuple[tuple[float, float] | None, str]:
    """The intervention's risks per 1000 at the ratio's CI limits, or why there are none."""
    ci = comparison.ci
    if ci is None:
        return None, f"no CI: the {abbreviation} is reported without one"
    if isinstance(ci.lower, str) or isinstance(ci.upper, str):
        return None, f"no CI: a limit of the {abbreviation}'s CI is not estimable"
    if not 0 < ci.lower:
        return None, f"no CI: the {abbreviation}'s lower limit is not above 0"
    try:
        return (
            ast.per_thousand(risk(float(ci.lower))),
            ast.per_thousand(risk(float(ci.upper))),
        ), ""
    except stats.NotComputable as problem:
        return None, f"no CI: at its upper limit {problem}"


def _risk_of(endpoint: str, result: Proportion | Rate) -> tuple[float, str, list[Input]]:
    """A group's risk of the event per 1000 (exact for a reported percent), the figure it
    comes from, and the reported numbers: a count n/N when there is one, else the percent."""
    free = endpoint in EVENT_FREE
    if isinstance(result, Proportion) and result.n is not None:
        share = result.n / result.total
        inputs = [Input("n", result.n, result.group), Input("total", result.total, result.group)]
        return ast.per_thousand(1 - share if free else share), f"{result.n}/{result.total}", inputs
    assert result.percent is not None  # the model requires a count or a percent
    exact = ast.event_free_per_thousand if free else ast.percent_per_thousand
    shown = fmt.percent(result.percent)
    basis = f"{shown} of {result.total}" if isinstance(result, Proportion) else shown
    return exact(result.percent), basis, [Input("percent", result.percent, result.group)]


# --- From the two arms' own risks ----------------------------------------------------------


def _from_arms(
    study: Study, outcome: Outcome, intervention: str, comparator: str
) -> AbsoluteEffect:
    first = _single(study, outcome, intervention)
    second = _single(study, outcome, comparator)
    if not _figures(outcome, intervention) and not _figures(outcome, comparator):
        return _none(
            "neither arm reports a proportion or a rate (a median time is not a risk)",
            intervention,
            comparator,
        )
    for figure in (first, second):
        if isinstance(figure, str):
            return _none(figure, intervention, comparator)
    assert not isinstance(first, str) and not isinstance(second, str)
    if type(first) is not type(second):
        kinds = {Rate: "a rate", Proportion: "a proportion"}
        return _none(
            f"{study.group_label(intervention)} reports {kinds[type(first)]} and "
            f"{study.group_label(comparator)} {kinds[type(second)]}",
            intervention,
            comparator,
        )
    if isinstance(first, Rate) and outcome.timepoint is None:
        return _none("the outcome states no timepoint for its rates", intervention, comparator)
    endpoint = outcome.endpoint
    intervention_risk, intervention_basis, intervention_inputs = _risk_of(endpoint, first)
    comparator_risk, comparator_basis, comparator_inputs = _risk_of(endpoint, second)
    intervals = (_interval(endpoint, first), _interval(endpoint, second))
    one, other = intervals
    limits: tuple[float, float] | None = None
    difference_limits: tuple[float, float] | None = None
    level: float | None = None
    no_ci = ""
    if isinstance(one, str) or isinstance(other, str):
        no_ci = f"no CI: {one if isinstance(one, str) else other}"
    elif one[3] != other[3]:
        no_ci = "no CI: the arms' CIs are at different levels"
    else:
        low, high = ast.difference_interval(one[:3], other[:3])
        limits = (ast.per_thousand(one[1]), ast.per_thousand(one[2]))
        difference_limits = (ast.per_thousand(low), ast.per_thousand(high))
        level = one[3]
    timepoint = f" at {outcome.timepoint.label}" if outcome.timepoint is not None else ""
    return _effect(
        study,
        outcome,
        method="two-arm-risks",
        intervention=intervention,
        comparator=comparator,
        risks=(comparator_risk, intervention_risk),
        intervention_limits=limits,
        difference_limits=difference_limits,
        level=level,
        no_ci=no_ci,
        basis=f"{intervention_basis} vs {comparator_basis}{timepoint}",
        inputs=[*intervention_inputs, *comparator_inputs],
    )


def _interval(endpoint: str, result: Proportion | Rate) -> tuple[float, float, float, float] | str:
    """A group's risk of the event with its interval, as fractions, and the interval's level:
    a count's Wilson 95 % interval, a rate's reported CI; or why it has none."""
    free = endpoint in EVENT_FREE
    if isinstance(result, Proportion):
        if result.n is None:
            return "a percent reported without its count has no interval"
        wilson = stats.wilson(result.n, result.total)
        estimate, lower, upper, level = wilson.estimate, wilson.lower, wilson.upper, wilson.level
    else:
        ci = result.ci
        if ci is None:
            return "the rates are reported without CIs"
        if isinstance(ci.lower, str) or isinstance(ci.upper, str):
            return "a rate's CI has a limit that is not estimable"
        estimate, lower, upper = result.percent / 100, ci.lower / 100, ci.upper / 100
        level = float(ci.level)
        if not 0 <= lower <= estimate <= upper <= 1:
            return "a rate's CI does not contain the rate"
    if free:
        return 1 - estimate, 1 - upper, 1 - lower, level
    return estimate, lower, upper, level


# --- The figure and its words --------------------------------------------------------------


def _way(value: float) -> Way:
    return "fewer" if value < 0 else "more" if value > 0 else "none"


def _count(value: float) -> str:
    """A risk per 1000 as shown: a whole number; "<1" and ">999" where rounding would
    show a risk of none or of everyone that the figures do not say."""
    shown = ast.rounded(value)
    if shown == 0 and value > 0:
        return "<1"
    if shown == ast.PER and value < ast.PER:
        return f">{ast.PER - 1}"
    return str(shown)


def _change(value: float) -> str:
    """A difference per 1000 in words: "174 fewer", "12 more", "<1 fewer", "no difference"."""
    size = ast.rounded(abs(value))
    if value == 0:
        return "no difference"
    return f"{'<1' if size == 0 else size} {_way(value)}"


def _limit(value: float) -> str:
    return "0" if value == 0 else _change(value)


def _effect(
    study: Study,
    outcome: Outcome,
    *,
    method: Method,
    intervention: str,
    comparator: str,
    risks: tuple[float, float],
    intervention_limits: tuple[float, float] | None,
    difference_limits: tuple[float, float] | None,
    level: float | None,
    no_ci: str,
    basis: str,
    inputs: list[Input],
) -> AbsoluteEffect:
    comparator_risk, intervention_risk = risks
    difference = intervention_risk - comparator_risk
    event = EVENTS.get(outcome.endpoint, OTHER_EVENT)
    labels = study.group_label(intervention), study.group_label(comparator)
    if difference_limits is not None and level is not None:
        low, high = difference_limits
        ci = f"{fmt.number(level if level != int(level) else int(level))}% CI"
        after = f" ({ci} {_limit(low)} to {_limit(high)})"
    else:
        after = f" ({no_ci})" if no_ci else ""
    text = (
        f"{event[:1].upper()}{event[1:]} per {ast.PER}: {_count(comparator_risk)} with "
        f"{labels[1]}, {_count(intervention_risk)} with {labels[0]}; "
        f"{_change(difference)} per {ast.PER}{after}"
    )
    figure = DerivedFigure(
        about=f"{labels[0]} vs {labels[1]}",
        kind="absolute-effect",
        text=text,
        basis=basis,
        value=difference,
        lower=difference_limits[0] if difference_limits is not None else None,
        upper=difference_limits[1] if difference_limits is not None else None,
        level=level,
        unit="per-1000",
        groups=[intervention, comparator],
        inputs=inputs,
    )
    ilow, ihigh = intervention_limits if intervention_limits is not None else (None, None)
    dlow, dhigh = difference_limits if difference_limits is not None else (None, None)
    return AbsoluteEffect(
        text=text,
        reason=None,
        method=method,
        event=event,
        intervention=intervention,
        comparator=comparator,
        level=level,
        comparator_risk=ast.rounded(comparator_risk),
        intervention_risk=ast.rounded(intervention_risk),
        intervention_risk_lower=None if ilow is None else ast.rounded(ilow),
        intervention_risk_upper=None if ihigh is None else ast.rounded(ihigh),
        difference=ast.rounded(abs(difference)),
        difference_direction=_way(difference),
        difference_lower=None if dlow is None else ast.rounded(abs(dlow)),
        difference_lower_direction=None if dlow is None else _way(dlow),
        difference_upper=None if dhigh is None else ast.rounded(abs(dhigh)),
        difference_upper_direction=None if dhigh is None else _way(dhigh),
        unrounded={
            "comparator_risk": comparator_risk,
            "intervention_risk": intervention_risk,
            "intervention_risk_lower": ilow,
            "intervention_risk_upper": ihigh,
            "difference": difference,
            "difference_lower": dlow,
            "difference_upper": dhigh,
        },
        figure=figure,
    )


ABSOLUTE_LEGEND = (
    f"Absolute effects per {ast.PER} {MARK}: from an HR, risk with the intervention "
    "1 − S^HR, S the comparator's event-free rate at the timepoint (proportional hazards; "
    "GRADE 27, Skoetz 2020); from an RR or OR, RR × Rc or OR × Rc / (1 − Rc + OR × Rc), "
    "Rc the comparator's risk (GRADE 12, Guyatt 2013); CI from the ratio's limits. Without "
    "a ratio, the two arms' risks, with Newcombe's CI."
)
"""The legend of the absolute-effect column of a Summary-of-Findings table."""
