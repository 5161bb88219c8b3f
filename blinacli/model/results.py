"""What the trial found: outcomes with their results and comparisons, safety, claims
and notes."""

import re
from typing import Annotated, Literal

from msgspec import Meta

from blinacli.model.provenance import Cite, Unconfirmeds
from blinacli.model.scalars import (
    GRADE_TEXT_PATTERN,
    ClaimKind,
    Count,
    Endpoint,
    Grade,
    Limit,
    Model,
    Name,
    Number,
    Percent,
    PositiveCount,
    PositiveNumber,
    PValue,
    Role,
    Slug,
    Text,
    TimeUnit,
)

# --- Outcomes -------------------------------------------------------------------

MAX_CI_LEVEL = 99.99
"""The highest confidence level a file may give. Sources report 80, 90, 95, 97.5, 99
and 99.9 %, and interim analyses with a strict alpha spending as much as 99.95 or
99.99 %; nearer 100 a level is a slip, not a report. It is also the end of what
:func:`blinacli.views.stats.z_for_level` computes: the normal quantile of
0.5 + level/200, which rounds to 1 (an infinite z) from 99.99999999999998 up.
A whole-number level stays below 100, which is 99 at most."""


class CI(Model, kw_only=True, frozen=True):
    """A confidence interval; ``level`` is in percent (95 for a 95 % CI)."""

    level: (
        Annotated[float, Meta(ge=50, le=MAX_CI_LEVEL)]
        | Annotated[
            int, Meta(ge=50, lt=100, description="Confidence level in percent, 50 to 99.99.")
        ]
    )
    """The confidence level in percent, for example 95."""
    lower: Limit
    """The lower limit, or "not estimable"."""
    upper: Limit
    """The upper limit, or "not estimable"."""

    def __post_init__(self) -> None:
        if (
            not isinstance(self.lower, str)
            and not isinstance(self.upper, str)
            and self.lower > self.upper
        ):
            raise ValueError(f"lower limit {self.lower} exceeds upper limit {self.upper}")


class Timepoint(Model, kw_only=True, frozen=True):
    """When an outcome was measured: the source's words and, optionally, as a number with a unit."""

    label: Name
    """The timepoint in the source's words."""
    value: PositiveNumber | None = None
    """The timepoint as a number; given together with ``unit``."""
    unit: TimeUnit | None = None
    """The unit of ``value``."""

    def __post_init__(self) -> None:
        if (self.value is None) != (self.unit is None):
            raise ValueError("give value and unit together, or neither")


class Result(Model, tag_field="measure", kw_only=True, frozen=True):
    """One group's figure for an outcome. ``group`` is an arm id or a subgroup id."""

    group: Slug
    """The id of the arm or subgroup the figure is for."""
    note: Text | None = None
    """What a reader should know about the figure; shown wherever the figure is."""
    unconfirmed: Unconfirmeds = []
    """Details of the figure that the sources leave in doubt."""
    cite: Cite
    """Quotes that give the figure."""


class Proportion(Result, tag="proportion", kw_only=True, frozen=True):
    """How many people in a group had the outcome, out of how many: a count, a percentage, or
    both, always with the denominator."""

    n: Count | None = None
    """How many people had the outcome; left out when the source gives only a percentage of
    the denominator (52% of 60). A count is never derived from the percentage."""
    total: PositiveCount
    """The denominator: out of how many."""
    percent: Percent | None = None
    """The percentage as the source reports it; left out when it reports none (derived percentages
    are never stored)."""

    def __post_init__(self) -> None:
        if self.n is None and self.percent is None:
            raise ValueError("a proportion needs a count n, a percent, or both")
        if self.n is not None and self.n > self.total:
            raise ValueError(f"n ({self.n}) exceeds its denominator ({self.total})")


class Rate(Result, tag="rate", kw_only=True, frozen=True):
    """An event-free or survival rate at the outcome's timepoint."""

    percent: Percent
    """The rate in percent."""
    method: Literal["kaplan-meier", "cumulative-incidence"] | None = None
    """How the rate was estimated, when the source says."""
    ci: CI | None = None
    """The rate's confidence interval."""


class Time(Result, tag="time", kw_only=True, frozen=True):
    """A time-to-event figure; ``statistic`` is not-stated when the source does not say."""

    statistic: Literal["median", "mean", "not-stated"] = "median"
    """Which statistic the figure is: median, mean, or not-stated when the source does not say."""
    value: Number | Literal["not reached"]
    """The time, or "not reached"."""
    unit: TimeUnit
    """The unit of time."""
    ci: CI | None = None
    """The figure's confidence interval."""


