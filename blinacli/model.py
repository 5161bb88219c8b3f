"""The evidence model: one typed description of a clinical study.

This module is the single source of truth for what an evidence file may say.
The loader converts parsed YAML into these structs; nothing past the loader
reads raw YAML. Rules that involve one object (a CI's limits, n against its
denominator) live in ``__post_init__``; rules that cross the study (an outcome
naming an arm that does not exist) live in :func:`reference_problems`.

Numbers are kept as the source wrote them: ``int`` stays ``int`` and ``22.0``
stays ``22.0``, so a renderer never invents or drops a decimal. "Not reached"
medians, "not estimable" limits and p-value bounds such as ``"<0.001"`` are
values of their own, never turned into numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Literal

from msgspec import Meta, Struct

SCHEMA_VERSION = 1
"""Bumped whenever a change to this module changes what a file may say."""

# --- Scalars -----------------------------------------------------------------

# Every reported figure is non-negative (counts, percents, ratios, times,
# p-values); the upper bound also rejects infinities, and any bound rejects NaN.
_MAX = 1e12
Count = Annotated[int, Meta(ge=0, le=10**9, description="A whole number of people or events.")]
PositiveCount = Annotated[int, Meta(ge=1, le=10**9, description="A whole number, at least 1.")]
Number = (
    Annotated[int, Meta(ge=0, le=10**12)]
    | Annotated[float, Meta(ge=0, le=_MAX, description="A non-negative finite number.")]
)
PositiveNumber = (
    Annotated[int, Meta(gt=0, le=10**12)]
    | Annotated[float, Meta(gt=0, le=_MAX, description="A positive finite number.")]
)
Percent = (
    Annotated[int, Meta(ge=0, le=100)]
    | Annotated[float, Meta(ge=0, le=100, description="A percentage from 0 to 100.")]
)
Slug = Annotated[
    str,
    Meta(
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}$(?!\n)",
        description=(
            "An id of lower-case letters, digits and hyphens, starting with a letter or digit."
        ),
    ),
]
Text = Annotated[str, Meta(min_length=1, max_length=4000)]
Name = Annotated[str, Meta(min_length=1, max_length=300)]
QuoteText = Annotated[
    str,
    Meta(min_length=1, max_length=600, description="A short verbatim quote from the source."),
]
PValueBound = Annotated[
    str,
    Meta(
        pattern=r"^\s*(<|>|<=|>=|≤|≥)\s*(0?\.\d+|1(\.0*)?|0)\s*$",
        description='a p-value bound such as "<0.001"',
    ),
]
PValue = Annotated[float, Meta(ge=0, le=1)] | Annotated[int, Meta(ge=0, le=1)] | PValueBound
NOT_REACHED = "not reached"
NOT_ESTIMABLE = "not estimable"
Limit = Number | Literal["not estimable"]

TimeUnit = Literal["days", "weeks", "months", "years"]
Phase = Literal[0, 1, 2, 3, 4, "1/2", "2/3"]
Allocation = Literal["randomized", "single-arm", "non-randomized"]
Masking = Literal["open-label", "single-blind", "double-blind", "triple-blind", "quadruple-blind"]
SourceKind = Literal[
    "journal-abstract",
    "full-text",
    "secondary-summary",
    "registry-record",
    "conference-abstract",
    "fact-sheet",
]
Endpoint = Literal[
    "overall-survival",
    "relapse-free-survival",
    "event-free-survival",
    "disease-free-survival",
    "progression-free-survival",
    "cumulative-incidence-of-relapse",
    "non-relapse-mortality",
    "complete-mrd-response",
    "mrd-response",
    "complete-remission",
    "overall-response",
    "duration-of-response",
    "transplant-rate",
    "other",
]
ENDPOINT_NAMES: dict[str, str] = {
    "overall-survival": "overall survival",
    "relapse-free-survival": "relapse-free survival",
    "event-free-survival": "event-free survival",
    "disease-free-survival": "disease-free survival",
    "progression-free-survival": "progression-free survival",
    "cumulative-incidence-of-relapse": "cumulative incidence of relapse",
    "non-relapse-mortality": "non-relapse mortality",
    "complete-mrd-response": "complete MRD response",
    "mrd-response": "MRD response",
    "complete-remission": "complete remission",
    "overall-response": "overall response",
    "duration-of-response": "duration of response",
    "transplant-rate": "transplant rate",
    "other": "other",
}
Role = Literal["primary", "secondary", "exploratory", "landmark", "not-stated"]
EnrollmentStage = Literal[
    "screened", "enrolled", "reached-remission", "randomized", "treated", "evaluable", "analyzed"
]
ArmRole = Literal[
    "experimental", "active-comparator", "placebo-comparator", "no-intervention", "other"
]
DoseUnit = Literal["ng", "µg", "mg", "g", "IU", "units"]
DoseBasis = Literal["per-m2", "per-kg", "flat"]
DosePer = Literal["day", "dose", "week", "cycle"]
Route = Literal[
    "continuous-iv-infusion", "iv", "subcutaneous", "oral", "intrathecal", "intramuscular"
]
Grade = Annotated[int, Meta(ge=1, le=5)] | Literal["any"]
ClaimKind = Literal["key-point", "conclusion", "limitation"]


class Model(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base of every evidence struct: unknown keys are errors, values are immutable."""


