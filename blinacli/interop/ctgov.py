"""Draft an evidence file from a ClinicalTrials.gov study record (API v2 JSON, offline).

``blinacli import ctgov`` turns one study record into a YAML draft of the
evidence model. What the registry holds is imported, each figure with a quote
of the record's own field values under the source ``registry``; what it does
not hold (the publication, the doses, which group of an analysis is the
intervention, a count behind a reported percentage) becomes a ``TODO``
placeholder, which the loader rejects until a person fills it. Nothing is
derived or guessed: a value the model cannot hold as the registry reports it is
left out, and a note in the draft says what and why.

A registry quote is a list of pieces joined by ``" | "``, each copied verbatim
from one field of the record: a text (a measure, group or event title, a unit)
as it stands, a coded or numeric field as ``key: value`` with the record's JSON
key, and a denominator as ``units: count`` (``Participants: 159``). A text too
long for a quote is cut to a leading excerpt at a word boundary, never
reworded.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
import yaml

from blinacli.base.errors import BlinacliError
from blinacli.model import (
    ENDPOINT_NAMES,
    Count,
    Percent,
    PositiveCount,
    PositiveNumber,
    PValueBound,
    vocabulary,
)

MAX_BYTES = 64 * 1024 * 1024
"""Largest record read; the largest records on ClinicalTrials.gov are a few MiB."""

SEPARATOR = " | "
"""Between the pieces of a registry quote."""

QUOTE_LIMIT = 600
"""The model's longest quote."""

REGISTRY = "registry"
PUBLICATION = "publication"


class RecordError(BlinacliError):
    """The input is not a ClinicalTrials.gov API v2 study record."""


# --- The record: the API v2 fields the draft reads ------------------------------------------

NumText = str | int | float
"""A field the API writes as text ("47.2") in most records and as a number in some."""


class _Field(msgspec.Struct, rename="camel"):
    """Base of the record's objects: other fields are ignored, names are camelCase."""


class _IdInfo(_Field):
    id: str


class _Identification(_Field):
    nct_id: str
    acronym: str | None = None
    brief_title: str | None = None
    official_title: str | None = None
    org_study_id_info: _IdInfo | None = None
    secondary_id_infos: list[_IdInfo] = []


class _DateStruct(_Field):
    date: str | None = None


class _Status(_Field):
    overall_status: str | None = None
    last_update_post_date_struct: _DateStruct | None = None


class _MaskingInfo(_Field):
    masking: str | None = None


class _DesignInfo(_Field):
    allocation: str | None = None
    intervention_model: str | None = None
    masking_info: _MaskingInfo | None = None


class _EnrollmentInfo(_Field):
    count: int | None = None
    type: str | None = None


class _DesignModule(_Field):
    study_type: str | None = None
    phases: list[str] = []
    design_info: _DesignInfo | None = None
    enrollment_info: _EnrollmentInfo | None = None


class _ArmGroup(_Field):
    label: str
    type: str | None = None
    description: str | None = None
    intervention_names: list[str] = []


class _Intervention(_Field):
    name: str
    type: str | None = None
    description: str | None = None
    arm_group_labels: list[str] = []


class _ArmsModule(_Field):
    arm_groups: list[_ArmGroup] = []
    interventions: list[_Intervention] = []


class _OutcomeDefinition(_Field):
    measure: str
    description: str | None = None
    time_frame: str | None = None


class _OutcomesModule(_Field):
    primary_outcomes: list[_OutcomeDefinition] = []
    secondary_outcomes: list[_OutcomeDefinition] = []
    other_outcomes: list[_OutcomeDefinition] = []


class _Eligibility(_Field):
    eligibility_criteria: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None


class _Conditions(_Field):
    conditions: list[str] = []


class _Reference(_Field):
    pmid: str | None = None
    type: str | None = None
    citation: str | None = None


class _References(_Field):
    references: list[_Reference] = []


class _Protocol(_Field):
    identification_module: _Identification
    status_module: _Status | None = None
    design_module: _DesignModule | None = None
    arms_interventions_module: _ArmsModule | None = None
    outcomes_module: _OutcomesModule | None = None
    eligibility_module: _Eligibility | None = None
    conditions_module: _Conditions | None = None
    references_module: _References | None = None


class _Group(_Field):
    id: str
    title: str
    description: str | None = None


class _DenomCount(_Field):
    group_id: str
    value: NumText


class _Denom(_Field):
    units: str | None = None
    counts: list[_DenomCount] = []


class _Measurement(_Field):
    group_id: str
    value: NumText | None = None
    spread: NumText | None = None
    lower_limit: NumText | None = None
    upper_limit: NumText | None = None
    comment: str | None = None


class _Category(_Field):
    title: str | None = None
    measurements: list[_Measurement] = []


class _Class(_Field):
    title: str | None = None
    denoms: list[_Denom] = []
    categories: list[_Category] = []


class _Analysis(_Field):
    group_ids: list[str] = []
    group_description: str | None = None
    statistical_method: str | None = None
    p_value: NumText | None = None
    p_value_comment: str | None = None
    param_type: str | None = None
    param_value: NumText | None = None
    ci_pct_value: NumText | None = None
    ci_num_sides: str | None = None
    ci_lower_limit: NumText | None = None
    ci_upper_limit: NumText | None = None
    ci_lower_limit_comment: str | None = None
    ci_upper_limit_comment: str | None = None
    estimate_comment: str | None = None
    non_inferiority_type: str | None = None


class _Measure(_Field):
    title: str
    type: str | None = None
    description: str | None = None
    population_description: str | None = None
    param_type: str | None = None
    dispersion_type: str | None = None
    unit_of_measure: str | None = None
    time_frame: str | None = None
    groups: list[_Group] = []
    denoms: list[_Denom] = []
    classes: list[_Class] = []
    analyses: list[_Analysis] = []


class _OutcomeMeasures(_Field):
    outcome_measures: list[_Measure] = []


class _EventGroup(_Field):
    id: str
    title: str
    description: str | None = None
    serious_num_affected: int | None = None
    serious_num_at_risk: int | None = None
    other_num_affected: int | None = None
    other_num_at_risk: int | None = None


class _EventStat(_Field):
    group_id: str
    num_events: int | None = None
    num_affected: int | None = None
    num_at_risk: int | None = None


class _Event(_Field):
    term: str
    organ_system: str | None = None
    stats: list[_EventStat] = []


class _AdverseEvents(_Field):
    frequency_threshold: NumText | None = None
    time_frame: str | None = None
    description: str | None = None
    event_groups: list[_EventGroup] = []
    serious_events: list[_Event] = []
    other_events: list[_Event] = []


class _Limitations(_Field):
    description: str | None = None


class _MoreInfo(_Field):
    limitations_and_caveats: _Limitations | None = None


class _Results(_Field):
    outcome_measures_module: _OutcomeMeasures | None = None
    adverse_events_module: _AdverseEvents | None = None
    more_info_module: _MoreInfo | None = None