MeasureResult = Proportion | Rate | Time


class Comparison(Model, kw_only=True, frozen=True):
    """The comparison of two groups, in the direction the source reports it."""

    groups: Annotated[list[Slug], Meta(min_length=2, max_length=2)]
    """The ids of the two groups compared (arms or subgroups), in the order the source reports
    the estimate: [A, B] for "A vs B", a hazard ratio of A relative to B."""
    intervention: Slug | None = None
    """For a comparison of arms: which of ``groups`` is the intervention. Left out, it is the
    arm whose role is experimental when exactly one of the two has that role, else the first
    group. Never given for a comparison of subgroups (responders vs nonresponders), which has
    no intervention."""
    measure: Literal["hazard-ratio", "odds-ratio", "risk-ratio"] | None = None
    """The effect measure of ``estimate``."""
    label: Name | None = None
    """The source's name for the comparison."""
    estimate: PositiveNumber | None = None
    """The effect estimate; given together with ``measure``."""
    ci: CI | None = None
    """The estimate's confidence interval."""
    p: PValue | None = None
    """The p-value: a number from 0 to 1, or a bound such as "<0.001" in quotes."""
    note: Text | None = None
    """What a reader should know about the comparison; shown wherever it is."""
    unconfirmed: Unconfirmeds = []
    """Details of the comparison the sources leave in doubt, such as its direction."""
    cite: Cite
    """Quotes that give the comparison. A comparison may give no estimate and no p-value, when
    the source only sets the two groups' figures side by side."""

    def __post_init__(self) -> None:
        if (self.estimate is None) != (self.measure is None):
            raise ValueError("give measure and estimate together, or neither")
        if self.ci is not None and self.estimate is None:
            raise ValueError("a confidence interval needs an estimate")
        if self.groups[0] == self.groups[1]:
            raise ValueError("a comparison needs two different groups")
        if self.intervention is not None and self.intervention not in self.groups:
            raise ValueError(
                f"intervention {self.intervention!r} is not one of the groups compared "
                f"({self.groups[0]!r}, {self.groups[1]!r})"
            )


class AnalysisPopulation(Model, kw_only=True, frozen=True):
    """The set of participants an outcome was analysed in, as the source defines it: for
    example 113 evaluable patients of 116 treated."""

    label: Name
    """The source's name for the set, for example "evaluable patients" or "intention to
    treat"."""
    n: Count | None = None
    """How many participants it holds, when the source says."""
    of: PositiveCount | None = None
    """How many it was drawn from, when the source says (116 treated)."""
    of_label: Name | None = None
    """What ``of`` counts, for example "treated"."""
    cite: Cite
    """Quotes that define the set."""

    def __post_init__(self) -> None:
        if self.n is not None and self.of is not None and self.n > self.of:
            raise ValueError(f"n ({self.n}) exceeds the number it was drawn from ({self.of})")
        if self.of_label is not None and self.of is None:
            raise ValueError("of_label names what `of` counts: give `of` too")


class Outcome(Model, kw_only=True, frozen=True):
    """One result of the study: an endpoint at a timepoint in an analysis population, with the
    figure of each group, a comparison between two groups, or both."""

    id: Slug
    """The outcome's id, unique within the study; ``headline`` names it."""
    endpoint: Endpoint
    """The endpoint as a term of blinacli's vocabulary (``other`` when no term fits)."""
    label: Text
    """The source's own label."""
    role: Role
    """The outcome's role in the study; ``landmark`` for a landmark analysis, ``not-stated`` when
    the source does not say."""
    population: Slug | None = None
    """The part of the study the outcome is for: ``all``, a subgroup id, or left out when the
    source does not state it."""
    analysis: AnalysisPopulation | None = None
    """The analysis population as the source defines it (113 evaluable of 116 treated); shown
    instead of "all". Left out, the population shows as the subgroup, or "not stated"."""
    definition: Text | None = None
    """What the endpoint counts, in the source's words: for a composite such as CR/CRh/CRi,
    its parts."""
    timepoint: Timepoint | None = None
    """When the outcome was measured."""
    results: list[Proportion | Rate | Time] = []
    """The figure of each group."""
    comparison: Comparison | None = None
    """The comparison between two groups."""
    notes: list[Text] = []
    """What a reader should know about the outcome, for example what the source leaves unsaid."""
    unconfirmed: Unconfirmeds = []
    """Details of the outcome the sources leave in doubt, such as its timepoint."""

    def __post_init__(self) -> None:
        if not self.results and self.comparison is None:
            raise ValueError("an outcome needs results, a comparison, or both")


