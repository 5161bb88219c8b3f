"""Forest plots: the plot data first, then the terminal drawing, the SVG and the Markdown table."""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType

from blinacli.model import Study, vocabulary
from blinacli.render.documents import environment
from blinacli.render.forest_svg import forest_layout
from blinacli.render.forest_terminal import render_forest
from blinacli.views.forest import (
    AXIS_CAP,
    ForestPlot,
    ForestRow,
    forest_plots,
    intervention_side,
    position,
)
from blinacli.views.outcomes import outcomes_view

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
SVG = "{http://www.w3.org/2000/svg}"
E1910_HR = "HR 0.41 (95% CI 0.23–0.73)"
LEGEND = "■ randomized comparison · ◇ not randomized (e.g. landmark)"
HOSTILE = "<script>alert(1)</script> & [bold]co[/bold]"


# --- helpers -------------------------------------------------------------------------------


def only(plots: list[ForestPlot]) -> ForestPlot:
    assert len(plots) == 1, [p.id for p in plots]
    return plots[0]


def row_of(plot: ForestPlot, study_id: str, outcome_id: str) -> ForestRow:
    return next(r for r in plot.rows if (r.study_id, r.outcome_id) == (study_id, outcome_id))


def ratio_outcome(
    outcome_id: str,
    lower: float | str | None,
    upper: float | str | None,
    *,
    estimate: float = 0.5,
    measure: str = "hazard-ratio",
    endpoint: str = "overall-survival",
    role: str = "secondary",
    label: str | None = None,
    level: int = 95,
) -> dict[str, Any]:
    """An outcome of the synthetic three-arm study comparing its high-dose arm with control."""
    comparison: dict[str, Any] = {
        "groups": ["high", "control"],
        "measure": measure,
        "estimate": estimate,
        "cite": [{"source": "syn", "quote": "an invented ratio"}],
    }
    if lower is not None and upper is not None:
        comparison["ci"] = {"level": level, "lower": lower, "upper": upper}
    return {
        "id": outcome_id,
        "endpoint": endpoint,
        "label": label or f"Analysis {outcome_id}",
        "role": role,
        "population": "all",
        "comparison": comparison,
    }


def study_with(
    outcomes: list[dict[str, Any]],
    *,
    study_id: str = "syn-made",
    acronym: str = "SYN-MADE",
    allocation: str = "randomized",
) -> Study:
    """The synthetic three-arm study with other outcomes, converted (and validated) by msgspec."""
    data = yaml.safe_load((SYNTHETIC / "syn-three-arm.yaml").read_text(encoding="utf-8"))
    data.update(id=study_id, acronym=acronym, outcomes=outcomes)
    data["design"]["allocation"] = allocation
    return msgspec.convert(data, Study)