class _Record(_Field):
    protocol_section: _Protocol
    results_section: _Results | None = None


# --- Reading ----------------------------------------------------------------------------------


def read_record(source: str, stdin: BinaryIO | None = None) -> tuple[bytes, str]:
    """The bytes of ``source`` (a path, or ``-`` for ``stdin``) and the name to report it by."""
    if source == "-":
        if stdin is None:  # pragma: no cover - the command line always passes stdin
            raise RecordError("no standard input to read")
        raw = stdin.read(MAX_BYTES + 1)
        name = "standard input"
    else:
        path = Path(source)
        name = source
        try:
            if path.is_dir():
                raise RecordError(f"cannot read {name}: it is a directory")
            with path.open("rb") as stream:
                raw = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            raise RecordError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise RecordError(f"{name} is over {limit} MiB; a study record is a few MiB at most")
    return raw, name


def _not_a_record(name: str, why: str) -> RecordError:
    return RecordError(f"{name} is not a ClinicalTrials.gov API v2 study record: {why}")


def parse_record(raw: bytes, name: str) -> _Record:
    """Decode and check one API v2 study record; :class:`RecordError` names what is wrong."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{name} is not JSON: byte {exc.start} is not UTF-8") from None
    if not text.strip():
        raise RecordError(f"{name} is empty; expected a study record in JSON")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"{name} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"{name} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a JSON {type(data).__name__}"
        raise _not_a_record(name, f"the file holds {kind}; a study record is one JSON object")
    if "FullStudiesResponse" in data or "StudyFieldsResponse" in data:
        raise _not_a_record(
            name,
            "this is a response of the retired API v1; download the record from the v2 API "
            "(https://clinicaltrials.gov/api/v2/studies/NCT…)",
        )
    if "studies" in data and "protocolSection" not in data:
        raise _not_a_record(
            name, "this is a v2 search response (a list of studies); import one study record"
        )
    if "protocolSection" not in data:
        raise _not_a_record(name, "it has no protocolSection")
    try:
        record = msgspec.convert(data, _Record)
    except msgspec.ValidationError as exc:
        raise _not_a_record(name, _describe_validation(str(exc))) from None
    nct = record.protocol_section.identification_module.nct_id
    if not re.fullmatch(r"NCT\d{8}", nct):
        raise _not_a_record(
            name, f"protocolSection.identificationModule.nctId is {nct!r}, not an NCT number"
        )
    return record


def _reject_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a number JSON allows")


_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_TYPES = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "object": "an object",
    "array": "a list",
    "null": "null",
    "bool": "true or false",
}


def _describe_validation(error: str) -> str:
    """msgspec's message in the record's own terms: ``field: expected ..., found ...``."""
    match = _AT.match(error.strip())
    assert match is not None  # the pattern matches any text
    message, path = match.group("message"), (match.group("path") or "").lstrip(".")
    if missing := re.match(r"Object missing required field `(.+)`", message):
        field = f"{path}.{missing.group(1)}" if path else missing.group(1)
        return f"{field} is missing"
    if typed := re.match(r"Expected `([^`]+)`, got `([^`]+)`", message):
        expected = " or ".join(
            dict.fromkeys(_TYPES.get(t.strip(), t.strip()) for t in typed.group(1).split("|"))
        )
        found = _TYPES.get(typed.group(2), typed.group(2))
        return f"{path or 'the record'}: expected {expected}, found {found}"
    return f"{path}: {message}" if path else message


# --- Values as the registry writes them ------------------------------------------------------

_PLAIN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_INTEGER = re.compile(r"0|[1-9][0-9]*")


class Number(str):
    """A number kept in the registry's own writing ("7.0", "15.2310"), emitted unquoted."""

    @property
    def value(self) -> int | float:
        return float(self) if "." in self else int(self)


class Placeholder(str):
    """A ``TODO`` value shared by several fields: emitted once with an anchor, then aliased."""

    anchor: str

    def __new__(cls, text: str, anchor: str) -> Placeholder:
        made = super().__new__(cls, text)
        made.anchor = anchor
        return made


class Flow(dict[str, Any]):
    """A small mapping written on one line: ``{level: 95, lower: 0.23, upper: 0.73}``."""


class FlowList(list[Any]):
    """A short list written on one line: ``[blinatumomab]``."""


