"""Figures blinacli derives from reported ones, kept apart from what the sources reported.

Views show each :class:`DerivedFigure` beside the reported figure it comes from,
marked with :data:`MARK` and explained by :data:`LEGEND`; JSON carries them
under their own ``derived`` key, each with its numbers (``value``, ``lower``,
``upper``, ``level``, ``unit``, ``inputs``) beside its text. Nothing here is ever
stored in evidence.

The figures come from the study's facts, never from the order its results are listed
in: which arm is the intervention comes from the arms' roles and the comparison's own
direction (:meth:`Study.intervention_of`), and whether a difference is a benefit or a
harm from the endpoint's better direction (:data:`BENEFIT_DIRECTION`).

For any valid study each figure is total: it has a finite value, or its value is None
and its text says why it has none (a number needed to treat over a million, a CI too
narrow for a standard error); it never shows ``inf`` or ``nan`` and never raises.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from blinacli.model import (
    COMPARATOR_ROLES,
    Comparison,
    MeasureResult,
    Outcome,
    Proportion,
    Rate,
    Study,
)
from blinacli.views import formatting as fmt
from blinacli.views import stats

MARK = "†"
LEGEND = f"{MARK} derived by blinacli from the reported figures; not reported by the source."

Direction = Literal["higher-is-better", "lower-is-better", "neither"]

BENEFIT_DIRECTION: dict[str, Direction] = {
    # Rates of a good outcome (being alive, event-free, in response).
    "overall-survival": "higher-is-better",
    "relapse-free-survival": "higher-is-better",
    "event-free-survival": "higher-is-better",
    "disease-free-survival": "higher-is-better",
    "progression-free-survival": "higher-is-better",
    "complete-mrd-response": "higher-is-better",
    "mrd-response": "higher-is-better",
    "complete-remission": "higher-is-better",
    "overall-response": "higher-is-better",
    # Rates of the event itself.
    "cumulative-incidence-of-relapse": "lower-is-better",
    "non-relapse-mortality": "lower-is-better",
    # A rate of remaining in response is of responders only, whose number differs by
    # arm: a difference between arms is not one per patient treated.
    "duration-of-response": "neither",
    # A transplant may be the aim or a sign of failure; a composite or an "other"
    # endpoint may count good and bad events together.
    "transplant-rate": "neither",
    "composite": "neither",
    "other": "neither",
}
"""Whether a higher rate of an endpoint in the intervention arm is a benefit
(higher-is-better), a harm (lower-is-better), or neither, for every term of the
vocabulary. Only the first two get a number needed to treat or harm."""

"""Arm roles that make an arm a comparator for each experimental arm, with or without a
comparison block."""


def benefit_direction(endpoint: str) -> Direction:
    """The better direction of an endpoint's rates; "neither" for any term not in
    :data:`BENEFIT_DIRECTION`."""
    return BENEFIT_DIRECTION.get(endpoint, "neither")


class Input(msgspec.Struct, frozen=True):
    """One reported number a derived figure was computed from."""

    name: str
    """What the number is: n, total, percent, estimate, ci-lower, ci-upper or ci-level."""
    value: float | int
    """The number as reported."""
    group: str | None
    """The id of the group it is reported for; None for a comparison's figures."""


class NumberNeeded(msgspec.Struct, frozen=True):
    """The number needed to treat or harm behind a risk difference, as numbers."""

    kind: Literal["to-treat", "to-harm"]
    value: int | None
    """Rounded up to a whole patient, as shown; None when over
    :data:`stats.MAX_NUMBER_NEEDED` (the text says why)."""
    unrounded: float | None
    """100 / |difference| before rounding up (17 points: 5.88); None when not computed."""


