"""Forest plots of reported ratio estimates: plot data, a terminal drawing and an SVG layout."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from blinacli.model import (
    CI,
    ENDPOINT_NAMES,
    NOT_ESTIMABLE,
    Comparison,
    Outcome,
    Study,
    source_ids,
    vocabulary,
)
from blinacli.views import formatting as fmt

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text

Side = Literal["left", "right"]
"""The side of the line of no effect (1) whose ratios favour the intervention."""

MEASURE_LABELS = {
    "hazard-ratio": "Hazard ratio",
    "odds-ratio": "Odds ratio",
    "risk-ratio": "Risk ratio",
}
FAVOURS_INTERVENTION = "favours intervention"
FAVOURS_COMPARATOR = "favours comparator"
LEGEND = "■ randomized comparison · ◇ not randomized (e.g. landmark)"
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
    def has_arrows(self) -> bool:
        return any(self.past_low(r) or self.past_high(r) for r in self.rows)

    def layout(self, width: int = 720) -> ForestLayout:
        """Plain coordinates for an SVG drawing ``width`` units wide (at least 480)."""
        return _svg_layout(self, max(width, 480))

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
            if ci is None:
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


def _omitted(study: Study, outcome: Outcome, comparison: Comparison, reason: str) -> OmittedRow:
    return OmittedRow(
        study_id=study.id,
        acronym=study.acronym,
        outcome_id=outcome.id,
        outcome=outcome.label,
        value=_value(comparison),
        reason=reason,
        sources=source_ids(comparison.cite),
    )


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
        sources=source_ids(comparison.cite),
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
        if row.upper is not None:
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


# --- Terminal --------------------------------------------------------------------------------

PLOT_COLUMNS = 30
"""The width of the drawing area at 72 columns and more; narrower consoles get less."""


def render_forest(plot: ForestPlot) -> RenderableType:
    """The plot for a terminal: label, drawing and value per row, the axis, the legend.

    Lines are built for the console's width, so nothing is cut: labels and values fold.
    """
    return _TerminalForest(plot)


class _TerminalForest:
    def __init__(self, plot: ForestPlot) -> None:
        self.plot = plot

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len
        from rich.text import Text

        from blinacli.render.terminal import text

        plot = self.plot
        width = options.max_width
        area = PLOT_COLUMNS if width >= 72 else max(10, (width - 2) // 3)
        rest = width - area - 2
        longest = max(cell_len(row.value) for row in plot.rows)
        value_width = max(1, min(longest, rest - max(8, rest * 2 // 5)))
        label_width = max(1, rest - value_width)
        indent = " " * (label_width + 1)
        null = round(position(1, plot, area - 1))

        yield text(plot.title, "bold")
        yield Text(indent + plot.measure_label.center(area).rstrip(), style="dim")
        for index, row in enumerate(plot.rows):
            labels = text(row.label).wrap(console, label_width, overflow="fold")
            values = text(row.value).wrap(console, value_width, overflow="fold")
            values.extend(text(row.groups, "dim").wrap(console, value_width, overflow="fold"))
            if row.note:
                values.extend(text(row.note, "italic").wrap(console, value_width, overflow="fold"))
            if index:
                yield _line(Text(indent), _null_only(area, null))
            for i in range(max(len(labels), len(values))):
                label = labels[i] if i < len(labels) else Text()
                label.append(" " * (label_width - cell_len(label.plain) + 1))
                drawing = _whisker(plot, row, area) if i == 0 else _null_only(area, null)
                value = values[i] if i < len(values) else Text()
                yield _line(label, drawing, Text(" "), value)
        yield _line(Text(indent), Text(_axis_line(plot, area)))
        yield _line(Text(indent), Text(_tick_labels(plot, area), style="dim"))
        if plot.favours_left:
            yield from _favours(plot, label_width + 1 + null, width)
        else:
            yield text("Which side favours the intervention is not set for this endpoint.", "dim")
        yield text(LEGEND, "dim")
        if plot.has_arrows:
            yield text(ARROW_LEGEND, "dim")
        for item in plot.omitted:
            yield text(
                f"Not drawn: {item.acronym} — {item.outcome}: {item.value} ({item.reason})", "dim"
            )


def _line(*parts: Text) -> Text:
    from rich.text import Text

    line = Text()
    for part in parts:
        line.append_text(part)
    line.rstrip()
    return line


def _null_only(area: int, null: int) -> Text:
    from rich.text import Text

    return Text(" " * null + "│" + " " * (area - null - 1), style="dim")


def _whisker(plot: ForestPlot, row: ForestRow, area: int) -> Text:
    """One row's drawing: ├──■──┤ across the CI, ◄ or ► where a limit is past the axis."""
    from rich.text import Text

    def cell(value: float | int) -> int:
        return round(position(value, plot, area - 1))

    null = cell(1)
    start = 0 if plot.past_low(row) or row.lower is None else cell(row.lower)
    end = area - 1 if plot.past_high(row) or row.upper is None else cell(row.upper)
    cells = [" "] * area
    cells[null] = "│"
    dash = "─" if row.randomized else "╌"
    for i in range(start, end + 1):
        cells[i] = "┼" if i == null else dash
    cells[start] = "◄" if plot.past_low(row) else "├"
    cells[end] = "►" if plot.past_high(row) else "┤"
    marker = cell(row.estimate)
    cells[marker] = "■" if row.randomized else "◇"
    drawing = Text("".join(cells))
    drawing.stylize("dim", null, null + 1)
    drawing.stylize("bold", marker, marker + 1)
    return drawing