# --- Provenance ----------------------------------------------------------------


class Quote(Model, kw_only=True, frozen=True):
    """Where a reported figure was read: a source id and a verbatim quote."""

    source: Slug
    quote: QuoteText


Cite = Annotated[list[Quote], Meta(min_length=1, description="At least one quote.")]


def source_ids(cite: Iterable[Quote]) -> list[str]:
    """The distinct source ids of some quotes, in order: what a renderer prints as [id]."""
    return list(dict.fromkeys(q.source for q in cite))


class Source(Model, kw_only=True, frozen=True):
    """A document the study's figures come from."""

    id: Slug
    kind: SourceKind
    citation: Text
    title: Name | None = None
    url: Name | None = None
    confirmed_in: list[Name] = []
    """For a fact sheet: the public documents in which its facts were confirmed."""
    note: Text | None = None


# --- Identity --------------------------------------------------------------------


class Citation(Model, kw_only=True, frozen=True):
    """The publication that reports the study."""

    authors: Annotated[list[Name], Meta(min_length=1)]
    et_al: bool = False
    """True when ``authors`` is not the full list."""
    title: Text
    journal: Name
    year: Annotated[int, Meta(ge=1900, le=2200)]
    date: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}(-\d{2})?$(?!\n)")] | None = None
    volume: Annotated[str, Meta(min_length=1, max_length=20)] | None = None
    issue: Annotated[str, Meta(min_length=1, max_length=20)] | None = None
    pages: Annotated[str, Meta(min_length=1, max_length=30)] | None = None
    doi: Annotated[str, Meta(pattern=r"^10\.\d{4,9}/\S+$(?!\n)")] | None = None
    pmid: Annotated[str, Meta(pattern=r"^\d{1,9}$(?!\n)")] | None = None
    pmcid: Annotated[str, Meta(pattern=r"^PMC\d+$(?!\n)")] | None = None
    erratum: Name | None = None
    cite: Cite


class Registration(Model, kw_only=True, frozen=True):
    """A trial registry entry."""

    registry: Name
    id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{2,40}$(?!\n)")]
    secondary_ids: list[Name] = []
    cite: Cite


# --- Design ---------------------------------------------------------------------


class Duration(Model, kw_only=True, frozen=True):
    value: PositiveNumber
    unit: TimeUnit


class Arm(Model, kw_only=True, frozen=True):
    id: Slug
    label: Name
    role: ArmRole
    description: Text | None = None
    cite: Cite