def terminal(renderable: RenderableType, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def svg_of(plot: ForestPlot) -> tuple[str, ET.Element]:
    """The partial rendered through the sandboxed, autoescaping environment, and parsed."""
    html = environment().get_template("html/_forest.html.j2").render(plot=plot)
    return html, ET.fromstring(html)


def the_svg(figure: ET.Element) -> ET.Element:
    svg = figure.find(f".//{SVG}svg")
    assert svg is not None
    return svg


def markers(svg: ET.Element) -> dict[str, list[ET.Element]]:
    """Each row group's marker, by the group's class (randomized or not-randomized)."""
    found: dict[str, list[ET.Element]] = {}
    for group in svg.iter(f"{SVG}g"):
        marker = next(e for e in group if e.get("class") == "marker")
        found.setdefault(group.get("class", ""), []).append(marker)
    return found


# --- Plot data: bundled evidence -------------------------------------------------------------


def test_outcomes_os_plots_the_e1910_hazard_ratio(bundled: list[Study]) -> None:
    """`outcomes os`: E1910's HR, left of 1, with the intervention favoured on the left."""
    view = outcomes_view(bundled, "os")
    plot = only(forest_plots(bundled, view.covers))
    assert plot.id == "forest-overall-survival-hazard-ratio"
    assert plot.title == "Hazard ratios for overall survival"
    assert plot.measure_label == "Hazard ratio (log scale)"
    assert [(r.acronym, r.outcome_id) for r in plot.rows] == [("E1910", "os-3-years")]
    row = plot.rows[0]
    assert (row.estimate, row.lower, row.upper, row.level) == (0.41, 0.23, 0.73, 95)
    assert row.value == E1910_HR
    assert row.groups == "Blinatumomab + chemotherapy vs Chemotherapy alone"
    assert (row.randomized, row.note, row.sources) == (True, "", ["memo"])
    assert (plot.low, plot.high, plot.ticks) == (0.1, 2, [0.1, 0.25, 0.5, 1, 2])
    assert plot.favours_left == "favours intervention"
    assert plot.favours_right == "favours comparator"
    for value in (row.lower, row.estimate, row.upper):
        assert value is not None
        assert position(value, plot, 100) < position(1, plot, 100)


def test_blast_os_without_a_ratio_is_neither_drawn_nor_omitted(bundled: list[Study]) -> None:
    """BLAST's landmark OS comparison has a p-value only: no ratio, so no part of the plot."""
    plot = only(forest_plots(bundled, ["overall-survival"]))
    assert "blast" not in {r.study_id for r in plot.rows}
    assert plot.omitted == []
    assert "BLAST" not in plot.description


def test_no_plot_when_no_outcome_has_a_ratio(bundled: list[Study]) -> None:
    """Complete MRD response is reported as proportions only: there is nothing to draw."""
    assert forest_plots(bundled, vocabulary.matching("complete-mrd-response")) == []
    assert forest_plots(bundled, []) == []


# --- Plot data: synthetic studies ------------------------------------------------------------


def test_three_arm_hazard_ratio_names_the_compared_arms(synthetic: list[Study]) -> None:
    plot = only(forest_plots(synthetic, ["event-free-survival"]))
    row = row_of(plot, "syn-three-arm", "efs-median")
    assert (row.estimate, row.lower, row.upper) == (0.45, 0.31, 0.66)
    assert row.groups == "Examplumab high dose vs Testinib"
    assert row.value == "HR 0.45 (95% CI 0.31–0.66)"
    assert (plot.low, plot.high) == (0.25, 2)


def test_a_90_percent_interval_keeps_its_level(synthetic: list[Study]) -> None:
    plot = only(forest_plots(synthetic, ["overall-survival"]))
    row = row_of(plot, "syn-three-arm", "os-2-years")
    assert row.level == 90
    assert row.value == "HR 0.72 (90% CI 0.55–0.94)"
    assert "HR 0.72 (90% CI 0.55–0.94)" in plot.description


def test_odds_ratio_of_a_response_favours_the_intervention_on_the_right(
    synthetic: list[Study],
) -> None:
    """`outcomes mrd` covers complete MRD response; an OR > 1 of a response is good."""
    plot = only(forest_plots(synthetic, vocabulary.matching("mrd-response")))
    assert plot.measure == "odds-ratio"
    assert plot.measure_label == "Odds ratio (log scale)"
    assert plot.title == "Odds ratios for MRD response"
    assert [r.value for r in plot.rows] == ["OR 4.5 (95% CI 1.7–11.9)"]
    assert plot.intervention_side == "right"
    assert (plot.favours_left, plot.favours_right) == ("favours comparator", "favours intervention")
    assert (plot.low, plot.high, plot.ticks) == (0.5, 20, [0.5, 1, 2, 4, 10, 20])
    assert "ratios above 1 favour the intervention, below 1 the comparator" in plot.description


@pytest.mark.parametrize(
    ("endpoint", "measure", "side"),
    [
        ("overall-survival", "hazard-ratio", "left"),
        ("relapse-free-survival", "hazard-ratio", "left"),
        ("duration-of-response", "hazard-ratio", "left"),
        ("cumulative-incidence-of-relapse", "risk-ratio", "left"),
        ("non-relapse-mortality", "odds-ratio", "left"),
        ("complete-mrd-response", "odds-ratio", "right"),
        ("complete-remission", "risk-ratio", "right"),
        ("overall-survival", "odds-ratio", None),
        ("complete-remission", "hazard-ratio", None),
        ("transplant-rate", "risk-ratio", None),
        ("other", "hazard-ratio", None),
    ],
)
def test_which_side_favours_the_intervention(endpoint: str, measure: str, side: str) -> None:
    assert intervention_side(endpoint, measure) == side


def test_an_unknown_side_gets_no_favours_labels() -> None:
    study = study_with([ratio_outcome("or-os", 0.4, 1.6, measure="odds-ratio", estimate=0.8)])
    plot = only(forest_plots([study], ["overall-survival"]))
    assert (plot.intervention_side, plot.favours_left, plot.favours_right) == (None, "", "")
    assert "which side favours the intervention is not set" in plot.axis_description
    output = terminal(render_forest(plot))
    assert "favours" not in output.replace("Which side favours", "")
    _, figure = svg_of(plot)
    assert "favours" not in " ".join(t.text or "" for t in the_svg(figure).iter(f"{SVG}text"))


def test_mixed_measures_get_one_plot_each() -> None:
    hazard = study_with([ratio_outcome("hr", 0.3, 0.9)], study_id="syn-a", acronym="SYN-A")
    odds = study_with(
        [ratio_outcome("or", 1.2, 3.4, measure="odds-ratio", estimate=2.0)],
        study_id="syn-b",
        acronym="SYN-B",
    )
    plots = forest_plots([hazard, odds], ["overall-survival"])
    assert [(p.measure, [r.acronym for r in p.rows]) for p in plots] == [
        ("hazard-ratio", ["SYN-A"]),
        ("odds-ratio", ["SYN-B"]),
    ]
    assert len({p.id for p in plots}) == 2


# --- Randomization, limits that cannot be drawn --------------------------------------------


def test_a_landmark_comparison_is_marked_not_randomized() -> None:
    study = study_with(
        [
            ratio_outcome("os-hr", 0.3, 0.9),
            ratio_outcome("os-landmark", 0.2, 0.7, estimate=0.4, role="landmark"),
        ]
    )
    plot = only(forest_plots([study], ["overall-survival"]))
    randomized, landmark = plot.rows
    assert (randomized.randomized, randomized.note) == (True, "")
    assert (landmark.randomized, landmark.note) == (False, "not randomized: landmark analysis")
    assert "HR 0.4 (95% CI 0.2–0.7); not randomized: landmark analysis." in plot.description


@pytest.mark.parametrize("allocation", ["non-randomized", "single-arm"])
def test_a_study_that_is_not_randomized_gives_no_randomized_row(allocation: str) -> None:
    study = study_with([ratio_outcome("os-hr", 0.3, 0.9)], allocation=allocation)
    row = only(forest_plots([study], ["overall-survival"])).rows[0]
    assert (row.randomized, row.note) == (False, f"not randomized: {allocation} study")


def test_a_not_estimable_upper_limit_is_an_arrow_not_a_number() -> None:
    study = study_with([ratio_outcome("os-open", 0.4, "not estimable", estimate=0.8)])
    plot = only(forest_plots([study], ["overall-survival"]))
    row = plot.rows[0]
    assert (row.lower, row.upper) == (0.4, None)
    assert row.value == "HR 0.8 (95% CI 0.4 to not estimable)"
    assert plot.past_high(row) and not plot.past_low(row)
    assert plot.high == 2  # the axis is set by the numbers, never by the missing limit
    svg_row = forest_layout(plot).rows[0]
    assert svg_row.x_upper == forest_layout(plot).plot_right
    assert len(svg_row.arrows) == 1
    assert svg_row.caps == [svg_row.x_lower]  # an end cap only on the numeric limit
    drawing = next(line for line in terminal(render_forest(plot)).splitlines() if "■" in line)
    assert drawing.count("►") == 1 and "├" in drawing and "┤" not in drawing


def test_a_limit_past_the_axis_cap_is_an_arrow() -> None:
    study = study_with([ratio_outcome("os-wide", 0.001, 1.5, estimate=0.2)])
    plot = only(forest_plots([study], ["overall-survival"]))
    assert plot.low < 0.2 and plot.low >= AXIS_CAP[0] / 2
    assert plot.past_low(plot.rows[0]) and not plot.past_high(plot.rows[0])
    assert "◄" in terminal(render_forest(plot))


def test_rows_without_a_numeric_interval_are_omitted_with_the_reason() -> None:
    study = study_with(
        [
            ratio_outcome("os-drawn", 0.3, 0.9),
            ratio_outcome("os-no-ci", None, None, estimate=0.6),
            ratio_outcome("os-ne", "not estimable", "not estimable", estimate=0.7),
        ]
    )
    plot = only(forest_plots([study], ["overall-survival"]))
    assert [r.outcome_id for r in plot.rows] == ["os-drawn"]
    assert [(o.outcome_id, o.value, o.reason) for o in plot.omitted] == [
        ("os-no-ci", "HR 0.6", "no confidence interval reported"),
        (
            "os-ne",
            "HR 0.7 (95% CI not estimable to not estimable)",
            "both confidence limits not estimable",
        ),
    ]
    output = terminal(render_forest(plot))
    assert "Not drawn: SYN-MADE — Analysis os-no-ci: HR 0.6 (no confidence interval reported)" in (
        " ".join(output.split())
    )
    html, _ = svg_of(plot)
    assert "Not drawn: SYN-MADE, Analysis os-ne" in html


def test_a_measure_with_no_drawable_row_gets_no_plot() -> None:
    study = study_with([ratio_outcome("os-no-ci", None, None)])
    assert forest_plots([study], ["overall-survival"]) == []


# --- The log scale ---------------------------------------------------------------------------


def test_positions_are_on_a_log_scale(bundled: list[Study]) -> None:
    plot = only(forest_plots(bundled, ["overall-survival"]))
    width = 200.0
    expected_one = width * math.log(1 / plot.low) / math.log(plot.high / plot.low)
    assert position(1, plot, width) == pytest.approx(expected_one)
    assert (position(plot.low, plot, width), position(plot.high, plot, width)) == (0, width)
    steps = [position(2 * a, plot, width) - position(a, plot, width) for a in (0.1, 0.23, 0.5, 1)]
    assert steps == pytest.approx([steps[0]] * 4)
    assert position(0, plot, width) == 0 and position(1e9, plot, width) == width
    layout = forest_layout(plot)
    span = layout.plot_right - layout.plot_left
    assert layout.x_null == pytest.approx(layout.plot_left + position(1, plot, span), abs=0.1)


def test_ticks_thin_to_powers_of_ten_on_a_wide_axis() -> None:
    study = study_with([ratio_outcome("os-far", 0.02, 60, estimate=0.05)])
    plot = only(forest_plots([study], ["overall-survival"]))
    assert plot.ticks == [0.01, 0.1, 1, 10, 100]
    assert (plot.low, plot.high) == (0.01, 100)


@settings(max_examples=60, deadline=None)
@given(
    estimate=st.floats(1e-6, 1e6),
    below=st.floats(1, 1e4),
    above=st.floats(1, 1e4),
)
def test_any_interval_gets_an_axis_around_it_and_1(
    estimate: float, below: float, above: float
) -> None:
    """The axis holds every estimate and 1, its ticks lie on it, and 1 is always a tick."""
    lower, upper = round(estimate / below, 9), round(estimate * above, 9)
    study = study_with([ratio_outcome("os-any", lower, upper, estimate=estimate)])
    plot = only(forest_plots([study], ["overall-survival"]))
    assert plot.low < min(estimate, 1) and plot.high > max(estimate, 1)
    assert 1 in plot.ticks and len(plot.ticks) <= 9
    assert all(plot.low <= t <= plot.high for t in plot.ticks)
    row = plot.rows[0]
    assert plot.past_low(row) == (lower < plot.low)
    assert plot.past_high(row) == (upper > plot.high)
    output = terminal(render_forest(plot))
    assert "■" in output and all(len(line) <= 80 for line in output.splitlines())


# --- Terminal --------------------------------------------------------------------------------


def test_terminal_plot_at_80_columns(bundled: list[Study]) -> None:
    plot = only(forest_plots(bundled, ["overall-survival"]))
    output = terminal(render_forest(plot))
    lines = output.splitlines()
    assert lines[0] == "Hazard ratios for overall survival"
    assert "Hazard ratio (log scale)" in lines[1]
    drawing = next(line for line in lines if "■" in line)
    assert drawing.startswith("E1910 — Overall")
    assert drawing.endswith(E1910_HR)  # the value at the right
    lower, marker, upper = drawing.index("├"), drawing.index("■"), drawing.index("┤")
    null = drawing.index("│")
    assert lower < marker < upper < null
    assert set(drawing[lower + 1 : upper]) == {"─", "■"}
    axis = next(line for line in lines if "┬" in line)
    assert axis.index("┼") == null  # the line of no effect meets the axis at 1
    ticks = lines[lines.index(axis) + 1]
    assert ticks.split() == ["0.1", "0.25", "0.5", "1", "2"]
    assert ticks.index(" 1 ") + 1 == null
    favours = lines[lines.index(axis) + 2]
    assert favours.index("◄ favours intervention") + len("◄ favours intervention") <= null
    assert favours.index("favours comparator ►") > null
    assert "■ randomized comparison" in output and "◇" not in output  # E1910 alone
    assert all(len(line) <= 80 for line in lines)
    assert "…" not in output


def test_terminal_draws_a_landmark_row_distinctly() -> None:
    study = study_with(
        [
            ratio_outcome("os-hr", 0.3, 0.9, label="Randomized"),
            ratio_outcome("os-lm", 0.2, 0.7, estimate=0.4, role="landmark", label="Landmark"),
        ]
    )
    output = terminal(render_forest(only(forest_plots([study], ["overall-survival"]))))
    randomized = next(line for line in output.splitlines() if "Randomized" in line)
    landmark = next(line for line in output.splitlines() if "Landmark" in line)
    assert "■" in randomized and "─" in randomized and "◇" not in randomized
    assert "◇" in landmark and "╌" in landmark and "■" not in landmark
    column = landmark.index("HR 0.4")
    values = " ".join(line[column:].strip() for line in output.splitlines()[:-4])
    assert "HR 0.4 (95% CI 0.2–0.7) Examplumab high dose vs Testinib " in values
    assert "Testinib not randomized: landmark analysis" in values


@pytest.mark.parametrize("width", [40, 60, 100])
def test_terminal_plot_fits_any_width_without_cutting(synthetic: list[Study], width: int) -> None:
    plot = only(forest_plots(synthetic, vocabulary.matching("mrd-response")))
    output = terminal(render_forest(plot), width)
    assert all(len(line) <= width for line in output.splitlines())
    assert "…" not in output
    assert "11.9)" in output and "favours intervention ►" in output


def test_terminal_shows_evidence_text_as_text() -> None:
    """Brackets in a label are not Rich markup, and control characters are made visible."""
    study = study_with([ratio_outcome("os-x", 0.3, 0.9, label="[bold]B[/bold] \x1b[31m")])
    output = terminal(render_forest(only(forest_plots([study], ["overall-survival"]))))
    assert "[bold]B[/bold]" in " ".join(output.split())
    assert "\x1b" not in output and "\\x1b" in output


# --- SVG -------------------------------------------------------------------------------------


def test_svg_is_well_formed_with_a_text_alternative(bundled: list[Study]) -> None:
    plot = only(forest_plots(bundled, ["overall-survival"]))
    html, figure = svg_of(plot)
    assert figure.tag == "figure"
    svg = the_svg(figure)
    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Forest plot: Hazard ratios for overall survival"
    assert desc.text is not None
    assert "E1910, Overall survival at 3 years" in desc.text and E1910_HR in desc.text
    assert "the line of no effect is at 1" in desc.text
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert E1910_HR in texts
    assert "◄ favours intervention" in texts and "favours comparator ►" in texts
    caption = figure.find("figcaption")
    assert caption is not None and caption.text is not None
    assert "■ randomized comparison · ◇ not randomized" in caption.text
    assert "<script" not in html and "http" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_svg_coordinates_lie_in_the_view_box(synthetic: list[Study]) -> None:
    study = study_with(
        [
            ratio_outcome("os-open", 0.4, "not estimable", estimate=0.8),
            ratio_outcome("os-lm", 0.2, 0.7, estimate=0.4, role="landmark"),
        ]
    )
    for plot in [
        *forest_plots(synthetic, ["overall-survival"]),
        *forest_plots([study], ["overall-survival"]),
    ]:
        _, figure = svg_of(plot)
        svg = the_svg(figure)
        _, _, width, height = (float(v) for v in (svg.get("viewBox") or "").split())
        for element in svg.iter():
            for name in ("x", "x1", "x2"):
                if element.get(name) is not None:
                    assert 0 <= float(element.get(name, "")) <= width, (element.tag, name)
            for name in ("y", "y1", "y2"):
                if element.get(name) is not None:
                    assert 0 <= float(element.get(name, "")) <= height, (element.tag, name)
            for pair in (element.get("points") or "").split():
                px, py = (float(v) for v in pair.split(","))
                assert 0 <= px <= width and 0 <= py <= height


def test_svg_draws_a_landmark_row_distinctly() -> None:
    study = study_with(
        [
            ratio_outcome("os-hr", 0.3, 0.9),
            ratio_outcome("os-lm", 0.2, 0.7, estimate=0.4, role="landmark"),
        ]
    )
    _, figure = svg_of(only(forest_plots([study], ["overall-survival"])))
    svg = the_svg(figure)
    found = markers(svg)
    assert [m.tag for m in found["randomized"]] == [f"{SVG}rect"]
    assert [m.tag for m in found["not-randomized"]] == [f"{SVG}polygon"]
    assert found["not-randomized"][0].get("fill") == "#fff"  # hollow
    whiskers = {
        g.get("class"): next(e for e in g if e.get("class") == "whisker")
        for g in svg.iter(f"{SVG}g")
    }
    assert whiskers["randomized"].get("stroke-dasharray") is None
    assert whiskers["not-randomized"].get("stroke-dasharray") == "4 3"
    notes = [t.text for t in svg.iter(f"{SVG}text") if t.get("font-style") == "italic"]
    assert " ".join(str(n) for n in notes) == "not randomized: landmark analysis"


def test_svg_escapes_hostile_evidence_text() -> None:
    study = study_with([ratio_outcome("os-x", 0.3, 0.9, label=HOSTILE)], acronym="<b>SYN</b>")
    plot = only(forest_plots([study], ["overall-survival"]))
    html, figure = svg_of(plot)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; [bold]co[/bold]" in html
    desc = the_svg(figure).find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert f"<b>SYN</b>, {HOSTILE} (Examplumab high dose vs Testinib)" in desc.text
    assert all(e.tag != "script" and e.tag != f"{SVG}script" for e in figure.iter())


# --- Markdown and JSON -----------------------------------------------------------------------


def test_plot_data_is_json(bundled: list[Study]) -> None:
    plot = only(forest_plots(bundled, ["overall-survival"]))
    data = json.loads(json.dumps(plot.to_json()))
    assert data["rows"][0]["value"] == E1910_HR
    assert (data["low"], data["high"], data["favours_left"]) == (0.1, 2, "favours intervention")
