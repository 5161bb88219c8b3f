"""Derived figures and forest plots as users meet them: marked, apart, in every document."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.views.derived import LEGEND

WILSON = "77.9% (Wilson 95% CI 69.4–84.5%)"
NNT = "difference +17 percentage points; number needed to treat 6"
IMPLIED_P = "P ≈ 0.0025 implied by the CI"


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_show_marks_the_done_when_figures(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """BLAST's Wilson interval and E1910's NNT and implied p appear marked, with the legend."""
    monkeypatch.setenv("COLUMNS", "200")  # a figure must not wrap for a substring check
    blast = run(runner, "show", "blast", "--format", fmt)
    e1910 = run(runner, "show", "e1910", "--format", fmt)
    assert f"† {WILSON}" in blast
    assert f"† {NNT}" in e1910
    assert f"† {IMPLIED_P}" in e1910
    assert "P = 0.002" in e1910  # the reported p stays, beside the derived one
    assert LEGEND in blast and LEGEND in e1910


def test_show_json_keeps_derived_figures_apart(runner: CliRunner) -> None:
    """The study stays as validated; derived figures are a list of their own, each with
    its text and its numbers."""
    data = json.loads(run(runner, "show", "e1910", "--format", "json"))
    assert data["outcomes"][0]["comparison"]["p"] == 0.002
    difference, implied = data["derived"][:2]
    assert difference == {
        "outcome": "os-3-years",
        "about": "Blinatumomab + chemotherapy vs Chemotherapy alone",
        "kind": "risk-difference",
        "text": NNT,
        "basis": "85% vs 68% at 3 years",
        "value": 17.0,
        "lower": None,
        "upper": None,
        "level": None,
        "unit": "percentage-points",
        "groups": ["blinatumomab", "chemotherapy"],
        "inputs": [
            {"name": "percent", "value": 85, "group": "blinatumomab"},
            {"name": "percent", "value": 68, "group": "chemotherapy"},
        ],
        "number_needed": {"kind": "to-treat", "value": 6, "unrounded": pytest.approx(100 / 17)},
    }
    assert {k: implied[k] for k in ("outcome", "about", "kind", "text", "basis")} == {
        "outcome": "os-3-years",
        "about": "Blinatumomab + chemotherapy vs Chemotherapy alone",
        "kind": "p-from-ci",
        "text": IMPLIED_P,
        "basis": "HR 0.41 (95% CI 0.23–0.73)",
    }
    assert implied["value"] == pytest.approx(0.002478, rel=1e-3)
    assert "derived" not in json.dumps(data["outcomes"])


def test_outcomes_json_rows_carry_derived_figures(runner: CliRunner) -> None:
    """Each Summary-of-Findings row has its derived figures under `derived`."""
    data = json.loads(run(runner, "outcomes", "mrd-response", "--format", "json"))
    [row] = data["rows"]
    assert row["intervention"] == "Blinatumomab: 88/113 (78%)"
    [wilson] = row["derived"]
    assert {k: wilson[k] for k in ("about", "kind", "text", "basis", "level", "unit")} == {
        "about": "Blinatumomab",
        "kind": "wilson-interval",
        "text": WILSON,
        "basis": "88/113",
        "level": 95,
        "unit": "proportion",
    }
    assert (wilson["value"], wilson["lower"], wilson["upper"]) == (
        pytest.approx(0.7788, abs=5e-5),
        pytest.approx(0.6938, abs=5e-5),
        pytest.approx(0.8454, abs=5e-5),
    )


def test_digest_marks_derived_figures(runner: CliRunner) -> None:
    """The digest shows the derived figures marked, in both formats."""
    for fmt in ("markdown", "html"):
        text = run(runner, "digest", "--format", fmt)
        assert WILSON in text and NNT in text and IMPLIED_P in text
        assert LEGEND in text


def test_outcomes_table_draws_a_forest_plot(runner: CliRunner) -> None:
    """`outcomes os` on a terminal draws the plot under the table."""
    text = run(runner, "outcomes", "os", "--format", "table")
    plot = text[text.index("Hazard ratios for overall survival") :]
    assert "■" in plot and "├" in plot and "┤" in plot and "│" in plot
    assert "HR 0.41 (95% CI 0.23–0.73)" in plot
    assert "favours intervention" in plot and "favours comparator" in plot


@pytest.mark.parametrize("command", [["outcomes", "os"], ["digest"]])
def test_html_carries_the_forest_plot_as_svg(runner: CliRunner, command: list[str]) -> None:
    """outcomes --format html and the HTML digest carry the plot as inline SVG with text."""
    html = run(runner, *command, "--format", "html")
    start = html.index("<svg")
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert "HR 0.41 (95% CI 0.23–0.73)" in svg
    assert "<script" not in html
