"""Forest plots of reported ratio estimates: the plot data every format draws.

Rows, axis, ticks, positions on the log scale and legends live here; the terminal drawing
(:mod:`blinacli.render.forest_terminal`) and the SVG layout of the HTML documents
(:mod:`blinacli.render.forest_svg`) are made from them by the renderers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal

import msgspec

from blinacli.model import (
    CI,
    ENDPOINT_NAMES,
    NOT_ESTIMABLE,
    Comparison,
    Outcome,
    Study,
    vocabulary,
)
from blinacli.views import formatting as fmt
from blinacli.views.covered import credit_for

Side = Literal["left", "right"]
"""The side of the line of no effect (1) whose ratios favour the intervention."""

MEASURE_LABELS = {
    "hazard-ratio": "Hazard ratio",
    "odds-ratio": "Odds ratio",
    "risk-ratio": "Risk ratio",
}
FAVOURS_INTERVENTION = "favours intervention"
FAVOURS_COMPARATOR = "favours comparator"
RANDOMIZED_MARK = "■ randomized comparison"
NOT_RANDOMIZED_MARK = "◇ not randomized (e.g. landmark)"
LEGEND = f"{RANDOMIZED_MARK} · {NOT_RANDOMIZED_MARK}"
"""Both markers; a plot's own :attr:`ForestPlot.legend` names only those it draws."""
ARROW_LEGEND = "◄ ► a confidence limit beyond the axis or not estimable"
AXIS_CAP = (0.01, 100)
"""Confidence limits are drawn up to this range; further limits end in an arrow.
The axis always reaches every estimate, and 1."""
_MARGIN = 1.15
"""Room kept on the log scale between the outermost value and the axis end."""
_MAX_TICKS = 9

# --- Which side favours the intervention -------------------------------------------------
#
# A ratio compares the intervention (the comparison's first group) with the comparator.
# Whether a ratio below 1 is good depends on what the ratio is of:
#
# - the hazard ratio of a survival or duration endpoint is the hazard of the event that
#   ends it (death, relapse, progression): below 1 favours the intervention;
# - relapse incidence and non-relapse mortality are themselves events: any ratio of them
#   below 1 favours the intervention;
# - an odds or risk ratio of a response or remission is of a good outcome: above 1
#   favours the intervention.
#
# Every other pair (an odds ratio of "overall survival", which could be of surviving or
# of dying; transplant rate; "other") gets no "favours" labels rather than a guess.

_TIME_TO_EVENT = vocabulary.TIME_TO_EVENT
_EVENTS = vocabulary.EVENT_INCIDENCE
_RESPONSES = frozenset(
    {"complete-mrd-response", "mrd-response", "complete-remission", "overall-response"}
)


def intervention_side(endpoint: str, measure: str) -> Side | None:
    """Where ratios favouring the intervention lie: "left" (below 1), "right", or None."""
    if endpoint in _EVENTS or (measure == "hazard-ratio" and endpoint in _TIME_TO_EVENT):
        return "left"
    if measure in ("odds-ratio", "risk-ratio") and endpoint in _RESPONSES:
        return "right"
    return None


# --- Plot data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ForestRow:
    """One study's reported ratio, ready to draw; limits stay as reported."""

    study_id: str
    acronym: str
    outcome_id: str
    endpoint: str
    outcome: str
    """The source's own label for the analysis."""
    groups: str
    """The comparison's groups by label: "Intervention vs Comparator"."""
    estimate: float | int
    lower: float | int | None
    """The lower confidence limit; None when reported "not estimable"."""
    upper: float | int | None
    """The upper confidence limit; None when reported "not estimable"."""
    level: float | int
    """The confidence level in percent (95, 90)."""
    value: str
    """The ratio and CI as written by formatting, e.g. "HR 0.41 (95% CI 0.23–0.73)"."""
    randomized: bool
    """False for a landmark analysis or a comparison in a study that is not randomized."""
    note: str
    """Why the row is not randomized ("not randomized: landmark analysis"), or ""."""
    sources: list[str]

    @property
    def label(self) -> str:
        return f"{self.acronym} — {self.outcome}"


