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

This module does not use ``from __future__ import annotations``: msgspec reads real
annotation objects directly, where text annotations would be evaluated on every run
(about 10 ms of each command).
"""

import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Literal, get_args

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


class Model(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True, gc=False):
    """Base of every evidence struct: unknown keys are errors, values are immutable.

    ``gc=False``: a study is a tree of immutable values that never refers back to itself,
    so the garbage collector need not track its objects; with ten thousand studies in
    memory, tracking them made every collection scan millions of objects."""


# --- Provenance ----------------------------------------------------------------


class Quote(Model, kw_only=True, frozen=True):
    """Where a reported figure was read: a source id and a verbatim quote."""

    source: Slug
    """The id of the source the quote was read in, one of the study's ``sources``."""
    quote: QuoteText
    """The source's words, copied exactly: no paraphrase, no correction."""


Cite = Annotated[list[Quote], Meta(min_length=1, description="At least one quote.")]


def source_ids(cite: Iterable[Quote]) -> list[str]:
    """The distinct source ids of some quotes, in order: what a renderer prints as [id]."""
    return list(dict.fromkeys(q.source for q in cite))


class Source(Model, kw_only=True, frozen=True):
    """A document the study's figures come from."""

    id: Slug
    """The source's id, unique within the study; quotes and claims name it, and screens show it as
    [id] after each figure."""
    kind: SourceKind
    """What kind of document it is. A secondary summary is one written by others about the study; a
    fact sheet gathers facts each confirmed in the documents listed in ``confirmed_in``."""
    citation: Text
    """The document's reference, as it would appear in a list of references."""
    title: Name | None = None
    """The document's title."""
    url: Name | None = None
    """Where the document can be read."""
    confirmed_in: list[Name] = []
    """For a fact sheet: the public documents in which its facts were confirmed."""
    note: Text | None = None
    """What a reader should know about the source, for example that its figures were not checked
    against the trial report."""


# --- Identity --------------------------------------------------------------------


class Citation(Model, kw_only=True, frozen=True):
    """The publication that reports the study."""

    authors: Annotated[list[Name], Meta(min_length=1)]
    """Authors as the publication lists them (surname and initials), at least one."""
    et_al: bool = False
    """True when ``authors`` is not the full list."""
    title: Text
    """The publication's title."""
    journal: Name
    """The journal, as the source names it."""
    year: Annotated[int, Meta(ge=1900, le=2200)]
    """The year of publication."""
    date: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}(-\d{2})?$(?!\n)")] | None = None
    """The date of publication as YYYY-MM or YYYY-MM-DD, in quotes (YAML would otherwise read it as
    a date, not text)."""
    volume: Annotated[str, Meta(min_length=1, max_length=20)] | None = None
    """The journal volume, as text."""
    issue: Annotated[str, Meta(min_length=1, max_length=20)] | None = None
    """The journal issue, as text."""
    pages: Annotated[str, Meta(min_length=1, max_length=30)] | None = None
    """The page range or first page, as text."""
    doi: Annotated[str, Meta(pattern=r"^10\.\d{4,9}/\S+$(?!\n)")] | None = None
    """The Digital Object Identifier (10.NNNN/...), without the https://doi.org/ prefix."""
    pmid: Annotated[str, Meta(pattern=r"^\d{1,9}$(?!\n)")] | None = None
    """The PubMed identifier: digits only, in quotes."""
    pmcid: Annotated[str, Meta(pattern=r"^PMC\d+$(?!\n)")] | None = None
    """The PubMed Central identifier: PMC followed by digits."""
    erratum: Name | None = None
    """A published correction to the publication, as a reference."""
    cite: Cite
    """Quotes that support the citation details."""


class Registration(Model, kw_only=True, frozen=True):
    """A trial registry entry."""

    registry: Name
    """The registry's name, for example ClinicalTrials.gov."""
    id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{2,40}$(?!\n)")]
    """The trial's id in that registry."""
    secondary_ids: list[Name] = []
    """Other ids of the trial, such as a sponsor's or a study group's protocol number."""
    cite: Cite
    """Quotes that give the registration."""


# --- Design ---------------------------------------------------------------------


class Duration(Model, kw_only=True, frozen=True):
    """A length of time: a number and its unit."""

    value: PositiveNumber
    """How many units."""
    unit: TimeUnit
    """The unit of time."""


