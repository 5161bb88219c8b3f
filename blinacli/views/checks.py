"""Integrity checks: each study's reported numbers against what they imply.

Validation (:mod:`blinacli.load.loader`) asks whether a file says something the model
allows; these checks ask whether the figures a valid study reports can all be
true together. Each finding names the study, the file, line and column, the
field, the reported value and the value derived from the other figures.

Severity rule: a finding is an **error** when the reported figures cannot all be
right at the precision they were reported to, whatever method produced them
(a percent that is not n/N rounded, an estimate outside its own interval, a
part larger than its whole). It is a **warning** when a legitimate difference
of method can explain the disagreement: a reported p-value may come from a
test (log-rank, exact, stratified) other than the Wald test its CI implies.
``blinacli check`` exits 1 on any error; warnings alone exit 0.

Rounding: a figure reported as 78 stands for anything in [77.5, 78.5], 0.41 for
[0.405, 0.415]: half a unit in the last reported decimal
(:func:`blinacli.views.stats.rounding_half_width`). Every comparison allows it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

from blinacli.base.controls import visible
from blinacli.base.findings import github_annotation, location, plural
from blinacli.load import yamlfile
from blinacli.load.loader import LoadedStudy, read_text
from blinacli.model import (
    CI,
    AdverseEvent,
    Comparison,
    Enrollment,
    Proportion,
    Rate,
    Study,
    Time,
    format_path,
    parse_p,
)
from blinacli.views import check_direction, check_quotes, stats
from blinacli.views import formatting as fmt
from blinacli.views.phrases import study_size

Severity = Literal["error", "warning"]
DataPath = tuple[str | int, ...]

RULES: dict[str, tuple[Severity, str]] = {
    "percent-vs-count": (
        "error",
        "A reported percent differs from 100·n/N by more than half a unit in its last "
        "reported decimal (proportions, adverse events with n and a denominator, and "
        "enrollment stages, whose N is the stage before it).",
    ),
    "ci-excludes-estimate": (
        "error",
        "A comparison's estimate, or a rate's or time's value, lies outside its own "
        "confidence interval; a 'not estimable' limit is an open end.",
    ),
    "ci-order": (
        "error",
        "A confidence interval's lower limit exceeds its upper limit. Enforced at "
        "validation: the file does not load, and check reports the validation finding.",
    ),
    "count-over-denominator": (
        "error",
        "A count n exceeds its own denominator N (a proportion or an adverse event). "
        "Enforced at validation: the file does not load, and check reports the "
        "validation finding.",
    ),
    "p-vs-ci": (
        "warning",
        "A reported p-value lies outside the range of two-sided Wald-test p-values that "
        "the ratio estimate and its CI allow at their reported rounding. A warning, not "
        "an error: the p-value may come from another test (e.g. log-rank).",
    ),
    "subgroup-over-population": (
        "error",
        "A subgroup's n exceeds the study's N (randomized, else treated, else enrolled).",
    ),
    "denominator-over-group": (
        "error",
        "A proportion's or adverse event's denominator exceeds its group: a subgroup's n, "
        "or an arm's randomized (else enrolled) count; in a single-arm study, or for an "
        "event of the whole study, the whole-study randomized (else enrolled) count. "
        "Treated counts are not used: intention-to-treat denominators may exceed them.",
    ),
    "arms-sum": (
        "error",
        "At one enrollment stage the per-arm counts disagree with the whole-study count: "
        "they must add up to it when every arm is given, and must not exceed it when "
        "only some are.",
    ),
    check_quotes.RULE: (check_quotes.SEVERITY, check_quotes.TEXT),
    check_direction.RULE: (check_direction.SEVERITY, check_direction.TEXT),
}
"""Every rule: id -> (severity, the rule in one line)."""

# Reported figures are decimal; their binary floats are not. A disagreement
# exactly at the rounding limit (12.5 % reported as 13) must pass.
_EPSILON = 1e-9
_RATIO = {"hazard-ratio": "HR", "odds-ratio": "OR", "risk-ratio": "RR"}


@dataclass(frozen=True)
class CheckFinding:
    """One disagreement in one study; ``line`` and ``column`` are 1-based."""

    study: str
    file: str
    path: str
    rule: str
    severity: Severity
    message: str
    reported: str
    derived: str
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        return location(self.file, self.line, self.column)

    def _text(self) -> str:
        return (
            f"study {self.study}: {self.path}: {self.message} "
            f"(reported {self.reported}, derived {self.derived})"
        )

    def __str__(self) -> str:
        return visible(f"{self.location()}: [{self.severity}] {self._text()}")

    def github_annotation(self) -> str:
        """A GitHub Actions workflow command that annotates the file and line."""
        return github_annotation(
            self.severity,
            self.file,
            self.line,
            self.column,
            f"blinacli check {self.rule}",
            self._text(),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckReport:
    """The integrity findings of a set of studies, and which studies were checked."""

    findings: list[CheckFinding]
    studies: list[str]

    @property
    def errors(self) -> list[CheckFinding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[CheckFinding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> str:
        studies = plural(len(self.studies), "study", "studies")
        errors = plural(len(self.errors), "error") if self.errors else "no errors"
        warnings = plural(len(self.warnings), "warning") if self.warnings else "no warnings"
        return f"integrity: {studies} checked, {errors}, {warnings}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "studies": self.studies,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
            "rules": {
                rule: {"severity": severity, "rule": text}
                for rule, (severity, text) in RULES.items()
            },
        }


class _Problem(NamedTuple):
    """A finding before it has a file position."""

    rule: str
    path: DataPath
    message: str
    reported: str
    derived: str


def check_studies(loaded: Sequence[LoadedStudy]) -> CheckReport:
    """Run every rule on every loaded study, in file order."""
    findings: list[CheckFinding] = []
    for item in loaded:
        findings.extend(check_study(item.study, item.file))
    return CheckReport(findings, [item.study.id for item in loaded])


def check_study(study: Study, file: str) -> list[CheckFinding]:
    """One study's findings, in the order of the fields in its file."""
    problems = [
        *_enrollment_problems(study),
        *_subgroup_problems(study),
        *_outcome_problems(study),
        *_safety_problems(study),
        *(_Problem(*problem) for problem in check_quotes.problems(study)),
        *(_Problem(*problem) for problem in check_direction.problems(study)),
    ]
    if not problems:
        return []
    text = read_text(Path(file))
    findings = [_locate(study, file, text, problem) for problem in problems]
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0))