class DerivedFigure(msgspec.Struct, frozen=True, kw_only=True):
    """One derived figure: what it is about, its text, what it was derived from, and its
    numbers. A number that cannot be computed is None, and the text says why."""

    about: str
    """The group or the two groups it belongs to: "Blinatumomab", or "Blinatumomab vs
    Chemotherapy" (intervention first; for subgroups, the source's order)."""
    kind: str
    """wilson-interval, risk-difference (between two arms), group-difference (between
    groups that are not two arms: no number needed) or p-from-ci."""
    text: str
    """As shown, without the mark, e.g. "77.9% (Wilson 95% CI 69.4–84.5%)"."""
    basis: str
    """The reported figures it was derived from, e.g. "88/113"."""
    value: float | None
    """The figure: a proportion (0.7788), a difference in points (17) or a p-value."""
    lower: float | None
    """The lower limit of the figure's interval; None when it has none."""
    upper: float | None
    """The upper limit of the figure's interval; None when it has none."""
    level: float | None
    """The interval's confidence level in percent (95); None when it has none."""
    unit: str | None
    """proportion, percentage-points, or None (a p-value)."""
    groups: list[str]
    """The ids of the groups in ``about``, in that order."""
    inputs: list[Input]
    """The reported numbers it was computed from."""
    number_needed: NumberNeeded | None = None
    """For a risk difference between arms whose endpoint has a better direction: the
    number needed to treat or harm. None otherwise, and for equal rates."""


def _one_decimal(value: float) -> str:
    return f"{value:.1f}"


def proportion_figure(about: str, result: Proportion) -> DerivedFigure | None:
    """The percent of n/N to one decimal with its Wilson 95 % interval.

    None for a percent reported without its count ("52% of 60"): the interval needs
    the count, and a count is never derived back from a rounded percent.
    """
    if result.n is None:
        return None
    interval = stats.wilson(result.n, result.total)
    text = (
        f"{_one_decimal(100 * interval.estimate)}% (Wilson 95% CI "
        f"{_one_decimal(100 * interval.lower)}–{_one_decimal(100 * interval.upper)}%)"
    )
    return DerivedFigure(
        about=about,
        kind="wilson-interval",
        text=text,
        basis=f"{result.n}/{result.total}",
        value=interval.estimate,
        lower=interval.lower,
        upper=interval.upper,
        level=interval.level,
        unit="proportion",
        groups=[result.group],
        inputs=[Input("n", result.n, result.group), Input("total", result.total, result.group)],
    )


# --- Differences between two groups -------------------------------------------------------


class Share(msgspec.Struct, frozen=True):
    """One group's percent as a difference uses it, with how it was read."""

    group: str
    measure: Literal["rate", "proportion"]
    percent: float
    basis: str
    """How it reads in a figure's basis: "85%", "52% of 60 (reported percent)",
    "20/58 = 34.5% (percent from the count)"."""
    inputs: list[Input]


def share(result: Proportion | Rate) -> Share:
    """A rate's percent; a proportion's reported percent, else n/N as a percent."""
    group = result.group
    if isinstance(result, Rate):
        return Share(group, "rate", result.percent, fmt.percent(result.percent), [_input(result)])
    if result.percent is not None:
        basis = f"{fmt.percent(result.percent)} of {result.total} (reported percent)"
        return Share(group, "proportion", result.percent, basis, [_input(result)])
    assert result.n is not None  # the model requires a count or a percent
    percent = 100 * result.n / result.total
    basis = f"{result.n}/{result.total} = {_one_decimal(percent)}% (percent from the count)"
    inputs = [Input("n", result.n, group), Input("total", result.total, group)]
    return Share(group, "proportion", percent, basis, inputs)


def _input(result: Proportion | Rate) -> Input:
    assert result.percent is not None
    return Input("percent", result.percent, result.group)


def _difference_text(points: float) -> str:
    rounded = round(points, 1)
    shown = str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return f"{'+' if points > 0 else ''}{shown}"


_HIGHER_IS_BETTER: dict[Direction, bool | None] = {
    "higher-is-better": True,
    "lower-is-better": False,
    "neither": None,
}