class Arm(Model, kw_only=True, frozen=True):
    """A group of participants given one treatment (the only group of a single-arm study)."""

    id: Slug
    """The arm's id, unique within the study; enrollment figures, regimens, results, comparisons and
    safety items name it."""
    label: Name
    """The arm's name as readers see it."""
    role: ArmRole
    """The arm's role in the design."""
    description: Text | None = None
    """What the arm receives, in words."""
    cite: Cite
    """Quotes that describe the arm."""


class EndpointDefinition(Model, kw_only=True, frozen=True):
    """An endpoint the study defines, with its role."""

    role: Literal["primary", "secondary", "exploratory"]
    """Whether the endpoint is primary, secondary or exploratory."""
    endpoint: Endpoint
    """The endpoint as a term of blinacli's vocabulary (``other`` when no term fits)."""
    label: Text
    """The source's own words for the endpoint."""
    cite: Cite
    """Quotes that define the endpoint."""


class Enrollment(Model, kw_only=True, frozen=True):
    """How many people reached one stage of the study (optionally per arm)."""

    stage: EnrollmentStage
    """The stage of the study the count belongs to."""
    n: Count
    """How many people reached the stage."""
    arm: Slug | None = None
    """The arm the count belongs to; left out for the whole study."""
    percent: Percent | None = None
    """The percentage as the source reports it, of the stage before it; never computed."""
    note: Text | None = None
    """What a reader should know about the count, for example its denominator."""
    cite: Cite
    """Quotes that give the count."""


class FollowUp(Model, kw_only=True, frozen=True):
    """How long participants were followed: the median follow-up."""

    median: PositiveNumber
    """The median follow-up time."""
    unit: TimeUnit
    """The unit of time."""
    cite: Cite
    """Quotes that give the follow-up."""


class Design(Model, kw_only=True, frozen=True):
    """How the study was designed: phase, allocation, masking, arms, endpoints and the number of
    people at each stage."""

    phase: Phase
    """The trial phase: 0 to 4, or "1/2" or "2/3" (in quotes) for a combined phase."""
    allocation: Allocation
    """How participants were allocated to the arms."""
    masking: Masking | None = None
    """Who was kept unaware of the treatment given; left out when the sources do not state it."""
    arms: Annotated[list[Arm], Meta(min_length=1)]
    """The study's arms, at least one."""
    endpoints: list[EndpointDefinition] = []
    """The endpoints the study defines."""
    enrollment: list[Enrollment] = []
    """How many people reached each stage of the study, overall or per arm."""
    follow_up: FollowUp | None = None
    """The median follow-up, when the sources state it."""
    cite: Cite
    """Quotes that describe the design."""


# --- Population -----------------------------------------------------------------


class AgeRange(Model, kw_only=True, frozen=True):
    """The ages of the population: limits in years, the source's words, or both."""

    min: Annotated[int, Meta(ge=0, le=130)] | None = None
    """The lower age limit in years, as the source states it."""
    max: Annotated[int, Meta(ge=0, le=130)] | None = None
    """The upper age limit in years, as the source states it."""
    description: Name | None = None
    """The source's wording, e.g. "adults"; the only content when no limits are given."""
    cite: Cite
    """Quotes that give the ages."""

    def __post_init__(self) -> None:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"minimum age {self.min} exceeds maximum age {self.max}")
        if self.min is None and self.max is None and self.description is None:
            raise ValueError("give min, max or a description")


class PhiladelphiaStatus(Model, kw_only=True, frozen=True):
    """The Philadelphia chromosome (Ph) status of the population."""

    status: Literal["positive", "negative", "any", "not-reported"]
    """The Ph status of the population; ``not-reported`` when the sources do not state it."""
    wording: Name | None = None
    """The source's own words for the status."""
    note: Text | None = None
    """What the sources say, or leave unsaid, about the status."""
    cite: list[Quote] = []
    """Quotes that give the status; none when it is not reported."""


class MRDCriterion(Model, kw_only=True, frozen=True):
    """The measurable residual disease criterion for entry, as data.

    ``threshold`` is a fraction of cells, so that 10⁻³ (0.001) and 0.01 %
    (0.0001) compare; ``wording`` keeps the source's own notation.
    """

    status: Literal["positive", "negative"]
    """Whether the population is MRD-positive or MRD-negative."""
    comparator: Literal[">=", ">", "<", "<="]
    """How MRD compares with the threshold: >= or > for an MRD-positive criterion, < or <= for an
    MRD-negative one."""
    threshold: Annotated[
        float, Meta(ge=1e-9, lt=1, description="The MRD threshold as a fraction, 1e-9 to <1.")
    ]
    """The threshold as a fraction of cells: 10⁻³ is 0.001, 0.01 % is 0.0001."""
    wording: Name
    """The source's own notation for the criterion."""
    method: Name | None = None
    """How MRD was measured, in the source's words."""
    tissue: Name | None = None
    """Where MRD was measured, for example bone marrow."""
    cite: Cite
    """Quotes that give the criterion."""

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
    """The subgroup's id, unique within the study and different from every arm id; outcomes and
    results name it."""
    label: Name
    """The subgroup's name as readers see it."""
    n: Count | None = None
    """How many people it holds; left out when the source does not say."""
    defined_by: Text | None = None
    """What defines the subgroup, in words."""
    cite: Cite
    """Quotes that define the subgroup."""


