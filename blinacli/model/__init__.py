"""The evidence model: one typed description of a clinical study.

The single source of truth for what an evidence file may say. The loader turns parsed
YAML into these structs, and nothing past the loader reads raw YAML. Rules on one
object (a CI's limits, n against its denominator) live in ``__post_init__``; rules that
cross the study (an outcome naming an arm that does not exist) live in
:func:`blinacli.model.study.reference_problems`.

Numbers are kept as the source wrote them: ``int`` stays ``int`` and ``22.0`` stays
``22.0``, so a renderer never invents or drops a decimal. "Not reached" medians, "not
estimable" limits and p-value bounds such as ``"<0.001"`` are values of their own.

The modules, in the order they build on each other: :mod:`.scalars` (constrained
scalars, vocabularies, the base struct), :mod:`.provenance` (quotes, sources, citation),
:mod:`.design` (design, population, dosing), :mod:`.results` (outcomes, safety, claims,
notes) and :mod:`.study` (the study and the rules across it). Beside them:
:mod:`.vocabulary` (endpoint aliases and groups) and :mod:`.schema` (the JSON Schema).
This package re-exports the model's public names, so ``from blinacli.model import
Study`` is the one way to name them outside it; inside it, modules import each other
by their own names.

May import: :mod:`blinacli.base` and msgspec. Nothing above it.
"""

from blinacli.model.design import (
    AgeRange as AgeRange,
)
from blinacli.model.design import AllocationRatio as AllocationRatio
from blinacli.model.design import (
    Arm as Arm,
)
from blinacli.model.design import (
    Cycles as Cycles,
)
from blinacli.model.design import (
    Design as Design,
)
from blinacli.model.design import (
    Dose as Dose,
)
from blinacli.model.design import (
    Duration as Duration,
)
from blinacli.model.design import (
    EndpointDefinition as EndpointDefinition,
)
from blinacli.model.design import (
    Enrollment as Enrollment,
)
from blinacli.model.design import (
    FollowUp as FollowUp,
)
from blinacli.model.design import (
    MRDCriterion as MRDCriterion,
)
from blinacli.model.design import (
    PhiladelphiaStatus as PhiladelphiaStatus,
)
from blinacli.model.design import (
    Population as Population,
)
from blinacli.model.design import (
    Regimen as Regimen,
)
from blinacli.model.design import (
    Schedule as Schedule,
)
from blinacli.model.design import (
    Subgroup as Subgroup,
)
from blinacli.model.design import (
    Transplant as Transplant,
)
from blinacli.model.design import TrialStatus as TrialStatus
from blinacli.model.provenance import (
    Citation as Citation,
)
from blinacli.model.provenance import (
    Cite as Cite,
)
from blinacli.model.provenance import (
    Quote as Quote,
)
from blinacli.model.provenance import (
    Registration as Registration,
)
from blinacli.model.provenance import (
    Source as Source,
)
from blinacli.model.provenance import Unconfirmed as Unconfirmed
from blinacli.model.provenance import Unconfirmeds as Unconfirmeds
from blinacli.model.provenance import (
    source_ids as source_ids,
)
from blinacli.model.results import (
    CI as CI,
)
from blinacli.model.results import HIGHEST_GRADE as HIGHEST_GRADE
from blinacli.model.results import (
    MAX_CI_LEVEL as MAX_CI_LEVEL,
)
from blinacli.model.results import (
    AdverseEvent as AdverseEvent,
)
from blinacli.model.results import AnalysisPopulation as AnalysisPopulation
from blinacli.model.results import (
    Claim as Claim,
)
from blinacli.model.results import (
    Comparison as Comparison,
)
from blinacli.model.results import (
    MeasureResult as MeasureResult,
)
from blinacli.model.results import (
    Note as Note,
)
from blinacli.model.results import (
    Outcome as Outcome,
)
from blinacli.model.results import (
    Proportion as Proportion,
)
from blinacli.model.results import (
    Rate as Rate,
)
from blinacli.model.results import (
    Result as Result,
)
from blinacli.model.results import (
    SafetyItem as SafetyItem,
)
from blinacli.model.results import (
    SafetyStatement as SafetyStatement,
)
from blinacli.model.results import (
    Time as Time,
)
from blinacli.model.results import (
    Timepoint as Timepoint,
)
from blinacli.model.results import grade_bounds as grade_bounds
from blinacli.model.results import (
    parse_p as parse_p,
)
from blinacli.model.scalars import COMPARATOR_ROLES as COMPARATOR_ROLES
from blinacli.model.scalars import (
    ENDPOINT_NAMES as ENDPOINT_NAMES,
)
from blinacli.model.scalars import GRADE_TEXT_PATTERN as GRADE_TEXT_PATTERN
from blinacli.model.scalars import (
    NOT_ESTIMABLE as NOT_ESTIMABLE,
)
from blinacli.model.scalars import (
    NOT_REACHED as NOT_REACHED,
)
from blinacli.model.scalars import (
    SCHEMA_VERSION as SCHEMA_VERSION,
)
from blinacli.model.scalars import (
    Allocation as Allocation,
)
from blinacli.model.scalars import (
    ArmRole as ArmRole,
)
from blinacli.model.scalars import (
    ClaimKind as ClaimKind,
)
from blinacli.model.scalars import (
    Count as Count,
)
from blinacli.model.scalars import (
    DoseBasis as DoseBasis,
)
from blinacli.model.scalars import (
    DosePer as DosePer,
)
from blinacli.model.scalars import (
    DoseUnit as DoseUnit,
)
from blinacli.model.scalars import (
    Endpoint as Endpoint,
)
from blinacli.model.scalars import EndpointRole as EndpointRole
from blinacli.model.scalars import (
    EnrollmentStage as EnrollmentStage,
)
from blinacli.model.scalars import (
    Grade as Grade,
)
from blinacli.model.scalars import GradeText as GradeText
from blinacli.model.scalars import (
    Limit as Limit,
)
from blinacli.model.scalars import (
    Masking as Masking,
)
from blinacli.model.scalars import (
    Model as Model,
)
from blinacli.model.scalars import (
    Name as Name,
)
from blinacli.model.scalars import (
    Number as Number,
)
from blinacli.model.scalars import (
    Percent as Percent,
)
from blinacli.model.scalars import (
    Phase as Phase,
)
from blinacli.model.scalars import (
    PositiveCount as PositiveCount,
)
from blinacli.model.scalars import (
    PositiveNumber as PositiveNumber,
)
from blinacli.model.scalars import (
    PValue as PValue,
)
from blinacli.model.scalars import (
    PValueBound as PValueBound,
)
from blinacli.model.scalars import (
    QuoteText as QuoteText,
)
from blinacli.model.scalars import (
    Role as Role,
)
from blinacli.model.scalars import (
    Route as Route,
)
from blinacli.model.scalars import (
    Slug as Slug,
)
from blinacli.model.scalars import (
    SourceKind as SourceKind,
)
from blinacli.model.scalars import (
    Text as Text,
)
from blinacli.model.scalars import (
    TimeUnit as TimeUnit,
)
from blinacli.model.scalars import TrialState as TrialState
from blinacli.model.study import (
    Path as Path,
)
from blinacli.model.study import (
    Study as Study,
)
from blinacli.model.study import (
    format_path as format_path,
)
from blinacli.model.study import (
    quotes as quotes,
)
from blinacli.model.study import (
    reference_problems as reference_problems,
)
