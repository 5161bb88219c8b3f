"""The FHIR code systems and codes the export writes, with the model's term for each.

Every code here is from a code system of FHIR R5 or of HL7 Terminology; where no code
says what the evidence says (an "ongoing" trial, a masking, a statistic the source does
not name), the export writes the evidence's words as text and no code.
"""

from __future__ import annotations

FHIR_VERSION = "5.0.0"

# Code systems (FHIR R5 core and HL7 Terminology).
CLINICALTRIALS_GOV = "http://clinicaltrials.gov"
PHASE_SYSTEM = "http://hl7.org/fhir/research-study-phase"
STUDY_STATUS_SYSTEM = "http://hl7.org/fhir/research-study-status"
STUDY_DESIGN_SYSTEM = "http://hl7.org/fhir/study-design"
ARM_TYPE_SYSTEM = "http://hl7.org/fhir/research-study-arm-type"
OBJECTIVE_TYPE_SYSTEM = "http://hl7.org/fhir/research-study-objective-type"
TITLE_TYPE_SYSTEM = "http://hl7.org/fhir/title-type"
VARIABLE_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/variable-role"
STATISTIC_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/statistic-type"
ATTRIBUTE_ESTIMATE_SYSTEM = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
UCUM = "http://unitsofmeasure.org"

PHASES: dict[object, tuple[str, str]] = {
    # ClinicalTrials.gov lists "Phase 0" trials as "Early Phase 1".
    0: ("early-phase-1", "Early Phase 1"),
    1: ("phase-1", "Phase 1"),
    "1/2": ("phase-1-phase-2", "Phase 1/Phase 2"),
    2: ("phase-2", "Phase 2"),
    "2/3": ("phase-2-phase-3", "Phase 2/Phase 3"),
    3: ("phase-3", "Phase 3"),
    4: ("phase-4", "Phase 4"),
}
ALLOCATIONS = {
    "randomized": ("SEVCO:01003", "randomized assignment"),
    "non-randomized": ("SEVCO:01005", "Non-randomized assignment"),
    "single-arm": ("SEVCO:01016", "Uncontrolled cohort design"),
}
ARM_TYPES = {
    "experimental": ("experimental", "Experimental"),
    "active-comparator": ("active-comparator", "Active Comparator"),
    "placebo-comparator": ("placebo-comparator", "Placebo Comparator"),
    "no-intervention": ("no-intervention", "No Intervention"),
    "other": ("other-arm-type", "Other Arm Type"),
}
STUDY_STATES: dict[str, tuple[str, str] | None] = {
    "completed": ("completed", "Completed"),
    # "Study is completed prematurely and will not resume": a trial stopped early.
    "stopped-early": ("administratively-completed", "Administratively Completed"),
    # No code says "ongoing" alone: "active" is "opened for accrual" and the other
    # ongoing states each say whether it still recruits, which the model does not.
    "ongoing": None,
}
RATIO_TYPES = {
    "hazard-ratio": ("C93150", "Hazard Ratio", "hazard ratio"),
    "odds-ratio": ("C16932", "Odds Ratio", "odds ratio"),
    "risk-ratio": ("C93152", "Relative Risk", "risk ratio"),
}
MEDIAN = ("C28007", "Median")
MEAN = ("C53319", "Mean")
PROPORTION = ("C44256", "Proportion")
COUNT = ("C25463", "Count")
VARIABLE_ROLES = {
    "population": "population",
    "exposure": "exposure",
    "referenceExposure": "reference exposure",
    "measuredVariable": "measured variable",
}
CONFIDENCE_INTERVAL = ("C53324", "Confidence interval")
P_VALUE = ("C44185", "P-value")
FHIR_COMPARATORS = {"<": "<", ">": ">", "≤": "<=", "≥": ">="}
TIME_UNITS = {"days": "d", "weeks": "wk", "months": "mo", "years": "a"}
"""UCUM codes of the model's units of time."""
PERCENT_UNIT = "%"