def _axis_line(plot: ForestPlot, area: int) -> str:
    cells = ["─"] * area
    for tick in plot.ticks:
        cells[round(position(tick, plot, area - 1))] = "┬"
    cells[round(position(1, plot, area - 1))] = "┼"
    return "".join(cells)


def _tick_labels(plot: ForestPlot, area: int) -> str:
    """Tick labels centred on their ticks; 1 first, then outwards, skipping any that collide."""
    cells = [" "] * area
    taken: list[tuple[int, int]] = []
    for tick in sorted(plot.ticks, key=lambda t: abs(math.log(t))):
        label = plot.tick_label(tick)
        centre = round(position(tick, plot, area - 1))
        start = min(max(centre - (len(label) - 1) // 2, 0), area - len(label))
        end = start + len(label)
        if start < 0 or any(start <= b and a <= end for a, b in taken):
            continue
        cells[start:end] = list(label)
        taken.append((start, end))
    return "".join(cells)


def _favours(plot: ForestPlot, null: int, width: int) -> RenderResult:
    """The "favours …" labels, ending left of the line of no effect and starting right of it."""
    from rich.text import Text

    left = f"◄ {plot.favours_left}"
    right = f"{plot.favours_right} ►"
    start = max(0, null - 1 - len(left))
    line = " " * start + left
    gap = max(3, null + 2 - len(line))
    if len(line) + gap + len(right) <= width:
        yield Text(line + " " * gap + right)
    else:
        yield Text(line)
        yield Text(" " * max(0, min(null + 2, width - len(right))) + right)


# --- SVG layout ------------------------------------------------------------------------------

_LINE = 15.0
"""The distance between baselines, for a 12-unit font."""
_CHAR = 7.0
"""A generous width of one character of a 12-unit sans-serif font, for wrapping."""
_EDGE = 8.0


@dataclass(frozen=True)
class SvgText:
    """One line of text; ``kind`` selects its look in the template."""

    x: float
    y: float
    text: str
    anchor: Literal["start", "middle", "end"]
    kind: Literal["heading", "label", "value", "groups", "note", "tick", "favours"]


@dataclass(frozen=True)
class SvgRow:
    """One row's drawing: a whisker at height ``y``, its marker and arrows, its texts."""

    y: float
    x_lower: float
    x_upper: float
    x_estimate: float
    randomized: bool
    """A filled square marks a randomized row; a hollow diamond and a dashed whisker the rest."""
    marker_x: float
    marker_y: float
    marker_size: float
    """The square's corner and side."""
    diamond: str
    """The points of a hollow diamond around the estimate ("x,y x,y x,y x,y")."""
    caps: list[float]
    """The x of a short upright line at each limit drawn as a number."""
    cap_y1: float
    cap_y2: float
    arrows: list[str]
    """Points of a triangle at each edge where a limit is past the axis or not estimable."""
    texts: list[SvgText]


@dataclass(frozen=True)
class SvgTick:
    x: float
    y1: float
    y2: float
    label: SvgText


@dataclass(frozen=True)
class ForestLayout:
    """Everything an SVG template needs, as plain numbers and strings."""

    width: float
    height: float
    view_box: str
    title_id: str
    desc_id: str
    plot_left: float
    plot_right: float
    x_null: float
    rows_top: float
    axis_y: float
    rows: list[SvgRow]
    ticks: list[SvgTick]
    texts: list[SvgText]
    """Column headings and the "favours …" labels."""


def _wrap(value: str, chars: int) -> list[str]:
    return textwrap.wrap(value, chars, break_long_words=True, break_on_hyphens=False) or [""]


def _r(value: float) -> float:
    return round(value, 1)


def _svg_layout(plot: ForestPlot, width: int) -> ForestLayout:
    plot_left = _r(width * 0.31)
    plot_right = _r(width * 0.66)
    value_x = plot_right + 12
    label_chars = int((plot_left - 12 - _EDGE) / _CHAR)
    value_chars = int((width - _EDGE - value_x) / _CHAR)
    span = plot_right - plot_left

    def x(value: float | int) -> float:
        return _r(plot_left + position(value, plot, span))

    heading_y = 16.0
    texts = [
        SvgText(_EDGE, heading_y, "Study — analysis", "start", "heading"),
        SvgText(
            _r((plot_left + plot_right) / 2), heading_y, plot.measure_label, "middle", "heading"
        ),
        SvgText(value_x, heading_y, "Estimate (CI)", "start", "heading"),
    ]
    rows_top = 26.0
    y = rows_top
    rows: list[SvgRow] = []
    for row in plot.rows:
        left = [SvgText(_EDGE, 0, t, "start", "label") for t in _wrap(row.label, label_chars)]
        right = [SvgText(value_x, 0, t, "start", "value") for t in _wrap(row.value, value_chars)]
        right += [SvgText(value_x, 0, t, "start", "groups") for t in _wrap(row.groups, value_chars)]
        if row.note:
            right += [SvgText(value_x, 0, t, "start", "note") for t in _wrap(row.note, value_chars)]
        placed = [
            SvgText(t.x, _r(y + 13 + i * _LINE), t.text, t.anchor, t.kind)
            for column in (left, right)
            for i, t in enumerate(column)
        ]
        middle = _r(y + 9)
        x_lower = plot_left if plot.past_low(row) or row.lower is None else x(row.lower)
        x_upper = plot_right if plot.past_high(row) or row.upper is None else x(row.upper)
        arrows = []
        if plot.past_low(row):
            arrows.append(
                _points([(x_lower, middle), (x_lower + 7, middle - 4), (x_lower + 7, middle + 4)])
            )
        if plot.past_high(row):
            arrows.append(
                _points([(x_upper, middle), (x_upper - 7, middle - 4), (x_upper - 7, middle + 4)])
            )
        centre = x(row.estimate)
        rows.append(
            SvgRow(
                y=middle,
                x_lower=x_lower,
                x_upper=x_upper,
                x_estimate=centre,
                randomized=row.randomized,
                marker_x=_r(centre - 4.5),
                marker_y=_r(middle - 4.5),
                marker_size=9.0,
                diamond=_points(
                    [
                        (centre, middle - 6),
                        (centre + 6, middle),
                        (centre, middle + 6),
                        (centre - 6, middle),
                    ]
                ),
                caps=[
                    *([] if plot.past_low(row) else [x_lower]),
                    *([] if plot.past_high(row) else [x_upper]),
                ],
                cap_y1=_r(middle - 4),
                cap_y2=_r(middle + 4),
                arrows=arrows,
                texts=placed,
            )
        )
        y += max(len(left), len(right)) * _LINE + 10
    axis_y = _r(y + 4)
    ticks = [
        SvgTick(
            x(t),
            axis_y,
            axis_y + 5,
            SvgText(x(t), axis_y + 18, plot.tick_label(t), "middle", "tick"),
        )
        for t in plot.ticks
    ]
    x_null = x(1)
    height = axis_y + 28
    if plot.favours_left:
        favours_y = axis_y + 36
        texts += [
            SvgText(_r(x_null - 6), favours_y, f"◄ {plot.favours_left}", "end", "favours"),
            SvgText(_r(x_null + 6), favours_y, f"{plot.favours_right} ►", "start", "favours"),
        ]
        height = favours_y + 10
    return ForestLayout(
        width=float(width),
        height=_r(height),
        view_box=f"0 0 {width} {fmt.number(_r(height))}",
        title_id=f"{plot.id}-title",
        desc_id=f"{plot.id}-desc",
        plot_left=plot_left,
        plot_right=plot_right,
        x_null=x_null,
        rows_top=rows_top,
        axis_y=axis_y,
        rows=rows,
        ticks=ticks,
        texts=texts,
    )


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{fmt.number(_r(px))},{fmt.number(_r(py))}" for px, py in points)