def _locate(study: Study, file: str, text: str, problem: _Problem) -> CheckFinding:
    position = yamlfile.position(text, problem.path) if text else None
    line, column = position if position is not None else (None, None)
    return CheckFinding(
        study=study.id,
        file=file,
        path=format_path(problem.path),
        rule=problem.rule,
        severity=RULES[problem.rule][0],
        message=problem.message,
        reported=problem.reported,
        derived=problem.derived,
        line=line,
        column=column,
    )


# --- percent-vs-count -------------------------------------------------------------------


def _percent_problem(
    path: DataPath, percent: float | int, n: int, total: int, of: str = ""
) -> _Problem | None:
    """A reported percent that is not 100·n/N at the precision it was reported to."""
    derived = 100 * n / total
    allowed = stats.rounding_half_width(percent)
    if abs(derived - percent) <= allowed + _EPSILON:
        return None
    places = stats.decimals(percent) + 1
    basis = f"{n}/{total}{' ' + of if of else ''}"
    return _Problem(
        "percent-vs-count",
        path,
        f"the percent disagrees with {basis} by more than the rounding of the reported "
        f"figure allows (±{fmt.number(allowed)} points)",
        fmt.number(percent),
        f"{derived:.{places}f} ({basis})",
    )


# --- Enrollment: percent of the stage before, arms-sum --------------------------------------