class EndpointDefinition(Model, kw_only=True, frozen=True):
    role: Literal["primary", "secondary", "exploratory"]
    endpoint: Endpoint
    label: Text
    """The source's own words for the endpoint."""
    cite: Cite


class Enrollment(Model, kw_only=True, frozen=True):
    """How many people reached one stage of the study (optionally per arm)."""

    stage: EnrollmentStage
    n: Count
    arm: Slug | None = None
    percent: Percent | None = None
    """As reported, of the stage before it."""
    note: Text | None = None
    cite: Cite


class FollowUp(Model, kw_only=True, frozen=True):
    median: PositiveNumber
    unit: TimeUnit
    cite: Cite


class Design(Model, kw_only=True, frozen=True):
    phase: Phase
    allocation: Allocation
    masking: Masking | None = None
    """None when the sources do not state it."""
    arms: Annotated[list[Arm], Meta(min_length=1)]
    endpoints: list[EndpointDefinition] = []
    enrollment: list[Enrollment] = []
    follow_up: FollowUp | None = None
    cite: Cite


# --- Population -----------------------------------------------------------------


class AgeRange(Model, kw_only=True, frozen=True):
    min: Annotated[int, Meta(ge=0, le=130)] | None = None
    max: Annotated[int, Meta(ge=0, le=130)] | None = None
    description: Name | None = None
    """The source's wording, e.g. "adults"; the only content when no limits are given."""
    cite: Cite

    def __post_init__(self) -> None:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"minimum age {self.min} exceeds maximum age {self.max}")
        if self.min is None and self.max is None and self.description is None:
            raise ValueError("give min, max or a description")


class PhiladelphiaStatus(Model, kw_only=True, frozen=True):
    status: Literal["positive", "negative", "any", "not-reported"]
    wording: Name | None = None
    note: Text | None = None
    cite: list[Quote] = []


class MRDCriterion(Model, kw_only=True, frozen=True):
    """The measurable residual disease criterion for entry, as data.

    ``threshold`` is a fraction of cells, so that 10⁻³ (0.001) and 0.01 %
    (0.0001) compare; ``wording`` keeps the source's own notation.
    """

    status: Literal["positive", "negative"]
    comparator: Literal[">=", ">", "<", "<="]
    threshold: Annotated[
        float, Meta(ge=1e-9, lt=1, description="The MRD threshold as a fraction, 1e-9 to <1.")
    ]
    wording: Name
    method: Name | None = None
    tissue: Name | None = None
    cite: Cite

    def __post_init__(self) -> None:
        expected = {">=", ">"} if self.status == "positive" else {"<", "<="}
        if self.comparator not in expected:
            raise ValueError(
                f"an MRD-{self.status} criterion needs comparator "
                f"{' or '.join(sorted(expected))}, found {self.comparator!r}"
            )


class Subgroup(Model, kw_only=True, frozen=True):
    """A named part of the population used in analyses (N optional when unreported)."""

    id: Slug
    label: Name
    n: Count | None = None
    defined_by: Text | None = None
    cite: Cite


class Population(Model, kw_only=True, frozen=True):
    disease: Name
    abbreviation: Annotated[str, Meta(min_length=1, max_length=30)] | None = None
    lineage: Name | None = None
    age: AgeRange | None = None
    philadelphia: PhiladelphiaStatus
    disease_status: Name | None = None
    mrd: MRDCriterion | None = None
    subgroups: list[Subgroup] = []
    cite: Cite


# --- Dosing ---------------------------------------------------------------------


class Dose(Model, kw_only=True, frozen=True):
    value: PositiveNumber
    unit: DoseUnit
    basis: DoseBasis
    per: DosePer


class Schedule(Model, kw_only=True, frozen=True):
    infusion: Duration | None = None
    """How long the drug is given in each cycle."""
    rest: Duration | None = None
    """The treatment-free interval after it (not "off": YAML reads that as false)."""
    cycle_length: Duration | None = None