# --- Safety, claims, notes -----------------------------------------------------------


class SafetyItem(Model, tag_field="kind", kw_only=True, frozen=True):
    """A safety finding: an adverse event with figures, or a statement without them."""

    category: Name
    """The kind of event, in the source's words."""
    arm: Slug | None = None
    """The id of the arm the finding is reported for."""
    note: Text | None = None
    """What a reader should know about the finding."""
    unconfirmed: Unconfirmeds = []
    """Details of the finding that the sources leave in doubt."""
    cite: Cite
    """Quotes that give the finding."""


class AdverseEvent(SafetyItem, tag="event", kw_only=True, frozen=True):
    """An adverse event with its grade and a count, a percent, or both."""

    term: Name | None = None
    """A more specific term within the category."""
    grade: Grade
    """The grade, 1 to 5; "any"; or a range in quotes, as the source reports it: "≥3" for grade
    3 or higher, "3–4" for grades 3 and 4. A range is never split into single grades."""
    n: Count | None = None
    """How many people had the event."""
    total: PositiveCount | None = None
    """The denominator, when the source states it."""
    percent: Percent | None = None
    """The percentage as the source reports it."""
    timing: Name | None = None
    """When the events occurred, in the source's words."""

    def __post_init__(self) -> None:
        if self.n is None and self.percent is None:
            raise ValueError("an adverse event needs a count, a percent, or both")
        if self.n is not None and self.total is not None and self.n > self.total:
            raise ValueError(f"n ({self.n}) exceeds its denominator ({self.total})")
        bounds = grade_bounds(self.grade)
        if isinstance(self.grade, str) and bounds is not None and bounds[0] >= bounds[1]:
            raise ValueError(
                f"grade range {self.grade.strip()!r} must run from a lower grade to a higher "
                "one; give a single grade as a number"
            )


class SafetyStatement(SafetyItem, tag="statement", kw_only=True, frozen=True):
    """A qualitative statement where the source gives no numbers."""

    text: Text
    """The statement, in the source's words."""


class Claim(Model, kw_only=True, frozen=True):
    """A key point, conclusion or limitation, verbatim, as its source states it."""

    kind: ClaimKind
    """Whether the claim is a key point, a conclusion or a limitation."""
    text: Text
    """The claim, verbatim."""
    source: Slug
    """The id of the source that states it."""


class Note(Model, kw_only=True, frozen=True):
    """A curator's note: an ambiguity in the sources, recorded instead of resolved."""

    about: Name
    """What the note is about, for example design or population."""
    text: Text
    """The note."""


_GRADE_TEXT = re.compile(GRADE_TEXT_PATTERN)
HIGHEST_GRADE = 5


def grade_bounds(grade: int | str) -> tuple[int, int] | None:
    """The lowest and highest grade an adverse event's grade covers: 3 -> (3, 3),
    "3–4" -> (3, 4), "≥3" -> (3, 5); None for "any", which is on no place of the scale."""
    if isinstance(grade, int):
        return grade, grade
    match = _GRADE_TEXT.match(grade)
    if match is None or match.group(0).strip() == "any":
        return None
    at_least, low, high = match.groups()
    if at_least is not None:
        return int(at_least), HIGHEST_GRADE
    return int(low), int(high)


_P_BOUND = re.compile(r"^\s*(<=|>=|<|>|≤|≥)\s*(\S+)\s*$")


def parse_p(p: float | int | str) -> tuple[str, float]:
    """Split a p-value into (relation, number): 0.002 -> ("=", 0.002), "<0.001" -> ("<", 0.001)."""
    if isinstance(p, str):
        match = _P_BOUND.match(p)
        if match is None:  # pragma: no cover - the model's pattern admits only bounds
            raise ValueError(f"not a p-value: {p!r}")
        relation = {"<=": "≤", ">=": "≥"}.get(match.group(1), match.group(1))
        return relation, float(match.group(2))
    return "=", float(p)