def _enrollment_problems(study: Study) -> Iterator[_Problem]:
    enrollment = study.design.enrollment
    for index, entry in enumerate(enrollment):
        if entry.percent is None:
            continue
        base = _stage_before(enrollment, index)
        if base is None or base.n == 0:
            continue
        of = fmt.words(base.stage) + (f" in {base.arm}" if base.arm is not None else "")
        problem = _percent_problem(
            ("design", "enrollment", index, "percent"), entry.percent, entry.n, base.n, of
        )
        if problem is not None:
            yield problem
    yield from _arms_sum_problems(study)


def _stage_before(enrollment: list[Enrollment], index: int) -> Enrollment | None:
    """What an enrollment percent is "of": the nearest entry above it for the whole
    study, or (for a per-arm entry) for the whole study or the same arm."""
    arm = enrollment[index].arm
    for entry in reversed(enrollment[:index]):
        if entry.arm is None or (arm is not None and entry.arm == arm):
            return entry
    return None


def _arms_sum_problems(study: Study) -> Iterator[_Problem]:
    arm_ids = [arm.id for arm in study.design.arms]
    enrollment = study.design.enrollment
    for stage in dict.fromkeys(entry.stage for entry in enrollment):
        per_arm: dict[str, int] = {}
        for entry in enrollment:
            if entry.stage == stage and entry.arm is not None:
                per_arm.setdefault(entry.arm, entry.n)
        if not per_arm:
            continue
        total = sum(per_arm.values())
        complete = set(per_arm) >= set(arm_ids)
        parts = " + ".join(f"{n} {arm}" for arm, n in per_arm.items())
        missing = [arm for arm in arm_ids if arm not in per_arm]
        derived = f"{total} ({parts}" + (f"; not given: {', '.join(missing)})" if missing else ")")
        words = fmt.words(stage)
        for index, entry in enumerate(enrollment):
            if entry.stage != stage or entry.arm is not None:
                continue
            if complete and total != entry.n:
                message = f"the per-arm {words} counts add up to {total}, not {entry.n}"
            elif not complete and total > entry.n:
                message = (
                    f"the per-arm {words} counts given add up to {total}, more than the "
                    f"whole-study {entry.n}"
                )
            else:
                continue
            yield _Problem(
                "arms-sum", ("design", "enrollment", index, "n"), message, str(entry.n), derived
            )


# --- Sizes: subgroups and denominators ---------------------------------------------------------


def _subgroup_problems(study: Study) -> Iterator[_Problem]:
    size = study_size(study)
    if size is None:
        return
    stage, n = size
    for index, subgroup in enumerate(study.population.subgroups):
        if subgroup.n is not None and subgroup.n > n:
            yield _Problem(
                "subgroup-over-population",
                ("population", "subgroups", index, "n"),
                f"subgroup {subgroup.id!r} is larger than the study's N",
                str(subgroup.n),
                f"N = {n} ({fmt.words(stage)})",
            )


def _count(entries: list[Enrollment], arm: str | None) -> tuple[int, str] | None:
    """The randomized, else enrolled, count of one arm (or of the whole study for None)."""
    for stage in ("randomized", "enrolled"):
        for entry in entries:
            if entry.stage == stage and entry.arm == arm:
                return entry.n, stage
    return None


def _group_sizes(study: Study) -> dict[str | None, tuple[int, str]]:
    """Each group's size with a description of where it comes from; None is the whole study."""
    enrollment = study.design.enrollment
    sizes: dict[str | None, tuple[int, str]] = {}
    whole = _count(enrollment, None)
    if whole is not None:
        sizes[None] = (whole[0], f"{whole[1]} in the study")
    arms = study.design.arms
    for arm in arms:
        found = _count(enrollment, arm.id)
        if found is not None:
            sizes[arm.id] = (found[0], f"{found[1]} to {arm.id}")
        elif len(arms) == 1 and whole is not None:
            sizes[arm.id] = (whole[0], f"{whole[1]} in the single-arm study")
    for subgroup in study.population.subgroups:
        if subgroup.n is not None:
            sizes[subgroup.id] = (subgroup.n, f"subgroup {subgroup.id}")
    return sizes


