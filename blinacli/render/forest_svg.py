"""A forest plot laid out for SVG: plain coordinates and texts the HTML templates place.

Templates reach it as ``forest_layout(plot)`` (see :mod:`blinacli.render.documents`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

from blinacli.views import formatting as fmt
from blinacli.views.forest import ForestPlot, position

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


def forest_layout(plot: ForestPlot, width: int = 720) -> ForestLayout:
    """Plain coordinates for an SVG drawing ``width`` units wide (at least 320: a phone's
    drawing, whose labels and headings wrap to more lines)."""
    return _svg_layout(plot, max(width, 320))


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
    # Column headings wrap to their columns, as a narrow drawing needs (bold text is wider).
    headings: list[tuple[float, Literal["start", "middle"], list[str]]] = [
        (_EDGE, "start", _wrap("Study — analysis", label_chars)),
        (_r((plot_left + plot_right) / 2), "middle", _wrap(plot.measure_label, int(span / 8))),
        (value_x, "start", _wrap("Estimate (CI)", value_chars)),
    ]
    texts = [
        SvgText(hx, _r(heading_y + i * _LINE), line, anchor, "heading")
        for hx, anchor, lines in headings
        for i, line in enumerate(lines)
    ]
    rows_top = 26.0 + (max(len(lines) for _, _, lines in headings) - 1) * _LINE
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