def difference_figure(
    study: Study, outcome: Outcome, first: Share, second: Share, *, between_arms: bool
) -> DerivedFigure:
    """``first`` minus ``second`` in percentage points: between two arms (intervention
    first) a risk difference, with the number needed to treat or harm when the endpoint
    has a better direction; else a plain difference, which is not an effect of treatment.

    Rates are differenced only at a stated timepoint (a survival rate without its time
    cannot be read); proportions count over the whole analysis and need none. A rate is
    never set against a proportion: they estimate in different ways.
    """
    labels = [study.group_label(first.group), study.group_label(second.group)]
    basis = f"{first.basis} vs {second.basis}"
    if outcome.timepoint is not None:
        basis += f" at {outcome.timepoint.label}"
    reason = None
    if first.measure != second.measure:
        reason = f"{labels[0]} reports a {first.measure} and {labels[1]} a {second.measure}"
    elif first.measure == "rate" and outcome.timepoint is None:
        reason = "the outcome states no timepoint for its rates"
    direction = benefit_direction(outcome.endpoint) if between_arms else "neither"
    if reason is None:
        result = stats.risk_difference(
            first.percent, second.percent, higher_is_better=_HIGHER_IS_BETTER[direction]
        )
        text, needed = _difference_words(study, outcome, first, second, result, between_arms)
        value: float | None = result.difference_points
    else:
        text, needed, value = f"no difference computed: {reason}", None, None
    return DerivedFigure(
        about=" vs ".join(labels),
        kind="risk-difference" if between_arms else "group-difference",
        text=text,
        basis=basis,
        value=value,
        lower=None,
        upper=None,
        level=None,
        unit="percentage-points" if value is not None else None,
        groups=[first.group, second.group],
        inputs=[*first.inputs, *second.inputs],
        number_needed=needed,
    )


def _difference_words(
    study: Study,
    outcome: Outcome,
    first: Share,
    second: Share,
    result: stats.RiskDifference,
    between_arms: bool,
) -> tuple[str, NumberNeeded | None]:
    text = f"difference {_difference_text(result.difference_points)} percentage points"
    if not between_arms:
        both_subgroups = not (study.is_arm(first.group) or study.is_arm(second.group))
        where = " between subgroups" if both_subgroups else ", not between two arms"
        return f"{text}{where}; not an effect of treatment", None
    if benefit_direction(outcome.endpoint) == "neither":
        if result.difference_points != 0:
            text += "; the endpoint has no better direction: not read as a benefit or a harm"
        return text, None
    if result.benefit is None:  # equal rates
        return text, None
    kind: Literal["to-treat", "to-harm"] = "to-treat" if result.benefit else "to-harm"
    words = kind.replace("-", " ")
    needed = NumberNeeded(
        kind, result.number_needed, stats.unrounded_number_needed(result.difference_points)
    )
    if result.number_needed is not None:
        return f"{text}; number needed {words} {result.number_needed}", needed
    return (
        f"{text}; number needed {words} not computed (over {stats.MAX_NUMBER_NEEDED:,} "
        f"for a difference under {100 / stats.MAX_NUMBER_NEEDED:g} points)",
        needed,
    )


def pairs(study: Study, outcome: Outcome) -> list[tuple[str, str, bool]]:
    """The (first, second, between_arms) pairs of groups an outcome's differences are for.

    First the comparison block's two groups: between arms, the intervention first
    (:meth:`Study.intervention_of`); between subgroups, or an arm and a subgroup, in the
    source's order. Then each experimental arm against each comparator arm
    (:data:`COMPARATOR_ROLES`), in the design's order of arms. Subgroups are set against
    each other only when the source compares them.
    """
    found: list[tuple[str, str, bool]] = []
    comparison = outcome.comparison
    if comparison is not None:
        first, second = comparison.groups
        intervention = study.intervention_of(comparison)
        if intervention is None:
            found.append((first, second, False))
        else:
            other = second if intervention == first else first
            found.append((intervention, other, True))
    experimental = [a.id for a in study.design.arms if a.role == "experimental"]
    comparators = [a.id for a in study.design.arms if a.role in COMPARATOR_ROLES]
    for arm in experimental:
        for comparator in comparators:
            if not any({arm, comparator} == {a, b} for a, b, _ in found):
                found.append((arm, comparator, True))
    return found


def _shares(outcome: Outcome) -> dict[str, list[Share]]:
    """Each group's rates and proportions, in an order of their own (not the file's)."""
    by_group: dict[str, list[Share]] = {}
    for result in outcome.results:
        if isinstance(result, Proportion | Rate):
            by_group.setdefault(result.group, []).append(share(result))
    for shares in by_group.values():
        shares.sort(key=lambda s: (s.measure, s.percent, s.basis))
    return by_group