def _denominator_problem(
    path: DataPath, total: int, group: str | None, sizes: dict[str | None, tuple[int, str]]
) -> _Problem | None:
    if group not in sizes:
        return None
    size, description = sizes[group]
    if total <= size:
        return None
    name = f"group {group!r}" if group is not None else "the study"
    return _Problem(
        "denominator-over-group",
        path,
        f"the denominator exceeds the size of {name}",
        str(total),
        f"{size} ({description})",
    )


# --- Outcomes -------------------------------------------------------------------------------------


def _outcome_problems(study: Study) -> Iterator[_Problem]:
    sizes = _group_sizes(study)
    for i, outcome in enumerate(study.outcomes):
        for j, result in enumerate(outcome.results):
            path: DataPath = ("outcomes", i, "results", j)
            if isinstance(result, Proportion):
                if result.percent is not None and result.n is not None:
                    problem = _percent_problem(
                        path + ("percent",), result.percent, result.n, result.total
                    )
                    if problem is not None:
                        yield problem
                problem = _denominator_problem(path + ("total",), result.total, result.group, sizes)
                if problem is not None:
                    yield problem
            else:
                yield from _result_interval_problems(path, result)
        if outcome.comparison is not None:
            yield from _comparison_problems(("outcomes", i, "comparison"), outcome.comparison)


def _outside(value: float | int, ci: CI) -> str | None:
    """Where ``value`` lies outside ``ci`` ("below", "above"), or None; open ends hold all."""
    if not isinstance(ci.lower, str) and value < ci.lower:
        return "below"
    if not isinstance(ci.upper, str) and value > ci.upper:
        return "above"
    return None


def _interval_problem(
    path: DataPath, what: str, value: float | int, shown: str, ci: CI
) -> _Problem | None:
    side = _outside(value, ci)
    if side is None:
        return None
    limit = "lower" if side == "below" else "upper"
    return _Problem(
        "ci-excludes-estimate",
        path,
        f"the {what} lies {side} the {limit} limit of its own confidence interval",
        shown,
        fmt.ci(ci),
    )


def _result_interval_problems(path: DataPath, result: Rate | Time) -> Iterator[_Problem]:
    if result.ci is None:
        return
    if isinstance(result, Rate):
        problem = _interval_problem(
            path + ("percent",), "rate", result.percent, fmt.percent(result.percent), result.ci
        )
    elif isinstance(result.value, str):  # "not reached" has no place on the axis
        return
    else:
        shown = f"{fmt.number(result.value)} {result.unit}"
        what = result.statistic if result.statistic != "not-stated" else "value"
        problem = _interval_problem(path + ("value",), what, result.value, shown, result.ci)
    if problem is not None:
        yield problem


def _comparison_problems(path: DataPath, comparison: Comparison) -> Iterator[_Problem]:
    estimate, ci, measure = comparison.estimate, comparison.ci, comparison.measure
    if estimate is None or ci is None or measure is None:
        return
    shown = f"{_RATIO[measure]} {fmt.number(estimate)}"
    problem = _interval_problem(path + ("estimate",), "estimate", estimate, shown, ci)
    if problem is not None:
        yield problem
    if comparison.p is not None:
        p_problem = _p_problem(path + ("p",), comparison.p, shown, estimate, ci)
        if p_problem is not None:
            yield p_problem


# --- p-vs-ci ----------------------------------------------------------------------------------