class Cycles(Model, kw_only=True, frozen=True):
    count: PositiveCount
    up_to: bool = False
    """True for "up to N cycles"."""


class Transplant(Model, kw_only=True, frozen=True):
    allowed: bool
    timing: Name | None = None


class Regimen(Model, kw_only=True, frozen=True):
    """What one arm receives of one drug."""

    arm: Slug
    drug: Name
    dose: Dose | None = None
    route: Route | None = None
    schedule: Schedule | None = None
    cycles: Cycles | None = None
    combined_with: list[Name] = []
    transplant: Transplant | None = None
    note: Text | None = None
    cite: Cite


# --- Outcomes -------------------------------------------------------------------


class CI(Model, kw_only=True, frozen=True):
    """A confidence interval; ``level`` is in percent (95 for a 95 % CI)."""

    level: (
        Annotated[float, Meta(ge=50, lt=100)]
        | Annotated[
            int, Meta(ge=50, lt=100, description="Confidence level in percent, 50 to <100.")
        ]
    )
    lower: Limit
    upper: Limit

    def __post_init__(self) -> None:
        if (
            not isinstance(self.lower, str)
            and not isinstance(self.upper, str)
            and self.lower > self.upper
        ):
            raise ValueError(f"lower limit {self.lower} exceeds upper limit {self.upper}")


class Timepoint(Model, kw_only=True, frozen=True):
    label: Name
    value: PositiveNumber | None = None
    unit: TimeUnit | None = None

    def __post_init__(self) -> None:
        if (self.value is None) != (self.unit is None):
            raise ValueError("give value and unit together, or neither")


class Result(Model, tag_field="measure", kw_only=True, frozen=True):
    """One group's figure for an outcome. ``group`` is an arm id or a subgroup id."""

    group: Slug
    note: Text | None = None
    cite: Cite


class Proportion(Result, tag="proportion", kw_only=True, frozen=True):
    n: Count
    total: PositiveCount
    percent: Percent | None = None
    """As reported; derived percentages are never stored."""

    def __post_init__(self) -> None:
        if self.n > self.total:
            raise ValueError(f"n ({self.n}) exceeds its denominator ({self.total})")


class Rate(Result, tag="rate", kw_only=True, frozen=True):
    """An event-free or survival rate at the outcome's timepoint."""

    percent: Percent
    method: Literal["kaplan-meier", "cumulative-incidence"] | None = None
    ci: CI | None = None


class Time(Result, tag="time", kw_only=True, frozen=True):
    """A time-to-event figure; ``statistic`` is not-stated when the source does not say."""

    statistic: Literal["median", "mean", "not-stated"] = "median"
    value: Number | Literal["not reached"]
    unit: TimeUnit
    ci: CI | None = None


MeasureResult = Proportion | Rate | Time


class Comparison(Model, kw_only=True, frozen=True):
    """The between-group comparison; ``groups`` is [intervention, comparator]."""

    groups: Annotated[list[Slug], Meta(min_length=2, max_length=2)]
    measure: Literal["hazard-ratio", "odds-ratio", "risk-ratio"] | None = None
    label: Name | None = None
    estimate: PositiveNumber | None = None
    ci: CI | None = None
    p: PValue | None = None
    cite: Cite

    def __post_init__(self) -> None:
        if (self.estimate is None) != (self.measure is None):
            raise ValueError("give measure and estimate together, or neither")
        if self.ci is not None and self.estimate is None:
            raise ValueError("a confidence interval needs an estimate")
        if self.estimate is None and self.p is None:
            raise ValueError("give an estimate, a p-value, or both")
        if self.groups[0] == self.groups[1]:
            raise ValueError("a comparison needs two different groups")