class Population(Model, kw_only=True, frozen=True):
    """Who the study enrolled: disease, ages, Ph status, disease status, the MRD criterion and named
    subgroups."""

    disease: Name
    """The disease, in full."""
    abbreviation: Annotated[str, Meta(min_length=1, max_length=30)] | None = None
    """The disease's abbreviation."""
    lineage: Name | None = None
    """The cell lineage of the disease."""
    age: AgeRange | None = None
    """The ages of the population."""
    philadelphia: PhiladelphiaStatus
    """The Philadelphia chromosome status of the population."""
    disease_status: Name | None = None
    """The state of the disease at entry, in words."""
    mrd: MRDCriterion | None = None
    """The MRD criterion for entry, when there is one."""
    subgroups: list[Subgroup] = []
    """Named parts of the population that outcomes are reported for."""
    cite: Cite
    """Quotes that describe the population."""


# --- Dosing ---------------------------------------------------------------------


class Dose(Model, kw_only=True, frozen=True):
    """An amount of a drug: value, unit, basis and what it is given per."""

    value: PositiveNumber
    """The amount."""
    unit: DoseUnit
    """The unit of the amount."""
    basis: DoseBasis
    """Per square metre of body-surface area (per-m2), per kilogram of body weight (per-kg), or the
    same for everyone (flat)."""
    per: DosePer
    """What the amount is given per: a day, a dose, a week or a cycle."""


class Schedule(Model, kw_only=True, frozen=True):
    """When a drug is given within a cycle."""

    infusion: Duration | None = None
    """How long the drug is given in each cycle."""
    rest: Duration | None = None
    """The treatment-free interval after it (not "off": YAML reads that as false)."""
    cycle_length: Duration | None = None
    """The length of one cycle."""


class Cycles(Model, kw_only=True, frozen=True):
    """How many treatment cycles are given."""

    count: PositiveCount
    """The number of cycles."""
    up_to: bool = False
    """True for "up to N cycles"."""


class Transplant(Model, kw_only=True, frozen=True):
    """Whether a stem-cell transplant was allowed, and when."""

    allowed: bool
    """Whether a transplant was allowed."""
    timing: Name | None = None
    """When it was allowed, in the source's words."""


class Regimen(Model, kw_only=True, frozen=True):
    """What one arm receives of one drug."""

    arm: Slug
    """The id of the arm that receives the drug."""
    drug: Name
    """The drug's name."""
    dose: Dose | None = None
    """The dose; left out when the sources do not state it."""
    route: Route | None = None
    """How the drug is given."""
    schedule: Schedule | None = None
    """When within each cycle the drug is given."""
    cycles: Cycles | None = None
    """How many cycles are given."""
    combined_with: list[Name] = []
    """Other treatments given with the drug, in words."""
    transplant: Transplant | None = None
    """Whether a stem-cell transplant was allowed, and when."""
    note: Text | None = None
    """What a reader should know about the regimen, for example what the sources leave out."""
    cite: Cite
    """Quotes that give the regimen."""


# --- Outcomes -------------------------------------------------------------------