def _raw(value: NumText | None) -> str | None:
    """A field's text as the record writes it; None when absent or empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    text = str(value).strip()
    return text or None


def _number(value: NumText | None) -> Number | None:
    """The value as a :class:`Number` when the registry wrote a plain non-negative decimal."""
    text = _raw(value)
    return Number(text) if text is not None and _PLAIN.fullmatch(text) else None


def _count(value: NumText | None) -> int | None:
    text = _raw(value)
    return int(text) if text is not None and _INTEGER.fullmatch(text) else None


def _fits(value: object, kind: Any) -> bool:
    """Whether ``value`` is valid for the model's type ``kind`` (its bounds and patterns)."""
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError:
        return False
    return True


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def _excerpt(text: str, limit: int) -> str:
    """A leading part of ``text`` of at most ``limit`` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit, 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip()


def _fit(text: str, limit: int) -> str:
    """``text`` for a field of at most ``limit`` characters; a cut is marked with "…"."""
    return text if len(text) <= limit else _excerpt(text, limit - 1) + "…"


def _cite(*pieces: str | None) -> list[dict[str, str]]:
    """A one-quote cite of the registry: the pieces joined, the longest cut until it fits."""
    parts = [" ".join(p.split()) for p in pieces if p is not None and p.strip()]
    if not parts:
        return [
            {
                "source": PUBLICATION,
                "quote": "TODO: a verbatim quote from the publication (the registry record "
                "has nothing to quote here)",
            }
        ]
    while len(SEPARATOR.join(parts)) > QUOTE_LIMIT:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        excess = len(SEPARATOR.join(parts)) - QUOTE_LIMIT
        parts[longest] = _excerpt(parts[longest], len(parts[longest]) - excess)
        parts = [p for p in parts if p]
    return [{"source": REGISTRY, "quote": SEPARATOR.join(parts)}]


def _field(key: str, value: NumText | None) -> str | None:
    """A coded or numeric piece of a quote: ``key: value``."""
    text = _raw(value)
    return None if text is None else f"{key}: {text}"


def _slug(text: str, fallback: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > 50:
        slug = slug[:50].rsplit("-", 1)[0] if "-" in slug[:50] else slug[:50]
    return slug or fallback


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- Vocabularies -----------------------------------------------------------------------------

PHASES: dict[tuple[str, ...], int | str] = {
    ("EARLY_PHASE1",): 0,
    ("PHASE1",): 1,
    ("PHASE2",): 2,
    ("PHASE3",): 3,
    ("PHASE4",): 4,
    ("PHASE1", "PHASE2"): "1/2",
    ("PHASE2", "PHASE3"): "2/3",
}
ALLOCATIONS = {"RANDOMIZED": "randomized", "NON_RANDOMIZED": "non-randomized"}
MASKINGS = {
    "NONE": "open-label",
    "SINGLE": "single-blind",
    "DOUBLE": "double-blind",
    "TRIPLE": "triple-blind",
    "QUADRUPLE": "quadruple-blind",
}
ARM_ROLES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active-comparator",
    "PLACEBO_COMPARATOR": "placebo-comparator",
    "NO_INTERVENTION": "no-intervention",
    "OTHER": "other",
}
OUTCOME_ROLES = {"PRIMARY": "primary", "SECONDARY": "secondary"}
RATIOS = {
    "hazard ratio (hr)": "hazard-ratio",
    "odds ratio (or)": "odds-ratio",
    "risk ratio (rr)": "risk-ratio",
}
DRUG_TYPES = {"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"}
TIME_UNITS = {
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}
TIME_TO_EVENT = vocabulary.TIME_TO_EVENT | vocabulary.EVENT_INCIDENCE
_PERCENT_UNIT = re.compile(
    r"(?:%|percent(?:age)?)\s*(?:of\s+)?(?:participants|subjects|patients)", re.IGNORECASE
)
_CI_DISPLAY = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*confidence interval", re.IGNORECASE)
_CI_CODE = re.compile(r"CONFIDENCE_INTERVAL_(\d+)(?:_(\d+))?")
_AGE = re.compile(r"(\d+)\s+years?", re.IGNORECASE)
_TIMEPOINT = [
    re.compile(r"(?:at\s+)?(?P<unit>day|week|month|year)\s+(?P<value>\d+)", re.IGNORECASE),
    re.compile(r"(?P<value>\d+)\s+(?P<unit>days|weeks|months|years)", re.IGNORECASE),
]
_NOT_ESTIMABLE = re.compile(r"not\s+estimable|could\s+not\s+be\s+estimated|not\s+reached", re.I)
_NOT_REACHED = re.compile(r"not\s+(?:yet\s+)?reached", re.IGNORECASE)
_PH_WORDS = re.compile(r"philadelphia|bcr[\s:-]*abl|\bph[+-]|\bph-(?:positive|negative)", re.I)


def endpoint_of(title: str) -> str:
    """The endpoint term whose name the title contains (the longest), else ``other``."""
    found = [
        term
        for term, name in ENDPOINT_NAMES.items()
        if term != "other" and re.search(rf"\b{re.escape(name)}\b", title, re.IGNORECASE)
    ]
    if not found:
        return "other"
    return max(found, key=lambda term: len(ENDPOINT_NAMES[term]))


def _ci_level(dispersion: str | None) -> Number | None:
    if dispersion is None:
        return None
    if match := _CI_DISPLAY.fullmatch(dispersion.strip()):
        return Number(match.group(1))
    if match := _CI_CODE.fullmatch(dispersion.strip()):
        whole, fraction = match.groups()
        return Number(f"{whole}.{fraction}" if fraction else whole)
    return None


def _limit(value: NumText | None, comment: str | None) -> Number | str | None:
    """A CI limit: the number, "not estimable" when the record says so, else None."""
    number = _number(value)
    if number is not None:
        return number
    if _raw(value) in (None, "NA") and comment is not None and _NOT_ESTIMABLE.search(comment):
        return "not estimable"
    return None


def _p_value(value: NumText | None) -> Number | str | None:
    """The p-value as reported: a number, or a bound such as "<0.001"; None if neither."""
    text = _raw(value)
    if text is None:
        return None
    plain = text[1:].strip() if text.startswith("=") else text
    number = _number(plain)
    if number is not None:
        return number if number.value <= 1 else None
    return text if _fits(text, PValueBound) else None


# --- The draft --------------------------------------------------------------------------------


class _Draft:
    """Builds the evidence document of one record, collecting notes on what was left out."""

    def __init__(self, record: _Record) -> None:
        self.record = record
        self.protocol = record.protocol_section
        self.ident = self.protocol.identification_module
        self.nct = self.ident.nct_id
        self.notes: list[dict[str, str]] = []
        self.arms: list[dict[str, Any]] = []
        self.arm_ids: dict[str, str] = {}  # arm label -> id
        self.subgroups: list[dict[str, Any]] = []
        self.group_ids: dict[str, str] = {}  # reporting-group title (casefolded) -> id
        self.used: set[str] = set()  # the group ids imported results and comparisons name
        self.taken: set[str] = {"all"}
        self.shared: dict[str, Placeholder] = {}

    # -- ids -----------------------------------------------------------------------------------

    def _new_id(self, text: str, fallback: str) -> str:
        base = _slug(text, fallback)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate = f"{base}-{number}"
            number += 1
        self.taken.add(candidate)
        return candidate

    def note(self, about: str, text: str) -> None:
        self.notes.append({"about": about, "text": _fit(text, 4000)})

    # -- the document --------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        design = self.design()  # arms first: dosing, outcomes and safety refer to them
        population = self.population()
        dosing = self.dosing()
        outcomes = self.outcomes()
        safety = self.safety()
        doc: dict[str, Any] = {
            "id": self.study_id(),
            "acronym": self.acronym(),
            "title": _fit(self.title(), 4000),
            "drugs": FlowList(self.drugs()),
            "condition": population.pop("_condition"),
            "citation": self.citation(),
            "registrations": [self.registration()],
            "sources": self.sources(),
            "design": design,
            "population": population,
        }
        if dosing:
            doc["dosing"] = dosing
        if outcomes:
            doc["outcomes"] = outcomes
        if safety:
            doc["safety"] = safety
        claims = self.claims()
        if claims:
            doc["claims"] = claims
        subgroups = [s for s in self.subgroups if s["id"] in self.used]
        if subgroups:
            population["subgroups"] = subgroups
            population["cite"] = population.pop("cite")  # keep cite last
        if self.notes:
            doc["notes"] = self.notes
        return doc

    def study_id(self) -> str:
        acronym = _text(self.ident.acronym)
        slug = _slug(acronym, "") if acronym else ""
        return slug if slug and slug != "all" else self.nct.lower()

    def acronym(self) -> str:
        return _fit(_text(self.ident.acronym) or self.nct, 300)

    def title(self) -> str:
        return (
            _text(self.ident.official_title)
            or _text(self.ident.brief_title)
            or "TODO: the study's title (the registry record gives none)"
        )

    def drugs(self) -> list[str]:
        names = [i.name.strip() for i in self._drug_interventions()]
        unique = list(dict.fromkeys(n for n in names if n))
        return [_fit(n, 300) for n in unique] or [
            "TODO: the drug studied (the registry lists no drug or biological intervention)"
        ]

    def _drug_interventions(self) -> list[_Intervention]:
        module = self.protocol.arms_interventions_module
        if module is None:
            return []
        return [
            i
            for i in module.interventions
            if (i.type or "") in DRUG_TYPES
            and i.name.strip()
            and not re.search(r"\bplacebo\b", i.name, re.I)
        ]

    def citation(self) -> dict[str, Any]:
        return {
            "authors": ["TODO: the publication's authors, e.g. Surname AB"],
            "title": "TODO: the publication's title",
            "journal": "TODO: the journal's abbreviated name",
            "year": "TODO: the year of publication",
            "cite": [
                {
                    "source": PUBLICATION,
                    "quote": "TODO: a verbatim quote of the publication's authors or title",
                }
            ],
        }

    def registration(self) -> dict[str, Any]:
        secondary: list[str] = []
        if self.ident.org_study_id_info is not None:
            secondary.append(self.ident.org_study_id_info.id)
        secondary += [info.id for info in self.ident.secondary_id_infos]
        unique = [
            _fit(s.strip(), 300)
            for s in dict.fromkeys(secondary)
            if s.strip() and s.strip() != self.nct
        ]
        entry: dict[str, Any] = {"registry": "ClinicalTrials.gov", "id": self.nct}
        if unique:
            entry["secondary_ids"] = FlowList(unique)
        org = self.ident.org_study_id_info
        entry["cite"] = _cite(
            _field("nctId", self.nct),
            _field("acronym", self.ident.acronym),
            _field("orgStudyIdInfo.id", org.id if org is not None else None),
            *(_field("secondaryIdInfos.id", info.id) for info in self.ident.secondary_id_infos),
        )
        return entry

    def sources(self) -> list[dict[str, Any]]:
        status = self.protocol.status_module
        updated = None
        if status is not None and status.last_update_post_date_struct is not None:
            updated = _text(status.last_update_post_date_struct.date)
        citation = f"ClinicalTrials.gov record {self.nct}"
        if updated:
            citation += f", last update posted {updated}"
        registry: dict[str, Any] = {"id": REGISTRY, "kind": "registry-record"}
        brief = _text(self.ident.brief_title)
        if brief:
            registry["title"] = _fit(brief, 300)
        registry["citation"] = citation
        registry["url"] = f"https://clinicaltrials.gov/study/{self.nct}"
        registry["note"] = (
            "Imported by blinacli import ctgov from the record's API v2 JSON. A quote of "
            "this source lists the record's field values for a figure, each verbatim, joined "
            'by " | ": texts as they stand, coded and numeric fields as "key: value" with the '
            'record\'s JSON key, denominators as "units: count".'
        )
        publication = {
            "id": PUBLICATION,
            "kind": "TODO: journal-abstract, full-text or conference-abstract",
            "citation": "TODO: the publication that reports the study, as you would cite it",
        }
        return [registry, publication]

    # -- design --------------------------------------------------------------------------------

    def design(self) -> dict[str, Any]:
        module = self.protocol.design_module or _DesignModule()
        info = module.design_info or _DesignInfo()
        design: dict[str, Any] = {
            "phase": self.phase(module),
            "allocation": self.allocation(module, info),
        }
        masking_code = info.masking_info.masking if info.masking_info is not None else None
        if masking_code in MASKINGS:
            design["masking"] = MASKINGS[masking_code]
        elif masking_code is not None:
            self.note("design", f"The registry's masking {masking_code!r} is not imported.")
        design["arms"] = self.arms_of()
        endpoints = self.endpoints()
        if endpoints:
            design["endpoints"] = endpoints
        enrollment = self.enrollment(module)
        if enrollment:
            design["enrollment"] = enrollment
        design["cite"] = _cite(
            _field("studyType", module.study_type),
            _field("phases", ", ".join(module.phases) if module.phases else None),
            _field("allocation", info.allocation),
            _field("interventionModel", info.intervention_model),
            _field("masking", masking_code),
        )
        return design

    def phase(self, module: _DesignModule) -> int | str:
        phases = tuple(module.phases)
        if phases in PHASES:
            return PHASES[phases]
        if not phases:
            return (
                "TODO: the phase: 0, 1, 2, 3, 4, 1/2 or 2/3 (the registry gives none"
                + (f"; study type {module.study_type}" if module.study_type else "")
                + ")"
            )
        return (
            f"TODO: the phase: 0, 1, 2, 3, 4, 1/2 or 2/3 (the registry gives {', '.join(phases)})"
        )

    def allocation(self, module: _DesignModule, info: _DesignInfo) -> str:
        code = info.allocation
        if code in ALLOCATIONS:
            return ALLOCATIONS[code]
        arms = self.protocol.arms_interventions_module
        if code == "NA" and info.intervention_model == "SINGLE_GROUP":
            if arms is not None and len(arms.arm_groups) <= 1:
                return "single-arm"
        return (
            "TODO: the allocation: randomized, single-arm or non-randomized (the registry "
            f"gives {code or 'none'}"
            + (f", model {info.intervention_model}" if info.intervention_model else "")
            + ")"
        )

    def arms_of(self) -> list[dict[str, Any]]:
        module = self.protocol.arms_interventions_module
        groups = module.arm_groups if module is not None else []
        for group in groups:
            label = _text(group.label)
            if label is None or label.casefold() in {k.casefold() for k in self.arm_ids}:
                continue
            arm_id = self._new_id(label, "arm")
            self.arm_ids[label] = arm_id
            role = ARM_ROLES.get(group.type or "")
            arm: dict[str, Any] = {"id": arm_id, "label": _fit(label, 300)}
            if role is None:
                arm["role"] = "other"
                self.note(
                    "design",
                    f"The registry's arm type of {label!r} is {group.type or 'not given'}; "
                    "the draft says role other.",
                )
            else:
                arm["role"] = role
            description = _text(group.description)
            if description:
                arm["description"] = _fit(description, 4000)
            arm["cite"] = _cite(label, _field("type", group.type))
            self.arms.append(arm)
        if not self.arms:
            self.arms.append(
                {
                    "id": "TODO: an id for the arm, e.g. experimental",
                    "label": "TODO: the arm's name (the registry lists no arm)",
                    "role": "TODO: experimental, active-comparator, placebo-comparator, "
                    "no-intervention or other",
                    "cite": [{"source": PUBLICATION, "quote": "TODO: a verbatim quote"}],
                }
            )
        return self.arms

    def endpoints(self) -> list[dict[str, Any]]:
        module = self.protocol.outcomes_module
        if module is None:
            return []
        found: list[dict[str, Any]] = []
        for role, definitions in (
            ("primary", module.primary_outcomes),
            ("secondary", module.secondary_outcomes),
        ):
            for definition in definitions:
                title = _text(definition.measure)
                if title is None:
                    continue
                found.append(
                    {
                        "role": role,
                        "endpoint": endpoint_of(title),
                        "label": _fit(title, 4000),
                        "cite": _cite(title, _field("timeFrame", definition.time_frame)),
                    }
                )
        others = [d.measure.strip() for d in module.other_outcomes if d.measure.strip()]
        if others:
            self.note(
                "endpoints",
                f"The registry lists {len(others)} other pre-specified outcome measure(s), not "
                "listed as endpoints (the model's roles are primary, secondary and "
                "exploratory): " + "; ".join(others),
            )
        return found

    def enrollment(self, module: _DesignModule) -> list[dict[str, Any]]:
        info = module.enrollment_info
        if info is None or info.count is None:
            return []
        if info.type == "ACTUAL" and _fits(info.count, Count):
            return [
                {
                    "stage": "enrolled",
                    "n": info.count,
                    "note": "The registry's actual enrollment.",
                    "cite": _cite(_field("count", info.count), _field("type", info.type)),
                }
            ]
        self.note(
            "design",
            f"The registry gives an enrollment of {info.count} of type {info.type or 'not given'}"
            "; only an actual enrollment is imported as a count of people.",
        )
        return []

    # -- population ----------------------------------------------------------------------------

    def population(self) -> dict[str, Any]:
        conditions_module = self.protocol.conditions_module
        conditions = [c.strip() for c in (conditions_module or _Conditions()).conditions]
        conditions = [c for c in conditions if c]
        disease = (
            _fit(conditions[0], 300)
            if conditions
            else "TODO: the disease studied (the registry lists no condition)"
        )
        population: dict[str, Any] = {"_condition": disease, "disease": disease}
        age = self.age()
        if age is not None:
            population["age"] = age
        population["philadelphia"] = self.philadelphia()
        if len(conditions) > 1:
            self.note(
                "population",
                "The registry lists these conditions: " + "; ".join(conditions) + ".",
            )
        population["cite"] = (
            _cite(*conditions)
            if conditions
            else [{"source": PUBLICATION, "quote": "TODO: a verbatim quote naming the population"}]
        )
        return population

    def age(self) -> dict[str, Any] | None:
        eligibility = self.protocol.eligibility_module
        if eligibility is None:
            return None
        age: dict[str, Any] = {}
        for key, text in (("min", eligibility.minimum_age), ("max", eligibility.maximum_age)):
            text = _text(text)
            if text is None:
                continue
            match = _AGE.fullmatch(text)
            if match and int(match.group(1)) <= 130:
                age[key] = int(match.group(1))
            else:
                word = "minimum" if key == "min" else "maximum"
                self.note(
                    "population",
                    f"The registry's {word} age {text!r} is not in whole years; not imported.",
                )
        if not age:
            return None
        if "min" in age and "max" in age and age["min"] > age["max"]:
            self.note("population", "The registry's minimum age exceeds its maximum age.")
            return None
        age["cite"] = _cite(
            _field("minimumAge", eligibility.minimum_age),
            _field("maximumAge", eligibility.maximum_age),
        )
        return age

    def philadelphia(self) -> dict[str, Any]:
        eligibility = self.protocol.eligibility_module
        criteria = eligibility.eligibility_criteria if eligibility is not None else None
        if criteria and _PH_WORDS.search(criteria):
            return {
                "status": "TODO: positive, negative or any: the eligibility criteria mention "
                "the Philadelphia chromosome (BCR::ABL1); read them",
            }
        return {
            "status": "not-reported",
            "note": "The registry record does not mention the Philadelphia chromosome (BCR::ABL1).",
        }

    # -- dosing --------------------------------------------------------------------------------

    def dosing(self) -> list[dict[str, Any]]:
        regimens: list[dict[str, Any]] = []
        for intervention in self._drug_interventions():
            name = intervention.name.strip()
            for label in intervention.arm_group_labels:
                arm_id = next((i for a, i in self.arm_ids.items() if _same(a, label)), None)
                if arm_id is None:
                    self.note(
                        "dosing",
                        f"The registry names arm {label!r} for {name!r}, but lists no such arm.",
                    )
                    continue
                regimen: dict[str, Any] = {
                    "arm": arm_id,
                    "drug": _fit(name, 300),
                    "dose": f"TODO: the dose of {name} in this arm, from the publication "
                    "(the registry describes it only in text); remove this line if it has "
                    "none",
                }
                description = _text(intervention.description)
                if description:
                    regimen["note"] = _fit(description, 4000)
                regimen["cite"] = _cite(name, _field("type", intervention.type), label)
                regimens.append(regimen)
        return regimens

    # -- groups of the results -----------------------------------------------------------------

    def group_id(self, group: _Group) -> str:
        """The arm whose label is the group's title, else a subgroup made for the group."""
        title = " ".join(group.title.split())
        for label, arm_id in self.arm_ids.items():
            if _same(label, title):
                return arm_id
        key = title.casefold()
        if key not in self.group_ids:
            group_id = self._new_id(title, "group")
            self.group_ids[key] = group_id
            subgroup: dict[str, Any] = {"id": group_id, "label": _fit(title, 300)}
            description = _text(group.description)
            if description:
                subgroup["defined_by"] = _fit(description, 4000)
            subgroup["cite"] = _cite(title)
            self.subgroups.append(subgroup)
        return self.group_ids[key]

    # -- outcomes ------------------------------------------------------------------------------

    def outcomes(self) -> list[dict[str, Any]]:
        results = self.record.results_section
        if results is None or results.outcome_measures_module is None:
            return []
        outcomes: list[dict[str, Any]] = []
        counters: dict[str, int] = {}
        for measure in results.outcome_measures_module.outcome_measures:
            prefix = (measure.type or "other").lower().replace("_", "-")
            counters[prefix] = counters.get(prefix, 0) + 1
            outcome = self.outcome(measure, f"{prefix}-{counters[prefix]}")
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def outcome(self, measure: _Measure, outcome_id: str) -> dict[str, Any] | None:
        title = " ".join(measure.title.split())
        if not title:
            self.note("outcomes", "An outcome measure without a title is not imported.")
            return None
        notes: list[str] = []
        endpoint = endpoint_of(title)
        results, reason = self.results(measure, endpoint, notes)
        comparison = self.comparison(measure, notes)
        if not results and comparison is None:
            why = reason or "no group's value could be imported"
            skipped = [n for n in notes if n.startswith("A registry analysis")]
            self.note(
                "outcomes",
                " ".join(
                    [f"The registry's outcome measure {title!r} is not imported: {why}.", *skipped]
                ),
            )
            return None
        if reason:
            notes.insert(0, f"Group values not imported: {reason}.")
        role = OUTCOME_ROLES.get(measure.type or "")
        if role is None:
            role = "not-stated"
            notes.insert(
                0,
                f"The registry classes this outcome measure as {measure.type or 'nothing'}; "
                "the model has no such role.",
            )
        outcome: dict[str, Any] = {
            "id": self._new_id(outcome_id, "outcome"),
            "endpoint": endpoint,
            "label": _fit(title, 4000),
            "role": role,
        }
        timepoint = _timepoint(measure.time_frame)
        if timepoint is not None:
            outcome["timepoint"] = timepoint
        if results:
            outcome["results"] = results
        if comparison is not None:
            outcome["comparison"] = comparison
        population = _text(measure.population_description)
        if population:
            notes.insert(0, f"Analysis population (registry): {population}")
        if notes:
            outcome["notes"] = [_fit(n, 4000) for n in notes]
        return outcome

    def results(
        self, measure: _Measure, endpoint: str, notes: list[str]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Each group's result, and why the group values are not imported (None if they are)."""
        param = (measure.param_type or "").upper()
        unit = _text(measure.unit_of_measure) or ""
        time_unit = TIME_UNITS.get(unit.casefold())
        title = " ".join(measure.title.split())
        time_to_event = endpoint in TIME_TO_EVENT or bool(re.match(r"time to\b", title, re.I))
        if param == "COUNT_OF_PARTICIPANTS":
            kind = "count"
        elif param == "NUMBER" and _PERCENT_UNIT.fullmatch(unit):
            kind = "rate" if time_to_event else "percent"
        elif param in ("MEDIAN", "MEAN") and time_unit is not None and time_to_event:
            kind = "time"
        elif not measure.classes:
            return [], "the registry gives no values"
        else:
            what = (param or "no parameter type") + (f" in {unit!r}" if unit else "")
            return [], f"the model has no result type for {what}"
        rows = [(c, cat) for c in measure.classes for cat in c.categories]
        if len(rows) != 1:
            return [], (
                f"the registry reports {len(rows)} rows (classes or categories) and only "
                "single-row measures are imported"
            )
        klass, category = rows[0]
        denoms = klass.denoms or measure.denoms
        by_group = {m.group_id: m for m in category.measurements}
        results: list[dict[str, Any]] = []
        skipped: list[str] = []
        for group in measure.groups:
            measurement = by_group.get(group.id)
            if measurement is None:
                continue
            if not group.title.strip():
                skipped.append(f"{group.id}: the group has no title")
                continue
            made = self.result(kind, measure, group, measurement, denoms, time_unit, unit)
            if isinstance(made, str):
                skipped.append(f"{group.title}: {made}")
            else:
                results.append(made)
        for item in skipped:
            notes.append(f"Not imported for group {item}.")
        return results, None

    def result(
        self,
        kind: str,
        measure: _Measure,
        group: _Group,
        measurement: _Measurement,
        denoms: list[_Denom],
        time_unit: str | None,
        unit: str,
    ) -> dict[str, Any] | str:
        """One group's result, or why it cannot be imported."""
        title = " ".join(measure.title.split())
        value = _raw(measurement.value)
        comment = _text(measurement.comment)
        total_piece: str | None = None
        total: int | None = None
        for denom in denoms:
            if (denom.units or "").strip().casefold() == "participants":
                found = next((c for c in denom.counts if c.group_id == group.id), None)
                if found is not None:
                    total = _count(found.value)
                    total_piece = f"{(denom.units or '').strip()}: {_raw(found.value)}"
                break
        result: dict[str, Any] = {"measure": "", "group": self.group_id(group)}
        pieces: list[str | None] = [title, group.title, _field("value", value), unit]
        if kind in ("count", "percent"):
            if total is None or not _fits(total, PositiveCount):
                return "no positive count of participants analyzed"
            result["measure"] = "proportion"
            if kind == "count":
                n = _count(value)
                if n is None or not _fits(n, Count):
                    return f"the value {value!r} is not a whole number"
                if n > total:
                    return f"the count {n} exceeds the {total} participants analyzed"
                result["n"] = n
                result["total"] = total
            else:
                percent = _number(value)
                if percent is None or not _fits(percent.value, Percent):
                    return f"the value {value!r} is not a percentage"
                result["n"] = (
                    f"TODO: the number of participants; the registry reports only "
                    f"{value} {unit} of {total}"
                )
                result["total"] = total
                result["percent"] = percent
            pieces.append(total_piece)
        elif kind == "rate":
            percent = _number(value)
            if percent is None or not _fits(percent.value, Percent):
                return f"the value {value!r} is not a percentage"
            result["measure"] = "rate"
            result["percent"] = percent
            if re.search(r"kaplan[\s-]+meier", title, re.I):
                result["method"] = "kaplan-meier"
        else:
            assert time_unit is not None
            result["measure"] = "time"
            result["statistic"] = (measure.param_type or "").lower()
            number = _number(value)
            if number is not None:
                result["value"] = number
            elif (
                value in (None, "NA")
                and measure.param_type == "MEDIAN"
                and comment is not None
                and _NOT_REACHED.search(comment)
            ):
                result["value"] = "not reached"
            else:
                return f"the value {value!r} is not a number" + (f" ({comment})" if comment else "")
            result["unit"] = time_unit
        if kind in ("rate", "time"):
            ci = _interval(measure.dispersion_type, measurement)
            if ci is not None:
                result["ci"] = ci
                pieces += [
                    _field("dispersionType", measure.dispersion_type),
                    _field("lowerLimit", measurement.lower_limit),
                    _field("upperLimit", measurement.upper_limit),
                ]
        if comment:
            result["note"] = _fit(comment, 4000)
            pieces.append(comment)
        result["cite"] = _cite(*pieces)
        self.used.add(result["group"])
        return result

    def comparison(self, measure: _Measure, notes: list[str]) -> dict[str, Any] | None:
        chosen: dict[str, Any] | None = None
        for analysis in measure.analyses:
            made = self.analysis(measure, analysis)
            summary = _analysis_summary(analysis)
            if isinstance(made, str):
                notes.append(f"A registry analysis is not imported ({made}): {summary}.")
            elif chosen is None:
                chosen = made
                method = _text(analysis.statistical_method)
                if method:
                    notes.append(f"Statistical method (registry): {method}")
                hypothesis = _text(analysis.non_inferiority_type)
                if hypothesis and hypothesis not in ("SUPERIORITY", "OTHER"):
                    notes.append(
                        f"The registry marks this analysis {hypothesis}: its p-value is for "
                        "that hypothesis."
                    )
                for label, text in (
                    ("Analysis (registry)", analysis.group_description),
                    ("Estimate (registry)", analysis.estimate_comment),
                    ("P-value (registry)", analysis.p_value_comment),
                ):
                    if _text(text):
                        notes.append(f"{label}: {_text(text)}")
            else:
                notes.append(
                    "A further registry analysis is not imported (the model holds one "
                    f"comparison per outcome): {summary}."
                )
        return chosen

    def analysis(self, measure: _Measure, analysis: _Analysis) -> dict[str, Any] | str:
        """The comparison of one analysis, or why it cannot be imported."""
        if len(analysis.group_ids) != 2:
            return f"it compares {len(analysis.group_ids)} groups, not 2"
        groups = {g.id: g for g in measure.groups}
        if any(g not in groups for g in analysis.group_ids):
            return "it names a group the measure does not list"
        if any(not groups[g].title.strip() for g in analysis.group_ids):
            return "one of its groups has no title"
        ids = [self.group_id(groups[g]) for g in analysis.group_ids]
        if ids[0] == ids[1]:
            return "its two groups have the same title"
        param_type = _text(analysis.param_type)
        ratio = RATIOS.get(param_type.casefold()) if param_type else None
        if param_type and ratio is None:
            return f"the model has no measure for {param_type!r}"
        comparison: dict[str, Any] = {
            "groups": (
                f"TODO: [intervention, comparator], the ids {ids[0]} and {ids[1]} with the "
                "intervention first; the registry does not say which it is (see this "
                "outcome's notes)"
            )
        }
        estimate = _number(analysis.param_value)
        if ratio is not None:
            if estimate is None or not _fits(estimate.value, PositiveNumber):
                return f"the estimate {_raw(analysis.param_value)!r} is not a positive number"
            comparison["measure"] = ratio
            comparison["label"] = _fit(param_type or "", 300)
            comparison["estimate"] = estimate
            ci = self.analysis_ci(analysis, estimate)
            if isinstance(ci, Flow):
                comparison["ci"] = ci
            elif ci is not None:
                return ci
        elif _raw(analysis.param_value) is not None:
            return "it gives an estimate without its type"
        elif _text(analysis.statistical_method):
            comparison["label"] = _fit(_text(analysis.statistical_method) or "", 300)
        p = _p_value(analysis.p_value)
        if p is None and _raw(analysis.p_value) is not None:
            return f"the p-value {_raw(analysis.p_value)!r} is neither a number nor a bound"
        if p is not None:
            comparison["p"] = p
        if ratio is None and p is None:
            return "it gives neither a ratio nor a p-value"
        title = " ".join(measure.title.split())
        self.used.update(ids)
        comparison["cite"] = _cite(
            title,
            _field("paramType", analysis.param_type),
            _field("paramValue", analysis.param_value),
            _field("ciPctValue", analysis.ci_pct_value) if "ci" in comparison else None,
            _field("ciNumSides", analysis.ci_num_sides) if "ci" in comparison else None,
            _field("ciLowerLimit", analysis.ci_lower_limit) if "ci" in comparison else None,
            _field("ciUpperLimit", analysis.ci_upper_limit) if "ci" in comparison else None,
            _field("pValue", analysis.p_value),
        )
        return comparison

    def analysis_ci(self, analysis: _Analysis, estimate: Number) -> Flow | str | None:
        """The analysis's CI, None when it gives none, or why its CI cannot be imported."""
        parts = (analysis.ci_pct_value, analysis.ci_lower_limit, analysis.ci_upper_limit)
        if all(_raw(p) is None for p in parts):
            return None
        level = _number(analysis.ci_pct_value)
        lower = _limit(analysis.ci_lower_limit, analysis.ci_lower_limit_comment)
        upper = _limit(analysis.ci_upper_limit, analysis.ci_upper_limit_comment)
        if analysis.ci_num_sides != "TWO_SIDED":
            return f"its confidence interval is {analysis.ci_num_sides or 'of unstated sides'}"
        if level is None or not 50 <= level.value < 100:
            return f"its confidence level {_raw(analysis.ci_pct_value)!r} is not a percentage"
        if lower is None or upper is None:
            return "a confidence limit is missing or not a number"
        if isinstance(lower, Number) and isinstance(upper, Number):
            if lower.value > upper.value:
                return "its lower confidence limit exceeds the upper one"
        return Flow(level=level, lower=lower, upper=upper)

    # -- safety --------------------------------------------------------------------------------

    def safety(self) -> list[dict[str, Any]]:
        """Per reporting group, in one block each: the group's totals, then each event term."""
        results = self.record.results_section
        module = results.adverse_events_module if results is not None else None
        if module is None or not module.event_groups:
            return []
        serious, other = "serious adverse events", "other adverse events (not including serious)"
        items: list[dict[str, Any]] = []
        for group in module.event_groups:
            for category, affected, at_risk, keys in (
                (
                    serious,
                    group.serious_num_affected,
                    group.serious_num_at_risk,
                    ("seriousNumAffected", "seriousNumAtRisk"),
                ),
                (
                    other,
                    group.other_num_affected,
                    group.other_num_at_risk,
                    ("otherNumAffected", "otherNumAtRisk"),
                ),
            ):
                item = self.event(category, None, group, affected, at_risk)
                if item is not None:
                    item["cite"] = _cite(
                        group.title, _field(keys[0], affected), _field(keys[1], at_risk)
                    )
                    items.append(item)
            for category, events in (
                (serious, module.serious_events),
                (other, module.other_events),
            ):
                for event in events:
                    for stat in event.stats:
                        if stat.group_id != group.id:
                            continue
                        item = self.event(
                            category, event.term, group, stat.num_affected, stat.num_at_risk
                        )
                        if item is not None:
                            item["cite"] = _cite(
                                event.term,
                                event.organ_system,
                                group.title,
                                _field("numAffected", stat.num_affected),
                                _field("numAtRisk", stat.num_at_risk),
                            )
                            items.append(item)
        self.safety_notes(module)
        return items

    def event(
        self,
        category: str,
        term: str | None,
        group: _EventGroup,
        affected: int | None,
        at_risk: int | None,
    ) -> dict[str, Any] | None:
        if affected is None or not _fits(affected, Count):
            return None
        item: dict[str, Any] = {"kind": "event", "category": category}
        if term is not None and term.strip():
            item["term"] = _fit(term.strip(), 300)
        item["grade"] = "any"
        item["arm"] = self.event_arm(group)
        if at_risk is not None and affected > at_risk:
            what = f"{term!r} in" if term else "the totals of"
            self.note(
                "safety",
                f"Not imported: {what} group {group.title!r}, where the registry's "
                f"{affected} affected exceed the {at_risk} at risk.",
            )
            return None
        item["n"] = affected
        if at_risk is not None and _fits(at_risk, PositiveCount):
            item["total"] = at_risk
        return item

    def event_arm(self, group: _EventGroup) -> str:
        """The arm whose label is the group's title, else the group's shared placeholder."""
        title = " ".join(group.title.split())
        for label, arm_id in self.arm_ids.items():
            if _same(label, title):
                return arm_id
        if group.id not in self.shared:
            arms = ", ".join(self.arm_ids.values()) or "none"
            self.shared[group.id] = Placeholder(
                f"TODO: the arm of the registry's adverse-event group {title!r}, one of: "
                f"{arms}; if the group is not one arm's participants, remove its events "
                "(the block of safety items that uses this anchor)",
                anchor=f"arm-of-{_slug(title, group.id.lower())}",
            )
        return self.shared[group.id]

    def safety_notes(self, module: _AdverseEvents) -> None:
        parts = [
            "Adverse events are the registry's counts of participants affected (n) of those "
            "at risk (total), per reporting group; the registry does not grade them, so "
            "every grade is any."
        ]
        time_frame = _text(module.time_frame)
        if time_frame:
            parts.append(f"Time frame (registry): {time_frame.rstrip('.')}.")
        threshold = _raw(module.frequency_threshold)
        if threshold:
            parts.append(
                f"Other adverse events are listed by the registry from a frequency threshold "
                f"of {threshold} %."
            )
        self.note("safety", " ".join(parts))

    # -- claims --------------------------------------------------------------------------------

    def claims(self) -> list[dict[str, Any]]:
        results = self.record.results_section
        more = results.more_info_module if results is not None else None
        caveats = more.limitations_and_caveats if more is not None else None
        text = _text(caveats.description) if caveats is not None else None
        if not text:
            return []
        return [{"kind": "limitation", "text": _fit(text, 4000), "source": REGISTRY}]


def _interval(dispersion: str | None, measurement: _Measurement) -> Flow | None:
    level = _ci_level(dispersion)
    if level is None or not 50 <= level.value < 100:
        return None
    lower = _limit(measurement.lower_limit, measurement.comment)
    upper = _limit(measurement.upper_limit, measurement.comment)
    if lower is None or upper is None:
        return None
    if isinstance(lower, Number) and isinstance(upper, Number) and lower.value > upper.value:
        return None
    return Flow(level=level, lower=lower, upper=upper)


def _timepoint(time_frame: str | None) -> dict[str, Any] | None:
    text = _text(time_frame)
    if text is None:
        return None
    label = _fit(" ".join(text.split()), 300)
    point: dict[str, Any] = Flow(label=label) if len(label) <= 40 else {"label": label}
    for pattern in _TIMEPOINT:
        match = pattern.fullmatch(text)
        if match and int(match.group("value")) > 0:
            point["value"] = Number(str(int(match.group("value"))))
            point["unit"] = TIME_UNITS[match.group("unit").lower()]
            break
    return point


def _analysis_summary(analysis: _Analysis) -> str:
    """An analysis in the registry's own values: "Difference -1.696, 95% CI -2.110 to ..."."""
    parts: list[str] = []
    estimate = " ".join(
        t for t in (_text(analysis.param_type), _raw(analysis.param_value)) if t is not None
    )
    if estimate:
        parts.append(estimate)
    level, lower, upper = (
        _raw(analysis.ci_pct_value),
        _raw(analysis.ci_lower_limit),
        _raw(analysis.ci_upper_limit),
    )
    if lower is not None or upper is not None:
        sides = f" {analysis.ci_num_sides}" if analysis.ci_num_sides else ""
        parts.append(f"{level or '?'}% CI{sides} {lower or '?'} to {upper or '?'}")
    if _raw(analysis.p_value) is not None:
        parts.append(f"p-value {_raw(analysis.p_value)}")
    method = _text(analysis.statistical_method)
    if method:
        parts.append(f"method {method}")
    return ", ".join(parts) or "no values"


# --- YAML -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block YAML in the bundled files' layout, with numbers kept as the registry wrote them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anchor_names: dict[yaml.Node, str] = {}

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return not isinstance(data, Placeholder)

    def generate_anchor(self, node: yaml.Node) -> str:
        return self.anchor_names.get(node) or str(super().generate_anchor(node))


def _style(data: str) -> str | None:
    """Short texts inline (placeholders in double quotes), long ones folded, lines kept."""
    if "\n" in data:
        return "|"
    if len(data) > 48:
        return ">"
    return '"' if data.startswith("TODO") else None


def _represent_text(dumper: _Dumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=_style(data))


def _represent_number(dumper: _Dumper, data: Number) -> yaml.Node:
    tag = "tag:yaml.org,2002:float" if "." in data else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, str(data))


