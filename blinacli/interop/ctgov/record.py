"""The study record as the import reads it: the API v2 fields the draft uses, read from a
file or standard input and checked, with an error that names what is wrong.

Only the fields the draft reads are declared; the record's other fields are ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from blinacli.base.errors import BlinacliError

MAX_BYTES = 64 * 1024 * 1024
"""Largest record read; the largest records on ClinicalTrials.gov are a few MiB."""


class RecordError(BlinacliError):
    """The input is not a ClinicalTrials.gov API v2 study record."""


# --- The record: the API v2 fields the draft reads ------------------------------------------

NumText = str | int | float
"""A field the API writes as text ("47.2") in most records and as a number in some."""


class _Field(msgspec.Struct, rename="camel"):
    """Base of the record's objects: other fields are ignored, names are camelCase."""


class IdInfo(_Field):
    id: str


class Identification(_Field):
    nct_id: str
    acronym: str | None = None
    brief_title: str | None = None
    official_title: str | None = None
    org_study_id_info: IdInfo | None = None
    secondary_id_infos: list[IdInfo] = []


class DateStruct(_Field):
    date: str | None = None


class Status(_Field):
    overall_status: str | None = None
    last_update_post_date_struct: DateStruct | None = None


class MaskingInfo(_Field):
    masking: str | None = None


class DesignInfo(_Field):
    allocation: str | None = None
    intervention_model: str | None = None
    masking_info: MaskingInfo | None = None


class EnrollmentInfo(_Field):
    count: int | None = None
    type: str | None = None


class DesignModule(_Field):
    study_type: str | None = None
    phases: list[str] = []
    design_info: DesignInfo | None = None
    enrollment_info: EnrollmentInfo | None = None


class ArmGroup(_Field):
    label: str
    type: str | None = None
    description: str | None = None
    intervention_names: list[str] = []


class Intervention(_Field):
    name: str
    type: str | None = None
    description: str | None = None
    arm_group_labels: list[str] = []


class ArmsModule(_Field):
    arm_groups: list[ArmGroup] = []
    interventions: list[Intervention] = []


class OutcomeDefinition(_Field):
    measure: str
    description: str | None = None
    time_frame: str | None = None


class OutcomesModule(_Field):
    primary_outcomes: list[OutcomeDefinition] = []
    secondary_outcomes: list[OutcomeDefinition] = []
    other_outcomes: list[OutcomeDefinition] = []


class Eligibility(_Field):
    eligibility_criteria: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None


class Conditions(_Field):
    conditions: list[str] = []


class Reference(_Field):
    pmid: str | None = None
    type: str | None = None
    citation: str | None = None


class References(_Field):
    references: list[Reference] = []


class Protocol(_Field):
    identification_module: Identification
    status_module: Status | None = None
    design_module: DesignModule | None = None
    arms_interventions_module: ArmsModule | None = None
    outcomes_module: OutcomesModule | None = None
    eligibility_module: Eligibility | None = None
    conditions_module: Conditions | None = None
    references_module: References | None = None


class Group(_Field):
    id: str
    title: str
    description: str | None = None


class DenomCount(_Field):
    group_id: str
    value: NumText


class Denom(_Field):
    units: str | None = None
    counts: list[DenomCount] = []


class Measurement(_Field):
    group_id: str
    value: NumText | None = None
    spread: NumText | None = None
    lower_limit: NumText | None = None
    upper_limit: NumText | None = None
    comment: str | None = None


class Category(_Field):
    title: str | None = None
    measurements: list[Measurement] = []


class Class(_Field):
    title: str | None = None
    denoms: list[Denom] = []
    categories: list[Category] = []


class Analysis(_Field):
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


class Measure(_Field):
    title: str
    type: str | None = None
    description: str | None = None
    population_description: str | None = None
    param_type: str | None = None
    dispersion_type: str | None = None
    unit_of_measure: str | None = None
    time_frame: str | None = None
    groups: list[Group] = []
    denoms: list[Denom] = []
    classes: list[Class] = []
    analyses: list[Analysis] = []


class OutcomeMeasures(_Field):
    outcome_measures: list[Measure] = []


class EventGroup(_Field):
    id: str
    title: str
    description: str | None = None
    serious_num_affected: int | None = None
    serious_num_at_risk: int | None = None
    other_num_affected: int | None = None
    other_num_at_risk: int | None = None


class EventStat(_Field):
    group_id: str
    num_events: int | None = None
    num_affected: int | None = None
    num_at_risk: int | None = None


class Event(_Field):
    term: str
    organ_system: str | None = None
    stats: list[EventStat] = []


class AdverseEvents(_Field):
    frequency_threshold: NumText | None = None
    time_frame: str | None = None
    description: str | None = None
    event_groups: list[EventGroup] = []
    serious_events: list[Event] = []
    other_events: list[Event] = []


class Limitations(_Field):
    description: str | None = None


class MoreInfo(_Field):
    limitations_and_caveats: Limitations | None = None


class Results(_Field):
    outcome_measures_module: OutcomeMeasures | None = None
    adverse_events_module: AdverseEvents | None = None
    more_info_module: MoreInfo | None = None


class Record(_Field):
    protocol_section: Protocol
    results_section: Results | None = None


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


def parse_record(raw: bytes, name: str) -> Record:
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
        record = msgspec.convert(data, Record)
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