class CI(Model, kw_only=True, frozen=True):
    """A confidence interval; ``level`` is in percent (95 for a 95 % CI)."""

    level: (
        Annotated[float, Meta(ge=50, lt=100)]
        | Annotated[
            int, Meta(ge=50, lt=100, description="Confidence level in percent, 50 to <100.")
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
    """What a reader should know about the figure."""
    cite: Cite
    """Quotes that give the figure."""


class Proportion(Result, tag="proportion", kw_only=True, frozen=True):
    """How many people in a group had the outcome, out of how many."""

    n: Count
    """How many people had the outcome."""
    total: PositiveCount
    """The denominator: out of how many."""
    percent: Percent | None = None
    """The percentage as the source reports it; left out when it reports none (derived percentages
    are never stored)."""

    def __post_init__(self) -> None:
        if self.n > self.total:
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
    """The between-group comparison; ``groups`` is [intervention, comparator]."""

    groups: Annotated[list[Slug], Meta(min_length=2, max_length=2)]
    """The ids of the two groups compared (arms or subgroups): the intervention first, then the
    comparator."""
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
    cite: Cite
    """Quotes that give the comparison."""

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
    """The analysis population: ``all``, a subgroup id, or left out when the source does not state
    it."""
    timepoint: Timepoint | None = None
    """When the outcome was measured."""
    results: list[Proportion | Rate | Time] = []
    """The figure of each group."""
    comparison: Comparison | None = None
    """The comparison between two groups."""
    notes: list[Text] = []
    """What a reader should know about the outcome, for example what the source leaves unsaid."""

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
    cite: Cite
    """Quotes that give the finding."""


class AdverseEvent(SafetyItem, tag="event", kw_only=True, frozen=True):
    """An adverse event with its grade and a count, a percent, or both."""

    term: Name | None = None
    """A more specific term within the category."""
    grade: Grade
    """The grade, 1 to 5, or "any"."""
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


class Study(Model, kw_only=True, frozen=True):
    """One clinical study: its publication, design, population, dosing, outcomes and safety, with
    the source of every figure."""

    id: Slug
    """The study's id, unique in the evidence in use."""
    acronym: Name
    """The study's short name; commands accept it in place of the id."""
    title: Text
    """The study's title."""
    drugs: Annotated[list[Name], Meta(min_length=1)]
    """The drugs studied, at least one."""
    condition: Name
    """The condition studied."""
    citation: Citation
    """The publication that reports the study."""
    registrations: list[Registration] = []
    """The study's trial registry entries."""
    sources: Annotated[list[Source], Meta(min_length=1)]
    """The documents the figures come from, at least one; every quote names one."""
    design: Design
    """How the study was designed."""
    population: Population
    """Who the study enrolled."""
    dosing: list[Regimen] = []
    """What each arm receives: one entry per arm and drug."""
    outcomes: list[Outcome] = []
    """The study's results."""
    headline: Slug | None = None
    """The id of the outcome that ``list`` shows; by default the first primary outcome."""
    safety: list[AdverseEvent | SafetyStatement] = []
    """Adverse events and statements about safety."""
    claims: list[Claim] = []
    """Key points, conclusions and limitations, verbatim, each with its source."""
    notes: list[Note] = []
    """Notes on ambiguities in the sources, recorded instead of resolved."""

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


def _holds_quotes(kind: object, seen: frozenset[object] = frozenset()) -> bool:
    """Whether a value of type ``kind`` can contain a Quote (judged from the types)."""
    if isinstance(kind, type) and issubclass(kind, Quote):
        return True
    if isinstance(kind, type) and issubclass(kind, Struct):
        if kind in seen:
            return False
        hints = _annotations(kind)
        return any(_holds_quotes(hints[name], seen | {kind}) for name in kind.__struct_fields__)
    return any(_holds_quotes(arg, seen) for arg in get_args(kind))


def _annotations(kind: type) -> dict[str, object]:
    """The field types of a struct, its bases' included (real objects: this module has
    no postponed annotations)."""
    hints: dict[str, object] = {}
    for base in reversed(kind.__mro__):
        hints.update(base.__dict__.get("__annotations__", {}))
    return hints


_QUOTED_FIELDS: dict[type, tuple[str, ...]] = {}


def _quoted_fields(kind: type) -> tuple[str, ...]:
    """The fields of struct type ``kind`` that can hold a Quote, in order (memoised)."""
    fields = _QUOTED_FIELDS.get(kind)
    if fields is None:
        hints = _annotations(kind)
        fields = _QUOTED_FIELDS[kind] = tuple(
            name
            for name in kind.__struct_fields__  # type: ignore[attr-defined]
            if _holds_quotes(hints[name])
        )
    return fields


def _quotes(node: object, path: Path = ()) -> Iterator[tuple[Path, Quote]]:
    """Every Quote in the study with its path, in document order. The walk visits only
    the fields whose types can hold a quote: it runs for every file loaded."""
    stack: list[tuple[object, Path]] = [(node, path)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, Quote):
            yield path, node
        elif isinstance(node, Struct):
            stack.extend(
                (value, (*path, name))
                for name in reversed(_quoted_fields(type(node)))
                if (value := getattr(node, name)) is not None
            )
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(node))))


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
