"""Valid evidence never crashes a view: every derived figure has a finite value or a reason.

Two values once passed validation and then broke the statistics behind the derived
figures: a CI level of 99.99999999999999 (0.5 + level/200 rounds to 1.0, where the
normal quantile is infinite) and rates of 5e-324 % against 0 % (100 / 5e-324 is
infinite, and an infinite number needed to treat cannot be rounded up to a whole
patient). The CLI tests below are those two files; the property builds valid studies
from numbers drawn within the model's own bounds and asks that the views, the derived
figures and the integrity checks all come out finite.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.model import Study, reference_problems
from blinacli.views import checks, compare, derived, outcomes, show
from tests.test_model import QUOTE, minimal_study

TRACEBACK = "Traceback (most recent call last)"
NOT_FINITE = re.compile(r"\b(inf|infinity|nan)\b", re.IGNORECASE)
TINY_NNT = (
    "difference +0 percentage points; number needed to treat not computed "
    "(over 1,000,000 for a difference under 0.0001 points)"
)


def evidence_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the bundled evidence with E1910's file changed; each text occurs once."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy(evidence_dir() / "blast.yaml", folder / "blast.yaml")
    text = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (folder / "e1910.yaml").write_text(text, encoding="utf-8")
    return folder


def invoke(runner: CliRunner, *args: str) -> tuple[int, str]:
    """Exit code and stdout and stderr together; nothing but SystemExit may escape."""
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    output = result.stdout + result.stderr
    assert TRACEBACK not in output
    return result.exit_code, output


# --- A CI level too close to 100 --------------------------------------------------------

LEVEL = ("ci: {level: 95, lower: 0.23", "ci: {level: 99.99999999999999, lower: 0.23")


def test_a_ci_level_too_close_to_100_is_rejected_by_validate(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = evidence_with(tmp_path, LEVEL)
    code, output = invoke(runner, "validate", str(folder))
    assert code == 1
    assert (
        "outcomes[0].comparison.ci.level: expected a number ≤ 99.99, found 99.99999999999999"
        in output
    )


@pytest.mark.parametrize(
    "command",
    [
        ["show", "e1910"],
        ["check"],
        ["outcomes", "os"],
        ["compare", "blast", "e1910"],
        ["digest"],
    ],
)
def test_a_ci_level_too_close_to_100_stops_every_view_with_the_finding(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    folder = evidence_with(tmp_path, LEVEL)
    where = [str(folder)] if command == ["check"] else ["-e", str(folder)]
    code, output = invoke(runner, *command, *where)
    assert code == 1
    assert "ci.level: expected a number ≤ 99.99" in output


def test_the_highest_ci_level_allowed_gives_its_figures(runner: CliRunner, tmp_path: Path) -> None:
    folder = evidence_with(
        tmp_path, ("ci: {level: 95, lower: 0.23", "ci: {level: 99.99, lower: 0.23")
    )
    code, output = invoke(runner, "show", "e1910", "-e", str(folder), "--format", "markdown")
    assert code == 0
    assert "99.99% CI 0.23–0.73" in output
    assert "implied by the CI" in output


# --- Rates whose difference is vanishingly small ---------------------------------------

TINY_RATES = (
    ("        percent: 85\n", "        percent: 5.0e-324\n"),
    ("        percent: 68\n", "        percent: 0\n"),
    # and the quote with them, so that check finds every figure in its quote
    ("3 years: 85% (blinatumomab group) vs. 68%", "3 years: 5.0e-324% (blinatumomab group) vs. 0%"),
)


@pytest.mark.parametrize(
    ("command", "fmt"),
    [
        (["show", "e1910"], "table"),
        (["show", "e1910"], "markdown"),
        (["show", "e1910"], "html"),
        (["show", "e1910"], "csv"),
        (["outcomes", "os"], "table"),
        (["outcomes", "os"], "markdown"),
        (["outcomes", "os"], "html"),
        (["outcomes", "os"], "csv"),
        (["compare", "blast", "e1910"], "table"),
        (["compare", "blast", "e1910"], "markdown"),
        (["compare", "blast", "e1910"], "html"),
        (["digest"], "markdown"),
        (["digest"], "html"),
    ],
)
def test_a_vanishing_difference_shows_the_difference_and_why_there_is_no_nnt(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: list[str],
    fmt: str,
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # a figure must not wrap for a substring check
    folder = evidence_with(tmp_path, *TINY_RATES)
    code, output = invoke(runner, *command, "-e", str(folder), "--format", fmt)
    assert code == 0, output
    assert TINY_NNT in output
    assert not NOT_FINITE.search(output)


def test_a_vanishing_difference_in_json(runner: CliRunner, tmp_path: Path) -> None:
    """JSON carries the reported rates as numbers and the derived figure as its text and
    its numbers, null where a number is not computed."""
    folder = evidence_with(tmp_path, *TINY_RATES)
    code, text = invoke(runner, "show", "e1910", "-e", str(folder), "--format", "json")
    assert code == 0
    data = json.loads(text, parse_constant=pytest.fail)
    assert [r["percent"] for r in data["outcomes"][0]["results"]] == [5e-324, 0]
    assert data["derived"][0] == {
        "outcome": "os-3-years",
        "about": "Blinatumomab + chemotherapy vs Chemotherapy alone",
        "kind": "risk-difference",
        "text": TINY_NNT,
        "basis": "5e-324% vs 0% at 3 years",
        "value": 5e-324,
        "lower": None,
        "upper": None,
        "level": None,
        "unit": "percentage-points",
        "groups": ["blinatumomab", "chemotherapy"],
        "inputs": [
            {"name": "percent", "value": 5e-324, "group": "blinatumomab"},
            {"name": "percent", "value": 0, "group": "chemotherapy"},
        ],
        # The number is not computed: null, never a string, and the text says why.
        "number_needed": {"kind": "to-treat", "value": None, "unrounded": None},
    }
    for command in (["outcomes", "os"], ["compare", "blast", "e1910"]):
        code, text = invoke(runner, *command, "-e", str(folder), "--format", "json")
        assert code == 0
        assert TINY_NNT in text
        json.loads(text, parse_constant=pytest.fail)


def test_a_vanishing_difference_passes_check(runner: CliRunner, tmp_path: Path) -> None:
    folder = evidence_with(tmp_path, *TINY_RATES)
    code, output = invoke(runner, "check", str(folder))
    assert code == 0
    assert "check passed" in output


# --- A CI whose limits are one float apart ----------------------------------------------

CLOSE_LIMITS = (
    "ci: {level: 95, lower: 0.23, upper: 0.73}",
    "ci: {level: 95, lower: 1.0e-300, upper: 1.0000000000000002e-300}",
)


def test_limits_too_close_for_a_standard_error_say_why_there_is_no_p(
    runner: CliRunner, tmp_path: Path
) -> None:
    """ln(1e-300) equals ln of the next float: an SE of 0, where z would be infinite."""
    folder = evidence_with(tmp_path, CLOSE_LIMITS)
    code, output = invoke(runner, "show", "e1910", "-e", str(folder), "--format", "markdown")
    assert code == 0
    assert (
        "† no P implied by the CI: the CI's limits are too close together to give a "
        "standard error" in output
    )
    code, output = invoke(runner, "check", str(folder))
    assert code == 1  # the estimate, 0.41, lies outside its interval
    assert "the estimate lies above the upper limit" in output
    assert "the reported p-value is outside" not in output  # no p to hold it to


# --- Any valid study: every derived figure is finite or absent -----------------------------


def _near(value: float) -> list[float]:
    return [value, math.nextafter(value, -math.inf), math.nextafter(value, math.inf)]


PERCENTS = st.one_of(
    st.sampled_from([0, 100, 0.0, 5e-324, 1e-300, 1e-12, 100.0, *_near(50.0), *_near(100.0)]),
    st.integers(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=100),
)
LEVELS = st.one_of(
    st.sampled_from([50, 95, 99, 50.0, 99.9, 99.99, *_near(99.99), 99.99999999999999]),
    st.integers(min_value=50, max_value=99),
    st.floats(min_value=50, max_value=100, exclude_max=True),
)
POSITIVES = st.one_of(
    st.sampled_from([5e-324, 1e-300, 1, 1.0, *_near(1.0), 1e12, 10**12, *_near(1e12)]),
    st.integers(min_value=1, max_value=10**12),
    st.floats(min_value=0, max_value=1e12, exclude_min=True),
)
LIMITS = st.one_of(st.just(0), st.just("not estimable"), POSITIVES)
COUNTS = st.one_of(
    st.sampled_from([1, 2, 10**9 - 1, 10**9]), st.integers(min_value=1, max_value=10**9)
)
P_VALUES = st.one_of(
    st.none(),
    st.sampled_from([0, 1, 0.0, 5e-324, 1.0, "<0.001", ">0.05", "<=0"]),
    st.floats(min_value=0, max_value=1),
)


@st.composite
def cis(draw: st.DrawFn, estimate: Any = None) -> dict[str, Any] | None:
    """A CI at a drawn level; the upper limit is often the lower one or the next float."""
    if draw(st.booleans()):
        return None
    lower = draw(LIMITS)
    if isinstance(lower, str) or draw(st.booleans()):
        upper = draw(LIMITS)
    else:
        upper = draw(st.sampled_from([lower, math.nextafter(lower, math.inf), lower * 2, 1e12]))
    if estimate is not None and draw(st.booleans()):
        lower, upper = (estimate, estimate) if draw(st.booleans()) else (lower, estimate)
    return {"level": draw(LEVELS), "lower": lower, "upper": upper}


@st.composite
def proportions(draw: st.DrawFn, group: str) -> dict[str, Any]:
    total = draw(COUNTS)
    n = draw(st.one_of(st.sampled_from([0, 1, total - 1, total]), st.integers(0, total)))
    result = {"measure": "proportion", "group": group, "n": n, "total": total, "cite": QUOTE}
    if draw(st.booleans()):
        result["percent"] = draw(PERCENTS)
    return result


@st.composite
def rates(draw: st.DrawFn, group: str) -> dict[str, Any]:
    percent = draw(PERCENTS)
    result = {"measure": "rate", "group": group, "percent": percent, "cite": QUOTE}
    ci = draw(cis(percent))
    if ci is not None:
        result["ci"] = ci
    return result


@st.composite
def comparisons(draw: st.DrawFn, measure: str) -> dict[str, Any]:
    estimate = draw(POSITIVES)
    result: dict[str, Any] = {
        "groups": ["blina", "chemo"],
        "measure": measure,
        "estimate": estimate,
        "cite": QUOTE,
    }
    ci = draw(cis(estimate))
    if ci is not None:
        result["ci"] = ci
    p = draw(P_VALUES)
    if p is not None:
        result["p"] = p
    return result


@st.composite
def valid_studies(draw: st.DrawFn) -> Study:
    """A two-arm study: rates at a timepoint with a hazard ratio, proportions with an odds
    ratio, each number drawn within the model's bounds; only studies the model accepts."""
    endpoint = draw(st.sampled_from(["overall-survival", "cumulative-incidence-of-relapse"]))
    timepoint = draw(st.sampled_from([None, {"label": "3 years", "value": 3, "unit": "years"}]))
    rates_outcome: dict[str, Any] = {
        "id": "rates",
        "endpoint": endpoint,
        "label": "Rates at a timepoint",
        "role": "primary",
        "results": [draw(rates("blina")), draw(rates("chemo"))],
        "comparison": draw(comparisons("hazard-ratio")),
    }
    if timepoint is not None:
        rates_outcome["timepoint"] = timepoint
    data = {
        **minimal_study(),
        "outcomes": [
            rates_outcome,
            {
                "id": "remission",
                "endpoint": "complete-remission",
                "label": "Complete remission",
                "role": "secondary",
                "results": [draw(proportions("blina")), draw(proportions("chemo"))],
                "comparison": draw(comparisons("odds-ratio")),
            },
        ],
    }
    try:
        study = msgspec.convert(data, Study)
    except msgspec.ValidationError:
        assume(False)
        raise  # pragma: no cover - assume(False) does not return
    assume(not reference_problems(study))
    return study