def pair_figure(
    study: Study, outcome: Outcome, first: str, second: str, *, between_arms: bool
) -> DerivedFigure | None:
    """The difference between two groups of an outcome; None unless both report a rate or a
    proportion. A group with two of them has no difference, and the figure says so."""
    by_group = _shares(outcome)
    one, other = by_group.get(first, []), by_group.get(second, [])
    if not one or not other:
        return None
    if len(one) == 1 and len(other) == 1:
        return difference_figure(study, outcome, one[0], other[0], between_arms=between_arms)
    crowded = first if len(one) > 1 else second
    reason = f"{study.group_label(crowded)} has {len(by_group[crowded])} rates or proportions"
    return DerivedFigure(
        about=f"{study.group_label(first)} vs {study.group_label(second)}",
        kind="risk-difference" if between_arms else "group-difference",
        text=f"no difference computed: {reason} in this outcome",
        basis=" vs ".join("; ".join(s.basis for s in shares) for shares in (one, other)),
        value=None,
        lower=None,
        upper=None,
        level=None,
        unit=None,
        groups=[first, second],
        inputs=[i for shares in (one, other) for s in shares for i in s.inputs],
    )


# --- The p-value a CI implies --------------------------------------------------------------


def _p_text(p: float) -> str:
    if p < 0.0001:
        return "P < 0.0001"
    return f"P ≈ {p:.2g}"


def comparison_figure(study: Study, comparison: Comparison) -> DerivedFigure | None:
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
    value: float | None
    try:
        test = stats.ratio_test(
            float(comparison.estimate), float(ci.lower), float(ci.upper), float(ci.level)
        )
    except stats.NotComputable as reason:
        text, value = f"no P implied by the CI: {reason}", None
    else:
        text, value = f"{_p_text(test.p)} implied by the CI", test.p
    return DerivedFigure(
        about=" vs ".join(study.group_label(g) for g in comparison.groups),
        kind="p-from-ci",
        text=text,
        basis=fmt.ratio(comparison),
        value=value,
        lower=None,
        upper=None,
        level=None,
        unit=None,
        groups=list(comparison.groups),
        inputs=[
            Input("estimate", comparison.estimate, None),
            Input("ci-lower", ci.lower, None),
            Input("ci-upper", ci.upper, None),
            Input("ci-level", ci.level, None),
        ],
    )


# --- Every figure of an outcome -------------------------------------------------------------


def _group_rank(study: Study, result: MeasureResult) -> tuple[int, str, int, int]:
    """Where a group's figure goes: arms in the design's order, then subgroups in the
    population's, whatever order the results are listed in."""
    ids = [a.id for a in study.design.arms] + [s.id for s in study.population.subgroups]
    rank = ids.index(result.group) if result.group in ids else len(ids)
    if isinstance(result, Proportion):
        return rank, result.group, result.n or 0, result.total
    return rank, result.group, 0, 0


def outcome_figures(study: Study, outcome: Outcome) -> list[DerivedFigure]:
    """Every figure derived for one outcome: each group's Wilson interval, the compared
    groups' difference and the p-value their CI implies, then the difference of each
    other experimental arm against each comparator arm. The same whatever order the
    outcome lists its results in."""
    proportions = sorted(
        (r for r in outcome.results if isinstance(r, Proportion)),
        key=lambda r: _group_rank(study, r),
    )
    figures = [
        figure
        for r in proportions
        if (figure := proportion_figure(study.group_label(r.group), r)) is not None
    ]
    # With a comparison block, its two groups are the first pair: the p-value its CI
    # implies follows their difference.
    for index, (first, second, between_arms) in enumerate(pairs(study, outcome)):
        figure = pair_figure(study, outcome, first, second, between_arms=between_arms)
        if figure is not None:
            figures.append(figure)
        if index == 0 and outcome.comparison is not None:
            implied = comparison_figure(study, outcome.comparison)
            if implied is not None:
                figures.append(implied)
    return figures


def figure_json(figure: DerivedFigure) -> dict[str, Any]:
    """A derived figure as JSON data: its text and its numbers (JSON numbers or null)."""
    return msgspec.to_builtins(figure)  # type: ignore[no-any-return]


def cell_texts(figures: list[DerivedFigure]) -> list[str]:
    """The figures as a narrow cell shows them, each without its mark, beside text that
    already names the groups: a group's figure after its group ("Blinatumomab: 77.9% …");
    a figure between two groups with its basis, and after its groups only when the
    outcome has figures for more than one pair (three arms), so each is told apart."""
    named = len({f.about for f in figures if len(f.groups) == 2}) > 1
    return [
        f"{f.about}: {f.text}"
        if len(f.groups) == 1
        else (f"{f.about}: " if named else "") + f"{f.text} (from {f.basis})"
        for f in figures
    ]
