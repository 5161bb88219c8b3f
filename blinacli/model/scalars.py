"""Scalar types, vocabularies and the base struct of the evidence model.

This module does not use ``from __future__ import annotations``: msgspec reads real
annotation objects directly.
"""

from typing import Annotated, Literal

from msgspec import Meta, Struct

SCHEMA_VERSION = 2
"""Bumped whenever a change to the model changes what a file may say. Version 2 added
fields only (grade ranges, trial status, allocation ratio, per-arm follow-up, analysis
populations, comparison direction, unconfirmed details and more): every version-1 file is
a valid version-2 file."""

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
    "composite",
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
    "composite": "composite endpoint",
    "other": "other",
}
Role = Literal["primary", "secondary", "exploratory", "landmark", "not-stated"]
EndpointRole = Literal["primary", "secondary", "exploratory", "not-stated"]
TrialState = Literal["completed", "ongoing", "stopped-early"]
EnrollmentStage = Literal[
    "screened", "enrolled", "reached-remission", "randomized", "treated", "evaluable", "analyzed"
]
ArmRole = Literal[
    "experimental", "active-comparator", "placebo-comparator", "no-intervention", "other"
]
COMPARATOR_ROLES = frozenset({"active-comparator", "placebo-comparator", "no-intervention"})
"""The arm roles that make an arm a comparator to an experimental one."""
DoseUnit = Literal["ng", "µg", "mg", "g", "IU", "units"]
DoseBasis = Literal["per-m2", "per-kg", "flat"]
DosePer = Literal["day", "dose", "week", "cycle"]
Route = Literal[
    "continuous-iv-infusion", "iv", "subcutaneous", "oral", "intrathecal", "intramuscular"
]
GRADE_TEXT_PATTERN = r"^\s*(?:any|(?:≥|>=)\s*([1-5])|([1-5])\s*(?:–|-|to)\s*([1-5]))\s*$(?!\n)"
"""A grade given as text: "any", or a range such as "≥3" (or ">=3") for grade 3 or
higher, and "3–4" (or "3-4", "3 to 4") for grades 3 and 4."""
GradeText = Annotated[
    str,
    Meta(
        pattern=GRADE_TEXT_PATTERN,
        description='"any", or a range of grades: "≥3", ">=3", "3–4", "3-4" or "1 to 2"',
    ),
]
Grade = Annotated[int, Meta(ge=1, le=5)] | GradeText
ClaimKind = Literal["key-point", "conclusion", "limitation"]


class Model(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True, gc=False):
    """Base of every evidence struct: unknown keys are errors, values are immutable.

    ``gc=False``: a study is a tree of immutable values that never refers back to itself,
    so the garbage collector need not track its objects; with ten thousand studies in
    memory, tracking them made every collection scan millions of objects."""
