"""What the trial did: its design, its population and its dosing."""

from typing import Annotated, Literal

from msgspec import Meta

from blinacli.model.provenance import Cite, Quote, Unconfirmeds
from blinacli.model.scalars import (
    Allocation,
    ArmRole,
    Count,
    DoseBasis,
    DosePer,
    DoseUnit,
    Endpoint,
    EndpointRole,
    EnrollmentStage,
    Masking,
    Model,
    Name,
    Percent,
    Phase,
    PositiveCount,
    PositiveNumber,
    Route,
    Slug,
    Text,
    TimeUnit,
    TrialState,
)

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

    role: EndpointRole
    """Whether the endpoint is primary, secondary or exploratory; ``not-stated`` when the sources
    name the endpoint without its role."""
    endpoint: Endpoint
    """The endpoint as a term of blinacli's vocabulary (``other`` when no term fits,
    ``composite`` for one made of several, such as CR/CRh/CRi)."""
    label: Text
    """The source's own words for the endpoint."""
    definition: Text | None = None
    """What the endpoint counts, in the source's words: for a composite, its parts."""
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
    unconfirmed: Unconfirmeds = []
    """Details of the count that the sources leave in doubt."""
    cite: Cite
    """Quotes that give the count."""


class FollowUp(Model, kw_only=True, frozen=True):
    """How long participants were followed: the median follow-up, of the study or of one arm."""

    median: PositiveNumber
    """The median follow-up time."""
    unit: TimeUnit
    """The unit of time."""
    arm: Slug | None = None
    """The arm the follow-up is for; left out for the whole study."""
    note: Text | None = None
    """What a reader should know about the follow-up, for example how it was estimated."""
    cite: Cite
    """Quotes that give the follow-up."""


class AllocationRatio(Model, kw_only=True, frozen=True):
    """The ratio in which participants were randomized, such as 2:1."""

    ratio: Annotated[list[PositiveCount], Meta(min_length=2)]
    """The parts of the ratio as numbers, one per arm: [2, 1] for 2:1."""
    arms: list[Slug] = []
    """The ids of the arms the parts belong to, in the same order; left out when the parts
    follow the order of ``design.arms``."""
    cite: Cite
    """Quotes that give the ratio."""


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
    allocation_ratio: AllocationRatio | None = None
    """The randomization ratio, when the sources state it."""
    follow_up: FollowUp | list[FollowUp] | None = None
    """The median follow-up, when the sources state it: one for the study, or a list with
    one entry per arm (and optionally one for the whole study)."""
    cite: Cite
    """Quotes that describe the design."""

    def follow_ups(self) -> list[FollowUp]:
        """The follow-up figures as a list, whichever way the file gives them."""
        if self.follow_up is None:
            return []
        return self.follow_up if isinstance(self.follow_up, list) else [self.follow_up]


class TrialStatus(Model, kw_only=True, frozen=True):
    """Where the trial stands: completed, ongoing, or stopped early and why."""

    state: TrialState
    """Completed, ongoing, or stopped-early."""
    reason: Text | None = None
    """Why the trial stopped early, in the source's words; required for ``stopped-early``."""
    as_of: Annotated[str, Meta(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$(?!\n)")] | None = None
    """The date the status was stated for, as YYYY, YYYY-MM or YYYY-MM-DD, in quotes."""
    unconfirmed: Unconfirmeds = []
    """Details of the status that the sources leave in doubt."""
    cite: Cite
    """Quotes that give the status."""

    def __post_init__(self) -> None:
        if self.state == "stopped-early" and self.reason is None:
            raise ValueError("a trial stopped early needs its reason")
        if self.state != "stopped-early" and self.reason is not None:
            raise ValueError("a reason is given only for a trial stopped early")


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
    unconfirmed: Unconfirmeds = []
    """Details of the regimen that the sources leave in doubt."""
    cite: Cite
    """Quotes that give the regimen."""