class Outcome(Model, kw_only=True, frozen=True):
    id: Slug
    endpoint: Endpoint
    label: Text
    """The source's own label."""
    role: Role
    population: Slug | None = None
    """``all``, a subgroup id, or None when the source does not state it."""
    timepoint: Timepoint | None = None
    results: list[Proportion | Rate | Time] = []
    comparison: Comparison | None = None
    notes: list[Text] = []

    def __post_init__(self) -> None:
        if not self.results and self.comparison is None:
            raise ValueError("an outcome needs results, a comparison, or both")


# --- Safety, claims, notes -----------------------------------------------------------


class SafetyItem(Model, tag_field="kind", kw_only=True, frozen=True):
    category: Name
    arm: Slug | None = None
    note: Text | None = None
    cite: Cite


class AdverseEvent(SafetyItem, tag="event", kw_only=True, frozen=True):
    term: Name | None = None
    grade: Grade
    n: Count | None = None
    total: PositiveCount | None = None
    """The denominator, when the source states it."""
    percent: Percent | None = None
    timing: Name | None = None

    def __post_init__(self) -> None:
        if self.n is None and self.percent is None:
            raise ValueError("an adverse event needs a count, a percent, or both")
        if self.n is not None and self.total is not None and self.n > self.total:
            raise ValueError(f"n ({self.n}) exceeds its denominator ({self.total})")


class SafetyStatement(SafetyItem, tag="statement", kw_only=True, frozen=True):
    """A qualitative statement where the source gives no numbers."""

    text: Text


class Claim(Model, kw_only=True, frozen=True):
    """A key point, conclusion or limitation, verbatim, as its source states it."""

    kind: ClaimKind
    text: Text
    source: Slug


class Note(Model, kw_only=True, frozen=True):
    """A curator's note: an ambiguity in the sources, recorded instead of resolved."""

    about: Name
    text: Text


class Study(Model, kw_only=True, frozen=True):
    id: Slug
    acronym: Name
    title: Text
    drugs: Annotated[list[Name], Meta(min_length=1)]
    condition: Name
    citation: Citation
    registrations: list[Registration] = []
    sources: Annotated[list[Source], Meta(min_length=1)]
    design: Design
    population: Population
    dosing: list[Regimen] = []
    outcomes: list[Outcome] = []
    headline: Slug | None = None
    """The outcome id that ``list`` shows; default: the first primary outcome."""
    safety: list[AdverseEvent | SafetyStatement] = []
    claims: list[Claim] = []
    notes: list[Note] = []

    # -- look-ups used by views -------------------------------------------------

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def group_label(self, group_id: str) -> str:
        for arm in self.design.arms:
            if arm.id == group_id:
                return arm.label
        for sub in self.population.subgroups:
            if sub.id == group_id:
                return sub.label
        return group_id

    def population_label(self, population: str | None) -> str:
        if population is None:
            return "not stated"
        if population == "all":
            return "all"
        return self.group_label(population)

    def headline_outcome(self) -> Outcome | None:
        if self.headline is not None:
            return next(o for o in self.outcomes if o.id == self.headline)
        primary = [o for o in self.outcomes if o.role == "primary"]
        return primary[0] if primary else (self.outcomes[0] if self.outcomes else None)


# --- Rules across the study ---------------------------------------------------------

Path = tuple[str | int, ...]


def reference_problems(study: Study) -> list[tuple[Path, str]]:
    """Every cross-reference in ``study`` that points nowhere, or repeats an id.

    Returns (path, message) pairs, paths as sequences of keys and indexes, so
    the loader can point at the file line of each.
    """
    return list(_reference_problems(study))