@dataclass(frozen=True)
class OmittedRow:
    """A ratio estimate that cannot be drawn, and why."""

    study_id: str
    acronym: str
    outcome_id: str
    outcome: str
    value: str
    reason: str
    sources: list[str]


@dataclass(frozen=True)
class ForestPlot:
    """Ratio estimates of one measure for an endpoint, on a shared log-scale axis.

    ``forest_plots`` builds one plot per measure (and side of benefit): hazard ratios
    and odds ratios do not share an axis. Markers have one size: there are no weights
    and no pooled estimate, since the studies differ in design and population.
    """

    id: str
    """An HTML id, unique among one call's plots: "forest-overall-survival-hazard-ratio"."""
    title: str
    """What is plotted, e.g. "Hazard ratios for overall survival"."""
    endpoint: str
    measure: str
    measure_label: str
    """The axis title, e.g. "Hazard ratio (log scale)"."""
    rows: list[ForestRow]
    omitted: list[OmittedRow]
    """Estimates of this measure with no numeric confidence limit, left out of the drawing."""
    low: float | int
    high: float | int
    """The axis ends, rungs of 0.1, 0.25, 0.5, 1, 2, 4, 10 …; 1 lies strictly between."""
    ticks: list[float | int]
    intervention_side: Side | None
    favours_left: str
    """The label left of 1: "favours intervention", "favours comparator", or "" if unknown."""
    favours_right: str

    def past_low(self, row: ForestRow) -> bool:
        """True when the lower limit is drawn as an arrow to the left edge."""
        return row.lower is None or row.lower < self.low

    def past_high(self, row: ForestRow) -> bool:
        return row.upper is None or row.upper > self.high

    def tick_label(self, tick: float | int) -> str:
        return fmt.number(tick)

    @property
    def axis_description(self) -> str:
        """What the axis means, in one sentence."""
        text = (
            f"{self.title}, on a log scale from {fmt.number(self.low)} to "
            f"{fmt.number(self.high)}; the line of no effect is at 1"
        )
        if self.intervention_side == "left":
            text += "; ratios below 1 favour the intervention, above 1 the comparator"
        elif self.intervention_side == "right":
            text += "; ratios above 1 favour the intervention, below 1 the comparator"
        else:
            text += "; which side favours the intervention is not set for this endpoint"
        return text + "."

    @property
    def row_descriptions(self) -> list[str]:
        """One sentence per row: who, what, the value, and whether it is randomized."""
        sentences = []
        for row in self.rows:
            text = f"{row.acronym}, {row.outcome} ({row.groups}): {row.value}"
            if row.note:
                text += f"; {row.note}"
            sentences.append(text + ".")
        return sentences

    @property
    def description(self) -> str:
        """The text alternative of the drawing: one sentence per row, then the axis."""
        return " ".join([*self.row_descriptions, self.axis_description])

    @property
    def legend(self) -> str:
        """What the markers drawn mean: a plot of randomized rows alone explains only ■,
        one of landmark or single-arm rows alone only ◇."""
        marks = [RANDOMIZED_MARK] if any(row.randomized for row in self.rows) else []
        if not all(row.randomized for row in self.rows):
            marks.append(NOT_RANDOMIZED_MARK)
        return " · ".join(marks)

    @property
    def has_arrows(self) -> bool:
        return any(self.past_low(r) or self.past_high(r) for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def forest_plots(studies: Sequence[Study], endpoint_terms: Sequence[str]) -> list[ForestPlot]:
    """The forest plots of the outcomes of ``endpoint_terms``: one per measure, maybe none.

    A plot holds every comparison with a ratio estimate and at least one numeric
    confidence limit, in study and outcome order (the order of the Summary-of-Findings
    rows). Pass ``OutcomesView.covers`` as ``endpoint_terms``; the first term names the
    plot. A measure whose estimates all lack numeric limits gets no plot: its rows are
    in the table above it anyway.
    """
    terms = list(endpoint_terms)
    collected: dict[tuple[str, Side | None], tuple[list[ForestRow], list[OmittedRow]]] = {}
    for study in studies:
        for outcome in study.outcomes:
            comparison = outcome.comparison
            if outcome.endpoint not in terms or comparison is None:
                continue
            if comparison.measure is None or comparison.estimate is None:
                continue
            key = (comparison.measure, intervention_side(outcome.endpoint, comparison.measure))
            rows, omitted = collected.setdefault(key, ([], []))
            ci = comparison.ci
            direction = _direction_problem(study, comparison)
            if direction is not None:
                omitted.append(_omitted(study, outcome, comparison, direction))
            elif ci is None:
                omitted.append(
                    _omitted(study, outcome, comparison, "no confidence interval reported")
                )
            elif isinstance(ci.lower, str) and isinstance(ci.upper, str):
                reason = f"both confidence limits {NOT_ESTIMABLE}"
                omitted.append(_omitted(study, outcome, comparison, reason))
            else:
                rows.append(_row(study, outcome, comparison, comparison.estimate, ci))
    plots: list[ForestPlot] = []
    for (measure, side), (rows, omitted) in collected.items():
        if rows:
            plot_id = f"forest-{terms[0]}-{measure}"
            if any(p.id == plot_id for p in plots):
                plot_id += f"-{len(plots) + 1}"
            plots.append(_plot(plot_id, terms[0], measure, side, rows, omitted))
    return plots


def _direction_problem(study: Study, comparison: Comparison) -> str | None:
    """Why a ratio cannot sit on an axis whose sides favour the intervention or the
    comparator: it compares subgroups (no intervention), or the source gives it as
    comparator vs intervention (plotting it would need its inverse, a derived figure)."""
    intervention = study.intervention_of(comparison)
    if intervention is None:
        return "a comparison of subgroups, not of arms: no side favours an intervention"
    if intervention != comparison.groups[0]:
        return "reported as comparator vs intervention; its inverse is not derived"
    return None


def _omitted(study: Study, outcome: Outcome, comparison: Comparison, reason: str) -> OmittedRow:
    return OmittedRow(
        study_id=study.id,
        acronym=study.acronym,
        outcome_id=outcome.id,
        outcome=outcome.label,
        value=_value(comparison),
        reason=reason,
        sources=_sources(comparison),
    )


def _sources(comparison: Comparison) -> list[str]:
    """The sources of what a row shows, the ratio and its CI (not the p-value)."""
    return credit_for(comparison.cite, comparison.estimate, comparison.ci)


def _value(comparison: Comparison) -> str:
    """The ratio and its CI without the p-value, as formatting writes them."""
    return fmt.comparison(msgspec.structs.replace(comparison, p=None))


def _limit(value: float | int | str) -> float | int | None:
    return None if isinstance(value, str) else value


def _row(
    study: Study, outcome: Outcome, comparison: Comparison, estimate: float | int, ci: CI
) -> ForestRow:
    intervention, comparator = comparison.groups
    randomized = study.design.allocation == "randomized" and outcome.role != "landmark"
    if outcome.role == "landmark":
        note = "not randomized: landmark analysis"
    elif not randomized:
        note = f"not randomized: {study.design.allocation} study"
    else:
        note = ""
    return ForestRow(
        study_id=study.id,
        acronym=study.acronym,
        outcome_id=outcome.id,
        endpoint=outcome.endpoint,
        outcome=outcome.label,
        groups=f"{study.group_label(intervention)} vs {study.group_label(comparator)}",
        estimate=estimate,
        lower=_limit(ci.lower),
        upper=_limit(ci.upper),
        level=ci.level,
        value=_value(comparison),
        randomized=randomized,
        note=note,
        sources=_sources(comparison),
    )


def _plot(
    plot_id: str,
    endpoint: str,
    measure: str,
    side: Side | None,
    rows: list[ForestRow],
    omitted: list[OmittedRow],
) -> ForestPlot:
    low, high = _axis(rows)
    favours = {"left": FAVOURS_INTERVENTION, "right": FAVOURS_COMPARATOR}
    if side == "right":
        favours = {"left": FAVOURS_COMPARATOR, "right": FAVOURS_INTERVENTION}
    elif side is None:
        favours = {"left": "", "right": ""}
    name = MEASURE_LABELS[measure]
    return ForestPlot(
        id=plot_id,
        title=f"{name}s for {ENDPOINT_NAMES.get(endpoint, endpoint)}",
        endpoint=endpoint,
        measure=measure,
        measure_label=f"{name} (log scale)",
        rows=rows,
        omitted=omitted,
        low=low,
        high=high,
        ticks=_ticks(low, high),
        intervention_side=side,
        favours_left=favours["left"],
        favours_right=favours["right"],
    )


# --- The axis ------------------------------------------------------------------------------

_STEPS = (Decimal("0.5"), Decimal("0.25"), Decimal("0.1"))
"""The rungs below 1 in each decade; the rungs above 1 are their reciprocals (2, 4, 10)."""


def _rungs_below(floor: float) -> list[Decimal]:
    """0.5, 0.25, 0.1, 0.05 … down to the first rung at or below ``floor``."""
    rungs: list[Decimal] = []
    decade = 0
    while not rungs or rungs[-1] > Decimal(repr(floor)):
        rungs += [step.scaleb(-decade) for step in _STEPS]
        decade += 1
    return rungs


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _axis(rows: list[ForestRow]) -> tuple[float | int, float | int]:
    """Axis ends: the rungs just past every estimate, every limit in AXIS_CAP, and 1."""
    cap_low, cap_high = AXIS_CAP
    values: list[float] = [1.0]
    for row in rows:
        values.append(float(row.estimate))
        if row.lower is not None and row.lower > 0:
            values.append(max(float(row.lower), cap_low))
        # A ratio's limit of 0 has no place on a log axis, at either end.
        if row.upper is not None and row.upper > 0:
            values.append(min(float(row.upper), cap_high))
    smallest = min(values) / _MARGIN
    largest = max(values) * _MARGIN
    low = next(r for r in _rungs_below(smallest) if r <= Decimal(repr(smallest)))
    highs = [1 / r for r in _rungs_below(1 / largest)]
    high = next(r for r in highs if r >= Decimal(repr(largest)))
    return _number(low), _number(high)


def _ticks(low: float | int, high: float | int) -> list[float | int]:
    """Rungs from ``low`` to ``high``; past nine, only powers of ten (and fewer if need be)."""
    below = [r for r in _rungs_below(low) if r >= Decimal(repr(low))]
    above = [1 / r for r in _rungs_below(1 / high) if 1 / r <= Decimal(repr(high))]
    rungs = sorted([*below, Decimal(1), *above])
    if len(rungs) > _MAX_TICKS:
        rungs = [r for r in rungs if r.log10() == r.log10().to_integral_value()]
        step = math.ceil(len(rungs) / _MAX_TICKS)
        one = rungs.index(Decimal(1))
        rungs = [r for i, r in enumerate(rungs) if (i - one) % step == 0]
    return [_number(r) for r in rungs]


def position(value: float | int, plot: ForestPlot, width: float) -> float:
    """Where ``value`` lies on the plot's log-scale axis drawn ``width`` long, in [0, width].

    Values past an end (and 0, which a log scale cannot show) sit at that end.
    """
    if value <= 0:
        return 0.0
    low, high = math.log(plot.low), math.log(plot.high)
    offset = (math.log(value) - low) / (high - low) * width
    return min(max(offset, 0.0), float(width))