def _finite_numbers(node: object) -> bool:
    """Every number in a JSON-like tree is finite."""
    if isinstance(node, float):
        return math.isfinite(node)
    if isinstance(node, dict):
        return all(_finite_numbers(v) for v in node.values())
    if isinstance(node, list | tuple):
        return all(_finite_numbers(v) for v in node)
    return True


def _json(data: object) -> object:
    """``data`` as the JSON formats write it, read back; NaN or infinity is an error."""
    return json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False))


@functools.cache
def _bundled_e1910() -> Study:
    """A bundled study to compare the drawn one with."""
    from blinacli.load import loader

    study, findings = loader.load_file(evidence_dir() / "e1910.yaml")
    assert study is not None, findings
    return study


@given(study=valid_studies())
def test_every_derived_figure_of_a_valid_study_is_finite_or_absent(study: Study) -> None:
    for outcome in study.outcomes:
        for figure in derived.outcome_figures(study, outcome):
            assert not NOT_FINITE.search(figure.text), figure
            assert not NOT_FINITE.search(figure.basis), figure

    shown = show.study_view(study)
    show_json = _json({**msgspec.to_builtins(study), "derived": shown.derived_json()})
    assert _finite_numbers(show_json)
    shown.to_csv()

    # `outcomes` for each endpoint the study reports, its forest plots included.
    for endpoint in sorted({outcome.endpoint for outcome in study.outcomes}):
        view = outcomes.outcomes_view([study], endpoint)
        assert _finite_numbers(_json(view.to_json()))

    side_by_side = compare.compare_view([study, _bundled_e1910()])
    assert _finite_numbers(_json(side_by_side.to_json()))

    for finding in checks.check_study(study, "trial.yaml"):
        assert not NOT_FINITE.search(finding.message + finding.reported + finding.derived)


def test_a_ratio_whose_ci_is_zero_to_zero_does_not_hang_the_forest_plot(tmp_path: Path) -> None:
    """A CI of 0 to 0 passes validation (check reports it); its upper limit of 0 once sent
    the forest plot's axis looking for a rung below 0, for ever."""
    import subprocess
    import sys

    text = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
    assert "lower: 0.23, upper: 0.73" in text
    (tmp_path / "e1910.yaml").write_text(
        text.replace("lower: 0.23, upper: 0.73", "lower: 0, upper: 0"), encoding="utf-8"
    )
    for output in ("table", "markdown", "html", "json"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "blinacli",
                "outcomes",
                "os",
                "--format",
                output,
                "--evidence",
                str(tmp_path),
                "--no-cache",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