def _duplicates(items: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item in seen:
            yield index, item
        seen.add(item)


def _choices(ids: list[str]) -> str:
    return ", ".join(repr(i) for i in ids) if ids else "none are defined"


def _reference_problems(study: Study) -> Iterator[tuple[Path, str]]:
    arms = [a.id for a in study.design.arms]
    subgroups = [s.id for s in study.population.subgroups]
    sources = [s.id for s in study.sources]
    outcomes = [o.id for o in study.outcomes]
    groups = arms + subgroups

    for index, dup in _duplicates(arms):
        yield ("design", "arms", index, "id"), f"arm id {dup!r} is used twice"
    for index, dup in _duplicates(subgroups):
        yield ("population", "subgroups", index, "id"), f"subgroup id {dup!r} is used twice"
    for index, sub in enumerate(subgroups):
        if sub in arms:
            yield ("population", "subgroups", index, "id"), f"subgroup id {sub!r} is also an arm id"
    for index, dup in _duplicates(sources):
        yield ("sources", index, "id"), f"source id {dup!r} is used twice"
    for index, dup in _duplicates(outcomes):
        yield ("outcomes", index, "id"), f"outcome id {dup!r} is used twice"
    reserved = "'all' is reserved for the whole population; choose another id"
    for index, arm in enumerate(arms):
        if arm == "all":
            yield ("design", "arms", index, "id"), reserved
    for index, sub in enumerate(subgroups):
        if sub == "all":
            yield ("population", "subgroups", index, "id"), reserved

    def arm_ref(path: Path, value: str | None) -> Iterator[tuple[Path, str]]:
        if value is not None and value not in arms:
            yield path, f"no arm {value!r}; arms are {_choices(arms)}"

    def group_ref(path: Path, value: str) -> Iterator[tuple[Path, str]]:
        if value not in groups:
            yield path, f"no arm or subgroup {value!r}; defined: {_choices(groups)}"

    for i, stage in enumerate(study.design.enrollment):
        yield from arm_ref(("design", "enrollment", i, "arm"), stage.arm)
    for i, regimen in enumerate(study.dosing):
        yield from arm_ref(("dosing", i, "arm"), regimen.arm)
    for i, item in enumerate(study.safety):
        yield from arm_ref(("safety", i, "arm"), item.arm)
    for i, outcome in enumerate(study.outcomes):
        if outcome.population not in (None, "all") and outcome.population not in subgroups:
            known = f"one of {_choices(subgroups)}" if subgroups else "define the subgroup"
            yield (
                ("outcomes", i, "population"),
                f"no subgroup {outcome.population!r}; use 'all' or {known}",
            )
        for j, result in enumerate(outcome.results):
            yield from group_ref(("outcomes", i, "results", j, "group"), result.group)
        if outcome.comparison is not None:
            for j, group in enumerate(outcome.comparison.groups):
                yield from group_ref(("outcomes", i, "comparison", "groups", j), group)
    if study.headline is not None and study.headline not in outcomes:
        yield ("headline",), f"no outcome {study.headline!r}; outcomes are {_choices(outcomes)}"
    for i, claim in enumerate(study.claims):
        if claim.source not in sources:
            yield ("claims", i, "source"), f"no source {claim.source!r}; {_sources(sources)}"
    for path, quote in _quotes(study):
        if quote.source not in sources:
            yield path + ("source",), f"no source {quote.source!r}; {_sources(sources)}"


def format_path(path: Path) -> str:
    """("outcomes", 2, "ci") -> ``outcomes[2].ci``: how paths are shown to users."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _sources(sources: list[str]) -> str:
    return f"sources are {_choices(sources)}"


def _quotes(node: object, path: Path = ()) -> Iterator[tuple[Path, Quote]]:
    """Every Quote in the study with its path, found by walking the structs."""
    if isinstance(node, Quote):
        yield path, node
    elif isinstance(node, Struct):
        for field in node.__struct_fields__:
            yield from _quotes(getattr(node, field), path + (field,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _quotes(item, path + (index,))


def quotes(study: Study) -> list[tuple[Path, Quote]]:
    """All quotes of a study with the path of the object each supports."""
    return list(_quotes(study))


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