def _p_problem(
    path: DataPath, p: float | int | str, shown: str, estimate: float | int, ci: CI
) -> _Problem | None:
    """A reported p-value outside what the ratio estimate and its CI allow, with rounding.

    Altman DG, Bland JM. How to obtain the P value from a confidence interval.
    BMJ. 2011;343:d2304 (the test :func:`blinacli.views.stats.ratio_test` implements).
    """
    lower, upper = ci.lower, ci.upper
    if isinstance(lower, str) or isinstance(upper, str) or not 0 < lower < upper:
        return None
    try:
        point = stats.ratio_test(estimate, lower, upper, ci.level).p
    except stats.NotComputable:  # limits a float apart imply no p to hold the reported one to
        return None
    low, high = _p_range(estimate, lower, upper, ci.level)
    relation, value = parse_p(p)
    if relation == "=":
        half = stats.rounding_half_width(p) if not isinstance(p, str) else 0.0
        consistent = low <= value + half + _EPSILON and high >= value - half - _EPSILON
    elif relation == "<":
        consistent = low < value
    elif relation == "≤":
        consistent = low <= value
    elif relation == ">":
        consistent = high > value
    else:
        consistent = high >= value
    if consistent:
        return None
    return _Problem(
        "p-vs-ci",
        path,
        f"the reported p-value is outside {_p_text(low)}–{_p_text(high)}, the range of Wald-test "
        f"p-values the estimate and its {fmt.number(ci.level)}% CI allow at their reported "
        "rounding (a different test, e.g. log-rank, may explain it)",
        fmt.p_value(p),
        f"P ≈ {_p_text(point)} (from {shown}, {fmt.ci(ci)})",
    )


def _p_range(
    estimate: float | int, lower: float | int, upper: float | int, level: float | int
) -> tuple[float, float]:
    """The least and greatest p that estimate and limits allow within their rounding.

    p falls as |ln estimate| grows and rises as ln(upper) - ln(lower) grows, so
    its extremes lie at the corners of the rounding box, or at p = 1 when the
    estimate's rounding reaches 1.
    """
    half_e = stats.rounding_half_width(estimate)
    half_l = stats.rounding_half_width(lower)
    half_u = stats.rounding_half_width(upper)
    estimates = [estimate - half_e, estimate + half_e]
    if estimate - half_e <= 1 <= estimate + half_e:
        estimates.append(1.0)
    lowers = [lower - half_l, lower + half_l]
    uppers = [upper - half_u, upper + half_u]
    values: list[float] = []
    vanishing = False
    for e in estimates:
        for lo in lowers:
            for up in uppers:
                if e > 0 and 0 < lo < up:
                    try:
                        values.append(stats.ratio_test(e, lo, up, level).p)
                    except stats.NotComputable:  # limits a float apart: the SE tends to 0
                        vanishing = True
    # A lower limit that may round from 0 allows an unbounded standard error (p up to 1);
    # limits that may round from one value allow a vanishing one (p down to 0).
    low = 0.0 if lower + half_l >= upper - half_u or vanishing or not values else min(values)
    high = 1.0 if lower - half_l <= 0 or not values else max(values)
    return low, high


def _p_text(p: float) -> str:
    """A derived p-value to two significant digits: 0.0024776 -> 0.0025, 3.4e-05 below 0.0001."""
    if p == 0:
        return "0"
    if p < 0.0001:
        return f"{p:.1e}"
    return f"{p:.{1 - math.floor(math.log10(p))}f}"


# --- Safety -----------------------------------------------------------------------------------


def _safety_problems(study: Study) -> Iterator[_Problem]:
    sizes = _group_sizes(study)
    for index, item in enumerate(study.safety):
        if not isinstance(item, AdverseEvent) or item.total is None:
            continue
        path: DataPath = ("safety", index)
        if item.n is not None and item.percent is not None:
            problem = _percent_problem(path + ("percent",), item.percent, item.n, item.total)
            if problem is not None:
                yield problem
        denominator = _denominator_problem(path + ("total",), item.total, item.arm, sizes)
        if denominator is not None:
            yield denominator