def _represent_placeholder(dumper: _Dumper, data: Placeholder) -> yaml.Node:
    node = dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=_style(data))
    dumper.anchor_names[node] = data.anchor
    return node


def _represent_flow(dumper: _Dumper, data: Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: _Dumper, data: FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(Number, _represent_number)
_Dumper.add_representer(Placeholder, _represent_placeholder)
_Dumper.add_representer(Flow, _represent_flow)
_Dumper.add_representer(FlowList, _represent_flow_list)

_SECTIONS = (
    "citation",
    "registrations",
    "sources",
    "design",
    "population",
    "dosing",
    "outcomes",
    "safety",
    "claims",
    "notes",
)


def dump(document: dict[str, Any]) -> str:
    """The document as YAML: block style, in the model's order, sections apart."""
    text = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=80,
    )
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        if out and any(line.startswith(f"{key}:") for key in _SECTIONS):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


# --- Entry points -----------------------------------------------------------------------------


def draft(record: _Record) -> dict[str, Any]:
    """The evidence document of ``record``, as data (see :func:`dump`)."""
    return _Draft(record).document()


def header(record: _Record, document: dict[str, Any]) -> str:
    """The comment block that opens the draft: what it is and what is left to do."""
    nct = record.protocol_section.identification_module.nct_id
    status = record.protocol_section.status_module
    updated = None
    if status is not None and status.last_update_post_date_struct is not None:
        updated = _text(status.last_update_post_date_struct.date)
    paragraphs = [
        f"DRAFT imported by `blinacli import ctgov` from ClinicalTrials.gov record {nct}"
        + (f" (last update posted {updated})." if updated else ".")
        + f" It holds {placeholder_count(document)} TODO placeholders: fill each from the "
        "publication, or remove the field where its text says so. Until then `blinacli "
        "validate` rejects the file and lists every placeholder with its line; a "
        "placeholder written once with an &anchor is used again by its *alias, so filling "
        "it once fills them all.",
        'Every figure below was read in the registry record (source "registry"); its quote '
        'lists the record\'s field values for it, joined by " | ". The notes say what the '
        "registry reports that this draft does not import, and why.",
    ]
    references = record.protocol_section.references_module
    listed = [r for r in (references.references if references else []) if r.pmid]
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [*textwrap.wrap(paragraph, 78), ""]
    if listed:
        lines.append("Publications the registry lists, for the citation:")
        for reference in listed:
            citation = " ".join((reference.citation or "").split())
            kind = f" ({reference.type.lower()})" if reference.type else ""
            lines += textwrap.wrap(
                f"PMID {reference.pmid}{kind}: {citation}",
                78,
                initial_indent="- ",
                subsequent_indent="  ",
            )
    while lines and not lines[-1]:
        lines.pop()
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def placeholder_count(document: dict[str, Any]) -> int:
    """How many placeholders a person fills: one per anchored placeholder, one per other."""
    seen: set[int] = set()
    count = 0
    for value in _placeholders(document):
        if isinstance(value, Placeholder):
            if id(value) in seen:
                continue
            seen.add(id(value))
        count += 1
    return count


def _placeholders(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if node.startswith("TODO"):
            yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _placeholders(value)
    elif isinstance(node, list):
        for value in node:
            yield from _placeholders(value)


def import_record(source: str, stdin: BinaryIO | None = None) -> str:
    """The YAML draft of the study record at ``source`` (a path, or ``-`` for ``stdin``)."""
    raw, name = read_record(source, stdin)
    record = parse_record(raw, name)
    document = draft(record)
    return header(record, document) + "\n" + dump(document)
